// The write-strategy contract: how one media family takes a stream of 2048-byte sectors. The burn
// service (burn-service.ts) runs every strategy the same way — prepare, write at the plan's
// addresses, finish or abandon — and one suite (contract/burn-contract.ts) runs against every media
// family of the virtual recorder, as transport/contract does for ScsiTransport.
//
// Rules every strategy MUST keep:
// - prepare() is the only step that changes the medium before data: it may format (reporting
//   'formatting'), calibrate ('calibrating'), set the Write Parameters page (write type, test write,
//   BURN-Free, multi-session), reserve a track, send a cue sheet or fix a layer break. It returns a
//   WritePlan whose startLba is where the first data sector goes, and it refuses, before anything is
//   written, what the medium cannot take (a closed disc, too little space, a test write the media
//   does not define) with an InvalidMediaError or NotSupportedError in plain words.
// - The burn service then writes exactly plan.sectors sectors in order from plan.startLba, in
//   WRITEs of plan.writeSectors sectors (a multiple of the medium's blocking factor); the last write
//   is padded with zero sectors to a multiple of plan.padTo.
// - finish() flushes (SYNCHRONIZE CACHE) and closes what the options ask: the track, then the
//   session (the disc stays appendable) or the disc (finalized), waiting for IMMED operations with
//   progress ('closing'). After it the disc reports what plan.expect says.
// - abandon() is called after a cancel or a failure once prepare() succeeded; it MUST NOT throw and
//   MUST NOT take the caller's (aborted) signal. It stops the recording in the state the spec
//   allows that keeps the disc readable (flush, close track and session where the media permits),
//   and returns one sentence saying what is on the disc now.
// - No strategy locks, unlocks, ejects or releases the drive: the burn service owns the lease.
import type { BurnAction, BurnOptions } from '../common/model/burn';
import type { MediaInfo } from '../common/model/drive';
import type { Drive } from '../drive/drive';

export interface StrategyContext {
  drive: Drive;
  media: MediaInfo;
  /** Current profile number (MMC-6 §5.3.1). */
  profile: number;
  /** Sectors of the source (2048 bytes each). */
  sectors: number;
  /** Random-writable media: where the source was planned to start (a file system grown in place); default 0. */
  startLba?: number;
  options: BurnOptions;
  signal: AbortSignal;
  /** How often IMMED operations are polled (default 200 ms). */
  pollMs: number;
  /** Sectors per WRITE the drive prefers (a multiple of its blocking factor, strategies.ts writeSectorsFor). */
  writeSectors: number;
  report(action: BurnAction, fraction?: number): void;
}

export interface WritePlan {
  startLba: number;
  /** Track being written (sequential media), for CLOSE TRACK. */
  track?: number;
  sectors: number;
  writeSectors: number;
  padTo: number;
  simulated: boolean;
  /** What the disc reports after finish(): its status (undefined on random-writable media, where it has none) and whether a new session appears. */
  expect: { status?: 'appendable' | 'complete'; newSession: boolean; random: boolean };
}

export interface WriteStrategy {
  /** What it is, for messages and the result: 'CD TAO', 'DVD-R DAO', 'DVD+R', 'random overwrite' … */
  readonly name: string;
  prepare(ctx: StrategyContext): Promise<WritePlan>;
  finish(ctx: StrategyContext, plan: WritePlan): Promise<void>;
  abandon(ctx: StrategyContext, plan: WritePlan, written: number): Promise<string>;
}
