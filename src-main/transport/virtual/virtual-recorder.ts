// The virtual recorder: a software MMC drive. It answers CDBs from a media model (disc-state.ts)
// and keeps written sectors in a sparse backing file, so a burn can be checked with any reader.
// Semantics follow MMC-6 per media family; every deviation is named where it is made.
import { closeSync, existsSync, openSync, readSync, renameSync, statSync, writeFileSync, writeSync, fsyncSync, unlinkSync } from 'node:fs';
import { fsync, write as fsWrite } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { MediaTypeName } from '../../common/model/drive';
import type { ScsiCommand, ScsiResult } from '../transport';
import { NotFoundError, TransportError } from '../../common/errors';
import { msfToLba, put16, put32, rd16, rd24, rd32 } from '../../mmc/bytes';
import { Op } from '../../mmc/opcodes';
import { buildFixedSense, SenseKey } from '../../mmc/sense';
import { DEFAULT_WRITE_PARAMETERS, encodeWriteParametersPage, parseWriteParametersPage, type WriteParameters } from '../../mmc/commands/mode-sense';
import { parseCueSheet } from '../../mmc/commands/send-cue-sheet';
import {
  discStatus, freshDisc, invisible, invisibleTrack, isRandom, isRom, lastRecordedLba, lastSessionState, openTracks, roundUp, specOf, trackEnd,
  type DiscState, type RecorderState, type SaoRegion, type TrackState,
} from './disc-state';
import { CD_ATIP_LEAD_IN, CD_RW_ATIP_LEAD_IN, MEDIA_SPECS } from './media-spec';
import { FaultInjector } from './faults';
import { loadRecorderState } from './state-file';
import { cdTextPacksOf } from '../../cd/cd-text-packs';
import { mode1Sector, mode2Form1Sector } from '../../cd/sector';
import { formattedQ, packPw, qMode1, unpackPq } from '../../cd/subchannel';
import { programSubchannel, type QProgram, type QTrack } from '../../cd/program-q';
import { Check, fail, illegal } from './check';
import { getConfiguration, readCapacity, readDiscInformation, readDiscStructure, readFormatCapacities, readToc, readTrackInformation } from './disc-answers';

const HANDLED = new Set<number>([
  Op.TEST_UNIT_READY, Op.INQUIRY, Op.REQUEST_SENSE, Op.GET_CONFIGURATION, Op.GET_EVENT_STATUS_NOTIFICATION, Op.READ_DISC_INFORMATION, Op.READ_TRACK_INFORMATION,
  Op.READ_TOC_PMA_ATIP, Op.READ_CAPACITY, Op.READ_FORMAT_CAPACITIES, Op.MODE_SENSE_10, Op.MODE_SELECT_10, Op.GET_PERFORMANCE, Op.SET_CD_SPEED, Op.SET_STREAMING,
  Op.READ_BUFFER_CAPACITY, Op.MECHANISM_STATUS, Op.START_STOP_UNIT, Op.PREVENT_ALLOW_MEDIUM_REMOVAL, Op.RESERVE_TRACK, Op.SEND_CUE_SHEET, Op.SEND_OPC_INFORMATION,
  Op.WRITE_10, Op.WRITE_12, Op.SYNCHRONIZE_CACHE, Op.CLOSE_TRACK_SESSION, Op.BLANK, Op.FORMAT_UNIT, Op.READ_10, Op.READ_12, Op.READ_CD, Op.READ_DISC_STRUCTURE,
  Op.SEND_DISC_STRUCTURE,
]);

/** Media types whose geometry a pressed disc borrows (family, slot size), and its ROM profile (MMC-6 §5.3.1). */
const PRESSED_AS = { cd: 'cd-r', dvd: 'dvd+r', bd: 'bd-r' } as const;
const PRESSED_PROFILE = { cd: 0x08, dvd: 0x10, bd: 0x40 } as const;

/** One pending media event for GESN (MMC-6): 0 none, 2 new media, 3 media removal, 4 media changed. */
type MediaEventCode = 0 | 1 | 2 | 3 | 4;

export interface RecorderOptions {
  dir: string;
  name: string;
}

const fsyncAsync = promisify(fsync);
const writeAsync = promisify(fsWrite);

/**
 * A WRITE this large goes to the medium file on libuv's pool, the command answering once it is there
 * (smaller ones, e.g. a CD's 2352-byte SAO blocks one by one, stay synchronous: a thread hop each
 * would cost more than the copy). In the app this thread is the main process: a 1 MiB pwrite is
 * ~0.25 ms, but one that meets the kernel reclaiming memory held its event loop 130-210 ms.
 */
const ASYNC_STORE_BYTES = 64 * 1024;

async function writeFully(fd: number, data: Uint8Array, bytes: number, position: number): Promise<void> {
  let done = 0;
  while (done < bytes) {
    const { bytesWritten } = await writeAsync(fd, data, done, bytes - done, position + done);
    done += bytesWritten;
  }
}

export class VirtualRecorder {
  readonly name: string;
  readonly dir: string;
  state: RecorderState;
  readonly faults = new FaultInjector();
  private fd: number | undefined;
  private subFd: number | undefined;
  private mediaEvent: MediaEventCode = 0;
  private unitAttention = false;
  private notReadyLeft = 0;
  private dirty = false;
  private queue: Promise<unknown> = Promise.resolve();
  private selectedWriteSpeed = 0;
  private stateStamp = '';
  /** Test write (simulation, page 05h Test Write bit): commands act on this copy, nothing is recorded. */
  private shadow: DiscState | undefined;
  /** An IMMED operation "still running": NOT READY 02/04/xx with progress for `left` more polls (MMC-6 §4.1.6). */
  private busy: { asc: number; ascq: number; left: number; total: number } | undefined;
  /** How many polls an IMMED BLANK/FORMAT/CLOSE/SYNCHRONIZE CACHE stays in progress. */
  immediatePolls = 2;
  /**
   * Pacing (off: unlimited): WRITEs fill a 4 MiB drive buffer that drains at the selected write
   * speed (SET STREAMING / SET CD SPEED, else the medium's fastest), so a burn takes as long as on
   * a real drive. DVD/BD speeds are bytes of user data (1× DVD 1385 kB/s, 1× BD 4495 kB/s); CD
   * speeds count 2352-byte frames (1× = 75 sectors/s = 176.4 kB/s). READ BUFFER CAPACITY reports
   * the fill; SYNCHRONIZE CACHE waits until the buffer is empty.
   */
  get pacing(): boolean {
    return this.pacingOverride ?? this.state.pacing === 'paced';
  }
  /** For this process only (benchmarks, GLASSMASTER_VIRTUAL_PACING); the saved setting is state.pacing. */
  set pacing(on: boolean) {
    this.pacingOverride = on;
  }
  private pacingOverride: boolean | undefined;
  static readonly PACED_BUFFER_BYTES = 4 * 1024 * 1024;
  private pacedFill = 0;
  private pacedAt = 0;

  constructor(opts: RecorderOptions, state: RecorderState) {
    this.name = opts.name;
    this.dir = opts.dir;
    this.state = state;
    this.stateStamp = this.stamp();
  }

  static defaultState(): RecorderState {
    return { version: 1, vendor: 'GLASSMST', product: 'Virtual Recorder', revision: '1.00', trayOpen: false, locked: false, disc: null, writeParams: { ...DEFAULT_WRITE_PARAMETERS } };
  }

  get backingPath(): string {
    return join(this.dir, 'disc.bin');
  }

  /** Sparse sub-channel store: 96 raw P-W bytes per LBA, meaningful only inside DiscState.sub ranges. */
  get subPath(): string {
    return join(this.dir, 'sub.bin');
  }

  // ---- media management (the user's hands on the tray) ---------------------------------------

  insert(type: MediaTypeName, opts: { writeProtected?: boolean; romOnClose?: boolean; notReadyCommands?: number } = {}): void {
    this.closeFd();
    if (existsSync(this.backingPath)) unlinkSync(this.backingPath);
    if (existsSync(this.subPath)) unlinkSync(this.subPath);
    writeFileSync(this.backingPath, '');
    this.shadow = undefined;
    this.busy = undefined;
    this.state.disc = freshDisc(type, opts);
    this.userChange();
    this.state.trayOpen = false;
    this.state.writeParams = { ...DEFAULT_WRITE_PARAMETERS };
    this.mediaEvent = 2;
    this.unitAttention = true;
    this.notReadyLeft = opts.notReadyCommands ?? 0;
    this.save();
  }

  /**
   * A pressed disc (CD-ROM, DVD-ROM, BD-ROM: profiles 08h/10h/40h) holding `image`, 2048-byte data
   * sectors as one closed mode 1 track in one session, so read and verify have a recorded disc to
   * work on. The recorder refuses writes to it like to any ROM medium.
   */
  insertPressed(family: 'cd' | 'dvd' | 'bd', image: Uint8Array): void {
    if (image.length === 0 || image.length % 2048 !== 0) throw new RangeError(`a pressed disc needs whole 2048-byte sectors, got ${image.length} bytes`);
    const blocks = image.length / 2048;
    this.insert(PRESSED_AS[family]);
    const d = this.state.disc!;
    d.profile = PRESSED_PROFILE[family];
    d.capacity = blocks;
    d.closedSessions = 1;
    d.finalized = true;
    d.tracks = [{ number: 1, session: 1, start: 0, recorded: blocks, closed: true, audio: false, control: 4, dataMode: 1 }];
    // CD slots are 2352 bytes with the user data first (see load()); DVD/BD slots are the sectors.
    const fd = this.file();
    if (family === 'cd') for (let i = 0; i < blocks; i++) writeSync(fd, image, i * 2048, 2048, i * 2352);
    else writeSync(fd, image, 0, image.length, 0);
    this.save();
  }

