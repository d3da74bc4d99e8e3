// Copying a disc: the source disc's data tracks (read/disc-source.ts) burned to a blank disc and
// verified against the source. Two drives: the source is streamed straight into the burner — no
// temporary image — and the copy's full verify reads the source disc again. One drive: the disc is
// read to a temporary image in the state dir, the user swaps discs (a prompt; the service waits
// for a blank disc), the image is burned and verified, and the temporary image is deleted
// whatever happens.
//
// MUST rules:
//  - two drives: the source drive is held by a 'read' lease for the whole copy (no burn or other
//    read can start on it), the target by the burn's own lease;
//  - the copy is reported successful only after the burn's read-back matched (default level
//    'full': every sector against the source disc, or the temporary image read from it);
//  - a source sector that stays unreadable fails the copy (code SCSI, exit code 3, the message names
//    the sector): a copy with zero-filled holes is never reported done. Two drives: it fails while
//    writing, and the target keeps what was written as a cancelled burn leaves it; one drive: it
//    fails after the read, before the swap;
//  - one drive: the temporary image (and its .partial) is gone when copy() settles, whether it
//    succeeded, failed or was cancelled;
//  - a disc of several sessions is copied session by session (copy-sessions.ts: each at the source's
//    address, closed so the next can follow, the last as the source's; each verified against the
//    source's session before the next is written); what cannot be copied so is refused before
//    either disc is written (two drives) or before the swap (one drive: before the read when the
//    source itself cannot be copied so).
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledError, InvalidMediaError } from '../common/errors';
import { sleep } from '../common/sleep';
import type { BurnOptions } from '../common/model/burn';
import type { CopyProgress, CopyResult } from '../common/model/copy';
import type { BurnResult } from '../common/model/burn';
import type { MediaInfo } from '../common/model/drive';
import { profileNumber } from '../mmc/profiles';
import type { DriveService } from '../drive/drive-service';
import { DiscService } from '../read/disc-service';
import { openDiscByteSource } from '../read/disc-source';
import { readDiscLayout, type DiscLayout } from '../read/disc-layout';
import { UnreadableSectorError } from '../read/drive-block-reader';
import { imageFileSourceFactory } from './burn-sources';
import type { BurnService } from './burn-service';
import { formatRanges } from '../read/owners';
import { checkSessionPlaces, checkSessionTarget, openImageSessionSource, placedSession, planSessionCopy, sessionBurnOptions, trimRunOut, type CopySession } from './copy-sessions';
import type { ByteSourceFactory } from './burn-service';

export interface CopyOptions {
  /** Re-reads of a damaged source sector (default 3). */
  retries?: number;
  /** How long a one-drive copy waits for the blank disc (default 10 minutes). */
  swapTimeoutMs?: number;
}

export interface CopyServiceOptions {
  drives: DriveService;
  burner: BurnService;
  /** Where a one-drive copy keeps its temporary image (the app's state dir + '/copy'). */
  tempDir: string;
  /** How often the drive is asked whether the blank disc is in (default 500 ms). */
  pollMs?: number;
}

export interface CopyHooks {
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
}

export type { CopyProgress, CopyResult };

export class CopyService {
  private readonly discs: DiscService;

  constructor(private readonly opts: CopyServiceOptions) {
    this.discs = new DiscService(opts.drives);
  }

  /** `burnOptions.close` unset: a one-session copy is finalized, a multisession copy ends as the source does. */
  async copy(from: string, to: string, burnOptions: BurnOptions = {}, copyOptions: CopyOptions = {}, hooks: CopyHooks = {}): Promise<CopyResult> {
    const options: BurnOptions = { ...burnOptions, verify: burnOptions.verify ?? 'full' };
    return from === to ? this.viaImage(from, options, copyOptions, hooks) : this.stream(from, to, options, copyOptions, hooks);
  }

  private emit(hooks: CopyHooks, p: CopyProgress): void {
    try {
      hooks.onProgress?.(p);
    } catch {
      // a listener's failure must not break the copy
    }
  }

  private async stream(from: string, to: string, options: BurnOptions, copyOptions: CopyOptions, hooks: CopyHooks): Promise<CopyResult> {
    const source = await this.opts.drives.lease(from, 'read');
    try {
      const layout = await readDiscLayout(source.drive, hooks.signal);
      if (layout.sessions.length > 1) {
        const sessions = planSessionCopy(layout, from, options.close);
        await trimRunOut(source.drive, layout, sessions, hooks.signal);
        checkSessionPlaces(layout, sessions, from);
        checkSessionTarget(layout, await this.opts.drives.media(to, hooks.signal), from, to);
        const burns = await this.burnSessions(to, layout.profile, sessions, options, hooks, (s) => () => openDiscByteSource(source.drive, from, { retries: copyOptions.retries, signal: hooks.signal, session: s }));
        return { from, to, mode: 'stream', burn: burns[burns.length - 1], sessions: sessionResults(sessions, burns) };
      }
      const open = () => openDiscByteSource(source.drive, from, { retries: copyOptions.retries, signal: hooks.signal });
      // The source's size and readability are checked before the target is touched.
      await open();
      const burn = await this.opts.burner.burn(to, open, { ...options, close: options.close ?? 'disc' }, { signal: hooks.signal, onProgress: (p) => this.emit(hooks, { stage: 'burning', burn: p }) });
      return { from, to, mode: 'stream', burn };
    } finally {
      await source.release();
    }
  }

