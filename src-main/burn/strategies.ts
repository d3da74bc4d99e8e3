// Write strategies per media family (the contract is in write-strategy.ts). Spec references are
// MMC-6 sections; the choice per profile is in strategyFor().
import { InvalidMediaError, NotSupportedError, ScsiError } from '../common/errors';
import type { MmcCommand } from '../mmc/command';
import { lbaToMsf } from '../mmc/bytes';
import { buildCloseTrackSession, type CloseFunction } from '../mmc/commands/close-track-session';
import { buildFormatUnit, FormatType } from '../mmc/commands/format-unit';
import { buildReadTrackInformation, INVISIBLE_TRACK, parseReadTrackInformation } from '../mmc/commands/read-track-information';
import { buildReserveTrack } from '../mmc/commands/reserve-track';
import { buildSendCueSheet, encodeCueSheet } from '../mmc/commands/send-cue-sheet';
import { buildSendOpcInformation } from '../mmc/commands/send-opc-information';
import { buildSynchronizeCache } from '../mmc/commands/synchronize-cache';
import { buildSendLayerBoundary } from '../mmc/commands/read-disc-structure';
import type { WriteParameters } from '../mmc/commands/mode-sense';
import { isUnsupported } from '../drive/drive';
import { profileFamily } from '../mmc/profiles';
import type { StrategyContext, WritePlan, WriteStrategy } from './write-strategy';
import { formatBytes } from './units';

/** Sectors per WRITE(10) by default: 64 KiB, a multiple of every usual blocking factor (CD 1, DVD 16, BD 32). */
export const WRITE_SECTORS = 32;

/**
 * Bytes per WRITE when the transport allows more than 64 KiB: about a quarter second of data at the
 * family's 1× (CD 176 kB/s, DVD 1.385 MB/s, BD 4.5 MB/s), so progress and cancel stay prompt at 1×
 * while at 16× or unpaced the per-command cost is paid 8–16 times less often than with 64 KiB.
 */
export const PREFERRED_WRITE_BYTES = { cd: 64 * 1024, dvd: 512 * 1024, bd: 1024 * 1024 } as const;

/**
 * Sectors per WRITE for a drive reporting `blocking` (Random Readable feature 0010h, MMC-6 §5.3.5:
 * blocks per ECC unit). Without a known transfer limit: 64 KiB rounded up to a whole number of ECC
 * units, so no write straddles one. With one (`maxTransferBytes`, ScsiDevice): the family's preferred
 * size within that limit, rounded down to whole ECC units (at least one unit).
 */
export function writeSectorsFor(blocking: number | undefined, opts: { maxTransferBytes?: number; family?: keyof typeof PREFERRED_WRITE_BYTES } = {}): number {
  const b = blocking && blocking > 0 && blocking <= 1024 ? blocking : 1;
  const base = Math.ceil(WRITE_SECTORS / b) * b;
  if (!opts.maxTransferBytes || !opts.family) return base;
  const want = Math.min(opts.maxTransferBytes, PREFERRED_WRITE_BYTES[opts.family]);
  return Math.max(b, Math.floor(want / 2048 / b) * b);
}

const CD_R = 0x09, CD_RW = 0x0a, DVD_R = 0x11, DVD_RAM = 0x12, DVD_RW_RO = 0x13, DVD_RW_SEQ = 0x14, DVD_R_DL = 0x15;
const DVD_PLUS_RW = 0x1a, DVD_PLUS_R = 0x1b, DVD_PLUS_R_DL = 0x2b, BD_R_SRM = 0x41, BD_R_RRM = 0x42, BD_RE = 0x43;

/** Runs an IMMED command and polls it to completion (MMC-6 §4.1.6), reporting progress as `action`. */
async function immediate(ctx: Pick<StrategyContext, 'drive' | 'pollMs' | 'report'>, cmd: MmcCommand, action: 'closing' | 'formatting', signal?: AbortSignal): Promise<void> {
  await ctx.drive.execute(cmd, { signal });
  await ctx.drive.waitForCompletion({ signal, intervalMs: ctx.pollMs, onProgress: (f) => ctx.report(action, f) });
}

