// A BlockReader across threads: the disc in a drive is read on the thread that owns the drive (the
// app's main thread: transports live there), while the image worker parses what it reads. The
// worker's side sends {id, lba, count} over a MessagePort; the owner's side answers with the
// sectors (transferred, not copied) or the reader's typed error. One port per job: closing it ends
// the service, and a read pending then fails with CancelledError.
import type { MessagePort } from 'node:worker_threads';
import { CancelledError, GlassmasterError, type GlassmasterErrorJSON } from '../../common/errors';
import type { BlockReader } from '../reader/block-reader';

type Request = { id: number; lba: number; count: number };
type Reply = { id: number; data: Uint8Array } | { id: number; error: GlassmasterErrorJSON };

/** The owner's side: answers the worker's reads from `reader` until the port closes (or `signal` aborts). */
export function serveBlockReader(reader: BlockReader, port: MessagePort, signal?: AbortSignal): void {
  const stop = () => port.close();
  signal?.addEventListener('abort', stop, { once: true });
  port.on('close', () => signal?.removeEventListener('abort', stop));
  port.on('message', (req: Request) => {
    void reader.read(req.lba, req.count).then(
      (b) => {
        const data = new Uint8Array(b.byteLength);
        data.set(b);
        port.postMessage({ id: req.id, data } satisfies Reply, [data.buffer]);
      },
      (e: unknown) => port.postMessage({ id: req.id, error: GlassmasterError.from(e).toJSON() } satisfies Reply),
    );
  });
}

/** The worker's side: a BlockReader of `sectorCount` sectors whose reads go through `port`. */
export function portBlockReader(port: MessagePort, sectorCount: number): BlockReader & { close(): void } {
  let next = 1;
  const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: unknown) => void }>();
  port.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if ('error' in r) p.reject(r.error.code === 'CANCELLED' ? new CancelledError() : GlassmasterError.fromJSON(r.error));
    else p.resolve(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength));
  });
  port.on('close', () => {
    for (const p of pending.values()) p.reject(new CancelledError());
    pending.clear();
  });
  return {
    sectorCount,
    read(lba, count) {
      const id = next++;
      return new Promise<Buffer>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        port.postMessage({ id, lba, count } satisfies Request);
      });
    },
    close: () => port.close(),
  };
}
