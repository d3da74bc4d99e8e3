// Decoding one audio file to CD-DA PCM, streamed: the file is read in chunks, fed to the format's
// decoder (WASM builds of libFLAC, mpg123, libvorbis, libopus; WAV/AIFF are container parsing) and
// every decoded block goes through CdPcmEncoder. Runs inside an audio worker thread.
//
// The decoder contract (every format MUST keep it; `decode.test.ts` runs one suite per format):
// - The format is recognised from the file's bytes, not its name; anything else is an
//   InvalidInputError naming the file and saying "not a supported audio file".
// - Output is CD-DA: 44.1 kHz, 16-bit little-endian, interleaved stereo (mono played on both
//   channels), delivered to the sink in order; `samples` is the exact count of stereo frames.
// - Only the audio: no encoder delay or padding (MP3 LAME/Xing gapless info honoured, Opus pre-skip),
//   so concatenated tracks of a gapless album are continuous.
// - 44.1 kHz integer sources of ≤ 16 bits come out bit-identical; others are resampled with
//   libsamplerate (best sinc) and/or reduced with seeded TPDF dither (the same bytes every run).
// - A corrupt or truncated file is an InvalidInputError naming the file (and what is wrong), never a
//   short track; a cancelled decode rejects with CancelledError and stops reading.
import { CancelledError, InvalidInputError } from '../common/errors';
import { openAudioFile, type AudioFile } from './audio-file';
import { CdPcmEncoder, type CdPcmSink } from './cd-pcm';
import { decodeFlacWithLibFlac } from './flac-libflac';
import { FlacFrameDecoder } from './flac-wasm';
import { damagedAfter, firstSampleOf, frameHeaderAt, frameSearchBound, nextFrameStart, readFlacStreamInfo } from './flac-stream';
import { parseAiff, parseWav, pcmToFloat, PcmContainerError, sniffPcmContainer, type PcmLayout } from './pcm-containers';

export type AudioFormat = 'wav' | 'aiff' | 'flac' | 'mp3' | 'vorbis' | 'opus';

export interface DecodeResult {
  format: AudioFormat;
  sourceRate: number;
  sourceChannels: number;
  /** Bits of integer sources (WAV/AIFF/FLAC); absent for float and lossy sources. */
  sourceBits?: number;
  /** Stereo 44.1 kHz sample frames written to the sink. */
  samples: number;
  resampled: boolean;
  dithered: boolean;
  /** FLAC: which libFLAC decoded it (flac-libflac.ts: the system's through the addon, or the WASM build). */
  decoder?: 'libflac' | 'wasm';
}

const CHUNK = 1 << 20;
/**
 * Bytes handed to a WASM decoder per call. The decoder libraries copy every decoded frame out of
 * the WASM heap and then concatenate all frames of one call into a fresh Float32Array per channel:
 * a 1 MB MP3 chunk is ~45 s of audio, ~8 MB a channel, allocated, zeroed and copied (the largest
 * JavaScript cost in a profile). 64 KB calls (mpg123-decoder's own input buffer size) keep those
 * arrays a few hundred KB; smaller calls cost more in per-call overhead than they save (measured).
 */
const DECODE_FEED = 1 << 16;

/** `chunk` in slices of DECODE_FEED bytes. */
function* feedSlices(chunk: Uint8Array): Generator<Uint8Array> {
  for (let o = 0; o < chunk.length; o += DECODE_FEED) yield chunk.subarray(o, o + DECODE_FEED);
}

function corrupt(path: string, what: string): InvalidInputError {
  return new InvalidInputError(`${path}: ${what}`, { path, reason: 'corrupt' });
}

/** Recognises the format from the first bytes of a file. */
export function sniffAudioFormat(head: Uint8Array): AudioFormat | undefined {
  const pcm = sniffPcmContainer(head);
  if (pcm) return pcm;
  const s = (o: number, n: number) => String.fromCharCode(...head.subarray(o, o + n));
  if (s(0, 4) === 'fLaC') return 'flac';
  if (s(0, 4) === 'OggS') {
    const text = String.fromCharCode(...head.subarray(0, Math.min(head.length, 512)));
    if (text.includes('OpusHead')) return 'opus';
    if (text.includes('\x01vorbis')) return 'vorbis';
    return undefined;
  }
  if (s(0, 3) === 'ID3') {
    // ID3v2 may front FLAC as well as MP3: look past it (size is a 28-bit syncsafe integer).
    const size = ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
    const at = 10 + size + (head[5] & 0x10 ? 10 : 0);
    if (head.length >= at + 4) {
      if (s(at, 4) === 'fLaC') return 'flac';
      if (head[at] === 0xff && (head[at + 1] & 0xe0) === 0xe0) return 'mp3';
      return undefined;
    }
    return 'mp3'; // the tag is larger than what was sniffed; mpg123 skips it and judges the rest
  }
  if (head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0) return 'mp3';
  return undefined;
}

