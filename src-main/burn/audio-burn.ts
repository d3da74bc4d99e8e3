// Burning an authored audio CD (audio/author.ts prepareAudioDisc → AudioBurnPlan) to a CD-R/RW:
// Track-At-Once, Session-At-Once from the cue sheet, or raw Disc-At-Once with host sub-channel
// (RAW-96). Same job shape as the data burner (burn-service.ts): lease the drive, check the disc,
// prepare (page 05h, calibration, cue sheet), write through the ring-buffer pipeline
// (write-pipeline.ts, with CD-DA 2352- or RAW-96 2448-byte blocks), close, read back, and whatever
// happens the drive ends unlocked and released and a failure says what is on the disc.
//
// MUST rules:
// - Only a CD-R/RW is written. SAO and RAW-96 need a blank disc (they write the first session's
//   lead-in); TAO also appends to an appendable disc (a CD-Extra's audio session comes first, so an
//   appendable disc with data is refused for audio SAO/RAW).
// - The program must fit the loaded disc: its lead-out may not pass the ATIP lead-out start (READ TOC
//   format 0100b, MMC-6 §6.25.3.7) — not a nominal 74/80-minute figure.
// - The mode is audio-mode.ts's choice (features from GET CONFIGURATION) and the result says why.
// - Read-back compares every CD-DA sector of every track (READ CD, expected sector type CD-DA) with
//   the program; a difference is a VerificationError (exit code 4) naming the first bad LBA.
// - Cancel is honoured between writes; afterwards TAO closes what it wrote in an appendable session
//   (the disc stays usable), SAO/RAW say that a partial Disc-At-Once session cannot be closed.
import { BurnError, CancelledError, GlassmasterError, InvalidMediaError, NotSupportedError, ScsiError, VerificationError, isCancelledError } from '../common/errors';
import type { BurnAction, BurnProgress } from '../common/model/burn';
import type { MediaInfo } from '../common/model/drive';
import type { AudioBurnResult } from '../common/model/audio-burn';
import type { Drive } from '../drive/drive';
import type { DriveService } from '../drive/drive-service';
import { isUnsupported } from '../drive/drive';
import { LBA_MSF_OFFSET, msfText, CD_DA_SECTOR_BYTES } from '../cd/msf';
import { rwOfCdTextPacks } from '../cd/cd-text-packs';
import { buildCloseTrackSession } from '../mmc/commands/close-track-session';
import { buildReadCd } from '../mmc/commands/read-cd';
import { buildReadTocPmaAtip, parseAtip, type Atip } from '../mmc/commands/read-toc-pma-atip';
import { buildReadTrackInformation, INVISIBLE_TRACK, parseReadTrackInformation } from '../mmc/commands/read-track-information';
import { buildSendCueSheet, encodeCueSheet, type CueSheetEntry } from '../mmc/commands/send-cue-sheet';
import { buildSendOpcInformation } from '../mmc/commands/send-opc-information';
import { buildSynchronizeCache } from '../mmc/commands/synchronize-cache';
import { buildWrite10 } from '../mmc/commands/write';
import type { MmcCommand } from '../mmc/command';
import { profileNumber } from '../mmc/profiles';
import { programSource, saoCueSheet, type AudioBurnPlan } from '../audio/audio-plan';
import { cdDaSource } from '../audio/cdda-source';
import { raw96Source, RAW96_BLOCK_BYTES } from '../audio/raw96-source';
import { mixedCueSheet, mixedProgramSource, type MixedModeDisc } from '../audio/mixed-mode';
import type { ByteSource } from '../image/byte-source';
import { audioWriteCaps, chooseAudioMode, type AudioModeChoice, type AudioWriteMode } from './audio-mode';
import { speedLabel, speedX } from './units';
import { runWritePipeline, type PipelineState } from './write-pipeline';
import type { WritePlan } from './write-strategy';

