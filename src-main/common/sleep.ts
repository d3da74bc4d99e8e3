import { CancelledError } from './errors';

/**
 * Waits `ms` milliseconds; an aborted `signal` (before or during the wait) rejects with
 * CancelledError at once. The abort listener is removed when the wait ends, so a long-lived signal
 * (a drive job's) does not collect listeners across polls and retries.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
