// Worker-thread entry of audio decoding: one file at a time per worker, decoded to a raw CD-DA file
// (44.1 kHz 16-bit LE stereo), so an album decodes on every core and the main thread only lays out.
import { open } from 'node:fs/promises';
import { parseFile } from 'music-metadata';
import { IoError } from '../../common/errors';
import { defineWorkerTasks } from '../../workers/worker-runtime';
import { decodeToCdda } from '../decode';
import type { AudioTags } from '../audio-tags';

export interface DecodePayload {
  path: string;
  /** Raw CD-DA output file (created or truncated). */
  out: string;
}

export interface DecodeProgress {
  samples: number;
}

defineWorkerTasks({
  async decode(payload: DecodePayload, ctx) {
    let fh;
    try {
      fh = await open(payload.out, 'w');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new IoError(`cannot create ${payload.out}: ${e.message}`, { errno: e.code, path: payload.out, syscall: e.syscall, cause: err });
    }
    let samples = 0;
    let lastReport = 0;
    try {
      return await decodeToCdda(
        payload.path,
        async (bytes) => {
          await fh.write(bytes);
          samples += bytes.length / 4;
          if (samples - lastReport >= 44100 * 10) {
            lastReport = samples;
            ctx.progress({ samples } satisfies DecodeProgress);
          }
        },
        ctx.signal,
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
});