  /** The user opens the tray: the disc stays on it (and its image on disk) until a load or insert. */
  openTray(): void {
    this.flush();
    if (!this.state.trayOpen && this.state.disc) this.mediaEvent = 3;
    this.state.trayOpen = true;
    this.state.locked = false;
    this.busy = undefined;
    this.userChange();
    this.save();
  }

  /** The user pushes the tray in: a disc on it becomes visible again (new-media event, unit attention). */
  closeTray(): void {
    if (this.state.trayOpen && this.state.disc) {
      this.mediaEvent = 2;
      this.unitAttention = true;
    }
    this.state.trayOpen = false;
    this.userChange();
    this.save();
  }

  removeDisc(): void {
    this.closeFd();
    if (existsSync(this.backingPath)) unlinkSync(this.backingPath);
    if (existsSync(this.subPath)) unlinkSync(this.subPath);
    if (this.state.disc && !this.state.trayOpen) this.mediaEvent = 3;
    this.state.disc = null;
    this.state.trayOpen = false;
    this.shadow = undefined;
    this.busy = undefined;
    this.state.locked = false;
    this.userChange();
    this.save();
  }

  setWriteProtected(on: boolean): void {
    if (this.state.disc) this.state.disc.writeProtected = on;
    this.save();
  }

  /** Drops a pending unit attention (as if the host had already seen it); tests start from a settled drive. */
  clearUnitAttention(): void {
    this.unitAttention = false;
  }

  /** Simulates a drive that needs n more commands before it is ready (02/04/01). */
  setNotReady(commands: number): void {
    this.notReadyLeft = commands;
  }

  private get statePath(): string {
    return join(this.dir, 'state.json');
  }

