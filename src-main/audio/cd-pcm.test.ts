// CdPcmEncoder's float → 16-bit conversion against the obvious formula (Math.round, then clamp):
// every integer a ≤ 16-bit source can carry, in both scalings decoders use, must come back exactly,
// and the dithered path must give the same bytes as the straightforward rounding (the fast
// rounding in cd-pcm.ts is an optimisation, never a change of output).
import { describe, expect, it } from 'vitest';
import { CdPcmEncoder, type PcmFormat } from './cd-pcm';

async function encode(format: PcmFormat, left: Float32Array, right: Float32Array): Promise<Int16Array> {
  const parts: Uint8Array[] = [];
  const enc = await CdPcmEncoder.create(format, async (b) => void parts.push(b.slice()));
  // Two pushes: the second reuses the encoder's output buffer, which must not corrupt the first.
  const half = left.length >> 1;
  await enc.push([left.subarray(0, half), right.subarray(0, half)]);
  await enc.push([left.subarray(half), right.subarray(half)]);
  await enc.end();
  const bytes = Buffer.concat(parts);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
}

describe('CdPcmEncoder exact path (44.1 kHz integer sources of ≤ 16 bits)', () => {
  for (const bits of [16, 12, 8])
    for (const scaledByMaxPositive of [false, true])
      it(`every ${bits}-bit value scaled by 1/${scaledByMaxPositive ? `(2^${bits - 1} − 1)` : `2^${bits - 1}`} comes back exactly`, async () => {
        const half = 2 ** (bits - 1);
        const scale = scaledByMaxPositive ? half - 1 : half;
        const n = 2 * half;
        const left = new Float32Array(n);
        const right = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          left[i] = (i - half) / scale; // stored as float32, as the decoders hand it over
          right[i] = (half - 1 - i) / scale;
        }
        const out = await encode({ sampleRate: 44100, channels: 2, integerBits: bits, scaledByMaxPositive }, left, right);
        expect(out.length).toBe(2 * n);
        for (let i = 0; i < n; i++) {
          if (out[2 * i] !== (i - half) * 2 ** (16 - bits) || out[2 * i + 1] !== (half - 1 - i) * 2 ** (16 - bits))
            throw new Error(`sample ${i}: ${out[2 * i]}, ${out[2 * i + 1]}`);
        }
      });
});

describe('CdPcmEncoder dithered path (lossy sources)', () => {
  it('gives the same bytes as Math.round-then-clamp with the same TPDF sequence, overloads and NaN included', async () => {
    const n = 100_000;
    const left = new Float32Array(n);
    const right = new Float32Array(n);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2.4 - 1.2; // beyond full scale too
    for (let i = 0; i < n; i++) {
      left[i] = rnd();
      right[i] = i % 997 === 0 ? NaN : i % 991 === 0 ? (i - 2 * 991) / 32768 : rnd(); // exact .5 steps near 0
    }
    const out = await encode({ sampleRate: 44100, channels: 2 }, left, right);
    // The reference: the encoder's documented dither (xorshift32, seed 0x9e3779b9), then Math.round and clamp.
    let s = 0x9e3779b9;
    const step = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return ((s & 0xffff) - (s >>> 16)) / 65536;
    };
    const q = (v: number) => {
      const r = Math.round(v);
      return r > 32767 ? 32767 : r < -32768 ? -32768 : Number.isNaN(r) ? 0 : r;
    };
    for (let i = 0; i < n; i++) {
      const l = q(left[i] * 32768 + step());
      const r = q(right[i] * 32768 + step());
      if (out[2 * i] !== l || out[2 * i + 1] !== r) throw new Error(`sample ${i}: ${out[2 * i]},${out[2 * i + 1]} vs ${l},${r}`);
    }
  });
});
