// `burn --cue` of a data CD's BIN/CUE, one session or several (`REM SESSION nn`, as `read -o X.cue`
// writes it for a multisession CD, and as EAC/CUETools/IsoBuster/libmirage use it): each data
// track burned Track-At-Once as its own session, the sessions before the last closed so the next
// can follow, each read back and compared with the .bin's user data.
//
// Where a session lands: the file systems of session N point at absolute sectors, and a .cue keeps
// no addresses but the .bin's. The sessions are laid out as a CD recorder lays them (Orange Book,
// MMC-6 §4.2.3): session 1 from sector 0; each data track written TAO ends in 2 run-out blocks;
// after session 1 come its lead-out (6,750 sectors) and the next lead-in (4,500), after later
// sessions a 2,250-sector lead-out and the lead-in; then the next track's 150-sector pregap. That is
// where the disc the .cue was read from had them when it was written TAO (ours, cdrecord -multi,
// xorriso). A session's ISO 9660 tells where it was made for: its root directory's first record
// ('.', ECMA-119 §9.1) names the directory's own absolute sector, so at (root − start) in the
// track must be that directory. A sheet whose sessions do not agree with the layout is refused
// before anything is written.
//
// MUST rules:
//  - only data: BINARY files, tracks MODE1/2352, MODE1/2048 or MODE2/2352 (CD-ROM XA form 1, written
//    as XA), one track per session; audio in a multisession sheet, or a mixed audio+data sheet, is
//    refused in words (an audio sheet goes to the audio burner);
//  - the target is a blank CD-R/RW, and every session is placed (placedSession): the burn refuses to
//    write it anywhere else;
//  - every session is verified in full (unless --verify none) against the user data in the .bin.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidInputError, InvalidMediaError, NotSupportedError } from '../common/errors';
import type { BurnOptions, BurnProgress, BurnResult } from '../common/model/burn';
import type { DriveService } from '../drive/drive-service';
import { openInputFile } from '../image/host-input-file';
import { profileNumber } from '../mmc/profiles';
import type { CueSheet } from '../audio/cue-parse';
import type { BurnService } from './burn-service';
import { cdTaoNextSessionStart } from '../cd/session-layout';
import { placedSession } from './copy-sessions';
import { openFileSectors } from './file-sectors-source';


export interface CueDataSession {
  session: number;
  track: number;
  mode: string;
  bin: string;
  byteOffset: number;
  sectorSize: number;
  userDataOffset: number;
  sectors: number;
  /** Where the session is written (first sector of its track). */
  startLba: number;
  xa: boolean;
}

const SECTOR_SIZE: Record<string, { size: number; user: number }> = {
  'MODE1/2352': { size: 2352, user: 16 },
  'MODE1/2048': { size: 2048, user: 0 },
  'MODE2/2352': { size: 2352, user: 24 },
};

/** True when the sheet holds data tracks (then this module burns it, not the audio burner). */
export function isDataCue(sheet: CueSheet): boolean {
  return sheet.tracks.some((t) => t.mode !== 'AUDIO');
}

/** The sessions of a parsed data sheet, laid out as a CD recorder writes them; refuses what cannot be burned so. */
export async function planCueDataBurn(sheet: CueSheet, cuePath: string): Promise<CueDataSession[]> {
  const fail = (line: number, m: string): never => {
    throw new NotSupportedError(`${cuePath}:${line}: ${m}`, { path: cuePath, line });
  };
  const audio = sheet.tracks.find((t) => t.mode === 'AUDIO');
  if (audio) fail(audio.line, `track ${audio.number} is AUDIO in a sheet with data tracks: a mixed or CD-Extra sheet is not burned from a .cue here (burn the audio with \`glassmaster audio\` and the data as a next session with \`burn --multisession\`)`);
  const sizes = new Map<number, number>();
  const out: CueDataSession[] = [];
  for (const s of new Set(sheet.tracks.map((t) => t.session))) {
    const inSession = sheet.tracks.filter((t) => t.session === s);
    if (inSession.length !== 1) fail(inSession[1].line, `session ${s} holds ${inSession.length} data tracks; a data disc is burned one track per session`);
    const t = inSession[0];
    const kind = SECTOR_SIZE[t.mode] ?? fail(t.line, `track ${t.number} is ${t.mode}; data tracks are burned from MODE1/2352, MODE1/2048 or MODE2/2352 (form 1) sectors`);
    const file = sheet.files[t.file];
    if (file.type !== 'BINARY') fail(file.line, `FILE "${file.name}" is ${file.type}; data tracks come from a BINARY file`);
    const bin = resolve(dirname(cuePath), file.name);
    if (!sizes.has(t.file)) {
      const st = await stat(bin).catch((e: Error) => fail(file.line, `cannot read FILE "${file.name}": ${e.message}`));
      sizes.set(t.file, st.size);
    }
    const i01 = t.indexes.find((x) => x.number === 1)!;
    const next = sheet.tracks.find((x) => x.number === t.number + 1 && x.file === t.file);
    const endFrames = next ? next.indexes[0].frames : sizes.get(t.file)! / kind.size;
    if (!Number.isInteger(endFrames)) fail(file.line, `FILE "${file.name}" is not whole ${kind.size}-byte sectors`);
    const sectors = endFrames - i01.frames;
    if (sectors <= 0) fail(t.line, `track ${t.number} holds no sectors`);
    const prev = out.at(-1);
    const startLba = !prev ? i01.frames - t.indexes[0].frames : cdTaoNextSessionStart(prev.startLba + prev.sectors, prev.session === 1);
    if (!prev && startLba !== 0) fail(t.line, 'the first data track starts at INDEX 01 00:00:00 of its file');
    out.push({ session: s, track: t.number, mode: t.mode, bin, byteOffset: i01.frames * kind.size, sectorSize: kind.size, userDataOffset: kind.user, sectors, startLba, xa: t.mode === 'MODE2/2352' });
  }
  for (const s of out) await checkSession(s, cuePath);
  return out;
}

