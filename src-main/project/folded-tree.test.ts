// The project's folded scans (folded-tree.ts): read in any way, a folded scan is the tree an
// unpack gives; counts, sizes and saved entries come from the arrays without building nodes; and
// the project builds nodes only for the folders it lists or edits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanHostPath } from '../image/staging/scan-task';
import { unpackTree } from '../image/staging/packed-tree';
import { walkTree, type StagingNode } from '../image/staging/staging-tree';
import { ImageEngine } from '../image/image-engine';
import { imageWorkerScript } from '../app/image-worker-script';
import { FoldedScan, forEachEntry, isFolded, subtreeTotals, type FoldedEntry } from './folded-tree';
import { ProjectService } from './project-service';

let dir: string;
let engine: ImageEngine;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-folded-'));
  const src = join(dir, 'src');
  // A folder with no file of its own (its host path cannot be derived from a file), unicode and
  // long names, a link, an empty folder and an empty file.
  mkdirSync(join(src, 'only-folders', 'ü ñame', 'deep'), { recursive: true });
  mkdirSync(join(src, 'empty'));
  for (let a = 0; a < 3; a++) {
    mkdirSync(join(src, `a${a}`));
    for (let f = 0; f < 5; f++) writeFileSync(join(src, `a${a}`, `${'日本語'.repeat(a * 10)}f${f}.txt`), 'x'.repeat(f * 100 + a));
  }
  writeFileSync(join(src, 'only-folders', 'ü ñame', 'deep', 'leaf.bin'), 'leaf');
  writeFileSync(join(src, 'zero'), '');
  symlinkSync('a0/f1.txt', join(src, 'link'));
  engine = new ImageEngine({ script: imageWorkerScript() });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the old code computed from the built nodes. */
function walkedTotals(root: StagingNode): { bytes: number; files: number; folders: number } {
  const t = { bytes: 0, files: 0, folders: 0 };
  walkTree(root, (n, parts) => {
    if (parts.length === 0) return;
    if (n.kind === 'dir') t.folders++;
    else {
      t.files++;
      t.bytes += n.size;
    }
  });
  return t;
}

function walkedEntries(root: StagingNode): FoldedEntry[] {
  const out: FoldedEntry[] = [];
  walkTree(root, (n, parts) => {
    if (parts.length === 0) return;
    const path = `/${parts.join('/')}`;
    if (n.kind === 'dir') out.push({ kind: 'dir', path });
    else if (n.kind === 'symlink') out.push({ kind: 'symlink', path, target: n.symlinkTarget! });
    else out.push({ kind: 'file', path, size: n.size, source: n.source });
  });
  return out;
}

describe('a folded scan', () => {
  it('is the unpacked tree to every reader, with totals and entries from the arrays before any folder is built', () => {
    const { tree } = scanHostPath({ hostPath: join(dir, 'src') });
    const unpacked = unpackTree(tree);
    const seen: number[] = [];
    const root = new FoldedScan(tree, (_node, index) => seen.push(index)).root();
    expect(isFolded(root)).toBe(true);
    expect(subtreeTotals(root)).toEqual(walkedTotals(unpacked));
    expect(subtreeTotals(root)).toEqual({ bytes: 3 * (0 + 100 + 200 + 300 + 400) + 5 * (0 + 1 + 2) + 4 + 9, files: 18, folders: 7 });
    expect(forEachEntryOf(root)).toEqual(walkedEntries(unpacked));
    // Nothing below the root was built for that.
    expect(isFolded(root)).toBe(true);
    expect(seen).toEqual([0]);
    // One level at a time: the root's children, its sub-folders folded again.
    const a1 = root.children!.get('a1')!;
    expect(isFolded(root)).toBe(false);
    expect(isFolded(a1)).toBe(true);
    expect(subtreeTotals(root)).toEqual(walkedTotals(unpacked));
    // A structured clone (what a postMessage does) reads every accessor: the whole unpacked tree.
    expect(structuredClone(root)).toEqual(unpacked);
    expect([...root.children!.keys()]).toEqual([...unpacked.children!.keys()]);
    expect(root.children!.get('only-folders')!.children!.get('ü ñame')!.children!.get('deep')!.children!.get('leaf.bin')!.source)
      .toEqual({ type: 'host', hostPath: join(dir, 'src', 'only-folders', 'ü ñame', 'deep', 'leaf.bin'), mtimeMs: expect.any(Number) });
    // Every folder built was told with its index in the scan (the worker's node index).
    expect(seen.length).toBe(1 + 7);
  });

  it('answers totals and entries of a partly built tree after edits', () => {
    const { tree } = scanHostPath({ hostPath: join(dir, 'src') });
    const root = new FoldedScan(tree).root();
    const unpacked = unpackTree(tree);
    for (const t of [root, unpacked]) {
      t.children!.get('a2')!.children!.delete(`${'日本語'.repeat(20)}f3.txt`);
      t.children!.get('only-folders')!.name = 'renamed';
    }
    expect(isFolded(root.children!.get('a0')!)).toBe(true);
    expect(subtreeTotals(root)).toEqual(walkedTotals(unpacked));
    expect(forEachEntryOf(root)).toEqual(walkedEntries(unpacked));
  });
});

