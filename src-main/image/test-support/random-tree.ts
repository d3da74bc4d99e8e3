// Fresh host trees for reader-fidelity tests: every run draws a new seed (printed, and taken from
// GM_TREE_SEED to replay a failure), so the writer is judged on trees the tests never saw. Each
// tree has deep nesting (past ECMA-119's 8 levels, twice, one branch named like a root entry),
// 200-character names, and symbolic links of every kind a reader must cope with.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface RandomTree {
  seed: number;
  /** Links by kind, as host paths relative to the root ("/a/b"). */
  links: { toFile: string[]; toDir: string[]; outside: string[]; dangling: string[] };
  /** The 200-character names used (full paths). */
  longNames: string[];
}

/** xorshift32: small, seedable, enough for test data. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
  return { next, int: (n: number) => next() % n, pick: <T>(a: readonly T[]) => a[next() % a.length] };
}

const PLAIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// Latin-1 beyond ASCII (8-bit OSTA CS0 in UDF, 2 UTF-8 bytes) and characters ISO 9660 maps away.
const EXTRA = 'äöüéèßñÆø -_+=,()[]{}@#&!~';

export function seedFromEnv(): number {
  const env = process.env.GM_TREE_SEED;
  return env ? Number(env) >>> 0 : randomBytes(4).readUInt32LE(0);
}

export function makeRandomTree(root: string, seed: number): RandomTree {
  const r = rng(seed);
  const name = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) s += r.int(5) === 0 ? r.pick([...EXTRA]) : r.pick([...PLAIN]);
    // No leading/trailing space or dot (shells and some readers trim them); no "." / ".." names.
    let out = `n${s.trim()}x`;
    // Linux NAME_MAX is 255 bytes: keep long names well under it.
    while (Buffer.byteLength(out, 'utf8') > 240) out = out.replace(/[^\x00-\x7f]/, 'a');
    return out;
  };
  const used = new Set<string>();
  const unique = (dir: string, n: string) => {
    let out = n;
    for (let i = 1; used.has(`${dir}/${out}`.toLowerCase()); i++) out = `${n}${i}`;
    used.add(`${dir}/${out}`.toLowerCase());
    return out;
  };
  const file = (rel: string, size: number) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), randomBytesFrom(r.next, size));
    return rel;
  };
  const files: string[] = [];
  const dirs: string[] = [];
  const longNames: string[] = [];
  fs.mkdirSync(root, { recursive: true });

  // Flat part: short and 200-character names.
  for (let i = 0; i < 3; i++) {
    const d = `/${unique('', name(3 + r.int(12)))}`;
    dirs.push(d);
    for (let j = 0; j < 3 + r.int(5); j++) {
      const long = r.int(3) === 0;
      const n = unique(d, long ? name(198).slice(0, 200).padEnd(200, 'z') : name(2 + r.int(40)));
      const p = file(`${d}/${n}`, r.int(4) === 0 ? 0 : r.int(9000));
      files.push(p);
      if (long) longNames.push(p);
    }
  }
  const longRoot = `/${unique('', `L${name(198)}`.slice(0, 200))}`;
  longNames.push(file(longRoot, 100 + r.int(3000)));
  files.push(longRoot);

  // Deep part: two chains past level 8; the second has a level-9 directory named like a root
  // entry, so relocated identifiers must not collide with the root's own.
  const rootName = dirs[0].slice(1);
  for (const chain of [0, 1]) {
    let d = '';
    const depth = 10 + r.int(4);
    for (let lvl = 1; lvl <= depth; lvl++) {
      const n = chain === 1 && lvl === 9 ? rootName : name(1 + r.int(10));
      d = `${d}/${unique(d, n)}`;
      dirs.push(d);
      if (r.int(2) === 0 || lvl >= 8) files.push(file(`${d}/${unique(d, name(4 + r.int(8)))}.dat`, r.int(5000)));
    }
    const long = `${d}/${unique(d, name(198).slice(0, 200).padEnd(200, 'q'))}`;
    longNames.push(file(long, 1 + r.int(2000)));
    files.push(long);
  }
  for (const d of dirs) fs.mkdirSync(path.join(root, d), { recursive: true });

  // Links: to a file (same directory, via "..", through another link, from deep down), to a
  // directory, absolute (outside the disc), dangling.
  const links: RandomTree['links'] = { toFile: [], toDir: [], outside: [], dangling: [] };
  const link = (kind: keyof RandomTree['links'], at: string, target: string) => {
    const dir = path.posix.dirname(at);
    const d = dir === '/' ? '' : dir;
    const p = `${d}/${unique(d, path.posix.basename(at))}`;
    fs.symlinkSync(target, path.join(root, p));
    links[kind].push(p);
    return p;
  };
  const rel = (from: string, to: string) => path.posix.relative(path.posix.dirname(from), to);
  const f1 = r.pick(files);
  const l1 = link('toFile', `${path.posix.dirname(f1)}/link-same-${r.int(100)}`, path.posix.basename(f1));
  const at2 = `${r.pick(dirs)}/link-up`;
  link('toFile', at2, rel(at2, r.pick(files)));
  const at3 = `/link-to-link`;
  link('toFile', at3, rel(at3, l1));
  const deepest = dirs.filter((d) => d.split('/').length > 10)[0];
  const at4 = `${deepest}/link-from-deep`;
  link('toFile', at4, rel(at4, r.pick(files)));
  link('toDir', `/link-dir`, r.pick(dirs).slice(1));
  link('outside', `${r.pick(dirs)}/link-abs`, '/etc/hostname');
  link('dangling', `/link-dangling`, 'no/such/file');
  return { seed, links, longNames };
}

function randomBytesFrom(next: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) {
    const v = next();
    b[i] = v & 0xff;
    if (i + 1 < n) b[i + 1] = (v >>> 8) & 0xff;
    if (i + 2 < n) b[i + 2] = (v >>> 16) & 0xff;
    if (i + 3 < n) b[i + 3] = v >>> 24;
  }
  return b;
}
