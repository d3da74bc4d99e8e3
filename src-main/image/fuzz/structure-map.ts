// Where the known descriptors of an image lie, found once per seed so the structure-aware
// mutators can aim at fields instead of random bytes: ISO 9660/Joliet volume descriptors,
// directory records and path tables (ECMA-119 §8-9), SUSP/RRIP entries and their continuation
// areas (SUSP §4-5), the El Torito catalog (§2), the MBR and GPT (UEFI §5), the FAT boot sector of
// an ESP, and every UDF descriptor tag (ECMA-167 3/7.2, 4/7.2) including the FIDs inside
// directory data. The scan is deliberately independent of the reader under test.
import { crcItuT } from '../udf/primitives';

export type StructureKind = 'vd' | 'dirrec' | 'susp' | 'pathtable' | 'catalog' | 'mbr' | 'gpt-header' | 'gpt-entries' | 'udf-tag' | 'fat';

export interface Structure {
  kind: StructureKind;
  /** Byte offset in the image. */
  off: number;
  /** Byte length (a record, an entry, a table, a descriptor up to its sector end). */
  len: number;
  /** udf-tag: tag identifier; vd: descriptor type; pathtable: 1 = type L, 0 = type M. */
  id?: number;
}

export interface StructureMap {
  structures: Structure[];
  byKind: Map<StructureKind, Structure[]>;
  /** Sectors holding at least one structure (generic mutations aim there most of the time). */
  hotSectors: number[];
}

const S = 2048;
const UDF_TAGS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266]);

/** ECMA-167 3/7.2.3: the tag checksum is the byte sum of bytes 0-3 and 5-15. */
export function udfTagChecksumOk(b: Buffer, off: number): boolean {
  if (off + 16 > b.length) return false;
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[off + i];
  return (sum & 0xff) === b[off + 4] && (b[off] | b[off + 1] | b[off + 2] | b[off + 3]) !== 0;
}

/** Recomputes a UDF tag's CRC (over its recorded CRC length, clamped to the image) and checksum. */
export function fixUdfTag(b: Buffer, off: number, crc = true): void {
  if (off + 16 > b.length) return;
  if (crc) {
    const len = Math.min(b.readUInt16LE(off + 10), b.length - off - 16);
    b.writeUInt16LE(crcItuT(b, off + 16, off + 16 + len), off + 8);
  }
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[off + i];
  b[off + 4] = sum & 0xff;
}

