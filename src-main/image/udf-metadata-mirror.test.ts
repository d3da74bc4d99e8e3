// UDF 2.50 metadata mirror on and off (--udf-metadata-mirror / --no-udf-metadata-mirror), read by
// udfinfo and by the Linux kernel. The kernel check proves the second copy is real: with the
// Metadata File FE and the first copy of the metadata file wiped, Linux falls back to the Metadata
// Mirror File FE (OSTA UDF 2.50 §2.2.13.1) and must still see the whole tree when mirrored, and
// cannot mount the image when the mirror shares the wiped extents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { requireTools } from '../testing/peer-tools';
import { runInGuest } from '../testing/qemu-guest';
import { parseImageArgs, runImageCommand } from './cli-image';
import { openImage, type UdfEntryDetails } from './reader';
import { describeHostTree, mktemp, run } from './test-support/peers';

const SECTOR = 2048;

async function cli(args: string[]): Promise<void> {
  const err = new PassThrough();
  const chunks: string[] = [];
  err.on('data', (d) => chunks.push(String(d)));
  expect(await runImageCommand(args, { stdout: new PassThrough(), stderr: err }), chunks.join('')).toBe(0);
}

/**
 * The metadata (type 250) and mirror (type 251) File Entries at the partition start and their first
 * allocation descriptor, as the image reader decodes them; udfinfo names the partition start.
 */
async function metadataFiles(img: string): Promise<{ partStart: number; main: { pos: number; blocks: number }; mirror: { pos: number; blocks: number } }> {
  const info = run('udfinfo', [img]);
  const partStart = Number(/start=(\d+), blocks=\d+, type=PSPACE/.exec(info)![1]);
  const image = await openImage(img, { udfDetails: true });
  try {
    expect(image.udf!.partitions[0].start).toBe(partStart);
    const fe = (d: UdfEntryDetails | undefined, lbn: number, type: number) => {
      expect(d!.icb).toEqual({ partRef: 0, lbn });
      expect(d!.extended).toBe(false); // ECMA-167 4/14.9 File Entry (tag 261), not an Extended one
      expect(d!.fileType).toBe(type); // ICB tag file type (ECMA-167 4/14.6.6)
      expect(d!.icbFlags & 7).toBe(0); // short_ad (ECMA-167 4/14.14.1)
      const ad = d!.allocation[0];
      return { pos: ad.lbn, blocks: ad.length / SECTOR };
    };
    const details = image.udf!.details!;
    return { partStart, main: fe(details.metadataFile, 0, 250), mirror: fe(details.metadataMirrorFile, 1, 251) };
  } finally {
    await image.close();
  }
}

/** Copy of `img` with the Metadata File FE and the first copy of the metadata file zeroed. */
async function wipeMain(img: string, out: string): Promise<void> {
  fs.copyFileSync(img, out);
  const { partStart, main } = await metadataFiles(img);
  const fd = fs.openSync(out, 'r+');
  try {
    fs.writeSync(fd, Buffer.alloc(SECTOR), 0, SECTOR, partStart * SECTOR);
    fs.writeSync(fd, Buffer.alloc(main.blocks * SECTOR), 0, main.blocks * SECTOR, (partStart + main.pos) * SECTOR);
  } finally {
    fs.closeSync(fd);
  }
}

describe('--udf-metadata-mirror option', () => {
  it('defaults to on, needs UDF 2.50', () => {
    expect(parseImageArgs(['-o', 'x', '--udf-revision', '2.50', 'src']).options.udfMetadataMirror).toBeUndefined();
    expect(parseImageArgs(['-o', 'x', '--udf-revision', '2.50', '--no-udf-metadata-mirror', 'src']).options.udfMetadataMirror).toBe(false);
    expect(parseImageArgs(['-o', 'x', '--udf-revision', '2.50', '--udf-metadata-mirror', 'src']).options.udfMetadataMirror).toBe(true);
    expect(() => parseImageArgs(['-o', 'x', '--no-udf-metadata-mirror', 'src'])).toThrow(/2\.50/);
  });
});

