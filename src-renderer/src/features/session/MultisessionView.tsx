// "Add to a disc": the recorder's disc as it is now (greyed, folder by folder, read by main through
// the drive), the project of the next session (new files; same name = replaced), removals, and
// the burn of the next session. After the burn the disc is read again, so the view shows what the
// disc holds now (old and new files together).
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import type { DiscFileEntry } from '../../../../src-main/common/model/disc-files';
import { formatBytes, isPressed } from '../../shared/format';
import { DrivePanel } from '../drives/DrivePanel';
import { FilePane } from '../files/FilePane';
import { ProjectTree } from '../project/ProjectTree';
import { CapacityMeter } from '../project/CapacityMeter';

function parentOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  parts.pop();
  return '/' + parts.join('/');
}

export function MultisessionView() {
  const openProject = useAppStore((s) => s.openProject);
  return (
    <div className="view view-data view-session">
      <div className="side-column">
        <DrivePanel />
      </div>
      <FilePane onOpenProject={(p) => void openProject(p)} />
      <SessionPane />
    </div>
  );
}

function SessionPane() {
  const { t } = useTranslation();
  const address = useAppStore((s) => s.selectedAddress);
  const media = useAppStore((s) => (s.selectedAddress ? s.media[s.selectedAddress] : undefined));
  const busy = useAppStore((s) => (s.selectedAddress ? s.driveBusy[s.selectedAddress] : undefined));
  const view = useAppStore((s) => s.discFiles);
  const loading = useAppStore((s) => s.discFilesLoading);
  const error = useAppStore((s) => s.discFilesError);
  const removed = useAppStore((s) => s.discRemoved);
  const project = useAppStore((s) => s.project);
  const job = useAppStore((s) => s.job);
  const loadDiscFiles = useAppStore((s) => s.loadDiscFiles);
  const refreshProjectNamesHere = useAppStore((s) => s.refreshProjectNamesHere);
  const openBurnDialog = useAppStore((s) => s.openBurnDialog);
  const clearProject = useAppStore((s) => s.clearProject);

  // The disc of the chosen recorder, read again when another disc goes in or a burn changed it
  // (media change). Not on every lease change: the listing's own read lease would loop.
  const mediaKey = media ? `${media.profile}/${media.status}/${media.sessions}/${media.usedBlocks}` : '';
  useEffect(() => {
    if (!address || !media) return;
    const shown = useAppStore.getState().discFiles;
    void loadDiscFiles(address, shown?.address === address ? shown.path : '/');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [address, mediaKey]);
  // A burn of the next session finished: the removals are done; what is on the disc now is shown.
  // The new files are on the disc now: the project of the next session starts empty (Undo brings
  // them back), and the listing says it shows the disc after the burn.
  const lastJob = useRef<number | undefined>(undefined);
  const burnedOn = useAppStore((s) => s.discBurnedOn);
  const sessionBurned = useAppStore((s) => s.sessionBurned);
  useEffect(() => {
    if (!job || job.kind !== 'burn' || job.state !== 'done' || lastJob.current === job.id) return;
    lastJob.current = job.id;
    if (address && job.address === address && job.burnResult?.ok && !job.burnResult.copies.some((c) => c.simulated)) {
      void clearProject();
      void sessionBurned(address);
    }
  }, [job, address, sessionBurned, clearProject]);
  useEffect(() => {
    void refreshProjectNamesHere();
  }, [project?.revision, refreshProjectNamesHere]);

  const empty = !project || project.files + project.folders === 0;
  const canBurn = !!view && view.address === address && view.canAdd && !busy && (!empty || removed.length > 0);
  const state = !address
    ? t('session.pickDrive')
    : !media || (loading && !view)
      ? t('session.reading')
      : media.status === 'no-disc'
        ? t('session.noDisc')
        : isPressed(media) || media.writeProtected
          ? t('session.pressed', { profile: media.profile })
          : media.status === 'blank'
            ? t('session.blank')
            : view && !view.canAdd
              ? t('session.closed', { profile: media.profile })
              : undefined;

  return (
    <section className="panel project-pane session-pane" aria-labelledby="project-heading">
      <div className="project-header">
        <h2 id="project-heading">{t('jobs.multisession.title')}</h2>
        <p className="muted small">{t('session.intro')}</p>
      </div>
      <section className="disc-files" aria-labelledby="disc-files-heading" data-testid="disc-files">
        <h3 id="disc-files-heading">{burnedOn === address && view?.address === address && removed.length === 0 && empty ? t('session.nowHeading') : t('session.heading')}</h3>
        {state && (
          <p className={media?.status === 'complete' ? 'error' : 'muted'} data-testid="disc-files-state">
            {state}
          </p>
        )}
        {error && (
          <p className="error" data-testid="disc-files-error">
            {error}
          </p>
        )}
        {view && view.address === address && view.status !== 'blank' && view.status !== 'no-disc' && <DiscFolder />}
      </section>
      <h3 id="session-new-heading">{t('session.newHeading')}</h3>
      <ProjectTree />
      <CapacityMeter />
      <div className="button-row">
        {removed.length > 0 && (
          <span className="muted" data-testid="removed-count">
            {t('session.removedCount', { count: removed.length })}
          </span>
        )}
        <button
          type="button"
          className="primary"
          disabled={!canBurn}
          title={canBurn ? undefined : t('session.nothing')}
          onClick={() => openBurnDialog({ kind: 'project', multisession: true, ...(removed.length ? { remove: removed } : {}) })}
        >
          {t('session.burn')}
        </button>
      </div>
    </section>
  );
}

/** The disc folder on screen: crumbs, and its entries greyed with their fate in the next session. */
function DiscFolder() {
  const { t } = useTranslation();
  const view = useAppStore((s) => s.discFiles)!;
  const loadDiscFiles = useAppStore((s) => s.loadDiscFiles);
  const toggle = useAppStore((s) => s.toggleDiscRemoved);
  const fateOf = useAppStore((s) => s.discEntryFate);
  // Re-render when removals or the project's names change.
  useAppStore((s) => s.discRemoved);
  useAppStore((s) => s.projectNamesHere);
  const crumbs = view.path.split('/').filter(Boolean);
  const open = (path: string) => void loadDiscFiles(view.address, path);
  return (
    <>
      <p className="muted small" data-testid="disc-files-summary">
        {t('session.summary', { profile: view.profile, sessions: t('session.sessions', { count: view.sessions }), count: view.entries.length + view.more, path: view.path })}
      </p>
      <nav className="crumbs" aria-label={t('session.listLabel', { path: view.path })}>
        {[t('session.root'), ...crumbs].map((c, i) => {
          const path = '/' + crumbs.slice(0, i).join('/');
          return (
            <span key={path}>
              {i > 0 && <span aria-hidden="true"> › </span>}
              <button type="button" className="crumb" aria-current={path === view.path ? 'location' : undefined} onClick={() => open(path)}>
                {c}
              </button>
            </span>
          );
        })}
      </nav>
      <ul className="disc-list" aria-label={t('session.listLabel', { path: view.path })}>
        {view.path !== '/' && (
          <li className="disc-row">
            <button type="button" className="link" onClick={() => open(parentOf(view.path))}>
              ↑ {t('session.up')}
            </button>
          </li>
        )}
        {view.entries.map((e: DiscFileEntry) => {
          const fate = fateOf(e);
          return (
            <li key={e.path} className={`disc-row fate-${fate}`} data-testid="disc-row" data-fate={fate}>
              <span className={`icon icon-${e.kind}`} aria-hidden="true" />
              {e.kind === 'dir' ? (
                <button type="button" className="link name" onClick={() => open(e.path)}>
                  {e.name}
                </button>
              ) : (
                <span className="name">{e.name}</span>
              )}
              <span className="size">{e.kind === 'file' ? formatBytes(e.bytes) : ''}</span>
              <span className="fate">{t(`session.fate_${fate}`)}</span>
              <button
                type="button"
                className="small"
                aria-label={fate === 'removed' ? t('session.keepOn', { name: e.name }) : t('session.removeFrom', { name: e.name })}
                onClick={() => toggle(e.path)}
                // A file below a removed folder comes back with its folder.
                disabled={fate === 'removed' && !useAppStore.getState().discRemoved.includes(e.path)}
              >
                {fate === 'removed' ? t('session.keep') : t('session.remove')}
              </button>
            </li>
          );
        })}
        {view.more > 0 && <li className="muted">{t('session.more', { count: view.more })}</li>}
      </ul>
    </>
  );
}
