// Large SharedArrayBuffers kept for reuse. The burn's ring (32 MiB) and the full read-back's slots
// (8 MiB) are allocated per job; a SharedArrayBuffer is freed only when the garbage collector gets
// to it, and a burn allocates so few JS objects that it rarely does: back-to-back jobs (copies, a
// queue, the bench's runs) each added their memory to the process's RSS (issue #10: peak RSS).
// A released buffer is kept (one per size) and handed to the next job that asks for that size.
//
// MUST: release() only memory no one reads or writes any more (the job's writes done, its hashing
// worker closed); the next job overwrites it.

const idle = new Map<number, SharedArrayBuffer>();

/** `bytes` of shared memory: the idle buffer of that size if there is one (old contents), else a new one (zeros). */
export function acquireSharedMemory(bytes: number): SharedArrayBuffer {
  const kept = idle.get(bytes);
  if (kept) {
    idle.delete(bytes);
    return kept;
  }
  return new SharedArrayBuffer(bytes);
}

/** Gives memory back for the next job of the same size (at most one kept per size; others are left to the collector). */
export function releaseSharedMemory(memory: SharedArrayBuffer): void {
  if (!idle.has(memory.byteLength)) idle.set(memory.byteLength, memory);
}