export function mapStructures(img: Buffer): StructureMap {
  const out: Structure[] = [];
  const sectors = Math.floor(img.length / S);
  const add = (s: Structure) => {
    if (s.off >= 0 && s.off < img.length && out.length < 200_000) out.push(s);
  };

  // System area: MBR (55 AA at 510) and GPT headers at 512 or 2048 (UEFI §5.3.2).
  if (img.length >= 512 && img[510] === 0x55 && img[511] === 0xaa) add({ kind: 'mbr', off: 0, len: 512 });
  for (const bs of [512, 2048]) {
    if (img.length >= bs + 92 && img.toString('latin1', bs, bs + 8) === 'EFI PART') {
      add({ kind: 'gpt-header', off: bs, len: 92, id: bs });
      const entries = Number(img.readBigUInt64LE(bs + 72)) * bs;
      const bytes = img.readUInt32LE(bs + 80) * img.readUInt32LE(bs + 84);
      if (entries > 0 && entries + Math.min(bytes, 128 * 128) <= img.length) add({ kind: 'gpt-entries', off: entries, len: Math.min(bytes, 128 * 128), id: bs });
      const backup = Number(img.readBigUInt64LE(bs + 32)) * bs;
      if (backup > 0 && backup + 92 <= img.length) add({ kind: 'gpt-header', off: backup, len: 92, id: bs });
    }
  }

  // ISO 9660 volume descriptors of every session (any sector that carries CD001 at byte 1).
  const walkedDirs = new Set<number>();
  for (let s = 16; s < sectors; s++) {
    const o = s * S;
    if (img.toString('latin1', o + 1, o + 6) !== 'CD001') continue;
    const type = img[o];
    add({ kind: 'vd', off: o, len: S, id: type });
    if (type === 0 && img.toString('latin1', o + 7, o + 30) === 'EL TORITO SPECIFICATION') {
      const cat = img.readUInt32LE(o + 0x47);
      if (cat < sectors) add({ kind: 'catalog', off: cat * S, len: S });
    }
    if (type === 1 || type === 2) {
      const ptSize = img.readUInt32LE(o + 132);
      const lLoc = img.readUInt32LE(o + 140);
      const mLoc = img.readUInt32BE(o + 148);
      for (const [loc, le] of [[lLoc, 1], [mLoc, 0]] as const) {
        if (loc < sectors && ptSize < 1 << 20) add({ kind: 'pathtable', off: loc * S, len: Math.min(ptSize, img.length - loc * S), id: le });
      }
      walkDir(img.readUInt32LE(o + 158), img.readUInt32LE(o + 166), 0);
    }
  }

  function walkDir(lba: number, size: number, depth: number): void {
    if (walkedDirs.has(lba) || depth > 300 || lba >= sectors || size > 1 << 22 || walkedDirs.size > 20_000) return;
    walkedDirs.add(lba);
    const end = Math.min(img.length, lba * S + size);
    let p = lba * S;
    while (p < end) {
      const len = img[p];
      if (len === 0) {
        p = (Math.floor(p / S) + 1) * S;
        continue;
      }
      if (len < 34 || p + len > end) break;
      add({ kind: 'dirrec', off: p, len });
      const nameLen = img[p + 32];
      const su = p + 33 + nameLen + (nameLen % 2 === 0 ? 1 : 0);
      if (su + 4 <= p + len) suspArea(su, p + len, 0);
      const isDot = nameLen === 1 && img[p + 33] <= 1;
      if (img[p + 25] & 2 && !isDot) walkDir(img.readUInt32LE(p + 2), img.readUInt32LE(p + 10), depth + 1);
      p += len;
    }
  }

  function suspArea(from: number, to: number, hops: number): void {
    let p = from;
    while (p + 4 <= to) {
      const len = img[p + 2];
      const sig = img.toString('latin1', p, p + 2);
      if (len < 4 || p + len > to || !/^[A-Z]{2}$/.test(sig)) return;
      add({ kind: 'susp', off: p, len });
      if (sig === 'CE' && len >= 28 && hops < 4) {
        const at = img.readUInt32LE(p + 4) * S + img.readUInt32LE(p + 12);
        const n = img.readUInt32LE(p + 20);
        if (at + n <= img.length && n < 1 << 16) suspArea(at, at + n, hops + 1);
      }
      p += len;
    }
  }

  // UDF: a tag at every sector start, and FIDs packed inside directory data at 4-byte steps.
  for (let s = 0; s < sectors; s++) {
    const o = s * S;
    const id = img.readUInt16LE(o);
    if (UDF_TAGS.has(id) && udfTagChecksumOk(img, o)) add({ kind: 'udf-tag', off: o, len: S, id });
    for (let p = o; p + 38 <= o + S; p += 4) {
      if (img[p] !== 0x01 || img[p + 1] !== 0x01 || !udfTagChecksumOk(img, p)) continue; // 257 = FID
      if (p === o && id === 257 && out[out.length - 1]?.off === o) continue;
      const size = (38 + img.readUInt16LE(p + 36) + img[p + 19] + 3) & ~3;
      add({ kind: 'udf-tag', off: p, len: Math.min(size, img.length - p), id: 257 });
    }
    // An ESP's FAT boot sector (jump, 55 AA): decodeFatBootSector's input.
    for (let q = o; q < o + S; q += 512) {
      if (q + 512 <= img.length && img[q] === 0xeb && img[q + 2] === 0x90 && img[q + 510] === 0x55 && img[q + 511] === 0xaa && q !== 0) add({ kind: 'fat', off: q, len: 512 });
    }
  }

  const byKind = new Map<StructureKind, Structure[]>();
  const hot = new Set<number>();
  for (const st of out) {
    let list = byKind.get(st.kind);
    if (!list) byKind.set(st.kind, (list = []));
    list.push(st);
    hot.add(Math.floor(st.off / S));
  }
  return { structures: out, byKind, hotSectors: [...hot].sort((a, b) => a - b) };
}
