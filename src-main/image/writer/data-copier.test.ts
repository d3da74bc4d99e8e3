// DataCopier + writeImageRanges(skip) must produce exactly writeImage's bytes, and fail with the
// same typed errors naming the path when a source vanishes or changes after staging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { StagingTree } from '../staging/staging-tree';
import { planImage, type DataPiece, type ImageSpec } from '../layout/plan-image';
import { writeImage, writeImageRanges } from './write-image';
import { fileURLToPath } from 'node:url';
import { tsWorkerScript } from '../../workers/ts-worker-script';
import { DataCopier } from './data-copier';
import { copyPartsHere, type CopyPart } from './copy-task';
import { loadNativeAddon } from '../../transport/native/native-addon';

const worker = { script: tsWorkerScript(fileURLToPath(new URL('../worker/copy-worker.ts', import.meta.url))) };

let outerTmp: string;
beforeAll(() => {
  outerTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-copier-'));
});
afterAll(() => fs.rmSync(outerTmp, { recursive: true, force: true }));

function spec(dir: string): ImageSpec {
  const t = new StagingTree({ now: new Date(Date.UTC(2025, 0, 1)) });
  t.addHostPath('/', dir);
  t.addBuffer('/mem.bin', Buffer.from('in memory, written by the main thread'));
  return { root: t.root, iso9660: true, joliet: true, rockRidge: true, udf: true, recordingTime: new Date(Date.UTC(2025, 0, 1)) };
}

async function viaCopier(s: ImageSpec, out: string, threads: number): Promise<void> {
  const plan = await planImage(s);
  const fd = fs.openSync(out, 'w');
  const copier = new DataCopier(worker, threads);
  try {
    const isHost = (d: DataPiece) => d.source.type === 'host';
    const copying = copier.copy(fd, plan.data.filter(isHost), 0);
    copying.catch(() => undefined);
    for await (const c of writeImageRanges(plan, { skip: isHost })) fs.writeSync(fd, c.data, 0, c.data.length, c.offset);
    await copying;
  } finally {
    await copier.close();
    fs.closeSync(fd);
  }
}

