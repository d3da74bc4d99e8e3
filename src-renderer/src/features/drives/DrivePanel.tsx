import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useAppStore } from '../../store';
import { MediaDetails } from './MediaDetails';

/** The drive list (a keyboard-navigable listbox) and the selected drive's media. */
export function DrivePanel() {
  const drives = useAppStore((s) => s.drives);
  const loaded = useAppStore((s) => s.drivesLoaded);
  const selected = useAppStore((s) => s.selectedAddress);
  const selectDrive = useAppStore((s) => s.selectDrive);
  const loadDrives = useAppStore((s) => s.loadDrives);
  const error = useAppStore((s) => s.deviceError);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    void loadDrives();
  }, [loadDrives]);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const index = drives.findIndex((d) => d.address === selected);
    const next = e.key === 'ArrowDown' ? index + 1 : e.key === 'ArrowUp' ? index - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? drives.length - 1 : undefined;
    if (next === undefined || drives.length === 0) return;
    e.preventDefault();
    selectDrive(drives[Math.max(0, Math.min(drives.length - 1, next))].address);
  };

  const drive = drives.find((d) => d.address === selected);
  return (
    <aside className="panel drive-panel" aria-labelledby="drives-heading">
      <h2 id="drives-heading">Drives</h2>
      {!loaded && <p className="muted">Looking for drives…</p>}
      {loaded && drives.length === 0 && <p className="muted">No drives found.</p>}
      {drives.length > 0 && (
        <ul
          ref={listRef}
          className="drive-list"
          role="listbox"
          aria-label="Drives"
          tabIndex={0}
          aria-activedescendant={selected ? `drive-${cssId(selected)}` : undefined}
          onKeyDown={onKeyDown}
        >
          {drives.map((d) => (
            <li
              key={d.address}
              id={`drive-${cssId(d.address)}`}
              role="option"
              aria-selected={d.address === selected}
              className={d.address === selected ? 'selected' : undefined}
              onClick={() => selectDrive(d.address)}
            >
              <span className="drive-name">
                {d.vendor} {d.model}
              </span>
              <span className="drive-address">
                {d.address}
                <span className={`badge badge-${d.kind}`}>{d.kind}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {drive && <MediaDetails drive={drive} />}
    </aside>
  );
}

function cssId(address: string): string {
  return address.replace(/[^A-Za-z0-9_-]/g, '_');
}