/**
 * What the session's own sectors say: a raw sector's mode byte (and form 1 for mode 2), and, when
 * its ISO 9660 volume descriptor is there, that its root directory is found where the session as
 * placed puts it (the '.' record at root − start names sector `root`).
 */
async function checkSession(s: CueDataSession, cuePath: string): Promise<void> {
  const { fh } = await openInputFile(s.bin, 'image');
  try {
    const at = async (i: number) => {
      const b = Buffer.alloc(s.sectorSize);
      await fh.read(b, 0, b.length, s.byteOffset + i * s.sectorSize);
      return b;
    };
    if (s.sectorSize === 2352) {
      const first = await at(0);
      const mode = first[15];
      if (mode !== (s.xa ? 2 : 1)) throw new InvalidInputError(`${cuePath}: track ${s.track} is ${s.mode} but its first sector is mode ${mode}`, { path: cuePath });
      if (s.xa && first[18] & 0x20) throw new NotSupportedError(`${cuePath}: track ${s.track} holds Mode 2 form 2 sectors (video/audio XA); only form 1 data is burned`, { path: cuePath });
    }
    if (s.sectors <= 16) return;
    const pvd = (await at(16)).subarray(s.userDataOffset, s.userDataOffset + 2048);
    if (pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') return;
    const root = pvd.readUInt32LE(156 + 2);
    const inside = root >= s.startLba && root < s.startLba + s.sectors;
    const dot = inside ? (await at(root - s.startLba)).subarray(s.userDataOffset, s.userDataOffset + 2048) : undefined;
    const found = dot !== undefined && dot[0] >= 34 && dot[32] === 1 && dot[33] === 0 && dot.readUInt32LE(2) === root;
    if (!found) {
      throw new InvalidMediaError(
        `${cuePath}: session ${s.session}'s ISO 9660 has its root directory at sector ${root}, but the session placed at sector ${s.startLba} (where a CD recorder writes it after the sessions before it) has no such directory there: the disc this sheet was read from laid its sessions out otherwise (not Track-At-Once?), and a copy written here would not read.`,
        { path: cuePath, session: s.session, root, startLba: s.startLba },
      );
    }
  } finally {
    await fh.close();
  }
}

export interface CueDataBurnResult {
  sessions: Array<{ session: number; track: number; startLba: number; sectors: number; closed: 'session' | 'disc'; burn: BurnResult }>;
  discState: string;
}

/** Burns the planned sessions to the blank CD-R/RW in `address`, in order, each verified before the next. */
export async function burnCueData(
  deps: { drives: DriveService; burner: BurnService },
  address: string,
  sessions: CueDataSession[],
  options: Pick<BurnOptions, 'verify' | 'close' | 'speedX' | 'simulate' | 'eject'>,
  hooks: { signal?: AbortSignal; onProgress?: (session: number, of: number, p: BurnProgress) => void } = {},
): Promise<CueDataBurnResult> {
  const media = await deps.drives.media(address, hooks.signal);
  const profile = profileNumber(media.profile) ?? 0;
  if (profile !== 0x09 && profile !== 0x0a) throw new InvalidMediaError(`A BIN/CUE is burned to a CD-R or CD-RW; the disc in ${address} is a ${media.profile}.`, { address });
  if (media.status !== 'blank') throw new InvalidMediaError(`The CD in ${address} is not blank (${media.status}): the sheet's sessions start at sector 0 of a blank disc.`, { address });
  if (sessions.length > 1 && options.simulate) throw new NotSupportedError('A test write of several sessions is not possible: each session must be written before the next can be placed.');
  const done: CueDataBurnResult['sessions'] = [];
  for (const [i, s] of sessions.entries()) {
    const last = i === sessions.length - 1;
    const closed = last ? options.close ?? 'disc' : 'session';
    const open = () => openFileSectors(s.bin, { byteOffset: s.byteOffset, sectors: s.sectors, sectorSize: s.sectorSize, userDataOffset: s.userDataOffset, startLba: s.startLba, description: `track ${s.track} of the BIN/CUE` });
    const burn = await deps.burner.burn(address, placedSession(open, { number: s.session, start: s.startLba }, () => done.length), {
      writeMode: 'tao', close: closed, verify: options.verify ?? 'full', speedX: options.speedX, simulate: options.simulate, eject: last && options.eject, ...(s.xa ? { cdXa: true } : {}),
    }, { signal: hooks.signal, onProgress: (p) => hooks.onProgress?.(s.session, sessions.length, p) });
    done.push({ session: s.session, track: s.track, startLba: s.startLba, sectors: s.sectors, closed, burn });
  }
  return { sessions: done, discState: done[done.length - 1].burn.discState };
}
