// Reading a disc to an image file:
//  - ISO: the 2048-byte user data of the data tracks (READ(10)), from sector 0 to the end of the
//    last data track, so a multisession disc's last file system resolves in the file; sectors no
//    track records (gaps between CD sessions, TAO run-out blocks, audio tracks) are zeros and listed
//    as gaps, not damage.
//  - BIN/CUE (CD only): every track as raw 2352-byte sectors (READ CD with sync, headers, user data
//    and EDC/ECC, MMC-6 §6.19; audio as CD-DA), one .bin and a .cue naming each track's mode and
//    INDEX 01 (and INDEX 00 when the pregap could be read; PREGAP when the drive has nothing there).
//    When the drive returns the Q sub-channel with READ CD, index points (00, 02…), ISRCs and the MCN
//    come from it; CD-TEXT from READ TOC format 0101b goes into CUE TITLE/PERFORMER/SONGWRITER lines
//    and a CDTEXTFILE (NAME.cdt, the raw packs). A CD of several sessions gets a `REM SESSION nn`
//    line before each session's first TRACK (as EAC, CUETools, IsoBuster and libmirage write and
//    read it); the .bin holds the tracks only (no lead-out/lead-in between sessions), each
//    session's first track with its 2-second pregap as PREGAP (unrecorded) or INDEX 00 (recorded).
// Both retry sectors the drive reports damaged, leave what stays unreadable as zeros, and name the
// files that own it. Output goes to NAME.partial and is renamed when complete.
import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { InvalidInputError, InvalidMediaError, NotSupportedError, ScsiError, throwIfAborted, type GlassmasterError } from '../common/errors';
import type { LbaRange } from '../common/model/verify';
import type { DiscProgress, DiscReadReport } from '../common/model/verify-report';
import type { Drive } from '../drive/drive';
import { openImage } from '../image/reader';
import { lbaToMsf } from '../mmc/bytes';
import { buildReadCd } from '../mmc/commands/read-cd';
import { CD_TEXT_FIELDS, cdTextFile, type CdTextBlock, type CdTextStrings } from '../audio/cd-text';
import { decodeCdTextPacks } from '../audio/cd-text-decode';
import { Q_CONTROL } from '../cd/subchannel';
import { QTimeline, readCdTextPacks } from './cd-subchannel';
import { readDiscLayout, type DiscLayout, type DiscTrack } from './disc-layout';
import { driveBlockReader, sectorSpanReader, UnreadableSectorError, SECTOR } from './drive-block-reader';
import { OutputSet } from './output-files';
import { isCdRunOut, isoVolumeEnd } from './run-out';
import { CD_TAO_RUN_OUT } from '../cd/session-layout';
import { affectedFiles, toRanges } from './owners';

export const RAW_SECTOR = 2352;
/** READ CD formatted Q after each sector (MMC-6 §6.19, Sub-channel Data Selection 010b). */
const Q_BYTES = 16;
/** Sectors per pass of the read loop (1 MiB of ISO): the unit of progress and of file writes. */
const PASS = 512;
/** Raw sectors per READ CD (37 KiB). */
const RAW_CHUNK = 16;

export interface ReadDiscOptions {
  /** NAME.iso (or any other name) for an ISO image; NAME.cue for BIN/CUE (NAME.bin beside it). */
  output: string;
  force?: boolean;
  /** Re-reads of a sector the drive reports damaged (default 3). */
  retries?: number;
  signal?: AbortSignal;
  onProgress?: (p: DiscProgress) => void;
}

export function outputFormat(output: string): 'iso' | 'cue' {
  return extname(output).toLowerCase() === '.cue' ? 'cue' : 'iso';
}

/** Reads the disc in `drive` to opts.output; resolves with what was read and what was not. */
export async function readDisc(drive: Drive, opts: ReadDiscOptions): Promise<DiscReadReport> {
  const t0 = Date.now();
  const format = outputFormat(opts.output);
  const progress = progressReporter(opts.onProgress, t0);
  progress.phase('checking-disc');
  const layout = await readDiscLayout(drive, opts.signal);
  if (layout.tracks.length === 0) throw new InvalidMediaError('the disc in the drive is blank: there is nothing to read', { status: layout.status });
  return format === 'cue' ? readCue(drive, layout, opts, progress, t0) : readIso(drive, layout, opts, progress, t0);
}

