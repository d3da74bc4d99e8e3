import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';

/** "Burn…" beside the project's other actions (also Ctrl+B): opens the burn dialog for the project. */
export function BurnProjectButton({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const openBurnDialog = useAppStore((s) => s.openBurnDialog);
  return (
    <button type="button" className="primary" onClick={() => openBurnDialog({ kind: 'project' })} disabled={disabled} aria-keyshortcuts="Control+B" title={t('burn.shortcut')}>
      {t('burn.button')}
    </button>
  );
}

/** After "Write an image file": burn the image just written. */
export function BurnWrittenImageButton({ path }: { path: string }) {
  const { t } = useTranslation();
  const openBurnDialog = useAppStore((s) => s.openBurnDialog);
  return (
    <div className="button-row">
      <button type="button" className="primary" onClick={() => openBurnDialog({ kind: 'imageFile', path })}>
        {t('burn.burnWritten')}
      </button>
    </div>
  );
}
