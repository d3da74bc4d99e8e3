// startGuestTransport(): the native transport running in a QEMU guest against real sr/sg drivers,
// usable from host-side tests as an ordinary ScsiTransport. The guest runs
// guest-transport-server.ts; every list/open/execute/close crosses a virtio-serial port as JSON.
// This lets the shared contract suite, the drive layer or a burner run on the host against
// /dev/srN in front of tgtd's DVD writer or QEMU's scsi-cd — with the guest's SG_IO underneath.
import type { Socket } from 'node:net';
import { CancelledError, TransportError, throwIfAborted } from '../../common/errors';
import type { DriveDescriptor, OpenOptions, ScsiCommand, ScsiDevice, ScsiResult, ScsiTransport } from '../../transport/transport';
import { runInGuest, type GuestResult, type RunInGuestOptions } from '../qemu-guest';
import { errorFromRpc, type RpcExecuteResult, type RpcRequest, type RpcResponse } from './guest-rpc';
import type { QmpClient } from './qmp';

const PORT = 'gm.transport';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type RequestBody = RpcRequest extends infer R ? (R extends RpcRequest ? Omit<R, 'id'> : never) : never;

class RpcChannel {
  #socket: Socket;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #buffer = '';
  #closed = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(this.#buffer.slice(0, nl)) as RpcResponse;
        this.#buffer = this.#buffer.slice(nl + 1);
        const p = this.#pending.get(msg.id);
        if (!p) continue;
        this.#pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(errorFromRpc(msg.error));
      }
    });
    const fail = () => {
      this.#closed = true;
      for (const p of this.#pending.values()) p.reject(new TransportError('guest transport channel closed', { disconnected: true }));
      this.#pending.clear();
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  call<T>(body: RequestBody): Promise<T> {
    if (this.#closed) return Promise.reject(new TransportError('guest transport channel closed', { disconnected: true }));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#socket.write(JSON.stringify({ ...body, id }) + '\n');
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

class GuestDevice implements ScsiDevice {
  readonly address: string;
  readonly #rpc: RpcChannel;
  readonly #handle: number;
  #closed = false;
  readonly #pending = new Set<(e: Error) => void>();

  constructor(rpc: RpcChannel, handle: number, address: string) {
    this.#rpc = rpc;
    this.#handle = handle;
    this.address = address;
  }

  execute(cmd: ScsiCommand, signal?: AbortSignal): Promise<ScsiResult> {
    try {
      throwIfAborted(signal);
      if (this.#closed) throw new TransportError(`${this.address}: device is closed`, { errno: 'EBADF', syscall: 'execute' });
    } catch (err) {
      return Promise.reject(err);
    }
    const call = this.#rpc.call<RpcExecuteResult>({
      op: 'execute',
      handle: this.#handle,
      cdb: Buffer.from(cmd.cdb).toString('base64'),
      direction: cmd.direction,
      data: cmd.direction === 'out' && cmd.data ? Buffer.from(cmd.data.buffer, cmd.data.byteOffset, cmd.data.byteLength).toString('base64') : undefined,
      length: cmd.length,
      timeoutMs: cmd.timeoutMs,
    });
    return new Promise<ScsiResult>((resolve, reject) => {
      this.#pending.add(reject);
      call.then(
        (r) => {
          this.#pending.delete(reject);
          resolve({ status: r.status, sense: new Uint8Array(Buffer.from(r.sense, 'base64')), data: Buffer.from(r.data, 'base64'), residual: r.residual, durationMs: r.durationMs });
        },
        (err: Error) => {
          this.#pending.delete(reject);
          reject(err);
        },
      );
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const reject of this.#pending) reject(new CancelledError(`${this.address}: device closed`));
    this.#pending.clear();
    await this.#rpc.call({ op: 'close', handle: this.#handle }).catch(() => undefined);
  }
}

/** NativeTransport, remoted from the guest. kind is 'native': that is what answers underneath. */
export class GuestTransport implements ScsiTransport {
  readonly kind = 'native' as const;
  readonly #rpc: RpcChannel;

  constructor(rpc: RpcChannel) {
    this.#rpc = rpc;
  }

  list(): Promise<DriveDescriptor[]> {
    return this.#rpc.call<DriveDescriptor[]>({ op: 'list' });
  }

  async open(address: string, opts: OpenOptions = {}): Promise<ScsiDevice> {
    const handle = await this.#rpc.call<number>({ op: 'open', address, exclusive: opts.exclusive ?? false });
    return new GuestDevice(this.#rpc, handle, address);
  }
}

export interface GuestTransportSession {
  transport: GuestTransport;
  qmp: QmpClient;
  outDir: string;
  /** The scsiCd tray, operated from the monitor (see GuestMonitor). */
  ejectCd(): Promise<void>;
  changeCd(file: string): Promise<void>;
  /** Shuts the server down and waits for the guest to power off. */
  stop(): Promise<GuestResult>;
}

/** Boots a guest with the given drives and serves its NativeTransport to the host. */
export function startGuestTransport(opts: Omit<RunInGuestOptions, 'script' | 'monitor' | 'serialPorts'> = {}): Promise<GuestTransportSession> {
  return new Promise<GuestTransportSession>((resolveSession, rejectSession) => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let rpc: RpcChannel | undefined;
    const run = runInGuest({
      timeoutMs: 600_000,
      ...opts,
      serialPorts: [PORT],
      // Node's threadpool runs both the port reader and every SG_IO: give it room.
      script: `UV_THREADPOOL_SIZE=8 exec node --import tsx src-main/testing/qemu/guest-transport-server.ts ${PORT}`,
      monitor: async (m) => {
        await m.waitForGuest('transport-ready');
        const channel = new RpcChannel(await m.connectSerial(PORT));
        rpc = channel;
        resolveSession({
          transport: new GuestTransport(channel),
          qmp: m.qmp,
          outDir: m.outDir,
          ejectCd: () => m.ejectCd(),
          changeCd: (file) => m.changeCd(file),
          stop: async () => {
            await channel.call({ op: 'shutdown' }).catch(() => undefined);
            channel.close(); // EOF on the guest's port: the server exits, the guest powers off
            release();
            return run;
          },
        });
        await released;
      },
    });
    run.catch((err: unknown) => {
      rpc?.close();
      rejectSession(err);
    });
  });
}
