// NativeTransport: ScsiTransport over the OS pass-through (Linux SG_IO, Windows SPTI) via the
// native addon. It adds no MMC knowledge: CDBs in, status/sense/data out. See transport.ts for the
// MUST rules this file keeps.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { getSystemErrorName } from 'node:util';
import { requireMmcDevice } from '../mmc-device';
import { canonicalWindowsDriveAddress } from '../../common/drive-address';
import { CancelledError, InvalidInputError, NotSupportedError, TransportError, throwIfAborted } from '../../common/errors';
import type { DriveDescriptor, OpenOptions, ScsiCommand, ScsiDevice, ScsiResult, ScsiTransport } from '../transport';
import { isNativeOsError, loadNativeAddon, type NativeAddon, type NativeDriveEntry, type NativeExecuteResult } from './native-addon';

export const DEFAULT_TIMEOUT_MS = 30_000;

// Linux <scsi/scsi.h> host bytes. DID_OK with CHECK CONDITION is data; anything else means the
// command did not complete at the target (no sense to interpret).
const DID_NO_CONNECT = 0x01;
const DID_TIME_OUT = 0x03;
const DID_BAD_TARGET = 0x04;
const HOST_STATUS_NAMES: Record<number, string> = {
  0x01: 'DID_NO_CONNECT', 0x02: 'DID_BUS_BUSY', 0x03: 'DID_TIME_OUT', 0x04: 'DID_BAD_TARGET', 0x05: 'DID_ABORT',
  0x06: 'DID_PARITY', 0x07: 'DID_ERROR', 0x08: 'DID_RESET', 0x09: 'DID_BAD_INTR', 0x0a: 'DID_PASSTHROUGH',
  0x0b: 'DID_SOFT_ERROR', 0x0c: 'DID_IMM_RETRY', 0x0d: 'DID_REQUEUE', 0x0e: 'DID_TRANSPORT_DISRUPTED',
  0x0f: 'DID_TRANSPORT_FAILFAST', 0x11: 'DID_TRANSPORT_MARGINAL',
};
// driver_status low nibble (sg_io_hdr): DRIVER_TIMEOUT. DRIVER_SENSE (0x08) just flags valid sense.
const DRIVER_TIMEOUT = 0x06;

// errnos from an already-open handle that mean the device itself went away (unplugged, its
// iSCSI session or USB bridge dropped). A missing disc is not one: that is sense data (02/3A).
const DISCONNECT_CODES = new Set(['ENODEV', 'ENXIO', 'ESHUTDOWN', 'ERROR_DEVICE_NOT_CONNECTED']);

function errnoCode(err: { errno: number; code?: string }): string | number {
  if (err.code) return err.code;
  if (err.errno > 0 && process.platform !== 'win32') {
    try {
      return getSystemErrorName(-err.errno);
    } catch {
      // fall through to the number
    }
  }
  return err.errno;
}

/** Maps an addon rejection to the typed error the contract promises. */
export function mapNativeError(err: unknown, what: string): Error {
  if (!isNativeOsError(err)) return err instanceof Error ? err : new TransportError(`${what}: ${String(err)}`, { cause: err });
  if (err.notSupported) {
    return new NotSupportedError(`native SCSI pass-through is not supported on ${process.platform} yet`, { platform: process.platform });
  }
  const code = errnoCode(err);
  const disconnected = typeof code === 'string' && DISCONNECT_CODES.has(code) && err.syscall !== 'open' && err.syscall !== 'CreateFile';
  return new TransportError(`${what}: ${err.syscall} failed with ${code}`, { errno: code, syscall: err.syscall, disconnected, cause: err });
}

/** A completed SG_IO whose host/driver bytes say the command never reached a verdict. */
function hostFailure(res: NativeExecuteResult, address: string, opcode: number): TransportError | undefined {
  const op = `0x${opcode.toString(16).padStart(2, '0')}`;
  if (res.hostStatus === DID_TIME_OUT || (res.driverStatus & 0x0f) === DRIVER_TIMEOUT) {
    return new TransportError(`${address}: command ${op} timed out`, { errno: 'ETIMEDOUT', syscall: 'ioctl(SG_IO)' });
  }
  if (res.hostStatus !== 0) {
    const name = HOST_STATUS_NAMES[res.hostStatus] ?? `host status 0x${res.hostStatus.toString(16)}`;
    const disconnected = res.hostStatus === DID_NO_CONNECT || res.hostStatus === DID_BAD_TARGET;
    return new TransportError(`${address}: command ${op} failed: ${name}`, { errno: disconnected ? 'ENODEV' : 'EIO', syscall: 'ioctl(SG_IO)', disconnected });
  }
  return undefined;
}

