// A bounded buffer of bytes between a producer (the byte source) and one consumer (the drive
// writer). push() waits while the buffer is full, take() waits until enough bytes are there or the
// producer has ended: the source's pull plus this bound is the burn's backpressure.
import { CancelledError } from '../common/errors';

export class RingBuffer {
  private chunks: Uint8Array[] = [];
  /** Bytes of chunks[0] already taken. */
  private head = 0;
  private bytes = 0;
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('ring buffer capacity must be positive');
  }

  get size(): number {
    return this.bytes;
  }

  /** 0..1 */
  get fill(): number {
    return Math.min(1, this.bytes / this.capacity);
  }

  private changed(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError());
      const prev = this.wake;
      const onAbort = () => reject(new CancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wake = () => {
        signal?.removeEventListener('abort', onAbort);
        prev?.();
        resolve();
      };
    });
  }

  /** Adds a chunk; waits while it would overflow (a chunk larger than the capacity is taken when the buffer is empty). */
  async push(chunk: Uint8Array, signal?: AbortSignal): Promise<void> {
    while (this.bytes > 0 && this.bytes + chunk.length > this.capacity) {
      if (this.failure !== undefined) throw this.failure;
      await this.wait(signal);
    }
    if (this.failure !== undefined) throw this.failure;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.changed();
  }

  /** No more data will come. */
  end(): void {
    this.ended = true;
    this.changed();
  }

  /** Wakes both sides with an error (the other side failed or was cancelled). */
  fail(err: unknown): void {
    if (this.failure === undefined) this.failure = err;
    this.changed();
  }

  /** Up to n bytes (exactly n unless the producer ended); null when ended and empty. */
  async take(n: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    while (this.bytes < n && !this.ended) {
      if (this.failure !== undefined) throw this.failure;
      await this.wait(signal);
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.bytes === 0) return null;
    const want = Math.min(n, this.bytes);
    const first = this.chunks[0];
    let out: Uint8Array;
    if (first.length - this.head >= want) {
      out = first.subarray(this.head, this.head + want);
      this.head += want;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
    } else {
      out = new Uint8Array(want);
      let off = 0;
      while (off < want) {
        const c = this.chunks[0];
        const k = Math.min(c.length - this.head, want - off);
        out.set(c.subarray(this.head, this.head + k), off);
        off += k;
        this.head += k;
        if (this.head === c.length) {
          this.chunks.shift();
          this.head = 0;
        }
      }
    }
    this.bytes -= want;
    this.changed();
    return out;
  }
}