interface Progress {
  phase(p: DiscProgress['phase']): void;
  total(n: number): void;
  advance(sectors: number, bytes: number, bad: number): void;
}

function progressReporter(cb: ReadDiscOptions['onProgress'], t0: number): Progress {
  const st: DiscProgress = { operation: 'read', phase: 'checking-disc', sectorsDone: 0, totalSectors: 0, bytesDone: 0, badSectors: 0, kBps: 0, elapsedMs: 0 };
  const emit = () => {
    st.elapsedMs = Date.now() - t0;
    st.kBps = st.elapsedMs > 0 ? Math.round(st.bytesDone / st.elapsedMs) : 0;
    cb?.({ ...st });
  };
  return {
    phase(p) {
      st.phase = p;
      emit();
    },
    total(n) {
      st.totalSectors = n;
    },
    advance(sectors, bytes, bad) {
      st.sectorsDone += sectors;
      st.bytesDone += bytes;
      st.badSectors += bad;
      emit();
    },
  };
}

/**
 * The span of an ISO: up to the last data track's end; on random-writable media (one track the
 * size of the formatted area) only as far as the ISO 9660 volume space reaches, when there is one.
 */
export async function isoEnd(drive: Drive, layout: DiscLayout, dataTracks: DiscTrack[], opts: Pick<ReadDiscOptions, 'retries' | 'signal'>): Promise<number> {
  let end = Math.max(...dataTracks.map((t) => t.end));
  if (layout.random && end > 17) {
    const pvd = await driveBlockReader(drive, { sectorCount: end, retries: opts.retries, signal: opts.signal }).read(16, 1).catch(() => undefined);
    if (pvd && pvd[0] === 1 && pvd.toString('latin1', 1, 6) === 'CD001') {
      const size = pvd.readUInt32LE(80);
      if (size > 16 && size < end) end = size;
    }
  }
  return end;
}

