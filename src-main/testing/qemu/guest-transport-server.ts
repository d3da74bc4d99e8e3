// Runs INSIDE the QEMU guest: serves NativeTransport (real SG_IO on the guest's /dev/srN, /dev/sgN)
// over a virtio-serial port to the host's GuestTransport proxy. Started by startGuestTransport().
import { createReadStream, createWriteStream, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScsiDevice } from '../../transport/transport';
import { NativeTransport } from '../../transport/native/native-transport';
import { errorToRpc, type RpcExecuteResult, type RpcRequest, type RpcResponse } from './guest-rpc';

const portName = process.argv[2] ?? 'gm.transport';

function findPort(name: string): string {
  const base = '/sys/class/virtio-ports';
  for (const p of readdirSync(base)) {
    if (readFileSync(join(base, p, 'name'), 'utf8').trim() === name) return `/dev/${p}`;
  }
  throw new Error(`virtio-serial port ${name} not found`);
}

// A virtio port allows one open at a time: read and write share the descriptor.
const fd = openSync(findPort(portName), 'r+');
const output = createWriteStream('', { fd, autoClose: false });
const transport = new NativeTransport();
const devices = new Map<number, ScsiDevice>();
let nextHandle = 1;

function send(msg: RpcResponse): void {
  output.write(JSON.stringify(msg) + '\n');
}

async function handle(req: RpcRequest): Promise<unknown> {
  switch (req.op) {
    case 'list':
      return transport.list();
    case 'open': {
      const dev = await transport.open(req.address, { exclusive: req.exclusive });
      const h = nextHandle++;
      devices.set(h, dev);
      return h;
    }
    case 'execute': {
      const dev = devices.get(req.handle);
      if (!dev) throw new Error(`unknown handle ${req.handle}`);
      const r = await dev.execute({
        cdb: Buffer.from(req.cdb, 'base64'),
        direction: req.direction,
        data: req.data === undefined ? undefined : Buffer.from(req.data, 'base64'),
        length: req.length,
        timeoutMs: req.timeoutMs,
      });
      const out: RpcExecuteResult = {
        status: r.status,
        sense: Buffer.from(r.sense).toString('base64'),
        data: r.data.toString('base64'),
        residual: r.residual,
        durationMs: r.durationMs,
      };
      return out;
    }
    case 'close': {
      const dev = devices.get(req.handle);
      devices.delete(req.handle);
      await dev?.close();
      return null;
    }
    case 'shutdown':
      // The process exits when the host then closes its end (see 'end' below).
      for (const d of devices.values()) await d.close();
      devices.clear();
      return null;
  }
}

let buffer = '';
let heardFromHost = false;

function onData(chunk: string): void {
  heardFromHost = true;
  buffer += chunk;
  let nl: number;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (!line.trim()) continue;
    const req = JSON.parse(line) as RpcRequest;
    handle(req).then(
      (result) => send({ id: req.id, ok: true, result }),
      (err: unknown) => send({ id: req.id, ok: false, error: errorToRpc(err) }),
    );
  }
}

// The host closing its socket reads as EOF on the port: exit then (a read still blocked in the
// threadpool would keep process.exit() from finishing otherwise). Before the host has connected, a
// read of the port also returns EOF: that one is not a goodbye, so listen again.
function listen(): void {
  const input = createReadStream('', { fd, autoClose: false, encoding: 'utf8' });
  input.on('data', (chunk) => onData(chunk as string));
  input.on('end', () => (heardFromHost ? process.exit(0) : setTimeout(listen, 50)));
}
listen();

writeFileSync(join(process.env.GM_OUT as string, 'transport-ready.guest-signal'), '');
