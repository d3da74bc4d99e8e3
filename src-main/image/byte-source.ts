// The byte-source contract: how disc data travels from whoever makes it (a planned image, an
// existing .iso, a multisession increment, a CD audio track) to whoever consumes it (the file
// writer, stdout, the burner, verify's "expected" side). One suite (byte-source/contract.ts) runs
// against every implementation, as transport/contract does for ScsiTransport.
//
// Rules every implementation MUST keep:
// - `sectorSize` and `totalSectors` are known before the first read and never change. Data discs use
//   2048-byte sectors; a CD-DA track uses 2352.
// - read() delivers the data in order, as whole sectors only: each chunk's byteLength is a non-zero
//   multiple of sectorSize and at most maxSectors sectors. After exactly totalSectors sectors it
//   resolves null (end), and keeps resolving null.
// - Backpressure is the consumer's pull: a source produces at most a bounded amount ahead of what
//   read() has handed out (it never buffers the whole disc).
// - Only one read() may be pending at a time; a second concurrent read() rejects with InternalError.
// - cancel() stops production and releases every resource (files, workers); a pending read() and
//   every later read() reject with CancelledError. cancel() is idempotent and never throws.
// - An aborted `signal` passed to read() rejects that read with CancelledError and cancels the source.
// - A source that fails (a file vanished, changed or unreadable) rejects read() with a typed
//   GlassmasterError naming the file; it then behaves as cancelled (resources released).
// - After the end (null) the source has released its resources: no close() is needed.
// - `progress()` is cheap and may be called at any time.
// - readInto() (optional; every SequentialSource has it) keeps the rules of read() — order, whole
//   sectors, one pending call of either kind, cancel, signal, failures, progress — but writes the
//   sectors into the caller's memory instead of handing out a chunk: it resolves how many bytes it
//   wrote (whole sectors, at least one, at most dest.byteLength), 0 at the end. The burn's ring
//   buffer reads straight into its own memory this way (no allocation per chunk, no copy).

export const DATA_SECTOR = 2048;
export const CD_DA_SECTOR = 2352;

export interface ByteSourceProgress {
  /** Sectors handed out by read() so far. */
  sectorsRead: number;
  totalSectors: number;
}

export interface ByteSource {
  /** Says in words what this is, for messages and logs: 'image of "PHOTOS" (3 files)', '/tmp/x.iso'. */
  readonly description: string;
  readonly sectorSize: number;
  readonly totalSectors: number;
  read(maxSectors: number, signal?: AbortSignal): Promise<Uint8Array | null>;
  /** Like read(), into `dest` (see the rules above): bytes written, 0 at the end. */
  readInto?(dest: Uint8Array, signal?: AbortSignal): Promise<number>;
  cancel(): Promise<void>;
  progress(): ByteSourceProgress;
}

/** Bytes a source delivers in all. */
export function byteLengthOf(source: Pick<ByteSource, 'sectorSize' | 'totalSectors'>): number {
  return source.sectorSize * source.totalSectors;
}
