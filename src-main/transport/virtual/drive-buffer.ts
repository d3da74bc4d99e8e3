// The virtual recorder's drive buffer. A real recorder takes a WRITE's data into its own buffer (the
// data-out phase: the host's memory is free again once the command completes) and records it on the
// medium while the host already sends the next WRITE; READ BUFFER CAPACITY tells how full that
// buffer is, and SYNCHRONIZE CACHE returns only after everything buffered is recorded (MMC-6
// §6.23, §6.41). The recorder's "medium" is its backing file: the bytes are copied into fixed
// memory here and written to the file on libuv's thread pool, so the host's next WRITE overlaps the
// file write (issue #10: an unpaced burn used to do every file write on the event loop's thread,
// one after the other with the host's per-command work).
//
// MUST rules:
// - put() copies the bytes before it returns (the host's memory may be reused at once) and only
//   with room for them (room() resolved): nothing is ever overwritten before it is in the file.
// - Data reaches the file as if written in the order it was put: writes in flight at the same time
//   never overlap in the file (pieces adjacent in memory and in the file are merged into one).
// - drain() resolves once every byte put so far is in the file (or its write failed).
// - A failed file write is kept for takeError() (the recorder reports it as a write error to the
//   next command, as a drive reports a deferred error); what was buffered after it is dropped.
// - A descriptor handed to closeWhenDone() is closed only after its last buffered write.
import { closeSync, write } from 'node:fs';

/** File writes of buffered data at a time (see writeNext). */
const WRITES_IN_FLIGHT = 2;

interface Piece {
  fd: number;
  /** Offset in the buffer's memory. */
  at: number;
  length: number;
  /** Offset in the file. */
  position: number;
}

interface Batch extends Piece {
  done: boolean;
}

export class DriveBuffer {
  private memory: Buffer | undefined;
  /** Where the next piece goes in memory (the oldest buffered byte is `head - pending`, circularly). */
  private head = 0;
  private buffered = 0;
  /** Pieces not yet handed to the kernel, and the writes handed to it (in order, until freed). */
  private readonly pieces: Piece[] = [];
  private readonly batches: Batch[] = [];
  private failure: unknown;
  private waiters: Array<() => void> = [];
  private readonly closing = new Set<number>();

  constructor(readonly capacity: number) {}

  /** Bytes taken and not yet in the file: the drive buffer's fill. */
  get pending(): number {
    return this.buffered;
  }

  /** Resolves once `bytes` (at most the capacity) fit. */
  async room(bytes: number): Promise<void> {
    const need = Math.min(bytes, this.capacity);
    while (this.capacity - this.buffered < need) await this.changed();
  }

  /** Resolves once everything put so far is in the file (or failed to get there). */
  async drain(): Promise<void> {
    while (this.buffered > 0) await this.changed();
  }

  /** The error of a failed file write, once (then cleared). */
  takeError(): unknown {
    const e = this.failure;
    this.failure = undefined;
    return e;
  }

  /**
   * Takes `length` bytes of `data` from `from` on, to be written to `fd` at `position`. The caller
   * made room first (room()); a piece longer than the whole buffer is refused.
   */
  put(fd: number, data: Uint8Array, from: number, length: number, position: number): void {
    if (length > this.capacity - this.buffered) throw new RangeError(`the drive buffer has no room for ${length} bytes (${this.buffered} of ${this.capacity} in use)`);
    if (length === 0) return;
    const mem = (this.memory ??= Buffer.allocUnsafeSlow(this.capacity));
    let done = 0;
    while (done < length) {
      const at = this.head;
      const n = Math.min(length - done, this.capacity - at);
      // fill() with a value exactly as long as the range is one memcpy; set() from a view of a
      // SharedArrayBuffer (the burn's ring) copies with relaxed atomics, ~1.5× the CPU here.
      mem.fill(data.subarray(from + done, from + done + n), at, at + n);
      this.pieces.push({ fd, at, length: n, position: position + done });
      this.head = (at + n) % this.capacity;
      done += n;
    }
    this.buffered += length;
    this.writeNext();
  }

  /** Closes `fd` now if nothing buffered is bound for it, else after its last write. */
  closeWhenDone(fd: number): void {
    if (this.pieces.some((p) => p.fd === fd) || this.batches.some((b) => !b.done && b.fd === fd)) this.closing.add(fd);
    else closeSync(fd);
  }

  private changed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Starts file writes of the oldest pieces (merged while they follow each other in memory and in
   * the file), up to WRITES_IN_FLIGHT at a time: while one finishes, the next is already with the
   * kernel, so the file is written without waiting for this thread to get to the completion. A
   * write overlapping one still in flight waits for it (a rewrite of the same sectors lands last).
   */
  private writeNext(): void {
    while (this.pieces.length > 0 && this.batches.filter((b) => !b.done).length < WRITES_IN_FLIGHT) {
      const first = this.pieces[0];
      let count = 1;
      let length = first.length;
      for (let p = this.pieces[count]; p && p.fd === first.fd && p.at === first.at + length && p.position === first.position + length; p = this.pieces[count]) {
        length += p.length;
        count++;
      }
      const end = first.position + length;
      if (this.batches.some((b) => !b.done && b.fd === first.fd && b.position < end && first.position < b.position + b.length)) return;
      this.pieces.splice(0, count);
      const batch: Batch = { fd: first.fd, at: first.at, length, position: first.position, done: false };
      this.batches.push(batch);
      this.writeBatch(batch, 0);
    }
  }

  private writeBatch(batch: Batch, done: number): void {
    write(batch.fd, this.memory!, batch.at + done, batch.length - done, batch.position + done, (err, n) => {
      if (!err && n > 0 && done + n < batch.length) return this.writeBatch(batch, done + n);
      batch.done = true;
      if (err || n === 0) {
        // What was buffered after a failed write is lost with it, as a drive loses its buffer on a write error.
        this.failure ??= err ?? new Error('the backing file took no bytes');
        for (const p of this.pieces) this.buffered -= p.length;
        this.pieces.length = 0;
      }
      // Memory is freed in the order it was filled (a later write may finish first).
      while (this.batches[0]?.done) this.buffered -= this.batches.shift()!.length;
      for (const fd of this.closing) {
        if (this.pieces.some((p) => p.fd === fd) || this.batches.some((b) => !b.done && b.fd === fd)) continue;
        this.closing.delete(fd);
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
      this.wake();
      this.writeNext();
    });
  }
}
