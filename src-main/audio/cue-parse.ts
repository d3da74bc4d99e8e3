// A strict CUE sheet parser (CDRWIN syntax, as written by EAC, cdrdao's toc2cue and us): every
// mistake is an InvalidInputError naming the file and line, never a guess. Pure: text in, structure
// out; checking that the referenced files exist and decode is the caller's (`checkCueSources`).
//
// Accepted: REM (any), CATALOG (13 digits), CDTEXTFILE, TITLE/PERFORMER/SONGWRITER (disc or track),
// FILE "name" BINARY|MOTOROLA|WAVE|AIFF|MP3|FLAC (FLAC and other decodable formats usually appear
// as WAVE; the content decides), TRACK nn AUDIO (data modes are parsed and named in the error:
// audio authoring takes audio tracks), FLAGS (DCP, 4CH, PRE, SCMS), ISRC, PREGAP, POSTGAP,
// INDEX nn MM:SS:FF, `REM SESSION nn` (EAC, CUETools, IsoBuster, libmirage: the TRACKs after it
// belong to session nn; sessions run 1, 2, 3 …). Rules: a TRACK follows a FILE; track numbers run 1, 2, 3 … (≤ 99); each track
// has INDEX 01; index numbers rise by one from 00 or 01; positions rise within a file; PREGAP before
// the first INDEX, POSTGAP after the last; each command at most once where it can only occur once.
import { InvalidInputError } from '../common/errors';
import { parseMsfText } from '../cd/msf';
import { ISRC_PATTERN } from '../cd/subchannel';

export interface CueIndex {
  number: number;
  /** Frames from the start of the track's FILE. */
  frames: number;
}

export interface CueTrack {
  number: number;
  mode: string;
  /** Index into CueSheet.files. */
  file: number;
  flags: string[];
  isrc?: string;
  title?: string;
  performer?: string;
  songwriter?: string;
  pregapFrames?: number;
  postgapFrames?: number;
  indexes: CueIndex[];
  line: number;
  /** From `REM SESSION nn` (1 when the sheet names no session). */
  session: number;
}

export interface CueFile {
  name: string;
  type: 'BINARY' | 'MOTOROLA' | 'WAVE' | 'AIFF' | 'MP3' | 'FLAC';
  line: number;
}

export interface CueSheet {
  catalog?: string;
  cdTextFile?: string;
  title?: string;
  performer?: string;
  songwriter?: string;
  files: CueFile[];
  tracks: CueTrack[];
  /** Sessions the sheet names with `REM SESSION nn` (1 when none). */
  sessions: number;
}

/** Splits a CUE line into words; a quoted word may hold spaces (no escapes exist in CUE). */
function words(line: string, fail: (m: string) => never): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      i++;
      continue;
    }
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) fail('a quoted string has no closing "');
      out.push(line.slice(i + 1, end));
      i = end + 1;
      if (i < line.length && line[i] !== ' ' && line[i] !== '\t') fail('text follows a closing " directly');
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

const FILE_TYPES = new Set(['BINARY', 'MOTOROLA', 'WAVE', 'AIFF', 'MP3', 'FLAC']);
const TRACK_MODES = new Set(['AUDIO', 'CDG', 'MODE1/2048', 'MODE1/2352', 'MODE2/2048', 'MODE2/2324', 'MODE2/2336', 'MODE2/2352', 'CDI/2336', 'CDI/2352']);
const FLAG_WORDS = new Set(['DCP', '4CH', 'PRE', 'SCMS']);

