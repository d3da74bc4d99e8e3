// The compilation tree: what the image will contain, independent of any file system facet.
// Host files are referenced, not copied (read when the image streams out); buffers stay in memory;
// streams are stashed to a working directory that dispose() removes. Nodes are plain objects
// (Map, Date, Uint8Array) so a tree crosses a worker boundary by structured clone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { InvalidInputError, IoError, NotFoundError } from '../../common/errors';
import { Instants } from './instants';
import { loadNativeAddonIfBuilt, type NativeAddon, type NativeTreeReader } from '../../transport/native/native-addon';

export type StagingKind = 'file' | 'dir' | 'symlink';

export type StagingSource =
  /** Read from the host at write time; size/mtime recorded when added, checked when read. */
  | { type: 'host'; hostPath: string; mtimeMs: number }
  | { type: 'buffer'; data: Uint8Array }
  /** Multisession: data already recorded in a previous session at this absolute LBA (not rewritten). */
  | { type: 'previous'; lba: number };

export interface StagingNode {
  name: string;
  kind: StagingKind;
  size: number;
  source?: StagingSource;
  symlinkTarget?: string;
  mtime: Date;
  atime: Date;
  ctime: Date;
  /** POSIX mode including the file type bits (S_IFREG/S_IFDIR/S_IFLNK). */
  mode: number;
  uid: number;
  gid: number;
  hidden: boolean;
  children?: Map<string, StagingNode>;
}

export interface EntryOptions {
  mtime?: Date;
  atime?: Date;
  ctime?: Date;
  mode?: number;
  uid?: number;
  gid?: number;
  hidden?: boolean;
}

export interface AddHostOptions {
  /** Follow symlinks instead of storing them as symlinks (loops are refused). */
  followSymlinks?: boolean;
  /**
   * Called for each regular file as it is found (directories in code point order, depth first),
   * with its image path: the CLI places and starts copying file data while the tree is still read.
   */
  onFile?: (node: StagingNode, imagePath: string) => void;
  /**
   * Sees every entry's stat before it is staged: false leaves the entry out, a throw stops the
   * scan. The image output's own partial is left out this way, and a scanned file that is the
   * output is refused (image/output-file.ts outputGuard).
   */
  guard?: (st: HostIdentity, hostPath: string) => boolean;
}

/** Which host file an entry is (st_dev, st_ino). */
export interface HostIdentity { dev: number; ino: number }

/** The stat fields staging records (an fs.Stats has them; so does an entry of the native scanner). */
export interface HostStat extends HostIdentity {
  mode: number;
  size: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  mtime: Date;
  ctime: Date;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFSOCK = 0o140000;
const S_IFIFO = 0o010000;
const S_IFBLK = 0o060000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function splitPath(p: string): string[] {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  for (const part of parts) {
    if (part === '..') throw new InvalidInputError(`'..' is not allowed in an image path: ${p}`, { path: p });
  }
  return parts;
}

export function validateName(name: string, where: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new InvalidInputError(`invalid entry name ${JSON.stringify(name)} at ${where}`, { path: where });
  }
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) {
    throw new InvalidInputError(`entry name is not valid Unicode at ${where}`, { path: where });
  }
}

function typeBits(kind: StagingKind): number {
  return kind === 'dir' ? S_IFDIR : kind === 'symlink' ? S_IFLNK : S_IFREG;
}

export function makeNode(name: string, kind: StagingKind, opts: EntryOptions & { size?: number; now?: Date } = {}): StagingNode {
  const now = opts.now ?? new Date();
  const defMode = kind === 'dir' ? 0o755 : kind === 'symlink' ? 0o777 : 0o644;
  return {
    name,
    kind,
    size: opts.size ?? 0,
    mtime: opts.mtime ?? now,
    atime: opts.atime ?? opts.mtime ?? now,
    ctime: opts.ctime ?? opts.mtime ?? now,
    mode: typeBits(kind) | ((opts.mode ?? defMode) & 0o7777),
    uid: opts.uid ?? 0,
    gid: opts.gid ?? 0,
    hidden: opts.hidden ?? false,
    children: kind === 'dir' ? new Map() : undefined,
  };
}

