// Messages between WorkerPool (host) and worker-runtime (worker). A small request/response
// protocol with ids, a cancel for an in-flight id, progress events, and credit-based streaming.
import type { GlassmasterErrorJSON } from '../common/errors';

export type HostToWorker =
  | { type: 'run'; id: number; task: string; payload: unknown; stream: boolean; credit: number }
  | { type: 'cancel'; id: number }
  | { type: 'credit'; id: number; n: number };

export type WorkerToHost =
  | { type: 'progress'; id: number; data: unknown }
  | { type: 'chunk'; id: number; chunk: Uint8Array }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; error: GlassmasterErrorJSON };
