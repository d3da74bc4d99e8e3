// A user's CUE sheet as something to burn: parsed strictly (cue-parse.ts), its files checked and
// decoded (WAVE/FLAC/AIFF/MP3/Ogg through the worker pool; BINARY is raw CD-DA as it stands), and
// laid out exactly as the sheet says — not re-laid out by layout.ts, because a CUE fixes every index.
//
// CUE semantics followed (CDRWIN, as cdrdao and libcdio read it):
// - The files play one after another; each file is padded with silence to a whole sector.
// - LBA 0 is the start of the first file; track 1's 2-second pause (LBA −150 … −1) is the
//   recorder's. An INDEX 00 of track 1 later than 00:00:00 is not allowed by us (audio before it would
//   belong to no track); INDEX 01 of track 1 after 00:00:00 makes the start of the file the pause
//   (index 00, e.g. hidden track one audio).
// - PREGAP inserts silence that is in no file, before the track's first index; POSTGAP after its
//   last sample. A track's pause is from its INDEX 00 (or the PREGAP) to INDEX 01.
// - FLAGS DCP → copy permitted, PRE → pre-emphasis, 4CH → four-channel; ISRC and CATALOG go into Q.
// - TITLE/PERFORMER/SONGWRITER make the CD-TEXT (ISO 8859-1 block); a CDTEXTFILE (18-byte packs,
//   optionally after a 4-byte header, as ours and cdrdao's) is used as it is instead.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, NotSupportedError } from '../common/errors';
import { BYTES_PER_SAMPLE_FRAME, LBA_MSF_OFFSET, SAMPLES_PER_SECTOR } from '../cd/msf';
import { cdTextPackValid } from '../cd/cd-text-packs';
import { Q_CONTROL } from '../cd/subchannel';
import type { AudioDecoderPool } from './audio-decoder-pool';
import type { AudioBurnPlan } from './audio-plan';
import type { PcmPlacement } from './cdda-source';
import { buildCdTextPacks } from './cd-text';
import { checkCueSources, parseCueText, type CueSheet } from './cue-parse';
import type { DiscLayout, TrackPlacement } from './layout';

/** Pure: where everything of a parsed sheet lies, given each FILE's length in samples and its PCM path. */
export function cueLayout(sheet: CueSheet, files: Array<{ pcm: string; samples: number }>, cuePath: string): { layout: DiscLayout; placements: PcmPlacement[] } {
  const fail = (line: number, m: string): never => {
    throw new InvalidInputError(`${cuePath}:${line}: ${m}`, { path: cuePath, line });
  };
  const placements: PcmPlacement[] = [];
  const tracks: TrackPlacement[] = [];
  let cursor = 0; // LBA where the next file's first sample goes
  sheet.files.forEach((_, fi) => {
    const file = files[fi];
    const inFile = sheet.tracks.filter((t) => t.file === fi);
    let base = cursor; // LBA of the file's sample 0, moved on by PREGAP silence inside the file
    inFile.forEach((t, k) => {
      const first = t.indexes[0];
      const i01 = t.indexes.find((x) => x.number === 1)!;
      if (t.number === 1 && first.number === 0 && first.frames !== 0) fail(t.line, 'INDEX 00 of track 1 must be at 00:00:00: audio before it would belong to no track');
      base += t.pregapFrames ?? 0;
      const segStart = k === 0 ? 0 : first.frames;
      const segEnd = k + 1 < inFile.length ? inFile[k + 1].indexes[0].frames * SAMPLES_PER_SECTOR : file.samples;
      if (segEnd > file.samples) fail(inFile[k + 1].line, `the index lies after the end of its FILE (${file.samples} samples)`);
      const segSamples = segEnd - segStart * SAMPLES_PER_SECTOR;
      if (segSamples > 0) placements.push({ file: file.pcm, fileSample: segStart * SAMPLES_PER_SECTOR, firstSample: (base + segStart) * SAMPLES_PER_SECTOR, samples: segSamples });
      const start = base + i01.frames;
      const pregapStart = t.number === 1 ? -LBA_MSF_OFFSET : base + first.frames - (t.pregapFrames ?? 0);
      const control = (t.flags.includes('DCP') ? Q_CONTROL.copyPermitted : 0) | (t.flags.includes('PRE') ? Q_CONTROL.preEmphasis : 0) | (t.flags.includes('4CH') ? Q_CONTROL.fourChannel : 0);
      tracks.push({
        number: t.number, pregapStart, start, indexes: t.indexes.filter((x) => x.number >= 2).map((x) => base + x.frames), end: 0,
        firstSample: start * SAMPLES_PER_SECTOR, samples: 0, hiddenSamples: 0, control, isrc: t.isrc,
      });
      if (t.postgapFrames) {
        if (k + 1 < inFile.length) fail(t.line, 'POSTGAP is only supported on the last track of a FILE');
      }
    });
    cursor = base + Math.ceil(file.samples / SAMPLES_PER_SECTOR) + (inFile.at(-1)?.postgapFrames ?? 0);
  });
  tracks.forEach((t, i) => {
    t.end = i + 1 < tracks.length ? tracks[i + 1].pregapStart : cursor;
    t.samples = (t.end - t.start) * SAMPLES_PER_SECTOR;
    if (t.end - t.start < 4 * 75) fail(sheet.tracks[i].line, `track ${t.number} is shorter than 4 seconds (Red Book)`);
  });
  return { layout: { tracks, leadOut: cursor, mcn: sheet.catalog }, placements };
}