export class StagingTree {
  readonly root: StagingNode;
  private stashDir: string | undefined;
  private stashCount = 0;

  /**
   * `now` dates every entry the tree makes itself (the root, directories a path needs, buffers and
   * streams without dates of their own), so a fixed `now` gives byte-identical images.
   */
  constructor(opts: { now?: Date; workDir?: string } = {}) {
    this.now = opts.now;
    this.root = makeNode('', 'dir', { now: opts.now });
    this.workDir = opts.workDir;
  }

  private readonly now: Date | undefined;
  private readonly workDir: string | undefined;

  /** Returns the node at isoPath or undefined. */
  get(p: string): StagingNode | undefined {
    let node: StagingNode | undefined = this.root;
    for (const part of splitPath(p)) {
      node = node?.children?.get(part);
      if (!node) return undefined;
    }
    return node;
  }

  private require(p: string): StagingNode {
    const n = this.get(p);
    if (!n) throw new NotFoundError(`no such entry in the compilation: ${p}`, { path: p });
    return n;
  }

  /** mkdir -p; returns the directory node. */
  mkdir(p: string, opts: EntryOptions = {}): StagingNode {
    let node = this.root;
    const parts = splitPath(p);
    parts.forEach((part, i) => {
      validateName(part, p);
      let child = node.children!.get(part);
      if (!child) {
        child = makeNode(part, 'dir', { now: this.now, ...(i === parts.length - 1 ? opts : {}) });
        node.children!.set(part, child);
      } else if (child.kind !== 'dir') {
        throw new InvalidInputError(`not a directory in the compilation: /${parts.slice(0, i + 1).join('/')}`, { path: p });
      }
      node = child;
    });
    return node;
  }

  private parentAndName(p: string): { parent: StagingNode; name: string } {
    const parts = splitPath(p);
    if (parts.length === 0) throw new InvalidInputError('the root cannot be replaced', { path: p });
    const name = parts.pop()!;
    validateName(name, p);
    return { parent: this.mkdir(parts.join('/')), name };
  }

  /** Places a node at p, replacing a file there; merging into an existing directory is refused. */
  private place(p: string, node: StagingNode): StagingNode {
    const { parent, name } = this.parentAndName(p);
    node.name = name;
    const old = parent.children!.get(name);
    if (old && old.kind === 'dir' && node.kind === 'dir') {
      mergeInto(old, node);
      return old;
    }
    parent.children!.set(name, node);
    return node;
  }

  addBuffer(p: string, data: Uint8Array, opts: EntryOptions = {}): StagingNode {
    const node = makeNode('', 'file', { now: this.now, ...opts, size: data.length });
    node.source = { type: 'buffer', data };
    return this.place(p, node);
  }

  addSymlink(p: string, target: string, opts: EntryOptions = {}): StagingNode {
    const node = makeNode('', 'symlink', { now: this.now, ...opts, size: Buffer.byteLength(target) });
    node.symlinkTarget = target;
    return this.place(p, node);
  }

  /** Copies a stream into the working directory (removed by dispose()) and adds it at p. */
  async addStream(p: string, stream: Readable | AsyncIterable<Uint8Array>, opts: EntryOptions = {}): Promise<StagingNode> {
    if (!this.stashDir) {
      this.stashDir = await fs.promises.mkdtemp(path.join(this.workDir ?? os.tmpdir(), 'glassmaster-stash-'));
    }
    const stashPath = path.join(this.stashDir, `s${this.stashCount++}`);
    try {
      await pipeline(stream as AsyncIterable<Uint8Array>, fs.createWriteStream(stashPath));
    } catch (err) {
      throw new IoError(`cannot stash stream for ${p}: ${(err as Error).message}`, { path: p, cause: err });
    }
    const st = fs.statSync(stashPath);
    const node = makeNode('', 'file', { now: this.now, ...opts, size: st.size });
    node.source = { type: 'host', hostPath: stashPath, mtimeMs: st.mtimeMs };
    return this.place(p, node);
  }

