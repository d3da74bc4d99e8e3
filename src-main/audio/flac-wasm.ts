// FLAC frames → CD-DA through libFLAC (the WASM build in @wasm-audio-decoders/flac), driven below
// the library's `decode()`: that method runs a JavaScript frame parser over every byte (frame sync,
// CRC-16), copies every decoded frame out of the WASM heap per channel and concatenates the copies
// per call — measured as more CPU than libFLAC itself (README "Benchmark"). Here the frames are
// found by flac-stream.ts (sync + header CRC-8 + frame number, no pass over the compressed bits),
// copied once into the heap, decoded by libFLAC's `decode_frame` (one FLAC__stream_decoder_process_single
// per call, what the library itself calls per frame), and the float samples are read where libFLAC
// left them and turned into 16-bit CD-DA in place (cd-pcm.ts), then the frame's buffer is freed.
//
// The library's instance is used through its own fields (`_decoder`, `_common.wasm`, the result
// cells it allocated for create_decoder): not its documented API, so the version is pinned exactly
// in package.json and `bindLibFlac` checks every field it uses and fails with an InternalError
// naming the package if any is missing, before any file is read. decode.test.ts holds the output
// to `flac -d`'s bit for bit, so a build whose behaviour changed fails there.
//
// Feeding rule (why the look-ahead): the WASM build's read callback ends the stream when its queue is
// empty, so libFLAC must never run out inside a frame. Each call queues one more piece than it
// decodes; a piece that is not exactly one frame (a sync code missed or matched by chance) then
// only shifts which call decodes which frame, and the calls after the last piece drain the queue.
import { InternalError, InvalidInputError } from '../common/errors';

interface Cells {
  ptr: number;
  buf: Uint32Array;
}

interface LibFlac {
  wasm: { HEAP: ArrayBuffer; malloc(n: number): number; free(p: number): void; decode_frame(d: number, p: number, n: number): number };
  decoder: number;
  /** The whole WASM heap as bytes (the build's memory never grows, so views stay valid). */
  heap: Uint8Array;
  codeToString(ptr: number): string;
  channels: Cells;
  sampleRate: Cells;
  bitsPerSample: Cells;
  samplesDecoded: Cells;
  outputPtr: Cells;
  outputLen: Cells;
  errorString: Cells;
  stateString: Cells;
  free(): void;
}

/** A fresh libFLAC stream decoder (one per file or range), bound to the library's WASM instance. */
export async function bindLibFlac(): Promise<LibFlac> {
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const pub = new FLACDecoder();
  await pub.ready;
  const inner = (pub as any)._decoder;
  const common = inner?._common;
  const wasm = common?.wasm;
  const cells = ['_channels', '_sampleRate', '_bitsPerSample', '_samplesDecoded', '_outputBufferPtr', '_outputBufferLen', '_errorStringPtr', '_stateStringPtr'];
  const fits =
    wasm && typeof wasm.decode_frame === 'function' && typeof wasm.malloc === 'function' && typeof wasm.free === 'function' && wasm.HEAP instanceof ArrayBuffer &&
    typeof inner._decoder === 'number' && typeof common.codeToString === 'function' && cells.every((c) => inner[c]?.buf instanceof Uint32Array && typeof inner[c].ptr === 'number');
  if (!fits) {
    pub.free();
    throw new InternalError('@wasm-audio-decoders/flac is not the version Glassmaster was built with (its decoder instance lacks the fields flac-wasm.ts uses)');
  }
  return {
    wasm,
    decoder: inner._decoder,
    heap: new Uint8Array(wasm.HEAP),
    codeToString: (p) => common.codeToString(p),
    channels: inner._channels,
    sampleRate: inner._sampleRate,
    bitsPerSample: inner._bitsPerSample,
    samplesDecoded: inner._samplesDecoded,
    outputPtr: inner._outputBufferPtr,
    outputLen: inner._outputBufferLen,
    errorString: inner._errorStringPtr,
    stateString: inner._stateStringPtr,
    free: () => pub.free(),
  };
}

/** What one decoded frame looks like to the caller. */
export interface FlacFrameOut {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/**
 * Decodes FLAC frames pushed as byte pieces (each, ideally, one whole frame; see the feeding rule)
 * and hands every decoded frame to `onFrame` as planar float views into the WASM heap, valid until
 * `onFrame`'s promise resolves.
 */
export class FlacFrameDecoder {
  /** The first piece, copied, until the second arrives (the first call queues both). */
  private first?: Uint8Array;
  private pieces = 0;
  /** File offset of the piece libFLAC decodes next (the one before the look-ahead), for error messages. */
  private decodingAt?: number;
  private lastAt?: number;
  samples = 0;

