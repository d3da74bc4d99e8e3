// A strict cdrdao TOC parser (the TOC file format of cdrdao(1), as cdrdao, K3b and our own
// image-files.ts write it): every mistake is an InvalidInputError naming the file and line, never a
// guess. Pure: text in, structure out; `tocTrackExtents` then places the tracks the way
// `cdrdao show-toc` prints them, given the length of each referenced file.
//
// Accepted: `//` comments; the session type (CD_DA, CD_ROM, CD_ROM_XA, CD_I) at most once, first;
// CATALOG "13 digits"; a disc CD_TEXT block (LANGUAGE_MAP { n : code … }, LANGUAGE n { ITEM "text" |
// ITEM { byte, … } … }); TRACK mode [RW | RW_RAW] with, before its data, [NO] COPY, [NO]
// PRE_EMPHASIS, TWO_CHANNEL_AUDIO / FOUR_CHANNEL_AUDIO, ISRC "CCOOOYYNNNNN", a track CD_TEXT block
// and PREGAP msf; then data: FILE/AUDIOFILE "name" [SWAP] [#byte-offset] start [length],
// DATAFILE "name" [#byte-offset] [length], SILENCE length, ZERO [mode] [sub-channel mode] length;
// START [msf] once; INDEX msf (after START/the data, rising). Times are MM:SS:FF or, for audio, a
// count of samples. Strings take \" \\ and \ooo escapes and are ISO 8859-1 (cdrdao's CD-TEXT).
import { InvalidInputError } from '../common/errors';
import { SAMPLES_PER_SECTOR } from '../cd/msf';
import { ISRC_PATTERN } from '../cd/subchannel';

export type TocItem = 'TITLE' | 'PERFORMER' | 'SONGWRITER' | 'COMPOSER' | 'ARRANGER' | 'MESSAGE' | 'DISC_ID' | 'GENRE' | 'UPC_EAN' | 'ISRC' | 'SIZE_INFO' | 'TOC_INFO1' | 'TOC_INFO2';
const ITEMS = new Set<string>(['TITLE', 'PERFORMER', 'SONGWRITER', 'COMPOSER', 'ARRANGER', 'MESSAGE', 'DISC_ID', 'GENRE', 'UPC_EAN', 'ISRC', 'SIZE_INFO', 'TOC_INFO1', 'TOC_INFO2']);
const SESSION_TYPES = new Set(['CD_DA', 'CD_ROM', 'CD_ROM_XA', 'CD_I']);
const TRACK_MODES = new Set(['AUDIO', 'MODE0', 'MODE1', 'MODE1_RAW', 'MODE2', 'MODE2_FORM1', 'MODE2_FORM2', 'MODE2_FORM_MIX', 'MODE2_RAW']);
/** Bytes per sector in a DATAFILE of each mode (cdrdao(1)). */
const DATA_SECTOR: Record<string, number> = { AUDIO: 2352, MODE0: 2336, MODE1: 2048, MODE1_RAW: 2352, MODE2: 2336, MODE2_FORM1: 2048, MODE2_FORM2: 2324, MODE2_FORM_MIX: 2336, MODE2_RAW: 2352 };

/** CD-TEXT of one language: items as text (strings) or bytes (binary `{ … }` items). */
export type TocCdText = Map<number, Partial<Record<TocItem, string | number[]>>>;

export type TocSource =
  | { kind: 'file'; name: string; swap: boolean; byteOffset: number; startSamples: number; lengthSamples?: number; line: number }
  | { kind: 'datafile'; name: string; byteOffset: number; lengthSectors?: number; line: number }
  | { kind: 'silence'; samples: number; line: number }
  | { kind: 'zero'; sectors: number; line: number };

export interface TocTrack {
  number: number;
  mode: string;
  subChannel?: 'RW' | 'RW_RAW';
  copy: boolean;
  preEmphasis: boolean;
  fourChannel: boolean;
  isrc?: string;
  cdText: TocCdText;
  /** PREGAP: silence (or zeros) before the track's data, in sectors. */
  pregapSectors?: number;
  sources: TocSource[];
  /** START: index 01 this many sectors into the track's data (a pause taken from the data). */
  startSectors?: number;
  /** START without a time: index 01 after this many of `sources` (their length may need the file's). */
  startAfterSources?: number;
  /** INDEX 02…: sectors after index 01. */
  indexes: number[];
  line: number;
}

