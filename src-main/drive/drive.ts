// Drive: where the MMC command layer meets a transport. One retry policy (execute), identification,
// capabilities, media detection, tray control and a media-change watcher.
import { CancelledError, DriveResponseError, ScsiError, throwIfAborted } from '../common/errors';
import { sleep } from '../common/sleep';
import type { DriveCapabilities, MediaInfo, MediaProfileName, MediaStatus, TrackSummary, TrayState } from '../common/model/drive';
import { NO_DISC_MEDIA } from '../common/model/drive';
import type { ScsiDevice, ScsiResult } from '../transport/transport';
import type { MmcCommand } from '../mmc/command';
import { decodeSense, senseToError } from '../mmc/sense';
import { buildInquiry, parseInquiry, type InquiryData } from '../mmc/commands/inquiry';
import { buildTestUnitReady } from '../mmc/commands/test-unit-ready';
import { buildGetConfiguration, Feature, parseGetConfiguration, type Configuration } from '../mmc/commands/get-configuration';
import { buildGetEventStatusNotification, parseGetEventStatusNotification, type EventStatus } from '../mmc/commands/get-event-status-notification';
import { buildReadDiscInformation, parseReadDiscInformation, type DiscInformation } from '../mmc/commands/read-disc-information';
import { buildReadTrackInformation, parseReadTrackInformation, type TrackInformation } from '../mmc/commands/read-track-information';
import { buildReadTocPmaAtip, parseAtip } from '../mmc/commands/read-toc-pma-atip';
import { buildReadCapacity, parseReadCapacity } from '../mmc/commands/read-capacity';
import { buildReadFormatCapacities, parseReadFormatCapacities } from '../mmc/commands/read-format-capacities';
import { buildGetPerformance, parseWriteSpeeds } from '../mmc/commands/get-performance';
import {
  buildModeSelect10, buildModeSense10, DEFAULT_WRITE_PARAMETERS, encodeWriteParametersPage, ModePage, parseCapabilitiesPage, parseModeSense10, parseWriteParametersPage,
  type WriteParameters,
} from '../mmc/commands/mode-sense';
import { buildSetStreaming } from '../mmc/commands/set-streaming';
import { buildSetCdSpeed } from '../mmc/commands/set-cd-speed';
import { buildReadBufferCapacity, parseReadBufferCapacity } from '../mmc/commands/read-buffer-capacity';
import { buildMechanismStatus, parseMechanismStatus } from '../mmc/commands/mechanism-status';
import { buildEject, buildLoad } from '../mmc/commands/start-stop-unit';
import { buildPreventAllowMediumRemoval } from '../mmc/commands/prevent-allow-medium-removal';
import { msfString } from '../mmc/bytes';
import { profileErasable, profileFamily, profileRandomWritable } from '../mmc/profiles';

export interface DriveOptions {
  /** Attempts for commands whose sense disposition is 'retry' (default 6). */
  retries?: number;
  /** First back-off delay; doubles per attempt up to 2 s (default 100 ms). */
  retryDelayMs?: number;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** Override the retry count for this command (0 = no retries). */
  retries?: number;
}

export interface MediaChange {
  /** 'initial' for the first report, then 'new-media', 'media-removal' or 'changed'. */
  reason: 'initial' | 'new-media' | 'media-removal' | 'changed';
  media: MediaInfo;
}

/** Commands that change the medium (WRITE, CLOSE, RESERVE, CUE SHEET, BLANK, FORMAT, SEND DISC STRUCTURE). */
const RECORDING_OPCODES = new Set([0x2a, 0xaa, 0x5b, 0x53, 0x5d, 0xa1, 0x04, 0xbf]);

export function isNoMedium(e: unknown): boolean {
  return e instanceof ScsiError && e.senseKey === 2 && e.asc === 0x3a;
}
export function isUnsupported(e: unknown): boolean {
  // Invalid command operation code / invalid field in CDB: the drive does not implement this.
  return e instanceof ScsiError && e.senseKey === 5 && (e.asc === 0x20 || e.asc === 0x24);
}

