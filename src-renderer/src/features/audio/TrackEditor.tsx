import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { Field } from './Field';

const TEXT_FIELDS = ['title', 'performer', 'songwriter', 'composer', 'arranger', 'message'] as const;

/** The selected track: CD-TEXT (prefilled from its tags), pause before it, ISRC, flags, and the join preview. */
export function TrackEditor() {
  const { t } = useTranslation();
  const audio = useAppStore((s) => s.audio);
  const selection = useAppStore((s) => s.audioSelection);
  const setTrack = useAppStore((s) => s.setAudioTrack);
  const preview = useAppStore((s) => s.previewBoundary);
  const tracks = audio?.tracks ?? [];
  if (selection.length !== 1) {
    return (
      <section className="track-editor" aria-labelledby="track-editor-heading">
        <h3 id="track-editor-heading">{selection.length > 1 ? t('audio.trackMany', { count: selection.length }) : t('audio.trackNone')}</h3>
      </section>
    );
  }
  const index = tracks.findIndex((x) => x.id === selection[0]);
  const track = tracks[index];
  if (!track) return null;
  const n = index + 1;
  return (
    <section className="track-editor" aria-labelledby="track-editor-heading" data-testid="track-editor">
      <h3 id="track-editor-heading">{t('audio.trackHeading', { n, title: track.text.title || track.fileName })}</h3>
      <p className="muted small">{t('audio.fromFile', { file: track.fileName, format: track.format.toUpperCase(), rate: track.sampleRate, channels: track.channels })}</p>
      <div className="field-grid">
        {TEXT_FIELDS.map((f) => (
          <Field key={f} label={t(`audio.${f}`)} value={track.text[f]} maxLength={160} onCommit={(v) => setTrack(track.id, { text: { [f]: v } })} testId={`edit-track-${f}`} />
        ))}
        <Field
          label={t('audio.trackPause')}
          value={track.pregapSeconds === undefined ? '' : String(track.pregapSeconds)}
          inputMode="decimal"
          onCommit={(v) => {
            // Empty: back to the disc's pause (null). Not a number: main's value shows again.
            const s = v.trim() === '' ? null : Number(v.replace(',', '.'));
            if (s !== null && !Number.isFinite(s)) return;
            return setTrack(track.id, { pregapSeconds: s });
          }}
          testId="edit-track-pause"
        />
        <Field
          label={t('audio.indexes')}
          value={(track.indexSeconds ?? []).join(', ')}
          onCommit={(v) => {
            const list = v.split(/[,;\s]+/).filter(Boolean).map((x) => Number(x));
            if (list.some((x) => !Number.isFinite(x) || x <= 0)) return;
            return setTrack(track.id, { indexSeconds: list });
          }}
          testId="edit-track-indexes"
        />
        <Field label={t('audio.isrc')} value={track.isrc ?? ''} maxLength={12} onCommit={(v) => setTrack(track.id, { isrc: v.trim().toUpperCase().replace(/-/g, '') })} testId="edit-track-isrc" />
      </div>
      <div className="inline-form">
        <label className="check">
          <input type="checkbox" checked={track.preEmphasis ?? false} onChange={(e) => void setTrack(track.id, { preEmphasis: e.target.checked })} />
          {t('audio.preEmphasis')}
        </label>
        <label className="check">
          <input type="checkbox" checked={track.copyPermitted ?? false} onChange={(e) => void setTrack(track.id, { copyPermitted: e.target.checked })} />
          {t('audio.copyPermitted')}
        </label>
        {n > 1 && (
          <button type="button" onClick={() => void preview(n)} title={t('audio.previewTitle', { from: n - 1, to: n })} data-testid="preview-join">
            ▶ {t('audio.preview')}
          </button>
        )}
      </div>
    </section>
  );
}