/** SEND OPC INFORMATION (power calibration) where the drive has it; a refusal of the command itself is not an error. */
async function calibrate(ctx: StrategyContext): Promise<void> {
  ctx.report('calibrating');
  try {
    await ctx.drive.execute(buildSendOpcInformation(true), { signal: ctx.signal, retries: 1 });
  } catch (e) {
    if (isUnsupported(e)) return;
    throw refusal(e);
  }
}

/** A write-protected disc (07/27/xx) or one the drive will not write (05/30/05) in plain words. */
function refusal(e: unknown): unknown {
  if (e instanceof ScsiError && e.senseKey === 7 && e.asc === 0x27) return new InvalidMediaError('The disc is write-protected.', { sense: e.toJSON() });
  if (e instanceof ScsiError && e.senseKey === 5 && e.asc === 0x30) return new InvalidMediaError(`The drive cannot write this disc: ${e.message}`, { sense: e.toJSON() });
  return e;
}

async function setParameters(ctx: StrategyContext, p: Partial<WriteParameters>): Promise<void> {
  try {
    await ctx.drive.setWriteParameters({ bufferUnderrunFree: ctx.options.burnFree ?? true, testWrite: ctx.options.simulate ?? false, ...p }, ctx.signal);
  } catch (e) {
    throw refusal(e);
  }
}

async function invisibleTrack(ctx: StrategyContext): Promise<{ track: number; nwa: number; free: number }> {
  const ti = parseReadTrackInformation(await ctx.drive.query(buildReadTrackInformation({ type: 'track', address: INVISIBLE_TRACK }), { signal: ctx.signal }));
  if (ti.nextWritableAddress === undefined) throw new InvalidMediaError('The disc has no writable address left: it is closed.');
  return { track: ti.track, nwa: ti.nextWritableAddress, free: ti.freeBlocks };
}

function mustFit(sectors: number, free: number): void {
  if (sectors > free) throw new InvalidMediaError(`The disc is full: ${formatBytes(sectors * 2048)} to write, ${formatBytes(free * 2048)} free.`, { sectors, freeBlocks: free });
}

const finalize = (ctx: StrategyContext) => (ctx.options.close ?? 'disc') === 'disc';

/** Page 05h Multi-session (MMC-6 §7.5.4.3): 11b next session allowed, 00b close the disc. */
const multiSession = (ctx: StrategyContext) => (finalize(ctx) ? 0 : 3);

async function syncAndClose(ctx: StrategyContext, plan: WritePlan, closeFn: CloseFunction | undefined, signal?: AbortSignal): Promise<void> {
  ctx.report('closing', 0);
  await immediate(ctx, buildSynchronizeCache(true), 'closing', signal);
  if (plan.track !== undefined) await immediate(ctx, buildCloseTrackSession(1, plan.track, true), 'closing', signal);
  // Some drives finalize on CLOSE TRACK (tgt's DVD+R becomes a DVD-ROM, tgt doc/README.mmc): nothing is left to close then.
  if (closeFn !== undefined && (await ctx.drive.discInformation(signal)).discStatus !== 'complete') await immediate(ctx, buildCloseTrackSession(closeFn, 0, true), 'closing', signal);
}

function partialSentence(written: number, plan: WritePlan, tail: string): string {
  const what = written === 0 ? 'no data' : written >= plan.sectors ? `all ${plan.sectors} sectors (${formatBytes(written * 2048)})` : `the first ${written} of ${plan.sectors} sectors (${formatBytes(written * 2048)})`;
  return `The disc holds ${what} of the image ${tail}`;
}

/**
 * Sequential recording at the next writable address (MMC-6 §4.3.6, §4.5.2.3): CD Track At Once,
 * DVD-R/-RW incremental, DVD+R (and DL), BD-R SRM. finish(): SYNCHRONIZE CACHE, CLOSE TRACK, then
 * CLOSE SESSION or finalize with the function the profile defines (§6.3.3).
 */
class SequentialStrategy implements WriteStrategy {
  constructor(
    readonly name: string,
    private readonly params: (ctx: StrategyContext) => Partial<WriteParameters> | undefined,
    private readonly closeFn: (ctx: StrategyContext) => CloseFunction,
  ) {}

