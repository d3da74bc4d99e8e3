// The decoded audio of a laid-out disc as ByteSources of 2352-byte CD-DA sectors (the contract in
// image/byte-source.ts): the whole program area for Session At Once / raw writing, or one track's
// sectors for Track At Once. Sectors are assembled on demand from the decoded PCM files; what no
// file covers (pauses, padding) is silence. Nothing is buffered beyond the chunk being read.
import { open, type FileHandle } from 'node:fs/promises';
import { InvalidInputError, IoError } from '../common/errors';
import { BYTES_PER_SAMPLE_FRAME, CD_DA_SECTOR_BYTES } from '../cd/msf';
import type { ByteSource } from '../image/byte-source';
import { SequentialSource } from '../image/byte-source/sequential-source';

/** One decoded PCM file and where its first sample lies, in samples from LBA 0. */
export interface PcmPlacement {
  file: string;
  firstSample: number;
  samples: number;
  /** Sample of the file where this placement begins (default 0): a CUE's tracks cut one file into pieces. */
  fileSample?: number;
}

class CdDaSource extends SequentialSource {
  private readonly handles = new Map<string, FileHandle>();

  constructor(readonly description: string, private readonly placements: PcmPlacement[], private readonly firstLba: number, endLba: number) {
    super(CD_DA_SECTOR_BYTES, endLba - firstLba);
  }

  protected produce(first: number, count: number): Promise<Uint8Array> {
    return this.sectorsAt(this.firstLba + first, count);
  }

  protected async release(): Promise<void> {
    const hs = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(hs.map((h) => h.close().catch(() => undefined)));
  }

  private async sectorsAt(lba: number, count: number): Promise<Uint8Array> {
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