async function readIso(drive: Drive, layout: DiscLayout, opts: ReadDiscOptions, progress: Progress, t0: number): Promise<DiscReadReport> {
  const dataTracks = layout.tracks.filter((t) => !t.audio);
  if (dataTracks.length === 0) throw new InvalidMediaError('this is an audio CD: it has no data tracks for an ISO image (read it to NAME.cue instead)');
  const end = await isoEnd(drive, layout, dataTracks, opts);
  const retried = new Set<number>();
  const reader = driveBlockReader(drive, { sectorCount: end, retries: opts.retries, signal: opts.signal, onRetry: (lba) => retried.add(lba) });
  const bad: number[] = [];
  let gaps: number[] = [];
  const out = await OutputSet.create([opts.output], opts.force ?? false);
  const hash = createHash('sha256');
  let held = 0;
  let written = 0;
  // A CD TAO track's run-out answered as damage (03/11/05 on many drives) is run-out all the same (run-out.ts).
  const volumeEnds = new Map<number, number>();
  const runOut = async (e: GlassmasterError, lba: number): Promise<boolean> => {
    const t = layout.family === 'cd' ? dataTracks.find((x) => lba >= x.start && lba < x.end) : undefined;
    if (!t || lba < t.end - CD_TAO_RUN_OUT) return false;
    if (!volumeEnds.has(t.start)) volumeEnds.set(t.start, await isoVolumeEnd(reader, t.start, t.end));
    return isCdRunOut(e, lba, t.end, volumeEnds.get(t.start)!);
  };
  progress.total(end);
  progress.phase('reading');
  try {
    for (let lba = 0; lba < end; lba += PASS) {
      throwIfAborted(opts.signal);
      const n = Math.min(PASS, end - lba);
      const buf = Buffer.alloc(n * SECTOR);
      let badHere = 0;
      // Only sectors inside data tracks are asked for; the rest of the span is gap.
      for (const [a, b] of recordedPieces(dataTracks, lba, lba + n)) {
        const r = await reader.readTolerant(a, b - a);
        r.data.copy(buf, (a - lba) * SECTOR);
        for (const x of r.bad) {
          if (isUnrecorded(x.error) || (await runOut(x.error, x.lba))) gaps.push(x.lba);
          else {
            bad.push(x.lba);
            badHere++;
          }
        }
      }
      for (let l = lba; l < lba + n; l++) if (!dataTracks.some((t) => l >= t.start && l < t.end)) gaps.push(l);
      // Trailing gap sectors (the last track's run-out) are held back: written only if data follows.
      const gapSet = new Set(gaps.slice(-n));
      let keep = n;
      while (keep > 0 && gapSet.has(lba + keep - 1)) keep--;
      if (keep > 0) {
        if (held) {
          const zeros = Buffer.alloc(held * SECTOR);
          hash.update(zeros);
          await writeAll(out.get(0).fh, zeros);
          written += held;
          held = 0;
        }
        hash.update(buf.subarray(0, keep * SECTOR));
        await writeAll(out.get(0).fh, buf.subarray(0, keep * SECTOR));
        written += keep;
      }
      held += n - keep;
      progress.advance(n, buf.length, badHere);
    }
    // The held-back run-out is not part of the image: drop it from the gap list too.
    gaps = gaps.filter((l) => l < written);
    throwIfAborted(opts.signal); // a cancel at the last moment still keeps the real name free
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
  const report: DiscReadReport = {
    output: opts.output, format: 'iso', files: [opts.output], sectors: written, bytes: written * SECTOR, sha256: hash.digest('hex'),
    gaps: toRanges(gaps), bad: { unreadable: toRanges(bad), unreadableCount: bad.length, recoveredCount: [...retried].filter((l) => !bad.includes(l)).length },
    tracks: layout.tracks.map(({ number, session, start, end: e, audio }) => ({ number, session, start, end: e, audio })), elapsedMs: 0,
  };
  if (bad.length) {
    progress.phase('mapping-files');
    report.bad.files = await ownersFromImage(opts.output, bad);
  }
  report.elapsedMs = Date.now() - t0;
  progress.phase('done');
  return report;
}

/** Who owns the bad sectors, read from the image just written; undefined when its file system is unreadable. */
async function ownersFromImage(path: string, bad: number[]): Promise<DiscReadReport['bad']['files']> {
  try {
    const info = await openImage(path);
    try {
      return await affectedFiles(info, bad);
    } finally {
      await info.close();
    }
  } catch {
    return undefined;
  }
}

/** The drive said "nothing recorded there" (a gap between sessions, TAO run-out), not damage. */
export function isUnrecorded(e: GlassmasterError): boolean {
  return e instanceof UnreadableSectorError && e.unrecorded;
}

/** The parts of [from, to) that lie inside the given tracks, in order. */
export function recordedPieces(tracks: DiscTrack[], from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const t of [...tracks].sort((a, b) => a.start - b.start)) {
    const a = Math.max(from, t.start);
    const b = Math.min(to, t.end);
    if (a < b) out.push([a, b]);
  }
  return out;
}

async function writeAll(fh: import('node:fs/promises').FileHandle, buf: Buffer): Promise<void> {
  let done = 0;
  while (done < buf.length) done += (await fh.write(buf, done, buf.length - done)).bytesWritten;
}

// ---- BIN/CUE ------------------------------------------------------------------------------------

/** The longest stretch between two tracks of one session a .cue can describe (a 2-minute pregap plus run-out). */
const MAX_GAP = 75 * 60 * 3;

