import { useAppStore } from '../../store';

/** Burn button and progress area. Burning is enabled once a project and a writable disc exist. */
export function BurnBar() {
  const media = useAppStore((s) => (s.selectedAddress ? s.media[s.selectedAddress] : undefined));
  const hasFiles = useAppStore((s) => (s.project?.entries.length ?? 0) > 0);
  const writable = media && (media.status === 'blank' || media.status === 'appendable');
  const reason = !media || media.status === 'no-disc'
    ? 'Insert a writable disc'
    : !writable
      ? 'The disc is closed'
      : !hasFiles
        ? 'Add files to the project first'
        : 'Burning to a drive is not available yet: create an image file instead';

  return (
    <footer className="panel burn-bar" aria-label="Burn">
      <div className="progress" role="status" aria-live="polite" data-testid="burn-status">
        {reason}
      </div>
      <button type="button" className="primary" disabled aria-describedby="burn-reason">
        Burn
      </button>
      <span id="burn-reason" className="visually-hidden">
        {reason}
      </span>
    </footer>
  );
}
