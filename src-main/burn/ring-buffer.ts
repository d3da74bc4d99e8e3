// The burn's ring buffer: fixed memory (one SharedArrayBuffer, allocated once) between a producer
// (the byte source, which reads straight into a slot: ByteSource.readInto) and the drive writer,
// which sends its WRITEs as views of the same memory; a hashing worker reads the same slots (no
// copy). Nothing is allocated per chunk, so a 4 GiB burn costs no garbage, no page faults on fresh
// buffers and no collector work (issue #10: peak RSS and the unpaced burn's speed).
//
// The memory is cut into equal slots used round-robin. A slot is free, being filled (acquire), or
// full (publish) with some "holds": the writer's (released once every byte of the slot was written)
// and optionally the hasher's. It is filled again only when every hold is released, so no byte is
// overwritten while the drive or the hasher may still read it. acquire() waiting for the next slot
// and take() waiting for data are the burn's backpressure.
import { CancelledError, InternalError } from '../common/errors';
import { acquireSharedMemory, releaseSharedMemory } from '../common/shared-memory';

export class SlotRing {
  readonly memory: SharedArrayBuffer;
  readonly slots: number;
  /** Bytes filled per slot (valid while it is full). */
  private readonly length: number[];
  /** Bytes of each full slot already handed out by take() / confirmed written. */
  private readonly taken: number[];
  private readonly written: number[];
  /** Holds left per slot: 0 free, -1 being filled, > 0 full. */
  private readonly holds: number[];
  /** Full slots in order, waiting for the writer. */
  private readonly queue: number[] = [];
  private nextFill = 0;
  private filling = false;
  private buffered = 0;
  private ended = false;
  private failure: unknown;
  private waiters: Array<() => void> = [];

  /** `capacity` bytes in slots of `slotBytes` (at least two slots, so reading and writing overlap). */
  constructor(capacity: number, readonly slotBytes: number) {
    if (!(capacity > 0) || !(slotBytes > 0) || !Number.isInteger(slotBytes)) throw new RangeError('ring buffer capacity and slot size must be positive');
    this.slots = Math.max(2, Math.floor(capacity / slotBytes));
    this.memory = acquireSharedMemory(this.slots * slotBytes);
    this.length = new Array<number>(this.slots).fill(0);
    this.taken = new Array<number>(this.slots).fill(0);
    this.written = new Array<number>(this.slots).fill(0);
    this.holds = new Array<number>(this.slots).fill(0);
  }

  get capacity(): number {
    return this.memory.byteLength;
  }

  /** Bytes filled and not yet handed to the writer. */
  get size(): number {
    return this.buffered;
  }

  /** 0..1 */
  get fill(): number {
    return this.buffered / this.capacity;
  }

  /** Offset of a slot in `memory`. */
  offsetOf(slot: number): number {
    return slot * this.slotBytes;
  }

  private view(slot: number, from: number, bytes: number): Uint8Array {
    return new Uint8Array(this.memory, this.offsetOf(slot) + from, bytes);
  }

  private changed(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError());
      const onAbort = () => reject(new CancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** The next slot to fill, once it is free: its index and its whole memory. One at a time. */
  async acquire(signal?: AbortSignal): Promise<{ slot: number; dest: Uint8Array }> {
    if (this.filling) throw new InternalError('SlotRing.acquire() while a slot is being filled');
    const slot = this.nextFill;
    while (this.holds[slot] !== 0) {
      if (this.failure !== undefined) throw this.failure;
      await this.wait(signal);
    }
    if (this.failure !== undefined) throw this.failure;
    this.filling = true;
    this.holds[slot] = -1;
    return { slot, dest: this.view(slot, 0, this.slotBytes) };
  }

  /**
   * The acquired slot holds `bytes` now (0: nothing, the slot is free again). It stays full until
   * `holds` releases: the writer's (automatic, once all of it is written) plus `holds - 1` by release().
   */
  publish(slot: number, bytes: number, holds = 1): void {
    if (!this.filling || this.holds[slot] !== -1) throw new InternalError(`SlotRing.publish() of slot ${slot}, which was not acquired`);
    if (bytes < 0 || bytes > this.slotBytes) throw new RangeError(`slot of ${this.slotBytes} bytes cannot hold ${bytes}`);
    this.filling = false;
    if (bytes === 0) {
      this.holds[slot] = 0;
      this.changed();
      return;
    }
    this.length[slot] = bytes;
    this.taken[slot] = 0;
    this.written[slot] = 0;
    this.holds[slot] = holds;
    this.queue.push(slot);
    this.buffered += bytes;
    this.nextFill = (slot + 1) % this.slots;
    this.changed();
  }

  /** One hold of a full slot is done (the hasher's); the last one frees it for the producer. */
  release(slot: number): void {
    if (this.holds[slot] <= 0) return;
    this.holds[slot]--;
    if (this.holds[slot] === 0) this.changed();
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

  /**
   * Up to n bytes of the oldest full slot, as a view of the ring's memory (exactly n when the slot
   * holds that many: producers fill slots in whole writes); null when ended and empty. The view stays
   * valid until the writer confirms it with written().
   */
  async take(n: number, signal?: AbortSignal): Promise<{ slot: number; data: Uint8Array } | null> {
    while (this.queue.length === 0 && !this.ended) {
      if (this.failure !== undefined) throw this.failure;
      await this.wait(signal);
    }
    if (this.failure !== undefined) throw this.failure;
    const slot = this.queue[0];
    if (slot === undefined) return null;
    const from = this.taken[slot];
    const k = Math.min(n, this.length[slot] - from);
    this.taken[slot] += k;
    this.buffered -= k;
    if (this.taken[slot] === this.length[slot]) this.queue.shift();
    return { slot, data: this.view(slot, from, k) };
  }

  /** Gives the memory back for the next ring (common/shared-memory.ts): only once no one reads or writes it any more. */
  dispose(): void {
    this.fail(new CancelledError());
    releaseSharedMemory(this.memory);
  }

  /** The writer is done with `bytes` of `slot` (handed out by take()); once all are, its hold is released. */
  wrote(slot: number, bytes: number): void {
    this.written[slot] += bytes;
    if (this.written[slot] === this.length[slot]) this.release(slot);
  }
}
