// Burning straight from the image engine (no temporary .iso) and multisession from the disc itself,
// on the virtual recorder, judged by independent readers: xorriso, isoinfo and 7-Zip read what was
// burned (the recorder's backing file, or the disc read back by readDisc) and must see exactly the
// staged files with their contents.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MediaTypeName } from '../common/model/drive';
import { ImageEngine } from '../image/image-engine';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { requireTools } from '../testing/peer-tools';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { discSessionFactory, engineSourceFactory } from './engine-sources';
import { pattern, writeTree } from '../read/test-support';

const peers = requireTools('xorriso', 'isoinfo', '7z');
const script = tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url)));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let dir: string;
let engine: ImageEngine;
let fixtures: BurnFixture[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-burn-engine-'));
  engine = new ImageEngine({ script });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(fixtures.map(disposeFixture));
  fixtures = [];
});
const fixture = async (media: MediaTypeName) => {
  const f = await burnFixture(media);
  fixtures.push(f);
  return f;
};

/** Every regular file under `root`, as /relative/path → sha256. */
function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[`/${relative(root, p)}`] = sha(readFileSync(p));
    }
  };
  walk(root);
  return out;
}

/** xorriso's file list ('/a/b' lines) of the session at `sbsector` of `image`. */
function xorrisoFiles(image: string, sbsector = 0): string[] {
  return run('xorriso', ['-load', 'sbsector', String(sbsector), '-indev', image, '-find', '/', '-type', 'f'])
    .split('\n').filter((l) => l.startsWith("'")).map((l) => l.slice(1, -1)).sort();
}

/** xorriso extracts the session at `sbsector` into a fresh folder; returns path → sha256. */
function xorrisoExtract(image: string, sbsector: number, name: string): Record<string, string> {
  const out = join(dir, name);
  run('xorriso', ['-osirrox', 'on', '-load', 'sbsector', String(sbsector), '-indev', image, '-extract', '/', out]);
  return hashTree(out);
}

/**
 * 7-Zip reads the descriptors at 16: a copy of the image with the session at `start`'s descriptors
 * there. On a multisession image (start > 0) its ISO 9660/Joliet handler is named: its UDF handler
 * takes the anchor at 256, which on a sequential disc is the first session's (a reader of the
 * disc itself starts from the TOC's last session instead).
 */
function sevenZipExtract(image: string, start: number, name: string): Record<string, string> {
  let b = readFileSync(image);
  // The volume space may end past the last recorded sector (a CD's run-out is not stored): zeros.
  const size = b.readUInt32LE((start + 16) * 2048 + 80) * 2048;
  if (b.length < size) b = Buffer.concat([b, Buffer.alloc(size - b.length)]);
  let n = 0;
  while (b[(start + 16 + n) * 2048] !== 255) n++;
  b.copy(b, 16 * 2048, (start + 16) * 2048, (start + 17 + n) * 2048);
  const view = join(dir, `${name}.iso`);
  writeFileSync(view, b);
  const out = join(dir, name);
  run('7z', ['x', '-y', ...(start > 0 ? ['-tiso'] : []), `-o${out}`, view]);
  return hashTree(out);
}

/**
 * The disc as an ISO file: the recorder's backing file (sparse; unwritten sectors read as zeros).
 * CD slots are 2352 bytes with the user data first: their first 2048 bytes.
 */
function discImage(f: BurnFixture, name: string): string {
  const b = readFileSync(f.transport.backingFile(f.name));
  const out = join(dir, name);
  if (!f.transport.recorder(f.name).state.disc?.type.startsWith('cd')) {
    writeFileSync(out, b);
    return out;
  }
  const n = Math.floor(b.length / 2352);
  const iso = Buffer.alloc(n * 2048);
  for (let i = 0; i < n; i++) b.copy(iso, i * 2048, i * 2352, i * 2352 + 2048);
  writeFileSync(out, iso);
  return out;
}

