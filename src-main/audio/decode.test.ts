// The decoder contract (decode.ts), one suite per format, each judged by the format's reference
// decoder on the same file: sox (WAV/AIFF), flac -d, lame --decode and mpg123, oggdec, opusdec.
// Test signals are generated with sox at test time (a few seconds each), never committed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { CancelledError, GlassmasterError, InvalidInputError, IoError } from '../common/errors';
import { CdPcmEncoder } from './cd-pcm';
import { decodeToCdda, type DecodeResult } from './decode';
import { confirmedFrameAfter, readFlacStreamInfo } from './flac-stream';
import { flacBackendAvailable, flacBackendCases, useFlacBackend } from '../testing/flac-backends';

const ok = requireTools('sox', 'flac', 'lame', 'mpg123', 'oggenc', 'oggdec', 'opusenc', 'opusdec');
let dir: string;
const p = (name: string) => join(dir, name);
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });

async function decode(path: string): Promise<{ pcm: Int16Array; r: DecodeResult }> {
  const parts: Uint8Array[] = [];
  const r = await decodeToCdda(path, async (b) => void parts.push(b.slice()));
  const all = Buffer.concat(parts);
  return { pcm: new Int16Array(all.buffer, all.byteOffset, all.length / 2), r };
}

/** 16-bit little-endian stereo raw of any file sox reads, without dither (sox -D). */
function soxRaw(path: string): Int16Array {
  const b = sh('sox', ['-D', path, '-t', 'raw', '-e', 'signed', '-b', '16', '-c', '2', '-L', '-']);
  return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
}
const raw = (path: string) => {
  const b = readFileSync(path);
  return new Int16Array(b.buffer, b.byteOffset, b.length / 2);
};

