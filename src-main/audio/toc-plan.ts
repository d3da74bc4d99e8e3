// A cdrdao TOC file as something to burn (`glassmaster burn --toc FILE.toc`): parsed strictly
// (toc-parse.ts), its files checked, and laid out exactly where `cdrdao show-toc` puts every track
// (tocTrackExtents) — the TOC fixes every index, so layout.ts does not re-lay it out.
//
// cdrdao's rules followed (cdrdao(1), "TOC files"):
// - Audio tracks only (session CD_DA). A data track in a TOC is refused in words: mixed-mode discs
//   are authored with `glassmaster audio --data`.
// - FILE/AUDIOFILE names a WAVE file (or, as newer cdrdao builds do, another decodable audio file:
//   FLAC, AIFF, MP3, Ogg) or raw 16-bit stereo samples. Raw samples are big-endian unless SWAP is
//   given — toc2cue(1) warns about exactly this — so a raw file without SWAP (and every DATAFILE of an
//   audio track, which has no SWAP) is byte-swapped into the work folder first; with SWAP the file is
//   read where it lies. `#offset` applies to raw files only, and must fall on a sample (4 bytes).
// - Track 1's two-second pause before LBA 0 is the recorder's, as in every CD; LBA 0 is the start of
//   track 1's data. START inside track 1 makes its beginning index 00 (hidden track one audio).
// - COPY, PRE_EMPHASIS, FOUR_CHANNEL_AUDIO → the Q control nibble; ISRC and CATALOG → Q mode 2/3;
//   the CD_TEXT blocks (LANGUAGE_MAP) → CD-TEXT packs built anew, one block per language, with
//   SIZE_INFO/TOC_INFO items ignored (they describe the packs, which are rebuilt).
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { GlassmasterError, InvalidInputError, NotSupportedError } from '../common/errors';
import { LBA_MSF_OFFSET, SAMPLES_PER_SECTOR } from '../cd/msf';
import { Q_CONTROL } from '../cd/subchannel';
import type { AudioDecoderPool } from './audio-decoder-pool';
import type { AudioBurnPlan } from './audio-plan';
import type { PcmPlacement } from './cdda-source';
import { buildCdTextPacks, type CdTextBlock, type CdTextStrings } from './cd-text';
import type { DiscLayout, TrackPlacement } from './layout';
import { parseTocText, tocTrackExtents, type TocCdText, type TocFile, type TocSource } from './toc-parse';

/** EBU Tech 3264 language codes for the names cdrdao accepts in a LANGUAGE_MAP. */
const LANGUAGE_CODES: Record<string, number> = { EN: 0x09, DE: 0x08, FR: 0x0f, ES: 0x0a, IT: 0x15, NL: 0x1d, JA: 0x69, ZH: 0x75, KO: 0x65, PT: 0x21, SV: 0x28, DA: 0x07, FI: 0x27, NO: 0x1e, PL: 0x20, RU: 0x56 };

/** Magic numbers of the containers the decoder pool reads (anything else is raw samples). */
function isDecodable(head: Buffer): boolean {
  const s = (a: number, b: number) => head.subarray(a, b).toString('latin1');
  return (
    (s(0, 4) === 'RIFF' && s(8, 12) === 'WAVE') ||
    (s(0, 4) === 'FORM' && (s(8, 12) === 'AIFF' || s(8, 12) === 'AIFC')) ||
    s(0, 4) === 'fLaC' ||
    s(0, 4) === 'OggS' ||
    s(0, 3) === 'ID3' ||
    (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0)
  );
}

/** Copies a big-endian raw file into the work folder with every 16-bit sample swapped to little-endian. */
async function swapToLittleEndian(path: string, out: string, signal?: AbortSignal): Promise<void> {
  const src = await open(path, 'r');
  const dst = await open(out, 'wx');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; ; ) {
      signal?.throwIfAborted();
      const { bytesRead } = await src.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const n = bytesRead & ~1;
      buf.subarray(0, n).swap16();
      await dst.write(buf, 0, bytesRead, pos);
      pos += bytesRead;
    }
  } finally {
    await src.close();
    await dst.close();
  }
}

const latin1 = (v: string | number[]): string => (typeof v === 'string' ? v : Buffer.from(v.slice(0, v.includes(0) ? v.indexOf(0) : v.length)).toString('latin1'));

