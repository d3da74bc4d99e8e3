// The manifest's file hashing as a typed worker task (issue #10: not on the calling thread). Runs in
// the image engine's worker (`image-worker.ts` registers it as 'hashFiles';
// `ImageEngine.hashFiles` submits it, and the worker's own project burns call it directly):
// SHA-256 of each host file, in order.
// MUST: the result has one lowercase hex digest per path, in the payload's order; a file that
// cannot be read fails the task with an IoError naming it; a cancel stops between chunks.
//
// Plain blocking reads into one reused 1 MiB buffer: this is a worker thread, so blocking is its job.
// A read stream per file (what this was) cost four thread-pool round trips per file: 50,000 small
// files hashed in ~14 s, the first write of a project burn waiting on them. The loop yields to the
// event loop every 20 ms, so a cancel (a message from the calling thread) is seen promptly.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { CancelledError, IoError } from '../../common/errors';

export interface HashFilesPayload {
  paths: string[];
}

const CHUNK = 1 << 20;

export async function hashHostFiles(payload: HashFilesPayload, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  const buf = Buffer.allocUnsafeSlow(CHUNK);
  let turn = performance.now();
  /** Gives the event loop a turn every 20 ms (a cancel arrives as a message), then checks the cancel. */
  const turnIfDue = async () => {
    if (performance.now() - turn > 20) {
      await new Promise<void>((r) => setImmediate(r));
      turn = performance.now();
    }
    if (signal?.aborted) throw new CancelledError();
  };
  for (const path of payload.paths) {
    await turnIfDue();
    const h = createHash('sha256');
    let fd: number | undefined;
    try {
      // Non-blocking open: a FIFO put where a staged file was would otherwise block the thread for good.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      if (!fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL', syscall: 'open' });
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        h.update(n === CHUNK ? buf : buf.subarray(0, n));
        // A large file: the cancel is checked between its chunks too.
        if (n === CHUNK) await turnIfDue();
      }
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      const e = err as NodeJS.ErrnoException;
      throw new IoError(`cannot read ${path} for the checksum manifest: ${e.message}`, { errno: e.code, path, syscall: e.syscall, cause: err });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    out.push(h.digest('hex'));
  }
  return out;
}
