// burn.start {kind:'project'} as the app runs it (projectBurnSource): the project reaches the image
// worker as a write does — scanned folders by reference to the worker's scans, nothing unfolded or
// cloned on the calling thread (the Electron main process) — and the checksum manifest is staged and
// hashed in the worker. Judged by the bytes (the same image `writeImage` makes) and by xorriso
// extracting the disc, whose manifest must match the host files as sha256sum computes them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { imageWorkerScript } from '../app/image-worker-script';
import { ImageEngine } from '../image/image-engine';
import { isFolded } from '../project/folded-tree';
import { ProjectService } from '../project/project-service';
import { pattern, writeTree } from '../read/test-support';
import { requireTools } from '../testing/peer-tools';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { projectBurnSource } from './engine-sources';

const peers = requireTools('xorriso', 'sha256sum');
const run = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'] });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let engine: ImageEngine;
let fixtures: BurnFixture[] = [];
const engines: ImageEngine[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-project-burn-'));
  const files: Record<string, string | Buffer> = { 'readme.txt': 'the project\n', 'music/noise.bin': pattern(300_000, 7) };
  for (let a = 0; a < 6; a++) for (let f = 0; f < 8; f++) files[`tree/a${a}/b${f % 3}/f${f}.txt`] = `a${a} f${f}\n`.repeat(20 + f);
  writeTree(join(dir, 'src'), files);
  writeTree(join(dir, 'dot', '.glassmaster'), { 'notes.txt': 'the user\'s own .glassmaster folder\n' });
  engine = new ImageEngine({ script: imageWorkerScript() });
  engines.push(engine);
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(fixtures.map(disposeFixture));
  fixtures = [];
});

async function projectOf(): Promise<ProjectService> {
  const project = new ProjectService({ engine: () => engine, planDelayMs: 0 });
  project.setImageOptions({ date: '2024-01-01T00:00:00Z' });
  project.setLabel('PROJECTBURN');
  await project.addPaths([join(dir, 'src')]);
  return project;
}

describe.skipIf(!peers)('burning the project (burn.start {kind: project})', () => {
  it('burns the bytes writeImage writes (and builds them again for the verify), building no folder of the scan on this thread', async () => {
    const project = await projectOf();
    const src = project.imageRequest().root!.children!.get('src')!;
    expect(isFolded(src)).toBe(true);
    const f = await burnFixture('dvd+r');
    fixtures.push(f);
    const { open, release } = await projectBurnSource(() => engine, project, false, false);
    try {
      // Quick verify compares sampled sectors with a second build of the source: the same bytes again.
      const r = await f.burner.burn(f.address, open, { verify: 'quick' });
      expect(r.copies[0]).toMatchObject({ startLba: 0, verify: { ok: true, level: 'quick' } });
      expect(r.copies[0].verify!.sectorsChecked).toBeGreaterThan(0);
    } finally {
      release();
    }
    // The scanned folder went by reference: still folded here (a structured clone would have built it all).
    expect(isFolded(src)).toBe(true);
    const iso = join(dir, 'p.iso');
    await project.writeImage(iso, new AbortController().signal);
    const image = readFileSync(iso);
    const disc = readFileSync(f.transport.backingFile(f.name));
    expect(sha(disc.subarray(0, image.length))).toBe(sha(image));
    await project.dispose();
  });

  it('stages .glassmaster/SHA256SUMS in the worker: sha256sum -c passes on the disc xorriso extracts', async () => {
    const project = await projectOf();
    // A folder of the project's own named .glassmaster, held by the worker as scanned: the manifest
    // must go into a copy of it, never into the held folder that later builds share.
    await project.addPaths([join(dir, 'dot', '.glassmaster')]);
    const f = await burnFixture('bd-r');
    fixtures.push(f);
    const { open, release } = await projectBurnSource(() => engine, project, false, true);
    try {
      const r = await f.burner.burn(f.address, open, { verify: 'quick' });
      expect(r.copies[0]).toMatchObject({ verify: { ok: true } });
    } finally {
      release();
    }
    const out = join(dir, 'extracted');
    run('xorriso', ['-osirrox', 'on', '-indev', f.transport.backingFile(f.name), '-extract', '/', out]);
    const sums = readFileSync(join(out, '.glassmaster', 'SHA256SUMS'), 'utf8');
    expect(sums.trim().split('\n')).toHaveLength(3 + 6 * 8);
    expect(run('sha256sum', ['--strict', '-c', join(out, '.glassmaster', 'SHA256SUMS')], out)).not.toMatch(/FAILED/);
    // The next image of the project (no manifest) holds the user's .glassmaster folder as scanned.
    const iso = join(dir, 'after.iso');
    await project.writeImage(iso, new AbortController().signal);
    const files = run('xorriso', ['-indev', iso, '-find', '/.glassmaster', '-type', 'f']).split('\n').filter((l) => l.startsWith("'"));
    expect(files).toEqual(["'/.glassmaster/notes.txt'"]);
    await project.dispose();
  });

  it('a worker that no longer holds the scans (replaced): the burn sends the whole tree instead, same bytes', async () => {
    const project = await projectOf();
    const f = await burnFixture('dvd+r');
    fixtures.push(f);
    let current = engine;
    const { open, release } = await projectBurnSource(() => current, project, false, false);
    // As after a worker crash: a fresh engine, whose worker holds none of the project's scans.
    current = new ImageEngine({ script: imageWorkerScript() });
    engines.push(current);
    try {
      const r = await f.burner.burn(f.address, open, { verify: 'full' });
      expect(r.copies[0]).toMatchObject({ verify: { ok: true, level: 'full' } });
    } finally {
      release();
    }
    // Edited since the request was made: falling back would build another tree, so it is refused.
    const edited = await projectBurnSource(() => current, project, false, false);
    current = new ImageEngine({ script: imageWorkerScript() });
    engines.push(current);
    project.remove('/src/readme.txt');
    const g = await burnFixture('dvd+r');
    fixtures.push(g);
    await expect(g.burner.burn(g.address, edited.open, { verify: 'none' })).rejects.toThrow(/changed during the burn/);
    edited.release();
    project.undo();
    const iso = join(dir, 'p2.iso');
    await project.writeImage(iso, new AbortController().signal);
    const image = readFileSync(iso);
    expect(sha(readFileSync(f.transport.backingFile(f.name)).subarray(0, image.length))).toBe(sha(image));
    await project.dispose();
  });
});
