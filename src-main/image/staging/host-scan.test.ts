// The host scan's two paths give the same staged tree and the same typed errors: the native
// directory reader (native/src/dir_scan.h; the addon is built for the tests as for the app) and the
// JavaScript loop used where it is absent (GLASSMASTER_JS_SCAN=1).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { addonCandidates, loadNativeAddonIfBuilt } from '../../transport/native/native-addon';
import { InvalidInputError, IoError } from '../../common/errors';
import { StagingTree, type AddHostOptions, type StagingNode } from './staging-tree';
import { mktemp } from '../test-support/peers';

const PATHS = [['native directory reader', '0'], ['JavaScript path', '1']] as const;

function withPath<T>(jsScan: string, fn: () => T): T {
  const saved = process.env.GLASSMASTER_JS_SCAN;
  process.env.GLASSMASTER_JS_SCAN = jsScan;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.GLASSMASTER_JS_SCAN;
    else process.env.GLASSMASTER_JS_SCAN = saved;
  }
}

function scan(jsScan: string, host: string, opts: AddHostOptions = {}): { root: StagingNode; files: string[] } {
  const files: string[] = [];
  const tree = new StagingTree({ now: new Date(0) });
  withPath(jsScan, () => tree.addHostPath('/', host, { ...opts, onFile: (n, p) => files.push(`${p} ${n.size}`) }));
  return { root: tree.root, files };
}

/** The error a scan throws (class, code, message, path). */
function failure(jsScan: string, host: string, opts: AddHostOptions = {}): unknown {
  try {
    scan(jsScan, host, opts);
  } catch (err) {
    const e = err as InvalidInputError | IoError;
    return { cls: e.constructor.name, code: e.code, message: e.message, path: (e.details as { path?: string } | undefined)?.path };
  }
  throw new Error('the scan did not fail');
}

/**
 * Native answers, counted: the addon as the scanner sees it, with scanDir and the read-ahead's
 * take() wrapped (the addon's own methods are read-only). `ahead`: folders the read-ahead answered.
 */
const nativeCalls = vi.hoisted(() => ({ n: 0, ahead: 0, built: false, readers: 0, closed: 0 }));
vi.mock('../../transport/native/native-addon', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../transport/native/native-addon')>();
  const addon = m.loadNativeAddonIfBuilt();
  if (!addon?.scanDir) return m;
  nativeCalls.built = true;
  const scanDir = addon.scanDir.bind(addon);
  const Reader = addon.TreeReader;
  const counted = Object.create(addon, {
    scanDir: {
      value: (dir: string, follow: boolean) => {
        const r = scanDir(dir, follow);
        if (r) nativeCalls.n++; // null: the JavaScript loop reads that folder instead
        return r;
      },
    },
    TreeReader: {
      value: Reader && function CountedReader(root: string) {
        const reader = new Reader(root);
        nativeCalls.readers++;
        return {
          take: (dir: string) => {
            const r = reader.take(dir);
            if (r) {
              nativeCalls.n++;
              nativeCalls.ahead++;
            }
            return r;
          },
          close: () => {
            nativeCalls.closed++;
            reader.close();
          },
        };
      },
    },
  }) as typeof addon;
  return { ...m, loadNativeAddonIfBuilt: () => counted };
});

