// VirtualTransport: the ScsiTransport of in-process virtual recorders ('virtual:NAME'). Each drive
// lives in <stateDir>/<NAME>/ as state.json (drive + disc model) and disc.bin (sparse backing file,
// 2048 bytes per block on DVD/BD, 2352 per block on CD).
// One VirtualTransport instance should own a state dir at a time: recorders are cached in memory.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, GlassmasterError, InvalidInputError, IoError, NotFoundError, TransportError } from '../../common/errors';
import type { MediaTypeName } from '../../common/model/drive';
import { MEDIA_TYPE_NAMES } from '../../common/model/drive';
import type { DriveDescriptor, OpenOptions, ScsiCommand, ScsiDevice, ScsiResult, ScsiTransport } from '../transport';
import type { FaultRule } from './faults';
import { VirtualRecorder } from './virtual-recorder';
import { loadRecorderState } from './state-file';
import { withStateLockSync } from '../../app/state-lock';

export const VIRTUAL_PREFIX = 'virtual:';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface VirtualTransportOptions {
  /** Where drives are kept; default ~/.config/glassmaster/virtual (XDG_CONFIG_HOME honoured). */
  stateDir?: string;
  /** Default command timeout when a command gives none (a stalled command rejects after it). */
  defaultTimeoutMs?: number;
}

export interface InsertOptions {
  writeProtected?: boolean;
  /** tgt-compatible DVD+R: CLOSE TRACK finalizes and morphs the disc to DVD-ROM. */
  romOnClose?: boolean;
  /** The drive answers NOT READY / becoming ready (02/04/01) to this many commands after the insert. */
  notReadyCommands?: number;
}

export interface VirtualDriveInfo {
  address: string;
  media: MediaTypeName | null;
  /** Current MMC profile number (0 = none); differs from the media's initial profile after morphing. */
  profile: number;
  trayOpen: boolean;
  locked: boolean;
  writeProtected: boolean;
  backingFile: string;
}

export function defaultVirtualStateDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'glassmaster', 'virtual');
}

export function parseVirtualAddress(address: string): string {
  if (!address.startsWith(VIRTUAL_PREFIX)) throw new InvalidInputError(`not a virtual drive address: ${address}`, { address });
  const name = address.slice(VIRTUAL_PREFIX.length);
  checkName(name);
  return name;
}

function checkName(name: string): void {
  if (!NAME_RE.test(name)) throw new InvalidInputError(`invalid virtual drive name "${name}" (letters, digits, . _ -; max 64)`, { name });
}

function checkMedia(media: string): asserts media is MediaTypeName {
  if (!(MEDIA_TYPE_NAMES as readonly string[]).includes(media)) throw new InvalidInputError(`unknown media type "${media}" (one of ${MEDIA_TYPE_NAMES.join(', ')})`, { media });
}

export class VirtualTransport implements ScsiTransport {
  readonly kind = 'virtual' as const;
  readonly stateDir: string;
  private readonly recorders = new Map<string, VirtualRecorder>();
  private readonly exclusive = new Set<string>();
  private readonly defaultTimeoutMs: number;
  private listProblems: Array<{ address: string; error: GlassmasterError }> = [];

  constructor(opts: VirtualTransportOptions = {}) {
    this.stateDir = opts.stateDir ?? defaultVirtualStateDir();
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 30_000;
  }

  private dirOf(name: string): string {
    return join(this.stateDir, name);
  }

  /** The drives the last list() hid because their state.json could not be used, with the typed error. */
  problems(): Array<{ address: string; error: GlassmasterError }> {
    return [...this.listProblems];
  }

  async list(): Promise<DriveDescriptor[]> {
    this.listProblems = [];
    if (!existsSync(this.stateDir)) return [];
    const out: DriveDescriptor[] = [];
    for (const name of readdirSync(this.stateDir).sort()) {
      if (!NAME_RE.test(name) || !existsSync(join(this.dirOf(name), 'state.json'))) continue;
      let r: VirtualRecorder;
      try {
        r = this.recorder(name);
      } catch (e) {
        // A corrupt or unusable state.json hides that drive only; problems() says why.
        this.listProblems.push({ address: VIRTUAL_PREFIX + name, error: GlassmasterError.from(e) });
        continue;
      }
      out.push({ address: VIRTUAL_PREFIX + name, vendor: r.state.vendor, model: r.state.product, revision: r.state.revision, kind: 'virtual' });
    }
    return out;
  }

