// A multisession disc copied session by session, as a burner's user expects of a copy: session 1's
// sectors written as the target's session 1 and closed so a next one can follow, then session 2 at
// the target's next writable address, … and the last session left as the source's was (appendable,
// or finalized when the source is closed). Each session is read back and compared with the source's
// session before the next one is written (the burn's own verify, level 'full' by default).
//
// Why byte for byte at the same addresses: every session's file systems (ISO 9660, Joliet, Rock
// Ridge, UDF) point at absolute sectors — its own files and the files it carries over from earlier
// sessions (ECMA-119 §6.2, the mkisofs -C/-M convention). A reader finds the last session through
// the TOC (READ TOC format 1, MMC-6 §6.25) and then trusts those pointers. So session N of the copy
// is only valid if it starts at the sector where session N of the source starts. Between sessions a
// sequential disc keeps closing/lead-out and lead-in/intro areas whose size the media family fixes
// (CD: 6,750 + 4,500 + 150 after the first session, DVD+R: a closure, BD-R: track padding), so a
// target of the same kind as the source places each session where the source has it; another kind
// would not, and is refused before anything is written.
//
// MUST rules:
//  - refused before either disc is written (NotSupportedError / InvalidMediaError, plain words and
//    what to do instead): a target that cannot hold sessions (DVD+RW, DVD-RAM, BD-RE, formatted
//    media), a target of another kind than the source (its sessions would land at other sectors),
//    a target that is not blank, a source session with audio tracks or several tracks (a data copy
//    writes one data track per session: a CD with audio is read to BIN/CUE and burned with --cue);
//  - CD: every session starts where the copy's TAO burn puts it after the previous session's data
//    (cd/session-layout.ts), checked before either disc is written (checkSessionPlaces); DVD/BD
//    gaps are the drive's, found at the session (next rule);
//  - CD run-out (the last 2 sectors of a TAO track past its ISO volume, unrecorded or answered as a
//    medium error) is not part of a session's data (trimRunOut, read/run-out.ts);
//  - each session is placed (PlacedByteSource.startLba): the burn refuses to write it anywhere but
//    at the source's address, and the copy stops there saying what the target holds;
//  - the sessions before the last are closed (close 'session'); the last is closed as the source
//    is ('disc' for a complete source, 'session' for an appendable one) unless the caller chose.
import { InvalidMediaError, NotSupportedError } from '../common/errors';
import { DATA_SECTOR } from '../image/byte-source';
import type { ByteSourceFactory, PlacedByteSource } from './burn-service';
import { openFileSectors } from './file-sectors-source';
import type { BurnOptions } from '../common/model/burn';
import type { MediaInfo } from '../common/model/drive';
import { profileNumber } from '../mmc/profiles';
import type { Drive } from '../drive/drive';
import type { DiscLayout } from '../read/disc-layout';
import { driveBlockReader } from '../read/drive-block-reader';
import { isCdRunOut, isoVolumeEnd } from '../read/run-out';
import { cdTaoNextSessionStart, CD_TAO_RUN_OUT } from '../cd/session-layout';

/** One session of the source as the copy writes it. */
export interface CopySession {
  number: number;
  start: number;
  end: number;
  /** CD mode 2 data (CD-ROM XA): written as XA too. */
  xa: boolean;
  /** How this session is closed on the target. */
  close: 'session' | 'disc';
}

/**
 * Sequential media kinds whose sessions sit at the same addresses for the same data: the session
 * gaps are a property of the kind (CD-R and CD-RW share the CD's; DVD-R and sequential DVD-RW the
 * DVD-R's). Random-writable media have no kind here: they cannot hold sessions.
 */
const KIND: Record<number, string> = {
  0x09: 'CD-R/RW', 0x0a: 'CD-R/RW',
  0x11: 'DVD-R/RW', 0x14: 'DVD-R/RW',
  0x15: 'DVD-R DL', 0x16: 'DVD-R DL',
  0x1b: 'DVD+R',
  0x2b: 'DVD+R DL',
  0x41: 'BD-R',
};

