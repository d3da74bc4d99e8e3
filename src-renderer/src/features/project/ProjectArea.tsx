import { useState } from 'react';
import { useAppStore } from '../../store';
import { blocksToBytes, formatBytes } from '../../shared/format';

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
  const projectBytes = 0;
  const freeBytes = media && media.status !== 'no-disc' ? blocksToBytes(media.freeBlocks) : 0;

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
      <div className="compilation" data-testid="compilation">
        <p className="muted">The compilation is empty.</p>
      </div>
      <div className="capacity" aria-label="Disc capacity">
        <div className="capacity-bar" role="meter" aria-valuemin={0} aria-valuemax={Math.max(freeBytes, 1)} aria-valuenow={projectBytes} aria-label="Space used by the project">
          <div className="capacity-fill" style={{ width: freeBytes ? `${Math.min(100, (projectBytes / freeBytes) * 100)}%` : '0%' }} />
        </div>
        <span className="muted">
          {formatBytes(projectBytes)} of {media && media.status !== 'no-disc' ? `${formatBytes(freeBytes)} free` : 'no writable disc'}
        </span>
      </div>
    </section>
  );
}
