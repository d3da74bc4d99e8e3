// The SCSI transport contract. Three implementations: native (SG_IO/SPTI addon), iSCSI (our own
// initiator over TCP) and the virtual recorder (in-process MMC drive). One contract test suite
// (transport-contract.ts) runs against all three.
//
// Rules every implementation MUST keep:
// - execute() resolves with CHECK CONDITION as data (status 0x02 + sense bytes). It never throws for
//   a SCSI status; sense is interpreted by mmc/sense.ts.
// - execute() rejects only for transport failures, with TransportError (errno/syscall kept).
// - After close(), pending and new executes MUST reject with CancelledError or TransportError.
// - A signal aborted before the command is sent rejects with CancelledError; a command already at
//   the drive cannot be interrupted and is bounded by timeoutMs instead.
// - 'in' data is returned as a Buffer of exactly the bytes transferred (length - residual).
// - `into` (optional, 'in' only) is the caller's memory for the data: a transport MAY receive the
//   data there (the result's data is then a view of it) or ignore it; the caller reads result.data
//   either way. It lets a large read-back reuse fixed memory instead of a new buffer per READ.

export type DataDirection = 'none' | 'in' | 'out';

export interface ScsiCommand {
  /** 6, 10, 12 or 16 byte CDB. */
  cdb: Uint8Array;
  direction: DataDirection;
  /** For 'out': the bytes to send. */
  data?: Uint8Array;
  /** For 'in': the allocation length the CDB asks for. */
  length?: number;
  /** For 'in': memory (at least `length` bytes) the transport may receive the data into (see above). */
  into?: Uint8Array;
  timeoutMs?: number;
}

export interface ScsiResult {
  /** SCSI status byte: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY … */
  status: number;
  /** Sense bytes (fixed or descriptor format), empty when none. */
  sense: Uint8Array;
  /** For 'in' commands, the bytes received. */
  data: Buffer;
  /** Requested minus transferred bytes. */
  residual: number;
  durationMs: number;
}

export interface ScsiDevice {
  readonly address: string;
  /**
   * The most bytes one command may transfer, when the transport knows it (Linux: the queue's
   * max_sectors_kb; a virtual drive: its own limit). Undefined: unknown, callers keep to 64 KiB.
   */
  readonly maxTransferBytes?: number;
  execute(cmd: ScsiCommand, signal?: AbortSignal): Promise<ScsiResult>;
  close(): Promise<void>;
}

export interface DriveDescriptor {
  /** '/dev/sr0', 'iscsi://127.0.0.1:3261/iqn…/1', 'virtual:NAME' */
  address: string;
  vendor: string;
  model: string;
  revision: string;
  /** Linux: the matching /dev/sgN, when known. */
  sgNode?: string;
  kind: 'native' | 'iscsi' | 'virtual';
}

export interface OpenOptions {
  /** Exclusive access while burning (O_EXCL on Linux, no sharing on Windows). */
  exclusive?: boolean;
}

export interface ScsiTransport {
  readonly kind: DriveDescriptor['kind'];
  list(): Promise<DriveDescriptor[]>;
  open(address: string, opts?: OpenOptions): Promise<ScsiDevice>;
}
