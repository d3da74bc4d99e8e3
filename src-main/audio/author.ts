// Audio CD authoring up to image files: decode every track (worker threads), lay the disc out,
// build CD-TEXT, and write OUT.bin + OUT.cue + OUT.toc (+ OUT.cdt with CD-TEXT). Every file is
// written as NAME.<random>.partial and renamed only when all of them are complete, so a failure (a
// corrupt track, a full disk, a cancel) leaves no half image and does not touch an earlier one; what
// each may be (never a track, a device or a FIFO; a symbolic link written through) is decided by
// image/output-file.ts before the first track is decoded.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { CancelledError, InvalidInputError, IoError } from '../common/errors';
import { BYTES_PER_SAMPLE_FRAME, SECTORS_PER_SECOND } from '../cd/msf';
import type { AudioDecoderPool } from './audio-decoder-pool';
import { titleFromFileName, type AudioTags } from './audio-tags';
import { buildCdTextPacks, cdTextFile, type CdTextBlock, type CdTextStrings } from './cd-text';
import type { DecodeResult } from './decode';
import { cueSheetText, tocFileText } from './image-files';
import { layoutDisc, type DiscLayout } from './layout';
import type { AudioBurnPlan } from './audio-plan';
import type { PcmPlacement } from './cdda-source';
import { openOutput, planOutput, type OutputFile } from '../image/output-file';

export interface AudioTrackSpec extends CdTextStrings {
  path: string;
  /** Pause before this track in seconds (default: the project's; track 1 at least 2). */
  pregapSeconds?: number;
  /** Index points 02… in seconds after the track start. */
  indexSeconds?: number[];
  isrc?: string;
  preEmphasis?: boolean;
  copyPermitted?: boolean;
}

export interface AudioProjectSpec {
  tracks: AudioTrackSpec[];
  /** No pause between tracks (continuous audio; track 1 keeps its 2 s). */
  gapless?: boolean;
  /** Pause before tracks 2… when not gapless (default 2 s). */
  pregapSeconds?: number;
  /** Hidden track one audio: a file played in track 1's pregap. */
  hiddenTrack?: string;
  mcn?: string;
  album?: CdTextBlock['album'];
  /** Fill CD-TEXT from the files' tags where the spec leaves a field empty (default true). */
  textFromTags?: boolean;
  /** A second CD-TEXT block in MS-JIS (Japanese), when wanted. */
  japanese?: { album: CdTextStrings; tracks: CdTextStrings[] };
  /** Refuse a program longer than this disc (default 80). */
  discMinutes?: number;
}

export type AuthorProgress =
  | { phase: 'decode'; track: number; tracks: number; samples: number }
  | { phase: 'decoded'; track: number; tracks: number; result: DecodeResult }
  | { phase: 'write'; bytesWritten: number; totalBytes: number };

export interface AuthoredImage {
  layout: DiscLayout;
  text?: CdTextBlock;
  files: { cue: string; bin: string; toc: string; cdt?: string };
  decoded: DecodeResult[];
  cdTextPacks: number;
}

/** BIN/TOC/CDT names next to a CUE path (OUT.cue → OUT.bin, OUT.toc, OUT.cdt). */
export function imageFileNames(cuePath: string): AuthoredImage['files'] {
  if (extname(cuePath).toLowerCase() !== '.cue') throw new InvalidInputError(`the output is a CUE sheet: name it NAME.cue (got ${cuePath})`);
  const stem = cuePath.slice(0, -4);
  return { cue: cuePath, bin: `${stem}.bin`, toc: `${stem}.toc`, cdt: `${stem}.cdt` };
}

const toSectors = (seconds: number, what: string): number => {
  if (!Number.isFinite(seconds) || seconds < 0) throw new InvalidInputError(`${what}: ${seconds} is not a number of seconds ≥ 0`);
  return Math.round(seconds * SECTORS_PER_SECOND);
};

export interface PreparedAudioDisc {
  layout: DiscLayout;
  text: CdTextBlock;
  cdTextPacks: Uint8Array[];
  /** Per track (then the hidden track, if any). */
  decoded: DecodeResult[];
  /** What a burner takes (layout, packs, where the decoded PCM lies); valid while `workDir` exists. */
  plan: AudioBurnPlan;
}

/**
 * Decodes every track into `workDir` (raw CD-DA files), reads tags, lays the disc out and builds the
 * CD-TEXT. The image writer below and the burner both start here; the caller owns `workDir`.
 */
