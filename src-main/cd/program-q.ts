// Which Q sub-channel frame each sector of a CD program area carries (ECMA-130 §22.3, Red Book): the
// one rule for every writer of Q — Glassmaster's raw (RAW-96) burner makes it itself, and the
// virtual recorder makes it from a Session-At-Once cue sheet as a real drive does. Pure.
// - Q mode 1 with track, index (00 in a pause, 01, 02 … at the index points), relative time
//   (counting down to index 01 in a pause, §22.3.3.4) and absolute time; P set in pauses (§22.3.2).
// - The MCN (Q mode 2) replaces one frame in 100 and each track's ISRC (Q mode 3) another one in 100
//   inside the track (§22.3.4, §22.3.5: at least once every 100 frames), never at the first frame of
//   a track or an index nor at a track's last frame, so a player sees every index change in mode 1.
import { LBA_MSF_OFFSET } from './msf';
import { packPw, qMode1, qMode2Mcn, qMode3Isrc } from './subchannel';

/** One track of a program area as Q sees it (audio's TrackPlacement is one). */
export interface QTrack {
  number: number;
  /** LBA of index 00 (equal to `start` without a pause); track 1's pause starts at LBA −150. */
  pregapStart: number;
  /** LBA of index 01. */
  start: number;
  /** LBAs of index 02 … */
  indexes: number[];
  /** First LBA after the track. */
  end: number;
  /** Q CONTROL nibble. */
  control: number;
  isrc?: string;
}

export interface QProgram {
  tracks: QTrack[];
  mcn?: string;
}

/** Frame (absolute time mod 100) that carries the MCN, and the one that carries a track's ISRC. */
const MCN_SLOT = 25;
const ISRC_SLOT = 75;

export type ProgramQ =
  | { adr: 1; track: number; index: number; relative: number; pause: boolean; control: number }
  | { adr: 2; mcn: string; control: number; pause: boolean }
  | { adr: 3; isrc: string; control: number; pause: boolean };

const pauseStart = (t: QTrack) => (t.number === 1 ? -LBA_MSF_OFFSET : t.pregapStart);

/** The track whose index 00 … end holds `lba` (track 1's pause starts at LBA −150). */
export function trackAt(program: QProgram, lba: number): QTrack {
  const ts = program.tracks;
  for (let i = ts.length - 1; i > 0; i--) if (lba >= ts[i].pregapStart) return ts[i];
  return ts[0];
}

/** What Q a program sector (LBA −150 … lead-out − 1) carries. */
export function programQ(program: QProgram, lba: number): ProgramQ {
  const t = trackAt(program, lba);
  const pause = lba < t.start;
  const index = pause ? 0 : 1 + t.indexes.filter((x) => x <= lba).length;
  const boundaries = [pauseStart(t), t.start, ...t.indexes];
  const edge = boundaries.includes(lba) || boundaries.includes(lba + 1) || lba + 1 === t.end;
  const slot = (lba + LBA_MSF_OFFSET) % 100;
  if (!edge && program.mcn && slot === MCN_SLOT) return { adr: 2, mcn: program.mcn, control: t.control, pause };
  if (!edge && t.isrc && !pause && slot === ISRC_SLOT) return { adr: 3, isrc: t.isrc, control: t.control, pause };
  return { adr: 1, track: t.number, index, relative: pause ? t.start - lba : lba - t.start, pause, control: t.control };
}

/** 96 bytes of raw P-W for a program sector, with the R-W of `rw` when given (CD-TEXT, CD+G). */
export function programSubchannel(program: QProgram, lba: number, rw?: Uint8Array): Uint8Array {
  const q = programQ(program, lba);
  const bytes = q.adr === 2 ? qMode2Mcn(q.control, q.mcn, lba) : q.adr === 3 ? qMode3Isrc(q.control, q.isrc, lba) : qMode1({ control: q.control, track: q.track, index: q.index, relative: q.relative, lba });
  return packPw(q.pause, bytes, rw);
}
