// The data project's image options (the options editor), its preflight findings (beside the tree,
// each revealing its entry), and the bootable project's boot entries and inspection report. Every
// change goes to main (`project.setImageOptions`), which re-plans the capacity meter and saves the
// options in the project file; the renderer only mirrors what main accepted.
import type { StateCreator } from 'zustand';
import type { GlassmasterClient } from '../../../src-main/common/ipc/contract';
import type { AppImageOptions, BootEntry } from '../../../src-main/common/model/image-options';
import type { BootInspection, PreflightReportView } from '../../../src-main/common/model/project-checks';
import { CAPACITY_TARGETS, type CapacityTarget } from '../shared/capacity';
import { blocksToBytes } from '../shared/format';
import type { AppState } from './use-app-store';
import { isCancel, toUiError } from './errors';
import { PAGE_SIZE } from './project-slice';
import { t } from '../i18n';

export type BootPlatform = BootEntry['platform'];
export type FileSystemName = NonNullable<AppImageOptions['fs']>[number];

// The options model's lists (common/model/image-options.ts; the renderer imports types only, a test keeps them equal).
export const FILE_SYSTEMS: readonly FileSystemName[] = ['iso9660', 'joliet', 'rockridge', 'udf'];
export const DEFAULT_FILE_SYSTEMS: readonly FileSystemName[] = FILE_SYSTEMS;
export const UDF_REVISIONS: readonly NonNullable<AppImageOptions['udfRevision']>[] = ['1.02', '1.50', '2.00', '2.01', '2.50'];

/**
 * Options suggested for a medium: UDF 2.50 with its metadata mirror on Blu-ray (what BD players and
 * current OSes read; the mirror guards the metadata against a bad spot), UDF 1.02 elsewhere (read
 * by every OS and DVD player). ISO level stays automatic: 2, raised to 3 when a file is ≥ 4 GiB.
 */
export function suggestedOptions(target: 'disc' | CapacityTarget, discBlocks?: number): Pick<AppImageOptions, 'udfRevision' | 'udfMetadataMirror' | 'isoLevel'> {
  const bytes = target === 'disc' ? blocksToBytes(discBlocks ?? 0) : CAPACITY_TARGETS[target].bytes;
  if (bytes > CAPACITY_TARGETS['dvd-dl'].bytes) return { udfRevision: '2.50', udfMetadataMirror: true, isoLevel: undefined };
  return { udfRevision: '1.02', udfMetadataMirror: undefined, isoLevel: undefined };
}

/** The capacity meter's choice in 2048-byte sectors (what preflight checks against), or undefined when no size is known. */
export function targetSectors(s: Pick<AppState, 'capacityTarget' | 'selectedAddress' | 'media'>): number | undefined {
  if (s.capacityTarget !== 'disc') return Math.floor(CAPACITY_TARGETS[s.capacityTarget].bytes / 2048);
  const m = s.selectedAddress ? s.media[s.selectedAddress] : undefined;
  const writable = m && (m.status === 'blank' || m.status === 'appendable');
  return writable && m.freeBlocks > 0 ? m.freeBlocks : undefined;
}

export interface ChecksSlice {
  imageOptions: AppImageOptions;
  preflight: PreflightReportView | undefined;
  preflightRevision: number | undefined;
  preflightRunning: boolean;
  /** The entry a finding revealed: the tree scrolls to it and selects it. */
  revealed: { path: string; index: number; seq: number } | undefined;
  bootReport: BootInspection | undefined;
  loadImageOptions(): Promise<void>;
  /** Merges a change into the options and sends them; false when main refused them (error shown). */
  updateImageOptions(patch: Partial<AppImageOptions>): Promise<boolean>;
  applySuggestedOptions(): Promise<boolean>;
  runPreflight(): Promise<void>;
  revealInProject(path: string): Promise<boolean>;
  /** Sets (or with undefined removes) the boot entry of a platform; other fields keep their values. */
  setBootEntry(platform: BootPlatform, entry: Omit<BootEntry, 'platform'> | undefined): Promise<boolean>;
  /** Adds the file selected in the file pane to the project folder being viewed and makes it the platform's boot image. */
  addBootImageFromHost(platform: BootPlatform): Promise<boolean>;
  setIsohybrid(on: boolean, gpt?: boolean): Promise<boolean>;
  /** Writes the image into the file pane's folder, then inspects its boot records. */
  writeBootableImage(path: string, overwrite?: boolean): Promise<boolean>;
  inspectBoot(path: string): Promise<void>;
}

