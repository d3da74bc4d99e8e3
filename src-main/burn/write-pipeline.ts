// The write pipeline: source → ring buffer → WRITE(10) at the plan's addresses. The producer pulls
// the byte source into a bounded ring buffer (default 32 MiB) while the writer sends writes of the
// plan's size; READ BUFFER CAPACITY is polled to see the drive's buffer (reported, and a write is
// held back briefly while the drive has no room for it); "long write in progress" (02/04/08,
// MMC-6 §4.1.6) is waited out and the write resent.
// With `hash`, the bytes written (pad sectors excluded) are hashed as they go (SHA-256, in a worker
// thread for large burns: verify/sha256-stream.ts), so the full read-back only has to read and hash
// the disc side (verify-written.ts) instead of opening and hashing the source a second time.
import { CancelledError, InternalError, ScsiError, throwIfAborted } from '../common/errors';
import type { ByteSource } from '../image/byte-source';
import { buildWrite10 } from '../mmc/commands/write';
import type { Drive } from '../drive/drive';
import { sha256Stream } from '../verify/sha256-stream';
import { RingBuffer } from './ring-buffer';
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
  const ring = new RingBuffer(o.bufferBytes ?? DEFAULT_RING_BYTES);
  const block = o.blockBytes ?? 2048;
  // Pull in large chunks (up to 4 MiB, an eighth of the ring): fewer hops between the source's I/O
  // and this loop, so a busy machine's scheduling delays cost less. Whole writes per chunk, so
  // take() hands out views of the chunk rather than copies.
  const pullBytes = Math.min(4 * 1024 * 1024, Math.floor(ring.capacity / 8));
  const writeBytesPlanned = plan.writeSectors * block;
  const pullSectors = Math.max(1, Math.floor(pullBytes / writeBytesPlanned)) * plan.writeSectors;
  const hasher = o.hash ? sha256Stream({ expectedBytes: plan.sectors * block }) : undefined;
  const producer = (async () => {
    try {
      for (;;) {
        const chunk = await source.read(pullSectors, signal);
        if (!chunk) break;
        await ring.push(chunk, signal);
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
      let data = await ring.take(writeBytes, signal);
      if (!data) break;
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
      // After the WRITE: the hasher copies (worker) or reads (inline) the bytes; it never delays a write it could overlap.
      if (hasher) await hasher.update(data.subarray(0, real * block));
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
  o.onStats?.(final);
  return final;
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