async function readCue(drive: Drive, layout: DiscLayout, opts: ReadDiscOptions, progress: Progress, t0: number): Promise<DiscReadReport> {
  if (layout.family !== 'cd') throw new NotSupportedError(`BIN/CUE holds CD sectors; this is a ${layout.family.toUpperCase()} disc (read it to NAME.iso)`, { family: layout.family });
  const binPath = opts.output.replace(/\.cue$/i, '.bin');
  if (binPath === opts.output) throw new InvalidInputError(`BIN/CUE output must end in .cue: ${opts.output}`);
  const tracks = [...layout.tracks].sort((a, b) => a.start - b.start);
  const retried = new Set<number>();
  // Expected sector type 0 (any) with every main-channel field: 2352 bytes for data and audio alike,
  // followed by the formatted Q when the drive returns it.
  const withQ = await readsFormattedQ(drive, tracks[0].start, opts.signal);
  const spans = sectorSpanReader(drive, {
    sectorSize: RAW_SECTOR + (withQ ? Q_BYTES : 0),
    build: (lba, n) => buildReadCd({ lba, blocks: n, sectorType: 0, sync: true, headerCodes: 3, userData: true, edcEcc: true, subChannel: withQ ? 2 : 0 }),
    chunk: RAW_CHUNK,
    retries: opts.retries,
    signal: opts.signal,
    onRetry: (lba) => retried.add(lba),
  });
  const q = new QTimeline();
  const packs = await readCdTextPacks(drive, opts.signal);
  const cdText = decodeCdTextPacks(packs);
  const cdtPath = cdText ? opts.output.replace(/\.cue$/i, '.cdt') : undefined;
  // Audio before track 1's index 01 (a pause longer than 2 s, hidden track one audio) is its index 00 from LBA 0.
  const lead = tracks[0].number === 1 && tracks[0].start > 0 && tracks[0].start <= MAX_GAP ? tracks[0].start : 0;
  const multisession = layout.sessions.length > 1;
  // Every sector read below: the tracks, the pauses between tracks of a session, and the pregap
  // read before a later session's first track (the progress must end at exactly 100%).
  const total = tracks.reduce((n, t, i) => {
    const next = tracks[i + 1];
    const after = !next ? 0 : next.session !== t.session ? Math.min(150, Math.max(0, next.start - t.end)) : Math.max(0, next.start - t.end);
    return n + t.end - t.start + after;
  }, lead);
  const out = await OutputSet.create([binPath, opts.output, ...(cdtPath ? [cdtPath] : [])], opts.force ?? false);
  const bin = out.get(0).fh;
  const hash = createHash('sha256');
  const bad: number[] = [];
  const gaps: number[] = [];
  let fileSectors = 0;
  /** Which LBAs went where in the .bin: [first LBA, file sector, count]. */
  const placed: Array<[number, number, number]> = [];
  const write = async (buf: Buffer, lba: number) => {
    hash.update(buf);
    await writeAll(bin, buf);
    placed.push([lba, fileSectors, buf.length / RAW_SECTOR]);
    fileSectors += buf.length / RAW_SECTOR;
  };
  const read = (lba: number, n: number) => readRawTolerant(spans, lba, n, withQ ? q : undefined);
  // A data track's run-out answered as damage (03/11/05 on many drives) is run-out all the same (run-out.ts).
  const volumeEnds = new Map<number, number>();
  const runOut = async (t: DiscTrack, e: GlassmasterError, lba: number): Promise<boolean> => {
    if (t.audio || lba < t.end - CD_TAO_RUN_OUT) return false;
    if (!volumeEnds.has(t.start)) volumeEnds.set(t.start, await isoVolumeEnd(driveBlockReader(drive, { sectorCount: t.end, retries: opts.retries, signal: opts.signal }), t.start, t.end));
    return isCdRunOut(e, lba, t.end, volumeEnds.get(t.start)!);
  };
  const cueTracks: CueTrack[] = [];
  let pendingPregap = 0;
  let pendingIndex0: number | undefined;
  progress.total(total);
  progress.phase('reading');
  try {
    if (lead) {
      const g = await read(0, lead);
      if (g.bad.filter((x) => isUnrecorded(x.error)).length === lead) {
        pendingPregap = lead;
        for (let l = 0; l < lead; l++) gaps.push(l);
      } else {
        pendingIndex0 = 0;
        for (const x of g.bad) (isUnrecorded(x.error) ? gaps : bad).push(x.lba);
        await write(g.data, 0);
      }
      progress.advance(lead, lead * RAW_SECTOR, 0);
    }
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i];
      const opensSession = multisession && (i === 0 || tracks[i - 1].session !== t.session);
      cueTracks.push({ track: t, index1: fileSectors, index0: pendingIndex0, pregap: pendingPregap || undefined, ...(opensSession ? { session: t.session } : {}) });
      pendingPregap = 0;
      pendingIndex0 = undefined;
      // Trailing unrecorded sectors (TAO run-out) are held back: written as zeros only if something readable follows.
      let heldZeros = 0;
      for (let lba = t.start; lba < t.end; lba += PASS) {
        const n = Math.min(PASS, t.end - lba);
        const r = await read(lba, n);
        let badHere = 0;
        const unrecorded = new Set<number>();
        for (const x of r.bad) {
          if (isUnrecorded(x.error) || (await runOut(t, x.error, x.lba))) {
            gaps.push(x.lba);
            unrecorded.add(x.lba);
          } else {
            bad.push(x.lba);
            badHere++;
          }
        }
        let keep = n;
        while (keep > 0 && unrecorded.has(lba + keep - 1)) keep--;
        if (keep > 0) {
          if (heldZeros) await write(Buffer.alloc(heldZeros * RAW_SECTOR), lba - heldZeros);
          heldZeros = 0;
          await write(r.data.subarray(0, keep * RAW_SECTOR), lba);
        }
        heldZeros += n - keep;
        progress.advance(n, n * RAW_SECTOR, badHere);
      }
      const next = tracks[i + 1];
      if (!next) break;
      if (next.session !== t.session) {
        // Lead-out, lead-in and the next session's pregap lie between: only the pregap (the 2 s
        // before the track, MMC-6 §4.2.3.7) belongs to the next track; the run-out held back is dropped.
        for (let l = t.end - heldZeros; l < next.start; l++) gaps.push(l);
        const pre = Math.min(150, next.start - t.end);
        const g = await read(next.start - pre, pre);
        if (g.bad.filter((x) => isUnrecorded(x.error)).length === pre) pendingPregap = pre;
        else {
          for (let l = next.start - pre; l < next.start; l++) gaps.splice(gaps.lastIndexOf(l), 1);
          pendingIndex0 = fileSectors;
          for (const x of g.bad) (isUnrecorded(x.error) ? gaps : bad).push(x.lba);
          await write(g.data, next.start - pre);
        }
        progress.advance(pre, pre * RAW_SECTOR, 0);
        continue;
      }
      const gapLen = next.start - t.end;
      if (gapLen < 0 || gapLen > MAX_GAP) throw new NotSupportedError(`track ${next.number} starts ${gapLen} sectors after track ${t.number} ends: not one session a .cue can describe`);
      const g = gapLen > 0 ? await read(t.end, gapLen) : { data: Buffer.alloc(0), bad: [] };
      const gapUnrecorded = g.bad.filter((x) => isUnrecorded(x.error)).length === gapLen;
      if (gapUnrecorded) {
        // Nothing the drive can give: the next track's pregap is generated (PREGAP), not in the .bin.
        pendingPregap = heldZeros + gapLen;
        for (let l = t.end - heldZeros; l < next.start; l++) gaps.push(l);
      } else {
        if (heldZeros) await write(Buffer.alloc(heldZeros * RAW_SECTOR), t.end - heldZeros);
        pendingIndex0 = fileSectors;
        for (const x of g.bad) (isUnrecorded(x.error) ? gaps : bad).push(x.lba);
        if (gapLen > 0) await write(g.data, t.end);
      }
      progress.advance(gapLen, gapLen * RAW_SECTOR, 0);
    }
    const disc: CueDisc = {};
    if (withQ && q.hasPositions) applySubchannel(q, cueTracks, disc, placed);
    if (cdText && cdtPath) {
      await writeAll(out.get(2).fh, Buffer.from(cdTextFile(packs)));
      disc.cdtName = basename(cdtPath);
      disc.text = cdText.blocks.find((b) => b.charset !== 'ms-jis') ?? cdText.blocks[0];
      disc.textFirstTrack = cdText.firstTrack;
    }
    await writeAll(out.get(1).fh, cueBytes(cueSheet(basename(binPath), cueTracks, disc)));
    throwIfAborted(opts.signal);
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
  const report: DiscReadReport = {
    output: opts.output, format: 'cue', files: [binPath, opts.output, ...(cdtPath ? [cdtPath] : [])], sectors: fileSectors, bytes: fileSectors * RAW_SECTOR, sha256: hash.digest('hex'),
    gaps: toRanges(gaps), bad: { unreadable: toRanges(bad), unreadableCount: bad.length, recoveredCount: [...retried].filter((l) => !bad.includes(l)).length },
    tracks: layout.tracks.map(({ number, session, start, end, audio }) => ({ number, session, start, end, audio })), elapsedMs: 0,
  };
  if (bad.length && tracks.some((t) => !t.audio)) {
    progress.phase('mapping-files');
    try {
      const dataEnd = Math.max(...tracks.filter((t) => !t.audio).map((t) => t.end));
      const info = await openImage(driveBlockReader(drive, { sectorCount: dataEnd, retries: 0, signal: opts.signal }));
      report.bad.files = await affectedFiles(info, bad);
    } catch {
      // The file system itself sits on a bad sector: the report keeps the sector ranges only.
    }
  }
  report.elapsedMs = Date.now() - t0;
  progress.phase('done');
  return report;
}

