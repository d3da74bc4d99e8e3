// Browser mode: a WebSocket back to `glassmaster serve`, reconnecting with back-off.
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import type { MessageChannel } from './message-client';
import { RemoteError } from './remote-error';

export class WebSocketChannel implements MessageChannel {
  private ready: Promise<WebSocket> | undefined;
  onMessage: (msg: ServerMessage) => void = () => undefined;
  onStatus: (connected: boolean) => void = () => undefined;
  onLost: () => void = () => undefined;
  /**
   * Why a reconnect fails: 'gone' (nothing answers at this address), 'refused' (Glassmaster answers
   * but not to this page's token: it was started with another state dir or its serve.json was deleted).
   */
  onProblem: (problem: 'gone' | 'refused' | undefined) => void = () => undefined;

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
        this.onProblem(undefined);
        this.onStatus(true);
        resolve(ws);
      };
      ws.onmessage = (ev) => this.onMessage(JSON.parse(String(ev.data)) as ServerMessage);
      ws.onclose = () => {
        this.ready = undefined;
        this.onStatus(false);
        if (open) this.onLost();
        else {
          // The page itself is served by the same process: if it answers, the WebSocket was refused.
          void fetch(`${location.origin}/`, { cache: 'no-store' }).then(
            (r) => this.onProblem(r.ok ? 'refused' : 'gone'),
            () => this.onProblem('gone'),
          );
          reject(new RemoteError({ name: 'TransportError', code: 'TRANSPORT', message: 'cannot connect to Glassmaster: is `glassmaster serve` running and the URL token right?', retryable: true }));
        }
        setTimeout(() => void this.connect().catch(() => undefined), open ? 500 : 3000);
      };
    });
    return this.ready;
  }
}