export interface AudioBurnOptions {
  mode?: AudioWriteMode | 'auto';
  simulate?: boolean;
  /** Write speed as a multiple of CD 1× (176.4 kB/s); default the fastest the disc lists. */
  speedX?: number;
  /** 'full' (default): every CD-DA sector read back and compared; 'none': no read-back. */
  verify?: 'full' | 'none';
  /** 'disc' (default): finalized; 'session': another session may follow (CD-Extra). */
  close?: 'session' | 'disc';
  eject?: boolean;
  burnFree?: boolean;
  bufferBytes?: number;
}

export type { AudioBurnResult } from '../common/model/audio-burn';

export interface AudioBurnerOptions {
  drives: DriveService;
  pollMs?: number;
  progressIntervalMs?: number;
}

const CD_R = 0x09;
const CD_RW = 0x0a;
/** Sectors per WRITE of CD-DA (CD blocking factor 1): about 64 KiB. */
const WRITE_BLOCKS = 27;
const READ_BLOCKS = 27;

export class AudioBurner {
  private readonly pollMs: number;

  constructor(private readonly opts: AudioBurnerOptions) {
    this.pollMs = opts.pollMs ?? 200;
  }

  /** Burns an audio CD, or a mixed-mode CD (data track 1 + audio, always Session-At-Once) from mixed-mode.ts. */
  async burn(address: string, input: AudioBurnPlan | MixedModeDisc, options: AudioBurnOptions = {}, hooks: { signal?: AbortSignal; onProgress?: (p: BurnProgress) => void } = {}): Promise<AudioBurnResult> {
    const mixed = 'openData' in input ? input : undefined;
    const plan = mixed ? mixed.audio : (input as AudioBurnPlan);
    const signal = hooks.signal ?? new AbortController().signal;
    const t0 = performance.now();
    const layout = plan.layout;
    const total = layout.leadOut;
    let last: BurnProgress = {
      action: 'checking-media', copy: 1, copies: 1, sectorsWritten: 0, totalSectors: total, bytesWritten: 0, totalBytes: total * CD_DA_SECTOR_BYTES,
      speedBytesPerSec: 0, averageBytesPerSec: 0, speedX: 0, speedLabel: '0×', ringFill: 0, elapsedMs: 0,
    };
    const report = (action: BurnAction, fraction?: number, extra: Partial<BurnProgress> = {}) => {
      last = { ...last, action, fraction, ...extra, elapsedMs: performance.now() - t0 };
      try {
        hooks.onProgress?.(last);
      } catch {
        // a listener's failure must not break the burn
      }
    };
    const lease = await this.opts.drives.lease(address, 'burn');
    const drive = lease.drive;
    let phase: BurnAction = 'checking-media';
    let choice: AudioModeChoice | undefined;
    let prepared = false;
    const written: PipelineState = { written: 0 };
    const recorded: AudioBurnResult['tracks'] = [];
    try {
      report('checking-media');
      const media = await drive.media(signal);
      if (media.status === 'no-disc') throw new InvalidMediaError(media.tray === 'open' ? 'The drive tray is open and empty: insert a blank CD-R.' : 'There is no disc in the drive.');
      const profile = profileNumber(media.profile) ?? 0;
      if (profile !== CD_R && profile !== CD_RW) throw new InvalidMediaError(`An audio CD is written on a CD-R or CD-RW; the disc in the drive is a ${media.profile}.`);
      if (media.status === 'complete') throw new InvalidMediaError('The disc is closed (finalized): nothing more can be written to it.');
      const atip = await readAtip(drive, signal);
      const config = await drive.configuration(signal);
      const caps = audioWriteCaps(config);
      if (mixed) {
        if (!caps.sao || (options.mode !== undefined && options.mode !== 'auto' && options.mode !== 'sao')) throw new NotSupportedError('A mixed-mode CD (data track 1 + audio) is written Session-At-Once, which this drive or the chosen mode does not offer.');
        choice = { mode: 'sao', cdText: false, dropped: [], reason: 'Session-At-Once: a mixed-mode CD is one session with a mode 1 data track and audio tracks from one cue sheet.' };
      } else choice = chooseAudioMode(layout, plan.cdTextPacks.length > 0, caps, options.mode ?? 'auto');
      if (choice.mode !== 'tao' && media.status !== 'blank') throw new InvalidMediaError(`${choice.mode === 'sao' ? 'Session-At-Once' : 'Raw Disc-At-Once'} writes the first session of a blank CD; this ${media.profile} is ${media.status}.`);
      checkCapacity(plan, media, atip, choice.mode);
      await drive.lock(signal).catch((e) => {
        if (!(e instanceof ScsiError)) throw e;
      });
      if (media.writeSpeeds.length) {
        const want = options.speedX !== undefined ? Math.round(options.speedX * 176.4) : media.writeSpeeds[0];
        const kbps = media.writeSpeeds.find((s) => s <= want) ?? media.writeSpeeds[media.writeSpeeds.length - 1];
        await drive.setWriteSpeed(kbps, Math.max(0, media.capacityBlocks - 1), signal).catch((e) => {
          if (!(e instanceof ScsiError)) throw e;
        });
      }
      const multiSession = (options.close ?? 'disc') === 'disc' ? 0 : 3;
      const common = { bufferUnderrunFree: options.burnFree ?? true, testWrite: options.simulate ?? false, multiSession, sessionFormat: 0 };
      const onStats = (s: { sectorsWritten: number; bytesWritten: number; speedBytesPerSec: number; averageBytesPerSec: number; ringFill: number; driveBufferFill?: number }, base: number, blockBytes: number) => {
        const bytes = (base + s.sectorsWritten) * blockBytes;
        const x = speedX(s.speedBytesPerSec, 'cd');
        report('writing', Math.min(1, (base + s.sectorsWritten) / last.totalSectors), {
          sectorsWritten: base + s.sectorsWritten, bytesWritten: bytes, speedBytesPerSec: s.speedBytesPerSec, averageBytesPerSec: s.averageBytesPerSec, speedX: x, speedLabel: speedLabel(x),
          ringFill: s.ringFill, driveBufferFill: s.driveBufferFill,
          remainingMs: s.averageBytesPerSec > 0 ? ((last.totalSectors - base - s.sectorsWritten) * blockBytes * 1000) / s.averageBytesPerSec : undefined,
        });
      };
      const pipeline = (startLba: number, source: ByteSource, blockBytes: number, base: number) => {
        const wp: WritePlan = { startLba, sectors: source.totalSectors, writeSectors: WRITE_BLOCKS, padTo: 1, simulated: options.simulate ?? false, expect: { newSession: true, random: false } };
        return runWritePipeline({ drive, plan: wp, source, blockBytes, bufferBytes: options.bufferBytes, signal, statsIntervalMs: this.opts.progressIntervalMs, onStats: (s) => onStats(s, base, blockBytes) }, written);
      };

      if (choice.mode === 'tao') {
        // Tracks one by one (MMC-6 §4.2.3.5): page 05h TAO, data block type 0 (2352 bytes CD-DA), the
        // track's CONTROL (copy permitted, pre-emphasis) in Track Mode; the drive writes the 2 s pause.
        phase = 'calibrating';
        await drive.setWriteParameters({ ...common, writeType: 'tao', dataBlockType: 0, trackMode: layout.tracks[0].control & 0x0b, mcn: layout.mcn, isrc: layout.tracks[0].isrc }, signal);
        prepared = true;
        await calibrate(drive, report, signal);
        let base = 0;
        for (const t of layout.tracks) {
          // The MCN and this track's ISRC go in page 05h: the drive records them in Q (mode 2/3 frames).
          await drive.setWriteParameters({ ...common, writeType: 'tao', dataBlockType: 0, trackMode: t.control & 0x0b, mcn: layout.mcn, isrc: t.isrc }, signal);
          const inv = parseReadTrackInformation(await drive.query(buildReadTrackInformation({ type: 'track', address: INVISIBLE_TRACK }), { signal }));
          if (inv.nextWritableAddress === undefined) throw new InvalidMediaError('The disc has no writable address left.');
          phase = 'writing';
          report('writing', base / total);
          written.written = 0;
          await pipeline(inv.nextWritableAddress, cdDaSource(`audio track ${t.number}`, plan.placements, t.start, t.end), CD_DA_SECTOR_BYTES, base);
          recorded.push({ number: inv.track, startLba: inv.nextWritableAddress, sectors: t.end - t.start });
          base += t.end - t.start;
          phase = 'closing';
          await immediate(drive, buildSynchronizeCache(true), this.pollMs, signal);
          await immediate(drive, buildCloseTrackSession(1, inv.track, true), this.pollMs, signal);
        }
        report('closing', 0);
        await immediate(drive, buildCloseTrackSession(2, 0, true), this.pollMs, signal, (f) => report('closing', f));
      } else {
        const raw = choice.mode === 'raw96';
        phase = 'calibrating';
        await drive.setWriteParameters({ ...common, writeType: raw ? 'raw' : 'sao', dataBlockType: raw ? 3 : 0, trackMode: 0 }, signal);
        prepared = true;
        await calibrate(drive, report, signal);
        const entries = mixed ? mixedCueSheet(mixed) : saoCueSheet(plan);
        // Lead-in entry: SAO with CD-TEXT keeps 41h (host R-W); SAO without sends none (01h, drive-made);
        // RAW-96 addresses it at the ATIP lead-in start, where the host's blocks begin (MMC-6 §4.2.3.8).
        const leadIn = entries[0];
        if (raw) entries[0] = atMsf({ ...leadIn, dataForm: 0x01 }, atip.leadInStartLba);
        else if (!choice.cdText) entries[0] = { ...leadIn, dataForm: 0x01 };
        await drive.execute(buildSendCueSheet(encodeCueSheet(entries)), { signal });
        phase = 'writing';
        report('writing', 0, { totalSectors: raw ? total + (-LBA_MSF_OFFSET - atip.leadInStartLba) + LBA_MSF_OFFSET : total + LBA_MSF_OFFSET });
        if (raw) {
          // Closed appendable (a CD-Extra's audio session): the lead-in's B0h/C0h point to the next
          // session, which starts after this session's lead-out (6750 blocks, the first session's)
          // and the next lead-in (4500) and pregap (150), Orange Book Part II.
          const next = multiSession === 3 ? { nextProgramLba: layout.leadOut + 6750 + 4500 + 150, lastLeadOut: atip.leadOutStart, firstLeadIn: { ...atip.leadInStart, atipPower: (atip.indicativeWritePower << 4) | atip.referenceSpeed } } : undefined;
          await pipeline(atip.leadInStartLba, raw96Source(plan, atip.leadInStartLba, next), RAW96_BLOCK_BYTES, 0);
        } else {
          if (choice.cdText) await writeLeadInRw(drive, plan.cdTextPacks, atip.leadInStartLba, signal);
          await pipeline(-LBA_MSF_OFFSET, mixed ? mixedProgramSource(mixed) : programSource(plan), CD_DA_SECTOR_BYTES, 0);
        }
        // All of the session arrived: SYNCHRONIZE CACHE lets the drive write lead-in and lead-out (§4.2.3.6).
        phase = 'closing';
        report('closing', 0);
        await immediate(drive, buildSynchronizeCache(true), this.pollMs, signal, (f) => report('closing', f));
        if (mixed) recorded.push({ number: 1, startLba: 0, sectors: mixed.dataSectors });
        for (const t of layout.tracks) recorded.push({ number: t.number, startLba: t.start, sectors: t.end - t.start });
      }
      const simulated = options.simulate ?? false;
      if (simulated) await drive.setWriteParameters({ testWrite: false }, signal);

      let verifiedSectors = 0;
      if (!simulated && (options.verify ?? 'full') === 'full') {
        phase = 'verifying';
        verifiedSectors = await verifyAudio(drive, plan, recorded, signal, (f) => report('verifying', f), mixed, choice.mode !== 'tao');
      }
      const after = await drive.media(signal);
      const discState = simulated
        ? 'Nothing was recorded (test write); the disc is unchanged.'
        : `The disc holds ${layout.tracks.length} audio track(s), ${msfText(layout.leadOut)} of audio (${choice.mode.toUpperCase()}${choice.cdText ? ', CD-TEXT' : ''}); it is ${after.status === 'appendable' ? 'appendable' : 'closed'}.`;
      report('done', 1);
      if (options.eject) {
        await drive.unlock().catch(() => undefined);
        await drive.eject().catch(() => undefined);
      }
      return {
        ok: true, mode: choice.mode, reason: choice.reason, dropped: choice.dropped, cdText: choice.cdText, simulated, tracks: recorded, leadOut: layout.leadOut,
        verifiedSectors, media: after, elapsedMs: performance.now() - t0, discState,
      };
    } catch (e) {
      if (e instanceof VerificationError) throw e;
      const discState = !prepared
        ? 'Nothing was written; the disc is unchanged.'
        : phase === 'verifying'
          ? 'The disc was written and closed, but its read-back did not finish: it is not verified.'
          : await abandon(drive, choice?.mode ?? 'sao', recorded.length, written.written > 0 || recorded.length > 0, options.simulate ?? false, this.pollMs);
      if (options.simulate) await drive.setWriteParameters({ testWrite: false }).catch(() => undefined);
      if (isCancelledError(e) || signal.aborted) throw new CancelledError(`Cancelled. ${discState}`);
      const err = GlassmasterError.from(e);
      if (!prepared && (err instanceof InvalidMediaError || err instanceof NotSupportedError || err.code === 'DRIVE_BUSY')) throw err;
      throw new BurnError(err, `The audio burn failed while ${phase}: ${err.message}. ${discState}`, { discState, phase });
    } finally {
      await lease.release();
    }
  }
}