/** Sectors lba … lba+n−1 as 2352-byte frames; with `q`, each sector's formatted Q goes to it (unreadable ones excepted). */
async function readRawTolerant(spans: ReturnType<typeof sectorSpanReader>, lba: number, n: number, q?: QTimeline): Promise<{ data: Buffer; bad: Array<{ lba: number; error: GlassmasterError }> }> {
  const bad: Array<{ lba: number; error: GlassmasterError }> = [];
  const raw = await spans.read(lba, n, (at, error) => bad.push({ lba: at, error }));
  if (!q) return { data: raw, bad };
  const size = RAW_SECTOR + Q_BYTES;
  const data = Buffer.allocUnsafe(n * RAW_SECTOR);
  const badSet = new Set(bad.map((x) => x.lba));
  for (let i = 0; i < n; i++) {
    raw.copy(data, i * RAW_SECTOR, i * size, i * size + RAW_SECTOR);
    if (!badSet.has(lba + i)) q.add(lba + i, raw.subarray(i * size + RAW_SECTOR, i * size + RAW_SECTOR + 12));
  }
  return { data, bad };
}

/**
 * Whether the drive returns formatted Q with READ CD (MMC-6 §6.19 makes sub-channel reading
 * optional: a drive without it answers ILLEGAL REQUEST, and the image is made without Q).
 */