  async prepare(ctx: StrategyContext): Promise<WritePlan> {
    if (ctx.media.status === 'complete') throw new InvalidMediaError('The disc is closed (finalized): nothing more can be written to it.');
    if (ctx.options.simulate && !canSimulate(ctx.profile)) throw new NotSupportedError(`A test write is not defined for ${ctx.media.profile} (only CD-R/RW and DVD-R/RW, MMC-6 §7.5.4.3).`);
    const p = this.params(ctx);
    if (p) await setParameters(ctx, p);
    const inv = await invisibleTrack(ctx);
    mustFit(ctx.sectors, inv.free);
    if (ctx.profile === DVD_PLUS_R_DL) await setLayerBreak(ctx, inv.nwa);
    await calibrate(ctx);
    return {
      startLba: inv.nwa, track: inv.track, sectors: ctx.sectors, writeSectors: ctx.writeSectors, padTo: 1, simulated: ctx.options.simulate ?? false,
      expect: { status: finalize(ctx) ? 'complete' : 'appendable', newSession: true, random: false },
    };
  }

  async finish(ctx: StrategyContext, plan: WritePlan): Promise<void> {
    await syncAndClose(ctx, plan, this.closeFn(ctx), ctx.signal);
  }

  async abandon(ctx: StrategyContext, plan: WritePlan, written: number): Promise<string> {
    if (plan.simulated) return 'Nothing was recorded (test write); the disc is unchanged.';
    if (written === 0) return 'Nothing was written; the disc is unchanged.';
    try {
      const q = { ...ctx, report: () => undefined };
      await immediate(q, buildSynchronizeCache(true), 'closing');
      // Cancelled while closing: what is closed already stays as it is.
      const di = await ctx.drive.discInformation();
      if (di.discStatus === 'complete') return partialSentence(written, plan, 'and the disc was closed.');
      const ti = parseReadTrackInformation(await ctx.drive.query(buildReadTrackInformation({ type: 'lba', address: plan.startLba })));
      if (di.lastSessionState === 'empty' && ti.session < di.sessions) {
        return partialSentence(written, plan, `in a closed session: the disc can be read${written < plan.sectors ? ', but the file system on it is incomplete' : ''}; the disc stays appendable.`);
      }
      // Keep the disc appendable whatever was asked: a closed session over a partial image is readable,
      // and the space after it stays usable (CD, DVD-R: page 05h Multi-session 11b).
      if (profileFamily(ctx.profile) === 'cd' || [DVD_R, DVD_RW_SEQ, DVD_R_DL].includes(ctx.profile)) await ctx.drive.setWriteParameters({ multiSession: 3 }).catch(() => undefined);
      if (!ti.blank && ti.nextWritableAddress !== undefined) await immediate(q, buildCloseTrackSession(1, ti.track, true), 'closing');
      await immediate(q, buildCloseTrackSession(2, 0, true), 'closing');
      return partialSentence(written, plan, 'in a closed session: the disc can be read, but the file system on it is incomplete; the disc stays appendable.');
    } catch (e) {
      return partialSentence(written, plan, `in a session that could not be closed (${(e as Error).message}); other drives may not read it.`);
    }
  }
}

/** DVD-R/-RW Disc-At-Once (MMC-6 §4.5.3.3): RESERVE TRACK for the whole image, write, SYNCHRONIZE CACHE closes the disc. */
class DvdMinusDaoStrategy implements WriteStrategy {
  readonly name = 'DVD-R DAO';

  async prepare(ctx: StrategyContext): Promise<WritePlan> {
    if (ctx.media.status !== 'blank') throw new InvalidMediaError(`Disc-At-Once needs a blank disc; this ${ctx.media.profile} is ${ctx.media.status}. Use incremental writing (--close) to append.`);
    await setParameters(ctx, { writeType: 'sao', multiSession: 0 });
    const inv = await invisibleTrack(ctx);
    mustFit(ctx.sectors, inv.free);
    const reserved = Math.ceil(ctx.sectors / 16) * 16;
    await ctx.drive.execute(buildReserveTrack({ blocks: reserved }), { signal: ctx.signal });
    await calibrate(ctx);
    return { startLba: inv.nwa, sectors: ctx.sectors, writeSectors: ctx.writeSectors, padTo: 16, simulated: ctx.options.simulate ?? false, expect: { status: 'complete', newSession: true, random: false } };
  }