describe.skipIf(!peers)('burn SRC… straight from the image engine', () => {
  const src = () => join(dir, 'src');
  beforeAll(() => {
    writeTree(src(), { 'readme.txt': 'burned from the engine\n', 'music/noise.bin': pattern(700_000, 3), 'deep/er/still.txt': 'x'.repeat(5000) });
  });

  for (const media of ['dvd+r', 'bd-r'] as const) {
    it(`${media}: full read-back passes; xorriso, isoinfo and 7-Zip see exactly the staged files`, async () => {
      const f = await fixture(media);
      const open = engineSourceFactory(() => engine, { options: { label: 'ENGINEBURN' }, sources: [{ dest: '/', hostPath: src() }] });
      const r = await f.burner.burn(f.address, open, { verify: 'full' });
      expect(r.copies[0]).toMatchObject({ startLba: 0, verify: { ok: true, level: 'full' } });
      const disc = f.transport.backingFile(f.name);
      const want = hashTree(src());
      expect(xorrisoFiles(disc)).toEqual(Object.keys(want).sort());
      expect(xorrisoExtract(disc, 0, `x-${media}`)).toEqual(want);
      expect(sevenZipExtract(disc, 0, `z-${media}`)).toEqual(want);
      expect(run('isoinfo', ['-d', '-i', disc])).toContain('Volume id: ENGINEBURN');
      const isoinfoFiles = run('isoinfo', ['-R', '-f', '-i', disc]).split('\n').filter(Boolean);
      expect(isoinfoFiles.filter((p) => !['/music', '/deep', '/deep/er'].includes(p)).sort()).toEqual(Object.keys(want).sort());
    });
  }

  it('refuses, before writing, a tree the disc cannot hold: the planned size is checked', async () => {
    const big = join(dir, 'big');
    mkdirSync(big);
    writeFileSync(join(big, 'sparse.bin'), '');
    truncateSync(join(big, 'sparse.bin'), 800 * 1024 * 1024); // sparse: planned, never read
    const f = await fixture('cd-r');
    const open = engineSourceFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: big }] });
    await expect(f.burner.burn(f.address, open)).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringMatching(/^The disc is full: (79\d|80\d) MiB to write, 703 MiB free\.$/) });
    expect(f.transport.recorder(f.name).state.disc?.tracks.every((t) => t.recorded === 0)).toBe(true);
  });
});

