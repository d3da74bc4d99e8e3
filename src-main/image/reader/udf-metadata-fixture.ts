// Test fixture: turns a UDF image with a type 1 partition (e.g. genisoimage -udf) into a UDF 2.50
// image with a metadata partition (OSTA UDF 2.50 §2.2.10) whose metadata file and mirror map the
// metadata blocks 1:1 onto the physical partition. No tool on these machines writes one.
import { crcItuT } from './bytes';
import type { TreeNode } from './types';

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

export function convertToMetadataPartition(orig: Buffer, dirs: TreeNode[]): { img: Buffer; metaLba: number; mirrorLba: number } {
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
  if (partStart <= 0) throw new Error('no partition descriptor found');
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
        if (img.readUInt16LE(p) !== 257) throw new Error(`no FID at byte ${p}`);
        img.writeUInt16LE(1, p + 20 + 8);
        const len = (38 + img.readUInt16LE(p + 36) + img[p + 19] + 3) & ~3;
        retag(img, p, len - 16); // 4/14.4: the CRC covers the padded descriptor
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

