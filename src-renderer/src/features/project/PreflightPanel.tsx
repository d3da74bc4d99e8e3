import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';

/**
 * Preflight beside the tree: what Windows, macOS, Linux and players will see of the project with
 * its options and against the capacity meter's target, findings grouped; each path reveals its
 * entry in the tree.
 */
export function PreflightPanel() {
  const { t } = useTranslation();
  const report = useAppStore((s) => s.preflight);
  const running = useAppStore((s) => s.preflightRunning);
  const stale = useAppStore((s) => s.preflight !== undefined && s.preflightRevision !== s.project?.revision);
  const empty = useAppStore((s) => !s.project || s.project.files + s.project.folders === 0);
  const run = useAppStore((s) => s.runPreflight);
  const reveal = useAppStore((s) => s.revealInProject);

  const revealButton = (path: string, shownAs?: string) => (
    <button type="button" className="link" onClick={() => void reveal(path)} aria-label={t('preflight.reveal', { path })}>
      {path}
      {shownAs !== undefined && <span className="muted"> → {shownAs}</span>}
    </button>
  );

  return (
    <section className="panel preflight-panel" aria-labelledby="preflight-heading" data-testid="preflight">
      <h2 id="preflight-heading">{t('preflight.heading')}</h2>
      <button type="button" onClick={() => void run()} disabled={running || empty}>
        {running ? t('preflight.running') : t('preflight.run')}
      </button>
      {report && (
        <div aria-live="polite">
          {stale && <p className="muted">{t('preflight.stale')}</p>}
          <p className="muted" data-testid="preflight-seen-by">
            {t('preflight.seenBy', report.seenBy)}
          </p>
          {report.findings.length === 0 && <p className="ok">{t('preflight.ok')}</p>}
          <ul className="findings">
            {report.findings.map((f, i) => (
              <li key={`${f.code}-${i}`} className={`finding ${f.severity}`} data-testid="finding" data-code={f.code}>
                <strong>{t(`preflight.severity_${f.severity}`)}</strong> {f.message}
                {f.count !== undefined && <span className="muted"> ({t('preflight.count', { count: f.count })})</span>}
                {f.path && <div>{revealButton(f.path, f.shownAs)}</div>}
                {f.examples && (
                  <ul>
                    {f.examples.map((e) => (
                      <li key={e.path}>{revealButton(e.path, e.shownAs)}</li>
                    ))}
                  </ul>
                )}
                {f.fix && <div className="muted small">{t('preflight.fix', { fix: f.fix })}</div>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
