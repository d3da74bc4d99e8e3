// WAV (RIFF WAVE, incl. WAVE_FORMAT_EXTENSIBLE) and AIFF/AIFC headers: container parsing only — where
// the sample data is and how it is coded. Pure: reads through `readAt`, so a test can hand it bytes.
// References: Microsoft RIFF/WAVE and WAVEFORMATEXTENSIBLE (mmreg.h, KSDATAFORMAT_SUBTYPE_PCM and
// _IEEE_FLOAT GUIDs), Apple AIFF 1.3 and AIFF-C (COMM, SSND, 80-bit extended sample rate).

export interface PcmLayout {
  container: 'wav' | 'aiff';
  sampleRate: number;
  channels: number;
  /** Bits per sample as stored (8, 16, 24, 32, or 32/64 for float). */
  bits: number;
  float: boolean;
  littleEndian: boolean;
  /** 8-bit WAV is unsigned (offset 128); every other integer coding here is two's complement. */
  unsigned8: boolean;
  dataOffset: number;
  dataBytes: number;
}

/** Thrown for a file that is not what it claims; the caller adds the file name. */
export class PcmContainerError extends Error {}

export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

const ascii = (b: Uint8Array, o: number, n = 4): string => String.fromCharCode(...b.subarray(o, o + n));

export function sniffPcmContainer(head: Uint8Array): 'wav' | 'aiff' | undefined {
  if (head.length >= 12 && ascii(head, 0) === 'RIFF' && ascii(head, 8) === 'WAVE') return 'wav';
  if (head.length >= 12 && ascii(head, 0) === 'FORM' && (ascii(head, 8) === 'AIFF' || ascii(head, 8) === 'AIFC')) return 'aiff';
  return undefined;
}

/** Walks a file's chunks (after a 12-byte RIFF/FORM header) and calls `visit` for each. */
async function walkChunks(readAt: ReadAt, fileSize: number, le: boolean, visit: (id: string, offset: number, size: number) => Promise<boolean>): Promise<void> {
  let o = 12;
  while (o + 8 <= fileSize) {
    const h = await readAt(o, 8);
    const dv = new DataView(h.buffer, h.byteOffset, 8);
    const size = dv.getUint32(4, le);
    if (await visit(ascii(h, 0), o + 8, size)) return;
    o += 8 + size + (size & 1); // chunks are padded to even length in both RIFF and IFF
  }
}

const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export async function parseWav(readAt: ReadAt, fileSize: number): Promise<PcmLayout> {
  let fmt: Omit<PcmLayout, 'dataOffset' | 'dataBytes'> | undefined;
  let data: { offset: number; size: number } | undefined;
  await walkChunks(readAt, fileSize, true, async (id, offset, size) => {
    if (id === 'fmt ') {
      if (size < 16) throw new PcmContainerError(`its fmt chunk is ${size} bytes (at least 16 needed)`);
      const b = await readAt(offset, Math.min(size, 40));
      if (b.length < 16) throw new PcmContainerError('it ends inside its fmt chunk');
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      let tag = dv.getUint16(0, true);
      const channels = dv.getUint16(2, true);
      const sampleRate = dv.getUint32(4, true);
      const blockAlign = dv.getUint16(12, true);
      const bits = dv.getUint16(14, true);
      if (tag === 0xfffe) {
        // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID's first two bytes are the real format tag.
        if (b.length < 40) throw new PcmContainerError('its WAVE_FORMAT_EXTENSIBLE fmt chunk is short');
        const valid = dv.getUint16(18, true);
        if (!GUID_TAIL.every((v, i) => b[26 + i] === v)) throw new PcmContainerError('its WAVE_FORMAT_EXTENSIBLE sub-format is not PCM or IEEE float');
        tag = dv.getUint16(24, true);
        if (valid !== 0 && valid > bits) throw new PcmContainerError(`it claims ${valid} valid bits in ${bits}-bit samples`);
      }
      if (tag !== 1 && tag !== 3) throw new PcmContainerError(`its WAV format tag is ${tag} (compressed WAV is not supported: only PCM and IEEE float)`);
      const float = tag === 3;
      if (float ? bits !== 32 && bits !== 64 : ![8, 16, 24, 32].includes(bits)) throw new PcmContainerError(`${bits}-bit ${float ? 'float' : 'integer'} samples are not supported`);
      if (channels < 1 || channels > 2) throw new PcmContainerError(`it has ${channels} channels (an audio CD takes mono or stereo; down-mix it first)`);
      if (sampleRate < 1000 || sampleRate > 768000) throw new PcmContainerError(`its sample rate ${sampleRate} Hz is not plausible`);
      if (blockAlign !== channels * (bits / 8)) throw new PcmContainerError(`its block alignment ${blockAlign} does not match ${channels} × ${bits} bits`);
      fmt = { container: 'wav', sampleRate, channels, bits, float, littleEndian: true, unsigned8: bits === 8 };
      return false;
    }
    if (id === 'data') {
      data = { offset, size };
      return true;
    }
    return false;
  });
  if (!fmt) throw new PcmContainerError('it has no fmt chunk before its data');
  if (!data) throw new PcmContainerError('it has no data chunk');
  return finish(fmt, data.offset, data.size, fileSize);
}

