import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { DrivePanel } from '../drives/DrivePanel';
import { FilePane } from '../files/FilePane';
import { formatBytes } from '../../shared/format';
import { TrackList } from './TrackList';
import { TrackEditor } from './TrackEditor';
import { DiscPanel } from './DiscPanel';
import { MinutesMeter } from './MinutesMeter';
import { BoundaryPreview } from './BoundaryPreview';
import './audio.css';

type Form = 'save' | 'cue' | undefined;

/** Audio CD: drives and the disc's settings, the host's files, and the track list with its editor (K3b's layout). */
export function AudioView() {
  const [form, setForm] = useState<Form>();
  const openProject = useAppStore((s) => s.openProject);
  const addAudioTracks = useAppStore((s) => s.addAudioTracks);
  const { t } = useTranslation();

  // Shortcuts: Ctrl+S save, Ctrl+O open the selected project file in the file pane.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const s = useAppStore.getState();
      const key = e.key.toLowerCase();
      if (key === 's') setForm('save');
      else if (key === 'o' && s.hostSelection.length === 1 && s.hostSelection[0].endsWith('.glassmaster')) void s.openProject(s.hostSelection[0]);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="view view-audio">
      <div className="side-column">
        <DrivePanel />
        <DiscPanel />
      </div>
      <FilePane onOpenProject={(p) => void openProject(p)} onAdd={(paths) => void addAudioTracks(paths)} onActivateFile={(p) => void addAudioTracks([p])} addLabel={t('files.add')} />
      <AudioProjectPane form={form} setForm={setForm} />
    </div>
  );
}

function AudioProjectPane({ form, setForm }: { form: Form; setForm: (f: Form) => void }) {
  const { t } = useTranslation();
  const audio = useAppStore((s) => s.audio);
  const selection = useAppStore((s) => s.audioSelection);
  const upload = useAppStore((s) => s.upload);
  const remove = useAppStore((s) => s.removeAudioTracks);
  const nudge = useAppStore((s) => s.nudgeAudioSelection);
  const clear = useAppStore((s) => s.clearAudio);
  const openBurnDialog = useAppStore((s) => s.openBurnDialog);
  const empty = !audio || audio.tracks.length === 0;
  const canWrite = !empty && !audio.summary.problem;

  return (
    <section className="panel project-pane audio-pane" aria-labelledby="project-heading">
      <div className="project-header">
        <h2 id="project-heading">{t('project.heading')}</h2>
        <span className="badge">{t('audio.heading')}</span>
        <span className="muted" data-testid="audio-file">
          {audio?.file && `${audio.file.split(/[\\/]/).pop()}${audio.dirty ? ` (${t('audio.unsaved')})` : ''}`}
        </span>
      </div>
      <div className="button-row">
        <button type="button" onClick={() => void nudge(-1)} disabled={!selection.length} title="Alt+↑">
          ↑ {t('audio.moveUp')}
        </button>
        <button type="button" onClick={() => void nudge(1)} disabled={!selection.length} title="Alt+↓">
          ↓ {t('audio.moveDown')}
        </button>
        <button type="button" onClick={() => void remove(selection)} disabled={!selection.length} title="Delete">
          {t('audio.remove')}
        </button>
        <button type="button" onClick={() => void clear()} disabled={empty && !audio?.file}>
          {t('audio.clear')}
        </button>
        <button type="button" onClick={() => setForm('save')} disabled={empty} title="Ctrl+S">
          {t('audio.save')}
        </button>
        <button type="button" onClick={() => setForm('cue')} disabled={!canWrite}>
          {t('audio.saveCueBin')}
        </button>
        <button type="button" className="primary" onClick={() => openBurnDialog({ kind: 'audio' })} disabled={!canWrite} aria-keyshortcuts="Control+B" title={t('burn.shortcut')}>
          {t('audio.burn')}
        </button>
      </div>
      {form && <FileForm kind={form} close={() => setForm(undefined)} />}
      {upload && (
        <div className="upload" role="status" data-testid="upload-progress">
          <progress max={upload.totalBytes || 1} value={upload.sentBytes} />
          <span>{t('project.uploading', { done: formatBytes(upload.sentBytes), total: formatBytes(upload.totalBytes) })}</span>
        </div>
      )}
      <ImageProgress />
      <p className="muted small">{t('audio.keysHint')}</p>
      <TrackList />
      <MinutesMeter />
      <TrackEditor />
      {/* One place, so a selection change does not remount the player (and release its clip). */}
      <BoundaryPreview />
    </section>
  );
}

/** Save the project (.glassmaster) or write CUE/BIN, into the folder the file pane shows (the browser shell has no save dialog). */
function FileForm({ kind, close }: { kind: 'save' | 'cue'; close: () => void }) {
  const { t } = useTranslation();
  const folder = useAppStore((s) => s.listing?.path);
  const audio = useAppStore((s) => s.audio);
  const save = useAppStore((s) => s.saveAudio);
  const write = useAppStore((s) => s.writeAudioImage);
  const [name, setName] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const base = (audio?.disc.album.title || 'audio-cd').replace(/[\\/:*?"<>|]/g, '_');
  if (!folder) return null;
  const submit = async () => {
    const n = name.trim();
    if (!n) return;
    const path = `${folder.replace(/[\\/]$/, '')}/${n}`;
    const ok = kind === 'save' ? await save(path) : await write(/\.cue$/i.test(path) ? path : `${path}.cue`, overwrite);
    if (ok) close();
  };
  return (
    <form
      className="inline-form"
      aria-label={kind === 'save' ? t('audio.saveAs') : t('audio.cueName')}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        {kind === 'save' ? t('audio.saveAs') : t('audio.cueName')}
        <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder={kind === 'save' ? `${base}.glassmaster` : `${base}.cue`} />
      </label>
      <span className="muted">{kind === 'save' ? t('audio.saveIn', { folder }) : t('audio.cueIn', { folder })}</span>
      {kind === 'cue' && (
        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
          {t('audio.cueOverwrite')}
        </label>
      )}
      <button type="submit" disabled={!name.trim()}>
        {kind === 'save' ? t('audio.confirm') : t('audio.cueWrite')}
      </button>
      <button type="button" onClick={close}>
        {t('audio.cancel')}
      </button>
    </form>
  );
}

function ImageProgress() {
  const { t } = useTranslation();
  const p = useAppStore((s) => s.audioImageProgress);
  const done = useAppStore((s) => s.audioImage);
  const cancel = useAppStore((s) => s.cancelAudioImage);
  if (p) {
    const value = p.phase === 'write' ? p.bytesWritten / Math.max(1, p.totalBytes) : p.track / Math.max(1, p.tracks);
    return (
      <div className="image-progress" role="status" data-testid="cue-progress">
        <progress max={1} value={value} />
        <span>{p.phase === 'write' ? t('audio.cueProgress_write') : t('audio.cueProgress_decode', { track: p.track, tracks: p.tracks })}</span>
        <button type="button" onClick={cancel}>
          {t('audio.cancel')}
        </button>
      </div>
    );
  }
  return done ? (
    <p className="ok" data-testid="cue-written">
      {t('audio.cueWritten', { cue: done.cue, bin: done.bin, sectors: done.sectors })}
    </p>
  ) : null;
}
