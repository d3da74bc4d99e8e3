// One error base for every service, with a stable JSON form that crosses IPC and the CLI.
// Subclasses say who is at fault: the caller (InvalidInput), the medium or image, the drive
// (Scsi/Transport), a failed verification, a cancel, or us (Internal).
import type { VerifyReport } from './model/verify';

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_IMAGE'
  | 'INVALID_MEDIA'
  | 'SCSI'
  | 'TRANSPORT'
  | 'VERIFICATION'
  | 'CANCELLED'
  | 'NOT_SUPPORTED'
  | 'NOT_FOUND'
  | 'IO'
  | 'INTERNAL'
  | 'DRIVE_BUSY'
  | 'DRIVE_RESPONSE'
  | 'UNSAFE_OUTPUT';

export interface GlassmasterErrorJSON {
  name: string;
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** Extra typed fields of the subclass (sense bytes, LBA, path …). */
  details?: Record<string, unknown>;
}

export class GlassmasterError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }

  toJSON(): GlassmasterErrorJSON {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }

  static fromJSON(json: GlassmasterErrorJSON): GlassmasterError {
    return new GlassmasterError(json.code, json.message, { retryable: json.retryable, details: json.details });
  }

  /** Any thrown value → GlassmasterError (unknown values become INTERNAL). */
  static from(err: unknown): GlassmasterError {
    if (err instanceof GlassmasterError) return err;
    const errno = err as Error & { code?: unknown; path?: string; syscall?: string };
    if (err instanceof Error && typeof errno.code === 'string' && errno.syscall !== undefined) {
      const e = errno as Error & { code: string; path?: string; syscall?: string };
      return new IoError(e.message, { errno: e.code, path: e.path, syscall: e.syscall, cause: err });
    }
    if (err instanceof Error && err.name === 'AbortError') return new CancelledError();
    return new InternalError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** The caller or the user gave something we cannot accept (bad name, malformed message …). */
export class InvalidInputError extends GlassmasterError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_INPUT', message, { details });
  }
}

/**
 * An output Glassmaster refuses to write because writing it would destroy something: one of the
 * inputs, a device node (unless in-place device writes were asked for), a FIFO, a folder, a
 * symbolic link to nothing, a device too small for the image (image/output-file.ts). Nothing was
 * written. details.reason says which; exit 2 like any other input the command line got wrong.
 */
export class UnsafeOutputError extends GlassmasterError {
  constructor(message: string, details: { path: string; reason: string; [k: string]: unknown }) {
    super('UNSAFE_OUTPUT', message, { details });
  }
}

/** A disc image (ours to import, or one to burn) is corrupt, truncated or hostile. */
export class InvalidImageError extends GlassmasterError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_IMAGE', message, { details });
  }
}

/** The disc in the drive cannot be used for what was asked (wrong type, full, closed …). */
export class InvalidMediaError extends GlassmasterError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_MEDIA', message, { details });
  }
}

export class NotSupportedError extends GlassmasterError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('NOT_SUPPORTED', message, { details });
  }
}

export class NotFoundError extends GlassmasterError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('NOT_FOUND', message, { details });
  }
}

/** A file-system operation failed; keeps errno/path so the message can name the file. */
export class IoError extends GlassmasterError {
  constructor(message: string, opts: { errno?: string; path?: string; syscall?: string; cause?: unknown } = {}) {
    super('IO', message, { details: { errno: opts.errno, path: opts.path, syscall: opts.syscall }, cause: opts.cause });
  }
}

export type SenseDisposition = 'retry' | 'fail' | 'continue';

/** A drive answered CHECK CONDITION. Built only by the sense decoder (mmc/sense.ts). */
export class ScsiError extends GlassmasterError {
  readonly opcode: number;
  readonly senseKey: number;
  readonly asc: number;
  readonly ascq: number;
  readonly disposition: SenseDisposition;

  constructor(opts: { opcode: number; senseKey: number; asc: number; ascq: number; disposition: SenseDisposition; text: string }) {
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
    super('SCSI', `[${hex(opts.senseKey).slice(1)} ${hex(opts.asc)} ${hex(opts.ascq)}] ${opts.text}`, {
      retryable: opts.disposition === 'retry',
      details: { opcode: opts.opcode, senseKey: opts.senseKey, asc: opts.asc, ascq: opts.ascq, disposition: opts.disposition },
    });
    this.opcode = opts.opcode;
    this.senseKey = opts.senseKey;
    this.asc = opts.asc;
    this.ascq = opts.ascq;
    this.disposition = opts.disposition;
  }
}

/** The path to the drive failed (errno from SG_IO, a dropped iSCSI connection …). */
export class TransportError extends GlassmasterError {
  readonly errno: string | number | undefined;
  readonly syscall: string | undefined;
  readonly disconnected: boolean;

  constructor(message: string, opts: { errno?: string | number; syscall?: string; disconnected?: boolean; cause?: unknown } = {}) {
    super('TRANSPORT', message, { retryable: false, details: { errno: opts.errno, syscall: opts.syscall, disconnected: opts.disconnected ?? false }, cause: opts.cause });
    this.errno = opts.errno;
    this.syscall = opts.syscall;
    this.disconnected = opts.disconnected ?? false;
  }
}

/** Read-back differs from what was written. */
export class VerificationError extends GlassmasterError {
  constructor(message: string, details: { firstBadLba: number; expected?: string; actual?: string; report?: VerifyReport }) {
    super('VERIFICATION', message, { details });
  }
}

/** The user (or a closing window) cancelled. Never shown as a failure. */
export class CancelledError extends GlassmasterError {
  constructor(message = 'Cancelled') {
    super('CANCELLED', message);
  }
}

/** Another job (burn, erase, verify, read) holds the drive: try again when it has finished. */
export class DriveBusyError extends GlassmasterError {
  constructor(message: string, details: { address: string; job: string; pid?: number }) {
    super('DRIVE_BUSY', message, { retryable: true, details });
  }
}

/** The drive answered, but its response data cannot be decoded (too short, inconsistent lengths, a
 * wrong page): the drive's fault, not the disc's. */
export class DriveResponseError extends GlassmasterError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('DRIVE_RESPONSE', message, { details });
  }
}

/**
 * A burn, erase or format stopped on an error. Keeps the code of its cause (so the exit code is the
 * cause's) and says in `discState` what is on the disc now.
 */
export class BurnError extends GlassmasterError {
  constructor(cause: GlassmasterError, message: string, details: { discState: string; lba?: number; phase: string }) {
    super(cause.code, message, { retryable: false, details: { ...details, cause: cause.toJSON() }, cause });
  }
}

export class InternalError extends GlassmasterError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('INTERNAL', message, { cause: opts.cause });
  }
}

export function isCancelledError(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof GlassmasterError && err.code === 'CANCELLED');
}

/** Throws CancelledError if the signal is aborted (cooperative cancel points). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
