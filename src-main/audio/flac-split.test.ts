// FLAC frame finding (flac-stream.ts) against `flac -a` (libFLAC's own analysis: every frame's byte
// offset), and one file decoded in shares by two workers (flac-split.ts + the pool) against
// `flac -d`, bit for bit; damaged and truncated files are refused by name, whichever share holds
// the damage. Signals are made with sox at test time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { AudioDecoderPool } from './audio-decoder-pool';
import { FLAC_SPLIT_MIN_BYTES, splitFlac } from './flac-split';
import { frameHeaderAt, nextFrameStart, readFlacStreamInfo } from './flac-stream';
import { flacBackendAvailable, flacBackendCases, useFlacBackend } from '../testing/flac-backends';

const ok = requireTools('sox', 'flac');
let dir: string;
const p = (name: string) => join(dir, name);
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });

/** Every frame start the way flac-wasm's feeder walks the file. */
async function ourFrameOffsets(path: string): Promise<number[]> {
  const b = new Uint8Array(readFileSync(path));
  const readAt = async (o: number, n: number) => b.subarray(o, o + n);
  const info = await readFlacStreamInfo(path, readAt, b.length);
  const out = [info.audioOffset];
  let h = frameHeaderAt(b, info.audioOffset, info);
  expect(h).toBeDefined();
  for (;;) {
    const next = nextFrameStart(b, out[out.length - 1], h!, info);
    if (next < 0) return out;
    out.push(next);
    h = frameHeaderAt(b, next, info);
  }
}

