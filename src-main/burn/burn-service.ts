// The burn service: the one place the CLI and IPC burn, erase and format through. A job leases the
// drive (DriveService.lease), checks the medium against the source, runs the media family's write
// strategy (write-strategy.ts) through the write pipeline (write-pipeline.ts), reads the disc back
// (verify/verify-written.ts) and only then reports success. Whatever happens, the drive ends
// unlocked and released, and a failure or cancel says in one sentence what is on the disc.
import { sleep } from '../common/sleep';
import { BurnError, CancelledError, DriveResponseError, GlassmasterError, InvalidImageError, InvalidInputError, InvalidMediaError, NotSupportedError, ScsiError, VerificationError, isCancelledError } from '../common/errors';
import type { BurnAction, BurnCopyResult, BurnOptions, BurnProgress, BurnResult, DiscContents, EraseOptions, EraseProgress } from '../common/model/burn';
import { describeDisc } from './disc-contents';
import type { MediaInfo } from '../common/model/drive';
import type { ByteSource } from '../image/byte-source';
import type { Drive } from '../drive/drive';
import type { DriveService } from '../drive/drive-service';
import { buildBlank, BlankType } from '../mmc/commands/blank';
import { buildRead10 } from '../mmc/commands/read';
import { buildWrite10 } from '../mmc/commands/write';
import { buildSynchronizeCache } from '../mmc/commands/synchronize-cache';
import { profileFamily, profileNumber } from '../mmc/profiles';
import { verifyWritten } from '../verify/verify-written';
import { formatFor, strategyFor, writeSectorsFor } from './strategies';
import { ONE_X_BYTES_PER_SEC, formatBytes, speedLabel, speedX, type SpeedFamily } from './units';
import { runWritePipeline, type PipelineState } from './write-pipeline';
import type { StrategyContext, WritePlan } from './write-strategy';

export interface BurnServiceOptions {
  drives: DriveService;
  /** How often IMMED operations (close, format, blank) are polled (default 200 ms). */
  pollMs?: number;
  /** Progress events at most this often while writing (default 200 ms). */
  progressIntervalMs?: number;
  /** Between copies: waits until the user put a new disc in (default: poll the drive for up to 10 minutes). */
  waitForDisc?: (address: string, copy: number, signal: AbortSignal) => Promise<void>;
}

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: (p: BurnProgress) => void;
}

/**
 * Makes a fresh source each time it is called: the burn reads it once per copy, the full verify once
 * more. The burn's call passes the leased drive and its medium (a multisession source reads the
 * disc's last session through it); the verify's call passes nothing and MUST get the same bytes.
 */
export type ByteSourceFactory = (disc?: SourceDisc) => Promise<ByteSource>;

/** What a source factory may look at before the first write: the leased drive and its medium. */
export interface SourceDisc {
  drive: Drive;
  media: MediaInfo;
  signal: AbortSignal;
}

/** A source planned for a fixed first sector (a session at the disc's next writable address, a grown file system). */
export interface PlacedByteSource extends ByteSource {
  readonly startLba: number;
  /** Random-writable media: sectors to write once the whole source was written (the volume descriptors at 16, a UDF anchor), as [lba, bytes]. */
  patches?(): ReadonlyArray<readonly [number, Uint8Array]>;
}

/**
 * Writes sectors over a random-writable disc in whole 32-sector blocks (a multiple of every ECC
 * block: DVD 16, BD 32; restricted-overwrite DVD-RW takes nothing smaller): each block is read,
 * changed and written, then read back and compared.
 */
async function writePatches(drive: Drive, patches: ReadonlyArray<readonly [number, Uint8Array]>, signal: AbortSignal): Promise<void> {
  const BLOCK = 32;
  for (const [lba, bytes] of patches) {
    const first = Math.floor(lba / BLOCK) * BLOCK;
    const end = Math.ceil((lba + bytes.length / 2048) / BLOCK) * BLOCK;
    const block = Buffer.from(await drive.query(buildRead10(first, end - first), { signal }));
    Buffer.from(bytes).copy(block, (lba - first) * 2048);
    await drive.execute(buildWrite10(first, end - first, block), { signal });
    await drive.execute(buildSynchronizeCache(false), { signal });
    const back = await drive.query(buildRead10(first, end - first), { signal });
    if (!block.equals(back)) throw new VerificationError(`The volume descriptors written at sector ${lba} read back different.`, { firstBadLba: lba });
  }
}

