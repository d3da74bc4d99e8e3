import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { Field } from './Field';
import { formatTrackLength } from './TrackList';

/** Red Book CD-TEXT genre codes 1–27 (names in en-audio.ts audioGenres). */
const GENRE_CODES = Array.from({ length: 27 }, (_, i) => i + 1);
const ALBUM_FIELDS = ['songwriter', 'composer', 'arranger', 'message'] as const;

/** The disc: gapless or the pause between tracks, the planned disc size, album CD-TEXT, disc ID, genre, UPC/EAN and MCN. */
export function DiscPanel() {
  const { t } = useTranslation();
  const audio = useAppStore((s) => s.audio);
  const setDisc = useAppStore((s) => s.setAudioDisc);
  const setHidden = useAppStore((s) => s.setHiddenTrack);
  const hostSelection = useAppStore((s) => s.hostSelection);
  const listing = useAppStore((s) => s.listing);
  const chosen = hostSelection.length === 1 ? listing?.entries.find((e) => e.path === hostSelection[0] && e.kind === 'file') : undefined;
  const d = audio?.disc;
  if (!d) return null;
  return (
    <section className="panel disc-panel" aria-labelledby="audio-disc-heading">
      <h2 id="audio-disc-heading">{t('audio.discHeading')}</h2>
      <label className="check">
        <input type="checkbox" checked={d.gapless} onChange={(e) => void setDisc({ gapless: e.target.checked })} data-testid="gapless" />
        {t('audio.gapless')}
      </label>
      <div className="field-grid">
        <Field
          label={t('audio.defaultPause')}
          value={String(d.pregapSeconds)}
          inputMode="decimal"
          disabled={d.gapless}
          onCommit={(v) => {
            const s = Number(v.replace(',', '.'));
            return Number.isFinite(s) && v.trim() !== '' ? setDisc({ pregapSeconds: s }) : undefined;
          }}
          testId="default-pause"
        />
        <label className="field">
          <span>{t('audio.discMinutes')}</span>
          <select value={d.discMinutes} onChange={(e) => void setDisc({ discMinutes: Number(e.target.value) as 74 | 80 | 90 | 99 })}>
            {[74, 80, 90, 99].map((m) => (
              <option key={m} value={m}>
                {m} min
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="field" data-testid="hidden-track">
        <span>{t('audio.hidden')}</span>
        {audio.hiddenTrack ? (
          <span>
            {t('audio.hiddenIs', { file: audio.hiddenTrack.fileName, time: formatTrackLength(audio.hiddenTrack.samples) })}{' '}
            <button type="button" onClick={() => void setHidden(null)}>
              {t('audio.hiddenRemove')}
            </button>
          </span>
        ) : (
          <span className="muted small">
            {t('audio.hiddenNone')}{' '}
            {chosen && (
              <button type="button" onClick={() => void setHidden(chosen.path)}>
                {t('audio.hiddenSet')}: {chosen.name}
              </button>
            )}
          </span>
        )}
      </div>
      <h3>{t('audio.cdText')}</h3>
      <div className="field-grid">
        <Field label={t('audio.albumTitle')} value={d.album.title} maxLength={160} onCommit={(v) => setDisc({ album: { title: v } })} testId="album-title" />
        <Field label={t('audio.albumPerformer')} value={d.album.performer} maxLength={160} onCommit={(v) => setDisc({ album: { performer: v } })} testId="album-performer" />
        {ALBUM_FIELDS.map((f) => (
          <Field key={f} label={t(`audio.${f}`)} value={d.album[f]} maxLength={160} onCommit={(v) => setDisc({ album: { [f]: v } })} testId={`album-${f}`} />
        ))}
        <Field label={t('audio.discId')} value={d.discId} maxLength={160} onCommit={(v) => setDisc({ discId: v })} testId="disc-id" />
        <label className="field">
          <span>{t('audio.genre')}</span>
          <select value={d.genre?.code ?? ''} onChange={(e) => void setDisc({ genre: e.target.value === '' ? null : { code: Number(e.target.value), ...(d.genre?.text ? { text: d.genre.text } : {}) } })} data-testid="genre">
            <option value="">{t('audio.genreNone')}</option>
            {GENRE_CODES.map((c) => (
              <option key={c} value={c}>
                {t(`audioGenres.g${c}`)}
              </option>
            ))}
          </select>
        </label>
        <Field label={t('audio.genreText')} value={d.genre?.text} maxLength={160} disabled={!d.genre} onCommit={(v) => (d.genre ? setDisc({ genre: { code: d.genre.code, ...(v ? { text: v } : {}) } }) : undefined)} testId="genre-text" />
        <Field label={t('audio.upcEan')} value={d.upcEan} inputMode="numeric" maxLength={13} onCommit={(v) => setDisc({ upcEan: v.trim() })} testId="upc-ean" />
        <Field label={t('audio.mcn')} value={d.mcn} inputMode="numeric" maxLength={13} onCommit={(v) => setDisc({ mcn: v.trim() })} testId="mcn" />
      </div>
    </section>
  );
}
