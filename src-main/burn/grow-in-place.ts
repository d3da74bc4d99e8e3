// Growing the file system of a random-writable disc in place (DVD+RW, DVD-RAM, BD-RE, formatted
// BD-R, restricted-overwrite DVD-RW), as growisofs -M and xorriso do on overwritable media: these
// discs have no sessions a reader could pick from a TOC, so the new tree is planned as a session
// after the old data (old files keep their extents) and then made the one a reader sees:
//  - the new session's volume descriptor set (ECMA-119 §8: PVD, boot record, SVD, terminator) and
//    the UDF recognition sequence after it (ECMA-167 2/8.3) are copied to sector 16. Every address
//    in them is absolute and the PVD's volume space size covers the whole disc (§8.4.8), so they are
//    valid there unchanged; sectors the old sequence used beyond the new one are zeroed so no reader
//    runs on into stale descriptors;
//  - the UDF anchor at 256 (ECMA-167 3/10.2), when the old volume had one there, is replaced by the
//    new session's anchor (its main and reserve VDS extents point into the new session). An anchor's
//    tag records its own location (3/7.2.8) and the tag checksum covers it (3/7.2.3), so both are
//    re-encoded; the descriptor CRC covers only bytes 16… and stays valid.
// The burn writes the session first and these sectors last: a disc interrupted before then still
// reads as the old tree.
import { InvalidImageError } from '../common/errors';
import type { Drive } from '../drive/drive';
import { DATA_SECTOR, type ByteSource, type ByteSourceProgress } from '../image/byte-source';
import { buildRead10 } from '../mmc/commands/read';

const TAG_AVDP = 2;

/** True for an ISO 9660 volume descriptor or a UDF volume recognition descriptor (ECMA-119 §8.1, ECMA-167 2/9.1). */
export function isDescriptorSector(b: Uint8Array): boolean {
  const id = Buffer.from(b.subarray(1, 6)).toString('latin1');
  return ['CD001', 'BEA01', 'NSR02', 'NSR03', 'TEA01', 'BOOT2', 'CDW02'].includes(id);
}

/** How many descriptor sectors run from sector 16 in `sectors` (16 sectors read at 16). */
export function descriptorRun(sectors: Uint8Array): number {
  let n = 0;
  while ((n + 1) * DATA_SECTOR <= sectors.length && isDescriptorSector(sectors.subarray(n * DATA_SECTOR, (n + 1) * DATA_SECTOR))) n++;
  return n;
}

/** A copy of the anchor `avdp` as it must read at `lba`: tag location and tag checksum re-encoded. */
export function relocateAnchor(avdp: Uint8Array, lba: number): Uint8Array {
  const b = Buffer.from(avdp);
  if (b.readUInt16LE(0) !== TAG_AVDP) throw new InvalidImageError('the new session has no UDF anchor in its last sector');
  b.writeUInt32LE(lba, 12);
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[i];
  b[4] = sum & 0xff;
  return b;
}

/** What the disc holds at 16… and 256 before growing: the old descriptor run, and whether 256 is a UDF anchor. */
export async function readOldVolumeHead(drive: Drive, signal?: AbortSignal): Promise<{ run: number; hasIso: boolean; anchorAt256: boolean }> {
  const head = await drive.query(buildRead10(16, 16), { signal });
  const at256 = await drive.query(buildRead10(256, 1), { signal });
  return {
    run: descriptorRun(head),
    hasIso: Buffer.from(head.subarray(1, 6)).toString('latin1') === 'CD001' && head[0] === 1,
    anchorAt256: at256.readUInt16LE(0) === TAG_AVDP && at256.readUInt32LE(12) === 256,
  };
}

/**
 * The session source, watched as it streams: it keeps the session's descriptor sectors (start+16…)
 * and its last sector (the UDF anchor at N), from which `patches()` makes what goes to 16… and 256
 * once every sector has passed.
 */
export class GrowingSessionSource implements ByteSource {
  readonly sectorSize = DATA_SECTOR;
  readonly description: string;
  readonly totalSectors: number;
  private offset = 0;
  private readonly head: Buffer = Buffer.alloc(16 * DATA_SECTOR);
  private last: Buffer | undefined;

  constructor(private readonly inner: ByteSource, readonly startLba: number, private readonly old: { run: number; anchorAt256: boolean }) {
    this.description = `${inner.description}, grown in place from sector ${startLba}`;
    this.totalSectors = inner.totalSectors;
  }

  progress(): ByteSourceProgress {
    return this.inner.progress();
  }

  async read(maxSectors: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    const chunk = await this.inner.read(maxSectors, signal);
    if (!chunk) return null;
    const n = chunk.length / DATA_SECTOR;
    // Sectors 16..31 of the session.
    for (let i = Math.max(this.offset, 16); i < Math.min(this.offset + n, 32); i++) {
      Buffer.from(chunk.buffer, chunk.byteOffset + (i - this.offset) * DATA_SECTOR, DATA_SECTOR).copy(this.head, (i - 16) * DATA_SECTOR);
    }
    if (this.offset + n === this.totalSectors) this.last = Buffer.from(chunk.subarray((n - 1) * DATA_SECTOR));
    this.offset += n;
    return chunk;
  }

  cancel(): Promise<void> {
    return this.inner.cancel();
  }

  /** What to write after the session, as [lba, sectors]: the descriptors at 16 (and zeros over the old run's rest), the anchor at 256. */
  patches(): Array<[number, Uint8Array]> {
    if (this.offset !== this.totalSectors) throw new InvalidImageError('the grown session was not read to its end: its descriptors are not known yet');
    const run = descriptorRun(this.head);
    if (run === 0 || !(this.head[0] === 1 && this.head.toString('latin1', 1, 6) === 'CD001')) throw new InvalidImageError(`the new session has no primary volume descriptor at sector ${this.startLba + 16}`);
    const descriptors = Buffer.alloc(Math.max(run, this.old.run) * DATA_SECTOR);
    this.head.copy(descriptors, 0, 0, run * DATA_SECTOR);
    const out: Array<[number, Uint8Array]> = [[16, descriptors]];
    const hasUdf = this.last !== undefined && this.last.readUInt16LE(0) === TAG_AVDP;
    // Without a new anchor, the old one must go: it would lead UDF readers to the old tree.
    if (this.old.anchorAt256) out.push([256, hasUdf ? relocateAnchor(this.last!, 256) : new Uint8Array(DATA_SECTOR)]);
    return out;
  }
}
