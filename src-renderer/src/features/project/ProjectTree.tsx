import { memo, useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { formatBytes } from '../../shared/format';
import { HOST_PATHS_MIME, PROJECT_PATHS_MIME, readPaths } from '../../shared/drag';
import { dropOsItems, grabDrop } from './os-drop';
import type { ProjectEntry } from '../../../../src-main/common/model/project';

const ROW = 30;
/**
 * Rows are keyed by slot (index modulo this, more than the rows ever on screen with overscan), not
 * by entry: a jump through the list gives the slots new entries and React updates those DOM
 * nodes in place (text and transform) instead of removing every row and creating new ones, and a
 * row whose page arrives is the same element before and after (a double click is not split
 * between a placeholder and its replacement).
 */
const ROW_SLOTS = 256;
/** Module-level: the virtualizer recomputes every row's measurement when getItemKey changes identity. */
const slotKey = (index: number) => index % ROW_SLOTS;
/** Rows rendered beyond the visible ones on each side (PageUp/PageDown move 15). */
const OVERSCAN = 10;

/** The row index under a DOM event's target (rows carry data-index), if any. */
function rowIndexOf(target: EventTarget): number | undefined {
  const row = (target as Element).closest?.<HTMLElement>('.vrow[data-index]');
  return row ? Number(row.dataset.index) : undefined;
}

function parentOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  parts.pop();
  return '/' + parts.join('/');
}

/**
 * The project folder being viewed, as a virtualized listbox (100,000 children scroll without
 * rendering them all; rows are fetched from main a page at a time). Keyboard: arrows (Shift
 * extends, Ctrl moves focus only, Space toggles), Enter opens a folder, Backspace goes up, F2
 * renames, Delete removes, Ctrl+A selects all. Drops: host paths from the file pane, project rows
 * (move), files from the OS.
 */