export function validateBurnOptions(o: BurnOptions): void {
  if (o.copies !== undefined && (!Number.isInteger(o.copies) || o.copies < 1 || o.copies > 99)) throw new InvalidInputError(`copies must be a whole number from 1 to 99, not ${o.copies}`);
  if (o.speedX !== undefined && !(Number.isFinite(o.speedX) && o.speedX > 0)) throw new InvalidInputError(`a write speed multiple is a positive number, not ${o.speedX}`);
  if (o.speed !== undefined && o.speed !== 'max' && !(Number.isFinite(o.speed) && o.speed > 0)) throw new InvalidInputError(`a write speed is a positive number of kB/s or "max", not ${o.speed}`);
  if (o.bufferBytes !== undefined && !(Number.isInteger(o.bufferBytes) && o.bufferBytes >= 1 << 20 && o.bufferBytes <= 1 << 30)) throw new InvalidInputError('the ring buffer is 1 MiB to 1 GiB');
  if (o.layerBreak !== undefined && (!Number.isInteger(o.layerBreak) || o.layerBreak <= 0 || o.layerBreak % 16 !== 0)) throw new InvalidInputError('a layer break is a positive multiple of 16 sectors');
}

export class BurnService {
  private readonly pollMs: number;

  constructor(private readonly opts: BurnServiceOptions) {
    this.pollMs = opts.pollMs ?? 200;
  }

  /**
   * Burns the source `copies` times to the drive at `address`. Resolves only after each disc was
   * read back and matched; a failed read-back rejects with VerificationError (exit code 4).
   */
  async burn(address: string, openSource: ByteSourceFactory, options: BurnOptions = {}, hooks: JobHooks = {}): Promise<BurnResult> {
    validateBurnOptions(options);
    const signal = hooks.signal ?? new AbortController().signal;
    const copies = options.copies ?? 1;
    const lease = await this.opts.drives.lease(address, 'burn');
    const results: BurnCopyResult[] = [];
    let discState = '';
    let disc: DiscContents | undefined;
    try {
      for (let copy = 1; copy <= copies; copy++) {
        if (copy > 1) {
          await lease.drive.unlock().catch(() => undefined);
          await lease.drive.eject(signal).catch(() => undefined);
          this.emit(hooks, blankProgress('waiting-for-disc', copy, copies, `Insert a blank disc for copy ${copy} of ${copies}.`));
          await (this.opts.waitForDisc ?? ((a, _c, s) => this.pollForDisc(lease.drive, s)))(address, copy, signal);
        }
        const r = await this.burnOne(lease.drive, openSource, options, { ...hooks, signal }, copy, copies);
        results.push(r.result);
        discState = r.discState;
      }
      // What the disc holds now (read back through the file system); a failure here does not undo a verified burn.
      if (!results[results.length - 1]?.simulated) disc = await describeDisc(lease.drive, signal).catch(() => undefined);
      if (options.eject) {
        await lease.drive.unlock().catch(() => undefined);
        await lease.drive.eject().catch(() => undefined);
      }
    } finally {
      await lease.release();
    }
    return { ok: true, copies: results, discState, ...(disc ? { disc } : {}) };
  }

  private async pollForDisc(drive: Drive, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + 10 * 60_000;
    while (Date.now() < deadline) {
      await sleep(Math.max(this.pollMs, 50), signal);
      const m = await drive.media(signal).catch(() => undefined);
      if (m && m.tray !== 'open' && (m.status === 'blank' || (m.status === 'appendable' && m.freeBlocks > 0))) return;
    }
    throw new InvalidMediaError('No blank disc was inserted within 10 minutes.');
  }

  private emit(hooks: JobHooks, p: BurnProgress): void {
    try {
      hooks.onProgress?.(p);
    } catch {
      // a listener's failure must not break the burn
    }
  }

