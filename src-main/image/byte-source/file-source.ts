// Byte sources over bytes that already exist: an image file on the host (`glassmaster burn --image`,
// verify against an image) and a buffer in memory (tests, small generated sessions).
import type { FileHandle } from 'node:fs/promises';
import { openInputFile } from '../host-input-file';
import { InvalidInputError, IoError } from '../../common/errors';
import { DATA_SECTOR, type ByteSource } from '../byte-source';
import { SequentialSource } from './sequential-source';

/**
 * An existing image file as a data source. Its size must be whole 2048-byte sectors (an .iso that is
 * not is refused up front, before any drive is touched); the file changing size while it is read is
 * an IoError naming it.
 */
export async function openImageFileSource(hostPath: string): Promise<ByteSource> {
  // Not a plain open(): a FIFO would block it forever (host-input-file.ts).
  const { fh, size } = await openInputFile(hostPath, 'image');
  const st = { size };
  if (st.size === 0 || st.size % DATA_SECTOR !== 0) {
    await fh.close();
    throw new InvalidInputError(`${hostPath} is ${st.size} bytes, not a whole number of 2048-byte sectors: not a data disc image`, { path: hostPath, size: st.size });
  }
  return new ImageFileSource(hostPath, fh, st.size / DATA_SECTOR);
}

class ImageFileSource extends SequentialSource {
  readonly description: string;
  /**
   * Read-ahead: the chunk after the one just handed out is already being read (one chunk, at most
   * 4 MiB, ahead: bounded as the contract asks), so the file's I/O overlaps the consumer's work and a
   * scheduling delay of the consumer's thread does not also delay the next read's start. A burn's
   * ring buffer stays fuller on a busy machine (issue #10).
   */
  private ahead: { first: number; count: number; data: Promise<Buffer> } | undefined;

  constructor(private readonly hostPath: string, private readonly fh: FileHandle, totalSectors: number) {
    super(DATA_SECTOR, totalSectors);
    this.description = hostPath;
  }

  protected async produce(first: number, count: number): Promise<Uint8Array> {
    const a = this.ahead;
    this.ahead = undefined;
    const data = a && a.first === first && a.count === count ? a.data : this.readAt(first, count);
    if (a && a.data !== data) a.data.catch(() => undefined);
    const buf = await data;
    const next = first + count;
    if (next < this.totalSectors) {
      const n = Math.min(count, this.totalSectors - next);
      const p = this.readAt(next, n);
      p.catch(() => undefined); // surfaced when (if) that chunk is asked for
      this.ahead = { first: next, count: n, data: p };
    }
    return buf;
  }

  /**
   * Straight into the caller's memory (the burn's ring): no read-ahead here, the caller already reads
   * into one part of its memory while it uses another; a read-ahead left by an earlier read() is dropped.
   */
  protected override async produceInto(first: number, dest: Uint8Array): Promise<number> {
    const a = this.ahead;
    this.ahead = undefined;
    if (a) await a.data.catch(() => undefined);
    await this.readFileInto(first, dest);
    return dest.byteLength;
  }

  private async readAt(first: number, count: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(count * DATA_SECTOR);
    await this.readFileInto(first, buf);
    return buf;
  }

  private async readFileInto(first: number, buf: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.fh.read(buf, done, buf.length - done, first * DATA_SECTOR + done);
      if (bytesRead === 0) throw new IoError(`${this.hostPath} became shorter while it was read (at sector ${first + Math.floor(done / DATA_SECTOR)})`, { path: this.hostPath });
      done += bytesRead;
    }
  }

  protected async release(): Promise<void> {
    // A read-ahead still running finishes before the file is closed (its result is dropped).
    const a = this.ahead;
    this.ahead = undefined;
    if (a) await a.data.catch(() => undefined);
    await this.fh.close();
  }
}

/** Bytes in memory as a source (length must be whole sectors). The buffer is not copied. */
export function bufferByteSource(data: Uint8Array, opts: { sectorSize?: number; description?: string } = {}): ByteSource {
  const sectorSize = opts.sectorSize ?? DATA_SECTOR;
  if (data.byteLength % sectorSize !== 0) throw new InvalidInputError(`${data.byteLength} bytes are not whole ${sectorSize}-byte sectors`);
  return new BufferSource(data, sectorSize, opts.description ?? `${data.byteLength} bytes in memory`);
}

class BufferSource extends SequentialSource {
  constructor(private readonly data: Uint8Array, sectorSize: number, readonly description: string) {
    super(sectorSize, data.byteLength / sectorSize);
  }

  protected async produce(first: number, count: number): Promise<Uint8Array> {
    return this.data.subarray(first * this.sectorSize, (first + count) * this.sectorSize);
  }

  protected async release(): Promise<void> {}
}