  private async viaImage(address: string, options: BurnOptions, copyOptions: CopyOptions, hooks: CopyHooks): Promise<CopyResult> {
    const check = await this.opts.drives.lease(address, 'read');
    let layout: DiscLayout;
    let sessions: CopySession[] | undefined;
    try {
      layout = await readDiscLayout(check.drive, hooks.signal);
      if (layout.sessions.length > 1) {
        sessions = planSessionCopy(layout, address, options.close);
        await trimRunOut(check.drive, layout, sessions, hooks.signal);
        checkSessionPlaces(layout, sessions, address);
      }
    } finally {
      await check.release();
    }
    await mkdir(this.opts.tempDir, { recursive: true });
    const image = join(this.opts.tempDir, `copy-${process.pid}-${randomBytes(4).toString('hex')}.iso`);
    try {
      const read = await this.discs.read(address, { output: image, retries: copyOptions.retries, signal: hooks.signal, onProgress: (p) => this.emit(hooks, { stage: 'reading', read: p }) });
      if (read.bad.unreadableCount) {
        const first = read.bad.unreadable[0].start;
        throw new UnreadableSectorError(first, new Error(`${read.bad.unreadableCount} sector(s) of the source disc stayed unreadable (${formatRanges(read.bad.unreadable)}); nothing was copied`));
      }
      await this.opts.drives.eject(address, hooks.signal).catch(() => undefined);
      const message = `Remove the source disc from ${address} and insert a blank disc to copy to (${Math.ceil(read.bytes / 1e6)} MB).`;
      this.emit(hooks, { stage: 'waiting-for-disc', message });
      const target = await this.waitForBlank(address, read.sectors, copyOptions.swapTimeoutMs ?? 10 * 60_000, hooks.signal, !!sessions);
      if (sessions) {
        checkSessionTarget(layout, target, address, address);
        const burns = await this.burnSessions(address, layout.profile, sessions, options, hooks, (s) => () => openImageSessionSource(image, s));
        return { from: address, to: address, mode: 'image', read, burn: burns[burns.length - 1], sessions: sessionResults(sessions, burns) };
      }
      const burn = await this.opts.burner.burn(address, await imageFileSourceFactory(image), { ...options, close: options.close ?? 'disc' }, { signal: hooks.signal, onProgress: (p) => this.emit(hooks, { stage: 'burning', burn: p }) });
      return { from: address, to: address, mode: 'image', read, burn };
    } finally {
      await rm(image, { force: true });
      await rm(`${image}.partial`, { force: true });
    }
  }

  /**
   * Session by session (copy-sessions.ts): each burned at the source's address, closed as planned and
   * verified (the burn's own read-back, against `sourceOf(session)`) before the next one is written.
   */
  private async burnSessions(to: string, profile: number, sessions: CopySession[], options: BurnOptions, hooks: CopyHooks, sourceOf: (s: CopySession) => ByteSourceFactory): Promise<BurnResult[]> {
    const burns: BurnResult[] = [];
    for (const s of sessions) {
      const placed = placedSession(sourceOf(s), s, () => burns.length);
      const target = profileNumber((await this.opts.drives.media(to, hooks.signal)).profile) ?? profile;
      const last = s === sessions[sessions.length - 1];
      burns.push(await this.opts.burner.burn(to, placed, { ...sessionBurnOptions(options, s, target), eject: last && options.eject }, {
        signal: hooks.signal,
        onProgress: (p) => this.emit(hooks, { stage: 'burning', burn: p, session: { number: s.number, of: sessions.length } }),
      }));
    }
    return burns;
  }

  /** Polls the drive until it holds a disc with room for `sectors` (blank, or appendable with enough free blocks; `blank`: blank only). */
  private async waitForBlank(address: string, sectors: number, timeoutMs: number, signal?: AbortSignal, blank = false): Promise<MediaInfo> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.opts.drives.media(address, signal).catch((e: unknown) => {
        if (signal?.aborted) throw new CancelledError();
        if (e instanceof Error && (e as { code?: string }).code === 'DRIVE_BUSY') throw e;
        return undefined;
      });
      if (m && m.tray !== 'open' && (m.status === 'blank' || (!blank && m.status === 'appendable' && m.freeBlocks >= sectors))) return m;
      if (Date.now() >= deadline) throw new InvalidMediaError(`No blank disc was inserted in ${address} within ${Math.round(timeoutMs / 1000)} s.`, { address });
      await sleep(this.opts.pollMs ?? 500, signal);
    }
  }
}

function sessionResults(sessions: CopySession[], burns: BurnResult[]): NonNullable<CopyResult['sessions']> {
  return burns.map((b, i) => ({ number: sessions[i].number, startLba: sessions[i].start, sectors: sessions[i].end - sessions[i].start, closed: sessions[i].close, burn: b }));
}