/** The CD-TEXT blocks of a TOC, one per language block, in block order. */
export function tocCdTextBlocks(toc: TocFile, tocPath: string): CdTextBlock[] {
  const numbers = [...new Set([...toc.cdText.keys(), ...toc.tracks.flatMap((t) => [...t.cdText.keys()])])].sort((a, b) => a - b);
  const strings = (m: TocCdText, n: number): CdTextStrings & { isrc?: string } => {
    const items = m.get(n) ?? {};
    const out: CdTextStrings & { isrc?: string } = {};
    for (const [item, key] of [['TITLE', 'title'], ['PERFORMER', 'performer'], ['SONGWRITER', 'songwriter'], ['COMPOSER', 'composer'], ['ARRANGER', 'arranger'], ['MESSAGE', 'message']] as const) {
      const v = items[item];
      if (v !== undefined && latin1(v) !== '') out[key] = latin1(v);
    }
    if (items.ISRC !== undefined) out.isrc = latin1(items.ISRC);
    return out;
  };
  return numbers.map((n) => {
    const mapped = toc.languageMap.get(n);
    let language = 0x09;
    if (mapped !== undefined) {
      const code = /^\d+$/.test(mapped) ? Number(mapped) : LANGUAGE_CODES[mapped.toUpperCase()];
      if (code === undefined || code > 0xff) throw new InvalidInputError(`${tocPath}: LANGUAGE_MAP names "${mapped}", which is not a language code this program knows (use the EBU number)`, { path: tocPath });
      language = code;
    }
    const disc = toc.cdText.get(n) ?? {};
    const album: CdTextBlock['album'] = strings(toc.cdText, n);
    if (disc.DISC_ID !== undefined) album.discId = latin1(disc.DISC_ID);
    if (disc.UPC_EAN !== undefined) album.upcEan = latin1(disc.UPC_EAN);
    const genre = disc.GENRE;
    // GENRE is binary in cdrdao's TOC: the two-byte genre code, then a text.
    if (Array.isArray(genre) && genre.length >= 2) album.genre = { code: (genre[0] << 8) | genre[1], text: latin1(genre.slice(2)) || undefined };
    return { language, charset: 'iso-8859-1', album, tracks: toc.tracks.map((t) => strings(t.cdText, n)) };
  });
}

interface PreparedFile {
  /** Little-endian samples to read (the file itself, its swapped copy, or its decoded PCM). */
  pcm: string;
  /** Bytes the TOC's arithmetic sees: raw file size, or decoded samples × 4. */
  bytes: number;
  decoded: boolean;
}

/**
 * Reads, checks and prepares what a TOC names into `workDir` and returns the burn plan. Errors name
 * the TOC file and line (or the audio file).
 */
