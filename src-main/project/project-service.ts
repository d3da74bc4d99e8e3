// The data-disc project: a folder tree of host files (read only when the image streams out),
// edited by image path (add, new folder, rename, move, delete, undo), summarised for the renderer
// and listed to it a page at a time, planned by the image engine for the capacity meter, saved to
// and opened from `.glassmaster` files, and written to an image file by the engine in a worker.
import { constants as fsc } from 'node:fs';
import { access, lstat, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { StagingTree, compareCodePoints, hostFileNode, splitPath, validateName, type StagingNode } from '../image/staging/staging-tree';
import { packTreeSliced, type PackedTree, type RefOf } from '../image/staging/packed-tree';
import { FoldedScan, forEachEntry, subtreeTotals } from './folded-tree';
import { scanNotHeld } from '../image/staging/scan-cache';
import type { BootInspection, PreflightReportView } from '../common/model/project-checks';
import type { ImageEngine, ImageWorkerProgress } from '../image/image-engine';
import type { ImageRequest } from '../image/image-spec';
import { AppImageOptionsSchema, type AppImageOptions } from '../common/model/image-options';
import { GlassmasterError, InvalidInputError, NotFoundError, NotSupportedError, throwIfAborted } from '../common/errors';
import type { ImageProgress, ProjectEditResult, ProjectEntry, ProjectOpenResult, ProjectPage, ProjectSnapshot, RecentProject } from '../common/model/project';
import type { Dialogs } from './dialogs';
import { ioErrorFor } from './host-files';
import { openOutput, planOutput } from '../image/output-file';
import { inStash, keepDroppedFile } from './keep-dropped';
import { PROJECT_FILE_EXTENSION, PROJECT_FILE_FORMAT, PROJECT_SCHEMA_VERSION, parseProjectFile, type ProjectFile, type ProjectFileEntry } from './project-file';

export interface ProjectServiceOptions {
  engine: () => ImageEngine;
  dialogs?: Dialogs;
  onChange?: (snapshot: ProjectSnapshot) => void;
  onProgress?: (progress: ImageProgress) => void;
  /** Where recent projects are remembered (recent-projects.json); none: in memory only. */
  stateDir?: string;
  /** Delay before the capacity plan runs after a change (edits in a burst plan once). */
  planDelayMs?: number;
  /** The drop stash (emptied on every start): files from it are kept beside a saved project (keep-dropped.ts). */
  stashDir?: string;
}

/** Undo steps kept. */
const UNDO_DEPTH = 100;
const MAX_RECENT = 10;
/** Largest page of a folder's children the renderer may ask for. */
export const MAX_PAGE = 2000;

/** What a listed entry shows: its bytes and the entries below it (folded folders: from their scan's arrays). */
function summarise(node: StagingNode): { bytes: number; descendants: number } {
  const t = subtreeTotals(node);
  return { bytes: t.bytes, descendants: t.files + t.folders };
}

/** "name", "name (2)", "name (3)" … keeping the extension, so two sources never collide. */
export function uniqueName(wanted: string, taken: (n: string) => boolean): string {
  if (!taken(wanted)) return wanted;
  const ext = extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length) || wanted;
  const suffix = stem === wanted ? '' : ext;
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})${suffix}`;
    if (!taken(candidate)) return candidate;
  }
}

function joinImage(parent: string, name: string): string {
  const parts = splitPath(parent);
  return '/' + [...parts, name].join('/');
}

interface UndoStep {
  label: string;
  undo: () => void;
}

function parentOf(p: string): string {
  return '/' + splitPath(p).slice(0, -1).join('/');
}

export class ProjectService {
  private tree = new StagingTree();
  private label = 'GLASSMASTER';
  private writing: AbortController | undefined;
  private imageOptions: AppImageOptions = {};
  private staging = 0;
  private revision = 0;
  private undoStack: UndoStep[] = [];
  private counts = { files: 0, folders: 0, bytes: 0 };
  private imageBytes: number | null = null;
  private planTimer: ReturnType<typeof setTimeout> | undefined;
  private planning: AbortController | undefined;
  /** An edit came while a capacity plan ran: plan again once it ends. */
  private replan = false;
  private file: string | undefined;
  private dirty = false;
  private recent: RecentProject[] | undefined;
  private listCache: { dir: StagingNode; revision: number; children: StagingNode[] } | undefined;
  /**
   * Folders as the image worker scanned and still holds them (staging/scan-cache.ts): the node's
   * scan and its index there. Such a folder goes to the engine by reference, unless it or anything
   * below it was edited since (`edited`), so a plan or a write does not pack the tree again.
   */
  private readonly scanRefs = new WeakMap<StagingNode, { scan: string; node: number }>();
  /** Folders whose children changed since their scan (an edit marks the folder and every ancestor). */
  private readonly edited = new WeakSet<StagingNode>();
  /** Scans the worker no longer holds (released, or refused once): never referred to again. */
  private readonly releasedScans = new Set<string>();
  /** A scan is released in the worker once its top folder is unreachable here (tree and undo history). */
  private readonly scanRelease = new FinalizationRegistry<string>((scan) => this.releaseScan(scan));
  /** Scans a burn's request refers to (burnRequest): held in the worker until the burn lets go. */
  private readonly pinnedScans = new Map<string, number>();
  /** Pinned scans whose release came meanwhile: released when the last pin goes. */
  private readonly deferredReleases = new Set<string>();
  /** A burn's snapshot is being packed: edits are refused meanwhile (they would be half in it). */
  private snapshotting = 0;

  constructor(private readonly opts: ProjectServiceOptions) {}

  snapshot(): ProjectSnapshot {
    const top = this.undoStack.at(-1);
    return {
      label: this.label,
      totalBytes: this.counts.bytes,
      files: this.counts.files,
      folders: this.counts.folders,
      imageBytes: this.imageBytes,
      revision: this.revision,
      canUndo: top !== undefined,
      undoLabel: top?.label,
      busy: this.writing !== undefined || this.staging > 0,
      file: this.file,
      dirty: this.dirty,
    };
  }

  /** One page of a folder's children: folders first, then code point order (the disc's order). */
  list(path: string, offset: number, limit: number): ProjectPage {
    const dir = this.requireDir(path);
    // Sorted once per folder and revision: scrolling 100,000 entries asks for many pages.
    let children = this.listCache?.dir === dir && this.listCache.revision === this.revision ? this.listCache.children : undefined;
    if (!children) {
      // By kind, not by reading `children`: that would build every listed sub-folder's own children (folded-tree.ts).
      children = [...dir.children!.values()].sort((a, b) => (a.kind === 'dir' ? 0 : 1) - (b.kind === 'dir' ? 0 : 1) || compareCodePoints(a.name, b.name));
      this.listCache = { dir, revision: this.revision, children };
    }
    const base = '/' + splitPath(path).join('/');
    const entries: ProjectEntry[] = children.slice(offset, offset + Math.min(limit, MAX_PAGE)).map((n) => ({
      name: n.name,
      path: base === '/' ? `/${n.name}` : `${base}/${n.name}`,
      kind: n.kind,
      ...summarise(n),
    }));
    return { path: base, total: children.length, offset, entries, revision: this.revision };
  }

  /**
   * Adds host files and folders (recursively) into a project folder. Every path is checked first
   * (exists, readable, a file, folder or symlink): one bad path adds nothing. A taken name gets
   * "name (2)", reported in `renamed`.
   */
  async addPaths(hostPaths: string[], into = '/', opts: { label?: string } = {}): Promise<ProjectEditResult> {
    this.assertIdle();
    this.requireDir(into);
    const resolved = hostPaths.map((p) => resolve(p));
    for (const p of resolved) {
      let st;
      try {
        st = await lstat(p);
        await access(p, fsc.R_OK | (st.isDirectory() ? fsc.X_OK : 0));
      } catch (err) {
        throw ioErrorFor(p, err, 'cannot read');
      }
      if (!st.isFile() && !st.isDirectory() && !st.isSymbolicLink()) throw new InvalidInputError(`${p} is not a file or folder: it cannot go on a disc`, { path: p });
    }
    const renamed: ProjectEditResult['renamed'] = [];
    const added: string[] = [];
    this.staging++;
    this.emit();
    let scanned: { hostPath: string; node: StagingNode }[];
    try {
      // Every folder is walked in the image engine's worker (ImageEngine.scan); the main thread keeps
      // it packed and builds a folder's nodes only when the UI lists it or an edit reaches it
      // (folded-tree.ts). All are scanned before any is staged, so a failure adds nothing.
      scanned = [];
      // Links are followed or recorded as the options say when the folder is added (the options editor says so).
      const followSymlinks = this.imageOptions.followSymlinks ?? false;
      for (const p of resolved) {
        // The worker keeps what it scanned (staging/scan-cache.ts): plans and writes refer to it.
        const { tree, scan } = await this.opts.engine().scan(p, { followSymlinks, keep: true });
        scanned.push({ hostPath: p, node: this.fold(tree, scan) });
      }
    } finally {
      this.staging--;
    }
    // The folder may have been deleted (or an image write started) while the worker scanned.
    this.assertIdle();
    const target = this.requireDir(into);
    this.touch(into);
    for (const { hostPath, node } of scanned) {
      const wanted = basename(hostPath) || hostPath;
      const name = uniqueName(wanted, (n) => target.children!.has(n));
      node.name = name;
      target.children!.set(name, node);
      const path = joinImage(into, name);
      added.push(path);
      if (name !== wanted) renamed.push({ wanted, given: name, path });
    }
    const n = added.length;
    this.pushUndo(opts.label ?? `Add ${n} item${n === 1 ? '' : 's'}`, () => {
      for (const a of added) {
        if (!this.tree.get(a)) continue;
        this.touch(parentOf(a));
        this.tree.remove(a);
      }
    });
    return { snapshot: this.changed(), renamed, added };
  }

  /** Adds host paths at the top of the disc (the dialogs' choice, or the CLI's arguments). */
  async addFromDialog(directories: boolean): Promise<ProjectSnapshot> {
    const chosen = await this.dialogs().chooseSources({ directories });
    return chosen.length ? (await this.addPaths(chosen)).snapshot : this.snapshot();
  }

  newFolder(parentPath: string, wanted: string): ProjectEditResult {
    this.assertIdle();
    validateName(wanted, parentPath);
    const parent = this.requireDir(parentPath);
    const name = uniqueName(wanted, (n) => parent.children!.has(n));
    const path = joinImage(parentPath, name);
    this.touch(parentPath);
    this.tree.mkdir(path);
    this.pushUndo(`New folder ${name}`, () => {
      if (!this.tree.get(path)) return;
      this.touch(parentPath);
      this.tree.remove(path);
    });
    return { snapshot: this.changed(), renamed: name === wanted ? [] : [{ wanted, given: name, path }], added: [path] };
  }

  rename(path: string, wanted: string): ProjectEditResult {
    this.assertIdle();
    validateName(wanted, path);
    this.require(path);
    const parentPath = '/' + splitPath(path).slice(0, -1).join('/');
    const parent = this.requireDir(parentPath);
    const old = splitPath(path).at(-1)!;
    if (wanted === old) return { snapshot: this.snapshot(), renamed: [], added: [] };
    const name = uniqueName(wanted, (n) => n !== old && parent.children!.has(n));
    // The wanted name is taken and the unique one is the entry's own: nothing changes, but say so.
    if (name === old) return { snapshot: this.snapshot(), renamed: [{ wanted, given: old, path }], added: [] };
    this.touch(parentPath);
    this.tree.rename(path, name);
    const now = joinImage(parentPath, name);
    this.pushUndo(`Rename ${old}`, () => {
      this.touch(parentPath);
      this.tree.rename(now, old);
    });
    return { snapshot: this.changed(), renamed: name === wanted ? [] : [{ wanted, given: name, path: now }], added: [now] };
  }

  /** Moves entries into a folder; a taken name there gets "name (2)". */
  move(paths: string[], into: string): ProjectEditResult {
    this.assertIdle();
    const target = this.requireDir(into);
    const intoParts = splitPath(into).join('/');
    for (const p of paths) {
      this.require(p);
      const from = splitPath(p).join('/');
      if (intoParts === from || intoParts.startsWith(from + '/')) throw new InvalidInputError(`cannot move ${p} into itself`, { path: p });
    }
    const moves: { from: string; to: string; oldName: string }[] = [];
    const renamed: ProjectEditResult['renamed'] = [];
    for (const p of paths) {
      const parts = splitPath(p);
      const parentPath = '/' + parts.slice(0, -1).join('/');
      if (parentPath === '/' + intoParts) continue;
      const node = this.require(p);
      const name = uniqueName(node.name, (n) => target.children!.has(n));
      this.touch(parentPath);
      this.touch(into);
      this.requireDir(parentPath).children!.delete(node.name);
      const oldName = node.name;
      node.name = name;
      target.children!.set(name, node);
      const to = joinImage(into, name);
      moves.push({ from: p, to, oldName });
      if (name !== oldName) renamed.push({ wanted: oldName, given: name, path: to });
    }
    if (moves.length) {
      this.pushUndo(`Move ${moves.length} item${moves.length === 1 ? '' : 's'}`, () => {
        for (const m of [...moves].reverse()) {
          const node = this.tree.get(m.to);
          if (!node) continue;
          const fromParts = splitPath(m.from);
          const back = this.tree.mkdir(fromParts.slice(0, -1).join('/'));
          this.touch(parentOf(m.from));
          this.touch(parentOf(m.to));
          this.requireDir(dirname(m.to)).children!.delete(node.name);
          node.name = uniqueName(m.oldName, (n) => back.children!.has(n));
          back.children!.set(node.name, node);
        }
      });
    }
    return { snapshot: this.changed(), renamed, added: moves.map((m) => m.to) };
  }

  /** Deletes entries from the project (not from the host); undo puts them back. */
  delete(paths: string[]): ProjectSnapshot {
    this.assertIdle();
    const nodes = paths.map((p) => ({ p, node: this.require(p) }));
    if (nodes.some(({ p }) => splitPath(p).length === 0)) throw new InvalidInputError('the disc root cannot be deleted');
    const removed: { parent: string; node: StagingNode }[] = [];
    for (const { p, node } of nodes) {
      const parts = splitPath(p);
      const parentNode = this.tree.get(parts.slice(0, -1).join('/'));
      // Already gone with a deleted ancestor.
      if (!parentNode?.children?.has(node.name) || parentNode.children.get(node.name) !== node) continue;
      const parent = '/' + parts.slice(0, -1).join('/');
      this.touch(parent);
      parentNode.children.delete(node.name);
      removed.push({ parent, node });
    }
    this.pushUndo(`Delete ${removed.length} item${removed.length === 1 ? '' : 's'}`, () => {
      for (const r of [...removed].reverse()) {
        const parent = this.tree.mkdir(splitPath(r.parent).join('/'));
        this.touch(r.parent);
        r.node.name = uniqueName(r.node.name, (n) => parent.children!.has(n));
        parent.children!.set(r.node.name, r.node);
      }
    });
    return this.changed();
  }

  /** Removes a top-level entry by name (the first UI's call, kept for compatibility). */
  remove(name: string): ProjectSnapshot {
    if (!this.tree.get(`/${name}`)) throw new NotFoundError(`"${name}" is not in the project`, { name });
    return this.delete([`/${name}`]);
  }

  clear(): ProjectSnapshot {
    this.assertIdle();
    const old = this.tree;
    this.tree = new StagingTree();
    this.pushUndo('Clear the project', () => {
      this.tree = old;
    });
    return this.changed();
  }

  undo(): ProjectSnapshot {
    this.assertIdle();
    const step = this.undoStack.pop();
    if (!step) throw new InvalidInputError('nothing to undo');
    step.undo();
    return this.changed();
  }

  /** The image options (common/model/image-options.ts) the next writeImage uses; the label stays setLabel's unless given here. */
  setImageOptions(options: AppImageOptions): AppImageOptions {
    this.imageOptions = AppImageOptionsSchema.parse(options);
    this.changed(); // the capacity meter re-plans with the new options; the project is unsaved
    return this.imageOptions;
  }

  /** The options the next image uses (what the options editor shows). */
  getImageOptions(): AppImageOptions {
    return this.imageOptions;
  }

  /**
   * What each reader will see of the project with its options (preflight, grouped), against the
   * target capacity in 2048-byte sectors: run in the engine's worker on the packed tree.
   */
  async preflight(maxSectors: number | undefined, signal?: AbortSignal): Promise<PreflightReportView> {
    return this.withSpec(signal, (spec) => this.opts.engine().preflight(spec, { maxSectors, signal }));
  }

  /** The boot inspection (El Torito entries, MBR/GPT) of an image file, e.g. the one just written. */
  async inspectBoot(path: string, signal?: AbortSignal): Promise<BootInspection> {
    return this.opts.engine().inspectBoot(resolve(path), { signal });
  }

  setLabel(label: string): ProjectSnapshot {
    this.label = label;
    return this.changed();
  }

  // ---- Project files ----------------------------------------------------------------------------

  /** Saves the project as `.glassmaster` JSON (the extension is added when missing). */
  async save(path: string): Promise<ProjectSnapshot> {
    const target = resolve(path.endsWith(PROJECT_FILE_EXTENSION) ? path : path + PROJECT_FILE_EXTENSION);
    await this.requireWritableFolder(dirname(target));
    const entries: ProjectFileEntry[] = [];
    const dropped: Extract<ProjectFileEntry, { kind: 'file' }>[] = [];
    // Read from the packed scans where folders are still folded: saving builds no nodes (folded-tree.ts).
    forEachEntry(this.tree.root, (e) => {
      if (e.kind !== 'file') entries.push(e);
      else if (e.source?.type === 'host') {
        const entry = { kind: 'file' as const, path: e.path, source: e.source.hostPath, size: e.size, mtimeMs: e.source.mtimeMs };
        entries.push(entry);
        if (inStash(e.source.hostPath, this.opts.stashDir)) dropped.push(entry);
      }
    });
    // Their nodes, found before anything is awaited (folded folders on their paths are built now).
    const droppedNodes = dropped.map((entry) => this.tree.get(entry.path));
    // Dropped files outlive the stash: kept beside the project, and the open project uses the kept copy too.
    for (const [i, entry] of dropped.entries()) {
      const kept = await keepDroppedFile(target, entry.path, entry.source);
      entry.source = kept.path;
      entry.mtimeMs = kept.mtimeMs;
      const node = droppedNodes[i];
      if (node?.source?.type === 'host') node.source = { ...node.source, hostPath: kept.path, mtimeMs: kept.mtimeMs };
      // The worker's copy still names the stash: the folder goes packed from now on.
      this.touch(parentOf(entry.path));
    }
    const doc: ProjectFile = { format: PROJECT_FILE_FORMAT, schemaVersion: PROJECT_SCHEMA_VERSION, label: this.label, options: this.imageOptions, savedAt: Date.now(), entries };
    // Written beside and renamed (image/output-file.ts: a unique partial created with O_EXCL, a
    // symbolic link written through, never a device or FIFO): a failed save never leaves a
    // half-written project file.
    const out = await openOutput(await planOutput(target));
    try {
      await out.handle.writeFile(JSON.stringify(doc));
      await out.commit();
    } catch (err) {
      await out.abort();
      throw err instanceof GlassmasterError ? err : ioErrorFor(target, err, 'cannot save');
    }
    this.file = target;
    this.dirty = false;
    await this.remember({ path: target, label: this.label, savedAt: doc.savedAt });
    // The tree is unchanged: no new revision, the capacity plan stands.
    const s = this.snapshot();
    this.opts.onChange?.(s);
    return s;
  }

  /** Opens a `.glassmaster` file, replacing the project; sources that changed or vanished are reported. */
  async open(path: string): Promise<ProjectOpenResult> {
    this.assertIdle();
    const file = resolve(path);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw ioErrorFor(file, err, 'cannot open');
    }
    const doc = parseProjectFile(text, file);
    const tree = new StagingTree();
    const changed: string[] = [];
    const missing: string[] = [];
    for (const e of doc.entries) {
      if (e.kind === 'dir') tree.mkdir(e.path);
      else if (e.kind === 'symlink') tree.addSymlink(e.path, e.target);
      else {
        const st = await stat(e.source).catch(() => undefined);
        const readable = st?.isFile() && (await access(e.source, fsc.R_OK).then(() => true, () => false));
        if (!st || !readable) {
          missing.push(e.path);
          continue;
        }
        if (st.size !== e.size || Math.abs(st.mtimeMs - e.mtimeMs) > 1) changed.push(e.path);
        // From the stat above (no synchronous stat on the main thread per file).
        const parts = splitPath(e.path);
        const node = hostFileNode(e.source, st);
        node.name = parts.at(-1)!;
        tree.mkdir(parts.slice(0, -1).join('/')).children!.set(node.name, node);
      }
    }
    const old = this.tree;
    this.tree = tree;
    void old.dispose();
    this.label = doc.label;
    this.imageOptions = doc.options;
    this.file = file;
    this.undoStack = [];
    await this.remember({ path: file, label: doc.label, savedAt: doc.savedAt });
    const snapshot = this.changed(false);
    return { snapshot, renamed: [], added: [], changed, missing };
  }

  async recentProjects(): Promise<RecentProject[]> {
    if (!this.recent) {
      this.recent = [];
      if (this.opts.stateDir) {
        try {
          const list = JSON.parse(await readFile(join(this.opts.stateDir, 'recent-projects.json'), 'utf8')) as unknown;
          if (Array.isArray(list)) {
            this.recent = list
              .filter((r): r is RecentProject => typeof r?.path === 'string' && typeof r?.label === 'string' && typeof r?.savedAt === 'number')
              .slice(0, MAX_RECENT);
          }
        } catch {
          // None yet, or unreadable: the list starts empty.
        }
      }
    }
    return this.recent;
  }

  // ---- Image --------------------------------------------------------------------------------------

  /** Asks where to save, then writes ISO 9660 + Joliet + Rock Ridge + UDF there. */
  async writeImageFromDialog(signal: AbortSignal): Promise<{ path: string; bytes: number } | null> {
    const path = await this.dialogs().chooseImageDestination({ defaultName: `${this.label}.iso` });
    return path ? this.writeImage(path, signal) : null;
  }

  /** Writes the image to a path chosen in the file pane: the folder must exist; an existing file is kept unless overwrite. */
  async writeImageTo(path: string, overwrite: boolean, signal: AbortSignal): Promise<{ path: string; bytes: number }> {
    const target = resolve(path);
    await this.requireWritableFolder(dirname(target));
    const existing = await lstat(target).catch(() => undefined);
    if (existing && (!overwrite || !existing.isFile())) {
      throw new InvalidInputError(`${target} already exists: choose another name${existing.isFile() ? ' or allow replacing it' : ''}`, { path: target });
    }
    return this.writeImage(target, signal);
  }

  async writeImage(path: string, signal: AbortSignal): Promise<{ path: string; bytes: number }> {
    throwIfAborted(signal);
    this.assertIdle();
    if (!this.tree.root.children?.size) throw new InvalidInputError('the project is empty: add files first');
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    this.writing = controller;
    // The write plans the image itself: a capacity plan not started yet would only repeat it (the
    // meter takes the write's number below). One already running finishes first (the worker runs
    // one job at a time); it is not cancelled, which could cost the worker and the scans it holds.
    const planPending = this.planTimer !== undefined || this.replan;
    clearTimeout(this.planTimer);
    this.planTimer = undefined;
    this.replan = false;
    const revision = this.revision;
    this.emit();
    let written = false;
    try {
      this.opts.onProgress?.({ phase: 'planning', bytesWritten: 0, totalBytes: 0 });
      const { bytes, totalSectors } = await this.withSpec(controller.signal, (spec) => this.opts.engine().writeFile(spec, path, {
        signal: controller.signal,
        onProgress: (p: ImageWorkerProgress) => {
          if (p.phase === 'writing') this.opts.onProgress?.({ phase: 'writing', bytesWritten: p.bytesWritten, totalBytes: p.totalBytes });
        },
      }));
      written = true;
      // The engine's plan of exactly this tree and these options: the capacity meter's number.
      if (revision === this.revision) this.imageBytes = totalSectors * 2048;
      this.opts.onProgress?.({ phase: 'done', bytesWritten: bytes, totalBytes: bytes });
      return { path, bytes };
    } finally {
      signal.removeEventListener('abort', abort);
      this.writing = undefined;
      if (!written && planPending && revision === this.revision) this.schedulePlan();
      this.emit();
    }
  }

  async dispose(): Promise<void> {
    this.writing?.abort();
    this.planning?.abort();
    clearTimeout(this.planTimer);
    await this.tree.dispose();
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** What a burn of the project streams through the image engine (burn/engine-sources.ts snapshots it). */
  imageRequest(): ImageRequest {
    return { options: { ...this.imageOptions, label: this.imageOptions.label ?? this.label }, root: this.tree.root };
  }

  /**
   * The same options model and engine as `glassmaster image` (byte-identical for the same options
   * and tree). Folders the worker holds as scanned go by reference (`byReference`); the rest packed.
   */
  private async spec(signal: AbortSignal | undefined, byReference: boolean): Promise<{ spec: ImageRequest; references: boolean }> {
    let references = false;
    const refOf: RefOf | undefined = byReference ? (n) => {
      if (this.edited.has(n)) return undefined;
      const ref = this.scanRefs.get(n);
      if (!ref || this.releasedScans.has(ref.scan)) return undefined;
      references = true;
      return ref;
    } : undefined;
    // Packed a slice at a time: a structured clone of a 50,000-node tree held the main thread ~0.4 s.
    const packedRoot = await packTreeSliced(this.tree.root, signal, refOf);
    return { spec: { options: { ...this.imageOptions, label: this.imageOptions.label ?? this.label }, packedRoot }, references };
  }

  /**
   * The project as a burn sends it to the image engine, snapshotted now: the same request as a write
   * (scanned folders by reference, edited ones packed: nothing unfolded or cloned on this thread),
   * so a burn of 50,000 files neither holds this thread nor waits on it. A burn builds its image
   * more than once (the verify's read-back, more copies, more drives): the scans referred to stay
   * held in the worker until `release()`, whatever the project does meanwhile. `whole()` is the
   * fallback when the worker holds them no longer all the same (it was replaced after a crash): the
   * tree packed whole — refused if the project was edited since, which would burn (or verify
   * against) another tree than the one the burn started with.
   */
  async burnRequest(signal?: AbortSignal): Promise<{ request: ImageRequest; references: boolean; whole: () => Promise<ImageRequest>; release: () => void }> {
    this.assertIdle();
    this.snapshotting++;
    let spec: { spec: ImageRequest; references: boolean };
    try {
      spec = await this.spec(signal, true);
    } finally {
      this.snapshotting--;
    }
    const revision = this.revision;
    const pins = spec.references ? [...new Set((spec.spec.packedRoot?.refs ?? []).map(([, scan]) => scan))] : [];
    for (const scan of pins) this.pinnedScans.set(scan, (this.pinnedScans.get(scan) ?? 0) + 1);
    let released = false;
    return {
      request: spec.spec,
      references: spec.references,
      whole: async () => {
        if (this.revision !== revision) throw new InvalidInputError('The project was changed during the burn, and the image worker had to be restarted: the burn cannot build the same image again. Burn the project again.');
        return (await this.spec(signal, false)).spec;
      },
      release: () => {
        if (released) return;
        released = true;
        for (const scan of pins) {
          const left = (this.pinnedScans.get(scan) ?? 1) - 1;
          if (left > 0) {
            this.pinnedScans.set(scan, left);
            continue;
          }
          this.pinnedScans.delete(scan);
          if (this.deferredReleases.delete(scan)) this.releaseScan(scan);
        }
      },
    };
  }

  /**
   * Runs an engine job on the project's request; when the worker no longer holds a scan the
   * request refers to (scan-cache.ts MUST 2), once more with the whole tree packed.
   */
  private async withSpec<T>(signal: AbortSignal | undefined, job: (spec: ImageRequest) => Promise<T>): Promise<T> {
    const { spec, references } = await this.spec(signal, true);
    try {
      return await job(spec);
    } catch (err) {
      const scan = scanNotHeld(err);
      if (!references || scan === undefined) throw err;
      this.releasedScans.add(scan);
      return job((await this.spec(signal, false)).spec);
    }
  }

  /**
   * The scanned subtree, folded (folded-tree.ts): its folders are built when read. With a scan
   * the worker holds (`scan`), every folder built from it is recorded for references (node i of the
   * packed scan is node i there), and the scan is released once its top node is garbage here.
   */
  private fold(tree: PackedTree, scan: string | undefined): StagingNode {
    const held = scan !== undefined && tree.kinds[0] === 1;
    const root = new FoldedScan(tree, held ? (node, index) => this.scanRefs.set(node, { scan, node: index }) : undefined).root();
    // A single file or link: nothing to refer to.
    if (scan !== undefined && !held) this.releaseScan(scan);
    if (held) this.scanRelease.register(root, scan);
    return root;
  }

  private releaseScan(scan: string): void {
    if (this.pinnedScans.has(scan)) {
      this.deferredReleases.add(scan);
      return;
    }
    this.releasedScans.add(scan);
    this.opts.engine().releaseScans([scan]).catch(() => undefined);
  }

  /** Marks the folder at `path` and every folder above it as edited (sent packed, not by reference). */
  private touch(path: string): void {
    let node: StagingNode | undefined = this.tree.root;
    this.edited.add(node);
    for (const part of splitPath(path)) {
      node = node.children?.get(part);
      if (!node?.children) return;
      this.edited.add(node);
    }
  }

  private dialogs(): Dialogs {
    if (!this.opts.dialogs) throw new NotSupportedError('native file dialogs are the desktop app\'s: in the browser, add files from the "Files on this computer" pane');
    return this.opts.dialogs;
  }

  private assertIdle(): void {
    if (this.writing) throw new InvalidInputError('an image is being written: wait for it or cancel it first');
    if (this.snapshotting) throw new InvalidInputError('the project is being prepared for a burn: try again in a moment');
  }

  private require(p: string): StagingNode {
    const n = this.tree.get(p);
    if (!n) throw new NotFoundError(`${p} is not in the project`, { path: p });
    return n;
  }

  private requireDir(p: string): StagingNode {
    const n = this.require(p);
    if (!n.children) throw new InvalidInputError(`${p} is not a folder of the project`, { path: p });
    return n;
  }

  private async requireWritableFolder(dir: string): Promise<void> {
    try {
      if (!(await stat(dir)).isDirectory()) throw new InvalidInputError(`${dir} is not a folder`, { path: dir });
      await access(dir, fsc.W_OK);
    } catch (err) {
      if (err instanceof GlassmasterError) throw err;
      throw ioErrorFor(dir, err, 'cannot write into');
    }
  }

  /** Adds a project file to the recent list (the audio project's saves and opens too). */
  rememberRecent(entry: RecentProject): Promise<void> {
    return this.remember(entry);
  }

  private async remember(entry: RecentProject): Promise<void> {
    const list = (await this.recentProjects()).filter((r) => r.path !== entry.path);
    list.unshift(entry);
    this.recent = list.slice(0, MAX_RECENT);
    if (!this.opts.stateDir) return;
    await mkdir(this.opts.stateDir, { recursive: true }).catch(() => undefined);
    await writeFile(join(this.opts.stateDir, 'recent-projects.json'), JSON.stringify(this.recent)).catch(() => undefined);
  }

  private pushUndo(label: string, undo: () => void): void {
    this.undoStack.push({ label, undo });
    if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
  }

  private emit(): void {
    this.opts.onChange?.(this.snapshot());
  }

  /** After an edit: new counts and revision, a capacity plan scheduled, listeners told. */
  private changed(dirty = true): ProjectSnapshot {
    this.revision++;
    if (dirty) this.dirty = true;
    const { files, folders, bytes } = subtreeTotals(this.tree.root);
    this.counts = { files, folders, bytes };
    this.imageBytes = null;
    this.schedulePlan();
    const s = this.snapshot();
    this.opts.onChange?.(s);
    return s;
  }

  /** The capacity meter's number: the engine plans the image (all file-system structures) in its worker. */
  private schedulePlan(): void {
    clearTimeout(this.planTimer);
    if (!this.tree.root.children?.size) {
      this.planTimer = undefined;
      return;
    }
    this.planTimer = setTimeout(() => {
      this.planTimer = undefined;
      this.startPlan();
    }, this.opts.planDelayMs ?? 150);
    this.planTimer.unref?.();
  }

  /**
   * One capacity plan at a time. A plan that an edit made stale runs to its end (its number is
   * dropped) and the next starts after it: cancelling a running job can cost the worker (the pool
   * terminates one that does not stop within its grace) and with it the scans it holds.
   */
  private startPlan(): void {
    if (this.planning) {
      this.replan = true;
      return;
    }
    if (!this.tree.root.children?.size) return;
    const controller = (this.planning = new AbortController());
    const revision = this.revision;
    this.withSpec(controller.signal, (spec) => this.opts.engine().plan(spec, { signal: controller.signal }))
      .then(({ totalSectors }) => {
        if (revision !== this.revision || controller.signal.aborted) return;
        this.imageBytes = totalSectors * 2048;
        this.emit();
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.planning === controller) this.planning = undefined;
        if (this.replan && !controller.signal.aborted) {
          this.replan = false;
          if (revision !== this.revision) this.startPlan();
        }
      });
  }
}
