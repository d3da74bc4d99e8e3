import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { formatBytes } from '../../shared/format';
import { DrivePanel } from '../drives/DrivePanel';
import { FilePane } from '../files/FilePane';

/** Image files the burner takes (2048-byte-sector images: ISO 9660 / UDF). */
export const IMAGE_FILE = /\.(iso|img|udf)$/i;

/** The image file selected in the file pane, or why there is none. */
export function useSelectedImage(): { path?: string; size?: number; problem?: string } {
  const { t } = useTranslation();
  const selection = useAppStore((s) => s.hostSelection);
  const listing = useAppStore((s) => s.listing);
  if (selection.length !== 1) return { problem: t('burnImage.pick') };
  const entry = listing?.entries.find((e) => e.path === selection[0]);
  if (!entry || entry.kind !== 'file' || !IMAGE_FILE.test(entry.name)) return { problem: t('burnImage.notImage', { name: entry?.name ?? selection[0] }) };
  return { path: entry.path, size: entry.size };
}

/** "Burn an image file": pick the image in the file pane, the drive in the drive panel, then the burn dialog. */
export function BurnImageView() {
  const { t } = useTranslation();
  const image = useSelectedImage();
  const openBurnDialog = useAppStore((s) => s.openBurnDialog);
  return (
    <div className="view view-disc">
      <DrivePanel />
      <FilePane />
      <section className="panel job-panel" aria-labelledby="burn-image-heading">
        <h2 id="burn-image-heading">{t('burnImage.heading')}</h2>
        {image.path ? (
          <p data-testid="burn-image-chosen">{t('burnImage.chosen', { path: image.path, size: formatBytes(image.size ?? 0) })}</p>
        ) : (
          <p className="muted">{image.problem}</p>
        )}
        <div className="button-row">
          <button
            type="button"
            className="primary"
            disabled={!image.path}
            aria-keyshortcuts="Control+B"
            title={t('burn.shortcut')}
            onClick={() => image.path && openBurnDialog({ kind: 'imageFile', path: image.path })}
          >
            {t('burn.button')}
          </button>
        </div>
      </section>
    </div>
  );
}