export const createChecksSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], ChecksSlice> =>
  (set, get) => {
    let preflighting: AbortController | undefined;
    let revealSeq = 0;
    const fail = (err: unknown) => {
      if (!isCancel(err)) get().showError(toUiError(err));
    };
    const send = async (options: AppImageOptions): Promise<boolean> => {
      try {
        const r = await client.invoke('project.setImageOptions', { options });
        set({ imageOptions: r.options });
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    };
    return {
      imageOptions: {},
      preflight: undefined,
      preflightRevision: undefined,
      preflightRunning: false,
      revealed: undefined,
      bootReport: undefined,
      async loadImageOptions() {
        try {
          set({ imageOptions: (await client.invoke('project.getImageOptions', {})).options });
        } catch (err) {
          fail(err);
        }
      },
      async updateImageOptions(patch) {
        const next: AppImageOptions = { ...get().imageOptions, ...patch };
        // Unset fields are left out (main's defaults apply), not sent as undefined.
        for (const k of Object.keys(next) as (keyof AppImageOptions)[]) if (next[k] === undefined) delete next[k];
        // The mirror belongs to UDF 2.50 only: switching away drops it rather than being refused.
        if (next.udfRevision !== '2.50') delete next.udfMetadataMirror;
        return send(next);
      },
      async applySuggestedOptions() {
        const s = get();
        const media = s.selectedAddress ? s.media[s.selectedAddress] : undefined;
        const ok = await get().updateImageOptions(suggestedOptions(s.capacityTarget, media?.freeBlocks));
        if (ok) get().announce(t('options.suggestedApplied'));
        return ok;
      },
      async runPreflight() {
        preflighting?.abort();
        const controller = (preflighting = new AbortController());
        const revision = get().project?.revision;
        set({ preflightRunning: true });
        try {
          const report = await client.invoke('project.preflight', { maxSectors: targetSectors(get()) }, { signal: controller.signal });
          if (controller.signal.aborted) return;
          set({ preflight: report, preflightRevision: revision });
          get().announce(t('preflight.done', { errors: report.counts.error, warnings: report.counts.warning }));
        } catch (err) {
          fail(err);
        } finally {
          if (preflighting === controller) {
            preflighting = undefined;
            set({ preflightRunning: false });
          }
        }
      },
      async revealInProject(path) {
        const parts = path.split('/').filter(Boolean);
        const parent = '/' + parts.slice(0, -1).join('/');
        const name = parts.at(-1);
        try {
          // Find the entry's row in its folder (paged as the tree pages), then open the folder there.
          for (let offset = 0; ; offset += 2000) {
            const page = await client.invoke('project.list', { path: parent, offset, limit: 2000 });
            const at = page.entries.findIndex((e) => e.name === name);
            if (at >= 0) {
              const index = offset + at;
              await get().openProjectFolder(parent);
              const first = Math.floor(index / PAGE_SIZE) * PAGE_SIZE;
              await get().ensureRows(first, Math.min(first + PAGE_SIZE - 1, page.total - 1));
              get().select(index, 'single');
              set({ revealed: { path, index, seq: ++revealSeq } });
              return true;
            }
            if (offset + page.entries.length >= page.total) break;
          }
          get().showError({ message: t('preflight.gone', { path }), code: 'NOT_FOUND' });
          return false;
        } catch (err) {
          fail(err);
          return false;
        }
      },
      async setBootEntry(platform, entry) {
        const others = (get().imageOptions.boot ?? []).filter((b) => b.platform !== platform);
        const boot = entry ? [...others, { platform, ...entry }] : others;
        // BIOS first: the catalog's default entry is the BIOS one (El Torito §2.2), EFI in a section.
        boot.sort((a, b) => (a.platform === b.platform ? 0 : a.platform === 'bios' ? -1 : 1));
        const patch: Partial<AppImageOptions> = { boot: boot.length ? boot : undefined };
        // The renderer's isohybrid has no MBR boot code (a host file): it boots from USB only through
        // an EFI entry, so it goes when the EFI entry does (the options model refuses it otherwise).
        if (!boot.some((b) => b.platform === 'efi')) patch.isohybrid = undefined;
        return get().updateImageOptions(patch);
      },
      async addBootImageFromHost(platform) {
        const s = get();
        const chosen = s.hostSelection.length === 1 ? s.listing?.entries.find((e) => e.path === s.hostSelection[0]) : undefined;
        if (!chosen || chosen.kind !== 'file') {
          get().announce(t('boot.selectOneHostFile'));
          return false;
        }
        try {
          const r = await client.invoke('project.addPaths', { paths: [chosen.path], into: s.folder });
          get().applyProject(r.snapshot);
          const path = r.added[0]!;
          if (r.renamed.length) get().announce(t('project.renamed', { wanted: r.renamed[0]!.wanted, given: r.renamed[0]!.given }));
          return get().setBootEntry(platform, platform === 'bios' ? { isoPath: path, emulation: 'none', loadSize: 4, infoTable: true } : { isoPath: path, emulation: 'none' });
        } catch (err) {
          fail(err);
          return false;
        }
      },
      async setIsohybrid(on, gpt) {
        return get().updateImageOptions({ isohybrid: on ? (gpt ? { gpt: true } : {}) : undefined });
      },
      async writeBootableImage(path, overwrite) {
        set({ bootReport: undefined });
        await get().writeImageTo(path, overwrite);
        const written = get().lastImage;
        if (!written?.path) return false;
        await get().inspectBoot(written.path);
        return get().bootReport !== undefined;
      },
      async inspectBoot(path) {
        try {
          set({ bootReport: await client.invoke('project.inspectBoot', { path }) });
        } catch (err) {
          fail(err);
        }
      },
    };
  };