export function sessionKind(profile: number): string | undefined {
  return KIND[profile];
}

/** The sessions of `layout` as a copy writes them; refuses what a session-by-session data copy cannot reproduce. */
export function planSessionCopy(layout: DiscLayout, address: string, close?: BurnOptions['close']): CopySession[] {
  const kind = sessionKind(layout.profile);
  if (!kind) throw new NotSupportedError(`The disc in ${address} reports ${layout.sessions.length} sessions but is not sequential recordable media: it cannot be copied session by session.`, { address });
  const out: CopySession[] = [];
  layout.sessions.forEach((s, i) => {
    const tracks = layout.tracks.filter((t) => t.session === s.number);
    if (tracks.some((t) => t.audio)) {
      throw new NotSupportedError(
        `Session ${s.number} of the disc in ${address} holds audio tracks: a data copy cannot reproduce them. Read the CD to BIN/CUE (\`glassmaster read --drive ${address} -o disc.cue\`, which records the sessions) and burn that with \`glassmaster burn --cue disc.cue\`.`,
        { address, session: s.number },
      );
    }
    if (tracks.length !== 1) {
      throw new NotSupportedError(
        `Session ${s.number} of the disc in ${address} holds ${tracks.length} tracks; a copy writes one data track per session.${layout.family === 'cd' ? ` Read the CD to BIN/CUE (\`glassmaster read --drive ${address} -o disc.cue\`) and burn it with \`glassmaster burn --cue\`.` : ' Read it to an image with `glassmaster read`.'}`,
        { address, session: s.number, tracks: tracks.length },
      );
    }
    const last = i === layout.sessions.length - 1;
    out.push({ number: s.number, start: s.start, end: s.end, xa: layout.family === 'cd' && tracks[0].dataMode === 2, close: last ? close ?? (layout.status === 'appendable' ? 'session' : 'disc') : 'session' });
  });
  return out;
}

/**
 * The CD sessions' data without their run-out (read/run-out.ts): a session's track end counts the 2
 * run-out blocks the recorder adds after a TAO track, and a TAO burn of the copy adds its own again.
 * Written with them, every following session would land 2 sectors late, and a two-drive copy would
 * fail reading them from a drive that answers them as damaged. Other families end a session at its data.
 */
export async function trimRunOut(drive: Drive, layout: DiscLayout, sessions: CopySession[], signal?: AbortSignal): Promise<void> {
  if (layout.family !== 'cd') return;
  const reader = driveBlockReader(drive, { sectorCount: layout.end, retries: 0, signal });
  for (const s of sessions) {
    if (s.end - s.start <= CD_TAO_RUN_OUT) continue;
    const volumeEnd = await isoVolumeEnd(reader, s.start, s.end);
    let end = s.end;
    // One sector at a time from the end (a failed multi-sector READ names only its first bad sector).
    while (end > s.start && s.end - end < CD_TAO_RUN_OUT) {
      const r = await reader.readTolerant(end - 1, 1);
      if (!r.bad.some((x) => isCdRunOut(x.error, x.lba, s.end, volumeEnd))) break;
      end--;
    }
    s.end = end;
  }
}

/**
 * Every session of a CD source starts where the copy's TAO burn will put it (cd/session-layout.ts),
 * checked once the run-out is trimmed and before anything is written: a source written otherwise
 * (SAO/DAO without run-out, other gaps) would get session 1 burned and session 2 refused, wasting
 * the blank. DVD and BD gaps are the drive's to choose: there placedSession refuses at the session.
 */
export function checkSessionPlaces(layout: DiscLayout, sessions: CopySession[], address: string): void {
  if (layout.family !== 'cd') return;
  for (let i = 1; i < sessions.length; i++) {
    const want = cdTaoNextSessionStart(sessions[i - 1].end, i === 1);
    const s = sessions[i];
    if (s.start === want) continue;
    throw new NotSupportedError(
      `Session ${s.number} of the CD in ${address} starts at sector ${s.start}; a copy's session ${s.number} would start at sector ${want} (a copy writes each session Track-At-Once: after session ${sessions[i - 1].number}'s data come 2 run-out blocks, the lead-out, the next lead-in and pregap). The source's sessions were written another way (Session-At-Once, or other gaps), and the file systems of its sessions point at their own sectors, so nothing is written. Read it to an image with \`glassmaster read --drive ${address} -o disc.iso\` (the last session's files resolve in it) and burn that as a one-session disc.`,
      { address, session: s.number, start: s.start, copyStart: want },
    );
  }
}

/** The target disc can take every session of the source where the source has it (before the first write). */
export function checkSessionTarget(layout: DiscLayout, media: MediaInfo, from: string, to: string): void {
  const want = sessionKind(layout.profile)!;
  const profile = profileNumber(media.profile) ?? 0;
  const kind = sessionKind(profile);
  const n = layout.sessions.length;
  const instead = `or read it to an image with \`glassmaster read --drive ${from} -o disc.iso\` (the last session's files resolve in it) and burn that as a one-session disc.`;
  if (!kind || media.formatted) {
    throw new NotSupportedError(`A ${media.profile} cannot hold sessions: the ${n} sessions of the ${want} in ${from} need a blank ${want} in ${to}, ${instead}`, { from, to, target: media.profile });
  }
  if (kind !== want) {
    throw new NotSupportedError(
      `The ${n}-session ${want} in ${from} needs a blank ${want} to copy to, not a ${media.profile}: each session's file system points at absolute sectors, and a ${media.profile} places sessions at other addresses. Insert a blank ${want}, ${instead}`,
      { from, to, target: media.profile, needs: want },
    );
  }
  if (media.status !== 'blank') throw new InvalidMediaError(`The disc in ${to} is not blank (${media.status}): a copy of ${n} sessions starts at sector 0 of a blank ${want}.`, { to, status: media.status });
  const need = layout.sessions[n - 1].end;
  if (media.capacityBlocks && media.capacityBlocks < need) {
    throw new InvalidMediaError(`The ${want} in ${to} holds ${media.capacityBlocks} sectors; the copy needs ${need} (to the end of session ${n}).`, { to, capacity: media.capacityBlocks, need });
  }
}

/** Burn options for one session: its close, CD-ROM XA when the source's track is mode 2, DVD-R written incrementally (DAO holds one session). */
export function sessionBurnOptions(options: BurnOptions, s: CopySession, profile: number): BurnOptions {
  const dvdMinus = sessionKind(profile)?.startsWith('DVD-R') ?? false;
  return { ...options, close: s.close, copies: 1, ...(s.xa ? { cdXa: true } : {}), ...(dvdMinus ? { writeMode: 'incremental' as const } : {}) };
}

/**
 * One session of a disc read to an ISO (read-disc.ts keeps every session at its own address): the
 * sectors start … end of the file, placed at `start` (a one-drive copy burns these after the swap).
 */
export function openImageSessionSource(path: string, s: Pick<CopySession, 'number' | 'start' | 'end'>): Promise<PlacedByteSource> {
  return openFileSectors(path, { byteOffset: s.start * DATA_SECTOR, sectors: s.end - s.start, sectorSize: DATA_SECTOR, startLba: s.start, description: `session ${s.number} of the copied disc` });
}

/**
 * A session that must be written at `start` (its file system points at absolute sectors): the burn's
 * own call of the factory passes the target's medium, whose next writable address must be `start`;
 * otherwise nothing is written and the error says what the target holds (`written` sessions before).
 */
export function placedSession(open: ByteSourceFactory, s: { number: number; start: number }, written: () => number): ByteSourceFactory {
  return async (disc) => {
    const nwa = disc?.media.nextWritableAddress;
    if (disc && nwa !== undefined && nwa !== s.start) {
      const n = written();
      const before = n ? `; the target holds the first ${n} session(s), verified, and stays appendable` : '';
      throw new InvalidMediaError(`Session ${s.number} belongs at sector ${s.start}, but the recorder would write it at sector ${nwa}: its file system would point at the wrong sectors, so it is not written${before}.`, { session: s.number, start: s.start, nextWritableAddress: nwa });
    }
    return open(disc);
  };
}