function finish(fmt: Omit<PcmLayout, 'dataOffset' | 'dataBytes'>, offset: number, size: number, fileSize: number): PcmLayout {
  if (offset + size > fileSize) throw new PcmContainerError(`it is truncated: its sample data claims ${size} bytes, ${fileSize - offset} are there`);
  const frame = fmt.channels * (fmt.bits / 8);
  return { ...fmt, dataOffset: offset, dataBytes: size - (size % frame) };
}

/** IEEE 754 80-bit extended (AIFF's sample rate) → number. */
function extended80(b: Uint8Array, o: number): number {
  const exp = ((b[o] & 0x7f) << 8) | b[o + 1];
  let mant = 0;
  for (let i = 0; i < 8; i++) mant = mant * 256 + b[o + 2 + i];
  if (exp === 0 && mant === 0) return 0;
  return (b[o] & 0x80 ? -1 : 1) * mant * 2 ** (exp - 16383 - 63);
}

export async function parseAiff(readAt: ReadAt, fileSize: number): Promise<PcmLayout> {
  const head = await readAt(0, 12);
  const aifc = ascii(head, 8) === 'AIFC';
  let fmt: Omit<PcmLayout, 'dataOffset' | 'dataBytes'> | undefined;
  let frames = 0;
  let data: { offset: number; size: number } | undefined;
  await walkChunks(readAt, fileSize, false, async (id, offset, size) => {
    if (id === 'COMM') {
      const b = await readAt(offset, Math.min(size, 64));
      if (b.length < 18 || (aifc && b.length < 22)) throw new PcmContainerError('its COMM chunk is short');
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      const channels = dv.getUint16(0, false);
      frames = dv.getUint32(2, false);
      let bits = dv.getUint16(6, false);
      const sampleRate = Math.round(extended80(b, 8));
      let float = false;
      let littleEndian = false;
      if (aifc) {
        const comp = ascii(b, 18);
        if (comp === 'sowt') littleEndian = true;
        else if (comp === 'fl32' || comp === 'FL32') [float, bits] = [true, 32];
        else if (comp === 'fl64' || comp === 'FL64') [float, bits] = [true, 64];
        else if (comp !== 'NONE' && comp !== 'twos') throw new PcmContainerError(`its AIFC compression '${comp}' is not supported (only NONE, twos, sowt, fl32, fl64)`);
      }
      if (!float && ![8, 16, 24, 32].includes(bits)) throw new PcmContainerError(`${bits}-bit samples are not supported`);
      if (channels < 1 || channels > 2) throw new PcmContainerError(`it has ${channels} channels (an audio CD takes mono or stereo; down-mix it first)`);
      if (sampleRate < 1000 || sampleRate > 768000) throw new PcmContainerError(`its sample rate ${sampleRate} Hz is not plausible`);
      fmt = { container: 'aiff', sampleRate, channels, bits, float, littleEndian, unsigned8: false };
      return false;
    }
    if (id === 'SSND') {
      const b = await readAt(offset, 8);
      if (b.length < 8) throw new PcmContainerError('its SSND chunk is short');
      const skip = new DataView(b.buffer, b.byteOffset, 8).getUint32(0, false);
      data = { offset: offset + 8 + skip, size: size - 8 - skip };
      return fmt !== undefined;
    }
    return false;
  });
  if (!fmt) throw new PcmContainerError('it has no COMM chunk');
  if (!data) throw new PcmContainerError('it has no SSND chunk');
  const frameBytes = fmt.channels * (fmt.bits / 8);
  // COMM's frame count is authoritative (SSND may be padded); less data than it claims is truncation.
  if (data.size < frames * frameBytes) throw new PcmContainerError(`it is truncated: COMM claims ${frames} sample frames, SSND holds ${Math.floor(data.size / frameBytes)}`);
  return finish(fmt, data.offset, frames * frameBytes, fileSize);
}

/** Integer/float samples of a whole number of frames → one Float32Array per channel (−1…1). */
export function pcmToFloat(layout: PcmLayout, bytes: Uint8Array): Float32Array[] {
  const { channels, bits, float, littleEndian: le } = layout;
  const bps = bits / 8;
  const frames = Math.floor(bytes.length / (bps * channels));
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++, o += bps) {
      let v: number;
      if (float) v = bits === 32 ? dv.getFloat32(o, le) : dv.getFloat64(o, le);
      else if (bits === 16) v = dv.getInt16(o, le) / 32768;
      else if (bits === 8) v = layout.unsigned8 ? (bytes[o] - 128) / 128 : dv.getInt8(o) / 128;
      else if (bits === 24) {
        const x = le ? bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) : (bytes[o] << 16) | (bytes[o + 1] << 8) | bytes[o + 2];
        v = ((x << 8) >> 8) / 8388608;
      } else v = dv.getInt32(o, le) / 2147483648;
      out[c][i] = v;
    }
  }
  return out;
}
