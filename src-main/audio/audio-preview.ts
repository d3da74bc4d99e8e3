// The boundary preview of the audio project (audio.preview): the seconds around the change from one
// track to the next exactly as the disc will play them — the end of track k−1, the pause the layout
// puts there (the end-of-track padding to a sector plus the pregap; nothing when gapless), and the
// start of track k — as a short 16-bit stereo 44.1 kHz WAV for an <audio> element.
//
// MUST rules:
// - only decoded PCM of a bounded window leaves main (≤ MAX_SIDE_SECONDS of each track and at most
//   MAX_PAUSE_SECONDS of the pause, which is shortened and said so when longer): never a source
//   file's bytes, never a whole track (the renderer reads no file contents; contract.ts);
// - the positions are the author's: layoutDisc over the project with the two tracks' decoded lengths
//   (exact for every format, MP3/Vorbis/Opus included), so a gapless join previews gapless;
// - decoding runs in the audio worker pool; decoded tracks are kept in a private temporary folder
//   (a few, keyed by path, size and modification time) and removed on close.
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../common/errors';
import { BYTES_PER_SAMPLE_FRAME } from '../cd/msf';
import type { AudioDecoderPool } from './audio-decoder-pool';
import type { AudioProjectService } from './audio-project-service';
import type { AudioPreview } from '../common/model/audio-project';

export type { AudioPreview };

export const MAX_SIDE_SECONDS = 8;
export const MAX_PAUSE_SECONDS = 6;
const RATE = 44100;
const KEEP_DECODED = 6;

/** A 44-byte canonical WAV header for CD-DA PCM. */
export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export class AudioPreviewer {
  private dir?: Promise<string>;
  private readonly decoded = new Map<string, Promise<{ file: string; samples: number }>>();
  private seq = 0;

  constructor(private readonly pool: () => AudioDecoderPool) {}

  private async decode(path: string, signal?: AbortSignal): Promise<{ file: string; samples: number }> {
    const st = await stat(path);
    const key = `${path}\0${st.size}\0${st.mtimeMs}`;
    let p = this.decoded.get(key);
    if (!p) {
      const dir = await (this.dir ??= mkdtemp(join(tmpdir(), 'gm-audio-preview-')));
      const file = join(dir, `${++this.seq}.cdda`);
      p = this.pool()
        .decodeToFile(path, file, { signal })
        .then((r) => ({ file, samples: r.samples }));
      this.decoded.set(key, p);
      p.catch(() => this.decoded.delete(key));
      // Keep only the newest few decoded tracks.
      while (this.decoded.size > KEEP_DECODED) {
        const [oldKey, old] = this.decoded.entries().next().value!;
        this.decoded.delete(oldKey);
        void old.then((o) => rm(o.file, { force: true })).catch(() => undefined);
      }
    } else {
      // Most recently used last.
      this.decoded.delete(key);
      this.decoded.set(key, p);
    }
    return p;
  }

  /** The join of track `track` (1-based, ≥ 2) with the one before it. */
  async boundary(project: AudioProjectService, track: number, seconds: { before: number; after: number }, signal?: AbortSignal): Promise<AudioPreview> {
    const tracks = project.trackList();
    if (!Number.isInteger(track) || track < 2 || track > tracks.length) throw new InvalidInputError(`there is no boundary before track ${track} (the project has ${tracks.length} track${tracks.length === 1 ? '' : 's'})`);
    const before = Math.min(MAX_SIDE_SECONDS, Math.max(0, seconds.before));
    const after = Math.min(MAX_SIDE_SECONDS, Math.max(0, seconds.after));
    const a = tracks[track - 2];
    const b = tracks[track - 1];
    const [da, db] = await Promise.all([this.decode(a.path, signal), this.decode(b.path, signal)]);
    const samples = tracks.map((t) => t.samples);
    samples[track - 2] = da.samples;
    samples[track - 1] = db.samples;
    const layout = project.layout(samples);
    const endA = layout.tracks[track - 2].firstSample + da.samples;
    const pause = layout.tracks[track - 1].firstSample - endA;
    const pausePlayed = Math.min(pause, MAX_PAUSE_SECONDS * RATE);
    const takeA = Math.min(da.samples, Math.round(before * RATE));
    const takeB = Math.min(db.samples, Math.round(after * RATE));
    const frames = takeA + pausePlayed + takeB;
    const out = Buffer.alloc(44 + frames * BYTES_PER_SAMPLE_FRAME);
    wavHeader(frames * BYTES_PER_SAMPLE_FRAME).copy(out, 0);
    await readInto(da.file, (da.samples - takeA) * BYTES_PER_SAMPLE_FRAME, takeA * BYTES_PER_SAMPLE_FRAME, out, 44);
    await readInto(db.file, 0, takeB * BYTES_PER_SAMPLE_FRAME, out, 44 + (takeA + pausePlayed) * BYTES_PER_SAMPLE_FRAME);
    return { wav: out.toString('base64'), boundarySeconds: (takeA + pausePlayed) / RATE, pauseSeconds: pause / RATE, pausePlayedSeconds: pausePlayed / RATE, seconds: frames / RATE };
  }

  async close(): Promise<void> {
    const dir = this.dir;
    this.decoded.clear();
    if (dir) await rm(await dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function readInto(file: string, at: number, bytes: number, into: Buffer, offset: number): Promise<void> {
  if (bytes <= 0) return;
  const fh = await open(file, 'r');
  try {
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await fh.read(into, offset + done, bytes - done, at + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
