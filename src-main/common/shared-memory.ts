// Large SharedArrayBuffers kept for reuse. The burn's ring (32 MiB) and the full read-back's slots
// (8 MiB) are allocated per job; a SharedArrayBuffer is freed only when the garbage collector gets
// to it, and a burn allocates so few JS objects that it rarely does: back-to-back jobs (copies, a
// queue, the bench's runs) each added their memory to the process's RSS (issue #10: peak RSS).
// A released buffer is kept (one per size) and handed to the next job that asks for that size.
//
// MUST: release() only memory no one reads or writes any more (the job's writes done, its hashing
// worker closed); the next job overwrites it.

// Bounded, so memory kept between jobs is never more than one default ring and its read-back
// slots (Electron's main process and `serve` live for days): a buffer over KEEP_MAX_BYTES (a burn
// asked for a bigger ring) or past KEEP_TOTAL_BYTES in all is left to the collector.
export const KEEP_MAX_BYTES = 32 * 1024 * 1024;
export const KEEP_TOTAL_BYTES = 48 * 1024 * 1024;
const idle = new Map<number, SharedArrayBuffer>();
let kept = 0;

/** `bytes` of shared memory: the idle buffer of that size if there is one (old contents), else a new one (zeros). */
export function acquireSharedMemory(bytes: number): SharedArrayBuffer {
  const reuse = idle.get(bytes);
  if (reuse) {
    idle.delete(bytes);
    kept -= bytes;
    return reuse;
  }
  return new SharedArrayBuffer(bytes);
}

/** Gives memory back for the next job of the same size (at most one kept per size, within the bounds above; others are left to the collector). */
export function releaseSharedMemory(memory: SharedArrayBuffer): void {
  const bytes = memory.byteLength;
  if (idle.has(bytes) || bytes > KEEP_MAX_BYTES || kept + bytes > KEEP_TOTAL_BYTES) return;
  idle.set(bytes, memory);
  kept += bytes;
}

/** Bytes kept for reuse now (tests). */
export function keptSharedMemoryBytes(): number {
  return kept;
}
