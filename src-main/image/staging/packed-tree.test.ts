import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StagingTree } from './staging-tree';
import { packTree, packTreeOrdered, packTreeSliced, unpackTree, unpackTreeSliced } from './packed-tree';
import { SCAN_NOT_HELD, ScanCache } from './scan-cache';
import { scanHostPath } from './scan-task';
import type { StagingNode } from './staging-tree';

const dir = mkdtempSync(join(tmpdir(), 'gm-packed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('packed staging trees', () => {
  it('a scan packed as scanned (no path comparisons) unpacks to the host paths the scan found, and stores none of them', () => {
    const root = join(dir, 'scan-fresh');
    mkdirSync(join(root, 'a/b c/ünï'), { recursive: true });
    for (const p of ['x.txt', 'a/y', 'a/b c/z z', 'a/b c/ünï/😀.bin']) writeFileSync(join(root, p), p);
    const held = new ScanCache();
    const { tree, scan } = scanHostPath({ hostPath: root, keep: true }, undefined, held);
    const back = unpackTree(tree);
    const paths = (n: StagingNode, out: string[] = []): string[] => {
      if (n.source?.type === 'host') out.push(n.source.hostPath);
      for (const c of n.children?.values() ?? []) paths(c, out);
      return out;
    };
    const scanned = held.resolve(scan!, 0, '');
    expect(paths(back)).toEqual(paths(scanned));
    expect(paths(back)).toContain(join(root, 'a/b c/ünï/😀.bin'));
    // Only the root folder's path is stored: every other one is derived again.
    expect(Buffer.from(tree.text).toString('utf8')).not.toContain('b c/');
  });

  it('give back the same nodes in the same order, sliced or not (host files, folders, links, buffers, dates, hidden)', async () => {
    mkdirSync(join(dir, 'src/deep/er'), { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'src', `f${String(i).padStart(5, '0')}.txt`), 'x'.repeat(i % 7));
    writeFileSync(join(dir, 'src/deep/er/ü ñame.bin'), 'data');
    symlinkSync('../f00001.txt', join(dir, 'src/deep/link'));
    const tree = new StagingTree({ now: new Date('2020-02-02T00:00:00Z') });
    tree.addHostPath('/src', join(dir, 'src'));
    // More nodes than one slice (4,000), so the sliced forms really yield in the middle.
    for (let i = 0; i < 4500; i++) tree.addBuffer(`/many/${i}`, new Uint8Array(i % 3));
    tree.addBuffer('/mem/b.txt', new Uint8Array([1, 2, 3]));
    tree.setHidden('/mem/b.txt', true);
    tree.rename('/src/f00002.txt', 'renamed.txt');
    const packed = packTree(tree.root);
    expect(packed.count).toBe(1 + 2 + 21 + 3 + 1 + 4501);
    // Host paths that are the parent folder's plus the name are not sent. The host folder appears
    // three times: src's own path, deep/er's (deep holds no file to infer its path from), and the
    // renamed file's.
    expect(new TextDecoder().decode(packed.text).split(dir).length - 1).toBe(3);
    const back = unpackTree(packed);
    // Maps compare by entries in order; Dates by time; sources and link targets by value.
    expect(back).toEqual(tree.root);
    expect([...back.children!.get('src')!.children!.keys()]).toEqual([...tree.root.children!.get('src')!.children!.keys()]);
    expect(back.children!.get('src')!.children!.get('deep')!.children!.get('link')!.symlinkTarget).toBe('../f00001.txt');
    expect(back.children!.get('mem')!.children!.get('b.txt')!.hidden).toBe(true);
    const sliced = await unpackTreeSliced(await packTreeSliced(tree.root));
    expect(sliced).toEqual(tree.root);
  });

  it('keeps long multi-byte names whole when the text buffer grows past its first size', () => {
    // Few nodes (the first buffer is sized for short names) with names of 3-byte and 4-byte UTF-8.
    const tree = new StagingTree({ now: new Date('2020-02-02T00:00:00Z') });
    const names = ['日本語'.repeat(60), '😀'.repeat(90), `ü${'ñ'.repeat(150)}`];
    for (const n of names) tree.addBuffer(`/${n}/${n}`, new Uint8Array([1]));
    const packed = packTree(tree.root);
    expect(packed.text.length).toBeGreaterThan(1024);
    const back = unpackTree(packed);
    expect(back).toEqual(tree.root);
    expect([...back.children!.keys()]).toEqual(names);
  });

  it('yields to the event loop between slices', async () => {
    const tree = new StagingTree();
    for (let i = 0; i < 20000; i++) tree.addBuffer(`/d${i % 10}/f${i}`, new Uint8Array(0));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const packed = await packTreeSliced(tree.root);
    await unpackTreeSliced(packed);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(4);
  });

  it('send a held scan\'s folders by reference: the worker\'s own nodes come back, a renamed one as a copy sharing its children', async () => {
    const scanned = new StagingTree({ now: new Date('2020-02-02T00:00:00Z') });
    for (let i = 0; i < 30; i++) scanned.addBuffer(`/s/a/${i}`, new Uint8Array(i));
    scanned.addBuffer('/s/b/x', new Uint8Array(3));
    const cache = new ScanCache();
    const { order } = packTreeOrdered(scanned.root.children!.get('s')!);
    const scan = cache.hold(order);
    // The sender's copy of the same scan (its node i is the held node i), edited: b renamed, a new file at the top.
    const mine = unpackTree(packTree(scanned.root.children!.get('s')!));
    const mineOrder = packTreeOrdered(mine).order;
    mine.children!.set('new', { ...mine.children!.get('b')!.children!.get('x')!, name: 'new' });
    const b = mine.children!.get('b')!;
    mine.children!.delete('b');
    b.name = 'renamed';
    mine.children!.set('renamed', b);
    const refOf = (n: typeof mine) => (n === mine ? undefined : n.children ? { scan, node: mineOrder.indexOf(n) } : undefined);
    const packed = await packTreeSliced(mine, undefined, refOf);
    // The top folder and its new file packed; a and renamed by reference, their 31 files not sent.
    expect(packed.count).toBe(4);
    expect(packed.refs?.map(([, s]) => s)).toEqual([scan, scan]);
    const back = unpackTree(packed, (s, node, name) => cache.resolve(s, node, name));
    expect(back.children!.get('a')).toBe(order[mineOrder.indexOf(mine.children!.get('a')!)]);
    const renamed = back.children!.get('renamed')!;
    expect(renamed.name).toBe('renamed');
    expect(renamed.children).toBe(order[mineOrder.indexOf(b)]!.children);
    expect(order[mineOrder.indexOf(b)]!.name).toBe('b'); // the held node is never modified
    expect([...back.children!.keys()]).toEqual(['a', 'new', 'renamed']);
    // A thread without the scan, or a released scan, refuses instead of guessing.
    expect(() => unpackTree(packed)).toThrow(/held scans/);
    cache.release([scan]);
    expect(() => unpackTree(packed, (s, node, name) => cache.resolve(s, node, name))).toThrow(expect.objectContaining({ code: 'NOT_FOUND', details: expect.objectContaining({ reason: SCAN_NOT_HELD, scan }) }));
  });
});
