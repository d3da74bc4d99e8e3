// The FLAC container, as far as decoding needs it (RFC 9639): the metadata blocks before the audio
// (STREAMINFO: rate, channels, bits, total samples, frame sizes), and where each frame starts. The
// samples themselves are libFLAC's business (flac-wasm.ts); this file only finds the byte ranges
// libFLAC is handed, so that
// - libFLAC is fed whole frames (its WASM build ends the stream when its input runs dry mid-frame),
//   without the per-frame objects and the CRC-16 pass of a JavaScript frame parser (libFLAC checks
//   every frame's CRC-16 itself), and
// - one file can be cut at frame boundaries and decoded by several workers at once (frames are
//   independent: each starts with a sync code and states its own first sample, §9.1).
//
// A frame start is recognised as libFLAC and `flac -d` recognise one (§9.1): the 14-bit sync code
// 0xFFF8 (fixed block size) or 0xFFF9 (variable), a header whose reserved values are absent, its
// CRC-8 (polynomial x^8 + x^2 + x + 1 over the header), and — what makes a chance match inside a
// frame's compressed bits practically impossible — the coded frame or sample number the previous
// frame leads to. A miss or a false match can only make a fed piece hold more or less than one frame;
// flac-wasm.ts feeds with a frame of look-ahead, so neither changes a sample (libFLAC reads the
// stream itself), and a split point is accepted only when the next frame confirms it.
import { InvalidInputError } from '../common/errors';

export interface FlacStreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  /** Bytes; 0 = unknown. */
  minFrameSize: number;
  maxFrameSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Inter-channel samples in the stream; 0 = unknown. */
  totalSamples: number;
  /** Byte offset of the first frame (after ID3v2, `fLaC` and every metadata block). */
  audioOffset: number;
  /** Byte offset of `fLaC` (after an ID3v2 tag, if any); STREAMINFO's block header follows it. */
  markerOffset: number;
  /** MD5 of the decoded samples (§8.2), lowercase hex; all zeros when the encoder did not compute it. */
  md5: string;
}

export interface FlacFrameHeader {
  /** Byte length of the header, CRC-8 included. */
  length: number;
  /** 0 = fixed block size (the number is a frame number), 1 = variable (a sample number). */
  blocking: 0 | 1;
  /** The coded frame number (fixed) or first-sample number (variable). */
  number: number;
  blockSize: number;
}

const CRC8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * Parses what precedes the audio: an optional ID3v2 tag, `fLaC`, the metadata blocks (STREAMINFO
 * first, §8.2). Blocks are skipped by their stated lengths, so a large picture costs no reading.
 */
