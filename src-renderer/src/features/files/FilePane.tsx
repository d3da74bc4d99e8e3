import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { formatBytes, formatDate } from '../../shared/format';
import { HOST_PATHS_MIME } from '../../shared/drag';

const ROW = 30;

/**
 * K3b's left pane: the host's folders as main lists them; drag or add entries into the project.
 * `onAdd` replaces "add to the data project" (the audio project adds tracks); `onActivateFile` is
 * what a double-click or Enter on a file does (the audio project adds it).
 */
export function FilePane({ onOpenProject, onAdd, onActivateFile, addLabel }: { onOpenProject?: (path: string) => void; onAdd?: (paths: string[]) => void; onActivateFile?: (path: string) => void; addLabel?: string }) {
  const { t } = useTranslation();
  const places = useAppStore((s) => s.places);
  const listing = useAppStore((s) => s.listing);
  const showHidden = useAppStore((s) => s.showHidden);
  const sort = useAppStore((s) => s.sort);
  const descending = useAppStore((s) => s.descending);
  const selection = useAppStore((s) => s.hostSelection);
  const loadPlaces = useAppStore((s) => s.loadPlaces);
  const openFolder = useAppStore((s) => s.openFolder);
  const setShowHidden = useAppStore((s) => s.setShowHidden);
  const setSort = useAppStore((s) => s.setSort);
  const selectHost = useAppStore((s) => s.selectHost);
  const addHostPaths = useAppStore((s) => s.addHostPaths);
  const busy = useAppStore((s) => s.project?.busy ?? false);
  const [focus, setFocus] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const entries = listing?.entries ?? [];
  // The virtualizer's functions change with every scroll by design; these components are not memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: entries.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 12, useFlushSync: false });

  useEffect(() => {
    void loadPlaces();
  }, [loadPlaces]);
  useEffect(() => setFocus(0), [listing?.path]);

  const activate = (i: number) => {
    const e = entries[i];
    if (!e) return;
    if (e.kind === 'dir') void openFolder(e.path);
    else if (e.name.endsWith('.glassmaster') && onOpenProject) onOpenProject(e.path);
    else if (onActivateFile) onActivateFile(e.path);
  };
  const add = () => {
    if (!selection.length) return;
    if (onAdd) onAdd(selection);
    else void addHostPaths(selection);
  };
  const onKeyDown = (ev: KeyboardEvent) => {
    const move = (to: number) => {
      const i = Math.max(0, Math.min(entries.length - 1, to));
      setFocus(i);
      selectHost(entries[i].path, ev.shiftKey ? 'range' : ev.ctrlKey || ev.metaKey ? 'toggle' : 'single');
      virtualizer.scrollToIndex(i);
    };
    if (!entries.length) return;
    if (ev.key === 'ArrowDown') move(focus + 1);
    else if (ev.key === 'ArrowUp' && ev.altKey) {
      if (listing?.parent) void openFolder(listing.parent);
    } else if (ev.key === 'ArrowUp') move(focus - 1);
    else if (ev.key === 'Home') move(0);
    else if (ev.key === 'End') move(entries.length - 1);
    else if (ev.key === 'PageDown') move(focus + 10);
    else if (ev.key === 'PageUp') move(focus - 10);
    else if (ev.key === 'Insert' || (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey))) add();
    else if (ev.key === 'Enter') activate(focus);
    else if (ev.key === 'Backspace') {
      if (listing?.parent) void openFolder(listing.parent);
    } else if (ev.key === ' ') selectHost(entries[focus].path, 'toggle');
    else return;
    ev.preventDefault();
  };

  return (
    <section className="panel file-pane" aria-labelledby="files-heading">
      <h2 id="files-heading">{t('files.heading')}</h2>
      <div className="file-toolbar">
        <select aria-label={t('files.places')} value="" onChange={(e) => e.target.value && void openFolder(e.target.value)}>
          <option value="">{t('files.places')}…</option>
          {places.map((p) => (
            <option key={`${p.kind}:${p.path}`} value={p.path}>
              {t(`files.place_${p.kind}`)}: {p.name}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => listing?.parent && void openFolder(listing.parent)} disabled={!listing?.parent} title="Alt+↑">
          {t('files.up')}
        </button>
        <select aria-label={t('files.sort')} value={`${sort}:${descending ? 'd' : 'a'}`} onChange={(e) => void setSort(e.target.value.split(':')[0] as typeof sort, e.target.value.endsWith(':d'))}>
          {(['name', 'size', 'date'] as const).flatMap((k) => [
            <option key={`${k}a`} value={`${k}:a`}>
              {t('files.sort')} {t(`files.sort_${k}`)} ↑
            </option>,
            <option key={`${k}d`} value={`${k}:d`}>
              {t('files.sort')} {t(`files.sort_${k}`)} ↓
            </option>,
          ])}
        </select>
        <label className="check">
          <input type="checkbox" checked={showHidden} onChange={(e) => void setShowHidden(e.target.checked)} />
          {t('files.showHidden')}
        </label>
      </div>
      <div className="path-bar" data-testid="host-path" title={listing?.path}>
        {listing?.path}
      </div>
      <div
        ref={scrollRef}
        className="vlist"
        role="listbox"
        aria-multiselectable="true"
        aria-label={t('files.list', { path: listing?.path ?? '' })}
        tabIndex={0}
        aria-activedescendant={entries[focus] ? `host-${focus}` : undefined}
        onKeyDown={onKeyDown}
        data-testid="host-list"
      >
        {entries.length === 0 && <p className="muted pad">{t('files.empty')}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const e = entries[v.index];
            const selected = selection.includes(e.path);
            return (
              <div
                key={e.path}
                id={`host-${v.index}`}
                role="option"
                aria-selected={selected}
                className={`vrow${selected ? ' selected' : ''}${v.index === focus ? ' focused' : ''}`}
                style={{ transform: `translateY(${v.start}px)`, height: ROW }}
                draggable
                onDragStart={(ev) => {
                  const paths = selected ? selection : [e.path];
                  if (!selected) selectHost(e.path);
                  ev.dataTransfer.setData(HOST_PATHS_MIME, JSON.stringify(paths));
                  ev.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={(ev) => {
                  setFocus(v.index);
                  selectHost(e.path, ev.shiftKey ? 'range' : ev.ctrlKey || ev.metaKey ? 'toggle' : 'single');
                }}
                onDoubleClick={() => activate(v.index)}
              >
                <span className={`icon icon-${e.kind}`} aria-hidden="true" />
                <span className="name">{e.name}</span>
                <span className="size">{e.kind === 'dir' ? '' : formatBytes(e.size)}</span>
                <span className="date">{e.mtimeMs ? formatDate(e.mtimeMs) : ''}</span>
              </div>
            );
          })}
        </div>
      </div>
      {listing?.truncated && <p className="muted">{t('files.truncated', { shown: listing.entries.length, total: listing.total })}</p>}
      <div className="button-row">
        <button type="button" className="primary-soft" onClick={add} disabled={!selection.length || busy} title={t('files.addHint')}>
          {addLabel ?? t('files.add')} →
        </button>
        {onOpenProject && selection.length === 1 && selection[0].endsWith('.glassmaster') && (
          <button type="button" onClick={() => onOpenProject(selection[0])}>
            {t('files.openProject')}
          </button>
        )}
      </div>
    </section>
  );
}