export class Drive {
  private readonly retries: number;
  private readonly retryDelayMs: number;
  /** ASCQ of the last MEDIUM NOT PRESENT (3A/01 tray closed, 3A/02 tray open, SPC-4 Annex D). */
  private lastNoMediumAscq: number | undefined;

  constructor(
    readonly device: ScsiDevice,
    opts: DriveOptions = {},
  ) {
    this.retries = opts.retries ?? 6;
    this.retryDelayMs = opts.retryDelayMs ?? 100;
  }

  get address(): string {
    return this.device.address;
  }

  /** The most bytes one READ/WRITE may carry (ScsiDevice.maxTransferBytes; undefined when the transport does not know). */
  get maxTransferBytes(): number | undefined {
    return this.device.maxTransferBytes;
  }

  /**
   * Sends a command and applies the one retry policy: CHECK CONDITION becomes a ScsiError via
   * mmc/sense; 'retry' dispositions (becoming ready, unit attention, aborted command, BUSY) are
   * retried with back-off; 'continue' (recovered error) counts as success; 'fail' throws.
   */
  async execute(cmd: MmcCommand, opts: ExecuteOptions = {}): Promise<ScsiResult> {
    const max = opts.retries ?? this.retries;
    let delay = this.retryDelayMs;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(opts.signal);
      const res = await this.device.execute(cmd, opts.signal);
      if (res.status === 0x00) return res;
      const err = senseToError(cmd.cdb[0], res.sense, res.status);
      if (err.disposition === 'continue') return res;
      // A disc change (06/28/00) in the middle of recording must not be "retried" onto the new disc,
      // nor a recording command resent after a reset (06/29/xx): the drive lost what it buffered.
      const discChangedMidWrite = err.senseKey === 6 && (err.asc === 0x28 || err.asc === 0x29) && RECORDING_OPCODES.has(cmd.cdb[0]);
      if (err.disposition === 'fail' || attempt >= max || discChangedMidWrite) throw err;
      await sleep(delay, opts.signal);
      delay = Math.min(delay * 2, 2000);
    }
  }

  /** Executes and returns the data-in bytes. */
  async query(cmd: MmcCommand, opts: ExecuteOptions = {}): Promise<Buffer> {
    return (await this.execute(cmd, opts)).data;
  }

  async discInformation(signal?: AbortSignal): Promise<DiscInformation> {
    return parseReadDiscInformation(await this.query(buildReadDiscInformation(), { signal }));
  }

  /** READ TRACK INFORMATION of a track number (0xFF: the invisible/incomplete track). */
  async trackInformation(track: number, signal?: AbortSignal): Promise<TrackInformation> {
    return parseReadTrackInformation(await this.query(buildReadTrackInformation({ type: 'track', address: track }), { signal }));
  }

  /** Where the next write must start on sequential media (the invisible track's NWA), if any. */
  async nextWritableAddress(signal?: AbortSignal): Promise<number | undefined> {
    const di = await this.discInformation(signal);
    if (di.discStatus === 'complete') return undefined;
    return (await this.trackInformation(di.lastTrackInLastSession, signal)).nextWritableAddress;
  }

  /** Current Write Parameters mode page (05h, MMC-6 §7.5). */
  async writeParameters(signal?: AbortSignal): Promise<WriteParameters> {
    const page = parseModeSense10(await this.query(buildModeSense10(ModePage.WRITE_PARAMETERS), { signal })).pages.find((p) => p.code === ModePage.WRITE_PARAMETERS);
    if (!page) throw new DriveResponseError('MODE SENSE: the drive returned no Write Parameters page (05h)');
    return parseWriteParametersPage(page.bytes);
  }

  /**
   * Changes fields of the Write Parameters page: reads the current page, merges, sends MODE SELECT.
   * Fields not named keep the drive's values (vendor-specific bytes included).
   */
  async setWriteParameters(changes: Partial<WriteParameters>, signal?: AbortSignal): Promise<WriteParameters> {
    const res = parseModeSense10(await this.query(buildModeSense10(ModePage.WRITE_PARAMETERS), { signal })).pages.find((p) => p.code === ModePage.WRITE_PARAMETERS);
    const merged = { ...(res ? parseWriteParametersPage(res.bytes) : DEFAULT_WRITE_PARAMETERS), ...changes };
    const encoded = encodeWriteParametersPage(merged);
    // Start from the drive's own page (its length, vendor bytes, and the MCN, ISRC and sub-header it
    // holds) and overlay the modelled fields of bytes 2..15, plus the MCN (16–31), ISRC (32–47) and
    // sub-header (48–51) regions a caller names — naming one as undefined clears it (a TAO track
    // without an ISRC after one with). A drive without the page gets ours.
    let page = encoded;
    if (res && res.bytes.length >= 16) {
      page = res.bytes.slice();
      page.set(encoded.subarray(2, 16), 2);
      for (const [key, from, to] of [['mcn', 16, 32], ['isrc', 32, 48], ['subHeader', 48, 52]] as const) {
        if (key in changes && page.length >= to) page.set(encoded.subarray(from, to), from);
      }
    }
    await this.execute(buildModeSelect10([page]), { signal });
    return merged;
  }

  /**
   * Selects a write speed in kB/s: SET STREAMING (Real Time Streaming feature, DVD/BD) with a fallback
   * to SET CD SPEED (MMC-6). `endLba` bounds the performance descriptor (the disc capacity).
   */
  async setWriteSpeed(kbps: number, endLba: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.execute(buildSetStreaming({ endLba, readKbps: kbps, writeKbps: kbps }), { signal, retries: 1 });
    } catch (e) {
      if (!isUnsupported(e)) throw e;
      await this.execute(buildSetCdSpeed({ writeKbps: Math.min(kbps, 0xffff) }), { signal });
    }
  }

  /** READ BUFFER CAPACITY in bytes (buffer size and free space), for buffer under-run control. */
  async bufferCapacity(signal?: AbortSignal): Promise<{ bufferLength?: number; freeBytes?: number }> {
    return parseReadBufferCapacity(await this.query(buildReadBufferCapacity(), { signal }));
  }

  async inquiry(signal?: AbortSignal): Promise<InquiryData> {
    return parseInquiry(await this.query(buildInquiry(), { signal }));
  }

  async configuration(signal?: AbortSignal): Promise<Configuration> {
    return parseGetConfiguration(await this.query(buildGetConfiguration({ rt: 'all' }), { signal }));
  }

  async capabilities(signal?: AbortSignal): Promise<DriveCapabilities> {
    const cfg = await this.configuration(signal);
    const s = cfg.summary;
    const has = (code: number) => cfg.features.has(code);
    const prof = new Set(cfg.profiles.map((p) => p.number));
    let caps: ReturnType<typeof parseCapabilitiesPage> | undefined;
    try {
      const page = parseModeSense10(await this.query(buildModeSense10(ModePage.CAPABILITIES), { signal, retries: 1 })).pages.find((p) => p.code === 0x2a);
      if (page) caps = parseCapabilitiesPage(page.bytes);
    } catch (e) {
      if (!(e instanceof ScsiError) && !(e instanceof DriveResponseError)) throw e;
    }
    const dvdRW = s.dvdMinusRWrite;
    return {
      profiles: cfg.profiles.map((p) => p.name),
      canReadCd: [...prof].some((p) => profileFamily(p) === 'cd') || has(Feature.CD_READ),
      canReadDvd: [...prof].some((p) => profileFamily(p) === 'dvd') || has(Feature.DVD_READ),
      canReadBd: [...prof].some((p) => profileFamily(p) === 'bd') || has(Feature.BD_READ),
      canWriteCdR: prof.has(0x09) && (has(Feature.CD_TRACK_AT_ONCE) || has(Feature.CD_MASTERING)),
      canWriteCdRw: prof.has(0x0a) && (has(Feature.CD_TRACK_AT_ONCE) || has(Feature.CD_MASTERING)),
      canWriteCdTao: has(Feature.CD_TRACK_AT_ONCE),
      canWriteCdSao: s.cdMastering?.sao ?? false,
      canWriteDvdMinusR: prof.has(0x11) && dvdRW !== undefined,
      canWriteDvdMinusRw: prof.has(0x14) && (dvdRW?.dvdRw ?? false),
      canWriteDvdMinusRDl: prof.has(0x15) && (dvdRW?.dualLayer ?? false),
      canWriteDvdPlusR: prof.has(0x1b) && (s.dvdPlusR?.write ?? false),
      canWriteDvdPlusRw: prof.has(0x1a) && (s.dvdPlusRw?.write ?? false),
      canWriteDvdPlusRDl: prof.has(0x2b) && (s.dvdPlusRDl?.write ?? false),
      canWriteDvdRam: prof.has(0x12) && has(Feature.RANDOM_WRITABLE),
      canWriteBdR: prof.has(0x41) && has(Feature.BD_WRITE),
      canWriteBdRe: prof.has(0x43) && has(Feature.BD_WRITE),
      canTestWrite: (s.cdTao?.testWrite || s.cdMastering?.testWrite || dvdRW?.testWrite || caps?.testWrite) ?? false,
      canBufferUnderrunFree: (s.cdTao?.bufferUnderrunFree || s.cdMastering?.bufferUnderrunFree || dvdRW?.bufferUnderrunFree || s.incrementalStreaming?.bufferUnderrunFree || caps?.bufferUnderrunFree) ?? false,
      canRealTimeStreaming: has(Feature.REAL_TIME_STREAMING),
      canEject: s.removable?.eject ?? caps?.eject ?? false,
      canLock: s.removable?.lock ?? caps?.lockSupported ?? false,
    };
  }

  /** TEST UNIT READY with the retry policy; resolves false when there is no disc. */
  async testUnitReady(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.execute(buildTestUnitReady(), { signal, retries: 0 });
      return true;
    } catch (e) {
      if (isNoMedium(e)) {
        this.lastNoMediumAscq = (e as ScsiError).ascq;
        return false;
      }
      throw e;
    }
  }

  /**
   * Waits until the drive is ready: retries while it is becoming ready (or reports a unit
   * attention) for up to timeoutMs. Resolves true with a disc, false without one.
   */
  async waitReady(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let delay = this.retryDelayMs;
    for (;;) {
      try {
        return await this.testUnitReady(opts.signal);
      } catch (e) {
        if (!(e instanceof ScsiError) || e.disposition !== 'retry' || Date.now() + delay > deadline) throw e;
      }
      await sleep(delay, opts.signal);
      delay = Math.min(delay * 2, 1000);
    }
  }

  /**
   * Waits for an IMMED operation (BLANK, FORMAT UNIT, CLOSE TRACK/SESSION, SYNCHRONIZE CACHE) to
   * finish: polls TEST UNIT READY while the drive answers NOT READY 04/04 (format), 04/07 (operation)
   * or 04/08 (long write) in progress, reporting the progress indication (SPC-4 §4.5.2.4.3, MMC-6 §4.1.6).
   */
  async waitForCompletion(opts: { signal?: AbortSignal; timeoutMs?: number; intervalMs?: number; onProgress?: (fraction: number) => void } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 80 * 60_000);
    for (;;) {
      throwIfAborted(opts.signal);
      const res = await this.device.execute(buildTestUnitReady(), opts.signal);
      if (res.status === 0) {
        opts.onProgress?.(1);
        return;
      }
      const d = decodeSense(res.sense);
      const inProgress = d && d.key === 2 && d.asc === 0x04 && [0x01, 0x04, 0x07, 0x08].includes(d.ascq);
      if (!inProgress && d?.key !== 6) throw senseToError(0x00, res.sense, res.status);
      if (inProgress && d.progress !== undefined) opts.onProgress?.(d.progress);
      if (Date.now() > deadline) throw senseToError(0x00, res.sense, res.status);
      await sleep(opts.intervalMs ?? 1000, opts.signal);
    }
  }

  async eject(signal?: AbortSignal): Promise<void> {
    await this.execute(buildEject(), { signal });
  }

  async load(signal?: AbortSignal): Promise<void> {
    await this.execute(buildLoad(), { signal });
  }

  async lock(signal?: AbortSignal): Promise<void> {
    await this.execute(buildPreventAllowMediumRemoval(true), { signal });
  }

  async unlock(signal?: AbortSignal): Promise<void> {
    await this.execute(buildPreventAllowMediumRemoval(false), { signal });
  }

  /** One GESN media-class poll; undefined when the drive does not implement GESN. */
  async mediaEvent(signal?: AbortSignal): Promise<EventStatus | undefined> {
    try {
      return parseGetEventStatusNotification(await this.query(buildGetEventStatusNotification(), { signal, retries: 1 }));
    } catch (e) {
      if (isUnsupported(e)) return undefined;
      throw e;
    }
  }

  async trayState(signal?: AbortSignal): Promise<TrayState> {
    try {
      const st = parseMechanismStatus(await this.query(buildMechanismStatus(), { signal, retries: 1 }));
      return st.doorOpen ? 'open' : 'closed';
    } catch (e) {
      if (e instanceof ScsiError || e instanceof DriveResponseError) return 'unknown';
      throw e;
    }
  }

  /** Full media detection (MMC-6 §4 per-profile semantics; see media() in the README of drive/). */
  async media(signal?: AbortSignal): Promise<MediaInfo> {
    const mech = await this.trayState(signal);
    let ready: boolean;
    this.lastNoMediumAscq = undefined;
    try {
      ready = await this.waitReady({ signal, timeoutMs: 20_000 });
    } catch (e) {
      if (!isNoMedium(e)) throw e;
      this.lastNoMediumAscq = (e as ScsiError).ascq;
      ready = false;
    }
    // The sense of an empty drive says whether its tray is open; some drives (QEMU scsi-cd) leave
    // MECHANISM STATUS's Door Open bit clear, so the sense wins when it is specific.
    let tray: TrayState = this.lastNoMediumAscq === 0x02 ? 'open' : this.lastNoMediumAscq === 0x01 ? 'closed' : mech;
    if (!ready && this.lastNoMediumAscq !== 0x01 && this.lastNoMediumAscq !== 0x02 && mech !== 'open') {
      // 3A/00 says nothing about the tray and QEMU's MECHANISM STATUS is all zero: ask GESN's media
      // status byte (Door or Tray Open, MMC-6). A change event consumed here is still
      // noticed by watchMedia, which also compares presence.
      const ev = await this.mediaEvent(signal).catch(() => undefined);
      if (ev?.media) tray = ev.media.trayOpen ? 'open' : 'closed';
    }
    if (!ready) return { ...NO_DISC_MEDIA, tray };
    const cfg = parseGetConfiguration(await this.query(buildGetConfiguration({ rt: 'current', allocationLength: 8 + 4 + 64 }), { signal }));
    const profileNo = cfg.currentProfile;
    if (profileNo === 0) return { ...NO_DISC_MEDIA, tray };
    const profile: MediaProfileName = cfg.currentProfileName;
    const fam = profileFamily(profileNo);
    const random = profileRandomWritable(profileNo);
    const di = parseReadDiscInformation(await this.query(buildReadDiscInformation(), { signal }));

    const trackList: TrackSummary[] = [];
    const infos: TrackInformation[] = [];
    const lastTrack = di.lastTrackInLastSession;
    for (let n = di.firstTrack || 1; n <= lastTrack && n <= 0xffff; n++) {
      try {
        const ti = parseReadTrackInformation(await this.query(buildReadTrackInformation({ type: 'track', address: n }), { signal }));
        infos.push(ti);
      } catch (e) {
        if (isUnsupported(e) || e instanceof ScsiError) break;
        throw e;
      }
    }
    let used = 0;
    let free = 0;
    let end = 0;
    let nwa: number | undefined;
    for (const ti of infos) {
      const recorded = ti.blank ? 0 : ti.nextWritableAddress !== undefined ? ti.nextWritableAddress - ti.startLba : ti.trackSize - ti.freeBlocks;
      if (!random) {
        used += Math.max(0, recorded);
        free += ti.freeBlocks;
        end = Math.max(end, ti.startLba + ti.trackSize);
        if (ti.nextWritableAddress !== undefined && nwa === undefined) nwa = ti.nextWritableAddress;
      }
      if (recorded > 0 || !ti.blank) {
        trackList.push({
          number: ti.track, session: ti.session, startLba: ti.startLba, sizeBlocks: recorded, kind: (ti.trackMode & 0x04) !== 0 ? 'data' : 'audio',
          blank: ti.blank, nextWritableAddress: ti.nextWritableAddress,
        });
      }
    }
    let capacity = end;
    let formatted: boolean | undefined;
    if (random || infos.length === 0) {
      try {
        const fc = parseReadFormatCapacities(await this.query(buildReadFormatCapacities(), { signal, retries: 1 }));
        formatted = fc.current.type === 'formatted';
        capacity = fc.current.blocks;
      } catch (e) {
        if (!(e instanceof ScsiError)) throw e;
      }
      if (random) free = capacity;
    }
    if (capacity === 0 || di.discStatus === 'complete') {
      try {
        const rc = parseReadCapacity(await this.query(buildReadCapacity(), { signal, retries: 1 }));
        if (!random && di.discStatus === 'complete') {
          used = used || rc.blocks;
          capacity = Math.max(used, capacity && !random ? used : rc.blocks);
        } else if (capacity === 0) capacity = rc.blocks;
      } catch (e) {
        if (!(e instanceof ScsiError)) throw e;
      }
    }
    const status: MediaStatus = di.discStatus === 'other' ? 'complete' : random && formatted === false ? 'blank' : di.discStatus;
    const sessions = status === 'blank' ? 0 : di.lastSessionState === 'empty' ? di.sessions - 1 : di.sessions;
    const info: MediaInfo = {
      profile,
      status,
      erasable: di.erasable || profileErasable(profileNo),
      sessions,
      tracks: trackList.filter((t) => !t.blank).length,
      usedBlocks: random ? 0 : used,
      freeBlocks: status === 'complete' && !random ? 0 : free,
      capacityBlocks: capacity,
      nextWritableAddress: status === 'complete' && !random ? undefined : random ? 0 : nwa,
      writeSpeeds: await this.writeSpeeds(signal),
      tray: 'closed',
      trackList,
    };
    if (formatted !== undefined) info.formatted = formatted;
    if (fam === 'cd' && (profileNo === 0x09 || profileNo === 0x0a)) {
      try {
        const atip = parseAtip(await this.query(buildReadTocPmaAtip({ format: 4, allocationLength: 28 }), { signal, retries: 1 }));
        info.atip = {
          manufacturer: atip.manufacturer,
          leadInStart: msfString(atip.leadInStart.m, atip.leadInStart.s, atip.leadInStart.f),
          leadOutStart: msfString(atip.leadOutStart.m, atip.leadOutStart.s, atip.leadOutStart.f),
          erasable: atip.erasable,
          indicativeWritePower: atip.indicativeWritePower,
        };
      } catch (e) {
        if (!(e instanceof ScsiError) && !(e instanceof DriveResponseError)) throw e;
      }
    }
    return info;
  }

  /** Write speeds for the loaded medium: GET PERFORMANCE type 03h, else mode page 2Ah. */
  async writeSpeeds(signal?: AbortSignal): Promise<number[]> {
    try {
      const ds = parseWriteSpeeds(await this.query(buildGetPerformance({ type: 0x03 }), { signal, retries: 1 }));
      const speeds = [...new Set(ds.map((d) => d.writeSpeedKbps).filter((s) => s > 0))].sort((a, b) => b - a);
      if (speeds.length) return speeds;
    } catch (e) {
      if (!(e instanceof ScsiError) && !(e instanceof DriveResponseError)) throw e;
    }
    try {
      const page = parseModeSense10(await this.query(buildModeSense10(ModePage.CAPABILITIES), { signal, retries: 1 })).pages.find((p) => p.code === 0x2a);
      return page ? parseCapabilitiesPage(page.bytes).writeSpeeds : [];
    } catch (e) {
      if (!(e instanceof ScsiError) && !(e instanceof DriveResponseError)) throw e;
      return [];
    }
  }

  /**
   * Watches for media changes until the signal aborts. Polls GESN (media class) with back-off
   * (minIntervalMs doubling to maxIntervalMs while nothing happens); drives without GESN are polled
   * with TEST UNIT READY (presence + unit attention). Reports the initial state first.
   */
  async watchMedia(signal: AbortSignal, onChange: (ev: MediaChange) => void, opts: { minIntervalMs?: number; maxIntervalMs?: number } = {}): Promise<void> {
    const min = opts.minIntervalMs ?? 500;
    const max = opts.maxIntervalMs ?? 4000;
    let interval = min;
    let last = await this.media(signal);
    onChange({ reason: 'initial', media: last });
    let gesn = true;
    let present = last.status !== 'no-disc';
    while (!signal.aborted) {
      try {
        await sleep(interval, signal);
      } catch {
        return;
      }
      let changed: MediaChange['reason'] | undefined;
      try {
        if (gesn) {
          const ev = await this.mediaEvent(signal);
          if (!ev) gesn = false;
          else if (ev.media && ev.media.event !== 'none') changed = ev.media.event === 'media-removal' ? 'media-removal' : ev.media.event === 'new-media' ? 'new-media' : 'changed';
          else if (ev.media && ev.media.present !== present) changed = ev.media.present ? 'new-media' : 'media-removal';
        }
        if (!gesn) {
          try {
            const now = await this.testUnitReady(signal);
            if (now !== present) changed = now ? 'new-media' : 'media-removal';
          } catch (e) {
            if (!(e instanceof ScsiError) || e.senseKey !== 6) throw e;
            changed = 'changed'; // unit attention: the medium may have changed
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      if (changed) {
        last = await this.media(signal).catch((e) => {
          if (signal.aborted) throw new CancelledError();
          throw e;
        });
        present = last.status !== 'no-disc';
        onChange({ reason: changed, media: last });
        interval = min;
      } else {
        interval = Math.min(interval * 2, max);
      }
    }
  }

  // Capability queries (call capabilities() once and keep the result for many checks).
  static canWrite(caps: DriveCapabilities, media: MediaProfileName): boolean {
    const map: Partial<Record<MediaProfileName, keyof DriveCapabilities>> = {
      'CD-R': 'canWriteCdR', 'CD-RW': 'canWriteCdRw', 'DVD-R': 'canWriteDvdMinusR', 'DVD-RW seq': 'canWriteDvdMinusRw', 'DVD-RW RO': 'canWriteDvdMinusRw',
      'DVD-R DL': 'canWriteDvdMinusRDl', 'DVD+R': 'canWriteDvdPlusR', 'DVD+RW': 'canWriteDvdPlusRw', 'DVD+R DL': 'canWriteDvdPlusRDl', 'DVD-RAM': 'canWriteDvdRam',
      'BD-R SRM': 'canWriteBdR', 'BD-R RRM': 'canWriteBdR', 'BD-RE': 'canWriteBdRe',
    };
    const k = map[media];
    return k ? caps[k] === true : false;
  }
}