  private async burnOne(drive: Drive, openSource: ByteSourceFactory, options: BurnOptions, hooks: JobHooks & { signal: AbortSignal }, copy: number, copies: number): Promise<{ result: BurnCopyResult; discState: string }> {
    const signal = hooks.signal;
    const t0 = performance.now();
    let family: SpeedFamily = 'dvd';
    let total = 0;
    let last: BurnProgress = blankProgress('checking-media', copy, copies);
    const report = (action: BurnAction, fraction?: number, extra: Partial<BurnProgress> = {}) => {
      last = { ...last, action, fraction, ...extra, elapsedMs: performance.now() - t0 };
      this.emit(hooks, last);
    };
    report('checking-media');
    const media = await drive.media(signal);
    if (media.status === 'no-disc') throw new InvalidMediaError(media.tray === 'open' ? 'The drive tray is open and empty: insert a disc.' : 'There is no disc in the drive.');
    const profile = profileNumber(media.profile) ?? 0;
    const fam = profileFamily(profile);
    if (fam === 'cd' || fam === 'dvd' || fam === 'bd') family = fam;
    // Data after audio sessions on a CD is an Enhanced CD (CD-Extra): the Blue Book wants its data
    // session CD-ROM XA mode 2 form 1, whichever path asked for it (burnCdExtra, `burn --multisession`
    // onto an audio CD left appendable, the Add-to-a-disc view).
    const cdXa = options.cdXa ?? (fam === 'cd' && media.status === 'appendable' && !!media.trackList?.length && media.trackList.every((t) => t.blank || t.kind === 'audio'));
    const strategy = strategyFor(profile, { writeMode: options.writeMode, close: options.close, spareAreas: options.spareAreas, mediaStatus: media.status, cdXa });
    // The drive's blocking factor (Random Readable feature): writes are whole ECC units.
    const blocking = await drive.configuration(signal).then((c) => c.summary.randomReadable?.blocking, (e: unknown) => {
      if (e instanceof ScsiError || e instanceof DriveResponseError) return undefined;
      throw e;
    });
    const source: ByteSource & Partial<Pick<PlacedByteSource, 'startLba' | 'patches'>> = await openSource({ drive, media, signal });
    const state: PipelineState = { written: 0 };
    let plan: WritePlan | undefined;
    let phase: BurnAction = 'checking-media';
    const ctx: StrategyContext = {
      drive, media, profile, sectors: source.totalSectors, startLba: source.startLba, options: { ...options, cdXa }, signal, pollMs: this.pollMs, writeSectors: writeSectorsFor(blocking, { maxTransferBytes: drive.maxTransferBytes, family }),
      report: (a, f) => {
        phase = a;
        report(a, f);
      },
    };
    try {
      if (source.sectorSize !== 2048) throw new InvalidImageError(`A data disc takes 2048-byte sectors; ${source.description} has ${source.sectorSize}-byte sectors.`);
      if (source.totalSectors === 0) throw new InvalidImageError(`${source.description} is empty: there is nothing to burn.`);
      total = source.totalSectors;
      last = { ...last, totalSectors: total, totalBytes: total * 2048 };
      await drive.lock(signal).catch((e) => {
        if (!(e instanceof ScsiError)) throw e;
      });
      await this.selectSpeed(drive, media, family, options, signal);
      plan = await strategy.prepare(ctx);
      // A session planned for the disc's next writable address must go exactly there (its directories point at absolute sectors).
      if (source.startLba !== undefined && source.startLba !== plan.startLba) {
        throw new InvalidMediaError(`The new session was planned for sector ${source.startLba}, but the drive writes it at sector ${plan.startLba}.`, { planned: source.startLba, startLba: plan.startLba });
      }
      phase = 'writing';
      report('writing', 0);
      const level = options.verify ?? 'quick';
      const written = await runWritePipeline({
        drive, plan, source, bufferBytes: options.bufferBytes, signal, statsIntervalMs: this.opts.progressIntervalMs, hash: level === 'full' && !plan.simulated,
        onStats: (s) => {
          const x = speedX(s.speedBytesPerSec, family);
          const rate = s.averageBytesPerSec;
          report('writing', s.sectorsWritten / total, {
            sectorsWritten: s.sectorsWritten, bytesWritten: s.bytesWritten, speedBytesPerSec: s.speedBytesPerSec, averageBytesPerSec: rate, speedX: x, speedLabel: speedLabel(x),
            ringFill: s.ringFill, driveBufferFill: s.driveBufferFill, remainingMs: rate > 0 ? ((total - s.sectorsWritten) * 2048 * 1000) / rate : undefined,
          });
        },
      }, state);
      // A file system grown in place: its new descriptors (16…) and anchor (256) go last, so an interrupted burn leaves the old tree readable.
      if (source.patches && plan.expect.random) await writePatches(drive, source.patches(), signal);
      const writeMs = performance.now() - t0;
      phase = 'closing';
      await strategy.finish(ctx, plan);
      // Leave the drive in normal recording mode (page 05h Test Write 0): after it the disc reads as before the simulation.
      if (plan.simulated) await drive.setWriteParameters({ testWrite: false }, signal);
      phase = 'verifying';
      report('verifying', 0);
      const verify = await verifyWritten(
        drive,
        { startLba: plan.startLba, sectors: plan.sectors, simulated: plan.simulated, expect: plan.expect, before: { status: media.status, sessions: media.sessions } },
        level, openSource, { signal, onProgress: (f) => report('verifying', f), writtenSha256: written.sha256, writtenFrom: source.description },
      );
      const after = await drive.media(signal);
      const discState = plan.simulated
        ? 'Nothing was recorded (test write); the disc is unchanged.'
        : `The disc holds ${formatBytes(plan.sectors * 2048)} of ${source.description} from sector ${plan.startLba}; it is ${after.status === 'appendable' ? 'appendable' : after.status === 'complete' ? 'closed' : 'rewritable'}.`;
      if (!verify.ok) {
        const first = verify.mismatched[0]?.start ?? verify.unreadable[0]?.start ?? plan.startLba;
        const parts = [...verify.layout.problems];
        if (verify.mismatched.length) parts.push(`${verify.mismatched.reduce((n, r) => n + r.end - r.start, 0)} sector(s) differ from the source`);
        if (verify.unreadable.length) parts.push(`${verify.unreadable.reduce((n, r) => n + r.end - r.start, 0)} sector(s) cannot be read`);
        throw Object.assign(new VerificationError(`Verification failed: ${parts.join('; ')}. ${discState}`, { firstBadLba: first, report: verify }), { report: verify });
      }
      report('done', 1, { averageBytesPerSec: (plan.sectors * 2048 * 1000) / writeMs });
      return {
        discState,
        result: {
          copy, simulated: plan.simulated, startLba: plan.startLba, sectors: plan.sectors, strategy: strategy.name, verify, media: after,
          averageBytesPerSec: (plan.sectors * 2048 * 1000) / writeMs, elapsedMs: performance.now() - t0,
        },
      };
    } catch (e) {
      if (e instanceof VerificationError) throw e;
      const discState =
        (phase as BurnAction) === 'verifying' ? `The disc was written and closed (${formatBytes((plan?.sectors ?? 0) * 2048)}), but its read-back did not finish: it is not verified.`
        : plan ? await strategy.abandon(ctx, plan, state.written)
        : (phase as BurnAction) === 'formatting' ? 'Nothing was written; the drive finishes the formatting it has started on its own.'
        : 'Nothing was written; the disc is unchanged.';
      if (options.simulate) await drive.setWriteParameters({ testWrite: false }).catch(() => undefined);
      if (isCancelledError(e) || signal.aborted) throw new CancelledError(`Cancelled. ${discState}`);
      const err = GlassmasterError.from(e);
      if (!plan && (err instanceof InvalidMediaError || err instanceof NotSupportedError || err instanceof InvalidImageError || err.code === 'DRIVE_BUSY')) throw err;
      const where = phase === 'writing' ? `writing at sector ${(plan?.startLba ?? 0) + state.written}` : phase === 'checking-media' ? 'preparing' : phase;
      throw new BurnError(err, `The burn failed while ${where}: ${err.message}. ${discState}`, { discState, phase, lba: plan ? plan.startLba + state.written : undefined });
    } finally {
      await source.cancel();
    }
  }

