// The data project as the renderer holds it: main's summary snapshot, the folder being viewed and
// the pages of it that are on screen (never the whole tree), the selection, and every edit as a
// call to main. Renames main made to keep names unique are announced.
import type { StateCreator } from 'zustand';
import type { GlassmasterClient } from '../../../src-main/common/ipc/contract';
import type { CapacityTarget } from '../shared/capacity';
import type { ImageProgress, ProjectEditResult, ProjectEntry, ProjectSnapshot, RecentProject } from '../../../src-main/common/model/project';
import type { AppState } from './use-app-store';
import { isCancel, toUiError } from './errors';
import { t } from '../i18n';
import { toBase64 } from '../shared/base64';

/** Bytes per upload chunk: contract.ts STASH_CHUNK_BYTES (the renderer imports types only; a test keeps them equal). */
export const STASH_CHUNK_BYTES = 96 * 1024;

/**
 * One dropped file into main's stash in chunks: its upload id goes into `ids` first (a failure can
 * then cancel every upload begun), `onBytes` after each chunk (progress); an aborted `signal` stops
 * it between chunks with an AbortError. Shared by the data and audio projects' drops.
 */
export async function sendToStash(client: GlassmasterClient, file: DroppedFile, where: { tree?: number; dir?: string }, ids: number[], onBytes: (n: number) => void, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new DOMException('cancelled', 'AbortError');
  const { uploadId } = await client.invoke('stash.begin', { name: file.name, size: file.size, ...where });
  ids.push(uploadId);
  for (let offset = 0; offset < file.size; offset += STASH_CHUNK_BYTES) {
    if (signal?.aborted) throw new DOMException('cancelled', 'AbortError');
    const bytes = new Uint8Array(await file.slice(offset, offset + STASH_CHUNK_BYTES).arrayBuffer());
    await client.invoke('stash.chunk', { uploadId, offset, data: toBase64(bytes) });
    onBytes(bytes.length);
  }
}

/** Rows fetched per call when the tree scrolls. */
export const PAGE_SIZE = 500;

/**
 * Page calls in flight at once. Main answers at most MAX_CALLS_IN_FLIGHT (128) calls per
 * connection and refuses the rest: "select all" of 100,000 rows is 200 pages, fetched in waves.
 */
export const PAGE_CALLS_AT_ONCE = 8;

/** A file dropped from the OS file manager (a DOM File; a Blob with a name in tests). */
export type DroppedFile = Blob & { name: string };

export interface UploadState {
  files: number;
  totalBytes: number;
  sentBytes: number;
}

export interface ProjectSlice {
  project: ProjectSnapshot | undefined;
  /** The project folder being viewed ('/' is the disc's root). */
  folder: string;
  folderTotal: number;
  /** Loaded pages of the folder's children, by page index; dropped when the project changes. */
  pages: Record<number, ProjectEntry[]>;
  pagesRevision: number;
  selection: string[];
  anchor: number | undefined;
  capacityTarget: 'disc' | CapacityTarget;
  imageProgress: ImageProgress | undefined;
  lastImage: { path?: string; bytes: number } | undefined;
  upload: UploadState | undefined;
  recent: RecentProject[];
  /** Deprecated name kept for the first UI's tests: the last project error message. */
  projectError: string | undefined;
  loadProject(): Promise<void>;
  openProjectFolder(path: string): Promise<void>;
  ensureRows(start: number, end: number): Promise<void>;
  rowAt(index: number): ProjectEntry | undefined;
  select(index: number, mode?: 'single' | 'toggle' | 'range'): void;
  selectAll(): Promise<void>;
  addHostPaths(paths: string[], into?: string): Promise<boolean>;
  addFromDialog(directories: boolean): Promise<void>;
  newFolder(name?: string): Promise<void>;
  rename(path: string, name: string): Promise<void>;
  move(paths: string[], into: string): Promise<void>;
  deleteSelected(): Promise<void>;
  deletePaths(paths: string[]): Promise<void>;
  undo(): Promise<void>;
  clearProject(): Promise<void>;
  setLabel(label: string): Promise<void>;
  saveProject(path: string): Promise<boolean>;
  openProject(path: string): Promise<boolean>;
  loadRecent(): Promise<void>;
  uploadFiles(files: DroppedFile[], into?: string): Promise<void>;
  /**
   * Dropped folders (browser shell): every file streamed into one tree in main's stash at its
   * relative folder (`dir`, '' at the top), empty folders made, then staged into `into` as the
   * folders and files that were dropped, in one undoable step.
   */
  uploadTree(files: { file: DroppedFile; dir: string }[], emptyDirs: string[], into?: string): Promise<void>;
  cancelUpload(): void;
  setCapacityTarget(target: 'disc' | CapacityTarget): void;
  writeImage(): Promise<void>;
  writeImageTo(path: string, overwrite?: boolean): Promise<void>;
  cancelWrite(): void;
  applyProject(snapshot: ProjectSnapshot): void;
  applyImageProgress(progress: ImageProgress): void;
}

