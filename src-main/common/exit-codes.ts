// Exit codes a script can branch on: usage mistakes, drive trouble and failed verification differ.
import type { ErrorCode } from './errors';

export const ExitCode = {
  OK: 0,
  /** Unexpected failure (a bug, an I/O error). */
  FAILURE: 1,
  /** Bad command line or invalid input; also an output refused as unsafe (UNSAFE_OUTPUT: nothing was written). */
  USAGE: 2,
  /** The drive, its transport or the disc in it. */
  DEVICE: 3,
  /** Read-back did not match. */
  VERIFICATION: 4,
  /** A corrupt or unusable image. */
  IMAGE: 5,
  /** Cancelled (Ctrl-C): 128 + SIGINT. */
  CANCELLED: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'UNSAFE_OUTPUT':
      return ExitCode.USAGE;
    case 'SCSI':
    case 'TRANSPORT':
    case 'INVALID_MEDIA':
    case 'NOT_FOUND':
    case 'NOT_SUPPORTED':
    case 'DRIVE_BUSY':
    case 'DRIVE_RESPONSE':
      return ExitCode.DEVICE;
    case 'VERIFICATION':
      return ExitCode.VERIFICATION;
    case 'INVALID_IMAGE':
      return ExitCode.IMAGE;
    case 'CANCELLED':
      return ExitCode.CANCELLED;
    default:
      return ExitCode.FAILURE;
  }
}