export function parseCueText(text: string, source: string): CueSheet {
  const sheet: CueSheet = { files: [], tracks: [], sessions: 1 };
  let session = 0; // 0: no REM SESSION seen yet
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let track: CueTrack | undefined;
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const fail = (m: string): never => {
      throw new InvalidInputError(`${source}:${line}: ${m}`, { path: source, line });
    };
    const w = words(raw.trim(), fail);
    if (w.length === 0) return;
    const cmd = w[0].toUpperCase();
    const args = w.slice(1);
    const want = (n: number, usage: string) => {
      if (args.length !== n) fail(`${cmd} takes ${usage}`);
    };
    const msf = (s: string) => parseMsfText(s) ?? fail(`"${s}" is not a time MM:SS:FF (seconds < 60, frames < 75)`);
    switch (cmd) {
      case 'REM': {
        if (args[0]?.toUpperCase() !== 'SESSION') return;
        want(2, 'a session number (REM SESSION 02)');
        if (!/^\d{1,2}$/.test(args[1])) fail(`"${args[1]}" is not a session number 1–99`);
        const n = Number(args[1]);
        // Tracks before the first REM SESSION are session 1 (a sheet may name only the later ones).
        const current = session === 0 && sheet.tracks.length ? 1 : session;
        if (n !== current + 1) fail(`REM SESSION ${args[1]} where session ${current + 1} was expected (sessions are numbered 1, 2, 3 …)`);
        if (n > 1 && !sheet.tracks.some((t) => t.session === current)) fail(`session ${current} has no TRACK`);
        session = n;
        sheet.sessions = n;
        return;
      }
      case 'CATALOG':
        want(1, 'a 13-digit number');
        if (track) fail('CATALOG belongs before the first TRACK');
        if (!/^\d{13}$/.test(args[0])) fail(`CATALOG "${args[0]}" is not 13 digits`);
        if (sheet.catalog) fail('CATALOG given twice');
        sheet.catalog = args[0];
        return;
      case 'CDTEXTFILE':
        want(1, 'a file name');
        if (track) fail('CDTEXTFILE belongs before the first TRACK');
        sheet.cdTextFile = args[0];
        return;
      case 'TITLE':
      case 'PERFORMER':
      case 'SONGWRITER': {
        want(1, 'one string (quote it when it has spaces)');
        const key = cmd.toLowerCase() as 'title' | 'performer' | 'songwriter';
        const target = track ?? sheet;
        if (target[key] !== undefined) fail(`${cmd} given twice for ${track ? `track ${track.number}` : 'the disc'}`);
        target[key] = args[0];
        return;
      }
      case 'FILE': {
        want(2, '"name" and a type (BINARY, MOTOROLA, WAVE, AIFF, MP3, FLAC)');
        const type = args[1].toUpperCase();
        if (!FILE_TYPES.has(type)) fail(`unknown FILE type ${args[1]} (BINARY, MOTOROLA, WAVE, AIFF, MP3 or FLAC)`);
        if (track && track.indexes.length === 0) fail(`track ${track.number} has no INDEX before the next FILE`);
        sheet.files.push({ name: args[0], type: type as CueFile['type'], line });
        return;
      }
      case 'TRACK': {
        want(2, 'a number and a mode (e.g. TRACK 01 AUDIO)');
        if (sheet.files.length === 0) fail('TRACK before any FILE');
        if (!/^\d{1,2}$/.test(args[0])) fail(`"${args[0]}" is not a track number 1–99`);
        const number = Number(args[0]);
        const expected = (sheet.tracks.at(-1)?.number ?? 0) + 1;
        if (number !== expected) fail(`track ${number} where track ${expected} was expected (tracks are numbered 1, 2, 3 …)`);
        const mode = args[1].toUpperCase();
        if (!TRACK_MODES.has(mode)) fail(`unknown track mode ${args[1]}`);
        if (track && !track.indexes.some((i) => i.number === 1)) fail(`track ${track.number} has no INDEX 01`);
        track = { number, mode, file: sheet.files.length - 1, flags: [], indexes: [], line, session: Math.max(1, session) };
        sheet.tracks.push(track);
        return;
      }
    }
    if (!track) fail(`${cmd} outside a TRACK${['INDEX', 'FLAGS', 'ISRC', 'PREGAP', 'POSTGAP'].includes(cmd) ? '' : ` (or an unknown command)`}`);
    const t = track!;
    switch (cmd) {
      case 'FLAGS':
        if (args.length === 0) fail('FLAGS takes one or more of DCP, 4CH, PRE, SCMS');
        for (const f of args) if (!FLAG_WORDS.has(f.toUpperCase())) fail(`unknown flag ${f} (DCP, 4CH, PRE, SCMS)`);
        if (t.indexes.length) fail('FLAGS belongs before the first INDEX of its track');
        t.flags = args.map((f) => f.toUpperCase());
        return;
      case 'ISRC':
        want(1, 'a 12-character code');
        if (!ISRC_PATTERN.test(args[0])) fail(`ISRC "${args[0]}" is not CCOOOYYNNNNN (country, owner, year, serial)`);
        t.isrc = args[0];
        return;
      case 'PREGAP':
        want(1, 'a time MM:SS:FF');
        if (t.indexes.length) fail('PREGAP belongs before the first INDEX of its track');
        t.pregapFrames = msf(args[0]);
        return;
      case 'POSTGAP':
        want(1, 'a time MM:SS:FF');
        if (!t.indexes.some((i) => i.number === 1)) fail('POSTGAP belongs after INDEX 01');
        t.postgapFrames = msf(args[0]);
        return;
      case 'INDEX': {
        want(2, 'a number and a time (INDEX 01 00:00:00)');
        if (t.postgapFrames !== undefined) fail('INDEX after POSTGAP');
        if (!/^\d{1,2}$/.test(args[0])) fail(`"${args[0]}" is not an index number 0–99`);
        const number = Number(args[0]);
        const prev = t.indexes.at(-1);
        if (prev ? number !== prev.number + 1 : number > 1) fail(`INDEX ${args[0]} where INDEX ${prev ? String(prev.number + 1).padStart(2, '0') : '00 or 01'} was expected`);
        const frames = msf(args[1]);
        const sameFile = [...sheet.tracks].reverse().flatMap((x) => (x.file === t.file ? x.indexes : []));
        const last = prev ?? sameFile.at(-1);
        if (last && frames <= last.frames) fail(`INDEX ${args[0]} at ${args[1]} does not come after the previous index of this file`);
        t.indexes.push({ number, frames });
        return;
      }
      default:
        fail(`unknown command ${w[0]}`);
    }
  });
  if (sheet.tracks.length === 0) throw new InvalidInputError(`${source}: no TRACK`, { path: source });
  const lastTrack = sheet.tracks.at(-1)!;
  if (!lastTrack.indexes.some((i) => i.number === 1)) throw new InvalidInputError(`${source}:${lastTrack.line}: track ${lastTrack.number} has no INDEX 01`, { path: source, line: lastTrack.line });
  const unused = sheet.files.find((_, i) => !sheet.tracks.some((t) => t.file === i));
  if (unused) throw new InvalidInputError(`${source}:${unused.line}: FILE "${unused.name}" has no TRACK`, { path: source, line: unused.line });
  return sheet;
}

