import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { CAPACITY_TARGETS } from '../../shared/capacity';
import { DEFAULT_FILE_SYSTEMS, FILE_SYSTEMS, UDF_REVISIONS, type FileSystemName } from '../../store/checks-slice';

/**
 * The image options of the data project (label, file systems, ISO level, UDF revision and mirror,
 * fixed date, link handling). Each change is sent to main at once; main validates it, re-plans
 * the capacity meter and keeps it for the project file.
 */
export function OptionsPanel() {
  const { t } = useTranslation();
  const o = useAppStore((s) => s.imageOptions);
  const projectFile = useAppStore((s) => s.project?.file);
  const projectLabel = useAppStore((s) => s.project?.label);
  const target = useAppStore((s) => s.capacityTarget);
  const load = useAppStore((s) => s.loadImageOptions);
  const update = useAppStore((s) => s.updateImageOptions);
  const suggest = useAppStore((s) => s.applySuggestedOptions);
  const announce = useAppStore((s) => s.announce);

  // Opening a project file brings its options.
  useEffect(() => {
    void load();
  }, [load, projectFile]);

  const fs = o.fs ?? DEFAULT_FILE_SYSTEMS;
  const toggleFs = (name: FileSystemName, on: boolean) => {
    const next = on ? FILE_SYSTEMS.filter((f) => f === name || fs.includes(f)) : fs.filter((f) => f !== name);
    if (!next.length) return announce(t('options.atLeastOne'));
    void update({ fs: next.length === DEFAULT_FILE_SYSTEMS.length ? undefined : [...next] });
  };
  const dateValue = o.date ? o.date.slice(0, 16) : '';
  const targetLabel = target === 'disc' ? t('capacity.label') : CAPACITY_TARGETS[target].label;

  return (
    <details className="options-panel" data-testid="image-options">
      <summary>{t('options.heading')}</summary>
      <div className="options-grid">
        <label>
          {t('options.label')}
          <input
            key={o.label ?? projectLabel}
            defaultValue={o.label ?? projectLabel}
            maxLength={128}
            onBlur={(e) => e.target.value && e.target.value !== (o.label ?? projectLabel) && void update({ label: e.target.value })}
            onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
          />
        </label>
        <fieldset>
          <legend>{t('options.fileSystems')}</legend>
          {FILE_SYSTEMS.map((f) => (
            <label key={f} className="check">
              <input type="checkbox" checked={fs.includes(f)} onChange={(e) => toggleFs(f, e.target.checked)} />
              {t(`options.${f}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('options.isoLevel')}
          <select value={o.isoLevel ?? ''} disabled={!fs.includes('iso9660')} onChange={(e) => void update({ isoLevel: e.target.value ? (Number(e.target.value) as 1 | 2 | 3) : undefined })}>
            <option value="">{t('options.isoLevelAuto')}</option>
            {[1, 2, 3].map((l) => (
              <option key={l} value={l}>
                {t('options.isoLevelN', { level: l })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('options.udfRevision')}
          <select value={o.udfRevision ?? ''} disabled={!fs.includes('udf')} onChange={(e) => void update({ udfRevision: (e.target.value || undefined) as (typeof UDF_REVISIONS)[number] | undefined })}>
            <option value="">{t('options.udfDefault')}</option>
            {UDF_REVISIONS.map((r) => (
              <option key={r} value={r}>
                UDF {r}
              </option>
            ))}
          </select>
        </label>
        {o.udfRevision === '2.50' && fs.includes('udf') && (
          <label className="check">
            <input type="checkbox" checked={o.udfMetadataMirror ?? true} onChange={(e) => void update({ udfMetadataMirror: e.target.checked })} />
            {t('options.udfMirror')}
          </label>
        )}
        <fieldset>
          <legend>{t('options.dates')}</legend>
          <label className="check">
            <input type="checkbox" checked={o.date !== undefined} onChange={(e) => void update({ date: e.target.checked ? new Date().toISOString().slice(0, 19) + 'Z' : undefined })} />
            {t('options.fixedDate')}
          </label>
          {o.date !== undefined && (
            <input
              type="datetime-local"
              aria-label={t('options.fixedDate')}
              value={dateValue}
              onChange={(e) => e.target.value && void update({ date: `${e.target.value}:00Z` })}
            />
          )}
          <p className="muted small">{t('options.fixedDateHint')}</p>
        </fieldset>
        <fieldset>
          <legend>{t('options.links')}</legend>
          <label className="check">
            <input type="checkbox" checked={o.followSymlinks ?? false} onChange={(e) => void update({ followSymlinks: e.target.checked || undefined })} />
            {t('options.followSymlinks')}
          </label>
          <p className="muted small">{t('options.followHint')}</p>
          <label className="check">
            <input type="checkbox" checked={o.udfSymlinks ?? false} disabled={!fs.includes('udf')} onChange={(e) => void update({ udfSymlinks: e.target.checked || undefined })} />
            {t('options.udfSymlinks')}
          </label>
        </fieldset>
        <button type="button" onClick={() => void suggest()}>
          {t('options.suggest', { target: targetLabel })}
        </button>
      </div>
    </details>
  );
}