  async finish(ctx: StrategyContext, _plan: WritePlan): Promise<void> {
    ctx.report('closing', 0);
    await immediate(ctx, buildSynchronizeCache(true), 'closing', ctx.signal);
  }

  async abandon(ctx: StrategyContext, plan: WritePlan, written: number): Promise<string> {
    if (plan.simulated) return 'Nothing was recorded (test write); the disc is unchanged.';
    try {
      // A reserved track is padded to its reserved size when closed; closing the session then closes the disc.
      const ti = parseReadTrackInformation(await ctx.drive.query(buildReadTrackInformation({ type: 'lba', address: plan.startLba })));
      const q = { ...ctx, report: () => undefined };
      await immediate(q, buildSynchronizeCache(true), 'closing');
      await immediate(q, buildCloseTrackSession(1, ti.track, true), 'closing');
      await immediate(q, buildCloseTrackSession(2, 0, true), 'closing');
      return partialSentence(written, plan, 'followed by padding, and the disc was closed: it can be read but not written again; the file system on it is incomplete.');
    } catch (e) {
      return partialSentence(written, plan, `in a reserved track that could not be closed (${(e as Error).message}).`);
    }
  }
}

/** CD Session At Once (MMC-6 §4.2.3.6): a cue sheet for one mode 1 data track; SYNCHRONIZE CACHE closes the session. */
class CdSaoStrategy implements WriteStrategy {
  readonly name = 'CD SAO';

  async prepare(ctx: StrategyContext): Promise<WritePlan> {
    if (ctx.media.status === 'complete') throw new InvalidMediaError('The disc is closed (finalized): nothing more can be written to it.');
    if (ctx.media.status !== 'blank') throw new InvalidMediaError('Session-At-Once writes the first session of a blank CD; use Track-At-Once to append.');
    await setParameters(ctx, { writeType: 'sao', dataBlockType: 8, trackMode: 4, multiSession: multiSession(ctx), sessionFormat: 0 });
    const free = ctx.media.freeBlocks;
    mustFit(ctx.sectors, free);
    // Lead-in, track 1 (2 s pregap the drive generates, data form 14h; then mode 1 user data, 10h), lead-out (MMC-6 §6.33.3.x cue sheet).
    const msf = (lba: number) => lbaToMsf(lba);
    const entry = (tno: number, index: number, dataForm: number, lba: number) => ({ ctlAdr: 0x41, tno, index, dataForm, scms: 0, min: msf(lba).m, sec: msf(lba).s, frame: msf(lba).f });
    const sheet = encodeCueSheet([entry(0, 0, 0x14, -150), entry(1, 0, 0x14, -150), entry(1, 1, 0x10, 0), entry(0xaa, 1, 0x14, ctx.sectors)]);
    await calibrate(ctx);
    await ctx.drive.execute(buildSendCueSheet(sheet), { signal: ctx.signal });
    return { startLba: 0, sectors: ctx.sectors, writeSectors: ctx.writeSectors, padTo: 1, simulated: ctx.options.simulate ?? false, expect: { status: finalize(ctx) ? 'complete' : 'appendable', newSession: true, random: false } };
  }

  async finish(ctx: StrategyContext): Promise<void> {
    ctx.report('closing', 0);
    await immediate(ctx, buildSynchronizeCache(true), 'closing', ctx.signal);
  }

  async abandon(ctx: StrategyContext, plan: WritePlan, written: number): Promise<string> {
    if (plan.simulated) return 'Nothing was recorded (test write); the disc is unchanged.';
    await immediate({ ...ctx, report: () => undefined }, buildSynchronizeCache(true), 'closing').catch(() => undefined);
    if (written === 0) return 'Nothing was written; the disc is unchanged.';
    // A SAO session is laid down only when all of it arrived (its TOC is written first): a partial one cannot be closed.
    return partialSentence(written, plan, `in an unfinished Session-At-Once recording that cannot be closed: drives will not read it${ctx.profile === CD_RW ? '; blank the CD-RW to use it again' : ''}.`);
  }
}