/** Reads and parses a CUE file (UTF-8, or ISO 8859-1 as EAC and older tools write it); errors name the file and line. */
export async function readCueSheet(cuePath: string): Promise<CueSheet> {
  let text: string;
  try {
    const bytes = await readFile(cuePath);
    // CUE files are UTF-8 or ISO 8859-1 (EAC, older tools): UTF-8 when it decodes, else Latin-1.
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = bytes.toString('latin1');
    }
  } catch (e) {
    throw new InvalidInputError(`cannot read ${cuePath}: ${(e as Error).message}`, { path: cuePath });
  }
  return parseCueText(text, cuePath);
}

/**
 * Reads, checks and decodes what a CUE sheet names into `workDir` and returns the burn plan. Errors
 * name the CUE file and line (or the audio file).
 */
export async function cueBurnPlan(cuePath: string, workDir: string, opts: { pool: AudioDecoderPool; signal?: AbortSignal }): Promise<AudioBurnPlan> {
  const sheet = await readCueSheet(cuePath);
  if (sheet.sessions > 1) throw new NotSupportedError(`${cuePath}: an audio sheet of ${sheet.sessions} sessions is not burned here (audio goes in one session)`, { path: cuePath });
  const paths = await checkCueSources(sheet, cuePath);
  const files = await Promise.all(
    sheet.files.map(async (f, i) => {
      if (f.type === 'MOTOROLA') throw new NotSupportedError(`${cuePath}:${f.line}: FILE "${f.name}" is big-endian (MOTOROLA) raw audio; convert it to little-endian BINARY or WAV first`);
      if (f.type === 'BINARY') return { pcm: paths[i], samples: (await stat(paths[i])).size / BYTES_PER_SAMPLE_FRAME };
      const pcm = join(workDir, `cue-${i}.cdda`);
      const r = await opts.pool.decodeToFile(paths[i], pcm, { signal: opts.signal });
      return { pcm, samples: r.samples };
    }),
  );
  const { layout, placements } = cueLayout(sheet, files, cuePath);
  let packs: Uint8Array[] = [];
  if (sheet.cdTextFile) {
    const { dirname, resolve } = await import('node:path');
    const cdt = await readFile(resolve(dirname(cuePath), sheet.cdTextFile)).catch((e: Error) => {
      throw new InvalidInputError(`${cuePath}: cannot read CDTEXTFILE "${sheet.cdTextFile}": ${e.message}`, { path: cuePath });
    });
    const skip = cdt.length % 18 === 4 || cdt.length % 18 === 5 ? 4 : 0;
    for (let o = skip; o + 18 <= cdt.length; o += 18) packs.push(new Uint8Array(cdt.subarray(o, o + 18)));
    if (!packs.length || !packs.every(cdTextPackValid)) throw new InvalidInputError(`${cuePath}: CDTEXTFILE "${sheet.cdTextFile}" is not a file of CD-TEXT packs with valid CRCs`, { path: cuePath });
  } else if (sheet.title || sheet.performer || sheet.tracks.some((t) => t.title || t.performer || t.songwriter)) {
    packs = buildCdTextPacks([{ album: { title: sheet.title, performer: sheet.performer, songwriter: sheet.songwriter }, tracks: sheet.tracks.map((t) => ({ title: t.title, performer: t.performer, songwriter: t.songwriter, isrc: t.isrc })) }]).packs;
  }
  return { layout, cdTextPacks: packs, placements };
}
