// Worker-thread entry of audio decoding: one file at a time per worker, decoded to a raw CD-DA file
// (44.1 kHz 16-bit LE stereo), so an album decodes on every core and the main thread only lays out.
import { open } from 'node:fs/promises';
import { parseFile } from 'music-metadata';
import { InvalidInputError, IoError } from '../../common/errors';
import { defineWorkerTasks } from '../../workers/worker-runtime';
import { decodeToCdda, sniffAudioFormat } from '../decode';
import type { AudioProbe } from '../audio-probe';
import type { AudioTags } from '../audio-tags';
import type { FlacShare } from '../flac-split';

export interface DecodePayload {
  path: string;
  /** Raw CD-DA output file (created or truncated; with `share`, an existing file written at the share's place). */
  out: string;
  /** Only these frames of a FLAC file, written at firstSample × 4 (flac-split.ts). */
  share?: FlacShare;
}

export interface DecodeProgress {
  samples: number;
}

defineWorkerTasks({
  async decode(payload: DecodePayload, ctx) {
    let fh;
    try {
      fh = await open(payload.out, payload.share ? 'r+' : 'w');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new IoError(`cannot create ${payload.out}: ${e.message}`, { errno: e.code, path: payload.out, syscall: e.syscall, cause: err });
    }
    let samples = 0;
    let lastReport = 0;
    const base = (payload.share?.firstSample ?? 0) * 4;
    try {
      return await decodeToCdda(
        payload.path,
        async (bytes) => {
          await fh.write(bytes, 0, bytes.length, base + samples * 4);
          samples += bytes.length / 4;
          if (samples - lastReport >= 44100 * 10) {
            lastReport = samples;
            ctx.progress({ samples } satisfies DecodeProgress);
          }
        },
        ctx.signal,
        payload.share,
      );
    } finally {
      await fh.close();
    }
  },
  async tags(payload: { path: string }): Promise<AudioTags> {
    try {
      const { common } = await parseFile(payload.path, { duration: false, skipCovers: true });
      return {
        title: common.title,
        artist: common.artist,
        album: common.album,
        albumArtist: common.albumartist,
        composer: common.composer?.join(', '),
        genre: common.genre?.[0],
        isrc: common.isrc?.[0],
        track: common.track?.no ?? undefined,
      };
    } catch {
      // Tags are a convenience: a file music-metadata cannot read has none (decoding judges the file).
      return {};
    }
  },
  /**
   * What an audio project shows before decoding: the format (from the bytes, as the decoder
   * recognises it), the length at 44.1 kHz (exact where the container states its sample count,
   * FLAC/WAV/AIFF; from the duration otherwise) and the tags. The decode at authoring time is exact.
   */
  async probe(payload: { path: string }): Promise<AudioProbe> {
    let head: Uint8Array;
    try {
      const fh = await open(payload.path, 'r');
      try {
        head = new Uint8Array(64 * 1024);
        const { bytesRead } = await fh.read(head, 0, head.length, 0);
        head = head.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new IoError(`cannot read ${payload.path}: ${e.message}`, { errno: e.code, path: payload.path, syscall: e.syscall, cause: err });
    }
    const format = sniffAudioFormat(head);
    if (!format) throw new InvalidInputError(`${payload.path}: not a supported audio file (WAV, AIFF/AIFC, FLAC, MP3, Ogg Vorbis or Opus)`, { path: payload.path });
    let parsed;
    try {
      parsed = await parseFile(payload.path, { duration: true, skipCovers: true });
    } catch (err) {
      throw new InvalidInputError(`${payload.path}: cannot read the ${format.toUpperCase()} stream (${(err as Error).message})`, { path: payload.path });
    }
    const { common, format: f } = parsed;
    const rate = f.sampleRate ?? 0;
    const samples = f.numberOfSamples && rate ? Math.floor((f.numberOfSamples * 44100) / rate) : Math.round((f.duration ?? 0) * 44100);
    if (!samples || !rate) throw new InvalidInputError(`${payload.path}: the ${format.toUpperCase()} file states no length or sample rate (corrupt or empty)`, { path: payload.path });
    return {
      format,
      samples,
      sampleRate: rate,
      channels: f.numberOfChannels ?? 0,
      tags: { title: common.title, artist: common.artist, album: common.album, albumArtist: common.albumartist, composer: common.composer?.join(', '), genre: common.genre?.[0], isrc: common.isrc?.[0], track: common.track?.no ?? undefined },
    };
  },
});
