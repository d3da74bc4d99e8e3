// UDF 2.50 metadata partition (OSTA UDF 2.50 §2.2.10): no tool here writes one (mkudffs 2.3 and
// pycdlib do not), so a genisoimage UDF image whose tree was verified against its source (udf.test.ts)
// is converted in place: a metadata partition map whose metadata file maps metadata blocks 1:1 onto
// the physical partition, every ICB reference moved to that map. The tree must read back identical
// through the metadata file, through the mirror when the main file is damaged, and fail cleanly
// when both are.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../common/errors';
import { requireTools } from '../../testing/peer-tools';
import { bufferBlockReader } from './block-reader';
import { crcItuT } from './bytes';
import { openImage } from './image';
import { makeSourceTree, run, sha256, tempDir } from './test-fixtures';
import type { TreeNode } from './types';

const ok = requireTools('genisoimage');

/** ECMA-167 3/7.2: rewrite CRC length, CRC and checksum of the tag at `off`. */
function retag(b: Buffer, off: number, crcLen: number): void {
  b.writeUInt16LE(crcLen, off + 10);
  b.writeUInt16LE(crcItuT(b, off + 16, crcLen), off + 8);
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[off + i];
  b[off + 4] = sum & 0xff;
}

/** ECMA-167 4/14.9 file entry with one short_ad covering `blocks` from partition block 0. */
function metadataFileEntry(lbn: number, fileType: number, blocks: number): Buffer {
  const b = Buffer.alloc(2048);
  b.writeUInt16LE(261, 0); // FE
  b.writeUInt16LE(3, 2);
  b.writeUInt32LE(lbn, 12);
  b.writeUInt16LE(4, 20); // strategy 4
  b.writeUInt16LE(1, 24);
  b[27] = fileType; // 250 metadata file, 251 mirror (OSTA UDF 2.50 §2.2.13)
  b.writeUInt32LE(0xffffffff, 36);
  b.writeUInt32LE(0xffffffff, 40);
  b.writeUInt16LE(1, 48);
  b.writeBigUInt64LE(BigInt(blocks * 2048), 56);
  b.writeBigUInt64LE(BigInt(blocks), 64);
  b.writeUInt32LE(1, 108);
  b.writeUInt32LE(0, 168);
  b.writeUInt32LE(8, 172);
  b.writeUInt32LE(blocks * 2048, 176); // short_ad: recorded extent …
  b.writeUInt32LE(0, 180); // … at partition block 0
  retag(b, 0, 176 + 8 - 16);
  return b;
}

function convertToMetadataPartition(orig: Buffer, dirs: TreeNode[]): { img: Buffer; metaLba: number; mirrorLba: number } {
  const n = orig.length / 2048;
  const img = Buffer.concat([orig, Buffer.alloc(2 * 2048)]);
  const avdp = 256 * 2048;
  let partStart = -1;
  let partLen = -1;
  for (const vdsOff of [16, 24]) {
    const len = img.readUInt32LE(avdp + vdsOff);
    const loc = img.readUInt32LE(avdp + vdsOff + 4);
    for (let s = loc; s < loc + len / 2048; s++) {
      const o = s * 2048;
      const id = img.readUInt16LE(o);
      if (id === 5) {
        // PD (3/10.5): grow the partition over the two appended sectors.
        partStart = img.readUInt32LE(o + 188);
        partLen = img.readUInt32LE(o + 192);
        img.writeUInt32LE(n + 2 - partStart, o + 192);
        retag(img, o, img.readUInt16LE(o + 10));
      }
      if (id === 6) {
        // LVD (3/10.6): UDF 2.50 domain suffix, FSD via map 1, and a second (metadata) map.
        img.writeUInt16LE(0x0250, o + 216 + 24);
        img.writeUInt16LE(1, o + 248 + 8);
        const mtl = img.readUInt32LE(o + 264);
        const m = o + 440 + mtl;
        img[m] = 2;
        img[m + 1] = 64;
        img.write('*UDF Metadata Partition', m + 4 + 1, 'latin1');
        img.writeUInt16LE(0x0250, m + 4 + 24);
        img.writeUInt16LE(1, m + 36); // volume sequence number
        img.writeUInt16LE(0, m + 38); // partition number
        img.writeUInt32LE(n - partStart, m + 40); // metadata file location
        img.writeUInt32LE(n + 1 - partStart, m + 44); // mirror location
        img.writeUInt32LE(0xffffffff, m + 48); // no bitmap file
        img.writeUInt32LE(32, m + 52);
        img.writeUInt16LE(1, m + 56);
        img.writeUInt32LE(mtl + 64, o + 264);
        img.writeUInt32LE(img.readUInt32LE(o + 268) + 1, o + 268);
        retag(img, o, 440 + mtl + 64 - 16);
      }
    }
  }
  expect(partStart).toBeGreaterThan(0);
  // FSD (4/14.1): root ICB through map 1.
  const fsdLba = partStart + findLvd(img).fsdLbn;
  img.writeUInt16LE(1, fsdLba * 2048 + 400 + 8);
  retag(img, fsdLba * 2048, img.readUInt16LE(fsdLba * 2048 + 10));
  // Every FID (4/14.4) in every directory: ICB reference through map 1.
  for (const d of dirs) {
    for (const e of d.extents) {
      let p = e.lba * 2048;
      const end = p + e.length;
      while (p < end) {
        expect(img.readUInt16LE(p)).toBe(257);
        img.writeUInt16LE(1, p + 20 + 8);
        const len = (38 + img.readUInt16LE(p + 36) + img[p + 19] + 3) & ~3;
        retag(img, p, 38 + img.readUInt16LE(p + 36) + img[p + 19] - 16);
        p += len;
      }
    }
  }
  const blocks = partLen; // metadata blocks 0..partLen-1 = physical partition blocks 0..partLen-1
  metadataFileEntry(n - partStart, 250, blocks).copy(img, n * 2048);
  metadataFileEntry(n + 1 - partStart, 251, blocks).copy(img, (n + 1) * 2048);
  return { img, metaLba: n, mirrorLba: n + 1 };
}