function maxDiff(a: Int16Array, b: Int16Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Music-like test signal: two tones, noise and a sweep, 3.3 s (not a whole number of sectors). */
function synth(out: string, extra: string[], rate = 44100, seconds = '3.3') {
  sh('sox', ['-n', '-r', String(rate), ...extra, out, 'synth', seconds, 'sine', '440', 'sine', '90-9000', 'remix', '1', '2', 'vol', '0.6']);
}

describe.skipIf(!ok)('decoders against the reference decoders', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-decode-'));
    synth(p('s16.wav'), ['-b', '16', '-c', '2']);
    synth(p('m16.wav'), ['-b', '16', '-c', '1']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('WAV', () => {
    it('44.1 kHz 16-bit stereo comes out bit-identical (and mono on both channels)', async () => {
      const { pcm, r } = await decode(p('s16.wav'));
      expect(r).toMatchObject({ format: 'wav', resampled: false, dithered: false, samples: 145530 });
      expect(maxDiff(pcm, soxRaw(p('s16.wav')))).toBe(0);
      expect(maxDiff((await decode(p('m16.wav'))).pcm, soxRaw(p('m16.wav')))).toBe(0);
    });
    it('8-bit unsigned is exact; 24/32-bit integer and float (WAVE_FORMAT_EXTENSIBLE) within ±1 LSB of sox', async () => {
      synth(p('u8.wav'), ['-b', '8', '-e', 'unsigned', '-c', '2']);
      expect(maxDiff((await decode(p('u8.wav'))).pcm, soxRaw(p('u8.wav')))).toBe(0);
      for (const [name, args] of [
        ['s24.wav', ['-b', '24']],
        ['s32.wav', ['-b', '32', '-e', 'signed']],
        ['f32.wav', ['-b', '32', '-e', 'float']],
      ] as const) {
        synth(p(name), [...args, '-c', '2']);
        const head = readFileSync(p(name)).subarray(20, 22).readUInt16LE(0);
        if (name !== 'f32.wav') expect(head).toBe(0xfffe); // sox writes >16-bit PCM as WAVE_FORMAT_EXTENSIBLE
        const { pcm, r } = await decode(p(name));
        expect(r.dithered).toBe(true);
        expect(maxDiff(pcm, soxRaw(p(name)))).toBeLessThanOrEqual(1);
      }
    });
  });

  describe('AIFF/AIFC', () => {
    it('16-bit AIFF is bit-identical; 24-bit within ±1 LSB', async () => {
      synth(p('s16.aiff'), ['-b', '16', '-c', '2']);
      synth(p('s24.aiff'), ['-b', '24', '-c', '2']);
      expect(maxDiff((await decode(p('s16.aiff'))).pcm, soxRaw(p('s16.aiff')))).toBe(0);
      expect(maxDiff((await decode(p('s24.aiff'))).pcm, soxRaw(p('s24.aiff')))).toBeLessThanOrEqual(1);
    });
    it('AIFC (sowt little-endian) is bit-identical', async () => {
      sh('sox', [p('s16.wav'), '-t', 'aifc', '-e', 'signed', p('s16.aifc')]);
      const { pcm, r } = await decode(p('s16.aifc'));
      expect(r.format).toBe('aiff');
      expect(maxDiff(pcm, soxRaw(p('s16.wav')))).toBe(0);
    });
  });

  // Every FLAC case on both decoders (audio/flac-libflac.ts): the system's libFLAC through the addon, and the WASM build.
  describe.each(flacBackendCases)('FLAC (%s)', (_label, backend) => {
    const here = flacBackendAvailable(backend);
    useFlacBackend(backend);
    it.skipIf(!here)('16-bit 44.1 kHz is bit-identical to flac -d', async () => {
      sh('flac', ['-s', '-f', '-8', p('s16.wav'), '-o', p('s16.flac')]);
      sh('flac', ['-s', '-f', '-d', '--force-raw-format', '--endian=little', '--sign=signed', p('s16.flac'), '-o', p('s16.flac.raw')]);
      const { pcm, r } = await decode(p('s16.flac'));
      expect(r).toMatchObject({ format: 'flac', sourceBits: 16, dithered: false, decoder: backend });
      expect(maxDiff(pcm, raw(p('s16.flac.raw')))).toBe(0);
    });
    it.skipIf(!here)('mono and 8-bit FLAC come out as the same WAV does (both channels; 8-bit shifted to 16, exact)', async () => {
      synth(p('u8f.wav'), ['-b', '8', '-e', 'unsigned', '-c', '2']);
      for (const name of ['m16.wav', 'u8f.wav']) {
        sh('flac', ['-s', '-f', p(name), '-o', p(`${name}.flac`)]);
        const flac = await decode(p(`${name}.flac`));
        expect(flac.r).toMatchObject({ format: 'flac', dithered: false, decoder: backend });
        expect(maxDiff(flac.pcm, soxRaw(p(name)))).toBe(0);
      }
    });
    it.skipIf(!here)('24-bit 48 kHz: within ±1 LSB of flac -d followed by the same resampling and dither', async () => {
      synth(p('h24.flac'), ['-b', '24', '-c', '2'], 48000, '2');
      sh('flac', ['-s', '-f', '-d', p('h24.flac'), '-o', p('h24.ref.wav')]);
      const ours = await decode(p('h24.flac'));
      expect(ours.r).toMatchObject({ resampled: true, sourceRate: 48000, samples: 88200 });
      // The system libFLAC's samples go to cd-pcm as x / 2^23, as the WAV's do: the same bytes. Not 0
      // for the WASM build: it hands out x / (2^23 − 1) as float32; rescaled to x / 2^23 it is off by
      // an ulp now and then, which after resampling moves ~0.03 % of samples by 1 LSB (measured).
      expect(maxDiff(ours.pcm, (await decode(p('h24.ref.wav'))).pcm)).toBeLessThanOrEqual(backend === 'libflac' ? 0 : 1);
    });
    it.skipIf(!here)('a truncated FLAC is an InvalidInputError naming the file', async () => {
      writeFileSync(p('cut.flac'), readFileSync(p('s16.flac')).subarray(0, 60000));
      await expect(decode(p('cut.flac'))).rejects.toThrow(/cut\.flac: .*truncated/);
    });
    it.skipIf(!here)('one damaged frame header in a long FLAC is a damaged-file error naming the file and the offset (not an internal error from libFLAC heap exhaustion)', async () => {
      // 80 s of 24-bit noise: ~20 MB of frames, more than libFLAC's whole WASM heap (16 MiB), so a
      // decoder that searches to the end of the file for the frame after the damaged one, and hands
      // libFLAC that remainder as one piece, fails there (it did: InternalError "libFLAC's heap is full").
      sh('sox', ['-n', '-r', '44100', '-b', '24', '-c', '2', p('noise.wav'), 'synth', '80', 'whitenoise', 'vol', '0.5']);
      sh('flac', ['-s', '-f', '-0', p('noise.wav'), '-o', p('noise.flac')]);
      const b = readFileSync(p('noise.flac'));
      expect(b.length).toBeGreaterThan(18 << 20);
      const info = await readFlacStreamInfo('noise.flac', async (o, n) => b.subarray(o, o + n), b.length);
      const frame = confirmedFrameAfter(b, Math.floor(b.length / 10), info)!;
      b[frame.at + frame.header.length - 1] ^= 0x01; // the header's CRC-8 no longer matches
      writeFileSync(p('bad-header.flac'), b);
      // The reference agrees it is damaged (flac -d stops at the bad header, exit 1; only -F decodes on with a gap).
      expect(() => sh('flac', ['-s', '-f', '-d', p('bad-header.flac'), '-o', p('bad-header.wav')])).toThrow();
      const err = await decode(p('bad-header.flac')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).details).toMatchObject({ path: p('bad-header.flac'), reason: 'corrupt' });
      const e = err as InvalidInputError;
      expect(e.message).toMatch(/bad-header\.flac: it is damaged: no valid FLAC frame header follows frame \d+ at byte \d+ .*; the stream resumes at byte \d+/);
      // The offset named is the last intact frame before the damaged header (one frame before it);
      // the stream resumes at the frame after the damaged one.
      const offset = e.details?.offset as number;
      expect(offset).toBeLessThan(frame.at);
      expect(offset).toBeGreaterThanOrEqual(frame.at - info.maxFrameSize);
      expect(e.message).toContain(`frame ${frame.header.number - 1} at byte ${offset} `);
      const resumes = Number(/resumes at byte (\d+) \(frame (\d+)\)/.exec(e.message)![1]);
      expect(resumes).toBeGreaterThan(frame.at);
      expect(resumes).toBeLessThanOrEqual(frame.at + info.maxFrameSize);
      expect(e.message).toContain(`(frame ${frame.header.number + 1})`);
      // In a short file the rest fits the bound: libFLAC itself finds the damage, and the error says where.
      sh('flac', ['-s', '-f', p('s16.wav'), '-o', p('short.flac')]);
      const s = readFileSync(p('short.flac'));
      const sInfo = await readFlacStreamInfo('short.flac', async (o, n) => s.subarray(o, o + n), s.length);
      const sFrame = confirmedFrameAfter(s, Math.floor(s.length / 2), sInfo)!;
      s[sFrame.at + sFrame.header.length - 1] ^= 0x01;
      writeFileSync(p('short-bad.flac'), s);
      const e2 = (await decode(p('short-bad.flac')).then(
        () => undefined,
        (x: unknown) => x,
      )) as InvalidInputError;
      expect(e2).toBeInstanceOf(InvalidInputError);
      expect(e2.message).toMatch(/short-bad\.flac: it is damaged: libFLAC reports .* at byte \d+/);
      expect(e2.details?.offset).toBeLessThan(sFrame.at);
    });
    it.skipIf(!here)('frames cut out of a FLAC without an MD5 are damage, not silence (libFLAC 1.4 fills such a gap with silence and says nothing)', async () => {
      // 10 s of noise in frames of 4096: the sample count alone would not show a short gap.
      sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('gap.wav'), 'synth', '10', 'whitenoise', 'vol', '0.5']);
      sh('flac', ['-s', '-f', '-b', '4096', p('gap.wav'), '-o', p('gap-src.flac')]);
      const b = readFileSync(p('gap-src.flac'));
      const info = await readFlacStreamInfo('gap-src.flac', async (o, n) => b.subarray(o, o + n), b.length);
      b.fill(0, info.markerOffset + 8 + 18, info.markerOffset + 8 + 34); // MD5 unset
      const from = confirmedFrameAfter(b, Math.floor(b.length / 3), info)!;
      const to = confirmedFrameAfter(b, from.at + 1, info)!; // one frame cut out
      writeFileSync(p('gap.flac'), Buffer.concat([b.subarray(0, from.at), b.subarray(to.at)]));
      const err = await decode(p('gap.flac')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).details).toMatchObject({ path: p('gap.flac'), reason: 'corrupt' });
      expect((err as InvalidInputError).message).toMatch(/gap\.flac: it is damaged/);
      // The offset named is the last intact frame, the one before the gap.
      expect((err as InvalidInputError).details?.offset).toBeLessThan(from.at);
    });
    // Only where the MD5 is checked (the system libFLAC): not generated for the WASM path, rather than skipped.
    if (backend === 'libflac') it.skipIf(!here)('a FLAC whose samples do not match its STREAMINFO MD5 is refused, as flac -d refuses it (system libFLAC only: the WASM path does not check the MD5)', async () => {
      // Stereo 16-bit (hashed from the CD-DA bytes) and mono (libFLAC's own check).
      for (const name of ['s16.flac', 'm16.wav.flac']) {
        const b = readFileSync(p(name));
        const info = await readFlacStreamInfo(name, async (o, n) => b.subarray(o, o + n), b.length);
        b[info.markerOffset + 8 + 18] ^= 0x01; // STREAMINFO's MD5 starts 18 bytes into its data
        writeFileSync(p('md5.flac'), b);
        expect(() => sh('flac', ['-s', '-f', '-d', p('md5.flac'), '-o', p('md5.wav')])).toThrow();
        const err = await decode(p('md5.flac')).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(InvalidInputError);
        expect((err as InvalidInputError).message).toMatch(/md5\.flac: it is damaged: the decoded audio does not match the MD5 signature/);
        expect((err as InvalidInputError).details).toMatchObject({ path: p('md5.flac'), reason: 'corrupt' });
      }
    });
    it.skipIf(!here)('a FLAC decode cancelled after its first output stops with CancelledError', async () => {
      sh('sox', [p('s16.wav'), p('long.wav'), 'repeat', '20']);
      sh('flac', ['-s', '-f', p('long.wav'), '-o', p('long.flac')]);
      const ac = new AbortController();
      let calls = 0;
      const run = decodeToCdda(p('long.flac'), async () => {
        calls++;
        ac.abort();
      }, ac.signal);
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      // Stopped at the next output buffer (libFLAC) or the next input chunk (WASM), not after all 70 s (12 buffers).
      expect(calls).toBeLessThan(5);
    });
  });

  describe('MP3', () => {
    beforeAll(() => {
      sh('lame', ['--quiet', '-b', '192', p('s16.wav'), p('s.mp3')]);
    });
    it('gapless: the same sample count as lame --decode (encoder delay and padding removed)', async () => {
      sh('lame', ['--quiet', '--decode', p('s.mp3'), p('s.lame.wav')]);
      const { r } = await decode(p('s.mp3'));
      expect(r.samples).toBe(Number(sh('soxi', ['-s', p('s.lame.wav')]).toString().trim()));
      expect(r.samples).toBe(145530); // and that is the source's length
    });
    it('samples within ±1 LSB of mpg123 taken through the same reduction to 16 bits', async () => {
      // mpg123's float output reduced by our encoder (the same seeded TPDF dither): against mpg123's
      // own 16-bit rounding the dither alone is ±1, so a decoder difference of an ulp near a
      // rounding edge made 2 (seen once in a full run: the test failed at random with sox's random
      // dither in the source).
      const ref = sh('mpg123', ['-q', '-e', 'f32', '-s', p('s.mp3')]);
      const f = new Float32Array(ref.buffer.slice(ref.byteOffset, ref.byteOffset + ref.length));
      const frames = f.length / 2;
      const left = new Float32Array(frames);
      const right = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        left[i] = f[2 * i];
        right[i] = f[2 * i + 1];
      }
      const parts: Buffer[] = [];
      const enc = await CdPcmEncoder.create({ sampleRate: 44100, channels: 2 }, async (b) => void parts.push(Buffer.from(b)));
      await enc.push([left, right], frames);
      await enc.end();
      const want = Buffer.concat(parts);
      const { pcm } = await decode(p('s.mp3'));
      expect(pcm.length).toBe(want.length / 2);
      expect(maxDiff(pcm, new Int16Array(want.buffer, want.byteOffset, want.length / 2))).toBeLessThanOrEqual(1);
    });
  });

  describe('Ogg Vorbis', () => {
    it('within ±1 LSB of oggdec, same length', async () => {
      sh('oggenc', ['-Q', '-q', '6', p('s16.wav'), '-o', p('s.ogg')]);
      sh('oggdec', ['-Q', '-R', p('s.ogg'), '-o', p('s.ogg.raw')]);
      const { pcm, r } = await decode(p('s.ogg'));
      expect(r.format).toBe('vorbis');
      expect(maxDiff(pcm, raw(p('s.ogg.raw')))).toBeLessThanOrEqual(1);
    });
  });

  describe('Opus', () => {
    it('48 kHz → 44.1 kHz: close to opusdec followed by the same resampling (RMS < 1 LSB, peak ≤ 3)', async () => {
      sh('opusenc', ['--quiet', p('s16.wav'), p('s.opus')]);
      sh('opusdec', ['--quiet', '--float', '--rate', '48000', p('s.opus'), p('s.opus.wav')]);
      const ours = await decode(p('s.opus'));
      const ref = await decode(p('s.opus.wav'));
      expect(ours.r).toMatchObject({ format: 'opus', resampled: true, samples: 145530 });
      // Measured: 51 % identical, 46 % ±1, 3 % ±2, a handful ±3; RMS 0.77 LSB. The WASM libopus and
      // Debian's opusdec are different libopus builds, and Opus decoders are not bit-exact across
      // builds (RFC 6716 §6 conformance is by quality, not bits), so ±1 LSB is not reachable here.
      expect(maxDiff(ours.pcm, ref.pcm)).toBeLessThanOrEqual(3);
      let sq = 0;
      for (let i = 0; i < ours.pcm.length; i++) sq += (ours.pcm[i] - ref.pcm[i]) ** 2;
      expect(Math.sqrt(sq / ours.pcm.length)).toBeLessThan(1);
    });
  });

  describe('bad input', () => {
    it('unsupported and corrupt files are InvalidInputErrors naming the file', async () => {
      writeFileSync(p('notes.mp3'), 'just text, not audio\n');
      await expect(decode(p('notes.mp3'))).rejects.toThrow(InvalidInputError);
      await expect(decode(p('notes.mp3'))).rejects.toThrow(/notes\.mp3: not a supported audio file/);
      writeFileSync(p('cut.wav'), readFileSync(p('s16.wav')).subarray(0, 5000));
      await expect(decode(p('cut.wav'))).rejects.toThrow(/cut\.wav: it is truncated/);
      const six = p('six.wav');
      sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '6', six, 'synth', '0.1', 'sine', '440']);
      await expect(decode(six)).rejects.toThrow(/six\.wav: it has 6 channels/);
      await expect(decode(p('missing.flac'))).rejects.toSatisfy((e: GlassmasterError) => e.code === 'IO' && /missing\.flac/.test(e.message));
      // A read that fails after the open (here EISDIR: a folder opens, but cannot be read) is an IoError naming the file too.
      mkdirSync(p('folder.flac'));
      await expect(decode(p('folder.flac'))).rejects.toSatisfy((e: GlassmasterError) => e instanceof IoError && e.code === 'IO' && /folder\.flac/.test(e.message) && e.details?.path === p('folder.flac'));
    });
    it('a cancelled decode rejects with CancelledError', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(decodeToCdda(p('s16.wav'), async () => undefined, ac.signal)).rejects.toBeInstanceOf(CancelledError);
    });
  });
});
