import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { JOBS } from './jobs';

/** The first screen: the jobs, and the recent projects. */
export function Home() {
  const { t } = useTranslation();
  const setView = useAppStore((s) => s.setView);
  const recent = useAppStore((s) => s.recent);
  const loadRecent = useAppStore((s) => s.loadRecent);
  const openProject = useAppStore((s) => s.openProject);

  useEffect(() => {
    void loadRecent();
  }, [loadRecent]);

  return (
    <div className="home">
      <section aria-labelledby="jobs-heading" className="jobs">
        <h2 id="jobs-heading">{t('jobs.heading')}</h2>
        <ul className="job-list">
          {JOBS.map((job) => (
            <li key={job.id}>
              <button type="button" className="job" onClick={() => setView(job.view)} data-testid={`job-${job.id}`}>
                <span className={`job-icon job-icon-${job.id}`} aria-hidden="true" />
                <span className="job-title">{t(`jobs.${job.id}.title`)}</span>
                <span className="job-desc muted">{t(`jobs.${job.id}.desc`)}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="recent-heading" className="recent">
        <h2 id="recent-heading">{t('jobs.recent')}</h2>
        {recent.length === 0 ? (
          <p className="muted">{t('jobs.noRecent')}</p>
        ) : (
          <ul className="recent-list">
            {recent.map((r) => (
              <li key={r.path}>
                <button type="button" className="link" onClick={() => void openProject(r.path)} title={r.path}>
                  {r.label} — {r.path}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
