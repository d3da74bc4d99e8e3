import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { formatBytes } from '../../shared/format';
import { FilePane } from '../files/FilePane';
import { CapacityMeter } from '../project/CapacityMeter';
import { BurnWrittenImageButton } from '../burn/BurnProjectButton';

/** Writes the data project to an ISO image file in a folder chosen in the file pane. */
export function ImageView() {
  const { t } = useTranslation();
  const project = useAppStore((s) => s.project);
  const folder = useAppStore((s) => s.listing?.path);
  const progress = useAppStore((s) => s.imageProgress);
  const lastImage = useAppStore((s) => s.lastImage);
  const writeImageTo = useAppStore((s) => s.writeImageTo);
  const cancelWrite = useAppStore((s) => s.cancelWrite);
  const setView = useAppStore((s) => s.setView);
  const [name, setName] = useState(`${project?.label ?? 'GLASSMASTER'}.iso`);
  const [overwrite, setOverwrite] = useState(false);
  const writing = project?.busy ?? false;
  const empty = !project || project.files + project.folders === 0;
  const fraction = progress && progress.totalBytes ? progress.bytesWritten / progress.totalBytes : undefined;

  return (
    <div className="view view-image">
      <FilePane />
      <section className="panel image-panel" aria-labelledby="image-heading">
        <h2 id="image-heading">{t('image.heading')}</h2>
        <p className="muted" data-testid="project-summary">
          {project && t('project.summary', { files: project.files, folders: project.folders, bytes: formatBytes(project.totalBytes) })}
        </p>
        {empty && <p className="error">{t('image.emptyProject')}</p>}
        <form
          className="image-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (folder && name.trim()) void writeImageTo(`${folder.replace(/\/$/, '')}/${name.trim()}`, overwrite);
          }}
        >
          <label>
            {t('image.name')}
            <input value={name} onChange={(e) => setName(e.target.value)} disabled={writing} />
          </label>
          <span className="muted" data-testid="image-folder">
            {t('image.folder', { folder: folder ?? '…' })}
          </span>
          <label className="check">
            <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} disabled={writing} />
            {t('image.overwrite')}
          </label>
          <CapacityMeter />
          <div className="button-row">
            {writing ? (
              <button type="button" onClick={cancelWrite}>
                {t('image.cancel')}
              </button>
            ) : (
              <button type="submit" className="primary" disabled={empty || !folder || !name.trim()}>
                {t('image.write')}
              </button>
            )}
            <button type="button" onClick={() => setView('data')} disabled={writing}>
              {t('image.backToProject')}
            </button>
          </div>
        </form>
        {writing && (
          <div className="image-progress">
            <progress max={1} value={fraction} aria-label={t('image.progress')} />
            <span className="muted" role="status">
              {progress?.phase === 'writing' ? t('image.writing', { done: formatBytes(progress.bytesWritten), total: formatBytes(progress.totalBytes) }) : t('image.planning')}
            </span>
          </div>
        )}
        {lastImage && !writing && (
          <p className="ok" data-testid="image-result">
            {t('image.written', { path: lastImage.path ?? '', bytes: formatBytes(lastImage.bytes) })}
          </p>
        )}
        {lastImage?.path && !writing && <BurnWrittenImageButton path={lastImage.path} />}
      </section>
    </div>
  );
}
