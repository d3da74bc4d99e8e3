// ECMA-119 §9.4 path table (L = little endian, M = big endian): encoder and decoder side by side.

/** What a path table records of a directory (its number is its 1-based position in the table). */
export interface PathTableDir {
  idBytes: Buffer;
  lba: number;
  parent: { number: number } | undefined;
}

/** §9.4: 8 fixed bytes, the identifier, a pad byte when its length is odd. */
export function pathRecordLen(idLen: number): number {
  return 8 + idLen + (idLen % 2);
}

export function pathTableSize(dirs: readonly PathTableDir[]): number {
  let n = 0;
  for (const d of dirs) n += pathRecordLen(d.idBytes.length);
  return n;
}

/** The table in whole sectors (`size` = pathTableSize, the PVD's Path Table Size). */
export function encodePathTable(dirs: readonly PathTableDir[], size: number, bigEndian: boolean): Buffer {
  const buf = Buffer.alloc(Math.ceil(size / 2048) * 2048);
  let off = 0;
  for (const d of dirs) {
    const id = d.idBytes;
    buf[off] = id.length;
    buf[off + 1] = 0; // extended attribute record length
    const parentNo = d.parent ? d.parent.number : 1; // §9.4.6: the root is its own parent
    if (bigEndian) { buf.writeUInt32BE(d.lba, off + 2); buf.writeUInt16BE(parentNo, off + 6); }
    else { buf.writeUInt32LE(d.lba, off + 2); buf.writeUInt16LE(parentNo, off + 6); }
    id.copy(buf, off + 8);
    off += pathRecordLen(id.length);
  }
  return buf;
}

export interface PathTableRecord { id: Buffer; lba: number; parentNumber: number }

export function decodePathTable(buf: Buffer, size: number, bigEndian: boolean): PathTableRecord[] {
  const out: PathTableRecord[] = [];
  for (let off = 0; off < size;) {
    const idLen = buf[off];
    if (idLen === 0 || off + pathRecordLen(idLen) > size) throw new RangeError(`path table record at ${off}: bad identifier length ${idLen}`);
    out.push({
      id: Buffer.from(buf.subarray(off + 8, off + 8 + idLen)),
      lba: bigEndian ? buf.readUInt32BE(off + 2) : buf.readUInt32LE(off + 2),
      parentNumber: bigEndian ? buf.readUInt16BE(off + 6) : buf.readUInt16LE(off + 6),
    });
    off += pathRecordLen(idLen);
  }
  return out;
}
