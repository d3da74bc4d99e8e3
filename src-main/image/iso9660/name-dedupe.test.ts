// Issue 13: ISO 9660 (and Joliet) name de-duplication was quadratic: each colliding name tried
// every counter from 1 again (5,000 colliding names took 7.6 s, 20,000 up to 120 s). These tests
// count Set/Map lookups (test-support/lookup-budget.ts), not time: a near-linear de-duplication
// stays within a few lookups per name, the quadratic one needs ~N²/2 and trips the budget at once.
// The names must stay exactly what they were: a plain reference of the old rule checks that.
import { describe, expect, it } from 'vitest';
import { assignIsoNames, type IsoLevel, type NamedEntry } from './names';
import { assignJolietNames, JOLIET_MAX } from '../joliet/names';
import { countLookups, countLookupsAsync } from '../test-support/lookup-budget';
import { StagingTree } from '../staging/staging-tree';
import { planImage } from '../layout/plan-image';

const N = 20_000;
/** Lookups allowed per name: the fix needs ~3; the quadratic rule needs ~N/2. */
const PER_NAME = 20;

const files = (names: string[]): NamedEntry[] => names.map((name) => ({ name, isDir: false }));
const bits = (i: number) => Array.from({ length: 15 }, (_, b) => ((i >> b) & 1 ? 'A' : 'a')).join('');

/** Shapes that collide after mapping/truncation, N names each, in the sorted order callers pass. */
const SHAPES: Record<string, NamedEntry[]> = {
  'same 8-character prefix': files(Array.from({ length: N }, (_, i) => `photograph_${String(i).padStart(5, '0')}.jpg`)),
  'same stem, different extensions': files(Array.from({ length: N }, (_, i) => `readme.txt${i}`)),
  'long names cut to the same identifier': files(Array.from({ length: N }, (_, i) => `${'a'.repeat(70)}${i}.txt`)),
  'names differing only in case': files(Array.from({ length: N }, (_, i) => `${bits(i)}.txt`)),
  // Counters of neighbouring stems share candidates ("ABCD00A1" is the 1st of ABCD00A* and the
  // 10th… of nothing else, "ABCD0010" is the 10th of every ABCD00**): a memo per whole stem is not enough.
  'pairs whose counters overlap': files(Array.from({ length: N }, (_, i) => `abcd${(i >> 1).toString(36).padStart(4, '0')}.${i & 1 ? 'TXT' : 'txt'}`)),
  'long directory names': Array.from({ length: N }, (_, i) => ({ name: `${'d'.repeat(40)}${i}`, isDir: true })),
};
for (const list of Object.values(SHAPES)) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

// ---- the rules as they were written before (one counter search from 1 per name), as the reference
function referenceIso(entries: readonly NamedEntry[], level: IsoLevel): string[] {
  const used = new Set<string>();
  return entries.map((e) => {
    const isDir = e.isDir ?? e.kind === 'dir';
    // A single entry never collides: its identifier is the mapped, cut base and extension.
    const solo = assignIsoNames([e], level)[0];
    const body = isDir ? solo : solo.slice(0, -2);
    const dot = isDir ? -1 : body.indexOf('.');
    const base = dot >= 0 ? body.slice(0, dot) : body;
    const ext = dot >= 0 ? body.slice(dot + 1) : '';
    const limBase = level === 1 ? 8 : isDir ? 31 : 30 - ext.length;
    const key = (b: string) => (ext ? `${b}.${ext}` : b);
    let candidate = base;
    for (let n = 1; used.has(key(candidate)); n++) {
      const digits = String(n);
      candidate = base.slice(0, Math.max(0, limBase - digits.length)) + digits;
      if (candidate.length > limBase) candidate = candidate.slice(-limBase);
    }
    used.add(key(candidate));
    return isDir ? candidate : `${candidate}.${ext};1`;
  });
}