  /** 'max' or none: the fastest the medium lists; a number: the fastest listed speed not above it (else the slowest). */
  private async selectSpeed(drive: Drive, media: MediaInfo, family: SpeedFamily, options: BurnOptions, signal: AbortSignal): Promise<void> {
    const speeds = media.writeSpeeds;
    if (speeds.length === 0) return;
    // MMC speeds are kB/s of the medium: CD counts 2352-byte frames (1× = 176.4 kB/s).
    const oneXKbps = family === 'cd' ? 176.4 : ONE_X_BYTES_PER_SEC[family] / 1000;
    const want = options.speedX !== undefined ? Math.round(options.speedX * oneXKbps) : (options.speed ?? 'max');
    const kbps = want === 'max' ? speeds[0] : speeds.find((s) => s <= want) ?? speeds[speeds.length - 1];
    try {
      await drive.setWriteSpeed(kbps, Math.max(0, media.capacityBlocks - 1), signal);
    } catch (e) {
      if (!(e instanceof ScsiError)) throw e; // a drive that refuses keeps its own speed
    }
  }

  /** Blanks a CD-RW or DVD-RW: quick (minimal) or full (MMC-6 §6.2). */
  async erase(address: string, options: EraseOptions = {}, hooks: { signal?: AbortSignal; onProgress?: (p: EraseProgress) => void } = {}): Promise<MediaInfo> {
    return this.withJob(address, 'erase', hooks, async (drive, report) => {
      const media = await drive.media(hooks.signal);
      const profile = profileNumber(media.profile) ?? 0;
      if (media.status === 'no-disc') throw new InvalidMediaError('There is no disc in the drive.');
      if (![0x0a, 0x13, 0x14, 0x17].includes(profile)) {
        const hint = [0x1a, 0x12, 0x43].includes(profile) ? ` A ${media.profile} is not blanked: format it, or simply write over it.` : '';
        throw new NotSupportedError(`Only CD-RW and DVD-RW discs can be erased; this is a ${media.profile}.${hint}`);
      }
      report('erasing', 0);
      await drive.execute(buildBlank(options.full ? BlankType.FULL : BlankType.MINIMAL, { immediate: true }), { signal: hooks.signal });
      await drive.waitForCompletion({ signal: hooks.signal, intervalMs: this.pollMs, onProgress: (f) => report('erasing', f) });
    });
  }

