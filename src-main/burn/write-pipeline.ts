// The write pipeline: source → ring buffer → WRITE(10) at the plan's addresses. The producer reads
// the byte source into the slots of a ring of fixed memory (ring-buffer.ts, default 32 MiB; straight
// into it with ByteSource.readInto) while the writer sends writes of the plan's size as views of
// that memory (no copy, no allocation per write); READ BUFFER CAPACITY is polled to see the drive's buffer (reported, and a write is
// held back briefly while the drive has no room for it); "long write in progress" (02/04/08,
// MMC-6 §4.1.6) is waited out and the write resent.
// With `hash`, the bytes written (pad sectors excluded) are hashed as they go (SHA-256 of each slot
// in place, by a worker thread for large burns at the same time as the writes: sharedSha256 in
// verify/sha256-stream.ts; a slot is refilled only once it is both written and hashed), so the full read-back only has to read and hash
// the disc side (verify-written.ts) instead of opening and hashing the source a second time.
import { CancelledError, InternalError, ScsiError, throwIfAborted } from '../common/errors';
import type { ByteSource } from '../image/byte-source';
import { buildWrite10 } from '../mmc/commands/write';
import type { Drive } from '../drive/drive';
import { sharedSha256 } from '../verify/sha256-stream';
import { SlotRing } from './ring-buffer';
import type { WritePlan } from './write-strategy';

export const DEFAULT_RING_BYTES = 32 * 1024 * 1024;

export interface WriteStats {
  sectorsWritten: number;
  bytesWritten: number;
  elapsedMs: number;
  speedBytesPerSec: number;
  averageBytesPerSec: number;
  ringFill: number;
  driveBufferFill?: number;
  /** SHA-256 (hex) of the sectors written, pad excluded; only with `hash`. */
  sha256?: string;
}