  /** Creates a drive (optionally with a disc). Creating an existing drive is an error. */
  async create(name: string, opts: { media?: MediaTypeName | null; product?: string; pacing?: 'paced' | 'unlimited' } & InsertOptions = {}): Promise<string> {
    checkName(name);
    const dir = this.dirOf(name);
    if (existsSync(join(dir, 'state.json'))) throw new InvalidInputError(`virtual drive "${name}" already exists`, { name });
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new IoError(`cannot create ${dir}`, { path: dir, errno: (e as NodeJS.ErrnoException).code, cause: e });
    }
    if (opts.media) checkMedia(opts.media);
    withStateLockSync(join(dir, 'state.json'), () => {
      // Another process may have created it since the check above.
      if (existsSync(join(dir, 'state.json'))) throw new InvalidInputError(`virtual drive "${name}" already exists`, { name });
      const state = VirtualRecorder.defaultState();
      if (opts.product) state.product = opts.product.slice(0, 16);
      if (opts.pacing) state.pacing = opts.pacing;
      const r = new VirtualRecorder({ name, dir }, state);
      this.recorders.set(name, r);
      if (opts.media) r.insert(opts.media, opts);
      else r.save();
    });
    return VIRTUAL_PREFIX + name;
  }

  /** Puts a fresh disc of `media` in the drive (replacing any disc) and closes the tray. */
  async insert(name: string, media: MediaTypeName, opts: InsertOptions = {}): Promise<void> {
    checkMedia(media);
    this.change(name, (r) => r.insert(media, opts));
  }

  /** Puts a pressed disc (CD-ROM / DVD-ROM / BD-ROM) holding the bytes of an ISO image in the drive. */
  async insertPressed(name: string, family: 'cd' | 'dvd' | 'bd', imagePath: string): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(imagePath);
    } catch (e) {
      throw new IoError(`cannot read ${imagePath}: ${(e as Error).message}`, { path: imagePath, cause: e });
    }
    if (bytes.length === 0 || bytes.length % 2048 !== 0) throw new InvalidInputError(`${imagePath} is not whole 2048-byte sectors`, { path: imagePath });
    this.change(name, (r) => r.insertPressed(family, bytes));
  }

  /**
   * The user presses eject: the tray opens with the disc on it (its image file is kept; `load` or
   * the host's START STOP UNIT brings it back). With `discard`, the disc is taken away and its
   * image deleted, leaving an empty drive with the tray closed. A host's PREVENT lock does not stop
   * this (the user's hands, like QEMU's monitor eject).
   */
  async eject(name: string, opts: { discard?: boolean } = {}): Promise<void> {
    this.change(name, (r) => (opts.discard ? r.removeDisc() : r.openTray()));
  }

  /** The user pushes the tray in. */
  async load(name: string): Promise<void> {
    this.change(name, (r) => r.closeTray());
  }

  /** Deletes the drive and its disc. */
  async remove(name: string): Promise<void> {
    const r = this.recorder(name);
    r.dispose();
    this.recorders.delete(name);
    rmSync(this.dirOf(name), { recursive: true, force: true });
  }

  /** What the user sees of a drive: its disc, tray and lock (for `virtual list`-style CLIs). */
  info(name: string): VirtualDriveInfo {
    const r = this.recorder(name);
    r.syncFromDisk();
    const d = r.state.disc;
    return {
      address: VIRTUAL_PREFIX + name,
      media: d?.type ?? null,
      profile: d ? d.profile : 0,
      trayOpen: r.state.trayOpen,
      locked: r.state.locked,
      writeProtected: d?.writeProtected ?? false,
      backingFile: r.backingPath,
    };
  }

  /** Paces writes at the selected write speed (off: unlimited; see VirtualRecorder.pacing), for this process only. */
  setPacing(name: string, on: boolean): void {
    this.recorder(name).pacing = on;
  }

  /** The recorder's saved pacing, for every process that opens it from now on (`virtual pacing`). */
  async savePacing(name: string, pacing: 'paced' | 'unlimited'): Promise<void> {
    this.change(name, (r) => {
      r.state.pacing = pacing;
      r.save();
    });
  }

  pacingOf(name: string): 'paced' | 'unlimited' {
    const r = this.recorder(name);
    r.syncFromDisk();
    return r.state.pacing ?? 'unlimited';
  }

  injectFault(name: string, rule: FaultRule): void {
    this.recorder(name).faults.add(rule);
  }

  clearFaults(name: string): void {
    this.recorder(name).faults.clear();
  }

  setWriteProtected(name: string, on: boolean): void {
    this.change(name, (r) => r.setWriteProtected(on));
  }

  /** The backing file holding the disc's recorded sectors. */
  backingFile(name: string): string {
    return this.recorder(name).backingPath;
  }

  /** Writes a recorded track's user data to `outPath` (data: 2048-byte blocks, i.e. an ISO; audio: raw 2352). */
  exportTrack(name: string, track: number, outPath: string): { blocks: number; blockSize: number } {
    const r = this.recorder(name);
    r.syncFromDisk();
    return r.exportTrack(track, outPath);
  }

  /**
   * A user-level change of a drive (insert, eject, load, write protection) from this process, while
   * the app, `serve` or another CLI command may change the same drive: under the state file's lock
   * (app/state-lock.ts), first taking in what another process wrote, then changing and saving.
   */
  private change(name: string, fn: (r: VirtualRecorder) => void): void {
    const r = this.recorder(name);
    withStateLockSync(join(this.dirOf(name), 'state.json'), () => {
      r.syncFromDisk(true);
      fn(r);
    });
  }

  /** The recorder behind a drive (tests and diagnostics). */
  recorder(name: string): VirtualRecorder {
    checkName(name);
    let r = this.recorders.get(name);
    if (r) return r;
    const dir = this.dirOf(name);
    const file = join(dir, 'state.json');
    if (!existsSync(file)) throw new NotFoundError(`no virtual drive "${name}" in ${this.stateDir}`, { name });
    // A regular file of bounded size, read without blocking, validated against the disc model's
    // invariants (state-file.ts): IoError / InvalidInputError naming the file otherwise.
    const state = loadRecorderState(file, VirtualRecorder.defaultState());
    r = new VirtualRecorder({ name, dir }, state);
    this.recorders.set(name, r);
    return r;
  }

  async open(address: string, opts: OpenOptions = {}): Promise<ScsiDevice> {
    const name = parseVirtualAddress(address);
    const r = this.recorder(name);
    // Linux O_EXCL semantics: one exclusive opener at a time (a burner); plain opens (a media
    // watcher polling GESN) may coexist with it, as they do on a real /dev/srN.
    if (opts.exclusive && this.exclusive.has(name)) throw new TransportError(`${address} is busy (opened exclusively)`, { errno: 'EBUSY', syscall: 'open' });
    if (opts.exclusive) this.exclusive.add(name);
    return new VirtualDevice(address, r, this.defaultTimeoutMs, () => {
      if (opts.exclusive) this.exclusive.delete(name);
    });
  }

  /** Flushes every recorder's state (call before the process exits). */
  async dispose(): Promise<void> {
    for (const r of this.recorders.values()) r.dispose();
  }
}