async function readAtip(drive: Drive, signal: AbortSignal): Promise<Atip> {
  try {
    return parseAtip(await drive.query(buildReadTocPmaAtip({ format: 4, msf: true }), { signal }));
  } catch (e) {
    if (e instanceof ScsiError) throw new InvalidMediaError(`The drive gives no ATIP for this disc (${e.message}): it is not a recordable CD.`);
    throw e;
  }
}

/** The program must end before the loaded disc's ATIP lead-out start (TAO on an appendable disc: within the free blocks). */
export function checkCapacity(plan: AudioBurnPlan, media: Pick<MediaInfo, 'status' | 'freeBlocks'>, atip: Pick<Atip, 'lastLeadOutStartLba'>, mode: AudioWriteMode): void {
  const { leadOut } = plan.layout;
  if (mode === 'tao' && media.status === 'appendable') {
    // Track 1's 2-second pause comes before it; the later pauses are inside the layout.
    const need = leadOut + LBA_MSF_OFFSET;
    if (need > media.freeBlocks) throw new InvalidMediaError(`The audio (${msfText(leadOut)}) does not fit: the disc has ${msfText(media.freeBlocks)} free.`);
    return;
  }
  if (leadOut > atip.lastLeadOutStartLba) {
    throw new InvalidMediaError(`The audio (${msfText(leadOut)}) does not fit this disc: its lead-out may start at most at ${msfText(atip.lastLeadOutStartLba + LBA_MSF_OFFSET)} (ATIP), ${msfText(leadOut - atip.lastLeadOutStartLba)} too long.`, { leadOut, atipLeadOut: atip.lastLeadOutStartLba });
  }
}

