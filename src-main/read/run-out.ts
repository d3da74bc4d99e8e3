// A CD data track written Track-At-Once ends in 2 run-out blocks (MMC-6 §4.2.3.7: link/run-out),
// counted in the track's length but holding no data. Drives answer a read of them as unrecorded
// (BLANK CHECK, 05/21, 05/64) or as damage (MEDIUM ERROR, often 03/11/05 L-EC uncorrectable).
// Either is run-out when it falls in the track's last 2 sectors past the session's ISO 9660 volume
// (its primary volume descriptor, at the track's start + 16, gives the volume's size counted from
// sector 0: ECMA-119 §8.4.8, the mkisofs -C convention), so a damaged last data sector of a track
// written without run-out (SAO/DAO) still counts as damage.
import { ScsiError, type GlassmasterError } from '../common/errors';
import { CD_TAO_RUN_OUT } from '../cd/session-layout';
import { SenseKey } from '../mmc/sense';
import { UnreadableSectorError, type DriveBlockReader } from './drive-block-reader';

/** One past the last sector of the ISO 9660 volume of the track at start … end, when its PVD says so and it ends inside the track; else `start`. */
export async function isoVolumeEnd(reader: DriveBlockReader, start: number, end: number): Promise<number> {
  if (end - start <= 17) return start;
  const pvd = await reader.read(start + 16, 1).catch(() => undefined);
  if (!pvd || pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') return start;
  const size = pvd.readUInt32LE(80);
  return size > start + 16 && size <= end ? size : start;
}

/** `error` at `lba` is the run-out of a CD TAO data track ending at `trackEnd` whose ISO volume ends at `volumeEnd`. */
export function isCdRunOut(error: GlassmasterError, lba: number, trackEnd: number, volumeEnd: number): boolean {
  if (!(error instanceof UnreadableSectorError) || lba < trackEnd - CD_TAO_RUN_OUT || lba >= trackEnd || lba < volumeEnd) return false;
  return error.unrecorded || (error.cause instanceof ScsiError && error.cause.senseKey === SenseKey.MEDIUM_ERROR);
}
