import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { formatBytes } from '../../shared/format';
import { ProjectTree } from './ProjectTree';
import { shell } from '../../ipc/client';
import { CapacityMeter } from './CapacityMeter';
import { BurnProjectButton } from '../burn/BurnProjectButton';
import { OptionsPanel } from './OptionsPanel';

/** The data project: label, edit toolbar, the folder tree, copy-in progress of drops, capacity. */
export function ProjectPane({ saving, setSaving }: { saving: boolean; setSaving: (v: boolean) => void }) {
  const { t } = useTranslation();
  const project = useAppStore((s) => s.project);
  const upload = useAppStore((s) => s.upload);
  const hostFolder = useAppStore((s) => s.listing?.path);
  const newFolder = useAppStore((s) => s.newFolder);
  const undo = useAppStore((s) => s.undo);
  const clearProject = useAppStore((s) => s.clearProject);
  const setLabel = useAppStore((s) => s.setLabel);
  const saveProject = useAppStore((s) => s.saveProject);
  const cancelUpload = useAppStore((s) => s.cancelUpload);
  const setView = useAppStore((s) => s.setView);
  const addFromDialog = useAppStore((s) => s.addFromDialog);
  const [name, setName] = useState('');
  const busy = project?.busy ?? false;
  const empty = !project || project.files + project.folders === 0;

  return (
    <section className="panel project-pane" aria-labelledby="project-heading">
      <div className="project-header">
        <h2 id="project-heading">{t('project.heading')}</h2>
        <label className="inline">
          {t('project.label')}
          <input
            key={project?.label}
            defaultValue={project?.label}
            maxLength={32}
            onBlur={(e) => e.target.value && e.target.value !== project?.label && void setLabel(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
          />
        </label>
        <span className="muted" data-testid="project-summary">
          {project && t('project.summary', { files: t('project.files', { count: project.files }), folders: t('project.folders', { count: project.folders }), bytes: formatBytes(project.totalBytes) })}
          {project?.file && ` · ${project.file.split('/').pop()}${project.dirty ? ` (${t('project.unsaved')})` : ''}`}
        </span>
      </div>
      <OptionsPanel />
      <div className="button-row">
        {/* The desktop app keeps its native dialogs beside the file pane (they add at the disc's top). */}
        {shell === 'electron' && (
          <>
            <button type="button" onClick={() => void addFromDialog(false)} disabled={busy}>
              {t('project.addFiles')}
            </button>
            <button type="button" onClick={() => void addFromDialog(true)} disabled={busy}>
              {t('project.addFolder')}
            </button>
          </>
        )}
        <button type="button" onClick={() => void newFolder()} disabled={busy} title="Ctrl+Shift+N">
          {t('project.newFolder')}
        </button>
        <button type="button" onClick={() => void undo()} disabled={busy || !project?.canUndo} title={project?.undoLabel ? `${t('project.undoWhat', { what: project.undoLabel })} (Ctrl+Z)` : 'Ctrl+Z'}>
          {t('project.undo')}
        </button>
        <button type="button" onClick={() => void clearProject()} disabled={busy || empty}>
          {t('project.clear')}
        </button>
        <button type="button" onClick={() => setSaving(true)} disabled={busy || !hostFolder} title="Ctrl+S">
          {t('project.save')}
        </button>
        <button type="button" className="primary" onClick={() => setView('image')} disabled={empty}>
          {t('project.writeImage')}
        </button>
        <BurnProjectButton disabled={empty || busy} />
      </div>
      {saving && hostFolder && (
        <form
          className="inline-form"
          aria-label={t('project.saveAs')}
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            void saveProject(`${hostFolder.replace(/\/$/, '')}/${name.trim()}`).then((ok) => ok && setSaving(false));
          }}
        >
          <label>
            {t('project.saveAs')}
            <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder={`${project?.label ?? 'project'}.glassmaster`} />
          </label>
          <span className="muted">{t('project.saveIn', { folder: hostFolder })}</span>
          <button type="submit" disabled={!name.trim()}>
            {t('project.confirm')}
          </button>
          <button type="button" onClick={() => setSaving(false)}>
            {t('project.cancel')}
          </button>
        </form>
      )}
      {upload && (
        <div className="upload" role="status" data-testid="upload-progress">
          <progress max={upload.totalBytes || 1} value={upload.sentBytes} aria-label={t('project.uploading', { done: formatBytes(upload.sentBytes), total: formatBytes(upload.totalBytes) })} />
          <span>{t('project.uploading', { done: formatBytes(upload.sentBytes), total: formatBytes(upload.totalBytes) })}</span>
          <button type="button" onClick={cancelUpload}>
            {t('project.cancelUpload')}
          </button>
        </div>
      )}
      <ProjectTree />
      <CapacityMeter />
    </section>
  );
}