export async function readFlacStreamInfo(path: string, readAt: ReadAt, size: number): Promise<FlacStreamInfo> {
  const bad = (what: string) => new InvalidInputError(`${path}: ${what}`, { path, reason: 'corrupt' });
  let o = 0;
  const head = await readAt(0, 10);
  if (head.length >= 10 && head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33) {
    o = 10 + (((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f)) + (head[5] & 0x10 ? 10 : 0);
  }
  const sig = await readAt(o, 4 + 4 + 34);
  if (sig.length < 42 || sig[0] !== 0x66 || sig[1] !== 0x4c || sig[2] !== 0x61 || sig[3] !== 0x43) throw bad('no FLAC stream marker (fLaC)');
  if ((sig[4] & 0x7f) !== 0 || ((sig[5] << 16) | (sig[6] << 8) | sig[7]) !== 34) throw bad('the first metadata block is not a 34-byte STREAMINFO');
  const s = sig.subarray(8);
  const info: FlacStreamInfo = {
    minBlockSize: (s[0] << 8) | s[1],
    maxBlockSize: (s[2] << 8) | s[3],
    minFrameSize: (s[4] << 16) | (s[5] << 8) | s[6],
    maxFrameSize: (s[7] << 16) | (s[8] << 8) | s[9],
    sampleRate: (s[10] << 12) | (s[11] << 4) | (s[12] >> 4),
    channels: ((s[12] >> 1) & 7) + 1,
    bitsPerSample: (((s[12] & 1) << 4) | (s[13] >> 4)) + 1,
    totalSamples: (s[13] & 0x0f) * 2 ** 32 + ((s[14] << 24) >>> 0) + (s[15] << 16) + (s[16] << 8) + s[17],
    audioOffset: 0,
    markerOffset: o,
    md5: Buffer.from(s.subarray(18, 34)).toString('hex'),
  };
  let last = (sig[4] & 0x80) !== 0;
  o += 4 + 4 + 34;
  while (!last) {
    const h = await readAt(o, 4);
    if (h.length < 4) throw bad('it ends inside its metadata (truncated)');
    if ((h[0] & 0x7f) === 127) throw bad('a metadata block has the invalid type 127');
    last = (h[0] & 0x80) !== 0;
    o += 4 + ((h[1] << 16) | (h[2] << 8) | h[3]);
    if (o > size) throw bad('a metadata block runs past the end of the file (truncated)');
  }
  info.audioOffset = o;
  return info;
}

/**
 * The frame header at `o` in `b`, when it is one (§9.1); undefined when it is not, or when `b` ends
 * before the header does (the caller reads on). `expected`, when given, is the number the header must
 * carry (the previous frame's number + 1, or its first sample + block size).
 */
export function frameHeaderAt(b: Uint8Array, o: number, info: Pick<FlacStreamInfo, 'maxBlockSize'>, expected?: number): FlacFrameHeader | undefined {
  if (o + 6 > b.length || b[o] !== 0xff || (b[o + 1] & 0xfe) !== 0xf8) return undefined;
  const blocking = (b[o + 1] & 1) as 0 | 1;
  const bsCode = b[o + 2] >> 4;
  const srCode = b[o + 2] & 0x0f;
  const chan = b[o + 3] >> 4;
  const ssCode = (b[o + 3] >> 1) & 7;
  // Reserved: block size 0, sample rate 15, channel assignment > 10, the last bit of byte 3.
  if (bsCode === 0 || srCode === 15 || chan > 10 || (b[o + 3] & 1) !== 0) return undefined;
  // Sample size 011b is reserved (RFC 9639 §9.1.4).
  if (ssCode === 3) return undefined;
  // The coded number: UTF-8-like, 1 to 7 bytes (36 bits at most).
  let p = o + 4;
  const c0 = b[p++];
  let n: number;
  let more: number;
  if (c0 < 0x80) [n, more] = [c0, 0];
  else if ((c0 & 0xe0) === 0xc0) [n, more] = [c0 & 0x1f, 1];
  else if ((c0 & 0xf0) === 0xe0) [n, more] = [c0 & 0x0f, 2];
  else if ((c0 & 0xf8) === 0xf0) [n, more] = [c0 & 0x07, 3];
  else if ((c0 & 0xfc) === 0xf8) [n, more] = [c0 & 0x03, 4];
  else if ((c0 & 0xfe) === 0xfc) [n, more] = [c0 & 0x01, 5];
  else if (c0 === 0xfe) [n, more] = [0, 6];
  else return undefined;
  if (p + more + 3 > b.length) return undefined;
  for (let k = 0; k < more; k++) {
    const c = b[p++];
    if ((c & 0xc0) !== 0x80) return undefined;
    n = n * 64 + (c & 0x3f);
  }
  if (expected !== undefined && n !== expected) return undefined;
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 << (bsCode - 2);
  else if (bsCode === 6) blockSize = b[p++] + 1;
  else if (bsCode === 7) blockSize = ((b[p++] << 8) | b[p++]) + 1;
  else blockSize = 256 << (bsCode - 8);
  if (srCode === 12) p += 1;
  else if (srCode === 13 || srCode === 14) p += 2;
  if (p >= b.length) return undefined;
  if (info.maxBlockSize && blockSize > info.maxBlockSize) return undefined;
  let crc = 0;
  for (let k = o; k < p; k++) crc = CRC8[crc ^ b[k]];
  if (crc !== b[p]) return undefined;
  return { length: p + 1 - o, blocking, number: n, blockSize };
}

/**
 * How far past a frame's start the next frame may be looked for before the stream is judged damaged.
 * The next header must carry exactly the number this frame leads to (see above), so one damaged
 * header (a bad CRC-8, a flipped number) means no later frame ever matches: without a bound the search
 * would read to the end of the file and hand the whole remainder to libFLAC as one piece, larger than
 * its WASM heap (16 MiB, which never grows). A frame is at most STREAMINFO's maximum frame size, and
 * no larger than its samples stored verbatim (every encoder falls back to a VERBATIM subframe, §9.2.4,
 * when the prediction does worse; a side channel takes one bit more, plus subframe and frame headers
 * and the CRC-16). The bound is 4 × the stated maximum, capped at 2 × the verbatim size (a stated
 * maximum larger than that is a lie), and never below 1 MiB: a good file's next frame always lies
 * inside it, and a piece of that size always fits the heap twice (the feeding rule queues two).
 */
export function frameSearchBound(info: Pick<FlacStreamInfo, 'maxBlockSize' | 'maxFrameSize' | 'channels' | 'bitsPerSample'>): number {
  const block = info.maxBlockSize || 65535;
  const verbatim = Math.ceil((block * info.channels * (info.bitsPerSample + 1)) / 8) + info.channels * 8 + 16 + 2;
  return Math.max(1 << 20, Math.min(4 * (info.maxFrameSize || verbatim), 2 * verbatim));
}

/** The number the frame after `h` carries. */
export function nextFrameNumber(h: FlacFrameHeader): number {
  return h.blocking ? h.number + h.blockSize : h.number + 1;
}

/** The first sample of the frame `h`, in a stream whose fixed block size is `fixedBlockSize`. */
export function firstSampleOf(h: FlacFrameHeader, fixedBlockSize: number): number {
  return h.blocking ? h.number : h.number * fixedBlockSize;
}

/**
 * The start of the next frame in `b` after the frame starting at `from` (whose header is `h`), or -1
 * when `b` ends first. Finds candidates with the native `indexOf` (the sync's first byte is 0xFF).
 */
export function nextFrameStart(b: Uint8Array, from: number, h: FlacFrameHeader, info: Pick<FlacStreamInfo, 'maxBlockSize' | 'minFrameSize'>): number {
  const want = nextFrameNumber(h);
  let p = from + Math.max(h.length + 1, info.minFrameSize > 0 ? info.minFrameSize : 0);
  for (;;) {
    p = b.indexOf(0xff, p);
    if (p < 0 || p + 1 >= b.length) return -1;
    if ((b[p + 1] & 0xfe) === 0xf8) {
      const next = frameHeaderAt(b, p, info, want);
      if (next) return p;
      // A header cut by the end of `b` is found again after the caller reads on.
      if (p + 24 > b.length) return -1;
    }
    p++;
  }
}

/**
 * The first frame starting at or after `o` in `b` that the following frame confirms (its header is
 * found right where a frame must begin, with the number this one leads to): a split point. Returns
 * its offset in `b` and header, or undefined when `b` holds none.
 */
export function confirmedFrameAfter(b: Uint8Array, o: number, info: Pick<FlacStreamInfo, 'maxBlockSize' | 'minFrameSize'>): { at: number; header: FlacFrameHeader } | undefined {
  for (let p = b.indexOf(0xff, o); p >= 0 && p + 1 < b.length; p = b.indexOf(0xff, p + 1)) {
    if ((b[p + 1] & 0xfe) !== 0xf8) continue;
    const h = frameHeaderAt(b, p, info);
    if (!h) continue;
    if (nextFrameStart(b, p, h, info) >= 0) return { at: p, header: h };
  }
  return undefined;
}

/**
 * The error for a frame that no next frame follows within `bound` bytes: the header of the frame
 * after it is damaged (or that frame is lost). Names the last good frame's byte offset and, when
 * the bytes already read hold one, where an intact frame resumes the stream.
 */
export function damagedAfter(path: string, b: Uint8Array, start: number, base: number, h: FlacFrameHeader, bound: number, info: FlacStreamInfo): InvalidInputError {
  const what = h.blocking ? `the frame at sample ${h.number}` : `frame ${h.number}`;
  const resume = confirmedFrameAfter(b, start + h.length + 1, info);
  const resumes = resume ? `; the stream resumes at byte ${base + resume.at} (${resume.header.blocking ? `sample ${resume.header.number}` : `frame ${resume.header.number}`})` : '';
  return new InvalidInputError(`${path}: it is damaged: no valid FLAC frame header follows ${what} at byte ${base + start} within ${bound} bytes (the next frame's header is corrupt or the frame is lost)${resumes}`, {
    path,
    reason: 'corrupt',
    offset: base + start,
  });
}
