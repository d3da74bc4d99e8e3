// The engine in a worker thread: same bytes as in-process, progress, cancellation, typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { requireTools } from '../testing/peer-tools';
import { ImageEngine, type ImageWorkerProgress } from './image-engine';
import { StagingTree } from './staging/staging-tree';
import { buildImage } from './writer/write-image';
import { mktemp, pycdlibWalk, sha256File } from './test-support/peers';
import type { ImageSpec } from './layout/plan-image';

const script = tsWorkerScript(fileURLToPath(new URL('./worker/image-worker.ts', import.meta.url)));
const ok = requireTools('/usr/bin/python3');

describe.skipIf(!ok)('ImageEngine (worker thread)', () => {
  let tmp: string;
  let engine: ImageEngine;
  let spec: ImageSpec;

  beforeAll(() => {
    tmp = mktemp('gm-engine-');
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'd'), { recursive: true });
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(src, 'd', `f${i}.bin`), Buffer.alloc(100_000 + i, i));
    const tree = new StagingTree({ now: new Date('2024-01-01T00:00:00Z') });
    tree.addHostPath('/', src);
    tree.addBuffer('/mem/hello.txt', Buffer.from('from memory'));
    spec = { root: tree.root, iso9660: true, joliet: true, rockRidge: true, udf: true, label: 'ENGINE', recordingTime: new Date('2024-01-01T00:00:00Z') };
    engine = new ImageEngine({ script });
  });
  afterAll(async () => {
    await engine.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('streams the same bytes as the in-process engine, knows the size first, reports progress', async () => {
    const { totalSectors } = await engine.plan(spec);
    const events: ImageWorkerProgress[] = [];
    const out = path.join(tmp, 'w.iso');
    const { bytes } = await engine.writeFile(spec, out, { onProgress: (e) => events.push(e), chunkSize: 256 * 1024 });
    expect(bytes).toBe(totalSectors * 2048);
    expect(events[0]).toEqual({ phase: 'planned', totalSectors });
    const last = events[events.length - 1];
    expect(last).toEqual({ phase: 'writing', bytesWritten: bytes, totalBytes: bytes });
    const h = createHash('sha256');
    for await (const c of buildImage(spec)) h.update(c);
    expect(sha256File(out)).toBe(h.digest('hex'));
    const got = pycdlibWalk(out, ['rockridge']).rockridge;
    expect(got['/mem/hello.txt']).toMatchObject({ size: 11 });
    expect(got['/d/f39.bin']).toMatchObject({ size: 100_039 });
  });

  it('cancels promptly and leaves no partial file', async () => {
    const ac = new AbortController();
    const out = path.join(tmp, 'c.iso');
    const p = engine.writeFile(spec, out, { signal: ac.signal, chunkSize: 64 * 1024, onProgress: () => ac.abort() });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('carries typed errors naming the path across the thread boundary', async () => {
    const tree = new StagingTree();
    const f = path.join(tmp, 'vanishing');
    fs.writeFileSync(f, 'x');
    tree.addHostPath('/v', f);
    fs.rmSync(f);
    await expect(engine.writeFile({ root: tree.root, iso9660: true }, path.join(tmp, 'v.iso'))).rejects.toMatchObject({
      code: 'IO', message: expect.stringContaining('vanished before it was imaged: /v'),
    });
  });
});