  private constructor(private readonly lib: LibFlac, private readonly path: string, private readonly onFrame: (channels: Float32Array[], frames: number, f: FlacFrameOut) => Promise<void>) {}

  static async create(path: string, onFrame: (channels: Float32Array[], frames: number, f: FlacFrameOut) => Promise<void>): Promise<FlacFrameDecoder> {
    return new FlacFrameDecoder(await bindLibFlac(), path, onFrame);
  }

  /**
   * Queues `piece` (the caller may reuse its bytes afterwards); decodes one frame when a piece of
   * look-ahead is queued behind it. `at`: the piece's byte offset in the file, named in errors.
   */
  async push(piece: Uint8Array, at?: number): Promise<void> {
    this.decodingAt = this.lastAt;
    this.lastAt = at;
    if (this.pieces++ === 0) {
      this.first = piece.slice();
      return;
    }
    const lead = this.first;
    this.first = undefined;
    await this.step(lead ? [lead, piece] : [piece]);
  }

  /**
   * Decodes what is still queued, after the last piece. `expected`: the samples the stream holds
   * (STREAMINFO): once they are out, bytes after the last frame (an ID3v1 tag, junk) are left alone.
   */
  async end(expected?: number): Promise<void> {
    this.decodingAt = this.lastAt;
    const lead = this.first;
    this.first = undefined;
    if (lead) await this.step([lead]);
    // Each call with no bytes decodes one more queued frame; none decoded means the queue is empty.
    for (let guard = 0; guard < 1 << 20; guard++) {
      if (expected !== undefined && this.samples >= expected) return;
      if (!(await this.step([], true))) return;
    }
  }

  free(): void {
    this.lib.free();
  }

  /** Where in the file libFLAC was: the frame it was decoding starts there (its error may lie a frame further). */
  private near(): string {
    return this.decodingAt === undefined ? '' : ` in the frame at byte ${this.decodingAt} or the one after it`;
  }

  /** One decode_frame call with `parts` queued first; true when it decoded a frame. */
  private async step(parts: Uint8Array[], draining = false): Promise<boolean> {
    const l = this.lib;
    const len = parts.reduce((n, p) => n + p.length, 0);
    // decode_frame takes ownership of the buffer: its read callback frees it once consumed.
    const ptr = l.wasm.malloc(Math.max(1, len));
    if (!ptr) throw new InternalError(`libFLAC's heap is full (a ${len}-byte piece of ${this.path})`);
    let at = ptr;
    for (const p of parts) {
      new Uint8Array(l.wasm.HEAP, at, p.length).set(p);
      at += p.length;
    }
    l.wasm.decode_frame(l.decoder, ptr, len);
    // The cells hold C string pointers; an empty string (set before every call) is no message.
    const err = l.heap[l.errorString.buf[0]] ? l.errorString.buf[0] : 0;
    const n = l.samplesDecoded.buf[0];
    const out = l.outputPtr.buf[0];
    l.samplesDecoded.buf[0] = 0;
    l.outputLen.buf[0] = 0;
    l.outputPtr.buf[0] = 0;
    if (err) {
      if (out) l.wasm.free(out);
      throw new InvalidInputError(`${this.path}: it is damaged: libFLAC reports ${l.codeToString(err)}${this.near()}`, { path: this.path, reason: 'corrupt', offset: this.decodingAt });
    }
    if (!n || !out) {
      if (out) l.wasm.free(out);
      // While draining, nothing decoded is the end of the queue (libFLAC's state: END_OF_STREAM).
      const state = l.heap[l.stateString.buf[0]] ? l.codeToString(l.stateString.buf[0]) : '';
      if (!draining && state && !/END_OF_STREAM/.test(state)) throw new InvalidInputError(`${this.path}: it is damaged: libFLAC stopped in state ${state}${this.near()}`, { path: this.path, reason: 'corrupt', offset: this.decodingAt });
      return false;
    }
    const channels = l.channels.buf[0];
    try {
      const views: Float32Array[] = [];
      for (let c = 0; c < channels; c++) views.push(new Float32Array(l.wasm.HEAP, out + c * n * 4, n));
      this.samples += n;
      await this.onFrame(views, n, { channels, sampleRate: l.sampleRate.buf[0], bitsPerSample: l.bitsPerSample.buf[0] });
    } finally {
      l.wasm.free(out);
    }
    return true;
  }
}

