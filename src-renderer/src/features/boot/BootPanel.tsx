import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import type { BootEntry } from '../../../../src-main/common/model/image-options';
import type { BootPlatform } from '../../store/checks-slice';
import { formatBytes } from '../../shared/format';

type Emulation = NonNullable<BootEntry['emulation']>;

/** One platform's boot entry: the image chosen from the project tree, emulation, load size, boot info table. */
function BootEntryEditor({ platform }: { platform: BootPlatform }) {
  const { t } = useTranslation();
  const entry = useAppStore((s) => s.imageOptions.boot?.find((b) => b.platform === platform));
  const setEntry = useAppStore((s) => s.setBootEntry);
  const addFromHost = useAppStore((s) => s.addBootImageFromHost);
  const announce = useAppStore((s) => s.announce);
  const selected = useAppStore((s) => {
    if (s.selection.length !== 1) return undefined;
    for (const page of Object.values(s.pages)) {
      const row = page.find((r) => r.path === s.selection[0]);
      if (row) return row;
    }
    return undefined;
  });
  const { platform: _p, ...rest } = entry ?? { platform };
  const change = (patch: Partial<Omit<BootEntry, 'platform'>>) => {
    const next = { ...rest, ...patch };
    for (const k of Object.keys(next) as (keyof typeof next)[]) if (next[k] === undefined) delete next[k];
    void setEntry(platform, next as Omit<BootEntry, 'platform'>);
  };
  const useSelected = () => {
    if (!selected || selected.kind !== 'file') return announce(t('boot.selectOneFile'));
    // isolinux loads 4 virtual sectors and wants its info table; UEFI images are loaded whole.
    if (entry) change({ isoPath: selected.path });
    else void setEntry(platform, platform === 'bios' ? { isoPath: selected.path, emulation: 'none', loadSize: 4, infoTable: true } : { isoPath: selected.path, emulation: 'none' });
  };
  const emulation: Emulation = entry?.emulation ?? 'none';

  return (
    <fieldset data-testid={`boot-${platform}`}>
      <legend>{t(`boot.${platform}`)}</legend>
      <div className="button-row">
        <span data-testid={`boot-${platform}-path`}>{entry?.isoPath ?? t('boot.none')}</span>
        <button type="button" onClick={useSelected}>
          {t('boot.useSelected')}
        </button>
        <button type="button" onClick={() => void addFromHost(platform)}>
          {t('boot.addFromPane')}
        </button>
        {entry && (
          <button type="button" onClick={() => void setEntry(platform, undefined)}>
            {t('boot.remove')}
          </button>
        )}
      </div>
      {entry && (
        <>
          {platform === 'bios' && (
            <label>
              {t('boot.emulation')}
              <select value={emulation} onChange={(e) => change({ emulation: e.target.value as Emulation, loadSize: e.target.value === 'none' ? rest.loadSize : undefined })}>
                {(['none', 'floppy', 'hdd'] as const).map((m) => (
                  <option key={m} value={m}>
                    {t(`boot.emulation_${m}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {emulation === 'none' && (
            <label>
              {t('boot.loadSize')}
              <input
                type="number"
                min={1}
                max={65535}
                value={entry.loadSize ?? ''}
                onChange={(e) => change({ loadSize: e.target.value ? Math.max(1, Math.min(65535, Math.round(Number(e.target.value)))) : undefined })}
              />
            </label>
          )}
          <label className="check">
            <input type="checkbox" checked={entry.infoTable ?? false} onChange={(e) => change({ infoTable: e.target.checked || undefined })} />
            {t('boot.infoTable')}
          </label>
        </>
      )}
    </fieldset>
  );
}

/** The bootable project's side: boot entries, isohybrid, writing the image and its boot inspection. */
export function BootPanel() {
  const { t } = useTranslation();
  const o = useAppStore((s) => s.imageOptions);
  const project = useAppStore((s) => s.project);
  const folder = useAppStore((s) => s.listing?.path);
  const report = useAppStore((s) => s.bootReport);
  const progress = useAppStore((s) => s.imageProgress);
  const setIsohybrid = useAppStore((s) => s.setIsohybrid);
  const write = useAppStore((s) => s.writeBootableImage);
  const cancelWrite = useAppStore((s) => s.cancelWrite);
  const [name, setName] = useState(`${project?.label ?? 'BOOT'}.iso`);
  const [overwrite, setOverwrite] = useState(false);
  const writing = project?.busy ?? false;
  const hasBoot = (o.boot?.length ?? 0) > 0;
  const hasEfi = o.boot?.some((b) => b.platform === 'efi') ?? false;
  const yn = (v: boolean) => (v ? t('boot.yes') : t('boot.no'));

  return (
    <section className="panel boot-panel" aria-labelledby="boot-heading">
      <h2 id="boot-heading">{t('boot.heading')}</h2>
      <p className="muted small">{t('boot.intro')}</p>
      <BootEntryEditor platform="bios" />
      <BootEntryEditor platform="efi" />
      <label className="check">
        <input type="checkbox" checked={o.isohybrid !== undefined} disabled={!hasEfi} onChange={(e) => void setIsohybrid(e.target.checked, hasEfi)} />
        {t('boot.isohybrid')}
      </label>
      {o.isohybrid !== undefined && (
        <label className="check">
          <input type="checkbox" checked={o.isohybrid.gpt ?? false} onChange={(e) => void setIsohybrid(true, e.target.checked)} />
          {t('boot.gpt')}
        </label>
      )}
      <form
        className="image-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (folder && name.trim()) void write(`${folder.replace(/\/$/, '')}/${name.trim()}`, overwrite);
        }}
      >
        <label>
          {t('boot.name')}
          <input value={name} onChange={(e) => setName(e.target.value)} disabled={writing} />
        </label>
        <span className="muted small">{t('image.folder', { folder: folder ?? '…' })}</span>
        <label className="check">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} disabled={writing} />
          {t('image.overwrite')}
        </label>
        <div className="button-row">
          {writing ? (
            <button type="button" onClick={cancelWrite}>
              {t('image.cancel')}
            </button>
          ) : (
            <button type="submit" className="primary" disabled={!hasBoot || !folder || !name.trim() || !project?.files}>
              {t('boot.write')}
            </button>
          )}
        </div>
        {writing && progress?.phase === 'writing' && (
          <span className="muted" role="status">
            {t('image.writing', { done: formatBytes(progress.bytesWritten), total: formatBytes(progress.totalBytes) })}
          </span>
        )}
      </form>
      {report && !writing && (
        <div className="boot-report" data-testid="boot-report" role="region" aria-label={t('boot.report', { path: report.source })}>
          <h3>{t('boot.report', { path: report.source.split('/').pop() })}</h3>
          <p data-testid="boot-summary">
            {t('boot.reportBios', { value: yn(report.bios) })} · {t('boot.reportUefi', { value: yn(report.uefi) })} · {t('boot.reportHybrid', { value: yn(report.hybrid) })}
          </p>
          {report.eltorito && (
            <>
              <p className="muted small">{t('boot.catalog', { lba: report.eltorito.catalogLba })}{report.eltorito.catalogPath ? ` (${report.eltorito.catalogPath})` : ''}</p>
              <table>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>{t('boot.platform')}</th>
                    <th>{t('boot.bootable')}</th>
                    <th>{t('boot.emulation')}</th>
                    <th>{t('boot.loadSize')}</th>
                    <th>{t('boot.loadRba')}</th>
                    <th>{t('boot.image')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.eltorito.entries.map((e, i) => (
                    <tr key={i} data-testid="boot-entry">
                      <td>{i + 1}</td>
                      <td>{e.platform}</td>
                      <td>{yn(e.bootable)}</td>
                      <td>{e.emulation}</td>
                      <td>{e.loadSize}</td>
                      <td>{e.loadRba}</td>
                      <td>{e.image.isoPath ?? '—'}{e.image.efiBootFiles?.length ? ` (${e.image.efiBootFiles.join(', ')})` : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {report.warnings.length > 0 && (
            <>
              <h4>{t('boot.warnings')}</h4>
              <ul>
                {report.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}
