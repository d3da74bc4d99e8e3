// Cross-process locks on the shared state directory. The Electron app, `glassmaster serve` and any
// number of CLI commands share one state directory (virtual recorders, config, stash). Electron
// keeps to one instance (shell/electron/policy.ts claimSingleInstance); between the app and the
// CLI, every read-modify-write of a shared file runs under that file's lock.
//
// Design (chosen over flock, which Node cannot call without a native module, and over one lock for
// the whole directory, which would make a long burn block `virtual list`):
// - One lock per shared file: `<file>.lock`, created with O_CREAT|O_EXCL (atomic on local file
//   systems), holding { pid, host, since } as JSON. Released by unlinking it.
// - Stale locks: a lock whose pid is not alive on this host, or whose content cannot be read and is
//   older than STALE_UNREADABLE_MS (a holder killed between create and write), is removed and the
//   acquisition retried. A lock from another host is never stolen.
// - Waiting: the caller waits up to `timeoutMs` (default 5 s) with a short backoff, then gets a
//   typed IoError (errno EBUSY) naming the holder. Sections under a lock are short (one state
//   change and its write), so waiting is rare and brief.
// - Writes under the lock still go to a temporary file renamed over the target, so a reader that
//   does not lock (a watcher polling for changes) sees the old or the new file, never half of one.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { IoError } from '../common/errors';

export const STALE_UNREADABLE_MS = 10_000;

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export interface StateLockOptions {
  /** How long to wait for another holder (default 5000 ms). */
  timeoutMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && Number.isInteger(h.pid) && h.pid > 0 && typeof h.host === 'string') return { pid: h.pid, host: h.host, since: String(h.since ?? '') };
  } catch {
    // unreadable or half-written: judged by age below
  }
  return undefined;
}

/** True when the lock at lockPath was left by a holder that is gone (and was removed). */
function removeIfStale(lockPath: string): boolean {
  const holder = readHolder(lockPath);
  let stale: boolean;
  if (holder) stale = holder.host === hostname() && holder.pid !== process.pid && !alive(holder.pid);
  else {
    try {
      stale = Date.now() - statSync(lockPath).mtimeMs > STALE_UNREADABLE_MS;
    } catch {
      return true; // gone meanwhile: retry at once
    }
  }
  if (!stale) return false;
  try {
    unlinkSync(lockPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return true;
}

function tryCreate(lockPath: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new IoError(`cannot create the lock ${lockPath}: ${code ?? (e as Error).message}`, { path: lockPath, errno: code, syscall: 'open', cause: e });
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockHolder));
  } finally {
    closeSync(fd);
  }
  return true;
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepBuffer, 0, 0, ms);
}

/**
 * Holds `<file>.lock` while fn runs (synchronously: the recorder's state changes are synchronous)
 * and releases it whatever fn does. Re-entrant within one process is NOT supported: callers lock
 * around a whole read-modify-write, never inside another locked section of the same file.
 */
export function withStateLockSync<T>(file: string, fn: () => T, opts: StateLockOptions = {}): T {
  const lockPath = `${file}.lock`;
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  let wait = 2;
  while (!tryCreate(lockPath)) {
    if (removeIfStale(lockPath)) continue;
    if (Date.now() >= deadline) {
      const h = readHolder(lockPath);
      throw new IoError(`${file} is locked by ${h ? `process ${h.pid} on ${h.host} since ${h.since}` : 'another process'} (${lockPath})`, { path: lockPath, errno: 'EBUSY', syscall: 'open' });
    }
    sleepSync(wait);
    wait = Math.min(wait * 2, 50);
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already removed (a holder judged us stale cannot happen while we live; ignore ENOENT)
    }
  }
}