  /**
   * Adds a host file, directory (recursively) or symlink at p. With p = '/' and a directory,
   * the directory's contents are merged into the root (mkisofs pathspec semantics).
   */
  addHostPath(p: string, hostPath: string, opts: AddHostOptions = {}): StagingNode {
    const parts = splitPath(p);
    const st = statHost(hostPath, opts.followSymlinks ?? false);
    opts.guard?.(st, hostPath);
    const walk: HostWalk = { ancestors: new Set(), instants: new Instants(), ahead: st.isDirectory() ? treeReader(hostPath, opts) : undefined };
    try {
      if (parts.length === 0) {
        if (st.isDirectory()) {
          walk.ancestors.add(`${st.dev}:${st.ino}`);
          scanDir(hostPath, this.root, opts, walk, '');
          return this.root;
        }
        return this.place(path.basename(hostPath), hostNode(hostPath, st, opts, walk, `/${path.basename(hostPath)}`));
      }
      return this.place(parts.join('/'), hostNode(hostPath, st, opts, walk, `/${parts.join('/')}`));
    } finally {
      walk.ahead?.close();
    }
  }

  remove(p: string): void {
    const { parent, name } = this.parentAndName(p);
    if (!parent.children!.delete(name)) throw new NotFoundError(`no such entry in the compilation: ${p}`, { path: p });
  }

  rename(p: string, newName: string): void {
    validateName(newName, p);
    const { parent, name } = this.parentAndName(p);
    const node = this.require(p);
    if (parent.children!.has(newName)) throw new InvalidInputError(`an entry named ${newName} already exists beside ${p}`, { path: p });
    parent.children!.delete(name);
    node.name = newName;
    parent.children!.set(newName, node);
  }

  move(p: string, newParent: string): void {
    const node = this.require(p);
    const target = this.require(newParent);
    if (target.kind !== 'dir') throw new InvalidInputError(`move target is not a directory: ${newParent}`, { path: newParent });
    const from = splitPath(p).join('/');
    const to = splitPath(newParent).join('/');
    if (to === from || to.startsWith(from + '/')) {
      throw new InvalidInputError(`cannot move ${p} into itself`, { path: p });
    }
    if (target.children!.has(node.name)) throw new InvalidInputError(`${newParent} already has an entry named ${node.name}`, { path: p });
    this.remove(p);
    target.children!.set(node.name, node);
  }

  setDates(p: string, dates: { mtime?: Date; atime?: Date; ctime?: Date }): void {
    const node = this.require(p);
    if (dates.mtime) node.mtime = dates.mtime;
    if (dates.atime) node.atime = dates.atime;
    if (dates.ctime) node.ctime = dates.ctime;
  }

  setHidden(p: string, hidden: boolean): void {
    this.require(p).hidden = hidden;
  }

  /** Removes stashed stream copies. */
  async dispose(): Promise<void> {
    if (this.stashDir) {
      await fs.promises.rm(this.stashDir, { recursive: true, force: true });
      this.stashDir = undefined;
    }
  }
}

function statHost(hostPath: string, follow: boolean): fs.Stats {
  try {
    return follow ? fs.statSync(hostPath) : fs.lstatSync(hostPath);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ELOOP') throw new InvalidInputError(`symlink loop at ${hostPath}`, { path: hostPath });
    throw new IoError(`cannot read ${hostPath}: ${e.code ?? e.message}`, { errno: e.code, path: hostPath, syscall: e.syscall, cause: err });
  }
}

/**
 * fs.Stats numbers come out of a Float64Array, so V8 keeps each one boxed in its own heap object
 * when stored in a node; as small integers they live in the node itself (50,000 files: ~150,000
 * fewer objects for the garbage collector to copy).
 */
