// The Linux kernel as an independent reader: a QEMU guest mounts one Glassmaster image four ways
// (isofs with Rock Ridge, isofs Joliet-only, plain ECMA-119, and udf) and reports every entry
// with its SHA-256; each view must match the host source tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { requireTools } from '../testing/peer-tools';
import { runInGuest } from '../testing/qemu-guest';
import { runImageCommand } from './cli-image';
import { StagingTree } from './staging/staging-tree';
import { buildImage } from './writer/write-image';
import { describeHostTree, mktemp, type TreeInfo } from './test-support/peers';
import { makeRandomTree, seedFromEnv } from './test-support/random-tree';

const ok = requireTools('qemu-system-x86_64');

/** Lists a mounted tree as "type<TAB>path<TAB>size<TAB>target" lines plus sha256sum lines. */
const LIST = (dir: string, out: string) =>
  `(cd ${dir} && find . -mindepth 1 -printf '%y\\t%P\\t%s\\t%l\\n' && find . -type f -print0 | xargs -0 -r sha256sum) > "$GM_OUT/${out}"`;

function parse(text: string): TreeInfo {
  const t: TreeInfo = {};
  const hashes = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}\.\/(.*)$/.exec(line);
    if (m) { hashes.set(`/${m[2]}`, m[1]); continue; }
    const [y, p, size, target] = line.split('\t');
    if (!p) continue;
    if (y === 'd') t[`/${p}`] = { type: 'dir' };
    else if (y === 'l') t[`/${p}`] = { type: 'symlink', target };
    else t[`/${p}`] = { type: 'file', size: Number(size) };
  }
  for (const [p, h] of hashes) if (t[p]) t[p].sha256 = h;
  return t;
}