/**
 * Random-writable media (DVD+RW, DVD-RAM, BD-RE, BD-R RRM, restricted-overwrite DVD-RW, MMC-6
 * §4.5.3.5, §4.5.5): formats first when unformatted, then writes from LBA 0; no sessions to close.
 */
class OverwriteStrategy implements WriteStrategy {
  readonly name = 'random overwrite';

  async prepare(ctx: StrategyContext): Promise<WritePlan> {
    if (ctx.options.simulate) throw new NotSupportedError(`A test write is not defined for ${ctx.media.profile} (only CD-R/RW and DVD-R/RW, MMC-6 §7.5.4.3).`);
    let capacity = ctx.media.capacityBlocks;
    if (ctx.media.formatted === false || ctx.media.status === 'blank') {
      ctx.report('formatting', 0);
      await formatFor(ctx, ctx.profile, false, ctx.options.spareAreas ?? true, ctx.signal);
      capacity = (await ctx.drive.media(ctx.signal)).capacityBlocks;
    }
    const start = ctx.startLba ?? 0;
    mustFit(start + ctx.sectors, capacity);
    await calibrate(ctx);
    return { startLba: start, sectors: ctx.sectors, writeSectors: ctx.writeSectors, padTo: ctx.profile === DVD_RW_RO ? 16 : 1, simulated: false, expect: { newSession: false, random: true } };
  }

  async finish(ctx: StrategyContext): Promise<void> {
    ctx.report('closing', 0);
    await immediate(ctx, buildSynchronizeCache(true), 'closing', ctx.signal);
  }

  async abandon(ctx: StrategyContext, plan: WritePlan, written: number): Promise<string> {
    await immediate({ ...ctx, report: () => undefined }, buildSynchronizeCache(true), 'closing').catch(() => undefined);
    if (written === 0) return 'Nothing was written; the disc is unchanged.';
    return `Sectors 0–${written - 1} of the disc were overwritten with the start of the image; the rest keeps its earlier contents, so the file system on it is inconsistent until it is written again or formatted.`;
  }
}

/** FORMAT UNIT for a profile (MMC-6 §6.5.4): the format type a burner uses for each random medium. */
export async function formatFor(ctx: Pick<StrategyContext, 'drive' | 'pollMs' | 'report'>, profile: number, full: boolean, spares: boolean, signal?: AbortSignal): Promise<void> {
  let formatType: number;
  let subtype = 0;
  switch (profile) {
    case DVD_PLUS_RW: formatType = FormatType.DVD_PLUS_RW_FULL; break;
    case DVD_RW_SEQ: case DVD_RW_RO: formatType = full ? FormatType.FULL : FormatType.DVD_RW_QUICK; break;
    case DVD_RAM: formatType = FormatType.FULL; break;
    case BD_RE: formatType = spares ? FormatType.BD_RE_SPARES : FormatType.BD_RE_NO_SPARES; subtype = full ? 2 : 3; break;
    case BD_R_SRM: formatType = FormatType.BD_R_SPARES; break;
    default: throw new NotSupportedError(`This disc (profile ${profile.toString(16)}h) is not formatted: format applies to DVD+RW, DVD-RW, DVD-RAM, BD-RE and BD-R.`);
  }
  try {
    // Number of Blocks FFFFFFFFh: the largest the medium allows (MMC-6 §6.5.3.2).
    await immediate(ctx, buildFormatUnit({ formatType, blocks: 0xffffffff, subtype, immediate: true }), 'formatting', signal);
  } catch (e) {
    throw refusal(e);
  }
}

/**
 * DVD+R DL layer break (MMC-6 §6.44 SEND DISC STRUCTURE format 20h): an image that does not fit layer
 * 0 is split in the middle, rounded up to an ECC block (16 sectors), so both layers hold about half;
 * a given break is checked. An image that fits layer 0 needs no break.
 */
async function setLayerBreak(ctx: StrategyContext, nwa: number): Promise<void> {
  if (ctx.media.status !== 'blank') return;
  const lb = chooseLayerBreak(nwa + ctx.sectors, Math.floor(ctx.media.capacityBlocks / 2), ctx.options.layerBreak);
  if (lb !== undefined) await ctx.drive.execute(buildSendLayerBoundary(lb), { signal: ctx.signal });
}

