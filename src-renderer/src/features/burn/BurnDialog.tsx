import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import type { BurnOptions } from '../../store/drive-job-slice';
import { Modal } from '../../shared/Modal';
import { blocksToBytes, formatBytes, isPressed, statusKey } from '../../shared/format';
import { RecorderSelect } from './RecorderSelect';
import { SpeedSelect } from './SpeedSelect';
import { AudioBurnForm } from '../audio/AudioBurnForm';
import type { BurnSource } from '../../store/drive-job-slice';
import { RadioGroup } from '../../shared/RadioGroup';
import { IMAGE_FILE } from './BurnImageView';

type VerifyLevel = NonNullable<BurnOptions['verify']>;
const VERIFY_LEVELS: VerifyLevel[] = ['none', 'quick', 'full'];
/** Test write exists for CD-R/RW and DVD-R/RW only (MMC-6 §7.5.4.3); other media refuse it. */
const SIMULATE_PROFILES = /^(CD-R|CD-RW|DVD-R|DVD-RW seq|DVD-R DL)$/;

/** The burn dialog (Ctrl+B, the Burn buttons): drive, speed, verify, close, simulate, copies, eject. */
export function BurnDialog() {
  const source = useAppStore((s) => s.burnDialog);
  // A fresh form per opening: nothing from a previous burn's choices but the drive.
  if (source?.kind === 'audio') return <AudioBurnForm />;
  return source ? <BurnForm source={source} /> : null;
}

function BurnForm({ source }: { source: BurnSource }) {
  const { t } = useTranslation();
  const close = useAppStore((s) => s.closeBurnDialog);
  const drives = useAppStore((s) => s.drives);
  const selected = useAppStore((s) => s.selectedAddress);
  const media = useAppStore((s) => s.media);
  const busy = useAppStore((s) => s.driveBusy);
  const startBurn = useAppStore((s) => s.startBurn);
  const [speedChoice, setSpeedChoice] = useState<{ address?: string; speed: 'max' | number }>({ speed: 'max' });
  const [verify, setVerify] = useState<VerifyLevel>('full');
  // The next session of a disc keeps it open for more by default (the user chose to add to it).
  const [closeMode, setCloseMode] = useState<'disc' | 'session'>(source.kind === 'project' && source.multisession ? 'session' : 'disc');
  const [simulate, setSimulate] = useState(false);
  const [copies, setCopies] = useState(1);
  const [eject, setEject] = useState(false);
  const address = selected ?? drives[0]?.address;
  const disc = address ? media[address] : undefined;
  // A speed belongs to the drive's disc it was chosen for: another drive starts at maximum.
  const speed = speedChoice.address === address ? speedChoice.speed : 'max';
  const setSpeed = (v: 'max' | number) => setSpeedChoice({ address, speed: v });

  const writable = !!disc && disc.status !== 'no-disc' && !isPressed(disc) && (disc.status !== 'complete' || disc.formatted !== undefined) && !disc.writeProtected;
  const canSimulate = !!disc && SIMULATE_PROFILES.test(disc.profile);
  const leased = address ? busy[address] : undefined;
  // A project that is one disc image file is nearly always meant as "burn this image": burned as a
  // file, the disc would hold the .iso, not what is in it (the CLI refuses `burn SRC.iso` alike).
  const onlyEntry = useAppStore((s) => (s.project?.files === 1 && s.project.folders === 0 ? s.pages[0]?.[0] : undefined));
  const imageAsFile = source.kind === 'project' && !source.multisession && onlyEntry?.kind === 'file' && IMAGE_FILE.test(onlyEntry.name) ? onlyEntry.name : undefined;
  const setView = useAppStore((s) => s.setView);
  // To the "Burn an image file" view, where the file pane's selection shows the very file to burn
  // (the renderer knows the project entry's name, not which host file it came from).
  const burnImageInstead = () => {
    close();
    setView('burnImage');
  };

  const name = source.kind === 'imageFile' ? source.path.split(/[\\/]/).pop() : '';
  const submit = () => {
    if (!address) return;
    const options: BurnOptions = { speed, verify, close: closeMode, copies, eject };
    if (canSimulate && simulate) options.simulate = true;
    close();
    void startBurn(address, source, options);
  };

  return (
    <Modal labelledBy="burn-dialog-heading" onEscape={close} testId="burn-dialog" className="burn-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h2 id="burn-dialog-heading">{source.kind === 'project' ? (source.multisession ? t('session.burnTitle') : t('burn.title_project')) : t('burn.title_imageFile', { name })}</h2>
        {imageAsFile && (
          <div className="image-as-file" role="note" data-testid="burn-image-as-file">
            <p>{t('burn.imageAsFile', { name: imageAsFile })}</p>
            <button type="button" onClick={burnImageInstead}>
              {t('burn.burnImageInstead', { name: imageAsFile })}
            </button>
          </div>
        )}
        <RecorderSelect address={address} />
        {disc && (
          <p className={writable ? 'muted' : 'error'} data-testid="burn-disc">
            {writable ? t('burn.disc', { profile: disc.profile, status: t(statusKey(disc)), free: formatBytes(blocksToBytes(disc.freeBlocks)) }) : t('burn.noWritableDisc')}
            {leased ? ` (${t('burn.busyWith', { job: t(`burn.busyJob_${leased}`) })})` : ''}
          </p>
        )}
        <SpeedSelect disc={disc} speed={speed} onChange={setSpeed} />
        <RadioGroup legend={t('burn.verify')} name="verify" values={VERIFY_LEVELS} value={verify} onChange={setVerify} label={(level) => t(`burn.verify_${level}`)} />
        <RadioGroup legend={t('burn.close')} name="close" values={['disc', 'session'] as const} value={closeMode} onChange={setCloseMode} label={(mode) => t(`burn.close_${mode}`)} />
        {canSimulate ? (
          <label className="check">
            <input type="checkbox" checked={simulate} onChange={(e) => setSimulate(e.target.checked)} />
            {t('burn.simulate')}
          </label>
        ) : (
          <p className="muted small">{t('burn.simulateNot')}</p>
        )}
        <div className="inline-form">
          <label className="inline">
            {t('burn.copies')}
            <input type="number" min={1} max={99} value={copies} onChange={(e) => setCopies(Math.max(1, Math.min(99, Math.round(Number(e.target.value)) || 1)))} className="copies" />
          </label>
          <label className="check">
            <input type="checkbox" checked={eject} onChange={(e) => setEject(e.target.checked)} />
            {t('burn.eject')}
          </label>
        </div>
        <div className="button-row">
          <button type="submit" className="primary" disabled={!address || !writable || !!leased}>
            {t('burn.start')}
          </button>
          <button type="button" onClick={close}>
            {t('burn.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