describe.skipIf(!requireTools('udfinfo'))('UDF 2.50 metadata mirror: udfinfo', () => {
  let tmp: string;
  let src: string;
  beforeAll(() => {
    tmp = mktemp('gm-mirror-');
    src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'd/e'), { recursive: true });
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(src, 'd', `f${i}.txt`), `file ${i}\n`);
    fs.writeFileSync(path.join(src, 'd/e/x.bin'), Buffer.alloc(5000, 7));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('on (default): the mirror FE points to its own copy; off: to the same extents; both closed volumes', async () => {
    const base = ['--fs', 'udf', '--udf-revision', '2.50', '--date', '2025-01-01T00:00:00Z', src];
    const def = path.join(tmp, 'def.img'), on = path.join(tmp, 'on.img'), off = path.join(tmp, 'off.img');
    await cli(['-o', def, ...base]);
    await cli(['-o', on, '--udf-metadata-mirror', ...base]);
    await cli(['-o', off, '--no-udf-metadata-mirror', ...base]);
    expect(fs.readFileSync(def).equals(fs.readFileSync(on))).toBe(true);
    const m = await metadataFiles(on), n = await metadataFiles(off);
    expect(m.mirror.pos).toBe(m.main.pos + m.main.blocks);
    expect(m.mirror.blocks).toBe(m.main.blocks);
    expect(n.mirror).toEqual(n.main);
    const used = (img: string) => {
      const info = run('udfinfo', [img]);
      for (const k of ['udfrev=2.50', 'integrity=closed', 'numfiles=41', 'numdirs=3']) expect(info).toContain(k);
      return Number(/usedblocks=(\d+)/.exec(info)![1]);
    };
    expect(used(on) - used(off)).toBe(m.main.blocks);
    // The two copies are identical.
    const a = fs.readFileSync(on);
    const copy = (pos: number) => a.subarray((m.partStart + pos) * SECTOR, (m.partStart + pos + m.main.blocks) * SECTOR);
    expect(copy(m.mirror.pos).equals(copy(m.main.pos))).toBe(true);
  });
});

describe.skipIf(!requireTools('udfinfo', 'qemu-system-x86_64'))('UDF 2.50 metadata mirror: Linux kernel (QEMU guest)', () => {
  let tmp: string;
  let src: string;
  const imgs: Record<string, string> = {};
  beforeAll(async () => {
    tmp = mktemp('gm-mirror-k-');
    src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'dir/sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'hello.txt'), 'hello\n');
    fs.writeFileSync(path.join(src, 'dir/sub/blob.bin'), Buffer.from(Array.from({ length: 100000 }, (_, i) => (i * 13) & 0xff)));
    fs.writeFileSync(path.join(src, 'dir/ünï.txt'), 'unicode');
    for (const mode of ['on', 'off']) {
      imgs[mode] = path.join(tmp, `${mode}.img`);
      await cli(['-o', imgs[mode], '--fs', 'udf', '--udf-revision', '2.50', mode === 'on' ? '--udf-metadata-mirror' : '--no-udf-metadata-mirror', src]);
      imgs[`${mode}-wiped`] = path.join(tmp, `${mode}-wiped.img`);
      await wipeMain(imgs[mode], imgs[`${mode}-wiped`]);
    }
  }, 60_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('mounts both; with the main metadata file wiped only the mirrored image still reads', { timeout: 400_000 }, async () => {
    const order = ['on', 'off', 'on-wiped', 'off-wiped'];
    const list = (dev: string, out: string) =>
      `mount -t udf -o ro ${dev} /run/m && (cd /run/m && find . -mindepth 1 -printf '%y %P %s\\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) > "$GM_OUT/${out}"; umount /run/m`;
    const r = await runInGuest({
      disks: order.map((k) => ({ file: imgs[k] })),
      script: ['mkdir -p /run/m', ...order.map((k, i) => list(`/dev/vd${'abcd'[i]}`, `${k}.txt`)), 'exit 0'].join('\n'),
    });
    try {
      const read = (k: string) => (fs.existsSync(path.join(r.outDir, `${k}.txt`)) ? fs.readFileSync(path.join(r.outDir, `${k}.txt`), 'utf8') : '');
      const expected = Object.entries(describeHostTree(src)).map(([p, e]) => `${e.type === 'dir' ? 'd' : 'f'} ${p.slice(1)}`);
      const on = read('on');
      for (const line of expected) expect(on).toContain(line);
      expect(on).toContain('dir/sub/blob.bin 100000');
      expect(read('off')).toBe(on);
      expect(read('on-wiped')).toBe(on);
      expect(read('off-wiped')).toBe('');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- console:\n${r.console.slice(-2000)}`, { cause: err });
    } finally {
      fs.rmSync(r.outDir, { recursive: true, force: true });
    }
  });
});
