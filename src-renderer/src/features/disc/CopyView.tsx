// "Copy a disc": the source and the target recorder (the same one: read, then a prompt to swap in
// a blank disc; two: streamed), the verify level, then the copy runs in the shared JobDialog
// (reading, waiting for the blank disc, writing, verifying; cancel; result with the log).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import type { BurnOptions } from '../../store/drive-job-slice';
import { blocksToBytes, formatBytes, statusKey } from '../../shared/format';
import { DrivePanel, driveName } from '../drives/DrivePanel';

type VerifyLevel = NonNullable<BurnOptions['verify']>;

/** Media whose sessions sit at the same sectors for the same data (as burn/copy-sessions.ts groups them); others cannot hold sessions. */
const SESSION_KIND: Record<string, string> = {
  'CD-R': 'CD', 'CD-RW': 'CD', 'DVD-R': 'DVD-R', 'DVD-RW seq': 'DVD-R', 'DVD-R DL': 'DVD-R DL', 'DVD-R DL jump': 'DVD-R DL', 'DVD+R': 'DVD+R', 'DVD+R DL': 'DVD+R DL', 'BD-R SRM': 'BD-R',
};
const sessionKind = (profile: string): string | undefined => SESSION_KIND[profile];

export function CopyView() {
  const { t } = useTranslation();
  const drives = useAppStore((s) => s.drives);
  const media = useAppStore((s) => s.media);
  const busy = useAppStore((s) => s.driveBusy);
  const selected = useAppStore((s) => s.selectedAddress);
  const refreshMedia = useAppStore((s) => s.refreshMedia);
  const startCopy = useAppStore((s) => s.startCopy);
  const [fromChoice, setFrom] = useState<string | undefined>();
  const [toChoice, setTo] = useState<string | undefined>();
  const [verify, setVerify] = useState<VerifyLevel>('full');
  const from = fromChoice ?? selected ?? drives[0]?.address;
  const to = toChoice ?? from;
  const src = from ? media[from] : undefined;
  const dst = to ? media[to] : undefined;
  const one = !!from && from === to;
  const hasSource = !!src && (src.status === 'appendable' || src.status === 'complete') && src.usedBlocks > 0;
  // Two drives: the target must take the copy now; one drive: the blank disc comes after the read.
  // A disc of several sessions goes session by session to a blank disc of its own kind (burn/copy-sessions.ts).
  const multi = !!src && src.sessions > 1;
  const sameKind = !multi || !dst || (!!sessionKind(dst.profile) && sessionKind(dst.profile) === sessionKind(src.profile));
  const targetOk = one || (!!dst && sameKind && (dst.status === 'blank' || (!multi && dst.status === 'appendable' && !!src && dst.freeBlocks >= src.usedBlocks)));
  const leased = (from && busy[from]) || (to && busy[to]);
  const choose = (set: (a: string) => void) => (address: string) => {
    set(address);
    if (!media[address]) void refreshMedia(address);
  };

  const options = drives.map((d) => (
    <option key={d.address} value={d.address}>
      {driveName(d, drives)} — {d.address}
      {media[d.address] && media[d.address].status !== 'no-disc' ? ` — ${media[d.address].profile}, ${t(statusKey(media[d.address]))}` : ''}
    </option>
  ));
  return (
    <div className="view view-disc-narrow">
      <DrivePanel />
      <section className="panel job-panel" aria-labelledby="copy-heading">
        <h2 id="copy-heading">{t('copyjob.heading')}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (from && to) void startCopy(from, to, { verify });
          }}
        >
          <label className="field">
            {t('copyjob.source')}
            <select value={from ?? ''} onChange={(e) => choose(setFrom)(e.target.value)}>
              {options}
            </select>
          </label>
          <p className={hasSource ? 'muted' : 'error'} data-testid="copy-source">
            {hasSource ? t('copyjob.sourceDisc', { profile: src!.profile, status: t(statusKey(src!)), used: formatBytes(blocksToBytes(src!.usedBlocks)) }) : t('copyjob.noSource')}
          </p>
          {multi && (
            <p className="muted" data-testid="copy-sessions">
              {t('copyjob.sessions', { profile: src.profile, count: src.sessions, last: t(src.status === 'appendable' ? 'copyjob.sessionsLastAppendable' : 'copyjob.sessionsLastClosed') })}
            </p>
          )}
          <label className="field">
            {t('copyjob.target')}
            <select value={to ?? ''} onChange={(e) => choose(setTo)(e.target.value)}>
              {options}
            </select>
          </label>
          <p className="muted" data-testid="copy-mode">
            {one ? t('copyjob.oneDrive') : t('copyjob.twoDrives')}
          </p>
          {!one && dst && (
            <p className={targetOk ? 'muted' : 'error'} data-testid="copy-target">
              {targetOk ? t('copyjob.targetDisc', { profile: dst.profile, status: t(statusKey(dst)), free: formatBytes(blocksToBytes(dst.freeBlocks)) })
                : !sameKind ? t('copyjob.sessionsTargetKind', { sessions: src!.sessions, profile: src!.profile, target: dst.profile })
                : t('copyjob.targetNeedsBlank')}
            </p>
          )}
          <fieldset className="radio-group">
            <legend>{t('copyjob.verify')}</legend>
            {(['none', 'quick', 'full'] as const).map((level) => (
              <label key={level} className="check">
                <input type="radio" name="copy-verify" value={level} checked={verify === level} onChange={() => setVerify(level)} />
                {t(`burn.verify_${level}`)}
              </label>
            ))}
          </fieldset>
          <div className="button-row">
            <button type="submit" className="primary" disabled={!from || !to || !hasSource || !targetOk || !!leased}>
              {t('copyjob.start')}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}