describe('host scan: native directory reader and JavaScript path', () => {
  let tmp: string;
  let host: string;
  beforeAll(() => {
    tmp = mktemp('gm-host-scan-');
    host = path.join(tmp, 'host');
    for (let i = 0; i < 300; i++) {
      const d = path.join(host, `d${i % 5}`, `e${i % 3}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, `f${i}.bin`), Buffer.alloc(i * 37, i));
    }
    for (const n of ['b', 'A', 'ａ', '😀', 'é', 'a\uFFFDb', 'z', 'with space']) fs.writeFileSync(path.join(host, n), n);
    fs.mkdirSync(path.join(host, 'empty'));
    fs.symlinkSync('d0/e0/f0.bin', path.join(host, 'link-to-file'));
    fs.symlinkSync('nowhere', path.join(host, 'dangling'));
    fs.symlinkSync('d1', path.join(host, 'link-to-dir'));
    fs.chmodSync(path.join(host, 'b'), 0o600);
    // A modification time with a fraction of a millisecond past .5 (fs.Stats rounds its Dates) and an old one.
    fs.utimesSync(path.join(host, 'z'), 1_000_000.0007, 1_000_000.0007);
    fs.utimesSync(path.join(host, 'A'), new Date('1999-12-31T23:59:59.999Z'), new Date('1999-12-31T23:59:59.999Z'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the addon exports scanDir where it is built (POSIX)', () => {
    const addon = loadNativeAddonIfBuilt();
    if (!addon) {
      expect(process.env.CI, 'the addon is built in CI').not.toBe('true');
      return;
    }
    expect(typeof addon.scanDir).toBe(process.platform === 'win32' ? 'undefined' : 'function');
  });

  it('scanDir gives the names as one string, each ended by a NUL, in byte order, with 8 numbers each', () => {
    const scanDir = loadNativeAddonIfBuilt()?.scanDir;
    if (!scanDir) return;
    const got = scanDir(host, false)!;
    const names = fs.readdirSync(host).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(got.names).toBe(names.map((n) => `${n}\0`).join(''));
    expect(got.nums.length).toBe(names.length * 8);
    expect(scanDir(path.join(host, 'empty'), false)).toEqual({ names: '', nums: new Float64Array(0) });
  });

  it('stages the same tree (names, order, sizes, modes, owners, dates, sources, links) and calls onFile in the same order', () => {
    const before = nativeCalls.n;
    const aheadBefore = nativeCalls.ahead;
    const native = scan('0', host);
    // The comparison below means something only if the native reader did the scan: one answer per
    // folder (the root, 5 × d, 15 × e, empty; a link to a folder is not followed), each read ahead
    // by the addon's thread.
    if (nativeCalls.built) {
      expect(nativeCalls.n - before).toBe(22);
      expect(nativeCalls.ahead - aheadBefore).toBe(22);
    }
    const mid = nativeCalls.n;
    const js = scan('1', host);
    expect(nativeCalls.n).toBe(mid);
    expect(native.files.length).toBe(300 + 8 + 0);
    expect(native.files).toEqual(js.files);
    expect(native.root).toEqual(js.root);
    const z = native.root.children!.get('z')!;
    expect(z.mtime.getTime()).toBe(1_000_000_001); // as fs.Stats: Math.round(1000000000.7)
    expect((z.source as { mtimeMs: number }).mtimeMs).toBe(fs.lstatSync(path.join(host, 'z')).mtimeMs);
    expect(native.root.children!.get('b')!.mode).toBe(0o100600);
    expect(native.root.children!.get('link-to-dir')!.kind).toBe('symlink');
  });

  it('follows links the same way', () => {
    const follow = path.join(tmp, 'follow');
    fs.mkdirSync(follow);
    fs.writeFileSync(path.join(follow, 'real'), 'data');
    fs.symlinkSync('real', path.join(follow, 'link'));
    fs.symlinkSync(path.join(host, 'd2'), path.join(follow, 'dir-link'));
    const [native, js] = PATHS.map(([, p]) => scan(p, follow, { followSymlinks: true }));
    expect(native.root).toEqual(js.root);
    expect(native.root.children!.get('link')!.kind).toBe('file');
    expect(native.root.children!.get('dir-link')!.kind).toBe('dir');
  });

  it('leaves out and refuses what the guard says, by device and inode', () => {
    const skip = fs.lstatSync(path.join(host, 'd3/e1'));
    const refuse = fs.lstatSync(path.join(host, 'é'));
    const guard: AddHostOptions['guard'] = (st, p) => {
      if (st.dev === skip.dev && st.ino === skip.ino) return false;
      if (st.dev === refuse.dev && st.ino === refuse.ino) throw new InvalidInputError(`refused ${p}`, { path: p });
      return true;
    };
    const [native, js] = PATHS.map(([, p]) => failure(p, host, { guard }));
    expect(native).toEqual(js);
    expect(native).toMatchObject({ message: `refused ${host}/é` });
    // A scan that throws still stops its read-ahead thread.
    expect(nativeCalls.closed).toBe(nativeCalls.readers);
    const kept = (p: string) => {
      const tree = new StagingTree({ now: new Date(0) });
      withPath(p, () => tree.addHostPath('/', path.join(host, 'd3'), { guard }));
      return tree.root;
    };
    const [a, b] = PATHS.map(([, p]) => kept(p));
    expect(a).toEqual(b);
    expect([...a.children!.keys()]).toEqual(['e0', 'e2']);
  });

  it('gives the same typed errors: a path past PATH_MAX, a link to nothing or a loop when following, a FIFO, a name that is not UTF-8', () => {
    const dangling = path.join(tmp, 'dangling-follow');
    fs.mkdirSync(dangling);
    fs.symlinkSync('nowhere', path.join(dangling, 'gone'));
    const loop = path.join(tmp, 'loop');
    fs.mkdirSync(loop);
    fs.symlinkSync('self', path.join(loop, 'self'));
    const fifo = path.join(tmp, 'fifo');
    fs.mkdirSync(fifo);
    execFileSync('mkfifo', [path.join(fifo, 'pipe')]);
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(Buffer.from(`${bad}/bad-\xff-name`, 'latin1'), 'x');
    // A file whose full path is past PATH_MAX (4096 bytes), in a folder whose own path is not:
    // made from inside the folder (a relative name), as only a relative open can.
    let deep = path.join(tmp, 'deep');
    while (Buffer.byteLength(deep) < 3900) deep = path.join(deep, 'd'.repeat(200));
    fs.mkdirSync(deep, { recursive: true });
    execFileSync('sh', ['-c', `: > ${'f'.repeat(250)}`], { cwd: deep });
    const cases: [string, AddHostOptions, RegExp][] = [
      [path.join(tmp, 'deep'), {}, /cannot read .*fff: ENAMETOOLONG/],
      [dangling, { followSymlinks: true }, /cannot read .*gone: ENOENT/],
      [loop, { followSymlinks: true }, /symlink loop at .*self/],
      [fifo, {}, /cannot put a FIFO into an image: .*pipe/],
      [bad, {}, /not valid UTF-8: .*bad-/],
    ];
    try {
      for (const [dir, opts, want] of cases) {
        const [native, js] = PATHS.map(([, p]) => failure(p, dir, opts));
        expect(native, dir).toEqual(js);
        expect((native as { message: string }).message).toMatch(want);
      }
    } finally {
      execFileSync('sh', ['-c', `rm -f ${'f'.repeat(250)}`], { cwd: deep }); // rmSync cannot name it
    }
  });
});

describe('the read-ahead (native TreeReader)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mktemp('gm-tree-reader-');
    // 600 folders: more than the reader queues (256), so the walk waits for take() to make room.
    for (let i = 0; i < 600; i++) fs.mkdirSync(path.join(tmp, `a${String(i % 20).padStart(2, '0')}`, `b${String(i).padStart(3, '0')}`), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'a'));
    fs.mkdirSync(path.join(tmp, 'a-c'));
    fs.mkdirSync(path.join(tmp, 'a', 'z'));
    fs.writeFileSync(path.join(tmp, 'a', 'z', 'f'), 'x');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const Reader = () => {
    const R = loadNativeAddonIfBuilt()?.TreeReader;
    if (!R) expect(process.env.CI === 'true' && process.platform !== 'win32', 'the addon with TreeReader is built in CI').toBe(false);
    return R;
  };

  it('answers folders in preorder, byte order, as scanDir does ("a/z" before "a-c")', () => {
    const R = Reader();
    if (!R) return;
    const r = new R(tmp);
    try {
      const scanDir = loadNativeAddonIfBuilt()!.scanDir!;
      for (const dir of [tmp, `${tmp}/a`, `${tmp}/a/z`, `${tmp}/a-c`, `${tmp}/a00`, `${tmp}/a00/b000`]) {
        const got = r.take(dir);
        expect(got, dir).not.toBeNull();
        expect(got).toEqual(scanDir(dir, false));
      }
    } finally {
      r.close();
    }
  });

  it('skips folders the scanner leaves out, answers null for one it has passed or never reaches, and stops when closed', () => {
    const R = Reader();
    if (!R) return;
    const r = new R(tmp);
    try {
      expect(r.take(tmp)).not.toBeNull();
      // a, a/z, a-c, a00 … a09 with their children, a10 and a10/b010: left out by the scanner.
      expect(r.take(`${tmp}/a10/b030`)).toEqual(loadNativeAddonIfBuilt()!.scanDir!(`${tmp}/a10/b030`, false));
      expect(r.take(`${tmp}/a00`)).toBeNull(); // already passed
      expect(r.take(`${tmp}/a10/b035`)).toBeNull(); // no such folder: the next one (b050) comes after it
      expect(r.take(`${tmp}/a10/b050`)).not.toBeNull();
      expect(r.take(`${tmp}/zz`)).toBeNull(); // after the last folder: the walk ends without it
    } finally {
      r.close();
    }
    expect(r.take(`${tmp}/a19`)).toBeNull();
    // Closed while the walk waits for room in its queue: close() returns (the thread is joined).
    const full = new R(tmp);
    expect(full.take(tmp)).not.toBeNull();
    full.close();
    full.close();
  });

  it('keeps reading a tree of more entries than it queues (36,000 files in 90 folders), every folder taken', () => {
    const R = Reader();
    if (!R) return;
    const big = path.join(tmp, 'big');
    const folders: string[] = [big];
    for (let d = 0; d < 90; d++) {
      const dir = path.join(big, `d${String(d).padStart(2, '0')}`);
      fs.mkdirSync(dir, { recursive: true });
      folders.push(dir);
      for (let f = 0; f < 400; f++) fs.writeFileSync(path.join(dir, `f${f}`), '');
    }
    // In a child process with a time limit: a reader that stops waking would hang this thread in take().
    const addon = addonCandidates().find((f) => fs.existsSync(f))!;
    const script = `const { TreeReader } = require(${JSON.stringify(addon)}); const r = new TreeReader(process.argv[1]);
      let n = 0; for (const dir of JSON.parse(process.argv[2])) { const got = r.take(dir); if (got) n += got.nums.length / 8; }
      r.close(); process.stdout.write(String(n));`;
    const out = execFileSync(process.execPath, ['-e', script, big, JSON.stringify(folders)], { timeout: 30_000, encoding: 'utf8' });
    expect(Number(out)).toBe(90 + 90 * 400);
  });
});