function atMsf(e: CueSheetEntry, lba: number): CueSheetEntry {
  const v = lba + LBA_MSF_OFFSET < 0 ? lba + LBA_MSF_OFFSET + 450000 : lba + LBA_MSF_OFFSET;
  return { ...e, min: Math.floor(v / 4500), sec: Math.floor(v / 75) % 60, frame: v % 75 };
}

/** SEND OPC INFORMATION (power calibration) where the drive has it; a refusal of the command itself is not an error. */
async function calibrate(drive: Drive, report: (a: BurnAction) => void, signal: AbortSignal): Promise<void> {
  report('calibrating');
  try {
    await drive.execute(buildSendOpcInformation(true), { signal, retries: 1 });
  } catch (e) {
    if (!isUnsupported(e)) throw e;
  }
}

async function immediate(drive: Drive, cmd: MmcCommand, pollMs: number, signal?: AbortSignal, onProgress?: (f: number) => void): Promise<void> {
  await drive.execute(cmd, { signal });
  await drive.waitForCompletion({ signal, intervalMs: pollMs, onProgress });
}

/**
 * SAO with CD-TEXT: 96 bytes of R-W per lead-in block from the ATIP lead-in start to LBA −150, the
 * packs cycling four to a block (cue sheet lead-in Data Form 41h, MMC-6 §4.2.3.6).
 */
