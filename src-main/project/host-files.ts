// The host file browser pane, served by main: lists the folders a user may take sources from
// (home, mounted volumes, recent places) with sizes and dates. Only listings cross IPC, never file
// contents. Paths come validated from the contract (absolute, bounded, no NUL); here they are
// resolved and anything that cannot be listed is refused with a typed error.
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { InvalidInputError, IoError, NotFoundError } from '../common/errors';
import type { HostEntry, HostListing, HostPlace, HostSort } from '../common/model/host-files';

/** A listing sends at most this many entries (the first in the chosen order); the pane says so. */
export const MAX_LISTED = 5000;
const MAX_RECENT = 8;
/** One collator for every comparison (String#localeCompare with options builds one per call). */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Mount points that hold user media (removable disks, network shares), not system mounts. */
const VOLUME_ROOTS = ['/media/', '/mnt/', '/run/media/', '/Volumes/'];

export function ioErrorFor(path: string, err: unknown, what: string): Error {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return new NotFoundError(`${path} does not exist`, { path });
  if (e.code === 'EACCES' || e.code === 'EPERM') return new IoError(`${what} ${path}: permission denied`, { errno: e.code, path, syscall: e.syscall, cause: err });
  if (e.code === 'ENOTDIR') return new InvalidInputError(`${path} is not a folder`, { path });
  return new IoError(`${what} ${path}: ${e.code ?? e.message}`, { errno: e.code, path, syscall: e.syscall, cause: err });
}

export class HostFiles {
  private readonly recent: string[] = [];

  constructor(private readonly opts: { home?: string; mounts?: string } = {}) {}

  /** Home, the file system root, mounted volumes and recently used folders. */
  async places(): Promise<HostPlace[]> {
    const home = this.opts.home ?? homedir();
    const places: HostPlace[] = [
      { kind: 'home', name: basename(home) || home, path: home },
      { kind: 'root', name: parse(home).root, path: parse(home).root },
    ];
    for (const mount of await this.volumes()) places.push({ kind: 'volume', name: basename(mount), path: mount });
    for (const r of this.recent) places.push({ kind: 'recent', name: basename(r) || r, path: r });
    return places;
  }

  /** Remembers a folder sources were taken from, for the places list. */
  remember(folder: string): void {
    const i = this.recent.indexOf(folder);
    if (i >= 0) this.recent.splice(i, 1);
    this.recent.unshift(folder);
    this.recent.length = Math.min(this.recent.length, MAX_RECENT);
  }

  async list(path: string, opts: { showHidden?: boolean; sort?: HostSort; descending?: boolean } = {}): Promise<HostListing> {
    const dir = resolve(path);
    let st;
    try {
      st = await stat(dir);
    } catch (err) {
      throw ioErrorFor(dir, err, 'cannot open');
    }
    if (!st.isDirectory()) throw new InvalidInputError(`${dir} is not a folder`, { path: dir });
    let dirents;
    try {
      dirents = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw ioErrorFor(dir, err, 'cannot list');
    }
    const visible = opts.showHidden ? dirents : dirents.filter((d) => !d.name.startsWith('.'));
    const byName = (a: { name: string }, b: { name: string }) => collator.compare(a.name, b.name);
    const key = opts.sort ?? 'name';
    const sign = opts.descending ? -1 : 1;
    // By name, only the entries sent are stat'ed (a folder of 100,000 files lists at once).
    const candidates =
      key === 'name'
        ? visible.sort((a, b) => (a.isDirectory() ? 0 : 1) - (b.isDirectory() ? 0 : 1) || sign * byName(a, b)).slice(0, MAX_LISTED)
        : visible;
    const entries: HostEntry[] = await Promise.all(
      candidates.map(async (d) => {
        const p = join(dir, d.name);
        let kind: HostEntry['kind'] = d.isDirectory() ? 'dir' : d.isFile() ? 'file' : d.isSymbolicLink() ? 'symlink' : 'other';
        let size = 0;
        let mtimeMs = 0;
        try {
          // A symlink is shown as what it points to (as file managers do); a broken one stays a symlink.
          const s = kind === 'symlink' ? await stat(p).catch(() => lstat(p)) : await lstat(p);
          if (kind === 'symlink' && s.isDirectory()) kind = 'dir';
          else if (kind === 'symlink' && s.isFile()) kind = 'file';
          size = s.isFile() ? s.size : 0;
          mtimeMs = s.mtimeMs;
        } catch {
          // Vanished or unreadable between readdir and stat: listed without size.
        }
        return { name: d.name, path: p, kind, size, mtimeMs, hidden: d.name.startsWith('.') };
      }),
    );
    const dirFirst = (a: HostEntry, b: HostEntry) => (a.kind === 'dir' ? 0 : 1) - (b.kind === 'dir' ? 0 : 1);
    entries.sort((a, b) => dirFirst(a, b) || sign * (key === 'size' ? a.size - b.size : key === 'date' ? a.mtimeMs - b.mtimeMs : 0) || sign * byName(a, b));
    const parent = dirname(dir) === dir ? null : dirname(dir);
    return { path: dir, parent, entries: entries.slice(0, MAX_LISTED), truncated: visible.length > MAX_LISTED, total: visible.length };
  }

  private async volumes(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.opts.mounts ?? '/proc/mounts', 'utf8');
    } catch {
      return [];
    }
    // /proc/mounts escapes spaces and the like as octal (\040).
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    const mounts = text.split('\n').map((l) => unescape(l.split(' ')[1] ?? '')).filter((m) => VOLUME_ROOTS.some((r) => m.startsWith(r)));
    return [...new Set(mounts)].sort();
  }
}
