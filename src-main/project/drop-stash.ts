// Files dropped on the browser shell's page from the OS file manager: the page cannot hand host
// paths to main (by design), so it streams the files' bytes over the WebSocket in chunks under
// MAX_MESSAGE_BYTES into a stash directory main owns; finished files are then staged like host
// paths. Each upload declares its name and size up front; names are checked like image names,
// sizes against a stash limit; chunks must arrive in order and never past the declared size.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InvalidInputError, IoError, NotFoundError } from '../common/errors';
import { validateName } from '../image/staging/staging-tree';

/** Default: 8 GiB of dropped files at once (GLASSMASTER_STASH_LIMIT overrides, in bytes). */
export const DEFAULT_STASH_LIMIT = 8 * 1024 ** 3;

interface Upload {
  id: number;
  name: string;
  size: number;
  received: number;
  dir: string;
  path: string;
  out: WriteStream;
  done: boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DropStash {
  private nextId = 1;
  private readonly uploads = new Map<number, Upload>();
  /** Bytes declared by every upload still in the stash. */
  private reserved = 0;
  /** Dropped folders (beginTree): id → their folder in the stash. */
  private readonly trees = new Map<number, string>();
  private ready: Promise<void> | undefined;

  /**
   * This process's own folder under the stash directory. The app, `serve` and other instances share
   * one state directory: each owns `pid-<PID>/` and, when it starts stashing, removes only the
   * folders of processes that are gone (and the old single-folder layout's), never a live one's.
   */
  private readonly own: string;

  constructor(private readonly opts: { dir: string; limit?: number }) {
    this.own = join(opts.dir, `pid-${process.pid}`);
  }

  /** Removes what earlier processes left (dead owners, our own PID's leftovers, legacy folders) and creates our folder. */
  private async prepare(): Promise<void> {
    const entries = await readdir(this.opts.dir).catch(() => [] as string[]);
    for (const name of entries) {
      const m = /^pid-(\d+)$/.exec(name);
      if (m && Number(m[1]) !== process.pid && processAlive(Number(m[1]))) continue;
      await rm(join(this.opts.dir, name), { recursive: true, force: true });
    }
    await mkdir(this.own, { recursive: true });
  }

  get limit(): number {
    return this.opts.limit ?? DEFAULT_STASH_LIMIT;
  }

  /**
   * Begins one file. Alone (no `tree`): in a folder of its own, so two drops of "a.txt" do not
   * collide. In a dropped folder (`tree` from beginTree, `dir` its relative folder such as
   * 'photos/2026'): at that place in the tree's folder, so staging the tree keeps the structure.
   */
  async begin(name: string, size: number, at: { tree?: number; dir?: string } = {}): Promise<{ uploadId: number }> {
    validateName(name, name);
    if (this.reserved + size > this.limit) {
      throw new InvalidInputError(`dropped files are limited to ${Math.round(this.limit / 1024 ** 2)} MiB at once: add large files from the "Files on this computer" pane instead`, { name, size, limit: this.limit });
    }
    this.ready ??= this.prepare();
    await this.ready;
    const id = this.nextId++;
    let dir: string;
    if (at.tree !== undefined) {
      dir = at.dir ? this.treeFolder(at.tree, at.dir) : this.requireTree(at.tree);
      await mkdir(dir, { recursive: true });
    } else {
      if (at.dir) throw new InvalidInputError('a folder inside a drop needs its tree (stash.tree)');
      // One folder per upload keeps the dropped name as is (two drops of "a.txt" do not collide).
      dir = join(this.own, String(id));
      await mkdir(dir);
    }
    const path = join(dir, name);
    const out = createWriteStream(path, { flags: 'wx' });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', (err) => reject(new IoError(`cannot stash ${name}: ${err.message}`, { path, cause: err })));
    });
    this.reserved += size;
    this.uploads.set(id, { id, name, size, received: 0, dir, path, out, done: false });
    return { uploadId: id };
  }

  async chunk(uploadId: number, offset: number, data: Uint8Array): Promise<{ bytesReceived: number }> {
    const u = this.require(uploadId);
    if (u.done) throw new InvalidInputError(`upload ${uploadId} is already complete`);
    if (offset !== u.received) throw new InvalidInputError(`upload ${uploadId}: chunk at ${offset}, expected ${u.received}`, { uploadId, offset, expected: u.received });
    if (u.received + data.byteLength > u.size) throw new InvalidInputError(`upload ${uploadId}: more bytes than the ${u.size} declared`, { uploadId });
    await new Promise<void>((resolve, reject) => u.out.write(data, (err) => (err ? reject(new IoError(`cannot stash ${u.name}: ${err.message}`, { path: u.path, cause: err })) : resolve())));
    u.received += data.byteLength;
    return { bytesReceived: u.received };
  }

  /** Closes a complete upload and returns its stash path (for staging). */
  async finish(uploadId: number): Promise<string> {
    const u = this.require(uploadId);
    if (u.received !== u.size) throw new InvalidInputError(`upload ${uploadId} is incomplete: ${u.received} of ${u.size} bytes`, { uploadId });
    if (!u.done) {
      await new Promise<void>((resolve, reject) => u.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      u.done = true;
    }
    if ((await stat(u.path)).size !== u.size) throw new IoError(`stashed ${u.name} has the wrong size`, { path: u.path });
    return u.path;
  }

  /** A dropped folder's place in the stash: files begun with its id land under it by relative path. */
  async beginTree(): Promise<{ tree: number }> {
    this.ready ??= this.prepare();
    await this.ready;
    const id = this.nextId++;
    const dir = join(this.own, `tree-${id}`);
    await mkdir(dir);
    this.trees.set(id, dir);
    return { tree: id };
  }

  /** Makes (empty) folders of a dropped tree, so they are kept when it is staged. */
  async mkdirs(tree: number, dirs: string[]): Promise<void> {
    for (const d of dirs) await mkdir(this.treeFolder(tree, d), { recursive: true });
  }

  /**
   * Closes the tree's uploads (each must be complete and begun in this tree) and returns the host
   * paths of its top-level entries, for staging as folders and files.
   */
  async finishTree(tree: number, uploadIds: number[]): Promise<string[]> {
    const root = this.requireTree(tree);
    for (const id of uploadIds) {
      const u = this.require(id);
      if (!u.path.startsWith(root + sep)) throw new InvalidInputError(`upload ${id} is not part of dropped folder ${tree}`, { uploadId: id, tree });
      await this.finish(id);
    }
    return (await readdir(root)).sort().map((n) => join(root, n));
  }

  /** Drops a tree (cancelled): its uploads and folder are removed. */
  async cancelTree(tree: number): Promise<void> {
    const root = this.trees.get(tree);
    if (!root) return;
    for (const u of [...this.uploads.values()]) if (u.path.startsWith(root + sep)) await this.cancel(u.id);
    this.trees.delete(tree);
    await rm(root, { recursive: true, force: true });
  }

  private requireTree(tree: number): string {
    const root = this.trees.get(tree);
    if (!root) throw new NotFoundError(`no dropped folder ${tree} (cancelled or never begun)`, { tree });
    return root;
  }

  /** The stash folder of `dir` inside tree `tree`: every name checked like an image name (no '..', no '/', no NUL). */
  private treeFolder(tree: number, dir: string): string {
    const root = this.requireTree(tree);
    const names = dir.split('/');
    for (const n of names) validateName(n, dir);
    const path = join(root, ...names);
    if (!path.startsWith(root + sep)) throw new InvalidInputError(`${dir}: not a folder inside the drop`, { dir });
    return path;
  }

  /** Drops an upload (cancelled, or its file left the project): its bytes and reservation are freed. */
  async cancel(uploadId: number): Promise<void> {
    const u = this.uploads.get(uploadId);
    if (!u) return;
    this.uploads.delete(uploadId);
    this.reserved -= u.size;
    u.out.destroy();
    // A file of a dropped folder: only the file goes (the tree's other files stay).
    if (u.dir.startsWith(this.own + sep + 'tree-')) await rm(u.path, { force: true });
    else await rm(u.dir, { recursive: true, force: true });
  }

  async dispose(): Promise<void> {
    for (const u of this.uploads.values()) u.out.destroy();
    this.uploads.clear();
    this.trees.clear();
    this.reserved = 0;
    await rm(this.own, { recursive: true, force: true });
  }

  private require(id: number): Upload {
    const u = this.uploads.get(id);
    if (!u) throw new NotFoundError(`no upload ${id} (cancelled or never begun)`, { uploadId: id });
    return u;
  }
}
