// The bookkeeping every ByteSource needs, written once: the MUST rules of byte-source.ts that do not
// depend on where the sectors come from. A subclass says only how to produce the next sectors and how
// to release what it holds; this base keeps the rules:
// - read() takes a whole number of sectors ≥ 1 (InvalidInputError otherwise) and a second read()
//   while one is pending rejects with InternalError.
// - after cancel(), and for a read() whose signal is aborted (before or while it runs), read()
//   rejects with CancelledError; an aborted signal also cancels the source.
// - a failing produce() cancels the source (resources released) and its error rejects the read.
// - after exactly totalSectors sectors read() resolves null (after the optional finish() step),
//   having released the resources once; it keeps resolving null.
// - cancel() is idempotent, never throws, and releases at most once (not again after the end).
// - progress() counts the sectors handed out.
import { CancelledError, InternalError, InvalidInputError } from '../../common/errors';
import type { ByteSource, ByteSourceProgress } from '../byte-source';

/** Largest chunk one read() hands out by default, whatever the consumer asks (bounds the memory a read takes). */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

export abstract class SequentialSource implements ByteSource {
  abstract readonly description: string;
  private sectorsRead = 0;
  private reading = false;
  private cancelled = false;
  private ended = false;

  /** `maxChunkSectors`: the most one read() hands out (default: as many as fit in MAX_CHUNK_BYTES, at least 1). */
  constructor(
    readonly sectorSize: number,
    readonly totalSectors: number,
    private readonly maxChunkSectors = Math.max(1, Math.floor(MAX_CHUNK_BYTES / sectorSize)),
  ) {}

  /**
   * Produces the sectors from sector `first` of the source on: at least 1 and at most `count` whole
   * sectors (count ≥ 1, within the source). A chunk shorter than `count` is fine; the next call asks
   * for the rest. `signal` is the one the consumer passed to read(), for inner sources that take it.
   */
  protected abstract produce(first: number, count: number, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * Optional: produce() into `dest` (exactly `count` sectors long) instead of a new chunk; resolves the
   * bytes written (whole sectors, at least 1). Sources that read from somewhere (a file) have it, so a
   * consumer with its own memory (the burn's ring) gets the bytes without a copy.
   */
  protected produceInto?(first: number, dest: Uint8Array, signal?: AbortSignal): Promise<number>;
  /** Releases every resource (files, workers, inner sources). Called once: at the end or on cancel. */
  protected abstract release(): Promise<void>;
  /**
   * Optional: runs once after the last sector, before the end (null) and release(), as part of the
   * read that finds the end (pending, given its signal): a producer that reports failures found
   * after the last byte (the image worker's job) waits for them here. A failure rejects that read
   * and cancels the source, as a failing produce() does.
   */
  protected finish?(signal?: AbortSignal): Promise<void>;

  /** True once cancel() ran (or a read failed): a produce() that waits may stop early with CancelledError. */
  protected isCancelled(): boolean {
    return this.cancelled;
  }

  progress(): ByteSourceProgress {
    return { sectorsRead: this.sectorsRead, totalSectors: this.totalSectors };
  }

  async read(maxSectors: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    let out: Uint8Array | null = null;
    await this.next(maxSectors, signal, async (first, count) => {
      out = await this.produce(first, count, signal);
      return out.byteLength;
    });
    return out;
  }

  /** read() into the caller's memory: produceInto() where the subclass has it, else produce() and one copy. */
  async readInto(dest: Uint8Array, signal?: AbortSignal): Promise<number> {
    return this.next(Math.floor(dest.byteLength / this.sectorSize), signal, async (first, count) => {
      const into = dest.subarray(0, count * this.sectorSize);
      if (this.produceInto) return this.produceInto(first, into, signal);
      const chunk = await this.produce(first, count, signal);
      if (chunk.byteLength <= into.byteLength) into.set(chunk);
      return chunk.byteLength;
    });
  }

  /** The rules of read() around one step that produces (first, count) and says how many bytes it made; 0 at the end. */
  private async next(maxSectors: number, signal: AbortSignal | undefined, step: (first: number, count: number) => Promise<number>): Promise<number> {
    if (!Number.isInteger(maxSectors) || maxSectors < 1) throw new InvalidInputError(`read() needs a whole number of sectors ≥ 1, got ${maxSectors}`);
    if (this.reading) throw new InternalError('ByteSource.read() called while another read is pending');
    if (this.cancelled) throw new CancelledError();
    if (signal?.aborted) {
      await this.cancel();
      throw new CancelledError();
    }
    if (this.ended) return 0;
    const left = this.totalSectors - this.sectorsRead;
    if (left === 0) {
      if (this.finish) await this.guarded(() => this.finish!(signal));
      this.ended = true;
      await this.release();
      return 0;
    }
    const count = Math.min(left, maxSectors, this.maxChunkSectors);
    return this.guarded(async () => {
      const bytes = await step(this.sectorsRead, count);
      if (this.cancelled || signal?.aborted) {
        await this.cancel();
        throw new CancelledError();
      }
      const n = bytes / this.sectorSize;
      if (!Number.isInteger(n) || n < 1 || n > count) throw new InternalError(`${this.description} produced ${bytes} bytes where 1 to ${count} whole ${this.sectorSize}-byte sectors were due`);
      this.sectorsRead += n;
      return bytes;
    });
  }

  /** Runs `step` as the pending read: a second read meanwhile is refused; a failure cancels the source. */
  private async guarded<T>(step: () => Promise<T>): Promise<T> {
    this.reading = true;
    try {
      return await step();
    } catch (err) {
      await this.cancel();
      throw err;
    } finally {
      this.reading = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    if (!this.ended) await this.release().catch(() => undefined);
  }
}