/**
 * The layer 0 size for `end` sectors on a DVD+R DL whose layer 0 holds at most `l0Max`: none when
 * the data fits layer 0 (no break is needed), else the middle rounded up to an ECC block (16
 * sectors) so both layers hold about half; a given break is checked.
 */
export function chooseLayerBreak(end: number, l0Max: number, given?: number): number | undefined {
  if (given === undefined && end <= l0Max) return undefined;
  const lb = given ?? Math.ceil(end / 2 / 16) * 16;
  if (lb % 16 !== 0 || lb <= 0 || lb > l0Max) throw new InvalidMediaError(`The layer break ${lb} is not usable: it must be a multiple of 16 sectors and at most ${l0Max} (the end of layer 0).`);
  if (end > 2 * lb) throw new InvalidMediaError(`The layer break ${lb} leaves too little room on layer 1 for ${formatBytes(end * 2048)}.`);
  return lb;
}

export function canSimulate(profile: number): boolean {
  return [CD_R, CD_RW, DVD_R, DVD_RW_SEQ, DVD_R_DL].includes(profile);
}

/** The strategy for the loaded medium and the options (see burn/README.md for the table). */
export function strategyFor(profile: number, opts: { writeMode?: string; close?: 'session' | 'disc'; spareAreas?: boolean; mediaStatus?: string; cdXa?: boolean }): WriteStrategy {
  const mode = opts.writeMode ?? 'auto';
  // CD-ROM XA (cdXa): mode 2 form 1 blocks (data block type 10) whose sub-header says "data" (sub-mode
  // 08h, Blue Book/CD-ROM XA), in a session of format 20h, so the TOC's A0 entry calls the disc XA.
  const cdTao = new SequentialStrategy('CD TAO', (ctx) => ({
    writeType: 'tao', trackMode: 4, multiSession: multiSession(ctx),
    ...(ctx.options.cdXa ? { dataBlockType: 10, sessionFormat: 0x20, subHeader: [0, 0, 0x08, 0] as [number, number, number, number] } : { dataBlockType: 8, sessionFormat: 0 }),
  }), () => 2);
  switch (profile) {
    case CD_R:
    case CD_RW:
      if (mode === 'sao' && opts.cdXa) throw new NotSupportedError('CD-ROM XA data tracks are written Track-At-Once here.');
      if (mode === 'sao') return new CdSaoStrategy();
      if (mode !== 'auto' && mode !== 'tao') throw new NotSupportedError(`A CD is written Track-At-Once or Session-At-Once, not "${mode}".`);
      return cdTao;
    case DVD_R:
    case DVD_RW_SEQ:
    case DVD_R_DL:
      if (mode === 'dao' || (mode === 'auto' && (opts.close ?? 'disc') === 'disc' && opts.mediaStatus === 'blank')) return new DvdMinusDaoStrategy();
      if (mode !== 'auto' && mode !== 'incremental') throw new NotSupportedError(`A DVD-R/-RW is written Disc-At-Once or incrementally, not "${mode}".`);
      // Incremental streaming (MMC-6 §4.5.3.4): variable packets, link size 16 (§7.5.4.x).
      return new SequentialStrategy('DVD-R incremental', (ctx) => ({ writeType: 'packet', fixedPacket: false, linkSizeValid: true, linkSize: 16, multiSession: multiSession(ctx) }), () => 2);
    case DVD_PLUS_R:
      return new SequentialStrategy('DVD+R', () => undefined, (ctx) => (finalize(ctx) ? 5 : 2));
    case DVD_PLUS_R_DL:
      return new SequentialStrategy('DVD+R DL', () => undefined, (ctx) => (finalize(ctx) ? 6 : 2));
    case BD_R_SRM:
      if (opts.spareAreas && opts.mediaStatus === 'blank') return new OverwriteStrategy();
      return new SequentialStrategy('BD-R SRM', () => undefined, (ctx) => (finalize(ctx) ? 6 : 2));
    case DVD_PLUS_RW:
    case DVD_RAM:
    case DVD_RW_RO:
    case BD_R_RRM:
    case BD_RE:
      return new OverwriteStrategy();
    default:
      throw new InvalidMediaError(`The disc in the drive (profile ${profile.toString(16).padStart(4, '0')}h) is not a recordable disc.`);
  }
}
