// Browser mode: a WebSocket back to `glassmaster serve`, reconnecting with back-off.
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import type { MessageChannel } from './message-client';
import { RemoteError } from './remote-error';

export class WebSocketChannel implements MessageChannel {
  private ready: Promise<WebSocket> | undefined;
  onMessage: (msg: ServerMessage) => void = () => undefined;
  onStatus: (connected: boolean) => void = () => undefined;
  onLost: () => void = () => undefined;

  constructor(private readonly url: string) {}

  async send(message: unknown): Promise<void> {
    (await this.connect()).send(JSON.stringify(message));
  }

  connect(): Promise<WebSocket> {
    if (this.ready) return this.ready;
    this.ready = new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      let open = false;
      ws.onopen = () => {
        open = true;
        this.onStatus(true);
        resolve(ws);
      };
      ws.onmessage = (ev) => this.onMessage(JSON.parse(String(ev.data)) as ServerMessage);
      ws.onclose = () => {
        this.ready = undefined;
        this.onStatus(false);
        if (open) this.onLost();
        else reject(new RemoteError({ name: 'TransportError', code: 'TRANSPORT', message: 'cannot connect to Glassmaster: is `glassmaster serve` running and the URL token right?', retryable: true }));
        setTimeout(() => void this.connect().catch(() => undefined), open ? 500 : 3000);
      };
    });
    return this.ready;
  }
}