async function writeLeadInRw(drive: Drive, packs: Uint8Array[], leadInLba: number, signal: AbortSignal): Promise<void> {
  const blocks = -LBA_MSF_OFFSET - leadInLba;
  const per = 512;
  for (let done = 0; done < blocks; done += per) {
    if (signal.aborted) throw new CancelledError();
    const n = Math.min(per, blocks - done);
    const data = new Uint8Array(n * 96);
    for (let i = 0; i < n; i++) {
      const k = done + i;
      data.set(rwOfCdTextPacks([0, 1, 2, 3].map((j) => packs[(k * 4 + j) % packs.length])), i * 96);
    }
    await drive.execute(buildWrite10(leadInLba + done, n, data), { retries: 0 });
  }
}

/**
 * Reads every track back (READ CD, CD-DA) and compares it with the program; returns sectors
 * compared. With `pauses` (SAO and RAW-96, where the host wrote the pauses too) each track is read
 * from its pause on: the 2 s of silence before it and, before track 1, hidden track one audio, which
 * only the pause holds. In TAO the drive makes the pauses, so only what was sent is compared.
 * (Track 1's first 150 sectors lie before LBA 0, where READ CD cannot address them.)
 */
export async function verifyAudio(drive: Drive, plan: AudioBurnPlan, recorded: AudioBurnResult['tracks'], signal: AbortSignal, onProgress: (f: number) => void, mixed?: MixedModeDisc, pauses = false): Promise<number> {
  const spans = recorded.map((r) => {
    const t = plan.layout.tracks.find((x) => x.number === r.number) ?? plan.layout.tracks[recorded.indexOf(r)];
    // Disc and plan addresses are the same in SAO/RAW-96; TAO tracks start where the drive put them.
    const from = pauses && !mixed ? Math.max(0, t.pregapStart) : t.start;
    return { r, t, discLba: r.startLba - (t.start - from), planLba: from, sectors: r.sectors + (t.start - from) };
  });
  const total = spans.reduce((n, s) => n + s.sectors, 0);
  let done = 0;
  for (const { r, t, discLba, planLba, sectors } of spans) {
    if (mixed && r.number === 1) {
      done += await verifyDataTrack(drive, mixed, signal);
      onProgress(done / total);
      continue;
    }
    const expected = cdDaSource(`audio track ${t.number}`, plan.placements, planLba, planLba + sectors);
    let at = discLba;
    try {
      for (let off = 0; off < sectors; off += READ_BLOCKS) {
        const n = Math.min(READ_BLOCKS, sectors - off);
        at = discLba + off;
        const want = await expected.read(n, signal);
        const got = await drive.query(buildReadCd({ lba: at, blocks: n, sectorType: 1 }), { signal });
        if (!want || got.length < want.length) throw new VerificationError(`Verification failed: track ${t.number} could not be read back at sector ${at}.`, { firstBadLba: at });
        if (!Buffer.from(got.buffer, got.byteOffset, want.length).equals(want)) {
          let i = 0;
          while (i < n && Buffer.compare(got.subarray(i * 2352, (i + 1) * 2352), want.subarray(i * 2352, (i + 1) * 2352)) === 0) i++;
          throw new VerificationError(`Verification failed: track ${t.number}${at + i < r.startLba ? ' (its pause)' : ''} differs from its audio at sector ${at + i}.`, { firstBadLba: at + i });
        }
        done += n;
        onProgress(done / total);
      }
    } catch (e) {
      if (e instanceof ScsiError) throw new VerificationError(`Verification failed: track ${t.number}${at < r.startLba ? ' (its pause)' : ''} could not be read back at sector ${at} (${e.message}).`, { firstBadLba: at });
      throw e;
    } finally {
      await expected.cancel();
    }
  }
  return done;
}

