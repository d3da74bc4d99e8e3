// A minimal QMP (QEMU Machine Protocol) client over the unix socket given with -qmp: one JSON
// object per line; replies carry "return" or "error", asynchronous "event"s interleave.
import { createConnection, type Socket } from 'node:net';
import { InternalError, TransportError } from '../../common/errors';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export class QmpClient {
  readonly events: QmpEvent[] = [];
  #socket: Socket;
  #buffer = '';
  #waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  #greeted: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    let greet: () => void;
    this.#greeted = new Promise((r) => (greet = r));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl).trim();
        this.#buffer = this.#buffer.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as Record<string, unknown>;
        if ('QMP' in msg) greet();
        else if ('event' in msg) this.events.push(msg as unknown as QmpEvent);
        else {
          const w = this.#waiting.shift();
          if (!w) continue;
          if ('error' in msg) w.reject(new InternalError(`QMP error: ${JSON.stringify(msg.error)}`));
          else w.resolve(msg.return);
        }
      }
    });
    socket.on('close', () => {
      for (const w of this.#waiting.splice(0)) w.reject(new TransportError('QMP socket closed', { disconnected: true }));
    });
  }

  /** Connects (retrying while QEMU creates the socket) and negotiates capabilities. */
  static async connect(path: string, timeoutMs = 10_000): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(path, () => resolve(s));
          s.once('error', reject);
        });
        const client = new QmpClient(socket);
        await client.#greeted;
        await client.execute('qmp_capabilities');
        return client;
      } catch (err) {
        if (Date.now() > deadline) throw new TransportError(`cannot connect to QMP at ${path}`, { cause: err });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  /** An HMP command line (e.g. "eject -f cd1") through QMP's human-monitor-command. */
  async hmp(commandLine: string): Promise<string> {
    return (await this.execute('human-monitor-command', { 'command-line': commandLine })) as string;
  }

  close(): void {
    this.#socket.destroy();
  }
}