export interface PipelineOptions {
  drive: Drive;
  plan: WritePlan;
  source: ByteSource;
  /** Bytes per block the drive takes (default 2048; CD-DA 2352, RAW-96 2448): the source's sector size. */
  blockBytes?: number;
  bufferBytes?: number;
  signal: AbortSignal;
  /** How often the drive's buffer is polled (default 250 ms). */
  bufferPollMs?: number;
  onStats?: (s: WriteStats) => void;
  /** Stats at most this often (default 200 ms). */
  statsIntervalMs?: number;
  /** Hash what is written (WriteStats.sha256): the full read-back compares the disc with it. */
  hash?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sectors written so far; kept by the caller so a failure still knows how far the burn came. */
export interface PipelineState {
  written: number;
}

export async function runWritePipeline(o: PipelineOptions, state: PipelineState): Promise<WriteStats> {
  const { drive, plan, source, signal } = o;
  const block = o.blockBytes ?? 2048;
  // Slots of up to 4 MiB (an eighth of the ring), whole writes each, so a WRITE never spans two slots
  // and take() hands out views of the ring's memory rather than copies.
  const capacity = o.bufferBytes ?? DEFAULT_RING_BYTES;
  const writeBytesPlanned = plan.writeSectors * block;
  const slotSectors = Math.max(1, Math.floor(Math.min(4 * 1024 * 1024, Math.floor(capacity / 8)) / writeBytesPlanned)) * plan.writeSectors;
  const ring = new SlotRing(capacity, slotSectors * block);
  // The hasher reads each slot in place as soon as it is filled: on another core, at the same time
  // as the writes (a worker for large burns), and the slot is refilled only after both are done.
  const hasher = o.hash ? sharedSha256(ring.memory, { expectedBytes: plan.sectors * block }) : undefined;
  const producer = (async () => {
    try {
      for (;;) {
        const { slot, dest } = await ring.acquire(signal);
        const { filled, ended } = await fillSlot(source, dest, signal);
        ring.publish(slot, filled, hasher ? 2 : 1);
        if (hasher && filled > 0) {
          hasher.update(ring.offsetOf(slot), filled).then(
            () => ring.release(slot),
            (e: unknown) => ring.fail(e),
          );
        }
        if (ended) break;
      }
      ring.end();
    } catch (e) {
      ring.fail(e);
    }
  })();

  const t0 = performance.now();
  const window: Array<[number, number]> = [[t0, 0]];
  let lastStats = 0;
  let lastPoll = -Infinity;
  let driveFill: number | undefined;
  let driveFree: number | undefined;
  const stats = (now: number): WriteStats => {
    while (window.length > 2 && now - window[1][0] >= 1000) window.shift();
    const [wt, wb] = window[0];
    const bytes = state.written * block;
    const elapsed = now - t0;
    return {
      sectorsWritten: state.written, bytesWritten: bytes, elapsedMs: elapsed, ringFill: ring.fill, driveBufferFill: driveFill,
      speedBytesPerSec: now > wt ? ((bytes - wb) * 1000) / (now - wt) : 0,
      averageBytesPerSec: elapsed > 0 ? (bytes * 1000) / elapsed : 0,
    };
  };
  const pollDrive = async () => {
    try {
      const cap = await drive.bufferCapacity();
      if (cap.bufferLength && cap.freeBytes !== undefined) {
        driveFill = 1 - cap.freeBytes / cap.bufferLength;
        driveFree = cap.freeBytes;
      }
    } catch {
      driveFill = undefined; // READ BUFFER CAPACITY is optional for some profiles
    }
  };

  const writeBytes = plan.writeSectors * block;
  let lba = plan.startLba;
  try {
    for (;;) {
      throwIfAborted(signal);
      const got = await ring.take(writeBytes, signal);
      if (!got) break;
      let data = got.data;
      if (data.length % block !== 0) throw new InternalError('the byte source delivered a partial sector');
      const real = data.length / block;
      if (state.written + real > plan.sectors) throw new InternalError(`the byte source delivered more than its ${plan.sectors} sectors`);
      if (real % plan.padTo !== 0) {
        // Restricted overwrite and DAO take whole ECC blocks: pad the last write with zero sectors.
        const padded = new Uint8Array(Math.ceil(real / plan.padTo) * plan.padTo * block);
        padded.set(data);
        data = padded;
      }
      const now = performance.now();
      if (now - lastPoll >= (o.bufferPollMs ?? 250)) {
        lastPoll = now;
        await pollDrive();
        // Keep the drive fed without queueing a WRITE it has no room for (it would block for long).
        for (let i = 0; i < 200 && driveFree !== undefined && driveFree < data.length; i++) {
          await sleep(5);
          await pollDrive();
        }
      }
      await writeWaitingOutLongWrite(drive, lba, data, block);
      ring.wrote(got.slot, got.data.byteLength);
      // A drive that takes WRITEs as fast as they come (an unpaced virtual recorder answers within the
      // same turn of the event loop) would keep this loop in promise callbacks only, and the source's
      // finished reads would wait until the ring ran dry: one turn of the loop per WRITE lets the
      // producer refill slots while the writer works, so the ring stays ahead.
      await new Promise<void>((r) => setImmediate(r));
      lba += data.length / block;
      state.written += real;
      const t = performance.now();
      window.push([t, state.written * block]);
      if (t - lastStats >= (o.statsIntervalMs ?? 200)) {
        lastStats = t;
        o.onStats?.(stats(t));
      }
    }
    if (state.written !== plan.sectors) throw new InternalError(`the byte source ended after ${state.written} of ${plan.sectors} sectors`);
  } catch (e) {
    ring.fail(e instanceof CancelledError ? e : new CancelledError());
    hasher?.close();
    await source.cancel();
    await producer;
    throw e;
  }
  await producer;
  await pollDrive();
  const final: WriteStats = stats(performance.now());
  if (hasher) final.sha256 = await hasher.digest();
  // Every WRITE answered and the hasher done: the memory can serve the next burn. (After a failure
  // it is left to the collector: a transport that gave up on a command may still hold a view of it.)
  ring.dispose();
  o.onStats?.(final);
  return final;
}

/**
 * Fills `dest` from the source as far as it goes (whole slots, so whole writes): straight into the
 * ring's memory where the source can (readInto), else chunk by chunk with one copy; `ended` once
 * the source said it has no more (after its last sector, so its end-of-source checks have run).
 */
async function fillSlot(source: ByteSource, dest: Uint8Array, signal: AbortSignal): Promise<{ filled: number; ended: boolean }> {
  const sector = source.sectorSize;
  let filled = 0;
  while (filled < dest.byteLength) {
    const rest = dest.subarray(filled);
    let n: number;
    if (source.readInto) n = await source.readInto(rest, signal);
    else {
      const chunk = await source.read(Math.floor(rest.byteLength / sector), signal);
      n = chunk ? chunk.byteLength : 0;
      if (chunk) rest.set(chunk);
    }
    if (n === 0) return { filled, ended: true };
    filled += n;
  }
  return { filled, ended: false };
}

/** WRITE(10), resent while the drive answers "long write in progress" (02/04/08) — for up to 2 minutes. */
async function writeWaitingOutLongWrite(drive: Drive, lba: number, data: Uint8Array, block: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  let delay = 10;
  for (;;) {
    try {
      // No signal: a WRITE in flight completes; cancel is honoured between writes.
      await drive.execute(buildWrite10(lba, data.length / block, data), { retries: 0 });
      return;
    } catch (e) {
      const longWrite = e instanceof ScsiError && e.senseKey === 2 && e.asc === 0x04 && (e.ascq === 0x08 || e.ascq === 0x07);
      if (!longWrite || Date.now() > deadline) throw e;
      await sleep(delay);
      delay = Math.min(delay * 2, 250);
    }
  }
}