  /** Formats DVD+RW, DVD-RW (restricted overwrite), DVD-RAM, BD-RE (quick or full certification) or BD-R with spare areas. */
  async format(address: string, options: EraseOptions = {}, hooks: { signal?: AbortSignal; onProgress?: (p: EraseProgress) => void } = {}): Promise<MediaInfo> {
    return this.withJob(address, 'format', hooks, async (drive, report) => {
      const media = await drive.media(hooks.signal);
      if (media.status === 'no-disc') throw new InvalidMediaError('There is no disc in the drive.');
      const profile = profileNumber(media.profile) ?? 0;
      if (profile === 0x41 && media.status !== 'blank') throw new InvalidMediaError('A BD-R can be formatted with spare areas only while it is blank.');
      report('formatting', 0);
      await formatFor({ drive, pollMs: this.pollMs, report: (_a, f) => report('formatting', f ?? 0) }, profile, options.full ?? false, options.spareAreas ?? true, hooks.signal);
    });
  }

  private async withJob(address: string, job: 'erase' | 'format', hooks: { signal?: AbortSignal; onProgress?: (p: EraseProgress) => void }, fn: (drive: Drive, report: (a: EraseProgress['action'], f: number) => void) => Promise<void>): Promise<MediaInfo> {
    const t0 = performance.now();
    const report = (action: EraseProgress['action'], fraction: number) => {
      try {
        hooks.onProgress?.({ action, fraction, elapsedMs: performance.now() - t0 });
      } catch {
        // ignore listener failures
      }
    };
    const lease = await this.opts.drives.lease(address, job);
    try {
      report('checking-media', 0);
      await fn(lease.drive, report);
      const after = await lease.drive.media(hooks.signal);
      report('done', 1);
      return after;
    } catch (e) {
      if (isCancelledError(e)) {
        throw new CancelledError(`Cancelled. The drive finishes the ${job === 'erase' ? 'blanking' : 'formatting'} it has started on its own; ${job === 'erase' ? 'blank' : 'format'} the disc again before using it.`);
      }
      throw e;
    } finally {
      await lease.release();
    }
  }
}

function blankProgress(action: BurnAction, copy: number, copies: number, message?: string): BurnProgress {
  return {
    action, copy, copies, sectorsWritten: 0, totalSectors: 0, bytesWritten: 0, totalBytes: 0, speedBytesPerSec: 0, averageBytesPerSec: 0, speedX: 0, speedLabel: '0×', ringFill: 0,
    elapsedMs: 0, ...(message ? { message } : {}),
  };
}

