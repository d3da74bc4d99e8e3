import { useTranslation } from 'react-i18next';
import type { DriveInfo } from '../../../../src-main/common/model/drive';
import { useAppStore } from '../../store';
import { blocksToBytes, formatBytes, formatSpeed, isPressed, statusKey } from '../../shared/format';

export function MediaDetails({ drive }: { drive: DriveInfo }) {
  const { t } = useTranslation();
  const media = useAppStore((s) => s.media[drive.address]);
  const busy = useAppStore((s) => s.busy[drive.address]);
  const eject = useAppStore((s) => s.eject);
  const load = useAppStore((s) => s.load);
  const refresh = useAppStore((s) => s.refreshMedia);
  const pressed = media ? isPressed(media) : false;

  return (
    <section className="media" aria-labelledby="media-heading" aria-busy={busy !== undefined}>
      <h3 id="media-heading">{t('drives.disc')}</h3>
      {!media ? (
        <p className="muted">{t('drives.reading')}</p>
      ) : (
        <dl className="media-facts" data-testid="media-facts">
          <dt>{t('drives.type')}</dt>
          <dd data-testid="media-profile">{media.status === 'no-disc' ? '—' : media.profile}</dd>
          <dt>{t('drives.status')}</dt>
          <dd data-testid="media-status">{t(statusKey(media))}</dd>
          {media.status !== 'no-disc' && (
            <>
              <dt>{t('drives.used')}</dt>
              <dd>{formatBytes(blocksToBytes(media.usedBlocks))}</dd>
              {!pressed && (
                <>
                  <dt>{t('drives.free')}</dt>
                  <dd data-testid="media-free">{formatBytes(blocksToBytes(media.freeBlocks))}</dd>
                </>
              )}
              <dt>{t('drives.sessions')}</dt>
              <dd>{media.sessions}</dd>
              {!pressed && media.writeSpeeds.length > 0 && (
                <>
                  <dt>{t('drives.writeSpeeds')}</dt>
                  <dd>{[...new Set(media.writeSpeeds.map((s) => formatSpeed(s, media.profile)))].join(', ')}</dd>
                </>
              )}
              {media.atip && (
                <>
                  <dt>{t('drives.manufacturer')}</dt>
                  <dd>{media.atip.manufacturer}</dd>
                </>
              )}
            </>
          )}
        </dl>
      )}
      <div className="button-row compact">
        <button type="button" onClick={() => void refresh(drive.address)} disabled={busy !== undefined}>
          {t('drives.refresh')}
        </button>
        {drive.capabilities.canEject && (
          <>
            <button type="button" onClick={() => void eject(drive.address)} disabled={busy !== undefined}>
              {t('drives.eject')}
            </button>
            <button type="button" onClick={() => void load(drive.address)} disabled={busy !== undefined}>
              {t('drives.closeTray')}
            </button>
          </>
        )}
      </div>
    </section>
  );
}
