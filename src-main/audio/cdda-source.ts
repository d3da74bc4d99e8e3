// The decoded audio of a laid-out disc as ByteSources of 2352-byte CD-DA sectors (the contract in
// image/byte-source.ts): the whole program area for Session At Once / raw writing, or one track's
// sectors for Track At Once. Sectors are assembled on demand from the decoded PCM files; what no
// file covers (pauses, padding) is silence. Nothing is buffered beyond the chunk being read.
import { open, type FileHandle } from 'node:fs/promises';
import { CancelledError, InternalError, InvalidInputError, IoError } from '../common/errors';
import { BYTES_PER_SAMPLE_FRAME, CD_DA_SECTOR_BYTES } from '../cd/msf';
import type { ByteSource, ByteSourceProgress } from '../image/byte-source';

/** One decoded PCM file and where its first sample lies, in samples from LBA 0. */
export interface PcmPlacement {
  file: string;
  firstSample: number;
  samples: number;
  /** Sample of the file where this placement begins (default 0): a CUE's tracks cut one file into pieces. */
  fileSample?: number;
}

const MAX_CHUNK_SECTORS = Math.floor((4 * 1024 * 1024) / CD_DA_SECTOR_BYTES);

class CdDaSource implements ByteSource {
  readonly sectorSize = CD_DA_SECTOR_BYTES;
  readonly totalSectors: number;
  private sectorsRead = 0;
  private pending = false;
  private cancelled = false;
  private ended = false;
  private readonly handles = new Map<string, FileHandle>();

  constructor(readonly description: string, private readonly placements: PcmPlacement[], private readonly firstLba: number, endLba: number) {
    this.totalSectors = endLba - firstLba;
  }

  progress(): ByteSourceProgress {
    return { sectorsRead: this.sectorsRead, totalSectors: this.totalSectors };
  }

  async read(maxSectors: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    if (!Number.isInteger(maxSectors) || maxSectors < 1) throw new InvalidInputError(`read() needs a whole number of sectors ≥ 1, got ${maxSectors}`);
    if (this.pending) throw new InternalError('ByteSource.read() called while another read is pending');
    if (this.cancelled) throw new CancelledError();
    if (signal?.aborted) {
      await this.cancel();
      throw new CancelledError();
    }
    if (this.ended) return null;
    const left = this.totalSectors - this.sectorsRead;
    if (left === 0) {
      this.ended = true;
      await this.release();
      return null;
    }
    const count = Math.min(left, maxSectors, MAX_CHUNK_SECTORS);
    this.pending = true;
    try {
      const chunk = await this.produce(this.firstLba + this.sectorsRead, count);
      if (this.cancelled || signal?.aborted) {
        await this.cancel();
        throw new CancelledError();
      }
      this.sectorsRead += count;
      return chunk;
    } catch (err) {
      await this.cancel();
      throw err;
    } finally {
      this.pending = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    if (!this.ended) await this.release().catch(() => undefined);
  }

  private async release(): Promise<void> {
    const hs = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(hs.map((h) => h.close().catch(() => undefined)));
  }

  private async produce(lba: number, count: number): Promise<Uint8Array> {
    const out = new Uint8Array(count * CD_DA_SECTOR_BYTES);
    // Byte positions relative to LBA 0 (negative in track 1's pause, which no file covers).
    const from = lba * CD_DA_SECTOR_BYTES;
    const to = from + out.length;
    for (const p of this.placements) {
      const start = p.firstSample * BYTES_PER_SAMPLE_FRAME;
      const end = start + p.samples * BYTES_PER_SAMPLE_FRAME;
      const a = Math.max(from, start);
      const b = Math.min(to, end);
      if (a >= b) continue;
      let fh = this.handles.get(p.file);
      if (!fh) {
        try {
          fh = await open(p.file, 'r');
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          throw new IoError(`cannot open decoded audio ${p.file}: ${e.message}`, { errno: e.code, path: p.file, syscall: e.syscall, cause: err });
        }
        this.handles.set(p.file, fh);
      }
      const { bytesRead } = await fh.read(out, a - from, b - a, a - start + (p.fileSample ?? 0) * BYTES_PER_SAMPLE_FRAME);
      if (bytesRead !== b - a) throw new IoError(`decoded audio ${p.file} is shorter than its ${p.samples} samples (changed while burning?)`, { path: p.file });
    }
    return out;
  }
}

/** Sectors [firstLba, endLba) of the program whose decoded audio lies at `placements`. */
export function cdDaSource(description: string, placements: PcmPlacement[], firstLba: number, endLba: number): ByteSource {
  if (!Number.isInteger(firstLba) || !Number.isInteger(endLba) || endLba <= firstLba) throw new InvalidInputError(`a CD-DA source needs a sector range, got ${firstLba}…${endLba}`);
  return new CdDaSource(description, placements, firstLba, endLba);
}
