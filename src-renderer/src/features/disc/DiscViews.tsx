// The disc jobs on the first screen: erase/format, verify, read to an image. Each view is the drive
// panel (pick the drive, see its disc), the file pane where the job needs host paths, and the job's
// form; the job itself runs in the shared JobDialog (progress, cancel, result, log).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaInfo } from '../../../../src-main/common/model/drive';
import { useAppStore } from '../../store';
import { Modal } from '../../shared/Modal';
import { blocksToBytes, formatBytes, statusKey } from '../../shared/format';
import { DrivePanel, driveName } from '../drives/DrivePanel';
import { FilePane } from '../files/FilePane';
import { IMAGE_FILE } from '../burn/BurnImageView';

/** Which of erase (BLANK) and format a medium takes (burn/README.md "Erase and format"). */
export function eraseActions(media: MediaInfo): Array<'erase' | 'format'> {
  const p = media.profile;
  if (p === 'CD-RW') return ['erase'];
  if (p === 'DVD-RW seq' || p === 'DVD-RW RO') return ['erase', 'format'];
  if (p === 'DVD+RW' || p === 'DVD-RAM' || p === 'BD-RE') return ['format'];
  if (p === 'BD-R SRM' && media.status === 'blank') return ['format'];
  return [];
}

/** The selected drive, its display name and its disc (or why there is none). */
function useDisc() {
  const { t } = useTranslation();
  const drives = useAppStore((s) => s.drives);
  const address = useAppStore((s) => s.selectedAddress);
  const media = useAppStore((s) => (s.selectedAddress ? s.media[s.selectedAddress] : undefined));
  const busy = useAppStore((s) => (s.selectedAddress ? s.driveBusy[s.selectedAddress] : undefined));
  const drive = drives.find((d) => d.address === address);
  const name = drive ? driveName(drive, drives) : '';
  const problem = !drive ? t('disc.noDrive') : media && media.status === 'no-disc' ? t('disc.noDisc') : undefined;
  return { address: drive?.address, name, media, busy, problem };
}

function DiscPanel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  const { t } = useTranslation();
  const { name, media, problem, busy } = useDisc();
  return (
    <section className="panel job-panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {problem ? (
        <p className="muted">{problem}</p>
      ) : (
        <p className="muted" data-testid="disc-summary">
          {t('disc.driveHeading', { drive: name })}
          {media && `: ${media.profile}, ${t(statusKey(media))}`}
          {busy && ` (${t('burn.busyWith', { job: t(`burn.busyJob_${busy}`) })})`}
        </p>
      )}
      {children}
    </section>
  );
}