/** The data track of a mixed-mode CD: READ CD mode 1 user data against the image. */
async function verifyDataTrack(drive: Drive, mixed: MixedModeDisc, signal: AbortSignal): Promise<number> {
  const image = await mixed.openData();
  try {
    let lba = 0;
    for (;;) {
      const want = await image.read(READ_BLOCKS, signal);
      if (!want) break;
      const n = want.length / 2048;
      const got = await drive.query(buildReadCd({ lba, blocks: n, sectorType: 2 }), { signal }).catch((e: unknown) => {
        if (e instanceof ScsiError) throw new VerificationError(`Verification failed: the data track could not be read back at sector ${lba} (${e.message}).`, { firstBadLba: lba });
        throw e;
      });
      if (!Buffer.from(got.buffer, got.byteOffset, want.length).equals(want)) throw new VerificationError(`Verification failed: the data track differs from its image near sector ${lba}.`, { firstBadLba: lba });
      lba += n;
    }
    return lba;
  } finally {
    await image.cancel();
  }
}

/** After a cancel or failure: never throws; says what is on the disc. */
async function abandon(drive: Drive, mode: AudioWriteMode, tracksDone: number, anyWritten: boolean, simulated: boolean, pollMs: number): Promise<string> {
  if (simulated) return 'Nothing was recorded (test write); the disc is unchanged.';
  try {
    await immediate(drive, buildSynchronizeCache(true), pollMs);
    if (!anyWritten) return 'Nothing was written; the disc is unchanged.';
    if (mode !== 'tao') return 'An unfinished Disc-At-Once session was written and cannot be closed: players and drives will not read it (a CD-RW can be blanked).';
    // TAO: close the open track and the session as appendable, so what was written plays and the rest of the disc stays usable.
    await drive.setWriteParameters({ multiSession: 3 }).catch(() => undefined);
    const di = await drive.discInformation();
    if (di.discStatus === 'complete') return `The disc holds ${tracksDone} complete audio track(s) and was closed.`;
    const open = parseReadTrackInformation(await drive.query(buildReadTrackInformation({ type: 'track', address: INVISIBLE_TRACK }))).track;
    await immediate(drive, buildCloseTrackSession(1, open, true), pollMs).catch(() => undefined);
    await immediate(drive, buildCloseTrackSession(2, 0, true), pollMs);
    return `The disc holds ${tracksDone} complete audio track(s) and a cut-off one in a closed session; it stays appendable.`;
  } catch (e) {
    return `What was written could not be closed (${(e as Error).message}); other drives may not read the disc.`;
  }
}
