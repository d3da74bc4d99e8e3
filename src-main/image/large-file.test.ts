// A file over 4 GiB: ISO 9660 level 3 multi-extent records (ECMA-119 §6.5.1, §9.1.6 bit 7) and UDF
// extents under 1 GiB each (ECMA-167 4/14.14.1.1), checked by pycdlib (every facet, SHA-256 on RR
// and UDF) and xorriso. The source is sparse, with marker bytes around the 4 GiB boundaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { requireTools } from '../testing/peer-tools';
import { runImageCommand } from './cli-image';
import { mktemp, pycdlibWalk, run, sha256File } from './test-support/peers';

const ok = requireTools('xorriso', '/usr/bin/python3');
const SIZE = 4.5 * 1024 ** 3 + 12345;

describe.skipIf(!ok)('files of 4 GiB and more', () => {
  let tmp: string;
  let img: string;
  let bigSha: string;

  beforeAll(async () => {
    tmp = mktemp('gm-big-');
    const src = path.join(tmp, 'src');
    fs.mkdirSync(src);
    const big = path.join(src, 'big file.bin');
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, SIZE);
    for (const off of [0, 0xfffff800 - 1, 0xfffff800, 2 ** 32 - 1, 2 ** 32, 2 ** 30 * 3 + 7, SIZE - 5]) {
      const m = Buffer.from(`@${off}@`);
      fs.writeSync(fd, m, 0, m.length, Math.min(off, SIZE - m.length));
    }
    fs.closeSync(fd);
    fs.writeFileSync(path.join(src, 'small.txt'), 'small');
    bigSha = sha256File(big);
    img = path.join(tmp, 'big.iso');
    const stderr = new PassThrough();
    const err: string[] = [];
    stderr.on('data', (d) => err.push(String(d)));
    const code = await runImageCommand(['-o', img, src], { stdout: new PassThrough(), stderr });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
  }, 600_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('every facet lists it; the Rock Ridge data (xorriso) hashes equal to the source', () => {
    // Debian's pycdlib reports only the first extent of a multi-extent ISO file (and shares that
    // inode with the UDF entry), so it is used for the names only; xorriso extracts the ISO/RR
    // data; the UDF data is read by the Linux kernel in kernel-mount.test.ts.
    const got = pycdlibWalk(img, ['iso9660', 'joliet', 'udf'], 0);
    expect(got.iso9660['/BIG_FILE.BIN;1']).toBeDefined();
    expect(got.joliet['/big file.bin']).toBeDefined();
    expect(got.udf['/big file.bin']).toBeDefined();
    const out = path.join(tmp, 'extracted.bin');
    run('xorriso', ['-osirrox', 'on', '-indev', img, '-extract', '/big file.bin', out]);
    expect(fs.statSync(out).size).toBe(SIZE);
    expect(sha256File(out)).toBe(bigSha);
    fs.rmSync(out);
    expect(pycdlibWalk(img, ['udf']).udf['/small.txt']).toMatchObject({ size: 5 });
  }, 600_000);

  it('xorriso sees one file of the full size (the multi-extent parts joined)', () => {
    const out = run('xorriso', ['-indev', img, '-find', '/', '-exec', 'lsdl']);
    const line = out.split('\n').find((l) => l.includes("'/big file.bin'"));
    expect(line).toBeDefined();
    expect(line).toContain(` ${SIZE} `);
    // Two ISO directory records for the file: 0xFFFFF800 bytes (multi-extent flag) + the rest.
    const iso = run('isoinfo', ['-l', '-i', img]).split('\n').filter((l) => l.includes('BIG_FILE.BIN;1'));
    expect(iso.length).toBe(2);
  }, 120_000);
});
