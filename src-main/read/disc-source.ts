// The disc in a drive as a ByteSource (image/byte-source.ts): the data tracks' 2048-byte user data
// from sector 0 to the end of the last data track — the same span `read --drive D -o X.iso` writes
// (read-disc.ts isoEnd), so a copy burned from it holds the same bytes as that ISO would. What a
// disc copy streams into the burner, and what the copy's full verify reads again (a fresh source
// per call of the factory).
//
// MUST rules (beyond the ByteSource contract):
//  - sectors inside the span that no data track covers, or that the drive calls unrecorded (gaps
//    between CD sessions, ILLEGAL REQUEST 21/00, BLANK CHECK), are zeros, as in `read`;
//  - a sector that stays unreadable after the re-reads fails the read with UnreadableSectorError
//    (a copy with silent holes would be a corrupt disc);
//  - the layout is read once, when the source is opened: totalSectors is known before the first read;
//  - with `session`, the source is that session's sectors only (start … end, as the caller trimmed
//    them; the first sector it yields is the session's start: `startLba`), for a copy made session
//    by session (burn/copy-sessions.ts).
import { CancelledError, InternalError, InvalidMediaError } from '../common/errors';
import type { Drive } from '../drive/drive';
import { DATA_SECTOR, type ByteSource, type ByteSourceProgress } from '../image/byte-source';
import { readDiscLayout, type DiscTrack } from './disc-layout';
import { driveBlockReader, UnreadableSectorError } from './drive-block-reader';
import { isoEnd } from './read-disc';

export interface DiscSourceOptions {
  /** Re-reads of a sector the drive reports damaged (default 3). */
  retries?: number;
  signal?: AbortSignal;
  /** Sectors per READ batch handed to the reader (default 512 = 1 MiB; split into 32-sector READs). */
  batchSectors?: number;
  /** Only these sectors of one session: a session-by-session copy. */
  session?: { number: number; start: number; end: number };
}

export async function openDiscByteSource(drive: Drive, address: string, opts: DiscSourceOptions = {}): Promise<ByteSource & { startLba?: number }> {
  const layout = await readDiscLayout(drive, opts.signal);
  const dataTracks = layout.tracks.filter((t) => !t.audio).sort((a, b) => a.start - b.start);
  if (layout.end === 0 || dataTracks.length === 0) {
    throw new InvalidMediaError(layout.end === 0 ? `The disc in ${address} is blank: there is nothing to copy.` : `The disc in ${address} has no data tracks (an audio CD): it cannot be copied as a data disc.`, { address });
  }
  let first = 0;
  let total = await isoEnd(drive, layout, dataTracks, opts);
  const end = total;
  if (opts.session !== undefined) {
    const s = opts.session;
    const known = layout.sessions.find((x) => x.number === s.number);
    if (!known || s.start < known.start || s.end > known.end || s.end <= s.start) throw new InvalidMediaError(`The disc in ${address} has no session ${s.number} at sectors ${s.start}–${s.end - 1}.`, { address, session: s.number });
    first = s.start;
    total = s.end - s.start;
  }
  const reader = driveBlockReader(drive, { sectorCount: Math.max(end, layout.end), retries: opts.retries, signal: opts.signal });
  const batch = opts.batchSectors ?? 512;
  let pos = 0;
  let busy = false;
  let cancelled = false;
  return {
    description: opts.session === undefined ? `the disc in ${address}` : `session ${opts.session.number} of the disc in ${address}`,
    ...(opts.session !== undefined ? { startLba: first } : {}),
    sectorSize: DATA_SECTOR,
    totalSectors: total,
    progress: (): ByteSourceProgress => ({ sectorsRead: pos, totalSectors: total }),
    async cancel() {
      cancelled = true;
    },
    async read(maxSectors, signal) {
      if (busy) throw new InternalError('ByteSource.read called while another read is pending');
      if (signal?.aborted) cancelled = true;
      if (cancelled) throw new CancelledError();
      if (pos >= total) return null;
      busy = true;
      try {
        const n = Math.min(maxSectors, batch, total - pos);
        const buf = Buffer.alloc(n * DATA_SECTOR);
        const at = first + pos;
        for (const [a, b] of recordedPieces(dataTracks, at, at + n)) {
          const r = await reader.readTolerant(a, b - a);
          const hard = r.bad.find((x) => !(x.error instanceof UnreadableSectorError && x.error.unrecorded));
          if (hard) throw hard.error;
          r.data.copy(buf, (a - at) * DATA_SECTOR);
        }
        if (signal?.aborted) {
          cancelled = true;
          throw new CancelledError();
        }
        pos += n;
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      } finally {
        busy = false;
      }
    },
  };
}

/** The parts of [from, to) inside the given tracks (sorted by start), in order. */
function recordedPieces(tracks: DiscTrack[], from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const t of tracks) {
    const a = Math.max(from, t.start);
    const b = Math.min(to, t.end);
    if (a < b) out.push([a, b]);
  }
  return out;
}