// Both copy paths: the native batch reader (native/src/file_fill.h; the addon is built for the
// tests as for the app) and the JavaScript one used where it is absent (GLASSMASTER_JS_COPY=1,
// read by the copy threads, which take the environment as it is when they start).
describe.each([['native batch reader', '0'], ['JavaScript path', '1']])('DataCopier (%s)', (_name, jsCopy) => {
  let saved: string | undefined;
  let tmp: string; // this path's own folder under the file's
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(outerTmp, 'run-'));
    saved = process.env.GLASSMASTER_JS_COPY;
    process.env.GLASSMASTER_JS_COPY = jsCopy;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.GLASSMASTER_JS_COPY;
    else process.env.GLASSMASTER_JS_COPY = saved;
  });

  it('writes the same image as writeImage: many small files in batches, a file larger than a batch, sizes off the sector, non-ASCII host paths', async () => {
    const src = path.join(tmp, 'src');
    for (let i = 0; i < 3000; i++) {
      const d = path.join(src, `d${i % 7}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, `f${i}`), Buffer.alloc((i * 977) % 9000, i & 0xff));
    }
    fs.writeFileSync(path.join(src, 'd1', 'Ünï 日本 😀.bin'), 'host path in UTF-8');
    fs.writeFileSync(path.join(src, 'big.bin'), Buffer.from(Array.from({ length: 20 * 1024 * 1024 + 123 }, (_, i) => (i * 31) & 0xff)));
    const s = spec(src);
    const chunks: Buffer[] = [];
    for await (const c of writeImage(await planImage(s), { reuseBuffer: false })) chunks.push(c);
    const want = Buffer.concat(chunks);
    for (const threads of [1, 2]) {
      const out = path.join(tmp, `copier${threads}.iso`);
      await viaCopier(s, out, threads);
      expect(fs.readFileSync(out).equals(want)).toBe(true);
    }
  });

  it('a file that vanishes or changes after staging fails the copy with a typed error naming it', async () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'gone'), 'x');
    fs.writeFileSync(path.join(dir, 'grows'), 'y');
    const s1 = spec(dir);
    fs.rmSync(path.join(dir, 'gone'));
    await expect(viaCopier(s1, path.join(tmp, 'bad1.iso'), 2)).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('vanished before it was imaged: /gone') });
    fs.writeFileSync(path.join(dir, 'gone'), 'x');
    const s2 = spec(dir);
    fs.writeFileSync(path.join(dir, 'grows'), 'yyyyy');
    await expect(viaCopier(s2, path.join(tmp, 'bad2.iso'), 1)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('changed while being imaged (size 1 → 5): /grows') });
    // Same size, another modification time: changed too.
    fs.writeFileSync(path.join(dir, 'grows'), 'y');
    const s3 = spec(dir);
    fs.utimesSync(path.join(dir, 'grows'), new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 0, 1, 0, 0, 0, 7)));
    await expect(viaCopier(s3, path.join(tmp, 'bad3.iso'), 1)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('changed while being imaged (size 1 → 1): /grows') });
    // Replaced by a FIFO after staging: before, open() waited for a writer forever (the copy hung).
    const s4 = spec(dir);
    fs.rmSync(path.join(dir, 'grows'));
    execFileSync('mkfifo', [path.join(dir, 'grows')]);
    await expect(viaCopier(s4, path.join(tmp, 'bad4.iso'), 1)).rejects.toMatchObject({ message: expect.stringContaining('/grows') });
  }, 20_000);

  it('a failing output write is an IoError, not a crash', async () => {
    const dir = path.join(tmp, 'wr');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'f'), 'data');
    const plan = await planImage(spec(dir));
    const ro = path.join(tmp, 'ro.iso');
    fs.writeFileSync(ro, '');
    const fd = fs.openSync(ro, 'r'); // writes fail with EBADF
    const copier = new DataCopier(worker, 1);
    try {
      await expect(copier.copy(fd, plan.data.filter((d) => d.source.type === 'host'), 0)).rejects.toMatchObject({ code: 'IO', message: 'cannot write the image: EBADF' });
    } finally {
      await copier.close();
      fs.closeSync(fd);
    }
  });

  it('copies pieces handed over in parts (as the CLI does while scanning) to the same bytes, and reports a failure in a later part', async () => {
    const dir = path.join(tmp, 'parts');
    fs.mkdirSync(dir);
    for (let i = 0; i < 700; i++) fs.writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}`), Buffer.alloc(100 + ((i * 613) % 5000), i & 0xff));
    const s = spec(dir);
    const plan = await planImage(s);
    const chunks: Buffer[] = [];
    for await (const c of writeImage(plan, { reuseBuffer: false })) chunks.push(c);
    const host = plan.data.filter((d) => d.source.type === 'host');
    const out = path.join(tmp, 'parts.iso');
    const fd = fs.openSync(out, 'w');
    const copier = new DataCopier(worker, 1);
    try {
      const stream = copier.stream(fd, 0);
      for (let i = 0; i < host.length; i += 256) stream.push(host.slice(i, i + 256));
      for await (const c of writeImageRanges(plan, { skip: (d) => d.source.type === 'host' })) fs.writeSync(fd, c.data, 0, c.data.length, c.offset);
      await stream.end();
      expect(fs.readFileSync(out).equals(Buffer.concat(chunks))).toBe(true);

      // The pushing thread helping (as the image writer does once its metadata is written): the
      // batches are shared, each written once, and the bytes are the same.
      fs.ftruncateSync(fd, 0);
      const helped = copier.stream(fd, 0);
      for (let i = 0; i < host.length; i += 64) helped.push(host.slice(i, i + 64));
      const ending = helped.end();
      await helped.help();
      await ending;
      for await (const c of writeImageRanges(plan, { skip: (d) => d.source.type === 'host' })) fs.writeSync(fd, c.data, 0, c.data.length, c.offset);
      expect(fs.readFileSync(out).equals(Buffer.concat(chunks))).toBe(true);

      // A file gone in the third part: end() names it; cancel() after a failure still settles.
      fs.rmSync((host[600].source as { hostPath: string }).hostPath);
      const failing = copier.stream(fd, 0);
      for (let i = 0; i < host.length; i += 256) failing.push(host.slice(i, i + 256));
      await expect(failing.end()).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining(`vanished before it was imaged: ${host[600].path}`) });
      await failing.cancel();

      // cancel() with parts still queued resolves once the thread is done with the file.
      const cancelled = copier.stream(fd, 0);
      for (let i = 0; i < 600; i += 100) cancelled.push(host.slice(i, i + 100));
      await cancelled.cancel();
    } finally {
      await copier.close();
      fs.closeSync(fd);
    }
  });

  it('copies every part pushed while the pushing thread is busy in synchronous work (the scan, planImage), not only the first', async () => {
    const dir = path.join(tmp, 'busy');
    fs.mkdirSync(dir);
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}`), Buffer.alloc(1 + ((i * 389) % 3000), (i % 250) + 1));
    const plan = await planImage(spec(dir));
    const host = plan.data.filter((d) => d.source.type === 'host');
    const out = path.join(tmp, 'busy.iso');
    const fd = fs.openSync(out, 'w+');
    const copier = new DataCopier(worker, 1);
    try {
      await copier.copy(fd, host.slice(0, 1), 0); // the thread is up
      const stream = copier.stream(fd, 0);
      for (let i = 0; i < host.length; i += 50) stream.push(host.slice(i, i + 50));
      // This thread does not return to its event loop until every piece's last byte is in the file
      // (or 20 s have passed): the copier must not need it to go on to the next part.
      const last = (d: DataPiece) => d.lba * 2048 + d.size - 1;
      const probe = Buffer.alloc(1);
      const landed = (d: DataPiece) => fs.readSync(fd, probe, 0, 1, last(d)) === 1 && probe[0] !== 0;
      const deadline = Date.now() + 20_000;
      let missing = host.filter((d) => !landed(d));
      while (missing.length > 0 && Date.now() < deadline) missing = missing.filter((d) => !landed(d));
      expect(missing.length).toBe(0);
      // One open stream at a time (its jobs hold the threads), and nothing after its end.
      expect(() => copier.stream(fd, 0)).toThrow(/one copy stream at a time/);
      await stream.end();
      expect(() => stream.push(host.slice(0, 1))).toThrow(/pushed after the stream ended/);
      // A thread waiting for parts stops at once on cancel (woken, not polling).
      const waiting = copier.stream(fd, 0);
      waiting.push(host.slice(0, 1));
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      await waiting.cancel();
      expect(performance.now() - t0).toBeLessThan(500);
    } finally {
      await copier.close();
      fs.closeSync(fd);
    }
  });
});

describe('copyPartsHere (the writing thread helping the copier)', () => {
  it('writes only the batches no thread has claimed, through the shared counter, and names a missing file typed', async () => {
    const dir = path.join(outerTmp, 'help');
    fs.mkdirSync(dir);
    // 600 KiB each: one file per 1 MiB batch, so batch k is file k.
    const size = 600 * 1024;
    const hostPaths = Array.from({ length: 6 }, (_, i) => path.join(dir, `f${i}`));
    hostPaths.forEach((p, i) => fs.writeFileSync(p, Buffer.alloc(size, i + 1)));
    const nums = new Float64Array(hostPaths.length * 3);
    hostPaths.forEach((p, i) => nums.set([10 + i * 300, size, fs.statSync(p).mtimeMs], 3 * i));
    const part = (claimed: number): CopyPart => {
      const next = new Int32Array(new SharedArrayBuffer(4));
      next[0] = claimed;
      return { type: 'part', nums, hostPaths: hostPaths.join('\0'), paths: hostPaths.map((p) => `/${path.basename(p)}`).join('\0'), next };
    };
    const out = path.join(dir, 'out.img');
    const fd = fs.openSync(out, 'w+');
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const at = (i: number) => {
      const b = Buffer.alloc(size);
      fs.readSync(fd, b, 0, size, (10 + i * 300) * 2048);
      return b;
    };
    try {
      // The copier has claimed the first three batches already: the helper writes the other three.
      await copyPartsHere({ fd, base: 0, stop }, [part(3)], new AbortController().signal);
      expect([0, 1, 2, 3, 4, 5].map((i) => at(i).equals(Buffer.alloc(size, i + 1)))).toEqual([false, false, false, true, true, true]);
      // A file gone: the typed error names it, as the copier's does.
      fs.rmSync(hostPaths[4]);
      await expect(copyPartsHere({ fd, base: 0, stop }, [part(0)], new AbortController().signal)).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('/f4') });
      // After a stop it takes nothing.
      fs.ftruncateSync(fd, 0);
      Atomics.store(stop, 0, 1);
      await copyPartsHere({ fd, base: 0, stop }, [part(0)], new AbortController().signal);
      expect(fs.fstatSync(fd).size).toBe(0);
    } finally {
      fs.closeSync(fd);
    }
  });
});

it('a stream that gets no part needs no copying thread (a write to a device or a session pushes none)', async () => {
  // A worker that cannot even start: an empty stream must still end, and end clean.
  const copier = new DataCopier({ script: path.join(outerTmp, 'no-such-worker.mjs') }, 1);
  try {
    const s = copier.stream(0, 0);
    s.push([]);
    await expect(s.end()).resolves.toBeUndefined();
  } finally {
    await copier.close();
  }
});

it('a stream whose help() copied every batch before any copying thread started ends without waiting for one, with every byte', async () => {
  const dir = fs.mkdtempSync(path.join(outerTmp, 'alone-'));
  const pieces: DataPiece[] = [];
  let lba = 0;
  for (let i = 0; i < 30; i++) {
    const hostPath = path.join(dir, `f${i}`);
    fs.writeFileSync(hostPath, Buffer.alloc(i * 700 + 1, i + 1));
    const st = fs.statSync(hostPath);
    pieces.push({ lba, size: st.size, source: { type: 'host', hostPath, mtimeMs: st.mtimeMs }, path: `/f${i}` });
    lba += Math.ceil(st.size / 2048);
  }
  // Its thread is not up for 30 s: the stream must not wait for it, and it must write nothing later.
  const copier = new DataCopier({ script: tsWorkerScript(fileURLToPath(new URL('./__fixtures__/slow-copy-worker.ts', import.meta.url))) }, 1);
  const out = path.join(dir, 'out.bin');
  const fd = fs.openSync(out, 'w');
  try {
    const s = copier.stream(fd, 0);
    s.push(pieces.slice(0, 10));
    s.push(pieces.slice(10));
    const ending = s.end();
    const t0 = Date.now();
    await s.help();
    await ending;
    expect(Date.now() - t0).toBeLessThan(15_000); // far below the thread's 30 s: it was not waited for
  } finally {
    fs.closeSync(fd);
    await copier.close();
  }
  const img = fs.readFileSync(out);
  for (const p of pieces) {
    const at = p.lba * 2048;
    expect(img.subarray(at, at + p.size).equals(fs.readFileSync((p.source as { hostPath: string }).hostPath)), p.path).toBe(true);
  }
});

describe('fillPieces (the native batch reader)', () => {
  it('reads files whose size and mtime are as the scan saw them (Node\'s mtimeMs, nanoseconds included), zero-pads, and names the first one that is not', () => {
    const fill = loadNativeAddon().fillPieces;
    if (os.platform() === 'win32') return expect(fill).toBeUndefined();
    expect(fill).toBeTypeOf('function');
    const dir = path.join(outerTmp, 'fill');
    fs.mkdirSync(dir);
    const files = [3000, 1, 2048, 0, 4097].map((n, i) => {
      const p = path.join(dir, `f${i}`);
      fs.writeFileSync(p, Buffer.alloc(n, 0x41 + i));
      // Sub-millisecond mtimes: the native comparison must equal Stats.mtimeMs exactly.
      fs.utimesSync(p, 1.7e9 + i / 3, 1.7e9 + i / 7);
      return { p, n, st: fs.statSync(p) };
    });
    let lba = 100;
    const nums = new Float64Array(files.length * 3);
    files.forEach((f, i) => {
      nums.set([lba, f.n, f.st.mtimeMs], 3 * i);
      lba += Math.ceil(f.n / 2048) + (i === 1 ? 2 : 0); // a gap after the second file
    });
    // One path relative to the working directory (as a relative source argument gives): the native
    // reader opens files against their folder's descriptor, kept from one file to the next.
    const paths = files.map((f, i) => (i === 3 ? path.relative(process.cwd(), f.p) : f.p));
    const buf = Buffer.alloc(64 * 1024, 0xee);
    const filled = fill!(buf, nums, paths, 0, files.length, 100 * 2048);
    const want = Buffer.alloc(filled);
    files.forEach((f, i) => want.fill(0x41 + i, (nums[3 * i] - 100) * 2048, (nums[3 * i] - 100) * 2048 + f.n));
    expect(filled).toBe((lba - 100) * 2048);
    expect(buf.subarray(0, filled).equals(want)).toBe(true);
    // Piece 2 changed (mtime), piece 4 gone: the first is named, as −1 − index.
    fs.utimesSync(files[2].p, 1.6e9, 1.6e9);
    fs.rmSync(files[4].p);
    expect(fill!(buf, nums, paths, 0, files.length, 100 * 2048)).toBe(-3);
    expect(fill!(buf, nums, paths, 3, files.length, nums[9] * 2048)).toBe(-5);
    // A piece outside the buffer is a programming error, not a read.
    expect(() => fill!(Buffer.alloc(2048), nums, paths, 0, 1, 100 * 2048)).toThrow(RangeError);
  });
});
