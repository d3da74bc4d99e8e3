// Wire format between the host's GuestTransport proxy and guest-transport-server.ts: one JSON
// object per line over a virtio-serial port; binary fields are base64.
import { CancelledError, GlassmasterError, InternalError, InvalidInputError, NotSupportedError, TransportError } from '../../common/errors';

export type RpcRequest =
  | { id: number; op: 'list' }
  | { id: number; op: 'open'; address: string; exclusive: boolean }
  | { id: number; op: 'execute'; handle: number; cdb: string; direction: 'none' | 'in' | 'out'; data?: string; length?: number; timeoutMs?: number }
  | { id: number; op: 'close'; handle: number }
  | { id: number; op: 'shutdown' };

export interface RpcError {
  name: string;
  code?: string;
  message: string;
  errno?: string | number;
  syscall?: string;
  disconnected?: boolean;
  details?: Record<string, unknown>;
}

export type RpcResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: RpcError };

export interface RpcExecuteResult {
  status: number;
  sense: string;
  data: string;
  residual: number;
  durationMs: number;
}

export function errorToRpc(err: unknown): RpcError {
  if (err instanceof TransportError) {
    return { name: err.name, code: err.code, message: err.message, errno: err.errno, syscall: err.syscall, disconnected: err.disconnected };
  }
  if (err instanceof GlassmasterError) return { name: err.name, code: err.code, message: err.message, details: err.details };
  return { name: 'InternalError', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}

/** The guest's error, rebuilt as the same typed error on the host. */
export function errorFromRpc(e: RpcError): Error {
  switch (e.name) {
    case 'TransportError':
      return new TransportError(e.message, { errno: e.errno, syscall: e.syscall, disconnected: e.disconnected });
    case 'CancelledError':
      return new CancelledError(e.message);
    case 'InvalidInputError':
      return new InvalidInputError(e.message, e.details);
    case 'NotSupportedError':
      return new NotSupportedError(e.message, e.details);
    default:
      return new InternalError(`${e.name}: ${e.message}`);
  }
}
