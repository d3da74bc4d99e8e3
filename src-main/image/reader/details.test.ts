// Finer points: SUSP continuation areas, path table cross-checks, the UDF reserve VDS, floppy
// emulation boot entries.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { CancelledError } from '../../common/errors';
import { bufferBlockReader } from './block-reader';
import { inspectBoot } from './boot';
import { openImage } from './image';
import { run, tempDir } from './test-fixtures';

const ok = requireTools('xorriso', 'genisoimage', 'mkudffs', 'mkfs.vfat');

describe.skipIf(!ok)('reader details', () => {
  const t = tempDir('details');
  afterAll(() => t.cleanup());

  it('follows SUSP CE continuation areas for long Rock Ridge names and link targets (SUSP §5.1)', async () => {
    const src = join(t.dir, 'ce');
    mkdirSync(src);
    const longName = `${'L'.repeat(200)}.txt`; // NM alone overflows the 255-byte directory record
    writeFileSync(join(src, longName), 'long');
    const target = '/' + Array.from({ length: 30 }, (_, i) => `component${String(i).padStart(2, '0')}`).join('/');
    symlinkSync(target, join(src, 'longlink'));
    const img = join(t.dir, 'ce.iso');
    run('xorriso', ['-as', 'mkisofs', '-R', '-o', img, src]);
    const raw = readFileSync(img);
    const rootLba = raw.readUInt32LE(16 * 2048 + 158);
    expect(raw.subarray(rootLba * 2048, rootLba * 2048 + 2048).includes('CE')).toBe(true); // xorriso did use CE
    const info = await openImage(img);
    const kids = (await info.tree('rockridge')).children!;
    await info.close();
    expect(kids.find((c) => c.kind === 'file')?.name).toBe(longName);
    expect(kids.find((c) => c.name === 'longlink')).toMatchObject({ kind: 'symlink', symlinkTarget: target });
  });

  it('reports path tables that disagree with the directory tree (ECMA-119 §9.4)', async () => {
    const src = join(t.dir, 'pt');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'f'), 'f');
    const file = join(t.dir, 'pt.iso');
    run('xorriso', ['-as', 'mkisofs', '-o', file, src]);
    const img = readFileSync(file);
    expect((await openImage(bufferBlockReader(img))).warnings).toEqual([]);
    // Point the type L table's second record (directory "SUB") at the wrong extent.
    const lTable = img.readUInt32LE(16 * 2048 + 140);
    const second = lTable * 2048 + 8 + 1 + 1; // root record: 8 + 1-byte name + pad
    img.writeUInt32LE(img.readUInt32LE(second + 2) + 1, second + 2);
    const info = await openImage(bufferBlockReader(img));
    expect(info.warnings).toEqual(['iso9660: 1 type L path table record(s) disagree with the directory tree']);
  });

  it('uses the reserve volume descriptor sequence when the main one is damaged (ECMA-167 3/8.4.2)', async () => {
    const file = join(t.dir, 'rvds.img');
    execFileSync('mkudffs', ['--new-file', '-b', '2048', '-m', 'hd', '-r', '2.01', '--label=RESERVE', file, '2048'], { stdio: 'ignore' });
    const img = readFileSync(file);
    const main = img.readUInt32LE(256 * 2048 + 20);
    for (let s = main; s < main + 16; s++) img[s * 2048 + 20] ^= 0x55; // every main VDS descriptor fails its CRC
    const info = await openImage(bufferBlockReader(img));
    expect(info.udf!.logicalVolumeId).toBe('RESERVE');
  });

  it('decodes floppy emulation entries (El Torito §2.2 media type 2 = 1.44M)', async () => {
    const src = join(t.dir, 'fl');
    mkdirSync(src);
    run('mkfs.vfat', ['-C', join(src, 'floppy.img'), '1440']);
    const file = join(t.dir, 'fl.iso');
    run('xorriso', ['-as', 'mkisofs', '-o', file, '-b', 'floppy.img', src]);
    const r = await inspectBoot(file);
    expect(r.eltorito!.entries[0]).toMatchObject({ emulation: '1.44M floppy', platformId: 0, bootable: true });
    const x = run('xorriso', ['-indev', file, '-report_el_torito', 'plain']);
    expect(x).toMatch(/El Torito boot img :\s+1\s+BIOS\s+y\s+fd1\.4/);
  });

  it('honours AbortSignal in tree walks and file reads (CancelledError)', async () => {
    const src = join(t.dir, 'ab');
    mkdirSync(src);
    writeFileSync(join(src, 'big.bin'), Buffer.alloc(1024 * 1024, 7));
    const file = join(t.dir, 'ab.iso');
    run('xorriso', ['-as', 'mkisofs', '-J', '-o', file, src]);
    const ac = new AbortController();
    const info = await openImage(file, { signal: ac.signal });
    ac.abort();
    await expect(info.tree('joliet')).rejects.toBeInstanceOf(CancelledError);
    await info.close();
    const again = await openImage(file);
    const rc = new AbortController();
    const it = again.readFile('iso9660', 'BIG.BIN', { signal: rc.signal })[Symbol.asyncIterator]();
    await it.next();
    rc.abort();
    await expect(it.next()).rejects.toBeInstanceOf(CancelledError);
    await again.close();
  });

  it('reports the ECMA-119 existence bit as hidden (§9.1.6 bit 0)', async () => {
    const src = join(t.dir, 'hid');
    mkdirSync(src);
    writeFileSync(join(src, 'shown.txt'), 'a');
    writeFileSync(join(src, 'secret.txt'), 'b');
    const file = join(t.dir, 'hid.iso');
    run('genisoimage', ['-quiet', '-R', '-hidden', 'secret.txt', '-o', file, src]); // xorriso has no -hidden
    const info = await openImage(file);
    const kids = (await info.tree('rockridge')).children!;
    await info.close();
    expect(kids.find((c) => c.name === 'secret.txt')?.hidden).toBe(true);
    expect(kids.find((c) => c.name === 'shown.txt')?.hidden).toBeUndefined();
  });

  it('skips associated-file records (ECMA-119 §9.1.6 bit 2), as Linux does without showassoc', async () => {
    const src = join(t.dir, 'assoc');
    mkdirSync(src);
    writeFileSync(join(src, 'a.txt'), 'a');
    writeFileSync(join(src, 'b.txt'), 'b');
    const file = join(t.dir, 'assoc.iso');
    run('xorriso', ['-as', 'mkisofs', '-o', file, src]);
    const img = readFileSync(file);
    const rootLba = img.readUInt32LE(16 * 2048 + 158);
    let p = rootLba * 2048;
    while (img.toString('latin1', p + 33, p + 33 + img[p + 32]) !== 'B.TXT;1') p += img[p];
    img[p + 25] |= 0x04;
    const info = await openImage(bufferBlockReader(img));
    expect((await info.tree('rockridge')).children!.map((c) => c.name)).toEqual(['a.txt']);
  });
});
