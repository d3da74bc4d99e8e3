// Test-only: a deliberately small UDF walker for structural assertions that the independent
// readers (udfinfo, 7z, the kernel) do not expose — FE fields, FID flags, AED chains. It checks
// every tag it touches (checksum, CRC, location) on the way.
import { closeSync, openSync, readSync } from 'node:fs';
import { crcItuT } from './primitives';

const BLOCK = 2048;

export interface WalkedEntry {
  path: string;
  fileType: number;
  icbFlags: number;
  uid: number;
  gid: number;
  permissions: number;
  linkCount: number;
  infoLength: bigint;
  blocksRecorded: bigint;
  uniqueId: bigint;
  fidUniqueId: number;
  characteristics: number;
  /** Data extents after following AEDs: partition reference, block, length. */
  extents: { partRef: number; lbn: number; length: number }[];
  aedCount: number;
  symlinkData?: Buffer;
  tagVersion: number;
}

export function checkTag(b: Buffer, off: number, location: number): { id: number; version: number } {
  const id = b.readUInt16LE(off);
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[off + i];
  if ((sum & 0xff) !== b[off + 4]) throw new Error(`tag ${id} at ${location}: bad checksum`);
  const crcLen = b.readUInt16LE(off + 10);
  if (crcItuT(b, off + 16, off + 16 + crcLen) !== b.readUInt16LE(off + 8)) throw new Error(`tag ${id} at ${location}: bad CRC`);
  if (b.readUInt32LE(off + 12) !== location) throw new Error(`tag ${id}: location ${b.readUInt32LE(off + 12)} != ${location}`);
  return { id, version: b.readUInt16LE(off + 2) };
}