function findLvd(img: Buffer): { fsdLbn: number } {
  const loc = img.readUInt32LE(256 * 2048 + 20);
  for (let s = loc; ; s++) if (img.readUInt16LE(s * 2048) === 6) return { fsdLbn: img.readUInt32LE(s * 2048 + 248 + 4) };
}

function snapshot(n: TreeNode): unknown {
  return { name: n.name, kind: n.kind, size: n.size, mtime: n.mtime, children: n.children?.map(snapshot) };
}

async function hashes(img: Buffer): Promise<{ tree: unknown; files: Record<string, string>; info: Awaited<ReturnType<typeof openImage>> }> {
  const info = await openImage(bufferBlockReader(img));
  const root = await info.tree('udf');
  const files: Record<string, string> = {};
  const walk = async (n: TreeNode, p: string) => {
    for (const c of n.children ?? []) {
      const path = `${p}/${c.name}`;
      if (c.kind === 'file') {
        const parts: Buffer[] = [];
        for await (const b of info.readFile('udf', path)) parts.push(b);
        files[path] = sha256(Buffer.concat(parts));
      } else if (c.kind === 'dir') await walk(c, path);
    }
  };
  await walk(root, '');
  return { tree: snapshot(root), files, info };
}

describe.skipIf(!ok)('UDF 2.50 metadata partition', () => {
  const t = tempDir('meta');
  let orig: Buffer;
  let expected: Awaited<ReturnType<typeof hashes>>;
  let converted: ReturnType<typeof convertToMetadataPartition>;
  beforeAll(async () => {
    makeSourceTree(join(t.dir, 'src'));
    run('genisoimage', ['-quiet', '-udf', '-o', join(t.dir, 'u.iso'), join(t.dir, 'src')]);
    orig = readFileSync(join(t.dir, 'u.iso'));
    expected = await hashes(orig);
    const dirs: TreeNode[] = [];
    const collect = (n: TreeNode) => {
      dirs.push(n);
      for (const c of n.children ?? []) if (c.kind === 'dir') collect(c);
    };
    collect(await expected.info.tree('udf'));
    converted = convertToMetadataPartition(orig, dirs);
  });
  afterAll(() => t.cleanup());

  it('reads the same tree and contents through the metadata file', async () => {
    const got = await hashes(converted.img);
    expect(got.info.udf!.revision).toBe('2.50');
    expect(got.info.udf!.partitionMaps.map((m) => m.type)).toEqual(['type1', 'metadata']);
    expect(got.info.udf!.warnings).toBeUndefined();
    expect(got.tree).toEqual(expected.tree);
    expect(got.files).toEqual(expected.files);
    expect(Object.keys(got.files).length).toBeGreaterThan(5);
  });

  it('falls back to the metadata mirror file when the main one is damaged', async () => {
    const img = Buffer.from(converted.img);
    img[converted.metaLba * 2048 + 100] ^= 0xff; // breaks the FE's descriptor CRC
    const got = await hashes(img);
    expect(got.info.udf!.warnings?.[0]).toMatch(/^metadata file: .*CRC/);
    expect(got.tree).toEqual(expected.tree);
    expect(got.files).toEqual(expected.files);
  });

  it('fails with InvalidImageError when both are damaged', async () => {
    const img = Buffer.from(converted.img);
    img[converted.metaLba * 2048 + 100] ^= 0xff;
    img[converted.mirrorLba * 2048 + 100] ^= 0xff;
    const info = await openImage(bufferBlockReader(img));
    // The ISO 9660 side of the bridge still opens; UDF is reported as unreadable.
    expect(info.facets).not.toContain('udf');
    expect(info.warnings.some((w) => /^udf: UDF metadata partition unreadable/.test(w))).toBe(true);
    const udfOnly = Buffer.from(img);
    udfOnly.fill(0, 16 * 2048, 17 * 2048); // drop the ISO 9660 PVD: now UDF is all there is
    await expect(openImage(bufferBlockReader(udfOnly))).rejects.toBeInstanceOf(InvalidImageError);
  });
});