/** Decodes `path` to CD-DA PCM into `sink`. */
export async function decodeToCdda(path: string, sink: CdPcmSink, signal?: AbortSignal, range?: FlacRange): Promise<DecodeResult> {
  const file = await openAudioFile(path);
  const { fh, size, readAt } = file;
  try {
    async function* chunks(from = 0, to = size): AsyncGenerator<Uint8Array> {
      for (let o = from; o < to; o += CHUNK) {
        if (signal?.aborted) throw new CancelledError();
        yield await readAt(o, Math.min(CHUNK, to - o));
      }
    }
    const head = await readAt(0, 64 * 1024);
    const format = sniffAudioFormat(head);
    if (!format) throw new InvalidInputError(`${path}: not a supported audio file (WAV, AIFF/AIFC, FLAC, MP3, Ogg Vorbis or Opus)`, { path, reason: 'unsupported' });
    switch (format) {
      case 'wav':
      case 'aiff': {
        let layout: PcmLayout;
        try {
          layout = format === 'wav' ? await parseWav(readAt, size) : await parseAiff(readAt, size);
        } catch (err) {
          if (err instanceof PcmContainerError) throw corrupt(path, err.message);
          throw err;
        }
        const enc = await CdPcmEncoder.create({ sampleRate: layout.sampleRate, channels: layout.channels, integerBits: layout.float ? undefined : layout.bits }, sink);
        const frame = layout.channels * (layout.bits / 8);
        const step = Math.floor(CHUNK / frame) * frame;
        for (let o = 0; o < layout.dataBytes; o += step) {
          if (signal?.aborted) throw new CancelledError();
          const bytes = await readAt(layout.dataOffset + o, Math.min(step, layout.dataBytes - o));
          await enc.push(pcmToFloat(layout, bytes));
        }
        await enc.end();
        return result(format, enc, layout.float ? undefined : layout.bits);
      }
      case 'flac':
        return await decodeFlac(path, file, sink, signal, range);
      case 'mp3':
        return await decodeMp3(path, chunks(), sink);
      case 'vorbis':
        return await decodeOgg(path, 'vorbis', chunks(), sink);
      case 'opus':
        return await decodeOgg(path, 'opus', chunks(), sink);
    }
  } finally {
    await fh.close();
  }
}

function result(format: AudioFormat, enc: CdPcmEncoder, bits?: number): DecodeResult {
  const f = enc.format;
  return {
    format,
    sourceRate: f.sampleRate,
    sourceChannels: f.channels,
    sourceBits: bits,
    samples: enc.samples,
    resampled: f.sampleRate !== 44100,
    dithered: !(f.sampleRate === 44100 && bits !== undefined && bits <= 16),
  };
}

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: Array<{ message: string }>;
  bitDepth?: number;
}

/** Feeds decoded blocks to an encoder created on the first block (the rate is known only then). */
class Feeder {
  enc?: CdPcmEncoder;
  constructor(private readonly path: string, private readonly sink: CdPcmSink, private readonly lossy: boolean, private readonly scaledByMaxPositive = false) {}
  async take(d: Decoded): Promise<void> {
    if (d.errors.length > 0) throw corrupt(this.path, `the decoder reports: ${d.errors[0].message}`);
    if (d.samplesDecoded === 0) return;
    if (d.channelData.length > 2) throw new InvalidInputError(`${this.path}: it has ${d.channelData.length} channels (an audio CD takes mono or stereo; down-mix it first)`, { path: this.path, reason: 'unsupported' });
    if (!this.enc) {
      const integerBits = this.lossy ? undefined : d.bitDepth;
      this.enc = await CdPcmEncoder.create({ sampleRate: d.sampleRate, channels: d.channelData.length, integerBits, scaledByMaxPositive: this.scaledByMaxPositive }, this.sink);
    } else if (d.sampleRate !== this.enc.format.sampleRate) {
      throw new InvalidInputError(`${this.path}: its sample rate changes mid-stream (${this.enc.format.sampleRate} → ${d.sampleRate} Hz)`, { path: this.path, reason: 'unsupported' });
    }
    await this.enc.push(d.channelData, d.samplesDecoded);
  }
  async finish(format: AudioFormat, bits?: number): Promise<DecodeResult> {
    if (!this.enc) throw corrupt(this.path, 'no audio could be decoded from it');
    await this.enc.end();
    return result(format, this.enc, bits);
  }
}

/** A byte range of a FLAC file that starts and ends at frame boundaries (flac-split.ts). */
export interface FlacRange {
  /** Offset of the range's first frame. */
  from: number;
  /** End offset (exclusive): the next range's first frame, or the file's size. */
  to: number;
  /** Sample number of the range's first frame. */
  firstSample: number;
}

/**
 * FLAC: the system's libFLAC through the addon when it has it (flac-libflac.ts); otherwise frames
 * found by flac-stream.ts, decoded by the WASM libFLAC frame by frame (flac-wasm.ts), each
 * converted to CD-DA where libFLAC left it. With `range`, only those frames (one worker's share of a
 * file split at frame boundaries); the caller checks the share's sample count.
 */
