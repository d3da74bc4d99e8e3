// The renderer's typed client over any message channel (Electron preload bridge or the browser
// shell's WebSocket): call ids, pending results, cancel via AbortSignal, event fan-out.
import type { EventMap, EventName, GlassmasterClient, Method, RequestOf, ResponseOf, ServerMessage } from '../../../src-main/common/ipc/contract';
import { RemoteError } from './remote-error';

export interface MessageChannel {
  send(message: unknown): Promise<void>;
}

export class MessageClient implements GlassmasterClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly listeners = new Map<EventName, Set<(p: unknown) => void>>();

  constructor(private readonly channel: MessageChannel) {}

  invoke<M extends Method>(method: M, params: RequestOf<M>, opts: { signal?: AbortSignal } = {}): Promise<ResponseOf<M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new DOMException('Aborted', 'AbortError'));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      opts.signal?.addEventListener('abort', () => void this.channel.send({ kind: 'cancel', id }).catch(() => undefined), { once: true });
      this.channel.send({ kind: 'call', id, method, params }).catch((err) => {
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (p: unknown) => void);
    return () => set!.delete(listener as (p: unknown) => void);
  }

  receive(msg: ServerMessage): void {
    if (msg.kind === 'event') {
      this.listeners.get(msg.event)?.forEach((l) => l(msg.payload));
      return;
    }
    if (msg.id === null) {
      console.warn('Glassmaster rejected a message:', msg.ok ? msg : msg.error.message);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new RemoteError(msg.error));
  }

  /** The channel broke: every pending call fails with a transport error. */
  failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new RemoteError({ name: 'TransportError', code: 'TRANSPORT', message, retryable: true }));
    this.pending.clear();
  }
}
