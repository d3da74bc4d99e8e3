// CLOSE TRACK/SESSION (MMC-6 §6.3): the close function's meaning depends on the profile.
import { cdb, checkField, put16 } from '../bytes';
import { cmdNone, type MmcCommand } from '../command';
import { Op } from '../opcodes';

/**
 * 1 close track; 2 close session (CD/DVD-R: per multi-session field; DVD+R/BD-R: close session);
 * 3 stop BG format (DVD+RW); 5 finalize DVD+R with minimal radius / close session; 6 finalize
 * (DVD+R, BD-R: close session and disc); 4 quick finalize DVD-RW DL?; 0 quick stop BG format.
 */
export type CloseFunction = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export function buildCloseTrackSession(fn: CloseFunction, trackOrSession = 0, immediate = false): MmcCommand {
  const b = cdb(10, Op.CLOSE_TRACK_SESSION);
  b[1] = immediate ? 1 : 0;
  b[2] = checkField('closeFunction', fn, 3);
  put16(b, 4, checkField('trackOrSession', trackOrSession, 16));
  return cmdNone(b, 10 * 60_000);
}
export const buildCloseTrack = (track: number, immediate = false) => buildCloseTrackSession(1, track, immediate);
export const buildCloseSession = (immediate = false) => buildCloseTrackSession(2, 0, immediate);
