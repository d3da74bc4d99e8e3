// The one image pipeline: ImageEngine.source() keeps the ByteSource contract on a real host tree,
// and the app path (ProjectService → ImageEngine with the project's options) gives the very bytes
// of the CLI path (`glassmaster image`) for the same options and tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { describeByteSourceContract } from './byte-source/contract';
import { ImageEngine } from './image-engine';
import { imageSpecFor, type ImageRequest } from './image-spec';
import { StagingTree } from './staging/staging-tree';
import { buildImage } from './writer/write-image';
import { mktemp, sha256File } from './test-support/peers';
import { runImageCommand } from '../cli/image-build';
import { ProjectService } from '../project/project-service';
import type { AppImageOptions } from '../common/model/image-options';
import { requestSchemas } from '../common/ipc/contract';

const script = tsWorkerScript(fileURLToPath(new URL('./worker/image-worker.ts', import.meta.url)));
const DATE = '2024-03-04T05:06:07Z';

let tmp: string;
let src: string;
let engine: ImageEngine;

function makeTree(dir: string): void {
  fs.mkdirSync(path.join(dir, 'a', 'b', 'c'), { recursive: true });
  for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(dir, i % 2 ? 'a' : path.join('a', 'b', 'c'), `f${i}.bin`), Buffer.alloc(1000 + i * 997, i));
  fs.writeFileSync(path.join(dir, 'Ünïcödé name with spaces.txt'), 'hostile');
  fs.writeFileSync(path.join(dir, 'empty'), '');
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 5, 7));
  fs.symlinkSync('a/f1.bin', path.join(dir, 'link'));
}

