import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DriveInfo } from '../../../../src-main/common/model/drive';
import { useAppStore } from '../../store';
import { MediaDetails } from './MediaDetails';
import { AddNetworkDrive } from './AddNetworkDrive';
import { sentence } from '../../store/errors';

/** The drive list (a keyboard-navigable listbox) and the selected drive's media. */
/** "Vendor Model", with the address added when two drives share a model (so they can be told apart). */
export function driveName(d: DriveInfo, all: DriveInfo[]): string {
  const base = `${d.vendor} ${d.model}`.trim() || d.address;
  const twins = all.filter((o) => o.vendor === d.vendor && o.model === d.model).length > 1;
  return twins ? `${base} (${d.address.replace(/^virtual:/, '')})` : base;
}

export function DrivePanel() {
  const { t } = useTranslation();
  const drives = useAppStore((s) => s.drives);
  const loaded = useAppStore((s) => s.drivesLoaded);
  const selected = useAppStore((s) => s.selectedAddress);
  const selectDrive = useAppStore((s) => s.selectDrive);
  const loadDrives = useAppStore((s) => s.loadDrives);
  const error = useAppStore((s) => s.deviceError);
  const listRef = useRef<HTMLUListElement>(null);
  const media = useAppStore((s) => s.media);
  const driveBusy = useAppStore((s) => s.driveBusy);

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
    <section className="panel drive-panel" aria-labelledby="drives-heading">
      <h2 id="drives-heading">{t('drives.heading')}</h2>
      {!loaded && <p className="muted">{t('drives.looking')}</p>}
      {loaded && drives.length === 0 && <p className="muted">{t('drives.none')}</p>}
      {drives.length > 0 && (
        <ul
          ref={listRef}
          className="drive-list"
          role="listbox"
          aria-label={t('drives.heading')}
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
              <span className="drive-name">{driveName(d, drives)}</span>
              <span className="drive-address">
                {d.address}
                <span className={`badge badge-${d.kind}`}>{d.kind}</span>
                {driveBusy[d.address] && (
                  <span className="badge badge-busy" data-testid="drive-busy" title={t('burn.busyWith', { job: t(`burn.busyJob_${driveBusy[d.address]}`) })}>
                    {t('burn.busy')}
                  </span>
                )}
              </span>
              {media[d.address] && media[d.address].status !== 'no-disc' && <span className="drive-media">{media[d.address].profile}</span>}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {sentence(error)}
        </p>
      )}
      {drive && <MediaDetails drive={drive} />}
      <AddNetworkDrive />
    </section>
  );
}

function cssId(address: string): string {
  return address.replace(/[^A-Za-z0-9_-]/g, '_');
}