export class UdfTestReader {
  private fd: number;
  partStart = 0;
  maps: { type: number; metaFileLbn?: number; mirrorLbn?: number; flags?: number; allocUnit?: number; alignUnit?: number }[] = [];
  metaExtents: { lbn: number; length: number }[] = [];
  mirrorExtents: { lbn: number; length: number }[] = [];
  fsd = { lbn: 0, partRef: 0 };
  integrityLba = 0;
  mainVdsLba = 0;
  domainSuffix = Buffer.alloc(0);

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    const avdp = this.sector(256);
    if (checkTag(avdp, 0, 256).id !== 2) throw new Error('no AVDP at 256');
    const vdsLba = avdp.readUInt32LE(20);
    this.mainVdsLba = vdsLba;
    for (let s = vdsLba; ; s++) {
      const b = this.sector(s);
      const { id } = checkTag(b, 0, s);
      if (id === 8) break;
      if (id === 5) this.partStart = b.readUInt32LE(188);
      if (id === 6) {
        this.fsd = { lbn: b.readUInt32LE(252), partRef: b.readUInt16LE(256) };
        this.integrityLba = b.readUInt32LE(436);
        this.domainSuffix = Buffer.from(b.subarray(216 + 24, 216 + 32));
        const n = b.readUInt32LE(268);
        let o = 440;
        for (let i = 0; i < n; i++) {
          const t = b[o];
          if (t === 1) this.maps.push({ type: 1 });
          else
            this.maps.push({
              type: 2,
              metaFileLbn: b.readUInt32LE(o + 40),
              mirrorLbn: b.readUInt32LE(o + 44),
              allocUnit: b.readUInt32LE(o + 52),
              alignUnit: b.readUInt16LE(o + 56),
              flags: b[o + 58],
            });
          o += b[o + 1];
        }
      }
    }
    const meta = this.maps.find((m) => m.type === 2);
    if (meta) {
      this.metaExtents = this.readFe(0, meta.metaFileLbn!, 250).extents;
      this.mirrorExtents = this.readFe(0, meta.mirrorLbn!, 251).extents;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  sector(lba: number, count = 1): Buffer {
    const b = Buffer.alloc(count * BLOCK);
    readSync(this.fd, b, 0, b.length, lba * BLOCK);
    return b;
  }

  /** Absolute sector of block `lbn` in partition reference `ref`. */
  abs(ref: number, lbn: number): number {
    if (this.maps[ref].type === 1) return this.partStart + lbn;
    let rest = lbn;
    for (const e of this.metaExtents) {
      const n = e.length / BLOCK;
      if (rest < n) return this.partStart + e.lbn + rest;
      rest -= n;
    }
    throw new Error(`metadata block ${lbn} beyond the metadata file`);
  }

  readFe(ref: number, lbn: number, expectType?: number) {
    const b = this.sector(this.abs(ref, lbn));
    const { id, version } = checkTag(b, 0, lbn);
    if (id !== 261) throw new Error(`expected a File Entry at ${ref}:${lbn}, got tag ${id}`);
    const fileType = b[27];
    if (expectType !== undefined && fileType !== expectType) throw new Error(`file type ${fileType} != ${expectType}`);
    const icbFlags = b.readUInt16LE(34);
    const lea = b.readUInt32LE(168);
    const lad = b.readUInt32LE(172);
    const extents: { partRef: number; lbn: number; length: number }[] = [];
    let aedCount = 0;
    let ads = b.subarray(176 + lea, 176 + lea + lad);
    const adType = icbFlags & 7;
    for (;;) {
      let next: { partRef: number; lbn: number } | null = null;
      const size = adType === 1 ? 16 : 8;
      for (let o = 0; o < ads.length; o += size) {
        const raw = ads.readUInt32LE(o);
        const type = raw >>> 30;
        const len = raw & 0x3fffffff;
        const at = ads.readUInt32LE(o + 4);
        const pr = adType === 1 ? ads.readUInt16LE(o + 8) : ref;
        if (type === 3) next = { partRef: pr, lbn: at };
        else extents.push({ partRef: pr, lbn: at, length: len });
      }
      if (!next) break;
      aedCount++;
      const a = this.sector(this.abs(next.partRef, next.lbn));
      if (checkTag(a, 0, next.lbn).id !== 258) throw new Error('expected an AED');
      ads = a.subarray(24, 24 + a.readUInt32LE(20));
    }
    return {
      fileType,
      icbFlags,
      uid: b.readUInt32LE(36),
      gid: b.readUInt32LE(40),
      permissions: b.readUInt32LE(44),
      linkCount: b.readUInt16LE(48),
      infoLength: b.readBigUInt64LE(56),
      blocksRecorded: b.readBigUInt64LE(64),
      uniqueId: b.readBigUInt64LE(160),
      extents,
      aedCount,
      tagVersion: version,
    };
  }

  readData(ext: { partRef: number; lbn: number; length: number }[]): Buffer {
    return Buffer.concat(ext.map((e) => this.sector(this.abs(e.partRef, e.lbn), Math.ceil(e.length / BLOCK)).subarray(0, e.length)));
  }

  /** LVID fields (ECMA-167 3/10.10; OSTA UDF §2.2.6.4 implementation use). */
  integrity() {
    const b = this.sector(this.integrityLba);
    const { id } = checkTag(b, 0, this.integrityLba);
    if (id !== 9) throw new Error('no LVID');
    const n = b.readUInt32LE(72);
    const iu = 80 + 8 * n;
    return {
      type: b.readUInt32LE(28),
      nextUniqueId: b.readBigUInt64LE(40),
      partitions: n,
      implUseLength: b.readUInt32LE(76),
      files: b.readUInt32LE(iu + 32),
      dirs: b.readUInt32LE(iu + 36),
      minRead: b.readUInt16LE(iu + 40),
      minWrite: b.readUInt16LE(iu + 42),
      maxWrite: b.readUInt16LE(iu + 44),
    };
  }

  rootLocation(): { ref: number; lbn: number } {
    const fsdSec = this.sector(this.abs(this.fsd.partRef, this.fsd.lbn));
    if (checkTag(fsdSec, 0, this.fsd.lbn).id !== 256) throw new Error('no FSD');
    return { lbn: fsdSec.readUInt32LE(404), ref: fsdSec.readUInt16LE(408) };
  }

  /** The root's File Entry and the raw bytes of its first FID (the parent FID). */
  root() {
    const { ref, lbn } = this.rootLocation();
    const fe = this.readFe(ref, lbn, 4);
    const data = this.readData(fe.extents);
    const size = (38 + data.readUInt16LE(36) + data[19] + 3) & ~3;
    return { fe, parentFid: Buffer.from(data.subarray(0, size)) };
  }

  /** Walks the whole tree from the FSD; returns every entry but the root, depth first. */
  walk(): WalkedEntry[] {
    const { lbn: rootLbn, ref: rootRef } = this.rootLocation();
    const out: WalkedEntry[] = [];
    const visit = (ref: number, lbn: number, path: string) => {
      const fe = this.readFe(ref, lbn, 4);
      const data = this.readData(fe.extents);
      // FIDs may cross block boundaries; their tag location is the block holding the tag.
      const firstLbn = fe.extents[0].lbn;
      for (let o = 0; o < data.length; ) {
        checkTag(data, o, firstLbn + Math.floor(o / BLOCK));
        const ch = data[o + 18];
        const lfi = data[o + 19];
        const icbLbn = data.readUInt32LE(o + 24);
        const icbRef = data.readUInt16LE(o + 28);
        const fidUid = data.readUInt32LE(o + 32);
        const liu = data.readUInt16LE(o + 36);
        const nameBuf = data.subarray(o + 38 + liu, o + 38 + liu + lfi);
        o += (38 + liu + lfi + 3) & ~3;
        if (ch & 8) continue; // parent
        const name = decodeOsta(nameBuf);
        const childPath = `${path}/${name}`;
        const child = this.readFe(icbRef, icbLbn);
        const e: WalkedEntry = { path: childPath, ...child, fidUniqueId: fidUid, characteristics: ch };
        if (child.fileType === 12) e.symlinkData = this.readData(child.extents);
        out.push(e);
        if (child.fileType === 4) visit(icbRef, icbLbn, childPath);
      }
    };
    visit(rootRef, rootLbn, '');
    return out;
  }
}

export function decodeOsta(b: Buffer): string {
  if (b.length === 0) return '';
  if (b[0] === 8) return b.toString('latin1', 1);
  if (b[0] === 16) {
    let s = '';
    for (let i = 1; i + 1 < b.length; i += 2) s += String.fromCharCode(b.readUInt16BE(i));
    return s;
  }
  throw new Error(`bad compression id ${b[0]}`);
}