beforeAll(() => {
  tmp = mktemp('gm-pipeline-');
  src = path.join(tmp, 'tree');
  makeTree(src);
  engine = new ImageEngine({ script });
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The in-process ordered writer over the same request: the reference bytes. */
async function referenceSha(req: ImageRequest): Promise<{ sha256: string; sectors: number }> {
  const tree = new StagingTree({ now: new Date(req.options.date!) });
  for (const s of req.sources ?? []) tree.addHostPath(s.dest, s.hostPath);
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of buildImage(imageSpecFor(req.options, tree.root))) {
    h.update(c);
    bytes += c.length;
  }
  return { sha256: h.digest('hex'), sectors: bytes / 2048 };
}

describeByteSourceContract('ImageEngine.source (a planned image of host files, produced in a worker)', async () => {
  const req: ImageRequest = { options: { date: DATE, label: 'CONTRACT' }, sources: [{ dest: '/', hostPath: src }] };
  const ref = await referenceSha(req);
  return { open: () => engine.source(req), sha256: ref.sha256, sectorSize: 2048, totalSectors: ref.sectors };
});

describe('ImageEngine.source', () => {
  it('fails a read with a typed error naming a file that vanished after planning, then behaves as cancelled', async () => {
    const dir = path.join(tmp, 'vanish');
    fs.mkdirSync(dir);
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(dir, `f${i}`), Buffer.alloc(2 * 1024 * 1024, i));
    const s = await engine.source({ options: { date: DATE, fs: ['iso9660'] }, sources: [{ dest: '/', hostPath: dir }] }, { chunkSize: 64 * 1024 });
    fs.rmSync(path.join(dir, 'f3'));
    let err: unknown;
    try {
      for (;;) if ((await s.read(32)) === null) break;
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'IO', message: expect.stringContaining('vanished before it was imaged: /f3') });
    await expect(s.read(1)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('refuses a capacity overrun before the first read, with the size the image needs', async () => {
    await expect(engine.source({ options: { maxSectors: 100 }, sources: [{ dest: '/', hostPath: src }] })).rejects.toMatchObject({
      code: 'INVALID_INPUT', message: expect.stringMatching(/needs \d+ sectors/),
    });
  });
});

describe('ImageEngine.writeFile', () => {
  it('a cancel while the worker is still scanning leaves neither the image nor OUT.partial', async () => {
    const out = path.join(tmp, 'cancelled.iso');
    const ac = new AbortController();
    const p = engine.writeFile({ options: { date: DATE }, sources: [{ dest: '/', hostPath: src }] }, out, { signal: ac.signal });
    setTimeout(() => ac.abort(), 1);
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.partial'))).toEqual([]);
    // The engine serves the next build.
    await engine.writeFile({ options: { date: DATE, fs: ['iso9660'] }, sources: [{ dest: '/', hostPath: src }] }, out);
    expect(fs.statSync(out).size % 2048).toBe(0);
    fs.rmSync(out);
  });
});

describe('a staged tree (the app\'s project) is placed ahead of its plan', () => {
  it('gives the ordered writer\'s bytes with host files, in-memory files, empty files and names inserted out of order', async () => {
    const DATE_MS = new Date(DATE);
    const tree = new StagingTree({ now: DATE_MS });
    // Inserted in reverse name order, and with names whose order differs between code points and
    // UTF-16 (U+FF41 against U+1F600): the layout's order is what the placement must follow.
    for (const name of ['zeta', '\uff41', '\u{1f600}', 'b', 'a']) tree.addHostPath(`/${name}`, src);
    tree.addBuffer('/a/in-memory.txt', Buffer.from('staged in memory'), { mtime: DATE_MS });
    tree.addBuffer('/b/empty-buffer', new Uint8Array(0), { mtime: DATE_MS });
    tree.addBuffer('/0-first', Buffer.alloc(5000, 9), { mtime: DATE_MS });
    const options = { date: DATE, label: 'AHEAD' };
    const h = createHash('sha256');
    for await (const c of buildImage(imageSpecFor(options, tree.root))) h.update(c);
    const out = path.join(tmp, 'ahead.iso');
    try {
      await engine.writeFile({ options, root: tree.root }, out);
      expect(sha256File(out)).toBe(h.digest('hex'));
    } finally {
      fs.rmSync(out, { force: true });
    }
  });
});

describe('app path and CLI path give the same bytes', () => {
  const optionSets: { name: string; app: AppImageOptions; cli: string[] }[] = [
    { name: 'defaults (ISO+Joliet+RR+UDF 1.02)', app: { date: DATE }, cli: ['--date', DATE] },
    {
      name: 'ISO level 3 + UDF 2.50 without mirror, own label',
      app: { date: DATE, fs: ['iso9660', 'rockridge', 'udf'], isoLevel: 3, udfRevision: '2.50', udfMetadataMirror: false, label: 'Pipeline Test' },
      cli: ['--date', DATE, '--fs', 'iso9660,rockridge,udf', '--iso-level', '3', '--udf-revision', '2.50', '--no-udf-metadata-mirror', '--label', 'Pipeline Test'],
    },
    { name: 'Joliet only, symlinks followed', app: { date: DATE, fs: ['iso9660', 'joliet'], followSymlinks: true }, cli: ['--date', DATE, '--fs', 'iso9660,joliet', '--follow-symlinks'] },
  ];
  for (const set of optionSets) {
    it(set.name, async () => {
      const project = new ProjectService({ engine: () => engine });
      const appOut = path.join(tmp, 'app.iso');
      const cliOut = path.join(tmp, 'cli.iso');
      try {
        // Options first: followSymlinks applies when a folder is added (scanned in the engine's worker).
        project.setImageOptions(set.app);
        await project.addPaths([src]);
        const label = set.app.label ?? project.snapshot().label;
        const err: string[] = [];
        const stderr = new PassThrough();
        stderr.on('data', (d) => err.push(String(d)));
        const code = await runImageCommand(['-o', cliOut, ...set.cli, ...(set.app.label ? [] : ['--label', label]), `/tree=${src}`], { stdout: new PassThrough(), stderr, engine });
        expect(code, err.join('')).toBe(0);
        await project.writeImage(appOut, new AbortController().signal);
        expect(sha256File(appOut)).toBe(sha256File(cliOut));
      } finally {
        await project.dispose();
        fs.rmSync(appOut, { force: true });
        fs.rmSync(cliOut, { force: true });
      }
    });
  }
});

describe('the options model over IPC', () => {
  const schema = requestSchemas['project.setImageOptions'];
  it('takes the CLI model without host paths', () => {
    expect(schema.safeParse({ options: { fs: ['iso9660', 'udf'], udfRevision: '2.50', udfMetadataMirror: false, label: 'X', date: DATE, maxSectors: 359_847 } }).success).toBe(true);
    expect(schema.safeParse({ options: { boot: [{ platform: 'efi', isoPath: '/efi.img' }], isohybrid: { gpt: true } } }).success).toBe(true);
  });
  it('refuses host paths, unknown keys and contradictions', () => {
    for (const options of [
      { boot: [{ platform: 'bios', hiddenHostPath: '/etc/shadow' }] },
      { isohybrid: { mbrTemplate: '/tmp/mbr.bin' }, boot: [{ platform: 'bios', isoPath: '/b.img' }] },
      { multisession: { importImage: '/tmp/prev.iso', startLba: 1000 } },
      { fs: ['hfs'] },
      { udfMetadataMirror: true },
      { isohybrid: {}, boot: [{ platform: 'bios', isoPath: '/b.img' }] },
      { boot: [{ platform: 'bios', isoPath: '/../etc/passwd' }] },
      { frobnicate: 1 },
    ]) expect(schema.safeParse({ options }).success, JSON.stringify(options)).toBe(false);
  });
});
