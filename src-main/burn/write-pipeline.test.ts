// The write pipeline's ring of shared memory against the virtual recorder: what reaches the disc and
// what is hashed are exactly the source's bytes, whichever side is slower (a 2-slot ring makes the
// writer and the hashing worker wait for each other), with the source read straight into the ring
// (an image file: readInto) or given as chunks of another size (a source without readInto).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ByteSource } from '../image/byte-source';
import { bufferByteSource, openImageFileSource } from '../image/byte-source/file-source';
import { WORKER_HASH_MIN_BYTES } from '../verify/sha256-stream';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';

let f: BurnFixture | undefined;
afterEach(async () => {
  if (f) await disposeFixture(f);
  f = undefined;
});

/** A source with read() only, handing out 3 sectors at a time (the ring assembles its slots from several). */
function chunkedOnly(data: Uint8Array): ByteSource {
  const inner = bufferByteSource(data);
  return { description: 'chunks', sectorSize: 2048, totalSectors: inner.totalSectors, read: (n, s) => inner.read(Math.min(n, 3), s), cancel: () => inner.cancel(), progress: () => inner.progress() };
}

describe('write pipeline: the ring of shared memory', () => {
  // Above the threshold, so a worker thread hashes the slots in place while the writes go on.
  const bytes = WORKER_HASH_MIN_BYTES + 8 * 1024 * 1024;
  const data = randomBytes(bytes);
  const sha = createHash('sha256').update(data).digest('hex');

  for (const kind of ['image file (readInto)', 'chunks (read only)'] as const) {
    it(`a 2-slot ring, full verify: the disc holds the source and the digest is the source's (${kind})`, async () => {
      f = await burnFixture('bd-r');
      const iso = join(f.dir, 'src.iso');
      writeFileSync(iso, data);
      const open = kind === 'image file (readInto)' ? () => openImageFileSource(iso) : async () => chunkedOnly(data);
      const fills: number[] = [];
      const r = await f.burner.burn(f.address, open, { verify: 'full', speed: 'max', bufferBytes: 2 * 1024 * 1024 }, { onProgress: (p) => p.action === 'writing' && fills.push(p.ringFill) });
      const v = r.copies[0].verify!;
      expect(v.ok).toBe(true);
      expect(v.actualSha256).toBe(sha);
      expect(v.expectedSha256).toBe(sha);
      expect(Math.max(...fills)).toBeLessThanOrEqual(1);
      const disc = readFileSync(f.transport.recorder(f.name).backingPath).subarray(0, bytes);
      expect(createHash('sha256').update(disc).digest('hex')).toBe(sha);
    });
  }
});