export async function tocBurnPlan(tocPath: string, workDir: string, opts: { pool: AudioDecoderPool; signal?: AbortSignal }): Promise<AudioBurnPlan> {
  let text: string;
  try {
    // cdrdao writes and reads TOC files in ISO 8859-1.
    text = (await readFile(tocPath)).toString('latin1');
  } catch (e) {
    throw new InvalidInputError(`cannot read ${tocPath}: ${(e as Error).message}`, { path: tocPath });
  }
  const toc = parseTocText(text, tocPath);
  const fail = (line: number, m: string, Err: typeof InvalidInputError = InvalidInputError): never => {
    throw new Err(`${tocPath}:${line}: ${m}`, { path: tocPath, line });
  };
  if (toc.sessionType !== undefined && toc.sessionType !== 'CD_DA') fail(1, `session type ${toc.sessionType}: only audio TOC files (CD_DA) are burned from a TOC; author mixed-mode discs with \`glassmaster audio --data\``, NotSupportedError);
  for (const t of toc.tracks) {
    if (t.mode !== 'AUDIO') fail(t.line, `TRACK ${t.mode}: only AUDIO tracks are burned from a TOC`, NotSupportedError);
    if (t.subChannel) fail(t.line, `TRACK AUDIO ${t.subChannel}: sub-channel data from the TOC is not written`, NotSupportedError);
  }

  // Each referenced file once (raw with SWAP and raw without are different preparations of one file).
  const prepared = new Map<string, PreparedFile>();
  const keyOf = (s: Extract<TocSource, { kind: 'file' | 'datafile' }>) => `${s.kind === 'file' && s.swap ? 'le' : 'be'}:${s.name}`;
  let made = 0;
  for (const t of toc.tracks) {
    for (const s of t.sources) {
      if (s.kind !== 'file' && s.kind !== 'datafile') continue;
      const key = keyOf(s);
      if (s.byteOffset % 4 !== 0) fail(s.line, `#${s.byteOffset} is not on a sample (a multiple of 4 bytes)`);
      if (prepared.has(key)) continue;
      const path = resolve(dirname(tocPath), s.name);
      let head: Buffer;
      let size: number;
      try {
        const st = await stat(path);
        if (!st.isFile()) fail(s.line, `"${s.name}" is not a regular file`);
        size = st.size;
        const fh = await open(path, 'r');
        try {
          head = Buffer.alloc(12);
          await fh.read(head, 0, 12, 0);
        } finally {
          await fh.close();
        }
      } catch (e) {
        if (e instanceof GlassmasterError) throw e;
        return fail(s.line, `cannot open ${s.kind === 'file' ? 'FILE' : 'DATAFILE'} "${s.name}": ${(e as Error).message}`);
      }
      if (s.kind === 'file' && isDecodable(head)) {
        if (s.byteOffset !== 0) fail(s.line, `FILE "${s.name}" is an audio file, not raw samples: a #byte offset applies to raw files only`);
        const pcm = join(workDir, `toc-${made++}.cdda`);
        const r = await opts.pool.decodeToFile(path, pcm, { signal: opts.signal });
        prepared.set(key, { pcm, bytes: r.samples * 4, decoded: true });
      } else if (s.kind === 'file' && s.swap) {
        prepared.set(key, { pcm: path, bytes: size, decoded: false });
      } else {
        const pcm = join(workDir, `toc-${made++}.swapped`);
        await swapToLittleEndian(path, pcm, opts.signal);
        prepared.set(key, { pcm, bytes: size, decoded: false });
      }
    }
  }
  const fileBytes = (name: string) => {
    const p = [...prepared.entries()].find(([k]) => k.slice(3) === name);
    return p ? p[1].bytes : 0;
  };
  const extents = tocTrackExtents(toc, fileBytes, tocPath);

  const placements: PcmPlacement[] = [];
  const tracks: TrackPlacement[] = toc.tracks.map((t, i) => {
    const ext = extents[i];
    let cursor = ext.pregapStart * SAMPLES_PER_SECTOR + (t.pregapSectors ?? 0) * SAMPLES_PER_SECTOR;
    for (const s of t.sources) {
      if (s.kind === 'silence') cursor += s.samples;
      else if (s.kind === 'zero') cursor += s.sectors * SAMPLES_PER_SECTOR;
      else {
        const f = prepared.get(keyOf(s))!;
        const from = s.byteOffset / 4 + (s.kind === 'file' ? s.startSamples : 0);
        const avail = Math.floor(f.bytes / 4) - from;
        const samples = s.kind === 'file' ? (s.lengthSamples ?? avail) : (s.lengthSectors ?? Math.floor((f.bytes - s.byteOffset) / 2352)) * SAMPLES_PER_SECTOR;
        placements.push({ file: f.pcm, fileSample: from, firstSample: cursor, samples });
        cursor += samples;
      }
    }
    if (ext.end - ext.start < 4 * 75) fail(t.line, `track ${t.number} is shorter than 4 seconds (Red Book)`);
    const control = (t.copy ? Q_CONTROL.copyPermitted : 0) | (t.preEmphasis ? Q_CONTROL.preEmphasis : 0) | (t.fourChannel ? Q_CONTROL.fourChannel : 0);
    return {
      number: t.number,
      // Track 1's pause is the two seconds before LBA 0, whatever the TOC holds.
      pregapStart: i === 0 ? -LBA_MSF_OFFSET : ext.pregapStart,
      start: ext.start,
      indexes: ext.indexes,
      end: ext.end,
      firstSample: ext.start * SAMPLES_PER_SECTOR,
      samples: (ext.end - ext.start) * SAMPLES_PER_SECTOR,
      hiddenSamples: i === 0 ? ext.start * SAMPLES_PER_SECTOR : 0,
      control,
      isrc: t.isrc,
    };
  });
  const layout: DiscLayout = { tracks, leadOut: extents.at(-1)!.end, mcn: toc.catalog };

  let cdTextPacks: Uint8Array[] = [];
  const blocks = tocCdTextBlocks(toc, tocPath);
  if (blocks.length) {
    try {
      cdTextPacks = buildCdTextPacks(blocks).packs;
    } catch (e) {
      throw new InvalidInputError(`${tocPath}: ${(e as Error).message}`, { path: tocPath });
    }
  }
  return { layout, cdTextPacks, placements };
}
