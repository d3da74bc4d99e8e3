// The staging model: every operation is checked on the image an independent reader (xorriso,
// isoinfo) sees, not only on the in-memory tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { requireTools } from '../../testing/peer-tools';
import { StagingTree } from './staging-tree';
import { buildImage } from '../writer/write-image';
import { planImage } from '../layout/plan-image';
import { mktemp, run } from '../test-support/peers';

const ok = requireTools('xorriso', 'isoinfo');

async function write(tree: StagingTree, out: string, extra: Record<string, unknown> = {}): Promise<void> {
  const fd = fs.openSync(out, 'w');
  for await (const c of buildImage({ root: tree.root, iso9660: true, joliet: true, rockRidge: true, udf: true, ...extra })) fs.writeSync(fd, c);
  fs.closeSync(fd);
}

describe.skipIf(!ok)('StagingTree', () => {
  let tmp: string;
  beforeAll(() => { tmp = mktemp('gm-stage-'); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('adds host paths, buffers and streams; renames, moves, removes; dates, modes and symlinks reach the image', async () => {
    const host = path.join(tmp, 'host');
    fs.mkdirSync(path.join(host, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(host, 'sub/one.txt'), 'one');
    fs.writeFileSync(path.join(host, 'gone.txt'), 'gone');
    const tree = new StagingTree({ workDir: tmp });
    tree.addHostPath('/from-host', host);
    tree.addBuffer('/mem/buf.bin', Buffer.from('buffer data'), { mode: 0o600, uid: 1000, gid: 100 });
    await tree.addStream('/mem/stream.txt', Readable.from([Buffer.from('streamed '), Buffer.from('data')]));
    tree.addSymlink('/mem/link', '../from-host/sub/one.txt');
    tree.rename('/from-host/sub', 'renamed');
    tree.mkdir('/target');
    tree.move('/from-host/renamed', '/target');
    tree.remove('/from-host/gone.txt');
    const when = new Date('2001-02-03T04:05:06Z');
    tree.setDates('/mem/buf.bin', { mtime: when });
    expect(() => tree.move('/target', '/target/renamed')).toThrow(/into itself/);
    expect(() => tree.rename('/mem/buf.bin', 'stream.txt')).toThrow(/already exists/);
    expect(() => tree.remove('/nope')).toThrow(/no such entry/);

    const out = path.join(tmp, 'ops.iso');
    const plan = await planImage({ root: tree.root, iso9660: true, joliet: true, rockRidge: true, udf: true });
    await write(tree, out);
    // The size is known before the first byte.
    expect(fs.statSync(out).size).toBe(plan.totalSectors * 2048);

    const ls = run('xorriso', ['-indev', out, '-find', '/', '-exec', 'lsdl']);
    expect(ls).toMatch(/-rw------- +1 1000 +100 +11 Feb +3 +2001 '\/mem\/buf.bin'/);
    expect(ls).toContain("'/mem/link' -> '../from-host/sub/one.txt'");
    expect(ls).toContain("'/target/renamed/one.txt'");
    expect(ls).not.toContain('gone.txt');
    const x = path.join(tmp, 'x');
    run('xorriso', ['-osirrox', 'on', '-indev', out, '-extract', '/mem', x]);
    expect(fs.readFileSync(path.join(x, 'stream.txt'), 'utf8')).toBe('streamed data');

    // The stash directory goes away with dispose().
    const stash = fs.readdirSync(tmp).filter((n) => n.startsWith('glassmaster-stash-'));
    expect(stash.length).toBe(1);
    await tree.dispose();
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('glassmaster-stash-'))).toEqual([]);
  });

  it('hidden entries carry the ISO 9660 existence bit (ECMA-119 §9.1.6 bit 0) in ISO and Joliet', async () => {
    const tree = new StagingTree();
    tree.addBuffer('/visible.txt', Buffer.from('v'));
    tree.addBuffer('/secret.txt', Buffer.from('s'), { hidden: true });
    const out = path.join(tmp, 'hidden.iso');
    await write(tree, out, { udf: false });
    // isoinfo prints the flags byte in the [LBA flags] column: 01 = hidden (existence bit).
    const plain = run('isoinfo', ['-l', '-i', out]);
    expect(plain).toMatch(/\[\s*\d+ 01\]\s+SECRET\.TXT;1/);
    expect(plain).toMatch(/\[\s*\d+ 00\]\s+VISIBLE\.TXT;1/);
    expect(run('isoinfo', ['-J', '-l', '-i', out])).toMatch(/\[\s*\d+ 01\]\s+secret\.txt/);
  });
});

describe('StagingTree host names', () => {
  let tmp: string;
  beforeAll(() => { tmp = mktemp('gm-names-'); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps entries in UTF-8 byte order (characters beyond U+FFFF after U+E000–U+FFFF) and a real U+FFFD in a name', () => {
    const dir = path.join(tmp, 'order');
    fs.mkdirSync(dir);
    const names = ['b', 'A', 'ａ', '😀', 'é', 'a\uFFFDb', 'z'];
    for (const n of names) fs.writeFileSync(path.join(dir, n), n);
    const tree = new StagingTree();
    tree.addHostPath('/d', dir);
    const got = [...tree.get('/d')!.children!.keys()];
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(got).toEqual(byBytes);
    expect(got.indexOf('😀')).toBeGreaterThan(got.indexOf('ａ')); // UTF-16 order would put it first
    expect(tree.get('/d/a\uFFFDb')!.size).toBe(Buffer.byteLength('a\uFFFDb'));
  });

  it('refuses a name that is not UTF-8, naming it', () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ok\uFFFD'), 'x'); // a real U+FFFD alongside does not hide it
    fs.writeFileSync(Buffer.from(`${dir}/bad-\xff-name`, 'latin1'), 'x');
    const tree = new StagingTree();
    expect(() => tree.addHostPath('/d', dir)).toThrow(/not valid UTF-8: .*bad\/bad-/);
  });
});

describe('StagingTree dates', () => {
  it('dates the entries it makes itself (directories a path needs, buffers, symlinks) with `now`', () => {
    const now = new Date(Date.UTC(2020, 1, 2, 3, 4, 5));
    const tree = new StagingTree({ now });
    tree.addBuffer('/a/b/c.txt', Buffer.from('x'));
    tree.addSymlink('/a/l', 'b/c.txt');
    tree.mkdir('/d/e');
    for (const p of ['/', '/a', '/a/b', '/a/b/c.txt', '/a/l', '/d', '/d/e']) expect(tree.get(p)!.mtime.getTime(), p).toBe(now.getTime());
    const own = new Date(Date.UTC(2001, 0, 1));
    expect(tree.addBuffer('/f', Buffer.alloc(0), { mtime: own }).mtime).toBe(own);
  });
});