async function readsFormattedQ(drive: Drive, lba: number, signal?: AbortSignal): Promise<boolean> {
  try {
    const r = await drive.query(buildReadCd({ lba, blocks: 1, sectorType: 0, sync: true, headerCodes: 3, userData: true, edcEcc: true, subChannel: 2 }), { signal, retries: 1 });
    return r.length >= RAW_SECTOR + Q_BYTES;
  } catch (e) {
    if (e instanceof ScsiError) return false;
    throw e;
  }
}

interface CueTrack {
  track: DiscTrack;
  index0?: number;
  index1: number;
  pregap?: number;
  /** Index points 02… as .bin sectors. */
  indexes?: number[];
  isrc?: string;
  /** CUE FLAGS from the track's Q CONTROL (DCP, PRE, 4CH). */
  flags?: string[];
  /** The first track of this session on a multisession disc: `REM SESSION nn` goes before it. */
  session?: number;
}

interface CueDisc {
  mcn?: string;
  cdtName?: string;
  text?: CdTextBlock;
  /** Track number of text.tracks[0]. */
  textFirstTrack?: number;
}

/**
 * Index points, ISRCs and the MCN from the Q sub-channel. Index 00 and 02… are where Q says they are
 * (an SAO pause the TOC counts to the previous track included); index 01 stays the TOC's start.
 */
