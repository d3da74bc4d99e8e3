import { useState, type DragEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { HOST_PATHS_MIME, readPaths } from '../../shared/drag';
import { formatMinutes } from '../../store/audio-slice';
import { AUDIO_TRACKS_MIME, dropOsAudioFiles, readTrackIds } from './audio-drop';

/** "3:25.40": minutes, seconds and hundredths (a CD frame is 1/75 s). */
export function formatTrackLength(samples: number): string {
  const cs = Math.round(samples / 441);
  return `${Math.floor(cs / 6000)}:${String(Math.floor(cs / 100) % 60).padStart(2, '0')}.${String(cs % 100).padStart(2, '0')}`;
}

/**
 * The tracks in playing order, a multi-select listbox. Mouse: click, Ctrl+click, Shift+click; drag
 * rows to reorder, drop files from the file pane or the OS between rows. Keyboard: ↑/↓ (Shift
 * extends), Alt+↑/↓ moves the selected tracks, Delete removes them, Ctrl+A selects all.
 */
export function TrackList() {
  const { t } = useTranslation();
  const audio = useAppStore((s) => s.audio);
  const selection = useAppStore((s) => s.audioSelection);
  const adding = useAppStore((s) => s.audioAdding);
  const select = useAppStore((s) => s.selectAudioTrack);
  const nudge = useAppStore((s) => s.nudgeAudioSelection);
  const move = useAppStore((s) => s.moveAudioTracks);
  const remove = useAppStore((s) => s.removeAudioTracks);
  const add = useAppStore((s) => s.addAudioTracks);
  const [focus, setFocus] = useState(0);
  /** Insertion point shown while dragging: the index a drop inserts before. */
  const [dropAt, setDropAt] = useState<number | undefined>();
  const tracks = audio?.tracks ?? [];
  const disc = audio?.disc;
  const focused = Math.min(focus, Math.max(0, tracks.length - 1));

  const onKeyDown = (ev: KeyboardEvent) => {
    if (!tracks.length) return;
    if (ev.altKey && (ev.key === 'ArrowUp' || ev.key === 'ArrowDown')) {
      const delta = ev.key === 'ArrowUp' ? -1 : 1;
      if (!selection.length) select(tracks[focused].id);
      void nudge(delta).then(() => {
        const ids = useAppStore.getState().audio?.tracks.map((x) => x.id) ?? [];
        const i = ids.indexOf(useAppStore.getState().audioSelection[0]);
        if (i >= 0) setFocus(i);
      });
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp' || ev.key === 'Home' || ev.key === 'End') {
      const to = ev.key === 'Home' ? 0 : ev.key === 'End' ? tracks.length - 1 : focused + (ev.key === 'ArrowDown' ? 1 : -1);
      const i = Math.max(0, Math.min(tracks.length - 1, to));
      setFocus(i);
      select(tracks[i].id, ev.shiftKey ? 'range' : 'single');
    } else if (ev.key === ' ') select(tracks[focused].id, 'toggle');
    else if (ev.key === 'Delete') void remove(selection.length ? selection : [tracks[focused].id]);
    else if (ev.key.toLowerCase() === 'a' && (ev.ctrlKey || ev.metaKey)) useAppStore.setState({ audioSelection: tracks.map((x) => x.id) });
    else return;
    ev.preventDefault();
  };

  const wanted = (ev: DragEvent) => {
    const types = ev.dataTransfer.types;
    return types.includes(AUDIO_TRACKS_MIME) || types.includes(HOST_PATHS_MIME) || types.includes('Files');
  };
  const onRowDragOver = (ev: DragEvent, index: number) => {
    if (!wanted(ev)) return;
    ev.preventDefault();
    ev.stopPropagation();
    const r = (ev.currentTarget as HTMLElement).getBoundingClientRect();
    setDropAt(ev.clientY > r.top + r.height / 2 ? index + 1 : index);
    ev.dataTransfer.dropEffect = ev.dataTransfer.types.includes(AUDIO_TRACKS_MIME) ? 'move' : 'copy';
  };
  const onListDragOver = (ev: DragEvent) => {
    if (!wanted(ev)) return;
    ev.preventDefault();
    setDropAt(tracks.length);
    ev.dataTransfer.dropEffect = ev.dataTransfer.types.includes(AUDIO_TRACKS_MIME) ? 'move' : 'copy';
  };
  const onDrop = (ev: DragEvent) => {
    ev.preventDefault();
    ev.stopPropagation();
    const at = dropAt ?? tracks.length;
    setDropAt(undefined);
    const ids = readTrackIds(ev.dataTransfer);
    if (ids) {
      // The insertion index counts the moving tracks; the list without them is one shorter per moved track above it.
      const above = tracks.slice(0, at).filter((x) => ids.includes(x.id)).length;
      return void move(ids, at - above);
    }
    const host = readPaths(ev.dataTransfer, HOST_PATHS_MIME);
    if (host) return void add(host, at);
    if (ev.dataTransfer.files.length) void dropOsAudioFiles(ev.dataTransfer.files, at);
  };

  return (
    <>
      <div
        className={`vlist track-list${dropAt !== undefined && tracks.length === 0 ? ' drop' : ''}`}
        role="listbox"
        aria-multiselectable="true"
        aria-label={t('audio.tracksList')}
        aria-busy={adding > 0}
        tabIndex={0}
        aria-activedescendant={tracks[focused] ? `track-${tracks[focused].id}` : undefined}
        onKeyDown={onKeyDown}
        onDragOver={onListDragOver}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropAt(undefined);
        }}
        onDrop={onDrop}
        data-testid="audio-tracks"
      >
        {tracks.length === 0 && <p className="muted pad">{adding ? t('audio.adding', { count: adding }) : t('audio.empty')}</p>}
        {tracks.map((x, i) => {
          const selected = selection.includes(x.id);
          // The pause the layout gives (audio-project-service.ts): the track's own, else the disc's; track 1 at least 2 s.
          const byDisc = disc?.gapless ? 0 : (disc?.pregapSeconds ?? 2);
          const pause = x.pregapSeconds ?? (i === 0 ? Math.max(2, byDisc) : byDisc);
          return (
            <div
              key={x.id}
              id={`track-${x.id}`}
              role="option"
              aria-selected={selected}
              className={`track-row${selected ? ' selected' : ''}${i === focused ? ' focused' : ''}${dropAt === i ? ' drop-before' : ''}${dropAt === i + 1 && i === tracks.length - 1 ? ' drop-after' : ''}`}
              draggable
              onDragStart={(ev) => {
                const ids = selected ? tracks.filter((y) => selection.includes(y.id)).map((y) => y.id) : [x.id];
                if (!selected) select(x.id);
                ev.dataTransfer.setData(AUDIO_TRACKS_MIME, JSON.stringify(ids));
                ev.dataTransfer.effectAllowed = 'move';
              }}
              onDragEnd={() => setDropAt(undefined)}
              onDragOver={(ev) => onRowDragOver(ev, i)}
              onDrop={onDrop}
              onClick={(ev) => {
                setFocus(i);
                select(x.id, ev.shiftKey ? 'range' : ev.ctrlKey || ev.metaKey ? 'toggle' : 'single');
              }}
              data-testid="track-row"
            >
              <span className="track-no">{i + 1}</span>
              <span className="track-title">
                <span className="name" data-testid="track-title">{x.text.title || x.fileName}</span>
                <span className="muted small">{x.text.performer ?? ''}</span>
              </span>
              <span className="track-pause muted small" title={t('audio.pause')}>
                {pause > 0 ? `+${pause.toFixed(pause % 1 ? 2 : 0)} s` : '⟷'}
              </span>
              <span className="track-length" data-testid="track-length">
                {formatTrackLength(x.samples)}
              </span>
            </div>
          );
        })}
      </div>
      {tracks.length > 0 && (
        <p className="muted small track-total" data-testid="audio-summary">
          {t('audio.summary', { count: tracks.length, time: formatMinutes(audio?.summary.seconds ?? 0) })}
          {audio?.summary.problem && <span className="error"> · {audio.summary.problem}</span>}
        </p>
      )}
    </>
  );
}