/**
 * Checks what a parsed sheet refers to: every FILE exists next to the CUE (relative names resolve
 * against its folder) and is audio Glassmaster can read — raw CD-DA for BINARY/MOTOROLA (a whole
 * number of 4-byte sample frames), a recognised format otherwise (a FLAC or MP3 named WAVE is fine:
 * the content decides); every track is AUDIO. Errors name the CUE line.
 */
export async function checkCueSources(sheet: CueSheet, cuePath: string): Promise<string[]> {
  const { open } = await import('node:fs/promises');
  const { dirname, resolve } = await import('node:path');
  const { sniffAudioFormat } = await import('./decode');
  const fail = (line: number, m: string): never => {
    throw new InvalidInputError(`${cuePath}:${line}: ${m}`, { path: cuePath, line });
  };
  for (const t of sheet.tracks) if (t.mode !== 'AUDIO') fail(t.line, `track ${t.number} is a ${t.mode} data track; an audio CD takes AUDIO tracks (mixed mode comes with the burner)`);
  const paths: string[] = [];
  for (const f of sheet.files) {
    const path = resolve(dirname(cuePath), f.name);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      fail(f.line, `cannot open FILE "${f.name}": ${(err as Error).message}`);
    }
    try {
      const size = (await fh!.stat()).size;
      const head = new Uint8Array(64 * 1024);
      const { bytesRead } = await fh!.read(head, 0, head.length, 0);
      if (f.type === 'BINARY' || f.type === 'MOTOROLA') {
        if (size % 4 !== 0) fail(f.line, `FILE "${f.name}" is ${size} bytes, not whole 16-bit stereo samples`);
      } else if (!sniffAudioFormat(head.subarray(0, bytesRead))) {
        fail(f.line, `FILE "${f.name}" is not a supported audio file (WAV, AIFF/AIFC, FLAC, MP3, Ogg Vorbis or Opus)`);
      }
    } finally {
      await fh!.close();
    }
    paths.push(path);
  }
  return paths;
}