describe.skipIf(!peers)('burn --multisession: the next session from what the disc holds', () => {
  beforeAll(() => {
    writeTree(join(dir, 'm1'), { 'keep/a.txt': 'old a', 'keep/blob.bin': pattern(150_000, 4), 'replace.txt': 'version 1', 'remove-me.txt': 'bye' });
    writeTree(join(dir, 'm2'), { 'replace.txt': 'version 2', 'new/b.bin': pattern(40_000, 8) });
    writeTree(join(dir, 'm3'), { 'third.txt': 'session three', 'keep/a.txt': 'a, third' });
  });

  for (const media of ['dvd+r', 'cd-r', 'bd-r', 'dvd-r'] as const) {
    it(`${media}: a first session, then two appended (add, replace, remove); xorriso and 7-Zip see old and new files`, async () => {
      const f = await fixture(media);
      const session = (name: string, remove?: string[]) => discSessionFactory(() => engine, { options: { label: name.toUpperCase() }, sources: [{ dest: '/', hostPath: join(dir, name) }], remove });
      const opts = { verify: 'full' as const, close: 'session' as const, ...(media === 'dvd-r' ? { writeMode: 'incremental' as const } : {}) };
      const r1 = await f.burner.burn(f.address, session('m1'), opts);
      expect(r1.copies[0].startLba).toBe(0);
      const r2 = await f.burner.burn(f.address, session('m2', ['/remove-me.txt']), opts);
      const r3 = await f.burner.burn(f.address, session('m3'), opts);
      const s2 = r2.copies[0].startLba;
      const s3 = r3.copies[0].startLba;
      expect(s2).toBeGreaterThan(r1.copies[0].sectors - 1);
      expect(s3).toBeGreaterThan(s2 + r2.copies[0].sectors - 1);
      for (const r of [r1, r2, r3]) expect(r.copies[0].verify).toMatchObject({ ok: true, level: 'full' });
      // The result says what is on the disc now, read back from it.
      expect(r1.disc).toMatchObject({ sessions: 1, files: 4, folders: 1, status: 'appendable' });
      expect(r3.disc).toMatchObject({ sessions: 3, files: 5, folders: 2, fileBytes: 8 + 150_000 + 9 + 40_000 + 13, status: 'appendable' });
      expect(r3.disc!.freeBlocks).toBeLessThan(r1.disc!.freeBlocks);

      const full = discImage(f, `full-${media}.iso`);
      const want = {
        '/keep/a.txt': sha('a, third'), '/keep/blob.bin': sha(pattern(150_000, 4)), '/replace.txt': sha('version 2'),
        '/new/b.bin': sha(pattern(40_000, 8)), '/third.txt': sha('session three'),
      };
      expect(xorrisoExtract(full, s3, `ms-x-${media}`)).toEqual(want);
      expect(sevenZipExtract(full, s3, `ms-z-${media}`)).toEqual(want);
      // The second session still reads as it was written.
      expect(xorrisoExtract(full, s2, `ms-x2-${media}`)).toEqual({ '/keep/a.txt': sha('old a'), '/keep/blob.bin': sha(pattern(150_000, 4)), '/replace.txt': sha('version 2'), '/new/b.bin': sha(pattern(40_000, 8)) });
    });
  }

  for (const media of ['dvd+rw', 'bd-re', 'dvd-ram', 'dvd-rw'] as const) {
    it(`${media}: the file system grows in place twice; xorriso, isoinfo and 7-Zip (UDF) read the newest tree at sector 0`, async () => {
      const f = await fixture(media);
      if (media === 'dvd-rw') await f.burner.format(f.address); // restricted overwrite
      const session = (name: string, remove?: string[]) => discSessionFactory(() => engine, { options: { label: name.toUpperCase() }, sources: [{ dest: '/', hostPath: join(dir, name) }], remove });
      const r1 = await f.burner.burn(f.address, session('m1'), { verify: 'full' });
      const r2 = await f.burner.burn(f.address, session('m2', ['/remove-me.txt']), { verify: 'full' });
      const r3 = await f.burner.burn(f.address, session('m3'), { verify: 'full' });
      expect(r1.copies[0].startLba).toBe(0);
      expect(r2.copies[0].startLba % 32).toBe(0);
      expect(r2.copies[0].startLba).toBeGreaterThanOrEqual(r1.copies[0].sectors);
      expect(r3.copies[0].startLba).toBeGreaterThanOrEqual(r2.copies[0].startLba + r2.copies[0].sectors);
      expect(r3.disc).toMatchObject({ files: 5, folders: 2, usedBlocks: r3.copies[0].startLba + r3.copies[0].sectors });
      expect(r3.disc!.sessions).toBeUndefined();
      const want = {
        '/keep/a.txt': sha('a, third'), '/keep/blob.bin': sha(pattern(150_000, 4)), '/replace.txt': sha('version 2'),
        '/new/b.bin': sha(pattern(40_000, 8)), '/third.txt': sha('session three'),
      };
      const disc = discImage(f, `grown-${media}.iso`);
      expect(xorrisoExtract(disc, 0, `g-x-${media}`)).toEqual(want);
      expect(run('isoinfo', ['-d', '-i', disc])).toContain('Volume id: M3');
      // 7-Zip with no hint takes UDF (the anchor at 256): the new anchor leads to the new tree.
      const out = join(dir, `g-z-${media}`);
      run('7z', ['x', '-y', `-o${out}`, disc]);
      expect(hashTree(out)).toEqual(want);
      expect(run('7z', ['l', disc])).toMatch(/Type = Udf/);
    });
  }

  it('bd-re: a growth cancelled while writing leaves the old tree what readers see (descriptors are written last)', async () => {
    const f = await fixture('bd-re');
    const session = (name: string) => discSessionFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, name) }] });
    await f.burner.burn(f.address, session('m1'), { verify: 'none' });
    const before = hashTree(join(dir, 'm1'));
    const ac = new AbortController();
    await expect(f.burner.burn(f.address, session('m2'), { verify: 'none', bufferBytes: 1 << 20 }, {
      signal: ac.signal, onProgress: (p) => { if (p.action === 'writing') ac.abort(); },
    })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(f.drives.busyWith(f.address)).toBeUndefined();
    const disc = discImage(f, 'grow-cancel.iso');
    expect(xorrisoExtract(disc, 0, 'grow-cancel-x')).toEqual(before);
    const out = join(dir, 'grow-cancel-z');
    run('7z', ['x', '-y', `-o${out}`, disc]);
    expect(hashTree(out)).toEqual(before);
    // And the next growth still works from there.
    await f.burner.burn(f.address, session('m3'), { verify: 'full' });
    expect(xorrisoExtract(discImage(f, 'grow-after.iso'), 0, 'grow-after-x')).toEqual({ ...before, '/third.txt': sha('session three'), '/keep/a.txt': sha('a, third') });
  });

  it('refuses a closed disc in plain words, and --remove of a path the disc does not hold', async () => {
    const f = await fixture('dvd+r');
    const once = discSessionFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, 'm1') }] });
    await f.burner.burn(f.address, once, { verify: 'none', close: 'session' });
    const bad = discSessionFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, 'm2') }], remove: ['/nope.txt'] });
    await expect(f.burner.burn(f.address, bad, { verify: 'none', close: 'session' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('--remove /nope.txt') });
    await f.burner.burn(f.address, discSessionFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, 'm2') }] }), { verify: 'none', close: 'disc' });
    const closed = discSessionFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, 'm3') }] });
    await expect(f.burner.burn(f.address, closed)).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringContaining('closed') });
    expect(f.drives.busyWith(f.address)).toBeUndefined();
  });
});