export async function prepareAudioDisc(
  spec: AudioProjectSpec,
  workDir: string,
  opts: { pool: AudioDecoderPool; signal?: AbortSignal; onProgress?: (p: AuthorProgress) => void },
): Promise<PreparedAudioDisc> {
  if (spec.tracks.length === 0) throw new InvalidInputError('no tracks given');
  // ---- decode (all tracks at once: the pool runs one per worker) and read tags --------------
  const n = spec.tracks.length;
  const sources = [...spec.tracks.map((t) => t.path), ...(spec.hiddenTrack ? [spec.hiddenTrack] : [])];
  const pcm = sources.map((_, i) => join(workDir, `${i}.cdda`));
  // The first failure (a corrupt track) stops the other decodes and waits for them: none may still be
  // writing into the work folder when the caller removes it (that removal then failed with
  // ENOTEMPTY, and its error replaced the one naming the track).
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let firstFailure: { error: unknown } | undefined;
  const all = async <T>(jobs: Array<Promise<T>>): Promise<T[]> => {
    const settled = await Promise.allSettled(jobs.map((j) => j.catch((error: unknown) => {
      firstFailure ??= { error };
      stop.abort();
      throw error;
    })));
    if (firstFailure) throw firstFailure.error;
    return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
  };
  let decoded: Awaited<ReturnType<AudioDecoderPool['decodeToFile']>>[];
  let tags: AudioTags[];
  try {
    const decoding = all(sources.map(async (path, i) => {
      const r = await opts.pool.decodeToFile(path, pcm[i], { signal: stop.signal, onProgress: (p) => opts.onProgress?.({ phase: 'decode', track: i + 1, tracks: sources.length, samples: p.samples }) });
      opts.onProgress?.({ phase: 'decoded', track: i + 1, tracks: sources.length, result: r });
      return r;
    }));
    const reading = spec.textFromTags === false ? Promise.resolve(spec.tracks.map((): AudioTags => ({}))) : all(spec.tracks.map((t) => opts.pool.readTags(t.path, stop.signal)));
    // Both settle before anything is thrown: a failed tag read stops the decodes too, and waits for them.
    await Promise.allSettled([decoding, reading]);
    if (firstFailure) throw firstFailure.error;
    [decoded, tags] = await Promise.all([decoding, reading]);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (opts.signal?.aborted) throw new CancelledError();

  // ---- layout ------------------------------------------------------------------------------
  const defaultGap = spec.gapless ? 0 : toSectors(spec.pregapSeconds ?? 2, '--pregap');
  const layout = layoutDisc(
    spec.tracks.map((t, i) => ({
      samples: decoded[i].samples,
      pregapSectors: t.pregapSeconds !== undefined ? toSectors(t.pregapSeconds, `track ${i + 1} pregap`) : i === 0 ? Math.max(150, defaultGap) : defaultGap,
      hiddenSamples: i === 0 && spec.hiddenTrack ? decoded[n].samples : undefined,
      indexes: t.indexSeconds?.map((s) => toSectors(s, `track ${i + 1} index`)),
      isrc: t.isrc ?? undefined,
      preEmphasis: t.preEmphasis,
      copyPermitted: t.copyPermitted,
    })),
    { mcn: spec.mcn, discMinutes: spec.discMinutes ?? 80 },
  );

  // ---- CD-TEXT: the spec, else the tags, else the file name for titles -----------------------
  const fromTags = spec.textFromTags !== false;
  const first = tags[0] ?? {};
  const album: CdTextBlock['album'] = {
    ...spec.album,
    title: spec.album?.title ?? (fromTags ? first.album : undefined),
    performer: spec.album?.performer ?? (fromTags ? (first.albumArtist ?? commonArtist(tags)) : undefined),
    upcEan: spec.album?.upcEan ?? spec.mcn,
  };
  const text: CdTextBlock = {
    language: 0x09,
    album,
    tracks: spec.tracks.map((t, i) => ({
      title: t.title ?? tags[i].title ?? titleFromFileName(t.path),
      performer: t.performer ?? (fromTags ? tags[i].artist : undefined),
      songwriter: t.songwriter,
      composer: t.composer ?? (fromTags ? tags[i].composer : undefined),
      arranger: t.arranger,
      message: t.message,
      isrc: layout.tracks[i].isrc,
    })),
  };
  const blocks: CdTextBlock[] = [text];
  if (spec.japanese) blocks.push({ language: 0x69, charset: 'ms-jis', album: spec.japanese.album, tracks: spec.tracks.map((_, i) => spec.japanese!.tracks[i] ?? {}) });
  const { packs } = buildCdTextPacks(blocks);

  const placements: PcmPlacement[] = layout.tracks.map((t, i) => ({ file: pcm[i], firstSample: t.firstSample, samples: decoded[i].samples }));
  if (spec.hiddenTrack) placements.unshift({ file: pcm[n], firstSample: 0, samples: decoded[n].samples });
  return { layout, text, cdTextPacks: packs, decoded, plan: { layout, cdTextPacks: packs, placements } };
}

export async function authorAudioImage(
  spec: AudioProjectSpec,
  cuePath: string,
  opts: { pool: AudioDecoderPool; signal?: AbortSignal; onProgress?: (p: AuthorProgress) => void },
): Promise<AuthoredImage> {
  const files = imageFileNames(cuePath);
  if (spec.tracks.length === 0) throw new InvalidInputError('no tracks given');
  // Every output is planned before anything is decoded (image/output-file.ts): none may be a track.
  const inputs = [...spec.tracks.map((t) => t.path), spec.hiddenTrack];
  const outputPlans = [];
  for (const path of [files.bin, files.cue, files.toc, files.cdt!]) {
    outputPlans.push(await planOutput(path, { inputs, deviceHint: 'an audio image goes to files (burn with --drive)', fifoHint: 'an audio image goes to files' }));
  }
  const work = await mkdtemp(join(dirname(cuePath), `.${basename(cuePath)}.decode-`)).catch((err: NodeJS.ErrnoException) => {
    throw new IoError(`cannot create a work folder next to ${cuePath}: ${err.message}`, { errno: err.code, path: dirname(cuePath), syscall: err.syscall, cause: err });
  });
  const outputs: OutputFile[] = [];
  try {
    const { layout, text, cdTextPacks: packs, decoded, plan } = await prepareAudioDisc(spec, work, opts);
    const n = spec.tracks.length;

    // ---- write: BIN by positional writes of each track's PCM (the gaps stay zero), then the text files
    const total = layout.leadOut * 2352;
    const binOut = await openOutput(outputPlans[0]);
    outputs.push(binOut);
    const out = binOut.handle;
    await out.truncate(total);
    let written = 0;
    const placements = plan.placements.map((p) => ({ file: p.file, at: p.firstSample * BYTES_PER_SAMPLE_FRAME, bytes: p.samples * BYTES_PER_SAMPLE_FRAME }));
    const buf = new Uint8Array(4 << 20);
    for (const p of placements) {
      const src = await open(p.file, 'r');
      try {
        for (let o = 0; o < p.bytes; ) {
          if (opts.signal?.aborted) throw new CancelledError();
          const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, p.bytes - o), o);
          if (bytesRead === 0) throw new IoError(`${p.file} ended early`, { path: p.file });
          await out.write(buf, 0, bytesRead, p.at + o);
          o += bytesRead;
          written += bytesRead;
          opts.onProgress?.({ phase: 'write', bytesWritten: written, totalBytes: total });
        }
      } finally {
        await src.close();
      }
    }
    const names = { bin: files.bin, cdt: files.cdt };
    const textFiles: Array<string | Uint8Array> = [
      latin1IfPossible(cueSheetText(layout, names, text)),
      Buffer.from(tocFileText(layout, names, text), 'latin1'),
      cdTextFile(packs),
    ];
    for (const [i, data] of textFiles.entries()) {
      const f = await openOutput(outputPlans[i + 1]);
      outputs.push(f);
      await f.handle.writeFile(data);
    }
    // All complete: each partial renamed onto its name (the BIN synced first).
    for (const f of outputs) await f.commit({ sync: f === binOut });
    return { layout, text, files, decoded: decoded.slice(0, n), cdTextPacks: packs.length };
  } catch (err) {
    await Promise.all(outputs.map((f) => f.abort()));
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
  }
}

/**
 * A CUE sheet in ISO 8859-1 when every character fits (libcdio and most burners read CUE text as
 * Latin-1, the CD-TEXT character set), else UTF-8 (a file name outside Latin-1).
 */
function latin1IfPossible(text: string): Buffer {
  return [...text].every((c) => c.charCodeAt(0) <= 0xff && c.length === 1) ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

/** The artist every track shares (an album by one performer), else undefined. */
function commonArtist(tags: AudioTags[]): string | undefined {
  const a = tags[0]?.artist;
  return a && tags.every((t) => t.artist === a) ? a : undefined;
}