  save(): void {
    const tmp = join(this.dir, `state.json.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    renameSync(tmp, this.statePath);
    this.dirty = false;
    this.stateStamp = this.stamp();
  }

  /** A user change (insert, eject, tray) that another process's recorder must notice. */
  private userChange(): void {
    this.state.generation = (this.state.generation ?? 0) + 1;
  }

  private stamp(): string {
    try {
      const st = statSync(this.statePath);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return '';
    }
  }

  /**
   * Another process (the CLI's `virtual insert` while the app runs) may have changed the drive:
   * reload state.json when it changed on disk, and present a different generation as a disc change.
   * `reread`: read it whatever its stamp says — under the state file's lock, before a change
   * (VirtualTransport.change). The stamp (mtime, size, inode) can miss a write: file times advance
   * by the kernel's clock tick, and two processes saving in turn reuse each other's freed inodes, so
   * another process's save can carry this process's last stamp (two processes opening and closing
   * one tray 40 times each lost 5 of 160 changes so, under load).
   */
  syncFromDisk(reread = false): void {
    const now = this.stamp();
    if ((now === this.stateStamp && !reread) || now === '') return;
    let loaded: RecorderState;
    try {
      loaded = loadRecorderState(this.statePath, VirtualRecorder.defaultState());
    } catch {
      // Replaced by something that is not a valid state (corrupt, a FIFO, too big): keep the state
      // we have; a new process opening the drive gets the typed error (VirtualTransport.recorder).
      return;
    }
    this.stateStamp = now;
    if ((loaded.generation ?? 0) === (this.state.generation ?? 0)) return;
    const hadDisc = this.state.disc !== null && !this.state.trayOpen;
    this.closeFd();
    this.state = { ...VirtualRecorder.defaultState(), ...loaded };
    this.shadow = undefined;
    this.busy = undefined;
    this.dirty = false;
    const hasDisc = this.state.disc !== null && !this.state.trayOpen;
    if (hasDisc) {
      this.mediaEvent = 2;
      this.unitAttention = true;
    } else if (hadDisc) this.mediaEvent = 3;
  }

  flush(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
    if (this.subFd !== undefined) fsyncSync(this.subFd);
    if (this.dirty) this.save();
  }

  dispose(): void {
    this.flush();
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.subFd !== undefined) closeSync(this.subFd);
    this.fd = undefined;
    this.subFd = undefined;
  }

  private subFile(): number {
    if (this.subFd === undefined) {
      if (!existsSync(this.subPath)) writeFileSync(this.subPath, '');
      this.subFd = openSync(this.subPath, 'r+');
    }
    return this.subFd;
  }

  private file(): number {
    if (this.fd === undefined) {
      if (!existsSync(this.backingPath)) writeFileSync(this.backingPath, '');
      this.fd = openSync(this.backingPath, 'r+');
    }
    return this.fd;
  }

  // ---- command execution -----------------------------------------------------------------------

  /**
   * Runs one command; commands are serialised like a real drive's command queue. `stall` is how the
   * caller waits out an injected stall (its timeout or its device closing); it must reject.
   */
  /** The running command's medium write on libuv's pool (store), awaited before it answers. */
  private pendingStore: Promise<void> | undefined;

  private settleStore(): Promise<void> {
    const p = this.pendingStore;
    this.pendingStore = undefined;
    return p ?? Promise.resolve();
  }

  execute(cmd: ScsiCommand, stall: () => Promise<never>): Promise<ScsiResult> {
    const run = this.queue.then(() => this.run(cmd, stall));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(cmd: ScsiCommand, stall: () => Promise<never>): Promise<ScsiResult> {
    const t0 = performance.now();
    this.syncFromDisk();
    const op = cmd.cdb[0];
    const done = (status: number, data: Uint8Array, sense: Uint8Array): ScsiResult => {
      const want = cmd.direction === 'in' ? (cmd.length ?? 0) : 0;
      const n = Math.min(data.length, want);
      // READs answer from a buffer made for this command alone (load/userData): handed out as is, not
      // copied again (a full read-back moves gigabytes through here). Other answers may be views of
      // the recorder's state, so they are copied.
      const fresh = op === Op.READ_10 || op === Op.READ_12 || op === Op.READ_CD;
      const out = fresh ? Buffer.from(data.buffer, data.byteOffset, n) : Buffer.from(data.subarray(0, n));
      return { status, sense, data: out, residual: Math.max(0, want - out.length), durationMs: performance.now() - t0 };
    };
    try {
      const fault = this.faults.next(op, readSpan(cmd.cdb));
      if (fault?.action === 'stall') await stall();
      if (fault?.action === 'disconnect') throw new TransportError('virtual drive disconnected (injected fault)', { errno: 'ECONNRESET', disconnected: true });
      if (fault?.action === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs ?? 100));
      if (fault?.action === 'sense') fail(fault.sense![0], fault.sense![1], fault.sense![2]);
      if (this.pacing) await this.pace(cmd);
      // SYNCHRONIZE CACHE and an eject put the medium file on disk first (as a drive empties its
      // cache onto the disc): the kernel's writeback of all a burn wrote, ~0.4-0.8 s for 600 MB here
      // and seconds for a BD. On libuv's pool, not on this thread: in the app this thread is the
      // main process, whose event loop stood still for it at every burn's 'closing'. Commands are
      // serialised (execute), so nothing is written between this and the command's own work.
      if (this.fd !== undefined && (op === Op.SYNCHRONIZE_CACHE || (op === Op.START_STOP_UNIT && (cmd.cdb[4] & 3) === 2))) await fsyncAsync(this.fd);
      const data = this.dispatch(cmd) ?? new Uint8Array(0);
      await this.settleStore();
      return done(0, data, new Uint8Array(0));
    } catch (e) {
      await this.settleStore().catch(() => undefined);
      if (e instanceof Check) return done(0x02, new Uint8Array(0), buildFixedSense(e.key, e.asc, e.ascq, { information: e.information, progress: e.progress }));
      throw e;
    }
  }

  private needsMedium(op: number): boolean {
    return ![Op.INQUIRY, Op.REQUEST_SENSE, Op.GET_CONFIGURATION, Op.GET_EVENT_STATUS_NOTIFICATION, Op.MODE_SENSE_10, Op.MODE_SELECT_10, Op.MECHANISM_STATUS, Op.START_STOP_UNIT,
      Op.PREVENT_ALLOW_MEDIUM_REMOVAL, Op.SET_CD_SPEED, Op.SET_STREAMING, Op.READ_BUFFER_CAPACITY, Op.REPORT_LUNS].includes(op as never);
  }

  /** The disc the host can see: undefined with no disc or an open tray (test write: the simulation copy). */
  private visibleDisc(): DiscState | undefined {
    const d = this.shadow ?? this.state.disc;
    return d && !this.state.trayOpen ? d : undefined;
  }

  private disc(): DiscState {
    const d = this.shadow ?? this.state.disc;
    if (!d || this.state.trayOpen) return fail(SenseKey.NOT_READY, 0x3a, this.state.trayOpen ? 0x02 : 0x01);
    return d;
  }

  private dispatch(cmd: ScsiCommand): Uint8Array | void {
    const c = cmd.cdb;
    const op = c[0];
    // Unit attention is reported once after a disc change, to every command but INQUIRY, REQUEST SENSE
    // and GESN (SPC-4 unit attention condition).
    if (this.unitAttention && ![Op.INQUIRY, Op.REQUEST_SENSE, Op.GET_EVENT_STATUS_NOTIFICATION, Op.GET_CONFIGURATION].includes(op as never)) {
      this.unitAttention = false;
      fail(SenseKey.UNIT_ATTENTION, 0x28, 0x00);
    }
    if (!HANDLED.has(op)) return illegal(0x20);
    if (this.needsMedium(op)) {
      if (this.notReadyLeft > 0 && this.state.disc && !this.state.trayOpen) {
        this.notReadyLeft--;
        fail(SenseKey.NOT_READY, 0x04, 0x01);
      }
      this.disc();
      if (this.busy) {
        const b = this.busy;
        const progress = 1 - b.left / b.total;
        if (--b.left <= 0) this.busy = undefined;
        throw new Check(SenseKey.NOT_READY, b.asc, b.ascq, undefined, progress);
      }
    }
    switch (op) {
      case Op.TEST_UNIT_READY: return;
      case Op.INQUIRY: return this.inquiry(c);
      case Op.REQUEST_SENSE: return this.requestSense();
      case Op.GET_CONFIGURATION: return getConfiguration(this.visibleDisc(), c);
      case Op.GET_EVENT_STATUS_NOTIFICATION: return this.gesn(c);
      case Op.READ_DISC_INFORMATION: return readDiscInformation(this.disc(), c);
      case Op.READ_TRACK_INFORMATION: return readTrackInformation(this.disc(), c);
      case Op.READ_TOC_PMA_ATIP: return readToc(this.disc(), c);
      case Op.READ_CAPACITY: return readCapacity(this.disc());
      case Op.READ_FORMAT_CAPACITIES: return readFormatCapacities(this.disc());
      case Op.MODE_SENSE_10: return this.modeSense(c);
      case Op.MODE_SELECT_10: return this.modeSelect(cmd);
      case Op.GET_PERFORMANCE: return this.getPerformance(c);
      case Op.SET_CD_SPEED: this.selectedWriteSpeed = rd16(c, 4); return;
      case Op.SET_STREAMING: return this.setStreaming(cmd);
      case Op.READ_BUFFER_CAPACITY: return this.readBufferCapacity(c);
      case Op.MECHANISM_STATUS: return this.mechanismStatus();
      case Op.START_STOP_UNIT: return this.startStop(c);
      case Op.PREVENT_ALLOW_MEDIUM_REMOVAL: this.state.locked = (c[4] & 1) === 1; this.save(); return;
      case Op.RESERVE_TRACK: return this.reserveTrack(c);
      case Op.SEND_CUE_SHEET: return this.sendCueSheet(cmd);
      case Op.SEND_OPC_INFORMATION: this.writableDisc(); return;
      case Op.WRITE_10: return this.write(cmd, rd32(c, 2) | 0, rd16(c, 7));
      case Op.WRITE_12: return this.write(cmd, rd32(c, 2) | 0, rd32(c, 6));
      case Op.SYNCHRONIZE_CACHE: return this.synchronizeCache(c);
      case Op.CLOSE_TRACK_SESSION: return this.closeTrackSession(c);
      case Op.BLANK: return this.blank(c);
      case Op.FORMAT_UNIT: return this.formatUnit(cmd);
      case Op.READ_10: return this.read(rd32(c, 2), rd16(c, 7), cmd.length ?? 0, cmd.into);
      case Op.READ_12: return this.read(rd32(c, 2), rd32(c, 6), cmd.length ?? 0, cmd.into);
      case Op.READ_CD: return this.readCd(c, cmd.length ?? 0);
      case Op.READ_DISC_STRUCTURE: return readDiscStructure(this.disc(), c);
      case Op.SEND_DISC_STRUCTURE: return this.sendDiscStructure(cmd);
      default: return illegal(0x20);
    }
  }

  // ---- identification ---------------------------------------------------------------------------

  private inquiry(c: Uint8Array): Uint8Array {
    if (c[1] & 1) return this.vpd(c[2]);
    if (c[2] !== 0) return illegal();
    const b = new Uint8Array(96);
    b[0] = 0x05; // peripheral device type: MMC (SPC-4 peripheral device type 05h)
    b[1] = 0x80; // RMB
    b[2] = 0x05; // SPC-3
    b[3] = 0x02;
    b[4] = b.length - 5;
    const ascii = (off: number, len: number, s: string) => b.set(Buffer.from(s.padEnd(len, ' ').slice(0, len), 'ascii'), off);
    ascii(8, 8, this.state.vendor);
    ascii(16, 16, this.state.product);
    ascii(32, 4, this.state.revision);
    return b;
  }

  /** Vital product data (SPC-4 VPD parameters): supported pages (00h), unit serial number (80h), device identification (83h). */
  private vpd(page: number): Uint8Array {
    const serial = Buffer.from(`VR-${this.name}`.slice(0, 32), 'ascii');
    const body =
      page === 0x00 ? Uint8Array.from([0x00, 0x80, 0x83])
      : page === 0x80 ? serial
      // One T10 vendor ID designator (type 1, ASCII): vendor (8 bytes) + serial.
      : page === 0x83 ? Uint8Array.from([0x02, 0x01, 0x00, 8 + serial.length, ...Buffer.from(this.state.vendor.padEnd(8).slice(0, 8), 'ascii'), ...serial])
      : illegal();
    const b = new Uint8Array(4 + body.length);
    b[0] = 0x05;
    b[1] = page;
    put16(b, 2, body.length);
    b.set(body, 4);
    return b;
  }

  private requestSense(): Uint8Array {
    const d = this.state.disc;
    if (!d || this.state.trayOpen) return buildFixedSense(SenseKey.NOT_READY, 0x3a, this.state.trayOpen ? 0x02 : 0x01);
    if (this.notReadyLeft > 0) return buildFixedSense(SenseKey.NOT_READY, 0x04, 0x01);
    if (this.busy) {
      const b = this.busy;
      const progress = 1 - b.left / b.total;
      if (--b.left <= 0) this.busy = undefined;
      return buildFixedSense(SenseKey.NOT_READY, b.asc, b.ascq, { progress });
    }
    return buildFixedSense(SenseKey.NO_SENSE, 0, 0);
  }

  private gesn(c: Uint8Array): Uint8Array {
    if ((c[1] & 1) === 0) return illegal(); // asynchronous notification not supported (MMC-6 §6.7.2.1)
    const supported = 0x10;
    if ((c[4] & 0x10) === 0) {
      const b = new Uint8Array(4);
      put16(b, 0, 2);
      b[2] = 0x80; // NEA
      b[3] = supported;
      return b;
    }
    const b = new Uint8Array(8);
    put16(b, 0, 6);
    b[2] = 0x04; // media class
    b[3] = supported;
    b[4] = this.mediaEvent;
    b[5] = (this.state.disc && !this.state.trayOpen ? 0x02 : 0) | (this.state.trayOpen ? 0x01 : 0);
    this.mediaEvent = 0;
    return b;
  }

  // ---- mode pages ------------------------------------------------------------------------------------

  private capabilitiesPage(): Uint8Array {
    const speeds = this.state.disc ? specOf(this.state.disc).writeSpeeds : MEDIA_SPECS['dvd+r'].writeSpeeds;
    const p = new Uint8Array(32 + speeds.length * 4);
    p[0] = 0x2a;
    p[1] = p.length - 2;
    p[2] = 0x3b; // read CD-R, CD-RW, method 2, DVD-ROM, DVD-R
    p[3] = 0x33; // write CD-R, CD-RW, DVD-R, DVD-RAM
    p[4] = 0xd0 | 0x20; // BUF, multi-session, mode 2 form 1/2
    p[5] = 0x03;
    p[6] = 0x29 | (this.state.locked ? 0x02 : 0); // tray, eject, lock, lock state
    put16(p, 12, 2048); // buffer kB
    put16(p, 28, this.selectedWriteSpeed || speeds[0]);
    put16(p, 30, speeds.length);
    speeds.forEach((s, i) => put16(p, 32 + i * 4 + 2, s));
    return p;
  }

  private modeSense(c: Uint8Array): Uint8Array {
    const page = c[2] & 0x3f;
    const pages: Uint8Array[] = [];
    if (page === 0x05 || page === 0x3f) pages.push(encodeWriteParametersPage(this.state.writeParams));
    if (page === 0x2a || page === 0x3f) pages.push(this.capabilitiesPage());
    if (pages.length === 0) return illegal();
    const total = 8 + pages.reduce((n, p) => n + p.length, 0);
    const b = new Uint8Array(total);
    put16(b, 0, total - 2);
    let off = 8;
    for (const p of pages) {
      b.set(p, off);
      off += p.length;
    }
    return b;
  }

  private modeSelect(cmd: ScsiCommand): void {
    const data = cmd.data ?? new Uint8Array(0);
    if (data.length < 8 || data.length !== rd16(cmd.cdb, 7)) return illegal(0x1a);
    for (let off = 8 + rd16(data, 6); off + 2 <= data.length; ) {
      const code = data[off] & 0x3f;
      const len = data[off + 1];
      if (off + 2 + len > data.length) return illegal(0x26);
      if (code === 0x05) {
        let wp: WriteParameters;
        try {
          wp = parseWriteParametersPage(data.subarray(off, off + 2 + len));
        } catch {
          return illegal(0x26);
        }
        // Data block types the drive writes (MMC-6): 0 raw, 1/2/3 raw + subcode, 8 mode 1, 10 form 1, 13 mode 2.
        if (![0, 1, 2, 3, 8, 10, 13].includes(wp.dataBlockType)) return illegal(0x26, 0x02);
        if (wp.writeType === 'layer-jump' && this.state.disc?.profile !== 0x16) return illegal(0x26, 0x02);
        const real = this.state.disc;
        if (wp.testWrite && real && !(specOf(real).family === 'cd' || [0x11, 0x14, 0x15].includes(real.profile))) {
          // Test Write is defined for CD-R/RW and DVD-R/-RW only (MMC-6 §7.5.4.3).
          return illegal(0x26, 0x02);
        }
        if (wp.testWrite && real && !this.shadow) this.shadow = structuredClone(real);
        if (!wp.testWrite) this.shadow = undefined;
        this.state.writeParams = wp;
      } else if (code !== 0x2a && code !== 0x01 && code !== 0x08) {
        return illegal(0x26);
      }
      off += 2 + len;
    }
    this.save();
  }

  private getPerformance(c: Uint8Array): Uint8Array {
    const type = c[10];
    const d = this.disc();
    const speeds = specOf(d).writeSpeeds;
    const max = rd16(c, 8);
    if (type === 0x03) {
      const n = Math.min(max, speeds.length);
      const b = new Uint8Array(8 + n * 16);
      put32(b, 0, b.length - 4);
      for (let i = 0; i < n; i++) {
        const o = 8 + i * 16;
        put32(b, o + 4, d.capacity - 1);
        put32(b, o + 8, speeds[0]);
        put32(b, o + 12, speeds[i]);
      }
      return b;
    }
    if (type === 0x00) {
      const b = new Uint8Array(8 + (max > 0 ? 16 : 0));
      put32(b, 0, b.length - 4);
      b[4] = (c[1] & 0x04) >> 1; // Write bit echoes the request
      if (max > 0) {
        put32(b, 12, speeds[0]);
        put32(b, 16, d.capacity - 1);
        put32(b, 20, speeds[0]);
      }
      return b;
    }
    return illegal();
  }

  private setStreaming(cmd: ScsiCommand): void {
    const data = cmd.data ?? new Uint8Array(0);
    if (cmd.cdb[8] !== 0) return illegal();
    if (data.length < 28) return illegal(0x1a);
    const size = rd32(data, 20);
    const time = rd32(data, 24);
    if (time === 0) return illegal(0x26);
    this.selectedWriteSpeed = Math.round((size * 1000) / time);
  }

  private readBufferCapacity(c: Uint8Array): Uint8Array {
    const b = new Uint8Array(12);
    put16(b, 0, 10);
    // Unpaced, writes go straight to the file: the buffer is always empty.
    const size = this.pacing ? VirtualRecorder.PACED_BUFFER_BYTES : 2 * 1024 * 1024;
    if (this.pacing) this.drainPaced();
    const free = Math.max(0, size - Math.ceil(this.pacing ? this.pacedFill : 0));
    if (c[1] & 1) put32(b, 8, Math.floor(free / 2048));
    else {
      put32(b, 4, size);
      put32(b, 8, free);
    }
    return b;
  }

  /** Bytes of host data per millisecond the paced buffer drains at. */
  private pacedRate(): number {
    const d = this.state.disc;
    const kbps = this.selectedWriteSpeed || (d ? specOf(d).writeSpeeds[0] : 1385);
    // kB/s (1000 bytes) of the medium; a CD's are 2352-byte frames (75 a second at 1×), and the host
    // sends each as a block of the current data block type: 2048 bytes of mode 1 data, 2352 of CD-DA,
    // 2448 of RAW-96 (host bytes drain at frames × block size, so audio runs at the speed it was given).
    return d && specOf(d).family === 'cd' ? (kbps * this.cdBlockSize()) / 2352 : kbps;
  }

  private drainPaced(): void {
    const now = performance.now();
    this.pacedFill = Math.max(0, this.pacedFill - (now - this.pacedAt) * this.pacedRate());
    this.pacedAt = now;
  }

  /** Holds a WRITE until the paced buffer has room for it, and SYNCHRONIZE CACHE until it is empty. */
  private async pace(cmd: ScsiCommand): Promise<void> {
    const op = cmd.cdb[0];
    if (op !== Op.WRITE_10 && op !== Op.WRITE_12 && op !== Op.SYNCHRONIZE_CACHE) return;
    this.drainPaced();
    const size = VirtualRecorder.PACED_BUFFER_BYTES;
    const n = op === Op.SYNCHRONIZE_CACHE ? 0 : (cmd.data?.length ?? 0);
    const over = op === Op.SYNCHRONIZE_CACHE ? this.pacedFill : this.pacedFill + n - size;
    if (over > 0) await new Promise((r) => setTimeout(r, over / this.pacedRate()));
    this.drainPaced();
    this.pacedFill += n;
  }

  private mechanismStatus(): Uint8Array {
    const b = new Uint8Array(8);
    b[1] = this.state.trayOpen ? 0x10 : 0;
    return b;
  }

  private startImmediate(asc: number, ascq: number): void {
    if (this.immediatePolls > 0) this.busy = { asc, ascq, left: this.immediatePolls, total: this.immediatePolls };
  }

  private startStop(c: Uint8Array): void {
    if ((c[4] & 2) === 0) return; // spin up/down only: nothing to model
    const load = (c[4] & 1) === 1;
    if (!load) {
      if (this.state.locked) fail(SenseKey.ILLEGAL_REQUEST, 0x53, 0x02);
      this.flush();
      this.state.trayOpen = true;
      if (this.state.disc) this.mediaEvent = 3;
    } else if (this.state.trayOpen) {
      this.state.trayOpen = false;
      if (this.state.disc) {
        this.mediaEvent = 2;
      }
    }
    this.userChange();
    this.save();
  }

  // ---- writing -------------------------------------------------------------------------------------

  private writableDisc(): DiscState {
    const d = this.disc();
    if (d.writeProtected) fail(SenseKey.DATA_PROTECT, 0x27, 0x00);
    if (isRom(d)) fail(SenseKey.ILLEGAL_REQUEST, 0x30, 0x05);
    return d;
  }

  private slotSize(d: DiscState): number {
    return specOf(d).family === 'cd' ? 2352 : 2048;
  }

  /** Bytes per block the host sends on CD in TAO/packet mode (page 05h Data Block Type, MMC-6). */
  private cdBlockSize(): number {
    return { 0: 2352, 1: 2368, 2: 2448, 3: 2448, 8: 2048, 10: 2048, 13: 2336 }[this.state.writeParams.dataBlockType] ?? 2048;
  }

  private write(cmd: ScsiCommand, lba: number, blocks: number): void {
    const d = this.writableDisc();
    const data = cmd.data ?? new Uint8Array(0);
    if (blocks === 0) return;
    if (d.sao) return this.writeSao(d, lba, blocks, data);
    if (isRandom(d)) {
      if (!d.formatted) fail(SenseKey.NOT_READY, 0x30, 0x10);
      if (data.length !== blocks * 2048) illegal();
      if (lba < 0 || lba + blocks > d.capacity) fail(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00, lba);
      // Restricted overwrite (MMC-6 §4.5.3.5): writes are whole, aligned ECC blocks.
      if (d.profile === 0x13 && (lba % 16 !== 0 || blocks % 16 !== 0)) fail(SenseKey.ILLEGAL_REQUEST, 0x21, 0x02, lba);
      this.store(d, lba, blocks, data, 2048);
      return;
    }
    // A finalized disc has no writable address left; answered like tgtd answers its closed DVD+R.
    if (discStatus(d) === 'complete') fail(SenseKey.ILLEGAL_REQUEST, 0x30, 0x05, lba);
    const cd = specOf(d).family === 'cd';
    if (cd && (this.state.writeParams.writeType === 'sao' || this.state.writeParams.writeType === 'raw')) fail(SenseKey.ILLEGAL_REQUEST, 0x2c, 0x00); // cue sheet first
    const blockSize = cd ? this.cdBlockSize() : 2048;
    if (data.length !== blocks * blockSize) illegal();
    // Sequential recording (MMC-6 §4.3.6, §4.5.2.3): a write must start at an open track's NWA.
    const t = openTracks(d).find((x) => x.start + x.recorded === lba);
    if (!t) return fail(SenseKey.ILLEGAL_REQUEST, 0x21, 0x02, lba);
    // DVD-R Disc-at-once (write type SAO): the whole disc is one reserved track (MMC-6 §4.5.3.3).
    if (this.isDvdMinusDao(d) && t.reserved === undefined) return fail(SenseKey.ILLEGAL_REQUEST, 0x2c, 0x00, lba);
    const end = trackEnd(d, t);
    if (lba + blocks > end) return fail(SenseKey.ILLEGAL_REQUEST, t.reserved !== undefined ? 0x63 : 0x21, 0x00, lba);
    if (t.recorded === 0 && cd) {
      t.audio = this.state.writeParams.dataBlockType === 0 || this.state.writeParams.dataBlockType <= 3 && (this.state.writeParams.trackMode & 4) === 0;
      t.control = t.audio ? this.state.writeParams.trackMode & 0x0b : 0x04 | (this.state.writeParams.trackMode & 1);
      t.dataMode = this.state.writeParams.dataBlockType >= 10 ? 2 : 1;
      if (!t.audio && this.state.writeParams.dataBlockType <= 3) t.raw = true;
      // MCN and ISRC from page 05h (MCVAL/TCVAL): the drive puts them in the track's Q.
      if (t.audio && this.state.writeParams.isrc) t.isrc = this.state.writeParams.isrc;
      if (t.audio && this.state.writeParams.mcn) d.mcn = this.state.writeParams.mcn;
    }
    this.store(d, lba, blocks, data, blockSize, Math.min(blockSize, 2352));
    // Data block types 1–3 (MMC-6 §7.5.4.5): 16 bytes of P-Q or 96 bytes of P-W follow the 2352 main bytes.
    if (cd && blockSize > 2352) this.storeSub(d, lba, blocks, data, blockSize, 2352, 'pw');
    t.recorded += blocks;
    this.dirty = true;
  }

  private writeSao(d: DiscState, lba: number, blocks: number, data: Uint8Array): void {
    const sao = d.sao!;
    if (lba !== sao.nwa) fail(SenseKey.ILLEGAL_REQUEST, 0x21, 0x02, lba);
    let off = 0;
    let cur = lba;
    for (let i = 0; i < blocks; i++) {
      const r = sao.regions.find((x) => cur >= x.start && cur < x.end && x.blockSize > 0);
      if (!r) fail(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00, cur);
      if (off + r!.blockSize > data.length) illegal();
      const block = data.subarray(off, off + r!.blockSize);
      const main = r!.blockSize - (r!.subSize ?? 0);
      if (cur >= 0) this.store(d, cur, 1, block, r!.blockSize, main);
      if (r!.subSize && cur >= 0) this.storeSub(d, cur, 1, block, r!.blockSize, main, r!.subKind ?? 'pw');
      if (r!.leadIn && r!.subSize === 96) this.collectCdText(d, block.subarray(main));
      off += r!.blockSize;
      cur++;
      // Skip regions the drive generates itself (Data Form 01h/14h: no host data).
      while (sao.regions.some((x) => cur >= x.start && cur < x.end && x.blockSize === 0)) cur++;
    }
    if (off !== data.length) illegal();
    sao.nwa = cur;
    this.dirty = true;
  }

  /** `main`: how many leading bytes of each host block are sector data (the rest is sub-channel). */
  private store(d: DiscState, lba: number, blocks: number, data: Uint8Array, blockSize: number, main = blockSize): void {
    if (this.shadow) return; // test write: the laser stays off
    const fd = this.file();
    const slot = this.slotSize(d);
    if (blockSize === slot) {
      const bytes = blocks * slot;
      // Commands are serialised (execute) and run() awaits this before answering: nothing reads or
      // writes the medium, and the caller keeps `data`, until it is written.
      if (bytes >= ASYNC_STORE_BYTES) {
        const before = this.pendingStore;
        this.pendingStore = (before ?? Promise.resolve()).then(() => writeFully(fd, data, bytes, lba * slot));
      } else writeSync(fd, data, 0, bytes, lba * slot);
      return;
    }
    const n = Math.min(main, slot);
    for (let i = 0; i < blocks; i++) writeSync(fd, data, i * blockSize, n, (lba + i) * slot);
  }

  /** Keeps the host's sub-channel per block; 16-byte P-Q (data block type 1) is widened to raw P-W. */
  private storeSub(d: DiscState, lba: number, blocks: number, data: Uint8Array, blockSize: number, main: number, kind: 'pw' | 'rw'): void {
    if (this.shadow) return;
    const fd = this.subFile();
    const size = blockSize - main;
    const out = new Uint8Array(blocks * 96);
    for (let i = 0; i < blocks; i++) {
      const s = data.subarray(i * blockSize + main, (i + 1) * blockSize);
      // Data block type 1: the 16 bytes are laid out like READ CD formatted Q (Q + CRC, P in byte 15 bit 7).
      out.set(size === 16 ? packPw((s[15] & 0x80) !== 0, s.subarray(0, 12)) : s.subarray(0, 96), i * 96);
    }
    writeSync(fd, out, 0, out.length, lba * 96);
    const ranges = (d.sub ??= []);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === lba && last[2] === kind) last[1] = lba + blocks;
    else ranges.push([lba, lba + blocks, kind]);
  }

  /** CD-TEXT packs repeat through the lead-in: keep each distinct valid pack once, in first-seen order. */
  private collectCdText(d: DiscState, pw: Uint8Array): void {
    const list = (d.cdText ??= []);
    for (const pk of cdTextPacksOf(pw)) {
      const hex = Buffer.from(pk).toString('hex');
      if (!list.includes(hex)) list.push(hex);
    }
  }

  private isDvdMinusDao(d: DiscState): boolean {
    return [0x11, 0x14, 0x15].includes(d.profile) && this.state.writeParams.writeType === 'sao';
  }

  private synchronizeCache(c: Uint8Array): void {
    const d = this.disc();
    // The medium file was put on disk just before (run()).
    if (d.sao && d.sao.nwa >= d.sao.leadOut) this.finishSao(d);
    // DVD-R DAO: once the reserved track is full, SYNCHRONIZE CACHE writes lead-in/out and closes the disc.
    const dao = this.isDvdMinusDao(d) && discStatus(d) !== 'complete' ? d.tracks.find((t) => t.reserved !== undefined && !t.closed && t.recorded === t.reserved) : undefined;
    if (dao) this.closeSession(d, 'complete');
    this.save();
    if (c[1] & 0x02) this.startImmediate(0x04, 0x08);
  }

  /** All host data of a Session At Once layout arrived: lay down the tracks and close the session. */
  private finishSao(d: DiscState): void {
    const sao = d.sao!;
    const session = d.closedSessions + 1;
    d.tracks = d.tracks.filter((t) => t.session < session);
    sao.trackStarts.forEach((ts, i) => {
      const end = i + 1 < sao.trackStarts.length ? sao.trackStarts[i + 1].start : sao.leadOut;
      const nextPregap = i + 1 < sao.trackStarts.length ? sao.regions.filter((r) => r.track === sao.trackStarts[i + 1].track && r.end <= sao.trackStarts[i + 1].start).reduce((n, r) => n + (r.end - r.start), 0) : 0;
      const len = end - ts.start - nextPregap;
      const body = sao.regions.find((r) => r.track === ts.track && r.start <= ts.start && ts.start < r.end);
      const raw = !ts.audio && body !== undefined && body.blockSize - (body.subSize ?? 0) >= 2352;
      // The pause the host sent for this track (index 00 regions, from LBA 0 on) stays readable.
      const pregap = sao.regions.filter((r) => r.track === ts.track && r.end <= ts.start && r.blockSize > 0 && !r.leadIn).reduce((n, r) => n + Math.max(0, r.end - Math.max(0, r.start)), 0);
      d.tracks.push({ number: ts.track, session, start: ts.start, recorded: len, closed: true, audio: ts.audio, control: ts.audio ? 0 : 4, dataMode: 1, ...(raw ? { raw } : {}), ...(pregap ? { pregap } : {}) });
    });
    if (sao.q) d.qPrograms = [...(d.qPrograms ?? []).filter((p) => p.leadOut <= sao.q!.tracks[0].pregapStart), { ...sao.q, leadOut: sao.leadOut }];
    d.sao = undefined;
    this.closeSession(d, this.state.writeParams.multiSession === 3 ? 'appendable' : 'complete');
  }

  private reserveTrack(c: Uint8Array): void {
    const d = this.writableDisc();
    if (isRandom(d) || discStatus(d) === 'complete') return illegal(0x2c, 0x00);
    const t = invisible(d);
    if (!t || t.recorded > 0) fail(SenseKey.ILLEGAL_REQUEST, 0x2c, 0x00);
    const arsv = (c[1] & 1) === 1;
    const value = rd32(c, 5);
    const blocking = specOf(d).blocking;
    const size = arsv ? value - t!.start : roundUp(value, blocking);
    if (size <= 0 || t!.start + size > d.capacity) return illegal();
    t!.reserved = size;
    d.tracks.push(invisibleTrack(d, this.nextTrackStart(d, t!.start + size, true)));
    this.save();
  }

  /** Where the track after one ending at `end` starts (CD: 150-block pregap, Red Book 2 s; DVD/BD: ECC alignment). */
  private nextTrackStart(d: DiscState, end: number, reservedCdTrack = false): number {
    if (specOf(d).family === 'cd') return end + (reservedCdTrack ? 2 : 0) + 150;
    return roundUp(end, specOf(d).blocking);
  }

  private sendCueSheet(cmd: ScsiCommand): void {
    const d = this.writableDisc();
    if (specOf(d).family !== 'cd' || discStatus(d) === 'complete') return illegal(0x2c, 0x00);
    const wt = this.state.writeParams.writeType;
    if (wt !== 'sao' && wt !== 'raw') return fail(SenseKey.ILLEGAL_REQUEST, 0x2c, 0x00);
    if (lastSessionState(d) !== 0) return fail(SenseKey.ILLEGAL_REQUEST, 0x2c, 0x00);
    const data = cmd.data ?? new Uint8Array(0);
    if (data.length !== rd24(cmd.cdb, 6)) return illegal(0x1a);
    let entries;
    try {
      entries = parseCueSheet(data);
    } catch {
      return illegal(0x26);
    }
    // Data Form → bytes from the host (MMC-6): 00h CD-DA 2352, 01h CD-DA generated, 10h mode 1
    // 2048, 11h mode 1 2352, 14h mode 1 generated, 20h/21h mode 2 form 1 2048/2352, 24h generated.
    const formSize = (f: number): number | undefined => ({ 0x00: 2352, 0x01: 0, 0x10: 2048, 0x11: 2352, 0x14: 0, 0x20: 2048, 0x21: 2352, 0x24: 0, 0x30: 2336, 0x31: 2352, 0x34: 0 } as Record<number, number>)[f & 0x3f];
    const pos = entries.filter((e) => (e.ctlAdr & 0x0f) === 1);
    const leadOut = pos.find((e) => e.tno === 0xaa);
    const body = pos.filter((e) => e.tno !== 0 && e.tno !== 0xaa);
    if (!leadOut || body.length === 0) return illegal(0x26);
    const regions: SaoRegion[] = [];
    const trackStarts: Array<{ track: number; start: number; audio: boolean }> = [];
    const leadOutLba = msfToLba(leadOut.min, leadOut.sec, leadOut.frame);
    for (let i = 0; i < body.length; i++) {
      const e = body[i];
      const start = msfToLba(e.min, e.sec, e.frame);
      const next = i + 1 < body.length ? msfToLba(body[i + 1].min, body[i + 1].sec, body[i + 1].frame) : leadOutLba;
      // Raw DAO (write type 11b): the host sends every block of the session, raw, at the page 05h size.
      // Sub-channel Data Form (bits 7-6 of Data Form, MMC-6 cue sheet): 01b R-W packed, 11b R-W raw,
      // 96 bytes after each main block; P and Q stay the drive's. 10b is reserved.
      const subForm = e.dataForm >> 6;
      if (subForm === 2) return illegal(0x26, 0x02);
      const main = wt === 'raw' ? this.cdBlockSize() : formSize(e.dataForm);
      const sub = wt === 'raw' ? (main ?? 0) - Math.min(main ?? 0, 2352) : subForm && main ? 96 : 0;
      const size = main === undefined ? undefined : wt === 'raw' ? main : main + sub;
      if (size === undefined || next <= start || e.min > 99 || e.sec > 59 || e.frame > 74) return illegal(0x26, 0x02);
      const audio = (e.ctlAdr & 0x40) === 0;
      regions.push({ start, end: next, blockSize: size, track: e.tno, audio, ...(sub ? { subSize: sub, subKind: wt === 'raw' ? 'pw' as const : 'rw' as const } : {}) });
      if (e.index === 1) trackStarts.push({ track: e.tno, start, audio });
    }
    // Raw DAO with the host writing the lead-in (its CD-TEXT and TOC in the sub-channel): a lead-in
    // entry addressed in the lead-in (minute ≥ 90, MMC-6 §4.2.3.8) starts host data there.
    const li = d.type === 'cd-rw' ? CD_RW_ATIP_LEAD_IN : CD_ATIP_LEAD_IN;
    const atipLeadIn = msfToLba(li.m, li.s, li.f);
    const leadIn = pos.find((e) => e.tno === 0 && e.min >= 90);
    if (wt === 'raw' && leadIn && regions.length > 0) {
      const start = msfToLba(leadIn.min, leadIn.sec, leadIn.frame);
      if (start < atipLeadIn || start >= regions[0].start) return illegal(0x26, 0x02);
      const size = this.cdBlockSize();
      regions.unshift({ start, end: regions[0].start, blockSize: size, track: 0, audio: (leadIn.ctlAdr & 0x40) === 0, leadIn: true, subSize: size - 2352, subKind: 'pw' });
    }
    // SAO CD-TEXT: a lead-in entry with a sub-channel data form (e.g. 41h: generated main data, R-W
    // packed) has the host send 96 bytes of R-W per lead-in block from the ATIP lead-in start.
    const saoLeadIn = pos.find((e) => e.tno === 0 && (e.dataForm & 0xc0) !== 0);
    if (wt === 'sao' && saoLeadIn && regions.length > 0) {
      if ((saoLeadIn.dataForm & 0xc0) === 0x80 || formSize(saoLeadIn.dataForm) !== 0) return illegal(0x26, 0x02);
      regions.unshift({ start: atipLeadIn, end: regions[0].start, blockSize: 96, track: 0, audio: true, leadIn: true, subSize: 96, subKind: 'rw' });
    }
    if (leadOutLba > d.capacity || trackStarts.length === 0) return illegal(0x26, 0x02);
    const first = regions.find((r) => r.blockSize > 0);
    if (!first) return illegal(0x26);
    d.sao = { regions, nwa: first.start, leadOut: leadOutLba, trackStarts, q: cueSheetQ(entries, leadOutLba) };
    this.save();
  }

  // ---- closing (MMC-6 §6.3) -------------------------------------------------------------------

  private closeTrackSession(c: Uint8Array): void {
    this.closeTrackSessionNow(c);
    if (c[1] & 1) this.startImmediate(0x04, 0x08);
  }

  private closeTrackSessionNow(c: Uint8Array): void {
    const d = this.writableDisc();
    const fn = c[2] & 7;
    const num = rd16(c, 4);
    if (isRandom(d)) {
      // DVD+RW / BD-RE: close functions stop background formatting; the medium stays usable.
      if (!d.formatted && d.profile !== 0x13) return illegal(0x2c, 0x00);
      return;
    }
    if (discStatus(d) === 'complete') return illegal(0x2c, 0x00);
    if (fn === 1) {
      const t = d.tracks.find((x) => x.number === num && !x.closed);
      if (!t) return illegal();
      this.closeTrack(d, t);
      if (d.romOnClose && d.type === 'dvd+r') {
        // tgt compatibility: its DVD+R "morphs into DVD-ROM" on CLOSE TRACK (tgt doc/README.mmc).
        d.tracks = d.tracks.filter((x) => x.recorded > 0);
        d.closedSessions = 1;
        d.finalized = true;
        d.profile = 0x10;
      }
      this.save();
      return;
    }
    const fam = specOf(d).family;
    let outcome: 'appendable' | 'complete';
    if (fn === 2) {
      // CD and DVD-R/-RW: page 05h Multi-session decides (11b: next session allowed); DVD+R, BD-R: close session.
      outcome = fam === 'cd' || [0x11, 0x14, 0x15, 0x16].includes(d.profile) ? (this.state.writeParams.multiSession === 3 ? 'appendable' : 'complete') : 'appendable';
    } else if (fn === 5 || fn === 6) {
      outcome = 'complete';
    } else if (fn === 3) {
      return;
    } else {
      return illegal();
    }
    this.closeSession(d, outcome);
    this.save();
  }

  private closeTrack(d: DiscState, t: TrackState): void {
    if (t.reserved !== undefined) {
      // A partly written reserved track is padded to its reserved size when closed.
      t.recorded = t.reserved;
      t.closed = true;
      return;
    }
    if (t.recorded === 0) return; // closing an empty invisible track is a no-op
    t.closed = true;
    if (specOf(d).family === 'cd' && !t.audio) {
      // TAO data tracks end with 2 run-out blocks that belong to the track (Orange Book link rules).
      t.runOut = 2;
      t.recorded += 2;
    }
    const next = this.nextTrackStart(d, t.start + t.recorded, false);
    if (next < d.capacity) d.tracks.push(invisibleTrack(d, next));
  }

  private closeSession(d: DiscState, outcome: 'appendable' | 'complete'): void {
    const s = d.closedSessions + 1;
    for (const t of d.tracks.filter((x) => x.session === s && !x.closed && (x.recorded > 0 || x.reserved !== undefined))) this.closeTrack(d, t);
    const recordedInSession = d.tracks.some((x) => x.session === s && x.recorded > 0);
    d.tracks = d.tracks.filter((x) => x.closed || x.recorded > 0 || x.reserved !== undefined);
    if (!recordedInSession) {
      // Empty session: finalizing closes the disc; closing an empty session changes nothing.
      if (outcome === 'complete' && d.closedSessions > 0) d.finalized = true;
      else if (outcome === 'complete') illegal(0x2c, 0x04);
      if (!d.finalized) d.tracks.push(invisibleTrack(d, this.sessionStart(d)));
      return;
    }
    d.closedSessions = s;
    if (outcome === 'complete') {
      d.finalized = true;
      return;
    }
    const start = this.sessionStart(d);
    if (start < d.capacity) d.tracks.push(invisibleTrack(d, start));
    else d.finalized = true;
  }

  /** First block of the next session. CD: lead-out (6750 blocks after session 1, 2250 after later ones) + 4500 lead-in + 150 pregap (Red/Orange Book timing). */
  private sessionStart(d: DiscState): number {
    const last = d.tracks.filter((t) => t.recorded > 0).pop();
    if (!last) return 0;
    const end = last.start + (last.reserved ?? last.recorded);
    if (specOf(d).family === 'cd') return end + (d.closedSessions <= 1 ? 6750 : 2250) + 4500 + 150;
    return roundUp(end, specOf(d).blocking);
  }

  // ---- erasing and formatting ----------------------------------------------------------------------

  private blank(c: Uint8Array): void {
    const d = this.writableDisc();
    if (!(d.type === 'cd-rw' || d.type === 'dvd-rw')) return fail(SenseKey.ILLEGAL_REQUEST, 0x30, 0x05);
    const type = c[1] & 7;
    if (type === 0 || type === 1) {
      this.closeFd();
      writeFileSync(this.backingPath, '');
      if (existsSync(this.subPath)) unlinkSync(this.subPath);
      const fresh = freshDisc(d.type, { writeProtected: d.writeProtected });
      Object.assign(d, fresh, { sao: undefined, sub: undefined, cdText: undefined, qPrograms: undefined, mcn: undefined, layer0Capacity: fresh.layer0Capacity });
      // DVD-RW in restricted overwrite morphs back to sequential recording (MMC-6 §4.5.3.6).
      d.profile = MEDIA_SPECS[d.type].profile;
    } else if (type === 6) {
      // Erase the last session.
      const last = Math.max(0, ...d.tracks.filter((t) => t.recorded > 0).map((t) => t.session));
      if (last === 0) return illegal(0x2c, 0x04);
      const from = Math.min(...d.tracks.filter((t) => t.session === last).map((t) => t.start));
      d.tracks = d.tracks.filter((t) => t.session < last);
      d.sub = d.sub?.filter(([s]) => s < from);
      d.qPrograms = d.qPrograms?.filter((p) => p.leadOut <= from);
      if (last === 1) d.cdText = undefined;
      d.closedSessions = Math.min(d.closedSessions, last - 1);
      d.finalized = false;
      d.tracks.push(invisibleTrack(d, this.sessionStart(d)));
    } else if (type === 5) {
      // Unclose the last session: it becomes incomplete again.
      if (d.closedSessions === 0) return illegal(0x2c, 0x00);
      d.tracks = d.tracks.filter((t) => t.closed);
      d.finalized = false;
      d.closedSessions -= 1;
    } else {
      return illegal();
    }
    this.mediaEvent = 4;
    if (c[1] & 0x10) this.startImmediate(0x04, 0x07);
    this.save();
  }

  private formatUnit(cmd: ScsiCommand): void {
    const d = this.writableDisc();
    const c = cmd.cdb;
    const data = cmd.data ?? new Uint8Array(0);
    if ((c[1] & 0x10) === 0 || (c[1] & 7) !== 1) return illegal();
    if (data.length < 12 || rd16(data, 2) < 8) return illegal(0x26);
    const blocks = rd32(data, 4);
    const type = data[8] >> 2;
    const spec = specOf(d);
    const ok = (cap: number) => {
      d.formatted = true;
      d.capacity = cap;
      d.tracks = [];
    };
    if (d.type === 'dvd+rw' && type === 0x26) ok(spec.capacity);
    else if (d.type === 'dvd-rw' && [0x00, 0x13, 0x15].includes(type)) {
      // Quick/full format morphs DVD-RW to Restricted Overwrite (profile 13h, MMC-6 §4.5.3.5).
      d.profile = 0x13;
      ok(spec.capacity);
    } else if (d.type === 'bd-re' && (type === 0x30 || type === 0x31 || type === 0x00)) ok(type === 0x31 ? spec.capacity : spec.formattedCapacity!);
    else if (d.type === 'bd-r' && type === 0x32 && discStatus(d) === 'blank') {
      // BD-R with spares formatted for Random Recording Mode (profile 42h, MMC-6 §4.5.5).
      d.profile = 0x42;
      ok(spec.formattedCapacity!);
    } else if (d.type === 'dvd-ram' && type === 0x00) ok(spec.formattedCapacity!);
    else return fail(SenseKey.ILLEGAL_REQUEST, 0x26, 0x02);
    if (blocks !== 0 && blocks !== 0xffffffff && blocks < d.capacity && type !== 0x32) d.capacity = blocks;
    if (data[1] & 0x02) this.startImmediate(0x04, 0x04);
    this.mediaEvent = 2;
    this.save();
  }

  // ---- reading -------------------------------------------------------------------------------------

  private readable(d: DiscState, lba: number, blocks: number): void {
    if (lba < 0 || lba + blocks > (isRandom(d) ? (d.formatted ? d.capacity : 0) : lastRecordedLba(d) + 1)) fail(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00, lba);
    if (!isRandom(d)) {
      // Every block must lie in a recorded extent (reading an unrecorded gap is out of range too).
      for (let cur = lba; cur < lba + blocks; ) {
        const t = d.tracks.find((x) => cur >= x.start - (x.pregap ?? 0) && cur < x.start + x.recorded - (x.runOut ?? 0));
        if (!t) fail(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00, cur);
        cur = t!.start + t!.recorded - (t!.runOut ?? 0);
      }
    }
  }

  /** `want` is the host's buffer: like SG_IO, no more than that is transferred; `into`, where the host wants it (ScsiCommand.into). */
  private read(lba: number, blocks: number, want: number, into?: Uint8Array): Uint8Array {
    const d = this.disc();
    this.readable(d, lba, blocks);
    if (specOf(d).family === 'cd' && d.tracks.some((t) => t.audio && lba < t.start + t.recorded && lba + blocks > t.start - (t.pregap ?? 0))) fail(SenseKey.ILLEGAL_REQUEST, 0x64, 0x00, lba);
    return this.userData(d, lba, Math.min(blocks, Math.ceil(want / 2048)), into);
  }

  /** 2048-byte user data; a data track written as whole sectors keeps it at byte 16 of the slot (ECMA-130 §14.1). */
  private userData(d: DiscState, lba: number, blocks: number, into?: Uint8Array): Uint8Array {
    if (!d.tracks.some((t) => t.raw)) return this.load(d, lba, blocks, 2048, into);
    const out = new Uint8Array(blocks * 2048);
    const fd = this.file();
    for (let i = 0; i < blocks; i++) {
      const t = d.tracks.find((x) => lba + i >= x.start && lba + i < x.start + x.recorded);
      readSync(fd, out, i * 2048, 2048, (lba + i) * 2352 + (t?.raw ? 16 : 0));
    }
    return out;
  }

  /**
   * Copies one recorded track's user data to a file: 2048 bytes per block for data tracks (an ISO
   * image for a data CD), 2352 for audio (raw CD-DA). Run-out blocks are left out.
   */
  exportTrack(track: number, outPath: string): { blocks: number; blockSize: number } {
    const d = this.state.disc;
    const t = d?.tracks.find((x) => x.number === track && x.recorded > 0);
    if (!d || !t) throw new NotFoundError(`virtual drive "${this.name}" has no recorded track ${track}`, { track });
    const blocks = t.recorded - (t.runOut ?? 0);
    const size = t.audio ? 2352 : 2048;
    const fd = openSync(outPath, 'w');
    try {
      for (let lba = t.start; lba < t.start + blocks; lba += 512) {
        const n = Math.min(512, t.start + blocks - lba);
        writeSync(fd, t.audio ? this.load(d, lba, n, size) : this.userData(d, lba, n));
      }
    } finally {
      closeSync(fd);
    }
    return { blocks, blockSize: size };
  }

  private load(d: DiscState, lba: number, blocks: number, size: number, into?: Uint8Array): Uint8Array {
    const slot = this.slotSize(d);
    const fd = this.file();
    if (size === slot) {
      const mem = hostBuffer(blocks * size, into);
      const n = readSync(fd, mem, 0, mem.length, lba * slot);
      // Past the end of the sparse backing file nothing was ever written: zeros (the host's memory may hold old bytes).
      if (n < mem.length) mem.fill(0, n);
      return mem;
    }
    const out = new Uint8Array(blocks * size);
    for (let i = 0; i < blocks; i++) readSync(fd, out, i * size, Math.min(size, slot), (lba + i) * slot);
    return out;
  }

  private readCd(c: Uint8Array, want: number): Uint8Array {
    const d = this.disc();
    if (specOf(d).family !== 'cd') return illegal(0x64, 0x00);
    const lba = rd32(c, 2) | 0;
    const blocks = rd24(c, 6);
    const sectorType = (c[1] >> 2) & 7;
    const flags = c[9];
    // Sub-channel Data Selection (MMC-6 §6.19): 000b none, 001b raw P-W, 010b formatted Q, 100b R-W.
    const subSel = c[10] & 7;
    if (![0, 1, 2, 4].includes(subSel)) return illegal();
    this.readable(d, lba, blocks);
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (let i = 0; i < blocks && bytes < want; i++) {
      const at = lba + i;
      const t = d.tracks.find((x) => at >= x.start - (x.pregap ?? 0) && at < x.start + x.recorded)!;
      if ((sectorType === 1 && !t.audio) || (sectorType >= 2 && t.audio)) fail(SenseKey.ILLEGAL_REQUEST, 0x64, 0x00, at);
      const parts: Uint8Array[] = [];
      if (t.audio) {
        if (flags & 0xf8) parts.push(this.load(d, at, 1, 2352));
      } else {
        // Mode 1 sector (ECMA-130 §14.1): as written when the host sent whole sectors, else framed
        // here from the user data with its EDC and P/Q parity.
        // Mode 2 form 1 tracks (data block type 10) likewise (§14.5), with their 8-byte sub-header.
        const user = t.raw ? undefined : this.load(d, at, 1, 2048);
        const s = user === undefined ? this.load(d, at, 1, 2352) : t.dataMode === 2 ? mode2Form1Sector(at, user) : mode1Sector(at, user);
        const form1 = s[15] === 2; // header mode byte (a sector sent whole says what it is)
        if (sectorType !== 0 && sectorType !== (form1 ? 4 : 2)) fail(SenseKey.ILLEGAL_REQUEST, 0x64, 0x00, at);
        const sub = form1 ? 8 : 0;
        const header = (flags >> 5) & 3; // 01b header, 10b sub-header (mode 2 only), 11b both
        if (flags & 0x80) parts.push(s.subarray(0, 12));
        if (header === 1 || header === 3) parts.push(s.subarray(12, 16));
        if (header >= 2 && sub) parts.push(s.subarray(16, 24));
        if (flags & 0x10) parts.push(s.subarray(16 + sub, 2064 + sub));
        if (flags & 0x08) parts.push(s.subarray(2064 + sub, 2352));
      }
      if (subSel) {
        const pw = this.subChannel(d, at);
        if (subSel === 1) parts.push(pw);
        else if (subSel === 4) parts.push(pw.map((b) => b & 0x3f));
        else {
          const { p, q } = unpackPq(pw);
          parts.push(formattedQ(p, q));
        }
      }
      const sector = Buffer.concat(parts);
      out.push(sector);
      bytes += sector.length;
    }
    return Buffer.concat(out);
  }

  /**
   * Raw P-W of one block: as the host sent it (raw DAO), P and Q made from the cue sheet (SAO, with
   * the host's R-W if it sent any), or made from the TOC (TAO). Q is mode 1 (ADR 1, ECMA-130 §22.3.3); P is set in a pause (index 0, §22.3.2).
   */
  private subChannel(d: DiscState, lba: number): Uint8Array {
    const r = d.sub?.find(([s, e]) => lba >= s && lba < e);
    let stored: Uint8Array | undefined;
    if (r) {
      stored = new Uint8Array(96);
      readSync(this.subFile(), stored, 0, 96, lba * 96);
      if (r[2] === 'pw') return stored;
    }
    // A session written Session-At-Once: Q as its cue sheet laid it out.
    const program = d.qPrograms?.find((p) => lba >= p.tracks[0].pregapStart && lba < p.leadOut);
    if (program) return programSubchannel(program, lba, stored);
    const inTrack = d.tracks.find((x) => lba >= x.start && lba < x.start + x.recorded);
    const next = inTrack ?? d.tracks.find((x) => x.start > lba && x.start - lba <= 150);
    const t = next ?? d.tracks[0];
    // TAO audio with an MCN or ISRCs from page 05h: the session's tracks as Q sees them (each after
    // the drive's 2-second pause), so the mode 2/3 frames fall where a cue sheet would put them.
    if (t?.audio && (d.mcn || d.tracks.some((x) => x.isrc))) {
      const session = d.tracks.filter((x) => x.session === t.session && x.audio && x.recorded > 0);
      const tracks = session.map((x, i) => ({ number: x.number, pregapStart: i === 0 ? Math.min(x.start, -150) : x.start - 150, start: x.start, indexes: [], end: x.start + x.recorded, control: x.control, ...(x.isrc ? { isrc: x.isrc } : {}) }));
      tracks.forEach((x, i) => {
        if (i + 1 < tracks.length) x.end = tracks[i + 1].pregapStart;
      });
      if (tracks.length && lba >= tracks[0].pregapStart && lba < tracks.at(-1)!.end) return programSubchannel({ tracks, ...(d.mcn ? { mcn: d.mcn } : {}) }, lba, stored);
    }
    const pause = inTrack === undefined;
    const q = qMode1({ control: t.control, track: t.number, index: pause ? 0 : 1, relative: pause ? t.start - lba : lba - t.start, lba });
    return packPw(pause, q, stored);
  }

  private sendDiscStructure(cmd: ScsiCommand): void {
    const d = this.writableDisc();
    const format = cmd.cdb[7];
    const data = cmd.data ?? new Uint8Array(0);
    if (format !== 0x20 || !d.layer0Capacity) return illegal();
    if (data.length < 12) return illegal(0x1a);
    if (discStatus(d) !== 'blank') return illegal(0x2c, 0x00);
    const l0 = rd32(data, 8);
    // The L0 capacity may shrink but not exceed the physical layer (MMC-6 SEND DISC STRUCTURE format 20h), in ECC units.
    if (l0 === 0 || l0 > MEDIA_SPECS[d.type].layer0Capacity! || l0 % 16) return illegal(0x26, 0x02);
    d.layer0Capacity = l0;
    d.layerBreakFixed = true;
    d.capacity = l0 * 2;
    this.save();
  }
}

/**
 * The Q a drive records for a Session-At-Once cue sheet (MMC-6 §6.33): the position entries (ADR 1)
 * give each track's index 00, 01, 02 … and CONTROL; ADR 2 entries the MCN (digits 1–7, then 8–13);
 * ADR 3 entries a track's ISRC (characters 1–6, then 7–12). Undefined for a sheet without tracks.
 */
function cueSheetQ(entries: ReturnType<typeof parseCueSheet>, leadOut: number): QProgram | undefined {
  const bytes = (e: (typeof entries)[number]) => [e.ctlAdr, e.tno, e.index, e.dataForm, e.scms, e.min, e.sec, e.frame];
  const text = (b: number[]) => String.fromCharCode(...b.filter((x) => x !== 0));
  const mcn = entries.filter((e) => (e.ctlAdr & 0x0f) === 2).map(bytes);
  const isrc = new Map<number, string>();
  for (const e of entries.filter((x) => (x.ctlAdr & 0x0f) === 3)) isrc.set(e.tno, (isrc.get(e.tno) ?? '') + text(bytes(e).slice(2)));
  const tracks: QTrack[] = [];
  for (const e of entries) {
    if ((e.ctlAdr & 0x0f) !== 1 || e.tno === 0 || e.tno > 99) continue;
    const lba = msfToLba(e.min, e.sec, e.frame);
    let t = tracks.at(-1);
    if (!t || t.number !== e.tno) {
      t = { number: e.tno, pregapStart: lba, start: lba, indexes: [], end: leadOut, control: e.ctlAdr >> 4, ...(isrc.get(e.tno)?.length === 12 ? { isrc: isrc.get(e.tno) } : {}) };
      if (tracks.length) tracks[tracks.length - 1].end = lba;
      tracks.push(t);
    }
    if (e.index === 1) t.start = lba;
    else if (e.index >= 2) t.indexes.push(lba);
  }
  if (!tracks.length) return undefined;
  const digits = mcn.length === 2 ? text([...mcn[0].slice(1), ...mcn[1].slice(1)]) : '';
  return { tracks, ...(/^\d{13}$/.test(digits) ? { mcn: digits } : {}) };
}

/** The host's memory for a READ's data when it gave enough (ScsiCommand.into), else a new buffer. */
function hostBuffer(bytes: number, into: Uint8Array | undefined): Uint8Array {
  return into && into.byteLength >= bytes ? into.subarray(0, bytes) : new Uint8Array(bytes);
}

/** The blocks a READ(10), READ(12) or READ CD asks for (fault rules matched by address). */
function readSpan(c: Uint8Array): { lba: number; blocks: number } | undefined {
  const lba = ((c[2] << 24) | (c[3] << 16) | (c[4] << 8) | c[5]) >>> 0;
  if (c[0] === Op.READ_10) return { lba, blocks: (c[7] << 8) | c[8] };
  if (c[0] === Op.READ_12) return { lba, blocks: ((c[6] << 24) | (c[7] << 16) | (c[8] << 8) | c[9]) >>> 0 };
  if (c[0] === Op.READ_CD) return { lba, blocks: (c[6] << 16) | (c[7] << 8) | c[8] };
  return undefined;
}
