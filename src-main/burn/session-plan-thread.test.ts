// Issue #10: the next session of a disc is planned in the image worker, not on the calling thread.
// A BD-R with a first session of 3,000 files; the next session (one new file) planned and read to
// its end while the stall monitor reads this thread's own CPU time between 5 ms timers. The old way
// (read/disc-session.ts on this thread) is the control that shows the monitor sees a stall; the
// burn's way (discSessionFactory → ImageEngine.discSessionSource) holds the thread under 50 ms at a
// time, and both give the same bytes. (50,000 files: `npm run bench:session`.)
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stallMonitor } from '../bench/stall-monitor';
import type { ByteSource } from '../image/byte-source';
import { ImageEngine } from '../image/image-engine';
import { StagingTree } from '../image/staging/staging-tree';
import { importDiscSession, planDiscIncrement } from '../read/disc-session';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { discSessionFactory, engineSourceFactory } from './engine-sources';

const FILES = 3000;

async function digest(s: ByteSource): Promise<string> {
  const h = createHash('sha256');
  for (let c = await s.read(512); c; c = await s.read(512)) h.update(c);
  return h.digest('hex');
}

describe.skipIf(process.platform !== 'linux')('the next session is planned off the calling thread', () => {
  let dir: string;
  let engine: ImageEngine;
  let f: BurnFixture;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-session-thread-'));
    engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
    for (let i = 0; i < FILES; i++) {
      const d = join(dir, 'src', `d${i % 10}`, `e${Math.floor(i / 10) % 10}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, `f${i}.txt`), `file ${i}\n`);
    }
    writeFileSync(join(dir, 'new.txt'), 'the next session\n');
    f = await burnFixture('bd-r');
    await f.burner.burn(f.address, engineSourceFactory(() => engine, { options: { label: 'BIG' }, sources: [{ dest: '/', hostPath: join(dir, 'src') }] }), { verify: 'none', close: 'session' });
  });
  afterAll(async () => {
    await engine.close();
    await disposeFixture(f);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${FILES} files on the disc: the worker path never holds this thread 50 ms (the old path does), same bytes`, async () => {
    const date = '2026-12-05T00:00:00Z';
    const lease = await f.drives.lease(f.address, 'read');
    try {
      const media = await lease.drive.media();
      let monitor = stallMonitor();
      const tree = new StagingTree({ now: new Date(date) });
      const imported = await importDiscSession(lease.drive, tree);
      tree.addHostPath('/new.txt', join(dir, 'new.txt'));
      const old = await digest((await planDiscIncrement(tree, imported, { iso9660: true, joliet: true, rockRidge: true, udf: false, label: 'NEXT', recordingTime: new Date(date) })).source);
      const before = monitor.stop();
      monitor = stallMonitor();
      const factory = discSessionFactory(() => engine, { options: { label: 'NEXT', date, fs: ['iso9660', 'joliet', 'rockridge'] }, sources: [{ dest: '/new.txt', hostPath: join(dir, 'new.txt') }] });
      const now = await digest(await factory({ drive: lease.drive, media, signal: new AbortController().signal }));
      const after = monitor.stop();
      expect(now).toBe(old);
      expect(before.cpuStallMaxMs, 'the control: planning on this thread holds it').toBeGreaterThan(50);
      expect(after.cpuStalls50, `worker path: ${JSON.stringify(after)}`).toBe(0);
    } finally {
      await lease.release();
    }
  });
});
