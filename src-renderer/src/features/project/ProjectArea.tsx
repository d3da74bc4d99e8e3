import { useEffect, useState } from 'react';
import { useAppStore } from '../../store';
import { shell } from '../../ipc/client';
import { blocksToBytes, formatBytes } from '../../shared/format';
import { ImageBar } from './ImageBar';

const PROJECT_KINDS = [
  { id: 'data', label: 'Data disc' },
  { id: 'audio', label: 'Audio CD' },
  { id: 'bootable', label: 'Bootable disc' },
  { id: 'multisession', label: 'Add to a disc' },
] as const;

/** The compilation being prepared, and how it fits on the disc in the selected drive. */
export function ProjectArea() {
  const [kind, setKind] = useState<(typeof PROJECT_KINDS)[number]['id']>('data');
  const media = useAppStore((s) => (s.selectedAddress ? s.media[s.selectedAddress] : undefined));
  const project = useAppStore((s) => s.project);
  const error = useAppStore((s) => s.projectError);
  const loadProject = useAppStore((s) => s.loadProject);
  const addFromDialog = useAppStore((s) => s.addFromDialog);
  const removeEntry = useAppStore((s) => s.removeEntry);
  const clearProject = useAppStore((s) => s.clearProject);

  useEffect(() => {
    void loadProject();
  }, [loadProject]);

  const projectBytes = project?.totalBytes ?? 0;
  const freeBytes = media && media.status !== 'no-disc' ? blocksToBytes(media.freeBlocks) : 0;
  const over = freeBytes > 0 && projectBytes > freeBytes;
  const canPick = shell === 'electron';
  const busy = project?.busy ?? false;

  return (
    <section className="panel project-area" aria-labelledby="project-heading">
      <div className="project-header">
        <h2 id="project-heading">Project</h2>
        <div className="segmented" role="radiogroup" aria-label="Project type">
          {PROJECT_KINDS.map((k) => (
            <button key={k.id} type="button" role="radio" aria-checked={kind === k.id} className={kind === k.id ? 'active' : undefined} onClick={() => setKind(k.id)}>
              {k.label}
            </button>
          ))}
        </div>
      </div>
      <div className="button-row">
        <button type="button" onClick={() => void addFromDialog(false)} disabled={!canPick || busy}>
          Add files…
        </button>
        <button type="button" onClick={() => void addFromDialog(true)} disabled={!canPick || busy}>
          Add folder…
        </button>
        <button type="button" onClick={() => void clearProject()} disabled={busy || !project?.entries.length}>
          Clear
        </button>
      </div>
      {!canPick && (
        <p className="muted" data-testid="browser-hint">
          Adding files uses the desktop app's file dialogs. In the browser, build images from a terminal with <code>glassmaster image</code>.
        </p>
      )}
      <div className="compilation" data-testid="compilation">
        {!project?.entries.length ? (
          <p className="muted">The compilation is empty.</p>
        ) : (
          <table className="entries">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {project.entries.map((e) => (
                <tr key={e.name}>
                  <td>
                    {e.kind === 'dir' ? '📁 ' : ''}
                    {e.name}
                    {e.kind === 'dir' && <span className="muted"> ({e.descendants} items)</span>}
                  </td>
                  <td>{formatBytes(e.bytes)}</td>
                  <td>
                    <button type="button" onClick={() => void removeEntry(e.name)} disabled={busy} aria-label={`Remove ${e.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="capacity" aria-label="Disc capacity">
        <div className={`capacity-bar${over ? ' over' : ''}`} role="meter" aria-valuemin={0} aria-valuemax={Math.max(freeBytes, 1)} aria-valuenow={projectBytes} aria-label="Space used by the project">
          <div className="capacity-fill" style={{ width: freeBytes ? `${Math.min(100, (projectBytes / freeBytes) * 100)}%` : '0%' }} />
        </div>
        <span className={over ? 'error' : 'muted'}>
          {formatBytes(projectBytes)} of {media && media.status !== 'no-disc' ? `${formatBytes(freeBytes)} free` : 'no writable disc'}
        </span>
      </div>
      <ImageBar />
    </section>
  );
}
