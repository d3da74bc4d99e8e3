import { useAppStore } from '../../store';
import { shell } from '../../ipc/client';
import { formatBytes } from '../../shared/format';

/** "Create image…": writes the project to an ISO file, with progress and cancel. */
export function ImageBar() {
  const project = useAppStore((s) => s.project);
  const progress = useAppStore((s) => s.imageProgress);
  const lastImage = useAppStore((s) => s.lastImage);
  const writeImage = useAppStore((s) => s.writeImage);
  const cancelWrite = useAppStore((s) => s.cancelWrite);
  const busy = project?.busy ?? false;
  const fraction = progress && progress.totalBytes ? progress.bytesWritten / progress.totalBytes : undefined;

  return (
    <div className="image-bar">
      {busy ? (
        <>
          <progress max={1} value={fraction} aria-label="Image progress" />
          <span className="muted" role="status">
            {progress?.phase === 'writing' ? `${formatBytes(progress.bytesWritten)} of ${formatBytes(progress.totalBytes)}` : 'Laying out the image…'}
          </span>
          <button type="button" onClick={cancelWrite}>
            Cancel
          </button>
        </>
      ) : (
        <>
          <button type="button" onClick={() => void writeImage()} disabled={shell !== 'electron' || !project?.entries.length}>
            Create image…
          </button>
          {lastImage && (
            <span className="muted" role="status">
              Image written: {formatBytes(lastImage.bytes)}
            </span>
          )}
        </>
      )}
    </div>
  );
}
