import type { DriveInfo } from '../../../../src-main/common/model/drive';
import { useAppStore } from '../../store';
import { blocksToBytes, describeStatus, formatBytes } from '../../shared/format';

export function MediaDetails({ drive }: { drive: DriveInfo }) {
  const media = useAppStore((s) => s.media[drive.address]);
  const busy = useAppStore((s) => s.busy[drive.address]);
  const eject = useAppStore((s) => s.eject);
  const load = useAppStore((s) => s.load);
  const refresh = useAppStore((s) => s.refreshMedia);

  return (
    <section className="media" aria-labelledby="media-heading" aria-busy={busy !== undefined}>
      <h3 id="media-heading">Disc</h3>
      {!media ? (
        <p className="muted">Reading disc…</p>
      ) : (
        <dl className="media-facts" data-testid="media-facts">
          <dt>Type</dt>
          <dd data-testid="media-profile">{media.status === 'no-disc' ? '—' : media.profile}</dd>
          <dt>Status</dt>
          <dd data-testid="media-status">{describeStatus(media)}</dd>
          {media.status !== 'no-disc' && (
            <>
              <dt>Used</dt>
              <dd>{formatBytes(blocksToBytes(media.usedBlocks))}</dd>
              <dt>Free</dt>
              <dd>{formatBytes(blocksToBytes(media.freeBlocks))}</dd>
              <dt>Sessions</dt>
              <dd>{media.sessions}</dd>
              {media.writeSpeeds.length > 0 && (
                <>
                  <dt>Write speeds</dt>
                  <dd>{media.writeSpeeds.map((s) => `${Math.round(s)} kB/s`).join(', ')}</dd>
                </>
              )}
              {media.atip && (
                <>
                  <dt>Manufacturer</dt>
                  <dd>{media.atip.manufacturer}</dd>
                </>
              )}
            </>
          )}
        </dl>
      )}
      <div className="button-row">
        <button type="button" onClick={() => void refresh(drive.address)} disabled={busy !== undefined}>
          Refresh
        </button>
        {drive.capabilities.canEject && (
          <>
            <button type="button" onClick={() => void eject(drive.address)} disabled={busy !== undefined}>
              Eject
            </button>
            <button type="button" onClick={() => void load(drive.address)} disabled={busy !== undefined}>
              Close tray
            </button>
          </>
        )}
      </div>
    </section>
  );
}
