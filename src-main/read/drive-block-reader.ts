// A BlockReader (the image reader's source interface) over a disc in a drive: READ(10) of 2048-byte
// user data (MMC-6 §6.15), retried when the drive reports a medium or hardware error, narrowed to
// single sectors so one bad sector costs only itself, and a typed error naming the LBA that stayed
// unreadable. The disc's extent comes from readDiscLayout (last session included).
import { GlassmasterError, ScsiError, throwIfAborted } from '../common/errors';
import type { Drive } from '../drive/drive';
import type { BlockReader } from '../image/reader/block-reader';
import { InvalidImageError } from '../common/errors';
import { buildRead10 } from '../mmc/commands/read';
import type { MmcCommand } from '../mmc/command';
import { SenseKey } from '../mmc/sense';

export const SECTOR = 2048;
/** Sectors per READ(10): 64 KiB, a transfer every transport (SG_IO, iSCSI, QEMU) takes whole. */
export const READ_CHUNK = 32;

/** A sector the drive could not deliver after every retry. Exit code 3 (device), like any SCSI error. */
export class UnreadableSectorError extends GlassmasterError {
  readonly lba: number;
  /**
   * The drive says nothing is recorded there (ILLEGAL REQUEST: LBA out of range 21/00, wrong track
   * mode 64/00; BLANK CHECK): a gap, run-out or unwritten area rather than damage.
   */
  readonly unrecorded: boolean;
  constructor(lba: number, cause: unknown) {
    const sense = cause instanceof ScsiError ? { senseKey: cause.senseKey, asc: cause.asc, ascq: cause.ascq } : {};
    super('SCSI', `sector ${lba} is unreadable: ${cause instanceof Error ? cause.message : String(cause)}`, { details: { lba, ...sense }, cause });
    this.lba = lba;
    this.unrecorded = cause instanceof ScsiError && (cause.senseKey === SenseKey.BLANK_CHECK || (cause.senseKey === SenseKey.ILLEGAL_REQUEST && (cause.asc === 0x21 || cause.asc === 0x64)));
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
  /** Sectors per READ(10) (default READ_CHUNK = 32; a whole-disc pass may use the drive's transfer limit). */
  chunk?: number;
}

export interface DriveBlockReader extends BlockReader {
  /**
   * Reads what it can of [lba, lba+count): every sector that stays unreadable is left zero and
   * listed in `bad` (with the error it gave) instead of failing the whole read.
   */
  readTolerant(lba: number, count: number): Promise<{ data: Buffer; bad: Array<{ lba: number; error: GlassmasterError }> }>;
}

export function driveBlockReader(drive: Drive, opts: DriveBlockReaderOptions): DriveBlockReader {
  const { sectorCount } = opts;
  const spans = sectorSpanReader(drive, { sectorSize: SECTOR, build: (lba, n) => buildRead10(lba, n), chunk: opts.chunk ?? READ_CHUNK, retries: opts.retries, signal: opts.signal, onRetry: opts.onRetry });
  const check = (lba: number, count: number) => {
    if (!Number.isInteger(lba) || !Number.isInteger(count) || lba < 0 || count < 0 || lba + count > sectorCount) {
      throw new InvalidImageError(`read of sectors ${lba}..${lba + count - 1} is outside the disc's readable area (${sectorCount} sectors)`, { lba, count, sectorCount });
    }
  };
  return {
    sectorCount,
    async read(lba, count) {
      check(lba, count);
      return spans.read(lba, count, (_at, err) => {
        throw err;
      });
    },
    async readTolerant(lba, count) {
      check(lba, count);
      const bad: Array<{ lba: number; error: GlassmasterError }> = [];
      const data = await spans.read(lba, count, (at, error) => bad.push({ lba: at, error }));
      return { data, bad };
    },
  };
}

export interface SpanReaderOptions {
  /** Bytes per sector the command returns (2048 for READ(10), 2352 for raw READ CD). */
  sectorSize: number;
  build: (lba: number, count: number) => MmcCommand;
  /** Sectors per command. */
  chunk: number;
  retries?: number;
  signal?: AbortSignal;
  onRetry?: (lba: number, attempt: number, err: unknown) => void;
}

/**
 * The read policy shared by READ(10) and READ CD: a chunk is read once; when it fails, each of its
 * sectors is read alone with up to `retries` re-reads (only for errors a re-read may cure), and a
 * sector that still fails goes to `onBad` (which may throw to stop) and stays zero.
 */
export function sectorSpanReader(drive: Drive, o: SpanReaderOptions): { read(lba: number, count: number, onBad: (lba: number, err: GlassmasterError) => void): Promise<Buffer> } {
  const retries = o.retries ?? 3;
  const size = o.sectorSize;
  const readOnce = async (lba: number, count: number, out: Buffer, at: number, attempts: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(o.signal);
      try {
        const data = await drive.query(o.build(lba, count), { signal: o.signal });
        if (data.length < count * size) throw new UnreadableSectorError(lba + Math.floor(data.length / size), new Error(`the drive returned ${data.length} of ${count * size} bytes`));
        data.copy(out, at, 0, count * size);
        return;
      } catch (e) {
        if (!isRereadable(e) || attempt >= attempts) throw e;
        o.onRetry?.(lba, attempt + 1, e);
      }
    }
  };
  const isSectorError = (e: unknown) => e instanceof ScsiError || e instanceof UnreadableSectorError;
  return {
    async read(lba, count, onBad) {
      const out = Buffer.alloc(count * size);
      for (let s = 0; s < count; s += o.chunk) {
        const n = Math.min(o.chunk, count - s);
        try {
          await readOnce(lba + s, n, out, s * size, n === 1 ? retries : 0);
        } catch (e) {
          if (!isSectorError(e)) throw e;
          if (n === 1) {
            onBad(lba + s, e instanceof UnreadableSectorError ? e : new UnreadableSectorError(lba + s, e));
            continue;
          }
          for (let i = 0; i < n; i++) {
            try {
              await readOnce(lba + s + i, 1, out, (s + i) * size, retries);
            } catch (e1) {
              if (!isSectorError(e1)) throw e1;
              onBad(lba + s + i, e1 instanceof UnreadableSectorError ? e1 : new UnreadableSectorError(lba + s + i, e1));
            }
          }
        }
      }
      return out;
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