describe.skipIf(!ok)('FLAC frames and shares', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-flac-split-'));
    // White noise does not compress: 55 s of it is a FLAC file above the split threshold.
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('big.wav'), 'synth', '55', 'whitenoise', 'vol', '0.9']);
    sh('flac', ['-s', '-f', '-5', p('big.wav'), '-o', p('big.flac')]);
    sh('flac', ['-s', '-f', '-d', '--force-raw-format', '--endian=little', '--sign=signed', p('big.flac'), '-o', p('big.raw')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds exactly the frames flac -a lists (offsets after metadata and padding)', async () => {
    // Two encodings: fixed 4096-sample blocks with 8 KiB padding, and tiny blocks with a seek table and no padding.
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('a.wav'), 'synth', '4', 'sine', '440', 'pinknoise', 'remix', '1,2', '2', 'vol', '0.5']);
    sh('flac', ['-s', '-f', '-8', p('a.wav'), '-o', p('a.flac')]);
    sh('flac', ['-s', '-f', '-0', '--blocksize=192', '--no-padding', '-S', '1s', p('a.wav'), '-o', p('b.flac')]);
    for (const f of ['a.flac', 'b.flac']) {
      sh('flac', ['-s', '-f', '-a', p(f), '-o', p(`${f}.ana`)]);
      const theirs = [...readFileSync(p(`${f}.ana`), 'latin1').matchAll(/^frame=\d+\toffset=(\d+)/gm)].map((m) => Number(m[1]));
      expect(theirs.length).toBeGreaterThan(20);
      expect(await ourFrameOffsets(p(f))).toEqual(theirs);
    }
  });

  // Both decoders (audio/flac-libflac.ts) in the workers: the system's libFLAC through the addon, and the WASM build.
  describe.each(flacBackendCases)('decoded by the pool (%s)', (_label, backend) => {
    const here = flacBackendAvailable(backend);
    let pool: AudioDecoderPool;
    useFlacBackend(backend);
    beforeAll(() => {
      pool = new AudioDecoderPool({ size: 2 });
    });
    afterAll(() => pool?.close());

    it.skipIf(!here)('bytes after the last frame (an ID3v1 tag) are left alone, whole and in shares', async () => {
      const tag = Buffer.concat([Buffer.from('TAG'), Buffer.alloc(125, 0x20)]);
      writeFileSync(p('tagged.flac'), Buffer.concat([readFileSync(p('big.flac')), tag]));
      await pool.decodeToFile(p('tagged.flac'), p('tagged.cdda'));
      expect(Buffer.compare(readFileSync(p('tagged.cdda')), readFileSync(p('big.raw')))).toBe(0);
      const one = new AudioDecoderPool({ size: 1 });
      try {
        await one.decodeToFile(p('tagged.flac'), p('tagged1.cdda'));
      } finally {
        await one.close();
      }
      expect(Buffer.compare(readFileSync(p('tagged1.cdda')), readFileSync(p('big.raw')))).toBe(0);
    });

    it.skipIf(!here)('one file decoded in two shares by two workers is flac -d bit for bit', async () => {
      expect(statSync(p('big.flac')).size).toBeGreaterThan(FLAC_SPLIT_MIN_BYTES);
      const split = await splitFlac(p('big.flac'), 2);
      expect(split?.shares).toHaveLength(2);
      expect(split!.shares[1].firstSample % 4096).toBe(0);
      expect(split!.shares[0].to).toBe(split!.shares[1].from);
      const r = await pool.decodeToFile(p('big.flac'), p('big.cdda'));
      expect(r).toMatchObject({ format: 'flac', samples: 55 * 44100, sourceBits: 16, dithered: false, decoder: backend });
      expect(Buffer.compare(readFileSync(p('big.cdda')), readFileSync(p('big.raw')))).toBe(0);
    });

    it.skipIf(!here)('damage in either share, or a cut file, is an error naming the file', async () => {
      const good = readFileSync(p('big.flac'));
      const split = (await splitFlac(p('big.flac'), 2))!;
      for (const at of [split.shares[0].from + 100_000, split.shares[1].from + 100_000]) {
        const bad = Buffer.from(good);
        for (let i = 0; i < 64; i++) bad[at + i] ^= 0x5a;
        writeFileSync(p('bad.flac'), bad);
        await expect(pool.decodeToFile(p('bad.flac'), p('bad.cdda'))).rejects.toThrow(/bad\.flac: it is damaged/);
      }
      writeFileSync(p('cut.flac'), good.subarray(0, Math.floor(good.length * 0.8)));
      await expect(pool.decodeToFile(p('cut.flac'), p('cut.cdda'))).rejects.toThrow(/cut\.flac: .*(damaged|truncated)/);
    });

    it.skipIf(!here)('a mono file decoded in shares is flac -d on both channels (and, with libFLAC, passes the MD5 check over the repacked samples)', async () => {
      sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '1', p('mono.wav'), 'synth', '60', 'whitenoise', 'vol', '0.9']);
      sh('flac', ['-s', '-f', '-5', p('mono.wav'), '-o', p('mono.flac')]);
      sh('flac', ['-s', '-f', '-d', '--force-raw-format', '--endian=little', '--sign=signed', p('mono.flac'), '-o', p('mono.raw')]);
      expect((await splitFlac(p('mono.flac'), 2))?.shares).toHaveLength(2);
      const r = await pool.decodeToFile(p('mono.flac'), p('mono.cdda'));
      expect(r).toMatchObject({ samples: 60 * 44100, decoder: backend });
      const ref = readFileSync(p('mono.raw'));
      const ours = readFileSync(p('mono.cdda'));
      expect(ours.length).toBe(ref.length * 2);
      const want = Buffer.alloc(ours.length);
      for (let i = 0; i < ref.length / 2; i++) {
        want.writeInt16LE(ref.readInt16LE(2 * i), 4 * i);
        want.writeInt16LE(ref.readInt16LE(2 * i), 4 * i + 2);
      }
      expect(Buffer.compare(ours, want)).toBe(0);
    });

    // Only where the MD5 is checked (the system libFLAC): not generated for the WASM path, rather than skipped.
    if (backend === 'libflac') it.skipIf(!here)('a file decoded in shares is checked against its STREAMINFO MD5 (system libFLAC only: the WASM path does not check it)', async () => {
      const b = readFileSync(p('big.flac'));
      const info = await readFlacStreamInfo('big.flac', async (o, n) => b.subarray(o, o + n), b.length);
      b[info.markerOffset + 8 + 18 + 15] ^= 0x80;
      writeFileSync(p('md5.flac'), b);
      expect(() => execFileSync('flac', ['-s', '-t', p('md5.flac')], { stdio: 'ignore' })).toThrow();
      expect((await splitFlac(p('md5.flac'), 2))?.shares).toHaveLength(2);
      await expect(pool.decodeToFile(p('md5.flac'), p('md5.cdda'))).rejects.toThrow(/md5\.flac: it is damaged: the decoded audio does not match the MD5 signature/);
      // Decoded whole (another file in flight: no split), libFLAC's own check refuses it the same way.
      const [whole, other] = await Promise.allSettled([pool.decodeToFile(p('md5.flac'), p('md5w.cdda')), pool.decodeToFile(p('big.flac'), p('big2.cdda'))]);
      expect(whole.status === 'rejected' && String(whole.reason)).toMatch(/md5\.flac: it is damaged: the decoded audio does not match the MD5 signature/);
      expect(other.status).toBe('fulfilled');
      expect(Buffer.compare(readFileSync(p('big2.cdda')), readFileSync(p('big.raw')))).toBe(0);
    });
  });
});
