import { describe, expect, it } from 'vitest';
import { acquireSharedMemory, keptSharedMemoryBytes, KEEP_MAX_BYTES, KEEP_TOTAL_BYTES, releaseSharedMemory } from './shared-memory';

describe('shared memory kept between jobs', () => {
  it('keeps one buffer a size for the next job, never one over KEEP_MAX_BYTES, never more than KEEP_TOTAL_BYTES in all', () => {
    // Before: every distinct size was kept forever (a 1 GiB ring stayed resident after its burn).
    const ring = acquireSharedMemory(KEEP_MAX_BYTES);
    releaseSharedMemory(ring);
    expect(acquireSharedMemory(KEEP_MAX_BYTES)).toBe(ring);
    releaseSharedMemory(ring);
    const huge = new SharedArrayBuffer(KEEP_MAX_BYTES + 2048);
    releaseSharedMemory(huge);
    expect(acquireSharedMemory(KEEP_MAX_BYTES + 2048)).not.toBe(huge);
    for (let i = 1; i <= 8; i++) releaseSharedMemory(new SharedArrayBuffer(4 * 1024 * 1024 + i * 2352));
    expect(keptSharedMemoryBytes()).toBeLessThanOrEqual(KEEP_TOTAL_BYTES);
    expect(keptSharedMemoryBytes()).toBeGreaterThan(KEEP_MAX_BYTES);
  });
});