function validate(cmd: ScsiCommand): void {
  if (!(cmd.cdb instanceof Uint8Array) || cmd.cdb.length < 6 || cmd.cdb.length > 16) {
    throw new InvalidInputError('CDB must be a Uint8Array of 6 to 16 bytes', { length: (cmd.cdb as Uint8Array | undefined)?.length });
  }
  if (cmd.direction === 'in' && !(Number.isInteger(cmd.length) && (cmd.length as number) >= 0)) {
    throw new InvalidInputError("direction 'in' needs a non-negative integer length", { length: cmd.length });
  }
  if (cmd.direction === 'out' && !(cmd.data instanceof Uint8Array)) {
    throw new InvalidInputError("direction 'out' needs data", {});
  }
  if (cmd.direction !== 'in' && cmd.direction !== 'out' && cmd.direction !== 'none') {
    throw new InvalidInputError(`unknown direction ${String(cmd.direction)}`, {});
  }
}

export class NativeDevice implements ScsiDevice {
  readonly address: string;
  readonly #addon: NativeAddon;
  readonly #handle: number;
  #closed = false;
  // Rejecters of executes still in flight, so close() can settle them at once (the ioctl itself
  // cannot be interrupted and finishes in the background, bounded by its timeout).
  readonly #pending = new Set<(err: Error) => void>();
  // Exclusive opens on Linux also hold the drive's other node (sr ↔ sg) with O_EXCL.
  readonly #lockHandles: number[];