function small(n: number): number {
  return n >= 0 && n < 0x80000000 ? n | 0 : n;
}

/** The node of a regular host file from a stat the caller already has (a project file's entries). */
export function hostFileNode(hostPath: string, st: HostStat): StagingNode {
  if ((st.mode & S_IFMT) !== S_IFREG) throw new InvalidInputError(`${hostPath} is not a regular file`, { path: hostPath });
  return hostNode(hostPath, st, {}, { ancestors: new Set(), instants: new Instants() }, '');
}

function hostNode(hostPath: string, st: HostStat, opts: AddHostOptions, walk: HostWalk, imagePath: string): StagingNode {
  // Access time is recorded as the modification time: imaging reads the file and would change
  // its atime, which would make two builds of the same tree differ.
  const type = st.mode & S_IFMT;
  if (type === S_IFREG) {
    // The common case, built in one literal (no option objects): a tree of small files is
    // mostly these, and staging runs before any file data can be placed.
    const mtime = walk.instants.at(st.mtime.getTime());
    const file: StagingNode = {
      name: '', kind: 'file', size: small(st.size),
      mtime, atime: mtime, ctime: walk.instants.at(st.ctime.getTime()), mode: S_IFREG | (st.mode & 0o7777),
      uid: small(st.uid), gid: small(st.gid), hidden: false, children: undefined,
      source: { type: 'host', hostPath, mtimeMs: st.mtimeMs },
    };
    opts.onFile?.(file, imagePath);
    return file;
  }
  const mtime = walk.instants.at(st.mtime.getTime());
  const base = { mtime, atime: mtime, ctime: walk.instants.at(st.ctime.getTime()), uid: small(st.uid), gid: small(st.gid), mode: st.mode & 0o7777 };
  if (type === S_IFDIR) {
    const node = makeNode('', 'dir', base);
    const key = `${st.dev}:${st.ino}`;
    if (walk.ancestors.has(key)) throw new InvalidInputError(`directory loop (symlink) at ${hostPath}`, { path: hostPath });
    walk.ancestors.add(key);
    scanDir(hostPath, node, opts, walk, imagePath);
    walk.ancestors.delete(key);
    return node;
  }
  if (type === S_IFLNK) {
    let target: string;
    try {
      target = fs.readlinkSync(hostPath);
    } catch (err) {
      throw new IoError(`cannot read symlink ${hostPath}`, { path: hostPath, cause: err });
    }
    const node = makeNode('', 'symlink', { ...base, size: Buffer.byteLength(target) });
    node.symlinkTarget = target;
    return node;
  }
  const what = type === S_IFSOCK ? 'a socket' : type === S_IFIFO ? 'a FIFO' : type === S_IFBLK ? 'a block device' : 'a character device';
  throw new InvalidInputError(`cannot put ${what} into an image: ${hostPath}`, { path: hostPath });
}

/**
 * The native directory reader (native/src/dir_scan.h: names and stat fields of a whole directory
 * in one call, each entry stat'ed against the directory's descriptor) unless the addon is not
 * built, or this platform has none (Windows), or GLASSMASTER_JS_SCAN=1 asks for the JavaScript
 * path (its tests; read at every directory, so a test can switch paths).
 */
let nativeScanDir: NativeAddon['scanDir'] | null = null;
function nativeScanner(): NativeAddon['scanDir'] {
  if (process.env.GLASSMASTER_JS_SCAN === '1') return undefined;
  if (nativeScanDir === null) {
    const addon = loadNativeAddonIfBuilt();
    nativeScanDir = addon?.scanDir?.bind(addon);
  }
  return nativeScanDir;
}

/**
 * One addHostPath's walk: the folders above the one being read (a followed link back to one of
 * them is a loop) and the native reader walking the tree ahead of this thread, if any.
 */
interface HostWalk {
  ancestors: Set<string>;
  ahead?: NativeTreeReader;
  /** The walk's Dates, one per instant (instants.ts). */
  instants: Instants;
}