export function ProjectTree() {
  const { t } = useTranslation();
  const folder = useAppStore((s) => s.folder);
  const total = useAppStore((s) => s.folderTotal);
  const pages = useAppStore((s) => s.pages);
  const selection = useAppStore((s) => s.selection);
  const busy = useAppStore((s) => s.project?.busy ?? false);
  const ensureRows = useAppStore((s) => s.ensureRows);
  const rowAt = useAppStore((s) => s.rowAt);
  const select = useAppStore((s) => s.select);
  const selectAll = useAppStore((s) => s.selectAll);
  const openProjectFolder = useAppStore((s) => s.openProjectFolder);
  const rename = useAppStore((s) => s.rename);
  const move = useAppStore((s) => s.move);
  const deleteSelected = useAppStore((s) => s.deleteSelected);
  const addHostPaths = useAppStore((s) => s.addHostPaths);
  const [focus, setFocus] = useState(0);
  const [editing, setEditing] = useState<string | undefined>();
  const [dropTarget, setDropTarget] = useState<string | undefined>();
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change with every scroll by design; these components are not memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: OVERSCAN, useFlushSync: false, getItemKey: slotKey });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (total) void ensureRows(first, last);
  }, [first, last, total, pages, ensureRows]);
  useEffect(() => setFocus(0), [folder]);
  // A preflight finding revealed an entry: focus and show its row.
  const revealed = useAppStore((s) => s.revealed);
  useEffect(() => {
    if (!revealed) return;
    setFocus(revealed.index);
    virtualizer.scrollToIndex(revealed.index, { align: 'center' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealed?.seq]);

  const onKeyDown = (ev: KeyboardEvent) => {
    if (editing) return;
    const moveFocus = (to: number) => {
      const i = Math.max(0, Math.min(total - 1, to));
      setFocus(i);
      if (!ev.ctrlKey && !ev.metaKey) select(i, ev.shiftKey ? 'range' : 'single');
      virtualizer.scrollToIndex(i);
    };
    const row = rowAt(focus);
    if (ev.key === 'ArrowDown') moveFocus(focus + 1);
    else if (ev.key === 'ArrowUp') moveFocus(focus - 1);
    else if (ev.key === 'Home') moveFocus(0);
    else if (ev.key === 'End') moveFocus(total - 1);
    else if (ev.key === 'PageDown') moveFocus(focus + 15);
    else if (ev.key === 'PageUp') moveFocus(focus - 15);
    else if (ev.key === ' ') select(focus, 'toggle');
    else if (ev.key === 'Enter' && row?.kind === 'dir') void openProjectFolder(row.path);
    else if (ev.key === 'Backspace' && folder !== '/') void openProjectFolder(parentOf(folder));
    else if (ev.key === 'F2' && row) setEditing(row.path);
    else if (ev.key === 'Delete') void deleteSelected();
    else if (ev.key.toLowerCase() === 'a' && (ev.ctrlKey || ev.metaKey)) void selectAll();
    else return;
    ev.preventDefault();
  };

  const onDragOver = (ev: DragEvent, into: string) => {
    const types = ev.dataTransfer.types;
    if (busy || !(types.includes(HOST_PATHS_MIME) || types.includes(PROJECT_PATHS_MIME) || types.includes('Files'))) return;
    ev.preventDefault();
    ev.stopPropagation();
    ev.dataTransfer.dropEffect = types.includes(PROJECT_PATHS_MIME) ? 'move' : 'copy';
    setDropTarget(into);
  };
  const onDrop = (ev: DragEvent, into: string) => {
    ev.preventDefault();
    ev.stopPropagation();
    setDropTarget(undefined);
    const host = readPaths(ev.dataTransfer, HOST_PATHS_MIME);
    if (host) return void addHostPaths(host, into);
    const moved = readPaths(ev.dataTransfer, PROJECT_PATHS_MIME);
    if (moved) return void move(moved, into);
    if (ev.dataTransfer.files.length) void dropOsItems(grabDrop(ev.dataTransfer), into);
  };

  // Row events are handled here, once for the list: rows are memoized and get no closures.
  const selected = useMemo(() => new Set(selection), [selection]);
  const dropInto = (ev: DragEvent) => {
    const index = rowIndexOf(ev.target);
    const e = index === undefined ? undefined : rowAt(index);
    return e?.kind === 'dir' ? e.path : folder;
  };
  const onRowClick = (ev: MouseEvent) => {
    const index = rowIndexOf(ev.target);
    if (index === undefined) return;
    setFocus(index);
    select(index, ev.shiftKey ? 'range' : ev.ctrlKey || ev.metaKey ? 'toggle' : 'single');
  };
  const onRowDoubleClick = (ev: MouseEvent) => {
    const index = rowIndexOf(ev.target);
    const e = index === undefined ? undefined : rowAt(index);
    if (e?.kind === 'dir') void openProjectFolder(e.path);
  };
  const onRowDragStart = (ev: DragEvent) => {
    const index = rowIndexOf(ev.target);
    const e = index === undefined ? undefined : rowAt(index);
    if (!e) return;
    ev.dataTransfer.setData(PROJECT_PATHS_MIME, JSON.stringify(selected.has(e.path) ? selection : [e.path]));
    ev.dataTransfer.effectAllowed = 'move';
  };
  const endRename = useCallback(
    (entry: ProjectEntry, name: string | undefined) => {
      setEditing(undefined);
      if (name && name !== entry.name) void rename(entry.path, name);
      if (name !== undefined) scrollRef.current?.focus();
    },
    [rename],
  );

  const crumbs = folder.split('/').filter(Boolean);
  return (
    <div className="project-tree">
      <nav className="crumbs" aria-label={t('project.tree', { path: folder })}>
        {[t('project.root'), ...crumbs].map((c, i) => {
          const path = '/' + crumbs.slice(0, i).join('/');
          return (
            <span key={path}>
              {i > 0 && <span aria-hidden="true"> › </span>}
              <button
                type="button"
                className={`crumb${dropTarget === path ? ' drop' : ''}`}
                aria-current={path === folder ? 'location' : undefined}
                onClick={() => void openProjectFolder(path)}
                onDragOver={(e) => onDragOver(e, path)}
                onDragLeave={() => setDropTarget(undefined)}
                onDrop={(e) => onDrop(e, path)}
              >
                {c}
              </button>
            </span>
          );
        })}
      </nav>
      <div
        ref={scrollRef}
        className={`vlist compilation${dropTarget === folder ? ' drop' : ''}`}
        role="listbox"
        aria-multiselectable="true"
        aria-label={t('project.tree', { path: folder })}
        tabIndex={0}
        aria-activedescendant={total ? `proj-${focus}` : undefined}
        onKeyDown={onKeyDown}
        onDragOver={(e) => onDragOver(e, dropInto(e))}
        onDragLeave={() => setDropTarget(undefined)}
        onDrop={(e) => onDrop(e, dropInto(e))}
        onClick={onRowClick}
        onDoubleClick={onRowDoubleClick}
        onDragStart={onRowDragStart}
        data-testid="compilation"
      >
        {total === 0 && <p className="muted pad">{t('project.empty')}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const e = rowAt(v.index);
            return (
              <Row
                key={v.key}
                index={v.index}
                start={v.start}
                entry={e}
                selected={!!e && selected.has(e.path)}
                focused={v.index === focus}
                drop={!!e && dropTarget === e.path}
                editing={!!e && editing === e.path}
                draggable={!!e && !busy}
                onRenameEnd={endRename}
              />
            );
          })}
        </div>
      </div>
      <div className="button-row">
        <button
          type="button"
          onClick={() => selection.length === 1 && setEditing(selection[0])}
          disabled={selection.length !== 1 || busy}
          title="F2"
        >
          {t('project.rename')}
        </button>
        <button type="button" onClick={() => void deleteSelected()} disabled={!selection.length || busy} title="Delete">
          {t('project.remove')}
        </button>
      </div>
    </div>
  );
}