  constructor(addon: NativeAddon, handle: number, address: string, lockHandles: number[] = []) {
    this.#addon = addon;
    this.#handle = handle;
    this.address = address;
    this.#lockHandles = lockHandles;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #maxTransfer: number | undefined | null = null;
  /**
   * Linux: the block queue's max_sectors_kb of an sr node (what one SG_IO request may carry without
   * EINVAL from the block layer); undefined elsewhere or when sysfs does not say.
   */
  get maxTransferBytes(): number | undefined {
    if (this.#maxTransfer === null) {
      this.#maxTransfer = undefined;
      const node = basename(this.address);
      if (process.platform === 'linux' && /^sr\d+$/.test(node)) {
        try {
          const kb = Number(readFileSync(`/sys/block/${node}/queue/max_sectors_kb`, 'utf8').trim());
          if (Number.isInteger(kb) && kb >= 64) this.#maxTransfer = kb * 1024;
        } catch {
          // no sysfs entry: unknown
        }
      }
    }
    return this.#maxTransfer;
  }

  execute(cmd: ScsiCommand, signal?: AbortSignal): Promise<ScsiResult> {
    let native: Promise<NativeExecuteResult>;
    try {
      throwIfAborted(signal);
      if (this.#closed) throw new TransportError(`${this.address}: device is closed`, { errno: 'EBADF', syscall: 'execute' });
      validate(cmd);
      native = this.#addon.execute(this.#handle, {
        cdb: cmd.cdb,
        direction: cmd.direction,
        data: cmd.direction === 'out' ? cmd.data : undefined,
        length: cmd.direction === 'in' ? cmd.length : undefined,
        timeoutMs: cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
    } catch (err) {
      // The addon throws synchronously only for malformed arguments (TypeError/RangeError).
      return Promise.reject(err instanceof TypeError || err instanceof RangeError ? new InvalidInputError(err.message, {}) : err);
    }
    return new Promise<ScsiResult>((resolve, reject) => {
      this.#pending.add(reject);
      native.then(
        (res) => {
          this.#pending.delete(reject);
          const failure = hostFailure(res, this.address, cmd.cdb[0]);
          if (failure) return reject(failure);
          resolve({
            status: res.status,
            sense: res.sense,
            data: Buffer.from(res.data.buffer, res.data.byteOffset, res.data.byteLength),
            residual: res.residual,
            durationMs: res.durationMs,
          });
        },
        (err: unknown) => {
          this.#pending.delete(reject);
          reject(mapNativeError(err, `${this.address}: command 0x${cmd.cdb[0].toString(16).padStart(2, '0')}`));
        },
      );
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const reject of this.#pending) reject(new CancelledError(`${this.address}: device closed`));
    this.#pending.clear();
    this.#addon.close(this.#handle);
    for (const h of this.#lockHandles) this.#addon.close(h);
  }
}

export interface DriveChange {
  added: DriveDescriptor[];
  removed: DriveDescriptor[];
}

export class NativeTransport implements ScsiTransport {
  readonly kind = 'native' as const;
  #addon: NativeAddon | undefined;

  /** `addon` is injectable for tests; by default the built addon is loaded on first use. */
  constructor(addon?: NativeAddon) {
    this.#addon = addon;
  }

  private get addon(): NativeAddon {
    this.#addon ??= loadNativeAddon();
    return this.#addon;
  }

  /**
   * Capability query: false when this build has only the null backend (macOS/BSD today) or the
   * addon is not built, so callers can hide native drives instead of catching NotSupportedError.
   */
  canAccessDrives(): boolean {
    try {
      return this.addon.info().backend !== 'none';
    } catch {
      return false;
    }
  }

  async list(): Promise<DriveDescriptor[]> {
    let entries: NativeDriveEntry[];
    try {
      entries = await this.addon.list();
    } catch (err) {
      throw mapNativeError(err, 'list drives');
    }
    return entries.map((e) => ({
      address: e.path,
      vendor: e.vendor,
      model: e.model,
      revision: e.revision,
      ...(e.sgNode ? { sgNode: e.sgNode } : {}),
      kind: 'native' as const,
    }));
  }

  async open(address: string, opts: OpenOptions = {}): Promise<ScsiDevice> {
    if (typeof address !== 'string' || address.length === 0) throw new InvalidInputError('drive address must be a non-empty string', {});
    // Windows: "D:" names the current directory of drive D for CreateFile; the device is "\\.\D:".
    const path = this.addon.info().backend === 'spti' ? canonicalWindowsDriveAddress(address) : address;
    let handle: number;
    try {
      handle = await this.addon.open(path, opts.exclusive ?? false);
    } catch (err) {
      throw mapNativeError(err, `open ${address}`);
    }
    // Only an MMC drive (INQUIRY peripheral device type 05h) is opened, whatever node was named:
    // a disk's /dev/sgN must never receive START STOP UNIT or any other drive command. INQUIRY is
    // the first and, for anything else, the only command sent.
    await requireMmcDevice(new NativeDevice(this.addon, handle, address), address);
    const locks: number[] = [];
    if (opts.exclusive) {
      // On Linux one drive has two doors: O_EXCL on /dev/srN keeps out mounts and other exclusive
      // openers but not /dev/sgN, and vice versa. A burn must shut both, as other burners do.
      const sibling = await this.siblingNode(address);
      if (sibling) {
        try {
          locks.push(await this.addon.open(sibling, true));
        } catch (err) {
          this.addon.close(handle);
          throw mapNativeError(err, `open ${sibling} (exclusive lock for ${address})`);
        }
      }
    }
    return new NativeDevice(this.addon, handle, address, locks);
  }

  /** The other Linux node of the same drive (/dev/sgN for /dev/srN and back), if enumerated. */
  private async siblingNode(address: string): Promise<string | undefined> {
    if (this.addon.info().backend !== 'sg') return undefined;
    const entries = await this.addon.list().catch(() => [] as NativeDriveEntry[]);
    const e = entries.find((d) => d.blockNode === address || d.sgNode === address);
    if (!e || !e.blockNode || !e.sgNode) return undefined;
    return e.blockNode === address ? e.sgNode : e.blockNode;
  }

  /**
   * Hot-plug: polls list() and reports differences. Polling rather than inotify/udev because it is
   * the same code on every OS (sysfs reads on Linux, GetLogicalDrives on Windows cost
   * microseconds), needs no udev (containers, the QEMU guest) and drive arrival is rare enough
   * that a 2 s latency is invisible. The first poll is the baseline (call list() for the current
   * set); afterwards each change is reported once. Returns a stop function.
   */
  watch(onChange: (change: DriveChange) => void, opts: { intervalMs?: number; onError?: (err: unknown) => void } = {}): () => void {
    let known: Map<string, DriveDescriptor> | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const key = (d: DriveDescriptor) => `${d.address}|${d.vendor}|${d.model}|${d.revision}`;
    const tick = async () => {
      try {
        const now = new Map((await this.list()).map((d) => [key(d), d]));
        if (stopped) return;
        if (known) {
          const added = [...now].filter(([k]) => !known!.has(k)).map(([, d]) => d);
          const removed = [...known].filter(([k]) => !now.has(k)).map(([, d]) => d);
          if (added.length || removed.length) onChange({ added, removed });
        }
        known = now;
      } catch (err) {
        opts.onError?.(err);
      }
      if (!stopped) timer = setTimeout(() => void tick(), opts.intervalMs ?? 2000);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }
}
