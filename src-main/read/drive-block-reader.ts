// A BlockReader (the image reader's source interface) over a disc in a drive: READ(10) of 2048-byte
// user data (MMC-6 §6.15), retried when the drive reports a medium or hardware error, narrowed to
// single sectors so one bad sector costs only itself, and a typed error naming the LBA that stayed
// unreadable. The disc's extent comes from readDiscLayout (last session included).
import { GlassmasterError, ScsiError, throwIfAborted } from '../common/errors';
import type { Drive } from '../drive/drive';
import type { BlockReader } from '../image/reader/block-reader';
import { InvalidImageError } from '../common/errors';
import { buildRead10 } from '../mmc/commands/read';
import { SenseKey } from '../mmc/sense';

export const SECTOR = 2048;
/** Sectors per READ(10): 64 KiB, a transfer every transport (SG_IO, iSCSI, QEMU) takes whole. */
export const READ_CHUNK = 32;

/** A sector the drive could not deliver after every retry. Exit code 3 (device), like any SCSI error. */
export class UnreadableSectorError extends GlassmasterError {
  readonly lba: number;
  constructor(lba: number, cause: unknown) {
    const sense = cause instanceof ScsiError ? { senseKey: cause.senseKey, asc: cause.asc, ascq: cause.ascq } : {};
    super('SCSI', `sector ${lba} is unreadable: ${cause instanceof Error ? cause.message : String(cause)}`, { details: { lba, ...sense }, cause });
    this.lba = lba;
  }
}

/**
 * Errors a re-read may cure (a marginal sector, a drive recalibrating): medium error, hardware
 * error, aborted command. "LBA out of range" or "illegal mode for this track" never will.
 */
export function isRereadable(e: unknown): boolean {
  return e instanceof ScsiError && (e.senseKey === SenseKey.MEDIUM_ERROR || e.senseKey === SenseKey.HARDWARE_ERROR || e.senseKey === SenseKey.ABORTED_COMMAND);
}

export interface DriveBlockReaderOptions {
  /** Sectors the reader exposes (usually DiscLayout.end). */
  sectorCount: number;
  /** Extra attempts for a sector that answers a medium/hardware error (default 3). */
  retries?: number;
  signal?: AbortSignal;
  /** Called for every re-read (bad-sector statistics, progress lines). */
  onRetry?: (lba: number, attempt: number, err: unknown) => void;
}

export interface DriveBlockReader extends BlockReader {
  /**
   * Reads what it can of [lba, lba+count): every sector that stays unreadable is left zero and
   * listed in `bad` (with the error it gave) instead of failing the whole read.
   */
  readTolerant(lba: number, count: number): Promise<{ data: Buffer; bad: Array<{ lba: number; error: GlassmasterError }> }>;
}

export function driveBlockReader(drive: Drive, opts: DriveBlockReaderOptions): DriveBlockReader {
  const { sectorCount, signal } = opts;
  const retries = opts.retries ?? 3;

  const check = (lba: number, count: number) => {
    if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0 || lba + count > sectorCount) {
      throw new InvalidImageError(`read of sectors ${lba}..${lba + count - 1} is outside the disc's readable area (${sectorCount} sectors)`, { lba, count, sectorCount });
    }
  };

  /** One READ(10) with re-reads; throws the last error. */
  const readOnce = async (lba: number, count: number, out: Buffer, at: number, attempts: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      try {
        const data = await drive.query(buildRead10(lba, count), { signal });
        if (data.length < count * SECTOR) throw new UnreadableSectorError(lba + Math.floor(data.length / SECTOR), new Error(`the drive returned ${data.length} of ${count * SECTOR} bytes`));
        data.copy(out, at, 0, count * SECTOR);
        return;
      } catch (e) {
        if (!isRereadable(e) || attempt >= attempts) throw e;
        opts.onRetry?.(lba, attempt + 1, e);
      }
    }
  };

  /** Reads a span; a failing multi-sector chunk is re-read sector by sector so only bad ones fail. */
  const span = async (lba: number, count: number, onBad: (lba: number, err: GlassmasterError) => void): Promise<Buffer> => {
    const out = Buffer.alloc(count * SECTOR);
    for (let s = 0; s < count; s += READ_CHUNK) {
      const n = Math.min(READ_CHUNK, count - s);
      try {
        // A chunk is tried once: the sector-by-sector pass below does the re-reads.
        await readOnce(lba + s, n, out, s * SECTOR, n === 1 ? retries : 0);
      } catch (e) {
        if (!(e instanceof ScsiError) && !(e instanceof UnreadableSectorError)) throw e;
        if (n === 1) {
          onBad(lba + s, e instanceof UnreadableSectorError ? e : new UnreadableSectorError(lba + s, e));
          continue;
        }
        for (let i = 0; i < n; i++) {
          try {
            await readOnce(lba + s + i, 1, out, (s + i) * SECTOR, retries);
          } catch (e1) {
            if (!(e1 instanceof ScsiError) && !(e1 instanceof UnreadableSectorError)) throw e1;
            onBad(lba + s + i, e1 instanceof UnreadableSectorError ? e1 : new UnreadableSectorError(lba + s + i, e1));
          }
        }
      }
    }
    return out;
  };

  return {
    sectorCount,
    async read(lba, count) {
      check(lba, count);
      return span(lba, count, (_at, err) => {
        throw err;
      });
    },
    async readTolerant(lba, count) {
      check(lba, count);
      const bad: Array<{ lba: number; error: GlassmasterError }> = [];
      const data = await span(lba, count, (at, error) => bad.push({ lba: at, error }));
      return { data, bad };
    },
  };
}

/** Sorted LBAs as [first, last] ranges (inclusive): 5,6,7,9 → [5,7],[9,9]. */
export function lbaRanges(lbas: number[]): Array<[number, number]> {
  const sorted = [...new Set(lbas)].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const l of sorted) {
    const last = out[out.length - 1];
    if (last && l === last[1] + 1) last[1] = l;
    else out.push([l, l]);
  }
  return out;
}