function forEachEntryOf(root: StagingNode): FoldedEntry[] {
  const out: FoldedEntry[] = [];
  forEachEntry(root, (e) => out.push(e));
  return out;
}

describe('the project keeps scanned folders folded', () => {
  it('builds nodes only for the folders it lists or edits, through adding, listing, planning, writing and saving', async () => {
    const project = new ProjectService({ engine: () => engine, planDelayMs: 0 });
    project.setImageOptions({ date: '2024-01-01T00:00:00Z' });
    await project.addPaths([join(dir, 'src')]);
    const root = project.imageRequest().root!;
    const src = root.children!.get('src')!;
    expect(isFolded(src)).toBe(true);
    expect(project.snapshot()).toMatchObject({ files: 18, folders: 1 + 7 });
    const top = project.list('/', 0, 100);
    expect(top.entries).toEqual([{ name: 'src', path: '/src', kind: 'dir', bytes: subtreeTotals(src).bytes, descendants: 18 + 7 }]);
    const listed = project.list('/src', 0, 100);
    expect(listed.entries.map((e) => e.name)).toEqual(['a0', 'a1', 'a2', 'empty', 'only-folders', 'link', 'zero']);
    expect(listed.entries.find((e) => e.name === 'a1')).toMatchObject({ kind: 'dir', descendants: 5, bytes: 1000 + 5 });
    const out = join(dir, 'p.iso');
    await project.writeImage(out, new AbortController().signal);
    await project.save(join(dir, 'p.glassmaster'));
    // Listing /src built its children; none of its sub-folders was built.
    expect(isFolded(src)).toBe(false);
    for (const name of ['a0', 'a1', 'a2', 'empty', 'only-folders']) expect(isFolded(src.children!.get(name)!)).toBe(true);
    // The saved entries are the tree's.
    const saved = JSON.parse(readFileSync(join(dir, 'p.glassmaster'), 'utf8')) as { entries: { path: string }[] };
    const scanned = walkedEntries(unpackTree(scanHostPath({ hostPath: join(dir, 'src') }).tree)).map((e) => `/src${e.path}`);
    expect(saved.entries.map((e) => e.path)).toEqual(['/src', ...scanned]);
    // An edit deep inside builds the folders on its path only.
    project.rename('/src/a0/f2.txt', 'two.txt');
    expect(isFolded(src.children!.get('a0')!)).toBe(false);
    expect(isFolded(src.children!.get('a1')!)).toBe(true);
    expect(project.list('/src/a0', 0, 10).entries.map((e) => e.name)).toContain('two.txt');
    // The image of the partly built tree is the image of the whole tree.
    await project.writeImage(out, new AbortController().signal);
    const whole = join(dir, 'whole.iso');
    await engine.writeFile(project.imageRequest(), whole);
    expect(readFileSync(out).equals(readFileSync(whole))).toBe(true);
    await project.dispose();
  });
});