function referenceJoliet(entries: readonly NamedEntry[]): string[] {
  const used = new Set<string>();
  return entries.map((e) => {
    const solo = assignJolietNames([e])[0];
    const dot = (e.isDir ?? e.kind === 'dir') ? -1 : solo.lastIndexOf('.');
    const ext = dot > 0 && solo.length - dot <= 16 ? solo.slice(dot) : '';
    const base = ext ? solo.slice(0, dot) : solo;
    let candidate = solo;
    for (let n = 1; used.has(candidate); n++) {
      const suffix = `~${n}`;
      candidate = base.slice(0, Math.min(base.length, JOLIET_MAX - ext.length - suffix.length)) + suffix + ext;
    }
    used.add(candidate);
    return candidate;
  });
}

/** xorshift32 names from a small alphabet: many collisions of every kind, including cross-stem ones. */
function randomNames(seed: number, count: number): NamedEntry[] {
  let x = seed >>> 0 || 1;
  const int = (n: number) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
  const alphabet = 'aAb1_-.';
  const seen = new Set<string>();
  const out: NamedEntry[] = [];
  while (out.length < count) {
    const len = [3, 8, 9, 12, 31, 40, 70][int(7)];
    let name = '';
    for (let i = 0; i < len; i++) name += alphabet[int(alphabet.length)];
    if (name === '.' || name === '..' || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, isDir: int(4) === 0 });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

describe('ISO 9660 and Joliet name de-duplication scales', () => {
  for (const [shape, entries] of Object.entries(SHAPES)) {
    it(`${N} names, ${shape}: a few lookups per name, every name unique`, () => {
      for (const level of [1, 2] as const) {
        const { result, lookups } = countLookups(PER_NAME * N, () => assignIsoNames(entries, level));
        expect(new Set(result.map((id) => id.replace(/\.?;1$/, ''))).size, `level ${level}`).toBe(N);
        expect(lookups).toBeLessThanOrEqual(PER_NAME * N);
      }
      const { result } = countLookups(PER_NAME * N, () => assignJolietNames(entries));
      expect(new Set(result).size).toBe(N);
      expect(result.every((n) => n.length <= JOLIET_MAX)).toBe(true);
    });
  }

  it('a staged folder of 20,000 colliding names plans (ISO 9660 + Joliet + Rock Ridge + UDF) in linear work', async () => {
    const tree = new StagingTree({ now: new Date(Date.UTC(2025, 0, 1)) });
    const dir = tree.mkdir('/collide');
    for (const e of SHAPES['long names cut to the same identifier']) {
      const node = tree.addBuffer(`/collide/${e.name}`, new Uint8Array(0));
      expect(node.name).toBe(e.name);
    }
    expect(dir.children!.size).toBe(N);
    // Whatever the planner looks up per entry besides naming, it is bounded per entry; the quadratic
    // naming alone made ~N²/2 = 200,000,000 lookups per facet.
    const { result: plan, lookups } = await countLookupsAsync(200 * N, () =>
      planImage({ root: tree.root, iso9660: true, joliet: true, rockRidge: true, udf: true, recordingTime: new Date(Date.UTC(2025, 0, 1)) }));
    expect(plan.totalSectors).toBeGreaterThan(0);
    console.log(`planImage, ${N} colliding names: ${lookups} Set/Map lookups (${(lookups / N).toFixed(1)} per name)`);
  });
});

describe('the names stay what they were', () => {
  it('every shape: the same identifiers as the one-search-per-name rule (first 600 names)', () => {
    for (const entries of Object.values(SHAPES)) {
      const part = entries.slice(0, 600);
      for (const level of [1, 2, 3] as const) expect(assignIsoNames(part, level)).toEqual(referenceIso(part, level));
      expect(assignJolietNames(part)).toEqual(referenceJoliet(part));
    }
  });

  it('random colliding names (files and folders): the same identifiers, run after run', () => {
    for (const seed of [1, 2, 3, 0xdecaf, 0xc0ffee]) {
      const entries = randomNames(seed, 1500);
      for (const level of [1, 2, 3] as const) {
        const ids = assignIsoNames(entries, level);
        expect(ids, `seed ${seed} level ${level}`).toEqual(referenceIso(entries, level));
        expect(assignIsoNames(entries, level)).toEqual(ids);
      }
      expect(assignJolietNames(entries), `seed ${seed}`).toEqual(referenceJoliet(entries));
    }
  });
});