export const createProjectSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], ProjectSlice> =>
  (set, get) => {
    let writing: AbortController | undefined;
    let uploading: AbortController | undefined;
    const streamFile = (file: DroppedFile, where: { tree?: number; dir?: string }, signal: AbortSignal, ids: number[]) =>
      sendToStash(client, file, where, ids, (n) => set((s) => ({ upload: s.upload && { ...s.upload, sentBytes: s.upload.sentBytes + n } })), signal);
    // Pages being fetched: a second caller (the list, "select all") waits for the same call.
    const loading = new Map<number, Promise<void>>();
    // The file pane shows the folder a project or image was just written into: list it again.
    const refreshHostFolder = () => {
      const l = get().listing;
      if (l) void get().openFolder(l.path);
    };

    const fail = (err: unknown) => {
      const e = toUiError(err);
      set({ projectError: e.message });
      get().showError(e);
    };
    const announceEdit = (r: ProjectEditResult, done: string) => {
      if (r.renamed.length === 1) get().announce(t('project.renamed', { wanted: r.renamed[0].wanted, given: r.renamed[0].given }));
      else if (r.renamed.length > 1) get().announce(t('project.renamedMany', { count: r.renamed.length, given: r.renamed[0].given }));
      else get().announce(done);
    };
    const run = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
      set({ projectError: undefined });
      try {
        return await fn();
      } catch (err) {
        if (isCancel(err)) return undefined;
        fail(err);
        return undefined;
      }
    };
    const fetchPage = async (page: number, revision: number, folder: string) => {
      try {
        const r = await client.invoke('project.list', { path: folder, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
        if (get().folder !== folder || get().pagesRevision !== revision) return;
        set((s) => ({ pages: { ...s.pages, [page]: r.entries }, folderTotal: r.total }));
      } catch (err) {
        // The folder went away (deleted, undone): go up to the disc root.
        if ((err as { code?: string }).code === 'NOT_FOUND' && folder !== '/') void get().openProjectFolder('/');
        else fail(err);
      }
    };
    const loadPage = (page: number, revision: number, folder: string): Promise<void> => {
      const pending = loading.get(page);
      if (pending) return pending;
      const call = fetchPage(page, revision, folder).finally(() => {
        if (loading.get(page) === call) loading.delete(page);
      });
      loading.set(page, call);
      return call;
    };

    return {
      project: undefined,
      folder: '/',
      folderTotal: 0,
      pages: {},
      pagesRevision: -1,
      selection: [],
      anchor: undefined,
      capacityTarget: 'disc',
      imageProgress: undefined,
      lastImage: undefined,
      upload: undefined,
      recent: [],
      projectError: undefined,
      loadProject: async () => {
        const s = await run(() => client.invoke('project.get', {}));
        if (s) get().applyProject(s);
      },
      async openProjectFolder(folder) {
        loading.clear();
        set({ folder, pages: {}, selection: [], anchor: undefined });
        const revision = get().project?.revision ?? 0;
        set({ pagesRevision: revision });
        await loadPage(0, revision, folder);
      },
      async ensureRows(start, end) {
        const { pages, pagesRevision, folder } = get();
        const first = Math.floor(Math.max(0, start) / PAGE_SIZE);
        const last = Math.floor(Math.max(0, end) / PAGE_SIZE);
        const wanted: number[] = [];
        for (let p = first; p <= last; p++) if (!pages[p]) wanted.push(p);
        for (let i = 0; i < wanted.length; i += PAGE_CALLS_AT_ONCE) {
          if (get().folder !== folder || get().pagesRevision !== pagesRevision) return;
          await Promise.all(wanted.slice(i, i + PAGE_CALLS_AT_ONCE).map((p) => loadPage(p, pagesRevision, folder)));
        }
      },
      rowAt(index) {
        return get().pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
      },
      select(index, mode = 'single') {
        const row = get().rowAt(index);
        if (!row) return;
        const { selection, anchor } = get();
        if (mode === 'toggle') {
          set({ selection: selection.includes(row.path) ? selection.filter((p) => p !== row.path) : [...selection, row.path], anchor: index });
        } else if (mode === 'range' && anchor !== undefined) {
          const [a, b] = [anchor, index].sort((x, y) => x - y);
          const paths: string[] = [];
          for (let i = a; i <= b; i++) {
            const r = get().rowAt(i);
            if (r) paths.push(r.path);
          }
          set({ selection: paths });
        } else {
          set({ selection: [row.path], anchor: index });
        }
      },
      async selectAll() {
        const { folderTotal: total, folder, pagesRevision } = get();
        await get().ensureRows(0, total - 1);
        // The user may have opened another folder (or edited the project) while the pages came: a
        // selection of the old folder's count over the new folder's rows would select what they
        // never chose (and a Delete would remove it).
        if (get().folder !== folder || get().pagesRevision !== pagesRevision) return;
        const paths: string[] = [];
        for (let i = 0; i < total; i++) {
          const r = get().rowAt(i);
          if (r) paths.push(r.path);
        }
        set({ selection: paths });
      },
      async addHostPaths(paths, into) {
        const r = await run(() => client.invoke('project.addPaths', { paths, into: into ?? get().folder }));
        if (!r) return false;
        get().applyProject(r.snapshot);
        announceEdit(r, t('project.added', { count: r.added.length }));
        return true;
      },
      addFromDialog: async (directories) => {
        const s = await run(() => client.invoke('project.addFromDialog', { directories }));
        if (s) get().applyProject(s);
      },
      async newFolder(name = t('project.newFolderName')) {
        const r = await run(() => client.invoke('project.newFolder', { parent: get().folder, name }));
        if (!r) return;
        get().applyProject(r.snapshot);
        announceEdit(r, t('project.added', { count: 1 }));
        set({ selection: r.added });
      },
      async rename(path, name) {
        const r = await run(() => client.invoke('project.rename', { path, name }));
        if (!r) return;
        get().applyProject(r.snapshot);
        announceEdit(r, '');
        if (r.added.length) set({ selection: r.added });
      },
      async move(paths, into) {
        const r = await run(() => client.invoke('project.move', { paths, into }));
        if (!r) return;
        get().applyProject(r.snapshot);
        announceEdit(r, t('project.moved', { count: r.added.length }));
      },
      deleteSelected: () => get().deletePaths(get().selection),
      async deletePaths(paths) {
        if (!paths.length) return;
        const s = await run(() => client.invoke('project.delete', { paths }));
        if (!s) return;
        set({ selection: [] });
        get().applyProject(s);
        get().announce(t('project.deleted', { count: paths.length }));
      },
      async undo() {
        const s = await run(() => client.invoke('project.undo', {}));
        if (!s) return;
        get().applyProject(s);
        get().announce(t('project.undone'));
      },
      clearProject: async () => {
        const s = await run(() => client.invoke('project.clear', {}));
        if (s) get().applyProject(s);
      },
      setLabel: async (label) => {
        const s = await run(() => client.invoke('project.setLabel', { label }));
        if (s) get().applyProject(s);
      },
      async saveProject(path) {
        const s = await run(() => client.invoke('project.save', { path }));
        if (!s) return false;
        get().applyProject(s);
        get().announce(t('project.saved', { path: s.file }));
        refreshHostFolder();
        void get().loadRecent();
        return true;
      },
      async openProject(path) {
        const r = await run(() => client.invoke('project.open', { path }));
        if (!r) return false;
        if (r.audio) {
          // An audio CD project file: it replaced the audio project; the data project is unchanged.
          get().applyOpenedAudio({ snapshot: r.audio, changed: r.changed, missing: r.missing });
          void get().loadRecent();
          return true;
        }
        get().applyProject(r.snapshot);
        await get().openProjectFolder('/');
        const notes = [t('project.opened', { path: r.snapshot.file })];
        if (r.changed.length) notes.push(t('project.changed', { count: r.changed.length }));
        if (r.missing.length) notes.push(t('project.missing', { count: r.missing.length }));
        get().announce(notes.join(' '));
        if (r.changed.length || r.missing.length) {
          get().showError({ message: notes.slice(1).join(' '), code: 'NOT_FOUND', detail: [...r.changed.map((p) => `changed: ${p}`), ...r.missing.map((p) => `missing: ${p}`)].join('\n') });
        }
        get().setView('data');
        void get().loadRecent();
        return true;
      },
      async loadRecent() {
        const recent = await run(() => client.invoke('project.recent', {}));
        if (recent) set({ recent });
      },
      async uploadFiles(files, into) {
        const target = into ?? get().folder;
        const controller = (uploading = new AbortController());
        const totalBytes = files.reduce((s, f) => s + f.size, 0);
        set({ upload: { files: files.length, totalBytes, sentBytes: 0 } });
        const ids: number[] = [];
        try {
          for (const file of files) await streamFile(file, {}, controller.signal, ids);
          if (controller.signal.aborted) throw new DOMException('cancelled', 'AbortError');
          const r = await client.invoke('stash.finish', { uploadIds: ids, into: target });
          get().applyProject(r.snapshot);
          announceEdit(r, t('project.added', { count: r.added.length }));
        } catch (err) {
          for (const uploadId of ids) void client.invoke('stash.cancel', { uploadId }).catch(() => undefined);
          if (isCancel(err)) get().announce(t('project.uploadCancelled'));
          else fail(err);
        } finally {
          uploading = undefined;
          set({ upload: undefined });
        }
      },
      async uploadTree(files, emptyDirs, into) {
        const target = into ?? get().folder;
        const controller = (uploading = new AbortController());
        const totalBytes = files.reduce((s, f) => s + f.file.size, 0);
        set({ upload: { files: files.length, totalBytes, sentBytes: 0 } });
        const ids: number[] = [];
        try {
          const { tree } = await client.invoke('stash.tree', {});
          for (let i = 0; i < emptyDirs.length; i += 10_000) await client.invoke('stash.mkdir', { tree, dirs: emptyDirs.slice(i, i + 10_000) });
          for (const { file, dir } of files) await streamFile(file, { tree, ...(dir ? { dir } : {}) }, controller.signal, ids);
          if (controller.signal.aborted) throw new DOMException('cancelled', 'AbortError');
          const r = await client.invoke('stash.finishTree', { tree, uploadIds: ids, into: target });
          get().applyProject(r.snapshot);
          announceEdit(r, t('project.added', { count: r.added.length }));
        } catch (err) {
          // The uploads' bytes and their share of the stash limit are freed (the tree's folders are emptied on the next start).
          for (const uploadId of ids) void client.invoke('stash.cancel', { uploadId }).catch(() => undefined);
          if (isCancel(err)) get().announce(t('project.uploadCancelled'));
          else fail(err);
        } finally {
          uploading = undefined;
          set({ upload: undefined });
        }
      },
      cancelUpload() {
        uploading?.abort();
      },
      setCapacityTarget(capacityTarget) {
        set({ capacityTarget });
      },
      async writeImage() {
        writing = new AbortController();
        set({ projectError: undefined, lastImage: undefined, imageProgress: undefined });
        try {
          const written = await client.invoke('project.writeImage', {}, { signal: writing.signal });
          set({ lastImage: written ?? undefined });
        } catch (err) {
          if (isCancel(err)) get().announce(t('image.cancelled'));
          else fail(err);
        } finally {
          writing = undefined;
          set({ imageProgress: undefined });
        }
      },
      async writeImageTo(path, overwrite = false) {
        writing = new AbortController();
        set({ projectError: undefined, lastImage: undefined, imageProgress: undefined });
        try {
          const written = await client.invoke('project.writeImageTo', { path, overwrite }, { signal: writing.signal });
          set({ lastImage: written });
          get().announce(t('image.written', { path: written.path, bytes: written.bytes }));
          refreshHostFolder();
        } catch (err) {
          if (isCancel(err)) get().announce(t('image.cancelled'));
          else fail(err);
        } finally {
          writing = undefined;
          set({ imageProgress: undefined });
        }
      },
      cancelWrite() {
        writing?.abort();
      },
      applyProject(project) {
        const prev = get().project;
        set({ project });
        // A changed tree: the pages on screen are re-read (the list component asks for them).
        if (!prev || prev.revision !== project.revision) {
          loading.clear();
          set({ pages: {}, pagesRevision: project.revision });
          void loadPage(0, project.revision, get().folder);
        }
      },
      applyImageProgress(imageProgress) {
        set({ imageProgress });
      },
    };
  };