/**
 * The native read-ahead for a folder tree (native/src/tree_read_posix.cc): a thread of the addon's
 * reads the folders (readdir, fstatat per entry) in the order this scanner asks for them, while
 * this thread builds the nodes of those already read — the two took turns before, and the reading
 * is about half of a scan of small files. Not when links are followed (the walk has no loop
 * check; the scanner's would stop it only at the first folder asked for twice), nor where
 * scanDir is not used.
 */
function treeReader(rootPath: string, opts: AddHostOptions): NativeTreeReader | undefined {
  if (opts.followSymlinks || !nativeScanner() || nearPathMax(rootPath)) return undefined;
  const Reader = loadNativeAddonIfBuilt()?.TreeReader;
  if (!Reader) return undefined;
  try {
    return new Reader(rootPath);
  } catch {
    return undefined; // no thread to be had: this thread reads every folder itself, as before
  }
}

/** Fields per entry in the native scanner's numbers (native/src/dir_scan.h kScanFields). */
const SCAN_FIELDS = 8;

/**
 * A folder whose entries' paths may reach PATH_MAX (4096 bytes on Linux): the native reader stats
 * relative to the folder, where such a path still works, but the JavaScript path — and every later
 * open by full path — fails with ENAMETOOLONG, so those folders take the JavaScript path and its error.
 */
function nearPathMax(dirPath: string): boolean {
  return dirPath.length * 3 + 256 >= 4096 && Buffer.byteLength(dirPath) + 256 >= 4096;
}

function scanDir(dirPath: string, into: StagingNode, opts: AddHostOptions, walk: HostWalk, imagePath: string): void {
  const packed = nearPathMax(dirPath) ? null : walk.ahead?.take(dirPath) ?? nativeScanner()?.(dirPath, opts.followSymlinks ?? false);
  if (packed) {
    // The names arrive as one string, each ended by a NUL (native-addon.ts NativeDirectory); an
    // addon built before that (not rebuilt since: `npm install` rebuilds it) gave an array.
    let names: string[];
    if (typeof packed.names === 'string') {
      names = packed.names.split('\0');
      names.pop();
    } else {
      names = packed.names;
    }
    scanPacked(dirPath, names, packed.nums, into, opts, walk, imagePath);
    return;
  }
  for (const name of readNames(dirPath)) {
    const childPath = dirPath.endsWith('/') ? dirPath + name : `${dirPath}/${name}`;
    const st = statHost(childPath, opts.followSymlinks ?? false);
    if (opts.guard && !opts.guard(st, childPath)) continue;
    const child = hostNode(childPath, st, opts, walk, opts.onFile ? `${imagePath}/${name}` : '');
    child.name = name;
    const old = into.children!.get(name);
    if (old && old.kind === 'dir' && child.kind === 'dir') mergeInto(old, child);
    else into.children!.set(name, child);
  }
}

/**
 * scanDir from the native scanner's answer: the same nodes, in the same order, with the same
 * callbacks as the JavaScript loop, without an fs.Stats (and its four Dates) per entry. An entry
 * whose stat failed there is stat'ed again here, so its error is the JavaScript path's (or, if it
 * changed meanwhile, the entry is taken as it is now).
 */
