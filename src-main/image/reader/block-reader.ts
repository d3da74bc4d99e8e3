// The seam between a byte source (image file, disc in a drive, test buffer) and the parsers.
// Every parser reads through here, so bounds checks live in one place.
import { InvalidImageError } from '../../common/errors';
import { openInputFile } from '../host-input-file';

export const SECTOR = 2048;

/**
 * A random-access source of 2048-byte logical sectors.
 * - `read(lba, count)` MUST return exactly `count * 2048` bytes or reject.
 * - Reading past `sectorCount` MUST reject (readers here turn that into InvalidImageError).
 */
export interface BlockReader {
  readonly sectorCount: number;
  read(lba: number, count: number): Promise<Buffer>;
}

export interface ClosableBlockReader extends BlockReader {
  close(): Promise<void>;
}

/**
 * Opens an image file (or a block device: a disc or USB stick as the kernel shows it); a short last
 * sector is zero-padded. Anything else (a FIFO, /dev/zero) is refused before a byte is read.
 * Call close() when done.
 */
export async function fileBlockReader(hostPath: string): Promise<ClosableBlockReader> {
  const { fh, size } = await openInputFile(hostPath, 'image', { blockDevices: true });
  const sectorCount = Math.ceil(size / SECTOR);
  return {
    sectorCount,
    async read(lba, count) {
      checkRange(lba, count, sectorCount);
      const buf = Buffer.alloc(count * SECTOR);
      if (count === 0) return buf;
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await fh.read(buf, done, buf.length - done, lba * SECTOR + done);
        if (bytesRead === 0) break; // end of file: rest stays zero
        done += bytesRead;
      }
      return buf;
    },
    close: () => fh.close(),
  };
}

/** An in-memory image (tests, fuzzing, small images already loaded). */
export function bufferBlockReader(data: Buffer): BlockReader {
  const sectorCount = Math.ceil(data.length / SECTOR);
  return {
    sectorCount,
    async read(lba, count) {
      checkRange(lba, count, sectorCount);
      const out = Buffer.alloc(count * SECTOR);
      data.copy(out, 0, lba * SECTOR, Math.min(data.length, (lba + count) * SECTOR));
      return out;
    },
  };
}

/** Presents the sectors of `inner` starting at `offset` as LBA 0 (a session image placed at its start address). */
export function offsetBlockReader(inner: BlockReader, offset: number): BlockReader {
  return {
    sectorCount: inner.sectorCount + offset,
    read: (lba, count) => {
      if (lba < offset) {
        checkRange(lba, count, inner.sectorCount + offset);
        // Sectors before the session start are not in this file: read them as zeros.
        const before = Math.min(count, offset - lba);
        const head = Buffer.alloc(before * SECTOR);
        if (before === count) return Promise.resolve(head);
        return inner.read(0, count - before).then((tail) => Buffer.concat([head, tail]));
      }
      return inner.read(lba - offset, count);
    },
  };
}

function checkRange(lba: number, count: number, sectorCount: number): void {
  if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0 || lba + count > sectorCount) {
    throw new InvalidImageError(`read of sectors ${lba}..${lba + count - 1} is outside the image (${sectorCount} sectors)`, { lba, count, sectorCount });
  }
}

/** Reads `length` bytes starting at sector `lba`, bounded by `maxBytes` (hostile sizes stay cheap). */
export async function readBytes(reader: BlockReader, lba: number, length: number, maxBytes: number, what: string): Promise<Buffer> {
  if (length > maxBytes) throw new InvalidImageError(`${what}: length ${length} exceeds the limit of ${maxBytes} bytes`, { lba, length });
  const count = Math.ceil(length / SECTOR);
  if (lba < 0 || lba + count > reader.sectorCount) {
    throw new InvalidImageError(`${what}: extent at sector ${lba} (+${count}) lies outside the image (${reader.sectorCount} sectors)`, { lba, length });
  }
  const buf = await reader.read(lba, count);
  return buf.subarray(0, length);
}

/**
 * Read-through cache for small metadata reads (UDF ICBs, FIDs): sectors are fetched in aligned
 * chunks and the last `maxChunks` chunks are kept. Large reads bypass it.
 */
export function cachedBlockReader(inner: BlockReader, chunkSectors = 32, maxChunks = 64): BlockReader {
  const cache = new Map<number, Promise<Buffer>>();
  const chunk = (index: number): Promise<Buffer> => {
    let p = cache.get(index);
    if (p) {
      cache.delete(index); // re-insert: Map order doubles as LRU order
      cache.set(index, p);
      return p;
    }
    const first = index * chunkSectors;
    p = inner.read(first, Math.min(chunkSectors, inner.sectorCount - first));
    p.catch(() => cache.delete(index));
    cache.set(index, p);
    if (cache.size > maxChunks) cache.delete(cache.keys().next().value as number);
    return p;
  };
  return {
    sectorCount: inner.sectorCount,
    async read(lba, count) {
      if (count > chunkSectors || count === 0) return inner.read(lba, count);
      checkRange(lba, count, inner.sectorCount);
      const a = Math.floor(lba / chunkSectors);
      const b = Math.floor((lba + count - 1) / chunkSectors);
      const parts: Buffer[] = [];
      try {
        for (let i = a; i <= b; i++) parts.push(await chunk(i));
      } catch {
        // A whole chunk may reach sectors that were never recorded (the gap between two sessions of
        // a DVD±R/BD-R, a CD's run-out): read just what was asked, so only a bad asked-for sector fails.
        return inner.read(lba, count);
      }
      const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      const off = (lba - a * chunkSectors) * SECTOR;
      return Buffer.from(joined.subarray(off, off + count * SECTOR)); // a copy: callers may keep or modify it
    },
  };
}
