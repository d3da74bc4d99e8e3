import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store';

/** The current error as a sentence; the technical detail (code, paths, sense) one click away. */
export function ErrorNote() {
  const { t } = useTranslation();
  const error = useAppStore((s) => s.error);
  const showError = useAppStore((s) => s.showError);
  if (!error) return null;
  return (
    <div className="error-note" role="alert" data-testid="error">
      <p className="error">{error.message}</p>
      {error.detail && (
        <details>
          <summary>{t('error.details')}</summary>
          <pre>{error.detail}</pre>
        </details>
      )}
      <button type="button" onClick={() => showError(undefined)}>
        {t('error.dismiss')}
      </button>
    </div>
  );
}
