// FLAC → CD-DA through the system's libFLAC (native/src/flac_decode.cc), the library `flac -d` runs:
// the addon reads the file itself (the worker's descriptor, positional reads), libFLAC finds and
// decodes the frames, and every frame goes straight into this worker's output buffer as
// interleaved 16-bit CD-DA — no frame finding, float conversion or copy in JavaScript. Chosen by
// `flacBackend()` (flac-backend.ts) wherever the addon has it (built on Linux with libflac-dev's headers, and the shared
// library found when the addon loads); elsewhere (Windows, macOS, a build or machine without it, or
// GLASSMASTER_WASM_FLAC=1) decode.ts keeps the WASM path (flac-wasm.ts). Both paths run the same tests against `flac -d` (decode.test.ts,
// flac-split.test.ts), and give the same typed errors:
// - a libFLAC error (lost sync, bad header, CRC-16 mismatch) stops the decode, as `flac -d` stops;
//   the message is the WASM path's, worked out the same way from the last intact frame (a damaged
//   header that no frame follows within the search bound is named as such, with where the stream
//   resumes; otherwise "libFLAC reports …" at that frame);
// - a truncated stream is the STREAMINFO sample-count error; a read failure an IoError naming the file
//   and offset; a cancel a CancelledError between output buffers (a few milliseconds apart);
// - the decoded samples of a whole file are checked against STREAMINFO's MD5 as `flac -d` checks them
//   (libFLAC's own check; shares of a split file are checked by the pool, audio-decoder-pool.ts).
import { createHash } from 'node:crypto';
import { getSystemErrorName } from 'node:util';
import { CancelledError, InvalidInputError, IoError } from '../common/errors';
import type { NativeFlacDecoder, NativeFlacFailure } from '../transport/native/native-addon';
import { libFlacClass } from './flac-backend';
import type { AudioFile } from './audio-file';
import { CdPcmEncoder, type CdPcmSink } from './cd-pcm';
import { confirmedFrameAfter, damagedAfter, frameHeaderAt, frameSearchBound, nextFrameStart, type FlacStreamInfo } from './flac-stream';
import type { DecodeResult, FlacRange } from './decode';

/** Output frames per call into the addon: 1 MiB of CD-DA (each call decodes until < 65,536 frames of room are left). */
const OUT_FRAMES = 1 << 18;

/** Output buffers not in use, kept for the next decode in this thread (each decode takes its own). */
const spare: { int16: Int16Array[]; float: Float32Array[] } = { int16: [], float: [] };

/** The 42 bytes libFLAC is given before the frames: `fLaC` and STREAMINFO, marked as the last metadata block. */
async function streamHead(file: AudioFile, info: FlacStreamInfo): Promise<Uint8Array> {
  const head = (await file.readAt(info.markerOffset, 42)).slice();
  head[4] |= 0x80;
  return head;
}

/**
 * Decodes the FLAC file (or the share `range` of it) with libFLAC into `sink`; undefined when this
 * process has no libFLAC (the caller uses the WASM path).
 */
