// DriveService: the drive SDK the CLI, IPC and UI use. Chooses the transport by address prefix
// ('/dev/…' or a Windows path: native, 'iscsi://': iscsi, 'virtual:': virtual), opens the device
// for the duration of one operation and always closes it.
import { setTimeout as delay } from 'node:timers/promises';
import { GlassmasterError, InvalidInputError, NotSupportedError } from '../common/errors';
import type { DriveCapabilities, DriveInfo, DriveKind, MediaInfo } from '../common/model/drive';
import type { OpenOptions, ScsiTransport } from '../transport/transport';
import { Drive, type DriveOptions, type MediaChange } from './drive';

export interface DriveServiceOptions {
  transports: ScsiTransport[];
  drive?: DriveOptions;
  /** Watch: how often the drive list is refreshed (default 5 s). */
  rescanMs?: number;
}

export interface MediaEvent {
  address: string;
  media: MediaInfo;
  reason?: MediaChange['reason'];
}

export function kindOfAddress(address: string): DriveKind {
  if (address.startsWith('virtual:')) return 'virtual';
  if (address.startsWith('iscsi://')) return 'iscsi';
  if (address.startsWith('/dev/') || /^\\\\\.\\/.test(address) || /^[A-Za-z]:$/.test(address)) return 'native';
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

  constructor(opts: DriveServiceOptions) {
    this.transports = opts.transports;
    this.driveOpts = opts.drive;
    this.rescanMs = opts.rescanMs ?? 5000;
  }

  transportFor(address: string): ScsiTransport {
    const kind = kindOfAddress(address);
    const t = this.transports.find((x) => x.kind === kind);
    if (!t) throw new NotSupportedError(`no ${kind} transport is available for ${address}`, { address, kind });
    return t;
  }

  /** Opens the drive, runs fn, and closes the device whatever happens. */
  async withDrive<T>(address: string, fn: (drive: Drive) => Promise<T>, opts: OpenOptions = {}): Promise<T> {
    const device = await this.transportFor(address).open(address, opts);
    try {
      return await fn(new Drive(device, this.driveOpts));
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
    opts: { minIntervalMs?: number; maxIntervalMs?: number; onError?: (address: string, err: GlassmasterError) => void; onDrives?: (drives: DriveInfo[]) => void } = {},
  ): Promise<void> {
    const watching = new Map<string, Promise<void>>();
    const start = (address: string) => {
      const p = (async () => {
        const device = await this.transportFor(address).open(address);
        try {
          await new Drive(device, this.driveOpts).watchMedia(signal, (ev) => cb({ address, media: ev.media, reason: ev.reason }), opts);
        } finally {
          await device.close();
        }
      })().catch((e) => {
        if (!signal.aborted) opts.onError?.(address, GlassmasterError.from(e));
      }).finally(() => watching.delete(address));
      watching.set(address, p);
    };
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
    await Promise.allSettled([...watching.values()]);
  }
}