function applySubchannel(q: QTimeline, cueTracks: CueTrack[], disc: CueDisc, placed: Array<[number, number, number]>): void {
  const fileAt = (lba: number): number | undefined => {
    const p = placed.find(([l, , n]) => lba >= l && lba < l + n);
    return p ? p[1] + (lba - p[0]) : undefined;
  };
  const points = q.indexPoints();
  const isrcs = q.isrcs();
  disc.mcn = q.mcn();
  for (const c of cueTracks) {
    const ix = points.get(c.track.number);
    if (c.track.audio) {
      c.isrc = isrcs.get(c.track.number);
      const ctl = q.control(c.track.number);
      if (ctl !== undefined) c.flags = [ctl & Q_CONTROL.copyPermitted ? 'DCP' : '', ctl & Q_CONTROL.preEmphasis ? 'PRE' : '', ctl & Q_CONTROL.fourChannel ? '4CH' : ''].filter(Boolean);
    }
    if (!ix) continue;
    const zero = ix.get(0);
    const zeroAt = zero === undefined ? undefined : fileAt(zero);
    if (zeroAt !== undefined && zeroAt < c.index1) c.index0 = zeroAt;
    const more: number[] = [];
    for (let k = 2; ix.has(k); k++) {
      const at = fileAt(ix.get(k)!);
      if (at === undefined || at <= (more.at(-1) ?? c.index1)) break;
      more.push(at);
    }
    if (more.length) c.indexes = more;
  }
}

const msf = (frames: number) => {
  const m = lbaToMsf(frames - 150); // lbaToMsf adds the 2-second offset of LBA 0 (MMC-6 §4.2.3.8); a .cue counts from the file start
  return [m.m, m.s, m.f].map((v) => String(v).padStart(2, '0')).join(':');
};

/** CUE has no escape for '"': it becomes "'" (the .cdt keeps the exact text). */
const cueString = (s: string) => `"${s.replace(/"/g, "'").replace(/[\r\n]+/g, ' ')}"`;
const CUE_FIELD: Partial<Record<keyof CdTextStrings, string>> = { title: 'TITLE', performer: 'PERFORMER', songwriter: 'SONGWRITER' };

function textLines(indent: string, s: CdTextStrings): string[] {
  const out: string[] = [];
  for (const f of CD_TEXT_FIELDS) {
    const v = s[f];
    if (v) out.push(`${indent}${CUE_FIELD[f] ?? `REM ${f.toUpperCase()}`} ${cueString(v)}`);
  }
  return out;
}

/** ISO 8859-1 when every character fits (the CD-TEXT character set, as libcdio reads a CUE), else UTF-8. */
function cueBytes(text: string): Buffer {
  return [...text].every((c) => c.charCodeAt(0) <= 0xff) ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

/** The .cue sheet (CDRWIN format as cdrdao, bchunk and cd-info read it). */
export function cueSheet(binName: string, tracks: CueTrack[], disc: CueDisc = {}): string {
  const lines: string[] = [];
  if (disc.mcn) lines.push(`CATALOG ${disc.mcn}`);
  if (disc.cdtName) lines.push(`CDTEXTFILE ${cueString(disc.cdtName)}`);
  if (disc.text) lines.push(...textLines('', disc.text.album));
  lines.push(`FILE "${binName.replace(/"/g, '')}" BINARY`);
  for (const c of tracks) {
    const mode = c.track.audio ? 'AUDIO' : c.track.dataMode === 2 ? 'MODE2/2352' : 'MODE1/2352';
    if (c.session !== undefined) lines.push(`  REM SESSION ${String(c.session).padStart(2, '0')}`);
    lines.push(`  TRACK ${String(c.track.number).padStart(2, '0')} ${mode}`);
    if (c.flags?.length) lines.push(`    FLAGS ${c.flags.join(' ')}`);
    if (c.isrc) lines.push(`    ISRC ${c.isrc}`);
    const text = disc.text?.tracks[c.track.number - (disc.textFirstTrack ?? 1)];
    if (text) lines.push(...textLines('    ', text));
    if (c.pregap) lines.push(`    PREGAP ${msf(c.pregap)}`);
    if (c.index0 !== undefined) lines.push(`    INDEX 00 ${msf(c.index0)}`);
    lines.push(`    INDEX 01 ${msf(c.index1)}`);
    (c.indexes ?? []).forEach((at, k) => lines.push(`    INDEX ${String(k + 2).padStart(2, '0')} ${msf(at)}`));
  }
  return lines.join('\n') + '\n';
}

export type { LbaRange };