describe.skipIf(!ok)('Linux kernel mounts (QEMU guest)', () => {
  let tmp: string;
  let src: string;
  let img: string;
  let udfOnly: string;
  let randomSrc: string;
  let randomImg: string;

  beforeAll(async () => {
    tmp = mktemp('gm-kmount-');
    src = path.join(tmp, 'src');
    const w = (p: string, d: string | Buffer) => { fs.mkdirSync(path.dirname(path.join(src, p)), { recursive: true }); fs.writeFileSync(path.join(src, p), d); };
    w('hello.txt', 'hello\n');
    w('Ünïcode 日本語/ファイル.txt', 'unicode');
    w(`long/${'n'.repeat(200)}.txt`, 'long name');
    w('Case/readme.TXT', 'a');
    w('Case/README.txt', 'b');
    w('deep/a/b/c/d/e/f/g/h/i/j/leaf.bin', Buffer.alloc(70000, 9));
    w('data/blob.bin', Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7) & 0xff)));
    fs.symlinkSync('../hello.txt', path.join(src, 'data/link'));
    img = path.join(tmp, 'all.iso');
    udfOnly = path.join(tmp, 'udf.img');
    for (const args of [['-o', img, src], ['-o', udfOnly, '--fs', 'udf', '--udf-revision', '2.50', src]]) {
      const err = new PassThrough();
      const chunks: string[] = [];
      err.on('data', (d) => chunks.push(String(d)));
      expect(await runImageCommand(args, { stdout: new PassThrough(), stderr: err }), chunks.join('')).toBe(0);
    }
    // A tree the tests never saw (reader-fidelity.test.ts has the other readers' view of such trees).
    randomSrc = path.join(tmp, 'random');
    const seed = seedFromEnv();
    console.log(`kernel mounts: random tree seed ${seed} (GM_TREE_SEED=${seed} replays it)`);
    makeRandomTree(randomSrc, seed);
    randomImg = path.join(tmp, 'random.iso');
    const t = new StagingTree();
    await t.addHostPath('/', randomSrc);
    const fd = fs.openSync(randomImg, 'w');
    for await (const c of buildImage({ root: t.root, iso9660: true, joliet: true, rockRidge: true, udf: true })) fs.writeSync(fd, c);
    fs.closeSync(fd);
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('isofs (RR, Joliet, plain) and udf views equal the source', { timeout: 400_000 }, async () => {
    const r = await runInGuest({
      disks: [{ file: img }, { file: udfOnly }, { file: randomImg }],
      script: [
        'mkdir -p /run/m',
        `mount -t iso9660 -o ro /dev/vda /run/m && ${LIST('/run/m', 'rr.txt')}; umount /run/m`,
        // check=strict: Joliet is otherwise matched case-insensitively (see environment notes).
        `mount -t iso9660 -o ro,norock,check=strict /dev/vda /run/m && ${LIST('/run/m', 'joliet.txt')}; umount /run/m`,
        `mount -t iso9660 -o ro,norock,nojoliet,map=off /dev/vda /run/m && ${LIST('/run/m', 'plain.txt')}; umount /run/m`,
        `mount -t udf -o ro /dev/vda /run/m && ${LIST('/run/m', 'udf.txt')}; umount /run/m`,
        `mount -t udf -o ro /dev/vdb /run/m && ${LIST('/run/m', 'udf250.txt')}; umount /run/m`,
        `mount -t iso9660 -o ro /dev/vdc /run/m && ${LIST('/run/m', 'random-rr.txt')}; umount /run/m`,
        `mount -t udf -o ro /dev/vdc /run/m && ${LIST('/run/m', 'random-udf.txt')}; umount /run/m`,
        'dmesg | grep -i -E "isofs|udf|iso9660" > "$GM_OUT/dmesg.txt"; exit 0',
      ].join('\n'),
    });
    const read = (f: string) => fs.readFileSync(path.join(r.outDir, f), 'utf8');
    const srcInfo = describeHostTree(src);
    try {
      // The kernel follows RRIP CL/PL and hides RE: the deep tree in place, nothing else.
      expect(parse(read('rr.txt'))).toEqual(srcInfo);
      // A hybrid disc keeps its links in Rock Ridge; UDF alone (no Rock Ridge) records them.
      const noLinks = (t: TreeInfo) => Object.fromEntries(Object.entries(t).filter(([, e]) => e.type !== 'symlink'));
      expect(parse(read('udf.txt'))).toEqual(noLinks(srcInfo));
      expect(parse(read('udf250.txt'))).toEqual(srcInfo);
      const randomInfo = describeHostTree(randomSrc);
      expect(parse(read('random-rr.txt'))).toEqual(randomInfo);
      expect(parse(read('random-udf.txt'))).toEqual(noLinks(randomInfo));
      const joliet = parse(read('joliet.txt'));
      // Joliet has no links: data/link (→ ../hello.txt) shows as that file.
      expect(joliet['/data/link']).toEqual(srcInfo['/hello.txt']);
      expect(joliet['/Ünïcode 日本語/ファイル.txt']).toEqual(srcInfo['/Ünïcode 日本語/ファイル.txt']);
      expect(joliet['/Case/readme.TXT']).toEqual(srcInfo['/Case/readme.TXT']);
      expect(joliet['/Case/README.txt']).toEqual(srcInfo['/Case/README.txt']);
      expect(joliet['/deep/a/b/c/d/e/f/g/h/i/j/leaf.bin']).toEqual(srcInfo['/deep/a/b/c/d/e/f/g/h/i/j/leaf.bin']);
      expect(Object.keys(joliet).find((p) => p.startsWith('/long/'))!.length).toBe('/long/'.length + 64);
      const plain = parse(read('plain.txt'));
      expect(plain['/HELLO.TXT;1']).toEqual({ ...srcInfo['/hello.txt'] });
      expect(plain['/DATA/BLOB.BIN;1']).toEqual(srcInfo['/data/blob.bin']);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- dmesg:\n${fs.existsSync(path.join(r.outDir, 'dmesg.txt')) ? read('dmesg.txt') : ''}\n--- console:\n${r.console.slice(-1500)}`, { cause: err });
    } finally {
      fs.rmSync(r.outDir, { recursive: true, force: true });
    }
  });

  it('a 4.5 GiB file: ISO multi-extent and UDF extents give the right size and bytes at every extent boundary', { timeout: 600_000 }, async () => {
    const big = path.join(tmp, 'big');
    fs.mkdirSync(big);
    const size = 4.5 * 1024 ** 3 + 777;
    const fd = fs.openSync(path.join(big, 'big.bin'), 'w');
    fs.ftruncateSync(fd, size);
    // Markers straddle the ISO extent size (0xFFFFF800) and the UDF extent size (2^30 - 2048).
    const offsets = [0, 0xfffff800 - 8, 2 ** 32 - 8, (2 ** 30 - 2048) - 8, 2 * (2 ** 30 - 2048) - 8, 4 * (2 ** 30 - 2048) - 8, size - 16];
    for (const off of offsets) fs.writeSync(fd, Buffer.from(`<${String(off).padStart(14, '0')}>`), 0, 16, off);
    fs.closeSync(fd);
    const bigImg = path.join(tmp, 'big.iso');
    expect(await runImageCommand(['-o', bigImg, big], { stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
    const probe = (dir: string, out: string) =>
      `(stat -c %s ${dir}/big.bin; for o in ${offsets.join(' ')}; do dd if=${dir}/big.bin bs=16 count=1 iflag=skip_bytes skip=$o 2>/dev/null; echo; done) > "$GM_OUT/${out}"`;
    const r = await runInGuest({
      disks: [{ file: bigImg }],
      script: [
        'mkdir -p /run/m',
        `mount -t iso9660 -o ro /dev/vda /run/m && ${probe('/run/m', 'iso.txt')}; umount /run/m`,
        `mount -t udf -o ro /dev/vda /run/m && ${probe('/run/m', 'udf.txt')}; umount /run/m`,
        'exit 0',
      ].join('\n'),
    });
    const expected = [String(size), ...offsets.map((o) => `<${String(o).padStart(14, '0')}>`), ''].join('\n');
    try {
      expect(fs.readFileSync(path.join(r.outDir, 'iso.txt'), 'utf8')).toBe(expected);
      expect(fs.readFileSync(path.join(r.outDir, 'udf.txt'), 'utf8')).toBe(expected);
    } finally {
      fs.rmSync(r.outDir, { recursive: true, force: true });
    }
  });
});