describe.skipIf(!peers || !requireTools('sha256sum'))('the on-disc checksum manifest .glassmaster/SHA256SUMS', () => {
  const odd = ['back\\slash.txt', 'new\nline.txt', 'sp ace/ü.txt'];
  beforeAll(() => {
    writeTree(join(dir, 'man1'), { 'a.txt': 'manifest a', 'dir/big.bin': pattern(300_000, 9), ...Object.fromEntries(odd.map((n, i) => [n, `odd ${i}`])) });
    writeTree(join(dir, 'man2'), { 'a.txt': 'manifest a, replaced', 'later.txt': 'added later' });
  });

  /** verify --manifest (verifyDisc) on the disc, and sha256sum -c in a folder xorriso extracted from `image` at `sbsector`. */
  async function checkManifest(f: BurnFixture, image: string, sbsector: number, name: string, expectedFiles: number): Promise<string> {
    const { Drive } = await import('../drive/drive');
    const { verifyDisc } = await import('../verify/verify-disc');
    const dev = await f.transport.open(f.address);
    try {
      const report = await verifyDisc(new Drive(dev, { retryDelayMs: 1 }), { against: 'manifest' });
      expect(report).toMatchObject({ ok: true, filesChecked: expectedFiles });
    } finally {
      await dev.close();
    }
    const out = join(dir, name);
    run('xorriso', ['-osirrox', 'on', '-load', 'sbsector', String(sbsector), '-indev', image, '-extract', '/', out]);
    const checked = execFileSync('sha256sum', ['-c', '--strict', '.glassmaster/SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    expect(checked.split('\n').filter((l) => l.endsWith(': OK'))).toHaveLength(expectedFiles);
    return readFileSync(join(out, '.glassmaster/SHA256SUMS'), 'utf8');
  }

  it('a burn of SRC… with the manifest: every file once, odd names escaped as GNU does; verify --manifest and sha256sum -c pass', async () => {
    const f = await fixture('dvd+r');
    const open = engineSourceFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, 'man1') }] }, { manifest: true });
    await f.burner.burn(f.address, open, { verify: 'full' });
    const text = await checkManifest(f, discImage(f, 'man-dvd+r.iso'), 0, 'man-x', 5);
    expect(text).toContain(`${sha('manifest a')}  a.txt\n`);
    expect(text).toContain(`\\${sha('odd 0')}  back\\\\slash.txt\n`);
    expect(text).toContain(`\\${sha('odd 1')}  new\\nline.txt\n`);
    expect(text).toContain(`${sha(pattern(300_000, 9))}  dir/big.bin\n`);
    expect(text).not.toContain('SHA256SUMS');
  });

  for (const media of ['dvd+r', 'bd-re'] as const) {
    it(`${media}: an appended session's manifest lists the kept, replaced and new files`, async () => {
      const f = await fixture(media);
      const session = (name: string) => discSessionFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, name) }], manifest: true });
      const close = media === 'dvd+r' ? { close: 'session' as const } : {};
      await f.burner.burn(f.address, session('man1'), { verify: 'full', ...close });
      const r2 = await f.burner.burn(f.address, session('man2'), { verify: 'full', ...close });
      const sb = media === 'dvd+r' ? r2.copies[0].startLba : 0;
      const text = await checkManifest(f, discImage(f, `man2-${media}.iso`), sb, `man2-x-${media}`, 6);
      expect(text).toContain(`${sha('manifest a, replaced')}  a.txt\n`);
      expect(text).toContain(`${sha('added later')}  later.txt\n`);
    });
  }
});

