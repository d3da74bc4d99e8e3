// DriveService: the drive SDK the CLI, IPC and UI use. Chooses the transport by address prefix
// ('/dev/…' or a Windows path: native, 'iscsi://': iscsi, 'virtual:': virtual), opens the device
// for the duration of one operation and always closes it.
import { setTimeout as delay } from 'node:timers/promises';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWindowsDriveAddress } from '../common/drive-address';
import { DriveBusyError, GlassmasterError, InvalidInputError, NotSupportedError } from '../common/errors';
import type { DriveCapabilities, DriveInfo, DriveKind, MediaInfo } from '../common/model/drive';
import type { OpenOptions, ScsiTransport } from '../transport/transport';
import { Drive, type DriveOptions, type MediaChange } from './drive';

export interface DriveServiceOptions {
  transports: ScsiTransport[];
  drive?: DriveOptions;
  /** Watch: how often the drive list is refreshed (default 5 s). */
  rescanMs?: number;
  /**
   * Where leases leave a marker while a job runs (one small JSON file per drive). A marker whose
   * process is gone is a job that died mid-way: the next open of that drive unlocks it, and another
   * process sees a live marker as "busy". Without it, leases are per process only.
   */
  leaseDir?: string;
}

/** What holds a drive exclusively. */
export type DriveJob = 'burn' | 'erase' | 'format' | 'verify' | 'read';

/**
 * Jobs that only read the disc. Their lease is still exclusive among Glassmaster jobs (a burn
 * cannot start mid-read, the watcher polls nothing), but the device is opened without O_EXCL and
 * the tray lock is left alone: on Linux O_EXCL on /dev/srN fails with EBUSY while the desktop has
 * the disc mounted (reading a mounted disc is the common case), and PREVENT ALLOW MEDIUM REMOVAL
 * would release the lock the kernel holds for that mount.
 */
export const READ_ONLY_JOBS: ReadonlySet<DriveJob> = new Set(['read', 'verify']);

/**
 * A job's exclusive hold on a drive (DriveService.lease). While it lasts, media(), eject(), load()
 * and withDrive() on that drive reject with DriveBusyError and the media watcher polls nothing on
 * it. release() allows medium removal, closes the device and is idempotent.
 */
export interface DriveLease {
  readonly address: string;
  readonly job: DriveJob;
  readonly drive: Drive;
  release(): Promise<void>;
}

interface LeaseMarker {
  pid: number;
  job: DriveJob;
  since: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface MediaEvent {
  address: string;
  media: MediaInfo;
  reason?: MediaChange['reason'];
}

export function kindOfAddress(address: string): DriveKind {
  if (address.startsWith('virtual:')) return 'virtual';
  if (address.startsWith('iscsi://')) return 'iscsi';
  if (address.startsWith('/dev/') || isWindowsDriveAddress(address)) return 'native';
  throw new InvalidInputError(`unrecognised drive address "${address}" (expected /dev/…, iscsi://… or virtual:NAME)`, { address });
}

const EMPTY_CAPS: DriveCapabilities = {
  profiles: [], canReadCd: false, canReadDvd: false, canReadBd: false, canWriteCdR: false, canWriteCdRw: false, canWriteCdTao: false, canWriteCdSao: false,
  canWriteDvdMinusR: false, canWriteDvdMinusRw: false, canWriteDvdMinusRDl: false, canWriteDvdPlusR: false, canWriteDvdPlusRw: false, canWriteDvdPlusRDl: false,
  canWriteDvdRam: false, canWriteBdR: false, canWriteBdRe: false, canTestWrite: false, canBufferUnderrunFree: false, canRealTimeStreaming: false, canEject: false, canLock: false,
};

export class DriveService {
  private readonly transports: ScsiTransport[];
  private readonly driveOpts: DriveOptions | undefined;
  private readonly rescanMs: number;
  private readonly leaseDir: string | undefined;
  private readonly leases = new Map<string, DriveJob>();
  /** Told when a lease starts (job) or ends (undefined); a returned promise is awaited before the job opens the drive. */
  private readonly leaseListeners = new Set<(address: string, job: DriveJob | undefined) => Promise<void> | void>();
  /** Last identification of each drive, so list() can show a leased drive without touching it. */
  private readonly known = new Map<string, DriveInfo>();

  constructor(opts: DriveServiceOptions) {
    this.transports = opts.transports;
    this.driveOpts = opts.drive;
    this.rescanMs = opts.rescanMs ?? 5000;
    this.leaseDir = opts.leaseDir;
  }

  /** The job holding a drive, if any (this process, or a live other process's marker). */
  busyWith(address: string): DriveJob | undefined {
    return this.leases.get(address) ?? this.liveForeignMarker(address)?.job;
  }