export async function decodeFlacWithLibFlac(path: string, file: AudioFile, info: FlacStreamInfo, sink: CdPcmSink, signal?: AbortSignal, range?: FlacRange): Promise<DecodeResult | undefined> {
  const FlacDecoder = libFlacClass();
  if (!FlacDecoder) return undefined;
  if (info.channels > 2) throw new InvalidInputError(`${path}: it has ${info.channels} channels (an audio CD takes mono or stereo; down-mix it first)`, { path, reason: 'unsupported' });
  const from = range?.from ?? info.audioOffset;
  const to = Math.min(file.size, range?.to ?? file.size);
  const last = !range || range.to >= file.size;
  const expected = last && info.totalSamples > 0 ? info.totalSamples - (range?.firstSample ?? 0) : -1;
  const exact = info.sampleRate === 44100 && info.bitsPerSample <= 16;
  // A whole file's MD5 is checked. For 16-bit stereo (a CD's own format) the CD-DA bytes are exactly
  // what the MD5 covers (§8.2), so they are hashed here with OpenSSL's MD5 (measured: 0.073 CPU s for
  // 5 minutes, libFLAC's own check 0.085, which first repacks every frame); other formats are left
  // to libFLAC's check.
  const checkMd5 = !range && !/^0+$/.test(info.md5);
  const hash = checkMd5 && exact && info.channels === 2 && info.bitsPerSample === 16 ? createHash('md5') : undefined;
  const head = await streamHead(file, info);
  let dec: NativeFlacDecoder;
  try {
    dec = new FlacDecoder(file.fh.fd, head, from, to, { float: !exact, md5: checkMd5 && !hash, expected });
  } catch (e) {
    // libFLAC refused the STREAMINFO that flac-stream.ts accepted.
    if (isFailure(e)) throw new InvalidInputError(`${path}: it is damaged: libFLAC cannot read its STREAMINFO (${e.status ?? e.kind})`, { path, reason: 'corrupt', offset: info.markerOffset });
    throw e;
  }
  let samples = 0;
  try {
    if (exact) {
      const out = spare.int16.pop() ?? new Int16Array(2 * OUT_FRAMES);
      try {
        for (;;) {
          if (signal?.aborted) throw new CancelledError();
          const n = dec.read(out);
          if (n === 0) break;
          samples += n;
          const bytes = new Uint8Array(out.buffer, 0, n * 4);
          hash?.update(bytes);
          await sink(bytes);
        }
      } finally {
        spare.int16.push(out);
      }
    } else {
      const enc = await CdPcmEncoder.create({ sampleRate: info.sampleRate, channels: info.channels, integerBits: info.bitsPerSample }, sink);
      const out = spare.float.pop() ?? new Float32Array(2 * OUT_FRAMES);
      try {
        for (;;) {
          if (signal?.aborted) throw new CancelledError();
          const n = dec.read(out);
          if (n === 0) break;
          await enc.push(info.channels > 1 ? [out.subarray(0, n), out.subarray(OUT_FRAMES, OUT_FRAMES + n)] : [out.subarray(0, n)], n);
        }
      } finally {
        spare.float.push(out);
      }
      await enc.end();
      samples = enc.samples;
    }
  } catch (e) {
    dec.close();
    if (isFailure(e)) throw await failure(path, file, info, from, to, !range, dec.samples, e);
    throw e;
  }
  // STREAMINFO's total (when the encoder knew it) is the truth: fewer samples is a truncated file.
  if (!range && info.totalSamples > 0 && dec.samples !== info.totalSamples) {
    dec.close();
    throw new InvalidInputError(`${path}: it is truncated or damaged: STREAMINFO says ${info.totalSamples} samples, ${dec.samples} decoded`, { path, reason: 'corrupt' });
  }
  if (!dec.finish() || (hash && hash.digest('hex') !== info.md5)) throw new InvalidInputError(`${path}: it is damaged: the decoded audio does not match the MD5 signature in its STREAMINFO`, { path, reason: 'corrupt' });
  return {
    format: 'flac',
    sourceRate: info.sampleRate,
    sourceChannels: info.channels,
    sourceBits: info.bitsPerSample,
    samples,
    resampled: info.sampleRate !== 44100,
    dithered: !exact,
    decoder: 'libflac',
  };
}

function isFailure(e: unknown): e is NativeFlacFailure {
  return e instanceof Error && typeof (e as NativeFlacFailure).kind === 'string' && typeof (e as NativeFlacFailure).lastFrame === 'number';
}

/** The typed error for what the addon threw, worded as the WASM path words it (decode.ts). */
async function failure(path: string, file: AudioFile, info: FlacStreamInfo, from: number, to: number, whole: boolean, decoded: number, e: NativeFlacFailure): Promise<Error> {
  if (e.kind === 'io') {
    const code = e.errno ? getSystemErrorName(-e.errno) : 'EIO';
    return new IoError(`cannot read ${e.length} bytes at byte ${e.position} of ${path}: ${code}`, { errno: code, path, syscall: 'read' });
  }
  const at = e.lastFrame >= 0 ? e.lastFrame : from;
  if (e.kind === 'format') return new InvalidInputError(`${path}: its format changes mid-stream (${e.what}) after the frame at byte ${at}`, { path, reason: 'unsupported', offset: at });
  // Where libFLAC stopped, judged from the last intact frame as the WASM path judges it (its frame
  // finder reads the file, libFLAC decodes what it is handed).
  const bound = frameSearchBound(info);
  const b = await file.readAt(at, Math.min(to - at, bound + 4 * (info.maxFrameSize || 1 << 16)));
  const h = frameHeaderAt(b, 0, info);
  if (h) {
    // The next frame's header is damaged: no frame with the next number within the search bound.
    const next = nextFrameStart(b, 0, h, info);
    if ((next < 0 || next > bound) && to - at > bound) return damagedAfter(path, b, 0, at, h, bound, info);
    // No intact frame follows the last one decoded before the file ends: the file is cut short
    // (or its last frame is damaged), which the WASM path reports by the sample count.
    if (whole && info.totalSamples > 0 && b.length === to - at && !confirmedFrameAfter(b, h.length + 1, info)) {
      return new InvalidInputError(`${path}: it is truncated or damaged: STREAMINFO says ${info.totalSamples} samples, ${decoded} decoded`, { path, reason: 'corrupt', offset: at });
    }
  }
  return new InvalidInputError(`${path}: it is damaged: libFLAC reports ${e.status} in the frame at byte ${at} or the one after it`, { path, reason: 'corrupt', offset: at });
}