export interface TocFile {
  sessionType?: string;
  catalog?: string;
  /** LANGUAGE_MAP: block number → language (a number or a name such as EN). */
  languageMap: Map<number, string>;
  cdText: TocCdText;
  tracks: TocTrack[];
}

type Token = { t: 'str' | 'word' | 'num' | 'msf' | 'offset' | 'punct'; v: string; line: number };

function tokenize(text: string, fail: (line: number, m: string) => never): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f') i++;
    else if (c === '/' && text[i + 1] === '/') while (i < n && text[i] !== '\n') i++;
    else if (c === '"') {
      let s = '';
      const at = line;
      i++;
      for (;;) {
        if (i >= n || text[i] === '\n') fail(at, 'a quoted string has no closing "');
        const d = text[i];
        if (d === '"') break;
        if (d === '\\') {
          const e = text[i + 1];
          if (e === '"' || e === '\\') {
            s += e;
            i += 2;
          } else if (/^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
            s += String.fromCharCode(parseInt(text.slice(i + 1, i + 4), 8));
            i += 4;
          } else fail(at, `unknown escape \\${e ?? ''} in a string (\\", \\\\ or \\ooo)`);
        } else {
          s += d;
          i++;
        }
      }
      i++;
      out.push({ t: 'str', v: s, line: at });
    } else if ('{}:,'.includes(c)) {
      out.push({ t: 'punct', v: c, line });
      i++;
    } else {
      let j = i;
      while (j < n && !/[\s{}",]/.test(text[j]) && !(text[j] === '/' && text[j + 1] === '/')) j++;
      const w = text.slice(i, j);
      // MSF (M:S:F) is one token; a lone ':' (LANGUAGE_MAP) is punctuation.
      if (/^\d+:\d+:\d+$/.test(w)) out.push({ t: 'msf', v: w, line });
      else if (/^#\d+$/.test(w)) out.push({ t: 'offset', v: w.slice(1), line });
      else if (/^\d+$/.test(w)) out.push({ t: 'num', v: w, line });
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) out.push({ t: 'word', v: w, line });
      else if (/^[A-Za-z0-9_]*:[A-Za-z0-9_]*$/.test(w)) {
        // "0:EN" or "0:" in a LANGUAGE_MAP: block, ':', code.
        const [l, r] = w.split(':');
        const word = (x: string): Token => ({ t: /^\d+$/.test(x) ? 'num' : 'word', v: x, line });
        out.push(...(l ? [word(l)] : []), { t: 'punct', v: ':', line }, ...(r ? [word(r)] : []));
      } else fail(line, `unexpected "${w}"`);
      i = j;
    }
  }
  return out;
}

/** Frames of an MSF token (seconds < 60, frames < 75). */
function msfFrames(v: string): number | undefined {
  const [m, s, f] = v.split(':').map(Number);
  return s > 59 || f > 74 ? undefined : (m * 60 + s) * 75 + f;
}