interface RowProps {
  index: number;
  start: number;
  /** Undefined while its page is being fetched. */
  entry: ProjectEntry | undefined;
  selected: boolean;
  focused: boolean;
  drop: boolean;
  editing: boolean;
  draggable: boolean;
  /** The rename field closed: with the typed name (Enter) or undefined (Escape, blur). */
  onRenameEnd: (entry: ProjectEntry, name: string | undefined) => void;
}

/** One row of the project list; re-renders only when its own props change. */
const Row = memo(function Row({ index, start, entry: e, selected, focused, drop, editing, draggable, onRenameEnd }: RowProps) {
  const { t } = useTranslation();
  return (
    <div
      id={`proj-${index}`}
      data-index={index}
      role="option"
      aria-selected={selected}
      className={`vrow${selected ? ' selected' : ''}${focused ? ' focused' : ''}${drop ? ' drop' : ''}`}
      style={{ transform: `translateY(${start}px)`, height: ROW }}
      draggable={draggable}
    >
      {!e ? (
        <span className="muted">…</span>
      ) : (
        <>
          <span className={`icon icon-${e.kind}`} aria-hidden="true" />
          {editing ? (
            <input
              className="rename"
              aria-label={t('project.rename')}
              defaultValue={e.name}
              autoFocus
              onFocus={(ev) => ev.target.select()}
              onClick={(ev) => ev.stopPropagation()}
              onDoubleClick={(ev) => ev.stopPropagation()}
              onKeyDown={(ev) => {
                ev.stopPropagation();
                if (ev.key === 'Enter') onRenameEnd(e, ev.currentTarget.value.trim());
                else if (ev.key === 'Escape') onRenameEnd(e, '');
              }}
              onBlur={() => onRenameEnd(e, undefined)}
            />
          ) : (
            <span className="name">{e.name}</span>
          )}
          <span className="size">{formatBytes(e.bytes)}</span>
          <span className="date">{e.kind === 'dir' ? t('project.items', { count: e.descendants }) : ''}</span>
        </>
      )}
    </div>
  );
});
