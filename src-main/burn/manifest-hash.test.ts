import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageEngine } from '../image/image-engine';
import { requireTools } from '../testing/peer-tools';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { pattern } from '../read/test-support';

const ok = requireTools('sha256sum');

describe.skipIf(!ok)("the manifest's file hashing as a worker task (ImageEngine.hashFiles)", () => {
  let dir: string;
  let engine: ImageEngine;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-hashfiles-'));
    engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
    writeFileSync(join(dir, 'a.bin'), pattern(3_000_000, 2));
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'b.txt'), 'b\n');
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one digest per file, in order, as sha256sum computes them; an unreadable file is an IoError naming it', async () => {
    const paths = ['a.bin', 'empty', 'b.txt'].map((n) => join(dir, n));
    const want = execFileSync('sha256sum', paths, { encoding: 'utf8' }).trim().split('\n').map((l) => l.slice(0, 64));
    expect(await engine.hashFiles(paths)).toEqual(want);
    await expect(engine.hashFiles([join(dir, 'gone.bin')])).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('gone.bin') });
    const ac = new AbortController();
    ac.abort();
    await expect(engine.hashFiles(paths, { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
