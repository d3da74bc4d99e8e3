// The manifest's file hashing as a typed worker task (issue #10: not on the calling thread). Runs in
// the image engine's worker (`image-worker.ts` registers it as 'hashFiles';
// `ImageEngine.hashFiles` submits it): SHA-256 of each host file, in order, read in 1 MiB chunks.
// MUST: the result has one lowercase hex digest per path, in the payload's order; a file that
// cannot be read fails the task with an IoError naming it; a cancel stops between chunks.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CancelledError, IoError } from '../../common/errors';

export interface HashFilesPayload {
  paths: string[];
}

export async function hashHostFiles(payload: HashFilesPayload, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (const path of payload.paths) {
    if (signal?.aborted) throw new CancelledError();
    const h = createHash('sha256');
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) h.update(chunk as Buffer);
    } catch (err) {
      if (signal?.aborted) throw new CancelledError();
      const e = err as NodeJS.ErrnoException;
      throw new IoError(`cannot read ${path} for the checksum manifest: ${e.message}`, { errno: e.code, path, syscall: e.syscall, cause: err });
    }
    out.push(h.digest('hex'));
  }
  return out;
}