  /** Listens for lease start (job) and end (undefined); returns the unsubscribe function. */
  onLease(listener: (address: string, job: DriveJob | undefined) => Promise<void> | void): () => void {
    this.leaseListeners.add(listener);
    return () => this.leaseListeners.delete(listener);
  }

  /**
   * Takes the drive exclusively for a job. A second lease (here or, with leaseDir, in another
   * process) rejects with DriveBusyError. The drive is opened exclusively and unlocked first
   * (PREVENT ALLOW MEDIUM REMOVAL, MMC-6 §6.14): a lock left by a job that died is released here.
   * Read-only jobs (READ_ONLY_JOBS) open the device shared and unlock only after a dead job's
   * marker; their release does not unlock either.
   */
  async lease(address: string, job: DriveJob): Promise<DriveLease> {
    const transport = this.transportFor(address);
    this.assertFree(address);
    this.leases.set(address, job);
    const readOnly = READ_ONLY_JOBS.has(job);
    let device: Awaited<ReturnType<ScsiTransport['open']>> | undefined;
    let stale: boolean;
    try {
      await Promise.all([...this.leaseListeners].map((l) => l(address, job)));
      device = await transport.open(address, { exclusive: !readOnly });
      stale = this.readMarker(address) !== undefined;
      this.writeMarker(address, job);
    } catch (e) {
      await device?.close().catch(() => undefined);
      this.leases.delete(address);
      void Promise.all([...this.leaseListeners].map((l) => l(address, undefined))).catch(() => undefined);
      throw e;
    }
    const drive = new Drive(device, this.driveOpts);
    if (!readOnly || stale) await drive.unlock().catch(() => undefined);
    let released: Promise<void> | undefined;
    const openDevice = device;
    return {
      address,
      job,
      drive,
      release: () =>
        (released ??= (async () => {
          try {
            if (!readOnly) await drive.unlock().catch(() => undefined);
            await openDevice.close().catch(() => undefined);
          } finally {
            this.removeMarker(address);
            this.leases.delete(address);
            await Promise.all([...this.leaseListeners].map((l) => l(address, undefined))).catch(() => undefined);
          }
        })()),
    };
  }

  private assertFree(address: string): void {
    const mine = this.leases.get(address);
    if (mine) throw new DriveBusyError(`The drive ${address} is busy: a ${mine} is running on it.`, { address, job: mine });
    const foreign = this.liveForeignMarker(address);
    if (foreign) throw new DriveBusyError(`The drive ${address} is busy: another Glassmaster (process ${foreign.pid}) is running a ${foreign.job} on it.`, { address, job: foreign.job, pid: foreign.pid });
  }

  private markerPath(address: string): string | undefined {
    return this.leaseDir && join(this.leaseDir, `${encodeURIComponent(address)}.json`);
  }

  private readMarker(address: string): LeaseMarker | undefined {
    const p = this.markerPath(address);
    if (!p) return undefined;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as LeaseMarker;
    } catch {
      return undefined;
    }
  }

  private liveForeignMarker(address: string): LeaseMarker | undefined {
    const m = this.readMarker(address);
    return m && m.pid !== process.pid && processAlive(m.pid) ? m : undefined;
  }

  private writeMarker(address: string, job: DriveJob): void {
    const p = this.markerPath(address);
    if (!p) return;
    mkdirSync(this.leaseDir!, { recursive: true });
    writeFileSync(p, JSON.stringify({ pid: process.pid, job, since: new Date().toISOString() } satisfies LeaseMarker));
  }

  private removeMarker(address: string): void {
    const p = this.markerPath(address);
    if (p) rmSync(p, { force: true });
  }

  transportFor(address: string): ScsiTransport {
    const kind = kindOfAddress(address);
    const t = this.transports.find((x) => x.kind === kind);
    if (!t) throw new NotSupportedError(`no ${kind} transport is available for ${address}`, { address, kind });
    return t;
  }

  /** Opens the drive, runs fn, and closes the device whatever happens. */
  async withDrive<T>(address: string, fn: (drive: Drive) => Promise<T>, opts: OpenOptions = {}): Promise<T> {
    const transport = this.transportFor(address);
    this.assertFree(address);
    const device = await transport.open(address, opts);
    try {
      const drive = new Drive(device, this.driveOpts);
      // A job that died mid-way (its marker names a process that is gone) may have left the tray locked.
      const stale = this.readMarker(address);
      if (stale && !this.leases.has(address)) {
        await drive.unlock().catch(() => undefined);
        this.removeMarker(address);
      }
      return await fn(drive);
    } finally {
      await device.close();
    }
  }