function scanPacked(dirPath: string, names: string[], nums: Float64Array, into: StagingNode, opts: AddHostOptions, walk: HostWalk, imagePath: string): void {
  // Each child's host and image path is one concatenation of its folder's prefix and its name: a
  // string kept for the whole build (node.source, the copier's piece), so not two.
  const hostPrefix = dirPath.endsWith('/') ? dirPath : dirPath + '/';
  const guard = opts.guard;
  const onFile = opts.onFile;
  const imagePrefix = onFile ? imagePath + '/' : '';
  const probe: HostIdentity = { dev: 0, ino: 0 };
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const childPath = hostPrefix + name;
    const o = i * SCAN_FIELDS;
    const mode = nums[o];
    let child: StagingNode;
    if (mode < 0) {
      const st = statHost(childPath, opts.followSymlinks ?? false);
      if (guard && !guard(st, childPath)) continue;
      child = hostNode(childPath, st, opts, walk, onFile ? imagePrefix + name : '');
    } else {
      if (guard) {
        probe.dev = nums[o + 6];
        probe.ino = nums[o + 7];
        if (!guard(probe, childPath)) continue;
      }
      const mtimeMs = nums[o + 4];
      const ctimeMs = nums[o + 5];
      // As fs.Stats dates them (Node's dateFromMs rounds); one Date per instant in the walk.
      const mtime = walk.instants.at(Math.round(mtimeMs));
      const ctime = walk.instants.at(Math.round(ctimeMs));
      if ((mode & S_IFMT) === S_IFREG) {
        // hostNode's file literal, field for field.
        child = {
          name: '', kind: 'file', size: small(nums[o + 1]),
          mtime, atime: mtime, ctime, mode: S_IFREG | (mode & 0o7777),
          uid: small(nums[o + 2]), gid: small(nums[o + 3]), hidden: false, children: undefined,
          source: { type: 'host', hostPath: childPath, mtimeMs },
        };
        if (onFile) onFile(child, imagePrefix + name);
      } else {
        const st: HostStat = { mode, size: nums[o + 1], uid: nums[o + 2], gid: nums[o + 3], mtimeMs, mtime, ctime, dev: nums[o + 6], ino: nums[o + 7] };
        child = hostNode(childPath, st, opts, walk, onFile ? imagePrefix + name : '');
      }
    }
    child.name = name;
    const old = into.children!.get(name);
    if (old && old.kind === 'dir' && child.kind === 'dir') mergeInto(old, child);
    else into.children!.set(name, child);
  }
}

/**
 * A directory's entry names in byte (= code point) order. Read as strings: names as Buffers cost
 * one ArrayBuffer each, which the garbage collector then tracks. Node replaces bytes that are not
 * UTF-8 with U+FFFD, so only a directory with a U+FFFD in a name is read again as bytes, to tell a
 * real U+FFFD from an invalid name.
 */
function readNames(dirPath: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dirPath);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new IoError(`cannot read directory ${dirPath}: ${e.code ?? e.message}`, { errno: e.code, path: dirPath, syscall: e.syscall, cause: err });
  }
  if (names.some((n) => n.includes('\uFFFD'))) {
    names = fs.readdirSync(dirPath, { encoding: 'buffer' }).map((raw) => {
      try {
        return utf8.decode(raw);
      } catch {
        const shown = path.join(dirPath, raw.toString('latin1'));
        throw new InvalidInputError(`file name is not valid UTF-8: ${shown}`, { path: shown });
      }
    });
  }
  return names.sort(compareCodePoints);
}

/** Code point order (the byte order of UTF-8): UTF-16 order except that surrogates sort above U+E000–U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && cb >= 0xd800) {
      ca += ca < 0xe000 ? 0x2000 : -0x800;
      cb += cb < 0xe000 ? 0x2000 : -0x800;
    }
    return ca - cb;
  }
  return a.length - b.length;
}

/** Merges directory `from` into `into`: same-named directories merge, anything else is replaced. */
export function mergeInto(into: StagingNode, from: StagingNode): void {
  for (const [k, v] of from.children!) {
    const old = into.children!.get(k);
    if (old && old.kind === 'dir' && v.kind === 'dir') mergeInto(old, v);
    else into.children!.set(k, v);
  }
}

/** Visits every node depth-first (parents before children, children in name order). */
export function walkTree(root: StagingNode, fn: (node: StagingNode, pathParts: string[]) => void): void {
  const rec = (n: StagingNode, parts: string[]) => {
    fn(n, parts);
    if (n.children) for (const c of n.children.values()) rec(c, [...parts, c.name]);
  };
  rec(root, []);
}
