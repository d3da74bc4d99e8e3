// One source to several recorders at once (`glassmaster burn --drive A --drive B --image F`). Each
// drive is an independent job of the burn service — its own lease, its own source opened from the
// factory, its own read-back — started together, so a slow or failing drive holds up no other.
//
// MUST rules:
//  - every drive's outcome is its own: a failure (busy, no disc, write error, verification) is
//    reported for that drive and the others go on to the end;
//  - a cancel (the shared signal) stops every job; each leaves its disc as a cancelled burn does;
//  - the same address twice is refused before anything starts (it would be DRIVE_BUSY anyway);
//  - the overall exit code is the worst (highest) of the drives' codes: 0 only when every disc
//    was burned and verified.
import { GlassmasterError, InvalidInputError, type GlassmasterErrorJSON } from '../common/errors';
import { exitCodeFor, ExitCode } from '../common/exit-codes';
import type { BurnOptions, BurnProgress, BurnResult } from '../common/model/burn';
import type { BurnService, ByteSourceFactory, JobHooks } from './burn-service';

export type DriveOutcome = { address: string; ok: true; result: BurnResult; exitCode: 0 } | { address: string; ok: false; error: GlassmasterErrorJSON; exitCode: number };

export interface QueueResult {
  ok: boolean;
  drives: DriveOutcome[];
  /** The worst exit code of all drives (0 when every disc was burned and verified). */
  exitCode: number;
}

export async function burnToDrives(
  burner: BurnService,
  addresses: string[],
  openSource: ByteSourceFactory,
  options: BurnOptions,
  hooks: { signal?: AbortSignal; onProgress?: (address: string, p: BurnProgress) => void; onDone?: (outcome: DriveOutcome) => void } = {},
): Promise<QueueResult> {
  if (addresses.length === 0) throw new InvalidInputError('name at least one drive');
  const dup = addresses.find((a, i) => addresses.indexOf(a) !== i);
  if (dup) throw new InvalidInputError(`the drive ${dup} is named twice`, { address: dup });
  const drives = await Promise.all(
    addresses.map(async (address): Promise<DriveOutcome> => {
      const jobHooks: JobHooks = { signal: hooks.signal, onProgress: (p) => hooks.onProgress?.(address, p) };
      let outcome: DriveOutcome;
      try {
        outcome = { address, ok: true, result: await burner.burn(address, openSource, options, jobHooks), exitCode: ExitCode.OK };
      } catch (e) {
        const err = GlassmasterError.from(e);
        outcome = { address, ok: false, error: err.toJSON(), exitCode: exitCodeFor(err.code) };
      }
      try {
        hooks.onDone?.(outcome);
      } catch {
        // a listener's failure must not change the outcome
      }
      return outcome;
    }),
  );
  const exitCode = Math.max(...drives.map((d) => d.exitCode));
  return { ok: exitCode === 0, drives, exitCode };
}