class VirtualDevice implements ScsiDevice {
  /** As a SATA/AHCI drive under Linux (max_hw_sectors_kb 32767 there; 2 MiB keeps a command's buffer small). */
  readonly maxTransferBytes = 2 * 1024 * 1024;
  private closed = false;
  private closeWaiters = new Set<(e: Error) => void>();

  constructor(
    readonly address: string,
    private readonly recorder: VirtualRecorder,
    private readonly defaultTimeoutMs: number,
    private readonly onClose: () => void,
  ) {}

  execute(cmd: ScsiCommand, signal?: AbortSignal): Promise<ScsiResult> {
    if (this.closed) return Promise.reject(new CancelledError(`${this.address} is closed`));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (![6, 10, 12, 16].includes(cmd.cdb.length)) return Promise.reject(new InvalidInputError(`CDB length ${cmd.cdb.length} is not 6, 10, 12 or 16`));
    if (cmd.direction === 'out' && !cmd.data) return Promise.reject(new InvalidInputError('data-out command without data'));
    const timeoutMs = cmd.timeoutMs ?? this.defaultTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let waiter: ((e: Error) => void) | undefined;
    const closedOrStalled = new Promise<never>((_, reject) => {
      waiter = reject;
      this.closeWaiters.add(reject);
    });
    closedOrStalled.catch(() => undefined);
    // A stalled command is bounded by its timeout, like SG_IO's timeout on a real drive.
    const stall = () =>
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TransportError(`${this.address}: command timed out after ${timeoutMs} ms`, { errno: 'ETIMEDOUT' })), timeoutMs);
      });
    return Promise.race([this.recorder.execute(cmd, stall), closedOrStalled]).finally(() => {
      if (timer) clearTimeout(timer);
      if (waiter) this.closeWaiters.delete(waiter);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.closeWaiters) w(new CancelledError(`${this.address} was closed`));
    this.closeWaiters.clear();
    this.recorder.flush();
    this.onClose();
  }
}