export function parseTocText(text: string, source: string): TocFile {
  const fail = (line: number, m: string): never => {
    throw new InvalidInputError(`${source}:${line}: ${m}`, { path: source, line });
  };
  const toks = tokenize(text.replace(/^\uFEFF/, ''), fail);
  let p = 0;
  const lastLine = () => toks.at(-1)?.line ?? 1;
  const peek = () => toks[p];
  const next = (what: string): Token => toks[p++] ?? fail(lastLine(), `the file ends where ${what} was expected`);
  const expect = (v: string, what = `"${v}"`) => {
    const t = next(what);
    if (t.v !== v || (t.t !== 'punct' && t.t !== 'word')) fail(t.line, `${what} expected, found "${t.v}"`);
  };
  const isWord = (v: string) => peek()?.t === 'word' && peek().v === v;
  const str = (what: string) => {
    const t = next(what);
    return t.t === 'str' ? t.v : fail(t.line, `${what} must be a quoted string, found ${t.v}`);
  };
  const msf = (what: string): number => {
    const t = next(what);
    if (t.t === 'num' && t.v === '0') return 0;
    if (t.t !== 'msf') fail(t.line, `${what}: "${t.v}" is not a time MM:SS:FF`);
    return msfFrames(t.v) ?? fail(t.line, `${what}: "${t.v}" is not a time MM:SS:FF (seconds < 60, frames < 75)`);
  };
  /** Audio time: MSF (in sectors) or a count of samples. */
  const samples = (what: string): number => {
    const t = next(what);
    if (t.t === 'num') return Number(t.v);
    if (t.t !== 'msf') fail(t.line, `${what}: "${t.v}" is not a time MM:SS:FF or a number of samples`);
    return (msfFrames(t.v) ?? fail(t.line, `${what}: "${t.v}" is not a time MM:SS:FF (seconds < 60, frames < 75)`)) * SAMPLES_PER_SECTOR;
  };
  const isTime = () => peek()?.t === 'msf' || peek()?.t === 'num';

  /** CD_TEXT { [LANGUAGE_MAP { … }] LANGUAGE n { items } … } */
  const cdTextBlock = (out: TocCdText, map: Map<number, string> | undefined) => {
    expect('{', '"{" after CD_TEXT');
    while (peek() && !(peek().t === 'punct' && peek().v === '}')) {
      const t = next('LANGUAGE');
      if (t.t === 'word' && t.v === 'LANGUAGE_MAP') {
        if (!map) fail(t.line, 'LANGUAGE_MAP belongs in the disc CD_TEXT block');
        expect('{', '"{" after LANGUAGE_MAP');
        while (peek() && !(peek().t === 'punct' && peek().v === '}')) {
          const b = next('a block number');
          if (b.t !== 'num' || Number(b.v) > 7) fail(b.line, `"${b.v}" is not a block number 0–7`);
          expect(':', '":" in LANGUAGE_MAP');
          const code = next('a language code');
          if (code.t !== 'num' && code.t !== 'word') fail(code.line, `"${code.v}" is not a language code`);
          if (map!.has(Number(b.v))) fail(b.line, `block ${b.v} is mapped twice`);
          map!.set(Number(b.v), code.v);
          // cdrdao separates the entries by blanks only.
          if (peek()?.t === 'punct' && peek().v === ',') fail(peek().line, 'LANGUAGE_MAP entries are separated by blanks, not ","');
        }
        expect('}', '"}" closing LANGUAGE_MAP');
        continue;
      }
      if (t.t !== 'word' || t.v !== 'LANGUAGE') fail(t.line, `LANGUAGE expected in CD_TEXT, found "${t.v}"`);
      const b = next('a block number');
      if (b.t !== 'num' || Number(b.v) > 7) fail(b.line, `"${b.v}" is not a block number 0–7`);
      const lang = Number(b.v);
      if (out.has(lang)) fail(b.line, `LANGUAGE ${lang} given twice`);
      const items: Partial<Record<TocItem, string | number[]>> = {};
      out.set(lang, items);
      expect('{', `"{" after LANGUAGE ${lang}`);
      while (peek() && !(peek().t === 'punct' && peek().v === '}')) {
        const it = next('a CD-TEXT item');
        if (it.t !== 'word' || !ITEMS.has(it.v)) fail(it.line, `unknown CD-TEXT item "${it.v}" (TITLE, PERFORMER, SONGWRITER, COMPOSER, ARRANGER, MESSAGE, DISC_ID, GENRE, UPC_EAN, ISRC …)`);
        const key = it.v as TocItem;
        if (items[key] !== undefined) fail(it.line, `${key} given twice in LANGUAGE ${lang}`);
        if (peek()?.t === 'punct' && peek().v === '{') {
          p++;
          const bytes: number[] = [];
          while (peek() && !(peek().t === 'punct' && peek().v === '}')) {
            const v = next('a byte');
            if (v.t !== 'num' || Number(v.v) > 255) fail(v.line, `"${v.v}" is not a byte 0–255`);
            bytes.push(Number(v.v));
            if (peek()?.t === 'punct' && peek().v === ',') p++;
          }
          expect('}', `"}" closing ${key}`);
          items[key] = bytes;
        } else items[key] = str(`${key}'s text`);
      }
      expect('}', `"}" closing LANGUAGE ${lang}`);
    }
    expect('}', '"}" closing CD_TEXT');
  };

  const toc: TocFile = { languageMap: new Map(), cdText: new Map(), tracks: [] };
  // ---- disc header ---------------------------------------------------------------------------
  while (peek() && !isWord('TRACK')) {
    const t = next('a statement');
    if (t.t !== 'word') fail(t.line, `unexpected "${t.v}" (a TOC starts with CD_DA, CATALOG, CD_TEXT, then TRACK …)`);
    if (SESSION_TYPES.has(t.v)) {
      if (toc.sessionType) fail(t.line, `the session type is given twice (${toc.sessionType}, ${t.v})`);
      if (toc.catalog || toc.cdText.size) fail(t.line, `${t.v} belongs first`);
      toc.sessionType = t.v;
    } else if (t.v === 'CATALOG') {
      if (toc.catalog) fail(t.line, 'CATALOG given twice');
      const c = str('the catalog number');
      if (!/^\d{13}$/.test(c)) fail(t.line, `CATALOG "${c}" is not 13 digits`);
      toc.catalog = c;
    } else if (t.v === 'CD_TEXT') {
      if (toc.cdText.size) fail(t.line, 'the disc CD_TEXT block is given twice');
      cdTextBlock(toc.cdText, toc.languageMap);
    } else fail(t.line, `unknown statement ${t.v}${t.v === 'INDEX' || t.v === 'FILE' || t.v === 'START' ? ' before the first TRACK' : ''}`);
  }
  // ---- tracks ----------------------------------------------------------------------------------
  while (peek()) {
    const head = next('TRACK');
    if (head.t !== 'word' || head.v !== 'TRACK') fail(head.line, `TRACK expected, found "${head.v}"`);
    const modeTok = next('a track mode');
    if (modeTok.t !== 'word' || !TRACK_MODES.has(modeTok.v)) fail(modeTok.line, `unknown track mode "${modeTok.v}" (AUDIO, MODE1, MODE1_RAW, MODE2, MODE2_FORM1, MODE2_FORM2, MODE2_FORM_MIX, MODE2_RAW)`);
    const number = toc.tracks.length + 1;
    if (number > 99) fail(head.line, 'more than 99 tracks');
    const tr: TocTrack = { number, mode: modeTok.v, copy: false, preEmphasis: false, fourChannel: false, cdText: new Map(), sources: [], indexes: [], line: head.line };
    toc.tracks.push(tr);
    if (isWord('RW') || isWord('RW_RAW')) tr.subChannel = next('').v as 'RW' | 'RW_RAW';
    let channels = false;
    let copySet = false;
    let preSet = false;
    let started = false;
    while (peek() && !isWord('TRACK')) {
      const t = next('a track statement');
      if (t.t !== 'word') fail(t.line, `unexpected "${t.v}" in track ${number}`);
      const beforeData = (what: string) => {
        if (tr.sources.length) fail(t.line, `${what} belongs before the track's data (FILE, SILENCE …)`);
      };
      switch (t.v) {
        case 'NO': {
          const w = next('COPY or PRE_EMPHASIS');
          beforeData(`NO ${w.v}`);
          if (w.v === 'COPY') {
            if (copySet) fail(w.line, 'COPY given twice');
            copySet = true;
            tr.copy = false;
          } else if (w.v === 'PRE_EMPHASIS') {
            if (preSet) fail(w.line, 'PRE_EMPHASIS given twice');
            preSet = true;
            tr.preEmphasis = false;
          } else fail(w.line, `NO ${w.v}: only NO COPY and NO PRE_EMPHASIS exist`);
          break;
        }
        case 'COPY':
        case 'PRE_EMPHASIS':
          beforeData(t.v);
          if (t.v === 'COPY' ? copySet : preSet) fail(t.line, `${t.v} given twice`);
          if (t.v === 'COPY') [copySet, tr.copy] = [true, true];
          else [preSet, tr.preEmphasis] = [true, true];
          break;
        case 'TWO_CHANNEL_AUDIO':
        case 'FOUR_CHANNEL_AUDIO':
          beforeData(t.v);
          if (channels) fail(t.line, 'the channel count is given twice');
          channels = true;
          tr.fourChannel = t.v === 'FOUR_CHANNEL_AUDIO';
          break;
        case 'ISRC': {
          beforeData('ISRC');
          if (tr.isrc) fail(t.line, 'ISRC given twice');
          const v = str('the ISRC');
          if (!ISRC_PATTERN.test(v)) fail(t.line, `ISRC "${v}" is not CCOOOYYNNNNN (country, owner, year, serial)`);
          tr.isrc = v;
          break;
        }
        case 'CD_TEXT':
          beforeData('CD_TEXT');
          if (tr.pregapSectors !== undefined) fail(t.line, 'CD_TEXT belongs before PREGAP (PREGAP opens the track\'s data)');
          if (tr.cdText.size) fail(t.line, `track ${number}'s CD_TEXT block is given twice`);
          cdTextBlock(tr.cdText, undefined);
          break;
        case 'PREGAP':
          beforeData('PREGAP');
          if (tr.pregapSectors !== undefined) fail(t.line, 'PREGAP given twice');
          tr.pregapSectors = msf('PREGAP');
          break;
        case 'FILE':
        case 'AUDIOFILE': {
          if (tr.mode !== 'AUDIO') fail(t.line, `${t.v} holds audio samples; a ${tr.mode} track takes DATAFILE`);
          if (tr.indexes.length) fail(t.line, `${t.v} after INDEX`);
          const name = str('the file name');
          const swap = isWord('SWAP') ? (p++, true) : false;
          const byteOffset = peek()?.t === 'offset' ? Number(next('').v) : 0;
          const startSamples = samples(`${t.v}'s start`);
          const lengthSamples = isTime() ? samples(`${t.v}'s length`) : undefined;
          if (lengthSamples === 0) fail(t.line, `${t.v} "${name}" has length 0`);
          tr.sources.push({ kind: 'file', name, swap, byteOffset, startSamples, lengthSamples, line: t.line });
          break;
        }
        case 'DATAFILE': {
          if (tr.indexes.length) fail(t.line, 'DATAFILE after INDEX');
          const name = str('the file name');
          const byteOffset = peek()?.t === 'offset' ? Number(next('').v) : 0;
          const lengthSectors = isTime() ? (peek().t === 'msf' ? msf('DATAFILE length') : Math.ceil(Number(next('').v) / DATA_SECTOR[tr.mode])) : undefined;
          tr.sources.push({ kind: 'datafile', name, byteOffset, lengthSectors, line: t.line });
          break;
        }
        case 'SILENCE': {
          if (tr.mode !== 'AUDIO') fail(t.line, `SILENCE is audio; a ${tr.mode} track takes ZERO`);
          if (tr.indexes.length) fail(t.line, 'SILENCE after INDEX');
          const s = samples('SILENCE length');
          if (s === 0) fail(t.line, 'SILENCE of length 0');
          tr.sources.push({ kind: 'silence', samples: s, line: t.line });
          break;
        }
        case 'ZERO': {
          if (tr.indexes.length) fail(t.line, 'ZERO after INDEX');
          if (peek()?.t === 'word' && TRACK_MODES.has(peek().v)) p++;
          if (isWord('RW') || isWord('RW_RAW')) p++;
          const s = msf('ZERO length');
          if (s === 0) fail(t.line, 'ZERO of length 0');
          tr.sources.push({ kind: 'zero', sectors: s, line: t.line });
          break;
        }
        case 'START': {
          if (started) fail(t.line, 'START given twice');
          if (tr.pregapSectors !== undefined) fail(t.line, 'START and PREGAP both set the pause: use one');
          if (tr.indexes.length) fail(t.line, 'START after INDEX');
          started = true;
          if (isTime()) tr.startSectors = msf('START');
          else tr.startAfterSources = tr.sources.length;
          if (tr.startSectors === 0) tr.startSectors = undefined;
          break;
        }
        case 'INDEX': {
          if (!tr.sources.length) fail(t.line, 'INDEX before the track has data');
          const at = msf('INDEX');
          if (at <= (tr.indexes.at(-1) ?? 0)) fail(t.line, 'INDEX positions must rise and lie after the track start');
          if (tr.indexes.length >= 98) fail(t.line, 'at most 99 index points');
          tr.indexes.push(at);
          break;
        }
        default:
          fail(t.line, `unknown track statement ${t.v}`);
      }
    }
    if (!tr.sources.length) fail(tr.line, `track ${number} has no data (FILE, DATAFILE, SILENCE or ZERO)`);
    // cdrdao keeps a track's data of one kind: samples (FILE/AUDIOFILE/SILENCE, and PREGAP, which is
    // silence in an audio track) or sectors (DATAFILE/ZERO); it refuses a TOC that mixes them.
    const samplesKind = tr.sources.find((s) => s.kind === 'file' || s.kind === 'silence');
    const sectorsKind = tr.sources.find((s) => s.kind === 'datafile' || s.kind === 'zero');
    if (sectorsKind && (samplesKind || (tr.mode === 'AUDIO' && tr.pregapSectors !== undefined))) {
      fail(samplesKind && samplesKind.line > sectorsKind.line ? samplesKind.line : sectorsKind.line, `track ${number} mixes FILE/AUDIOFILE/SILENCE${tr.mode === 'AUDIO' ? '/PREGAP' : ''} with DATAFILE/ZERO, which cdrdao does not allow`);
    }
  }
  if (toc.tracks.length === 0) throw new InvalidInputError(`${source}: no TRACK`, { path: source });
  for (const n of toc.cdText.keys()) if (toc.languageMap.size && !toc.languageMap.has(n)) throw new InvalidInputError(`${source}: CD-TEXT LANGUAGE ${n} is not in the LANGUAGE_MAP`, { path: source });
  return toc;
}

