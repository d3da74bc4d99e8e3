// The fuzz harness itself: cases are reproducible, the structure-aware mutators find their
// structures in every seed, the runner really reports a planted crash, hang and memory blow-up
// (so `npm run fuzz` cannot pass vacuously), and a 300-case smoke of the real readers is clean.
// The 100,000-case run is `npm run fuzz` (nightly), not part of this suite.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus } from './corpus';
import { generateCase, prepareSeeds, type PreparedSeed } from './mutators';
import { runFuzz } from './runner';
import { TARGETS } from './targets';
import type { SeedImage } from './writer-seeds';

let corpus: SeedImage[];
let prepared: PreparedSeed[];
const crashDir = mkdtempSync(join(tmpdir(), 'gm-fuzz-test-'));

beforeAll(async () => {
  corpus = await buildCorpus();
  prepared = prepareSeeds(corpus);
});
afterAll(() => rmSync(crashDir, { recursive: true, force: true }));

describe('seed corpus and mutators', () => {
  it('holds the writer images and every hostile class of issue 13, each small', () => {
    const names = corpus.map((s) => s.name);
    for (const cls of ['udf-shared-fe', 'iso-wide-dirs', 'rr-hostile-names', 'rr-deep', 'iso-loop', 'udf-loop', 'eltorito-anywhere', 'eltorito-pointer', 'mbr-gpt-absurd']) {
      expect(names).toContain(`hostile:${cls}`);
    }
    expect(names.filter((n) => n.startsWith('writer:')).length).toBeGreaterThanOrEqual(10);
    for (const s of corpus) expect(s.bytes.length, s.name).toBeLessThanOrEqual(6 * 1024 * 1024);
  });

  it('finds the descriptors each seed must have, so structure-aware mutations have targets', () => {
    const kinds = (name: string) => new Set(prepared.find((s) => s.name === name)!.map.byKind.keys());
    const udfIds = (name: string) => new Set(prepared.find((s) => s.name === name)!.map.byKind.get('udf-tag')!.map((t) => t.id));
    expect([...kinds('writer:eltorito-bios+efi+isohybrid-gpt')]).toEqual(expect.arrayContaining(['mbr', 'gpt-header', 'gpt-entries', 'catalog', 'fat', 'vd', 'dirrec', 'susp', 'pathtable', 'udf-tag']));
    // ECMA-167 AVDP 2, PD 5, LVD 6, LVID 9, FSD 256, FID 257, FE 261.
    expect([...udfIds('writer:iso+joliet+rr+udf1.02')]).toEqual(expect.arrayContaining([2, 5, 6, 9, 256, 257, 261]));
    expect([...udfIds('writer:udf2.50-metadata-mirror')]).toEqual(expect.arrayContaining([2, 5, 6, 256, 257, 261]));
    expect([...udfIds('hostile:udf-shared-fe')]).toContain(258); // its AED chain
    expect(kinds('writer:multisession-2').has('susp')).toBe(true);
  });

  it('generates the same case from the same (seed, case number), and different cases otherwise', () => {
    const a = generateCase(prepared, 99, 1234);
    const b = generateCase(prepared, 99, 1234);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.mutations).toEqual(a.mutations);
    const distinct = new Set(Array.from({ length: 50 }, (_, i) => generateCase(prepared, 99, i).mutations.join('|')));
    expect(distinct.size).toBeGreaterThan(45);
    const seeds = new Set(Array.from({ length: 400 }, (_, i) => generateCase(prepared, 99, i).seedName));
    expect(seeds.size).toBe(corpus.length);
  });
});

describe('runner', () => {
  it('reports a planted crash, hang and memory blow-up (JS heap and buffers), and saves each failure', async () => {
    const s = await runFuzz({ corpus: [], seed: 5, cases: 7, jobs: 2, kind: 'planted', timeoutMs: 1500, memoryMb: 64, crashDir });
    const byIndex = new Map(s.failures.map((f) => [f.index, f]));
    // planted-target.ts: 0 ok, 1 typed, 2 crash, 3 hang, 4 JS heap (sampled), 5 buffers (sampled),
    // 6 JS heap never sampled: the worker's resource limit or, on a slow machine, the watchdog.
    expect(s.outcomes.ok).toBe(1);
    expect(s.outcomes.typed).toBe(1);
    expect(s.failures.map((f) => f.index).sort()).toEqual([2, 3, 4, 5, 6]);
    expect(byIndex.get(2)!.outcome).toBe('crash');
    expect(byIndex.get(2)!.targets[0].error!.name).toBe('TypeError');
    expect(byIndex.get(3)!.outcome).toBe('hang');
    expect(byIndex.get(3)!.note).toMatch(/no result after \d+ ms of CPU time .*\(twice/);
    expect(byIndex.get(4)!.outcome).toBe('memory');
    expect(byIndex.get(4)!.note).toMatch(/used \d+ MB \(limit 64 MB\)/);
    expect(byIndex.get(5)!.outcome).toBe('memory');
    expect(byIndex.get(5)!.note).toMatch(/used \d+ MB \(limit 64 MB\)/);
    expect(['memory', 'hang']).toContain(byIndex.get(6)!.outcome);
    for (const i of [2, 3, 4, 5, 6]) {
      const rec = JSON.parse(readFileSync(join(crashDir, `5-${i}`, 'case.json'), 'utf8')) as { seed: number; case: number; replay: string };
      expect(rec).toMatchObject({ seed: 5, case: i });
      expect(rec.replay).toContain('--replay');
    }
  }, 120_000);

  it('300 generated cases of the real readers: no crash, hang or memory overrun, and the cases are not vacuous', async () => {
    const s = await runFuzz({ corpus, seed: 20261205, cases: 300, jobs: 2, crashDir });
    const detail = s.failures.map((f) => `#${f.index} ${f.outcome} ${f.seedName}: ${f.note ?? f.targets.find((t) => t.outcome === 'crash')?.error?.message}`);
    expect(detail).toEqual([]);
    expect(s.cases).toBe(300);
    // Mutations must reach the parsers: a fair share refused with a typed error, a fair share read.
    expect(s.outcomes.typed).toBeGreaterThan(30);
    expect(s.outcomes.ok).toBeGreaterThan(30);
    for (const t of TARGETS) {
      expect(s.byTarget[t].ok, t).toBeGreaterThan(0);
      expect(s.byTarget[t].typed, t).toBeGreaterThan(0);
    }
    expect(existsSync(join(crashDir, `20261205-0`))).toBe(false);
  }, 600_000);
});
