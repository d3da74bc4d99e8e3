import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';

/**
 * The join of two tracks as the disc plays it (main decodes the seconds around the boundary and
 * sends them as a short WAV; the renderer reads no file): an audio player, where the later track
 * starts in the clip, and the pause on the disc.
 */
export function BoundaryPreview() {
  const { t } = useTranslation();
  const p = useAppStore((s) => s.audioPreview);
  const close = useAppStore((s) => s.closePreview);
  const url = p?.url;
  // The blob URL is released after the <audio> that plays it is gone or has a new one (a media
  // element fetches lazily: revoking earlier would break its next read).
  useEffect(() => (url ? () => URL.revokeObjectURL(url) : undefined), [url]);
  if (!p) return null;
  return (
    <div className="boundary-preview" role="group" aria-label={t('audio.previewHeading', { from: p.track - 1, to: p.track })} data-testid="boundary-preview">
      <strong>{t('audio.previewHeading', { from: p.track - 1, to: p.track })}</strong>
      {p.loading ? (
        <p className="muted" role="status">
          {t('audio.previewing')}
        </p>
      ) : (
        <>
          <audio controls src={p.url} data-testid="preview-audio" />
          <p className="muted small" data-testid="preview-facts">
            {t('audio.previewFacts', { to: p.track, at: p.boundarySeconds!.toFixed(2), pause: p.pauseSeconds!.toFixed(2) })}
            {p.pausePlayedSeconds! < p.pauseSeconds! && ` ${t('audio.previewShortened', { played: p.pausePlayedSeconds!.toFixed(2) })}`}
          </p>
        </>
      )}
      <button type="button" onClick={close}>
        {t('audio.previewClose')}
      </button>
    </div>
  );
}