export interface TocTrackExtent {
  number: number;
  /** Sectors from the program start (LBA 0), as `cdrdao show-toc` counts: PREGAP/pause start, START, INDEX 02…, END. */
  pregapStart: number;
  start: number;
  indexes: number[];
  end: number;
}

/**
 * Where each track lies, given the byte length of every referenced file (`fileBytes(name)`): a FILE
 * without a length runs to its end (from its byte offset and start sample), a DATAFILE likewise in
 * whole sectors. Fails with the line of a source that starts past its file's end or is not whole
 * sectors where a track must end on one.
 */
export function tocTrackExtents(toc: TocFile, fileBytes: (name: string) => number, source = 'TOC'): TocTrackExtent[] {
  const out: TocTrackExtent[] = [];
  let pos = 0;
  for (const t of toc.tracks) {
    const first = pos;
    let samples = (t.pregapSectors ?? 0) * SAMPLES_PER_SECTOR;
    let startSamples: number | undefined;
    for (const [k, s] of t.sources.entries()) {
      if (k === t.startAfterSources) startSamples = samples;
      const fail = (m: string): never => {
        throw new InvalidInputError(`${source}:${s.line}: ${m}`, { path: source, line: s.line });
      };
      if (s.kind === 'silence') samples += s.samples;
      else if (s.kind === 'zero') samples += s.sectors * SAMPLES_PER_SECTOR;
      else if (s.kind === 'file') {
        const avail = Math.floor((fileBytes(s.name) - s.byteOffset) / 4) - s.startSamples;
        const len = s.lengthSamples ?? avail;
        if (len <= 0 || len > avail) fail(`FILE "${s.name}": ${len > avail ? `the span ends past the file's end (${avail} samples there)` : 'nothing left after its start'}`);
        samples += len;
      } else {
        const size = DATA_SECTOR[t.mode];
        const avail = Math.floor((fileBytes(s.name) - s.byteOffset) / size);
        const len = s.lengthSectors ?? avail;
        if (len <= 0 || len > avail) fail(`DATAFILE "${s.name}" holds ${avail} sectors of ${size} bytes from its offset`);
        samples += len * SAMPLES_PER_SECTOR;
      }
    }
    if (samples % SAMPLES_PER_SECTOR !== 0) throw new InvalidInputError(`${source}:${t.line}: track ${t.number} is ${samples} samples long, not whole sectors of 588`, { path: source, line: t.line });
    const sectors = samples / SAMPLES_PER_SECTOR;
    if (startSamples !== undefined && startSamples % SAMPLES_PER_SECTOR !== 0) throw new InvalidInputError(`${source}:${t.line}: track ${t.number}'s START falls inside a sector`, { path: source, line: t.line });
    const pause = t.pregapSectors ?? t.startSectors ?? (startSamples !== undefined ? startSamples / SAMPLES_PER_SECTOR : 0);
    if (pause >= sectors) throw new InvalidInputError(`${source}:${t.line}: track ${t.number}'s pause is as long as the track`, { path: source, line: t.line });
    const start = first + pause;
    const idx = t.indexes.map((i) => start + i);
    if (idx.some((i) => i >= first + sectors)) throw new InvalidInputError(`${source}:${t.line}: track ${t.number} has an INDEX past its end`, { path: source, line: t.line });
    pos = first + sectors;
    out.push({ number: t.number, pregapStart: first, start, indexes: idx, end: pos });
  }
  return out;
}
