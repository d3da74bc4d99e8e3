// Test helpers: describe a host tree and what independent readers (pycdlib, xorriso, isoinfo, 7z)
// see in an image, in one comparable shape: path → {type, size, sha256, target}.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface EntryInfo { type: 'file' | 'dir' | 'symlink'; size?: number; sha256?: string; target?: string }
export type TreeInfo = Record<string, EntryInfo>;

const here = path.dirname(fileURLToPath(import.meta.url));

export function sha256File(p: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(p, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Describes a host directory tree (symlinks not followed). */
export function describeHostTree(root: string, opts: { hash?: boolean } = {}): TreeInfo {
  const out: TreeInfo = {};
  const rec = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const r = `${rel}/${name}`;
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) out[r] = { type: 'symlink', target: fs.readlinkSync(p) };
      else if (st.isDirectory()) { out[r] = { type: 'dir' }; rec(p, r); }
      else out[r] = { type: 'file', size: st.size, ...(opts.hash === false ? {} : { sha256: sha256File(p) }) };
    }
  };
  rec(root, '');
  return out;
}

export function pycdlibWalk(image: string, facets: string[], noHashOver?: number): Record<string, TreeInfo> {
  const args = [path.join(here, 'pycdlib-walk.py'), image, facets.join(',')];
  if (noHashOver !== undefined) args.push('--no-hash-over', String(noHashOver));
  const out = execFileSync('/usr/bin/python3', args, { maxBuffer: 1 << 30, encoding: 'utf8' });
  return JSON.parse(out) as Record<string, TreeInfo>;
}

export function run(cmd: string, args: string[], opts: { input?: string | Buffer; cwd?: string } = {}): string {
  return execFileSync(cmd, args, { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

/** xorriso (libisofs reader, follows RR relocation) extracts the whole RR tree. */
export function xorrisoExtract(image: string, dest: string): TreeInfo {
  fs.rmSync(dest, { recursive: true, force: true });
  run('xorriso', ['-osirrox', 'on', '-indev', image, '-extract', '/', dest]);
  const t = describeHostTree(dest);
  return t;
}

export function mktemp(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.GLASSMASTER_TMP ?? '/tmp', prefix));
}

/** Drops keys matching a predicate (e.g. the RR relocation directory). */
export function without(t: TreeInfo, pred: (p: string) => boolean): TreeInfo {
  return Object.fromEntries(Object.entries(t).filter(([p]) => !pred(p)));
}