async function decodeFlac(path: string, file: AudioFile, sink: CdPcmSink, signal?: AbortSignal, range?: FlacRange): Promise<DecodeResult> {
  const { readAt, readInto, size } = file;
  const info = await readFlacStreamInfo(path, readAt, size);
  // The system's libFLAC where the addon has it (flac-libflac.ts); the WASM build below otherwise.
  const native = await decodeFlacWithLibFlac(path, file, info, sink, signal, range);
  if (native) return native;
  const from = range?.from ?? info.audioOffset;
  const to = Math.min(size, range?.to ?? size);
  // The WASM libFLAC build divides its integer samples by 2^(b−1) − 1 (measured: 16384 → 0.50001526).
  const feed = new Feeder(path, sink, false, true);
  let bits: number | undefined;
  const dec = await FlacFrameDecoder.create(path, (channelData, frames, f) => {
    bits ??= f.bitsPerSample;
    return feed.take({ channelData, samplesDecoded: frames, sampleRate: f.sampleRate, errors: [], bitDepth: f.bitsPerSample });
  });
  try {
    let buf = new Uint8Array(CHUNK + (info.maxFrameSize || 1 << 16) * 2);
    let have = 0;
    let pos = from;
    let start = 0;
    const fill = async () => {
      if (signal?.aborted) throw new CancelledError();
      // Keep the current frame: move it to the front, grow when one frame outgrows the buffer.
      if (start > 0) {
        buf.copyWithin(0, start, have);
        have -= start;
        start = 0;
      }
      if (buf.length - have < CHUNK) {
        const grown = new Uint8Array(have + CHUNK * 2);
        grown.set(buf.subarray(0, have));
        buf = grown;
      }
      const n = await readInto(buf, have, Math.min(buf.length - have, to - pos), pos);
      have += n;
      pos += n;
      return n;
    };
    if (to > from) await fill();
    let h = frameHeaderAt(buf.subarray(0, have), 0, info);
    if (!h) throw corrupt(path, `no FLAC frame where its audio begins (byte ${from})`);
    const bound = frameSearchBound(info);
    for (;;) {
      const next = nextFrameStart(buf.subarray(0, have), start, h, info);
      // A frame farther than the bound is no frame of a good stream (a chance match after damage).
      if (next >= 0 && next - start <= bound) {
        await dec.push(buf.subarray(start, next), pos - have + start);
        start = next;
        h = frameHeaderAt(buf.subarray(0, have), next, info)!;
        continue;
      }
      if (have - start > bound) {
        // After the stream's last frame (by STREAMINFO) only trailing bytes follow (a tag, junk):
        // libFLAC gets the frame and a bounded tail, end() stops once the samples are out.
        const isLast = info.totalSamples > 0 && firstSampleOf(h, info.maxBlockSize) + h.blockSize >= info.totalSamples;
        if (isLast) {
          await dec.push(buf.subarray(start, start + bound), pos - have + start);
          break;
        }
        throw damagedAfter(path, buf.subarray(0, have), start, pos - have, h, bound, info);
      }
      if (pos >= to || (await fill()) === 0) {
        if (have > start) await dec.push(buf.subarray(start, have), pos - have + start);
        break;
      }
    }
    // What the stream (or the last share of it) holds: frames end there, whatever bytes follow.
    const last = !range || range.to >= size;
    await dec.end(last && info.totalSamples > 0 ? info.totalSamples - (range?.firstSample ?? 0) : undefined);
  } finally {
    dec.free();
  }
  // STREAMINFO's total (when the encoder knew it) is the truth: fewer samples is a truncated file.
  if (!range && info.totalSamples > 0 && dec.samples !== info.totalSamples) throw corrupt(path, `it is truncated or damaged: STREAMINFO says ${info.totalSamples} samples, ${dec.samples} decoded`);
  return { ...(await feed.finish('flac', bits)), decoder: 'wasm' };
}

async function decodeMp3(path: string, chunks: AsyncIterable<Uint8Array>, sink: CdPcmSink): Promise<DecodeResult> {
  const { MPEGDecoder } = await import('mpg123-decoder');
  // mpg123's gapless mode reads the LAME/Xing tag and drops the encoder delay and padding.
  const dec = new MPEGDecoder({ enableGapless: true });
  await dec.ready;
  const feed = new Feeder(path, sink, true);
  try {
    for await (const c of chunks) for (const slice of feedSlices(c)) await feed.take(dec.decode(slice));
  } finally {
    dec.free();
  }
  return feed.finish('mp3');
}

async function decodeOgg(path: string, codec: 'vorbis' | 'opus', chunks: AsyncIterable<Uint8Array>, sink: CdPcmSink): Promise<DecodeResult> {
  const feed = new Feeder(path, sink, true);
  if (codec === 'vorbis') {
    const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
    const dec = new OggVorbisDecoder();
    await dec.ready;
    try {
      for await (const c of chunks) await feed.take(await dec.decode(c));
      await feed.take(await dec.flush());
    } finally {
      dec.free();
    }
  } else {
    const { OggOpusDecoder } = await import('ogg-opus-decoder');
    const dec = new OggOpusDecoder();
    await dec.ready;
    try {
      for await (const c of chunks) await feed.take(await dec.decode(c));
      await feed.take(await dec.flush());
    } finally {
      dec.free();
    }
  }
  return feed.finish(codec);
}