export function EraseView() {
  const { t } = useTranslation();
  const { address, name, media, busy } = useDisc();
  const startErase = useAppStore((s) => s.startErase);
  const startFormat = useAppStore((s) => s.startFormat);
  const [full, setFull] = useState(false);
  const [confirm, setConfirm] = useState<'erase' | 'format' | undefined>();
  const actions = media && media.status !== 'no-disc' ? eraseActions(media) : [];
  return (
    <div className="view view-disc-narrow">
      <DrivePanel />
      <DiscPanel id="erase-heading" title={t('disc.eraseHeading')}>
        {media && media.status !== 'no-disc' && (
          <>
            <p>{t('disc.eraseWhat', { profile: media.profile, status: t(statusKey(media)), used: formatBytes(blocksToBytes(media.usedBlocks)) })}</p>
            {actions.length === 0 ? (
              <p className="error">{t('disc.cannotErase', { profile: media.profile })}</p>
            ) : (
              <>
                <fieldset className="radio-group">
                  <legend>{t('disc.mode')}</legend>
                  <label className="check">
                    <input type="radio" name="erase-mode" checked={!full} onChange={() => setFull(false)} />
                    {t('disc.eraseQuick')}
                  </label>
                  <label className="check">
                    <input type="radio" name="erase-mode" checked={full} onChange={() => setFull(true)} />
                    {t('disc.eraseFull')}
                  </label>
                </fieldset>
                <div className="button-row">
                  {actions.map((a) => (
                    <button key={a} type="button" className="primary" disabled={!!busy} onClick={() => setConfirm(a)}>
                      {t(`disc.${a}`)}
                    </button>
                  ))}
                </div>
              </>
            )}
          </>
        )}
      </DiscPanel>
      {confirm && address && media && (
        <Modal labelledBy="erase-confirm" onEscape={() => setConfirm(undefined)} testId="erase-confirm">
          <h2 id="erase-confirm">{t(confirm === 'erase' ? 'disc.confirmErase' : 'disc.confirmFormat', { profile: media.profile, drive: `${name} (${address})` })}</h2>
          <div className="button-row">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirm(undefined);
                void (confirm === 'erase' ? startErase(address, full) : startFormat(address, full));
              }}
            >
              {t(`disc.confirmYes_${confirm}`)}
            </button>
            {/* The safe answer has the focus: Enter keeps the disc. */}
            <button type="button" data-autofocus onClick={() => setConfirm(undefined)}>
              {t('disc.keep')}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}

export function VerifyView() {
  const { t } = useTranslation();
  const { address, media, busy } = useDisc();
  const startVerify = useAppStore((s) => s.startVerify);
  const selection = useAppStore((s) => s.hostSelection);
  const listing = useAppStore((s) => s.listing);
  const [against, setAgainst] = useState<'image' | 'folder' | 'manifest'>('image');
  const selected = selection.length === 1 ? listing?.entries.find((e) => e.path === selection[0]) : undefined;
  const image = selected && selected.kind === 'file' && IMAGE_FILE.test(selected.name) ? selected.path : undefined;
  const folder = selected?.kind === 'dir' ? selected.path : listing?.path;
  const hasDisc = !!media && media.status !== 'no-disc';
  const ready = hasDisc && !busy && !!address && (against === 'manifest' || (against === 'image' ? !!image : !!folder));
  return (
    <div className="view view-disc">
      <DrivePanel />
      <FilePane />
      <DiscPanel id="verify-heading" title={t('disc.verifyHeading')}>
        <fieldset className="radio-group">
          <legend>{t('disc.against')}</legend>
          {(['image', 'folder', 'manifest'] as const).map((k) => (
            <label key={k} className="check">
              <input type="radio" name="verify-against" checked={against === k} onChange={() => setAgainst(k)} />
              {t(`disc.against_${k}`)}
            </label>
          ))}
        </fieldset>
        {against === 'image' && <p className={image ? '' : 'muted'} data-testid="verify-reference">{image ? t('disc.imagePick', { path: image }) : t('disc.imageNone')}</p>}
        {against === 'folder' && (
          <>
            <p data-testid="verify-reference">{t('disc.folderPick', { path: folder ?? '…' })}</p>
            <p className="muted small">{t('disc.folderHint')}</p>
          </>
        )}
        <div className="button-row">
          <button
            type="button"
            className="primary"
            disabled={!ready}
            onClick={() => {
              if (!address) return;
              if (against === 'manifest') void startVerify(address, { kind: 'manifest' });
              else if (against === 'image' && image) void startVerify(address, { kind: 'image', path: image });
              else if (against === 'folder' && folder) void startVerify(address, { kind: 'folder', path: folder });
            }}
          >
            {t('disc.verify')}
          </button>
        </div>
      </DiscPanel>
    </div>
  );
}

export function ReadView() {
  const { t } = useTranslation();
  const { address, media, busy } = useDisc();
  const startRead = useAppStore((s) => s.startRead);
  const folder = useAppStore((s) => s.listing?.path);
  const [format, setFormat] = useState<'iso' | 'cue'>('iso');
  const [name, setName] = useState('disc');
  const base = name.trim().replace(/\.(iso|cue|bin)$/i, '');
  const valid = base.length > 0 && !/[\\/\x00-\x1f]/.test(base) && base !== '.' && base !== '..';
  const hasDisc = !!media && media.status !== 'no-disc' && media.status !== 'blank';
  const output = folder && valid ? `${folder.replace(/[\\/]$/, '')}/${base}.${format}` : undefined;
  return (
    <div className="view view-disc">
      <DrivePanel />
      <FilePane />
      <DiscPanel id="read-heading" title={t('disc.readHeading')}>
        <form
          className="image-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (address && output && hasDisc && !busy) void startRead(address, output);
          }}
        >
          <fieldset className="radio-group">
            <legend>{t('disc.imageFormat')}</legend>
            {(['iso', 'cue'] as const).map((f) => (
              <label key={f} className="check">
                <input type="radio" name="read-format" checked={format === f} onChange={() => setFormat(f)} />
                {t(`disc.format_${f}`)}
              </label>
            ))}
          </fieldset>
          <label>
            {t('disc.name')}
            <input value={name} onChange={(e) => setName(e.target.value)} aria-describedby="read-folder" />
          </label>
          <span className="muted" id="read-folder" data-testid="read-output">
            {output ?? t('disc.folder', { folder: folder ?? '…' })}
          </span>
          <div className="button-row">
            <button type="submit" className="primary" disabled={!address || !output || !hasDisc || !!busy}>
              {t('disc.read')}
            </button>
          </div>
        </form>
      </DiscPanel>
    </div>
  );
}
