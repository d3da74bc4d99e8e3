import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { Modal } from '../../shared/Modal';
import { statusKey } from '../../shared/format';
import { RecorderSelect } from '../burn/RecorderSelect';
import { SpeedSelect } from '../burn/SpeedSelect';
import { formatMinutes } from '../../store/audio-slice';
import type { AudioBurnJobOptions } from '../../store/drive-job-slice';
import { RadioGroup } from '../../shared/RadioGroup';

type Mode = NonNullable<AudioBurnJobOptions['mode']>;
const MODES: Mode[] = ['auto', 'tao', 'sao', 'raw96'];

/**
 * The burn dialog for the audio project (BurnDialog opens it for {kind:'audio'}): recorder, writing
 * mode with the planner's sentence for each (audio.planBurn: the same choice the burner makes on
 * this recorder's features), the loaded CD-R's capacity, speed, read-back, finalize, simulate, eject.
 */
export function AudioBurnForm() {
  const { t } = useTranslation();
  const close = useAppStore((s) => s.closeBurnDialog);
  const drives = useAppStore((s) => s.drives);
  const selected = useAppStore((s) => s.selectedAddress);
  const media = useAppStore((s) => s.media);
  const busy = useAppStore((s) => s.driveBusy);
  const audio = useAppStore((s) => s.audio);
  const plan = useAppStore((s) => s.audioPlan);
  const planBurn = useAppStore((s) => s.planAudioBurn);
  const startAudioBurn = useAppStore((s) => s.startAudioBurn);
  const [mode, setMode] = useState<Mode>('auto');
  const [speed, setSpeed] = useState<'max' | number>('max');
  const [verify, setVerify] = useState<'full' | 'none'>('full');
  const [closeMode, setCloseMode] = useState<'disc' | 'session'>('disc');
  const [simulate, setSimulate] = useState(false);
  const [eject, setEject] = useState(false);
  const address = selected ?? drives[0]?.address;
  const disc = address ? media[address] : undefined;
  const isCd = !!disc && /^CD-R/.test(disc.profile);
  const leased = address ? busy[address] : undefined;

  // Ask the recorder each time the dialog opens or the drive or its disc changes.
  useEffect(() => {
    if (address && !leased) void planBurn(address);
  }, [address, disc?.profile, disc?.status, leased, planBurn]);

  const current = plan && plan.address === address ? plan : undefined;
  const outcome = current?.plan?.modes[mode];
  const fits = current?.plan?.atipLeadOut === undefined || current.plan.leadOut <= current.plan.atipLeadOut;
  const canBurn = !!address && isCd && !leased && !!outcome?.ok && fits;
  const submit = () => {
    if (!address || !canBurn) return;
    const options: AudioBurnJobOptions = { mode, verify, close: closeMode, eject, ...(simulate ? { simulate: true } : {}), ...(speed !== 'max' ? { speedX: speed / 176.4 } : {}) };
    close();
    void startAudioBurn(address, options);
  };

  return (
    <Modal labelledBy="burn-dialog-heading" onEscape={close} testId="burn-dialog" className="burn-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h2 id="burn-dialog-heading">{t('audio.burnTitle')}</h2>
        <p className="muted">{audio && t('audio.summary', { count: audio.tracks.length, time: formatMinutes(audio.summary.seconds ?? 0) })}</p>
        <RecorderSelect address={address} />
        {disc && (
          <p className={isCd ? 'muted' : 'error'} data-testid="burn-disc">
            {isCd ? `${disc.profile}, ${t(statusKey(disc))}` : t('audio.notCd')}
            {current?.plan?.atipLeadOut !== undefined && ` · ${t('audio.targetDisc', { time: formatMinutes((current.plan.atipLeadOut + 151) / 75) })}`}
            {leased ? ` (${t('burn.busyWith', { job: t(`burn.busyJob_${leased}`) })})` : ''}
          </p>
        )}
        {current?.plan && !fits && (
          <p className="error" data-testid="burn-too-long">
            {t('audio.over', { time: formatMinutes((current.plan.leadOut - current.plan.atipLeadOut!) / 75) })}
          </p>
        )}
        <fieldset className="radio-group mode-group">
          <legend>{t('audio.mode')}</legend>
          {MODES.map((m) => {
            const o = current?.plan?.modes[m];
            return (
              <label key={m} className="check mode-choice">
                <input type="radio" name="audio-mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
                <span>
                  {t(`audio.mode_${m}`)}
                  {o && <span className={`small ${o.ok ? 'muted' : 'error'} mode-reason`} data-testid={`mode-reason-${m}`}> — {o.reason}{o.ok && o.dropped.length ? ` ${t('audio.resultDropped', { what: o.dropped.join(', ') })}` : ''}</span>}
                </span>
              </label>
            );
          })}
          {current?.loading && <p className="muted small">{t('audio.planning')}</p>}
          {current?.error && <p className="error small">{t('audio.planUnavailable', { reason: current.error })}</p>}
        </fieldset>
        <SpeedSelect disc={disc} speed={speed} onChange={setSpeed} />
        <RadioGroup legend={t('burn.verify')} name="audio-verify" values={['full', 'none'] as const} value={verify} onChange={setVerify} label={(v) => t(`audio.verify_${v}`)} />
        <RadioGroup legend={t('burn.close')} name="audio-close" values={['disc', 'session'] as const} value={closeMode} onChange={setCloseMode} label={(c) => t(`audio.close_${c}`)} />
        <div className="inline-form">
          <label className="check">
            <input type="checkbox" checked={simulate} onChange={(e) => setSimulate(e.target.checked)} />
            {t('burn.simulate')}
          </label>
          <label className="check">
            <input type="checkbox" checked={eject} onChange={(e) => setEject(e.target.checked)} />
            {t('burn.eject')}
          </label>
        </div>
        <div className="button-row">
          <button type="submit" className="primary" disabled={!canBurn}>
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