  /**
   * Every drive of every transport, in transport order. Drives are identified concurrently; one that
   * fails identification is listed with its descriptor and no capabilities, and a broken transport
   * hides only its own drives.
   */
  async list(signal?: AbortSignal): Promise<DriveInfo[]> {
    const perTransport = await Promise.all(this.transports.map((t) => t.list().catch(() => [])));
    const descs = perTransport.flat();
    const infos = await Promise.all(
      descs.map(async (d) => {
        const cached = this.known.get(d.address);
        if (cached && this.busyWith(d.address)) return cached;
        const info: DriveInfo = { address: d.address, kind: d.kind, vendor: d.vendor, model: d.model, revision: d.revision, capabilities: EMPTY_CAPS };
        if (d.sgNode) info.sgNode = d.sgNode;
        try {
          await this.withDrive(d.address, async (drive) => {
            const inq = await drive.inquiry(signal);
            info.vendor = inq.vendor || info.vendor;
            info.model = inq.product || info.model;
            info.revision = inq.revision || info.revision;
            info.capabilities = await drive.capabilities(signal);
          });
          this.known.set(d.address, info);
        } catch (e) {
          if (signal?.aborted) throw e;
        }
        return info;
      }),
    );
    return infos;
  }

  async media(address: string, signal?: AbortSignal): Promise<MediaInfo> {
    return this.withDrive(address, (d) => d.media(signal));
  }

  async eject(address: string, signal?: AbortSignal): Promise<void> {
    await this.withDrive(address, async (d) => {
      // An application lock would make the eject fail: release it first (PREVENT ALLOW MEDIUM REMOVAL).
      await d.unlock(signal).catch(() => undefined);
      await d.eject(signal);
    });
  }

  async load(address: string, signal?: AbortSignal): Promise<void> {
    await this.withDrive(address, (d) => d.load(signal));
  }

  /**
   * Watches every drive (rescanning the list every rescanMs) until the signal aborts; reports the
   * initial media of each drive, then each change, and (onDrives) the drive list whenever a drive
   * appears or goes. Errors of one drive stop only its watcher.
   */
  async watch(
    signal: AbortSignal,
    cb: (ev: MediaEvent) => void,
    opts: {
      minIntervalMs?: number;
      maxIntervalMs?: number;
      onError?: (address: string, err: GlassmasterError) => void;
      onDrives?: (drives: DriveInfo[]) => void;
      /** A job took the drive (job) or gave it back (undefined); nothing is polled on it meanwhile. */
      onBusy?: (address: string, job: DriveJob | undefined) => void;
    } = {},
  ): Promise<void> {
    const watching = new Map<string, { done: Promise<void>; stop: AbortController }>();
    const start = (address: string) => {
      if (this.busyWith(address)) return;
      const stop = new AbortController();
      const both = AbortSignal.any([signal, stop.signal]);
      const done = (async () => {
        const device = await this.transportFor(address).open(address);
        try {
          await new Drive(device, this.driveOpts).watchMedia(both, (ev) => cb({ address, media: ev.media, reason: ev.reason }), opts);
        } finally {
          await device.close();
        }
      })().catch((e) => {
        if (!both.aborted) opts.onError?.(address, GlassmasterError.from(e));
      }).finally(() => {
        if (watching.get(address)?.done === done) watching.delete(address);
      });
      watching.set(address, { done, stop });
    };
    // A lease stops the drive's watcher before the job opens the drive; its end restarts it, which
    // reports the media as it is after the job.
    const unsubscribe = this.onLease(async (address, job) => {
      if (signal.aborted) return;
      opts.onBusy?.(address, job);
      if (job) {
        const w = watching.get(address);
        w?.stop.abort();
        await w?.done;
      } else if (!watching.has(address)) start(address);
    });
    let known: string | undefined;
    while (!signal.aborted) {
      const addresses: string[] = [];
      for (const t of this.transports) {
        const descs = await t.list().catch(() => []);
        for (const d of descs) {
          addresses.push(d.address);
          if (!watching.has(d.address)) start(d.address);
        }
      }
      // Hot-plug: the full list (identified drives) only when the set of addresses changed.
      const key = addresses.sort().join('\n');
      if (known !== undefined && key !== known && opts.onDrives) {
        const drives = await this.list(signal).catch(() => undefined);
        if (drives && !signal.aborted) opts.onDrives(drives);
      }
      known = key;
      await delay(this.rescanMs, undefined, { signal }).catch(() => undefined);
    }
    unsubscribe();
    await Promise.allSettled([...watching.values()].map((w) => w.done));
  }
}
