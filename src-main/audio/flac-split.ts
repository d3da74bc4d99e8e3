// Cutting one FLAC file into frame-aligned byte ranges, so that several audio workers decode it at
// once (FLAC frames are independent: each starts with a sync code and carries its own first-sample
// number, RFC 9639 §9.1). Runs on the host: it reads STREAMINFO and one small window per cut, never
// the whole file.
//
// MUST rules (what keeps the joined output bit-identical to a decode in one piece):
// - A cut lies on a frame that the next frame confirms (flac-stream.ts `confirmedFrameAfter`): sync,
//   header CRC-8, and the following header found where this frame leads, with the number it leads to.
// - Each range's output goes to its first sample × 4 bytes in the output file; the caller checks that
//   every range decoded exactly the samples up to the next range's first sample, and the total
//   against STREAMINFO, and otherwise fails (never a file with a hole or an overlap).
import { InvalidInputError } from '../common/errors';
import { openAudioFile } from './audio-file';
import { confirmedFrameAfter, firstSampleOf, frameHeaderAt, readFlacStreamInfo, type FlacStreamInfo } from './flac-stream';
import type { FlacRange } from './decode';

/** Files smaller than this are decoded in one piece (a split costs a little reading and a worker round trip). */
export const FLAC_SPLIT_MIN_BYTES = 4 << 20;

export type FlacShare = FlacRange;

export interface FlacSplit {
  info: FlacStreamInfo;
  shares: FlacShare[];
}

/**
 * Up to `parts` frame-aligned shares of the FLAC file at `path`, or undefined when it should be
 * decoded in one piece (small, of unknown length, or no confirmed frame near a cut).
 */
export async function splitFlac(path: string, parts: number): Promise<FlacSplit | undefined> {
  if (parts < 2) return undefined;
  const { fh, size, readAt } = await openAudioFile(path);
  try {
    if (size < FLAC_SPLIT_MIN_BYTES) return undefined;
    let info: FlacStreamInfo;
    try {
      info = await readFlacStreamInfo(path, readAt, size);
    } catch (e) {
      // Not FLAC, or damaged: the decode in one piece says what is wrong with it.
      if (e instanceof InvalidInputError) return undefined;
      throw e;
    }
    // The total is what proves that the shares add up. Only what comes out exact is split: resampling
    // and dither carry state from sample to sample, which a share starting cold would not have.
    if (info.totalSamples === 0 || info.sampleRate !== 44100 || info.bitsPerSample > 16 || info.channels > 2) return undefined;
    const first = frameHeaderAt(await readAt(info.audioOffset, 32), 0, info);
    if (!first || firstSampleOf(first, info.maxBlockSize) !== 0) return undefined;
    const window = Math.max(1 << 18, (info.maxFrameSize || 1 << 16) * 3);
    const cuts: Array<{ at: number; firstSample: number }> = [{ at: info.audioOffset, firstSample: 0 }];
    for (let k = 1; k < parts; k++) {
      const target = info.audioOffset + Math.floor(((size - info.audioOffset) * k) / parts);
      if (target <= cuts[cuts.length - 1].at) continue;
      const found = confirmedFrameAfter(await readAt(target, window), 0, info);
      if (!found) return undefined;
      if (found.header.blocking === 0 && info.minBlockSize !== info.maxBlockSize) return undefined;
      const at = target + found.at;
      const firstSample = firstSampleOf(found.header, info.maxBlockSize);
      const prev = cuts[cuts.length - 1];
      if (at <= prev.at || firstSample <= prev.firstSample || firstSample >= info.totalSamples) return undefined;
      cuts.push({ at, firstSample });
    }
    if (cuts.length < 2) return undefined;
    return { info, shares: cuts.map((c, i) => ({ from: c.at, to: i + 1 < cuts.length ? cuts[i + 1].at : size, firstSample: c.firstSample })) };
  } finally {
    await fh.close();
  }
}
