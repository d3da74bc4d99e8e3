// Transport-neutral IPC dispatch: validates every incoming message against the contract, runs the
// handler with a per-call AbortController (so a client's cancel reaches the service), and maps
// every outcome to a ServerMessage. Malformed input gets a typed error reply and a log line; it
// never throws into the transport.
import { ClientMessage, requestSchemas, type EventMap, type EventName, type Method, type RequestOf, type ResponseOf, type ServerMessage } from '../common/ipc/contract';
import { GlassmasterError, InvalidInputError } from '../common/errors';
import { MAX_CALLS_IN_FLIGHT, TooManyCallsError } from './limits';

export type Handlers = { [M in Method]: (params: RequestOf<M>, signal: AbortSignal) => Promise<ResponseOf<M>> };

/** Where services publish events; every connected client session subscribes. */
export class EventHub {
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  subscribe(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface DispatcherLog {
  /** `reason` is a fixed category (never client text), so a transport can rate-limit per reason. */
  warn(msg: string, reason?: string): void;
}

/** One client connection's view of the dispatcher: tracks its in-flight calls for cancel/close. */
export class ClientSession {
  private readonly inflight = new Map<number, AbortController>();

  constructor(
    private readonly handlers: Handlers,
    private readonly send: (msg: ServerMessage) => void,
    private readonly log: DispatcherLog,
    private readonly maxInFlight: number = MAX_CALLS_IN_FLIGHT,
  ) {}

  /** Accepts an already-parsed JSON value (Electron IPC) or the raw text of a WebSocket frame. */
  async receive(raw: unknown): Promise<void> {
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        return this.reject(null, new InvalidInputError('message is not valid JSON'));
      }
    }
    const parsed = ClientMessage.safeParse(value);
    if (!parsed.success) {
      const id = typeof (value as { id?: unknown })?.id === 'number' ? (value as { id: number }).id : null;
      return this.reject(id, new InvalidInputError('malformed message', { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }));
    }
    const msg = parsed.data;
    if (msg.kind === 'cancel') {
      this.inflight.get(msg.id)?.abort();
      return;
    }
    if (!Object.hasOwn(requestSchemas, msg.method)) {
      return this.reject(msg.id, new InvalidInputError(`unknown method ${JSON.stringify(msg.method)}`));
    }
    const method = msg.method as Method;
    const params = requestSchemas[method].safeParse(msg.params ?? {});
    if (!params.success) {
      return this.reject(msg.id, new InvalidInputError(`invalid parameters for ${method}`, { issues: params.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) }));
    }
    if (this.inflight.has(msg.id)) return this.reject(msg.id, new InvalidInputError(`call id ${msg.id} is already in flight`));
    // A client that starts calls faster than they finish would otherwise hold unbounded work and memory.
    if (this.inflight.size >= this.maxInFlight) return this.reject(msg.id, new TooManyCallsError(this.maxInFlight));
    const controller = new AbortController();
    this.inflight.set(msg.id, controller);
    try {
      const handler = this.handlers[method] as (p: unknown, s: AbortSignal) => Promise<unknown>;
      const value = await handler(params.data, controller.signal);
      this.send({ kind: 'result', id: msg.id, ok: true, value: value ?? null });
    } catch (err) {
      const e = GlassmasterError.from(err);
      if (e.code === 'INTERNAL') this.log.warn(`${method} failed: ${(err as Error)?.stack ?? e.message}`, 'handler failed');
      this.send({ kind: 'result', id: msg.id, ok: false, error: e.toJSON() });
    } finally {
      this.inflight.delete(msg.id);
    }
  }

  /** The client went away: cancel everything it started. */
  close(): void {
    for (const c of this.inflight.values()) c.abort();
    this.inflight.clear();
  }

  private reject(id: number | null, err: GlassmasterError): void {
    this.log.warn(`rejected IPC message: ${err.message}${err.details ? ' ' + JSON.stringify(err.details) : ''}`, 'rejected IPC message');
    this.send({ kind: 'result', id, ok: false, error: err.toJSON() });
  }
}
