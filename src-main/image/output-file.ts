// The one way Glassmaster writes a file a user named: images (`glassmaster image -o`, the app's
// ImageEngine.writeFile), disc reads (`read -o` ISO or BIN/CUE/CDT), audio images (`audio -o` CUE,
// BIN, TOC, CDT) and project files. Issue 13 found each of them replacing what it should not: a
// device node (an isohybrid build "to a USB stick" replaced /dev/sdX with a file and exited 0), a
// symbolic link, one of the sources, the previous session of a multisession image; a planted
// OUT.partial symlink redirected the write; the image held its own .partial; SIGTERM left it behind.
//
// MUST rules (output-file.test.ts and cli/output-safety.test.ts check each one on the file system):
//  1. planOutput() first, before anything is created: it decides where the bytes go and refuses
//     (UnsafeOutputError, exit 2) what must not be written:
//     - an output that is an input: the same st_dev + st_ino as any input the caller names (sources,
//       the imported image, boot images, the MBR template, the tracks) — also through a hard link;
//       inputs found while scanning are checked by outputGuard() / checkStagedTree();
//     - a directory, a FIFO or a socket (a FIFO is not streamed into: `-o -` and a pipe do that);
//     - a block or character device, unless the caller asked for in-place device writes
//       (`image --to-device`): then it is opened without O_CREAT/O_TRUNC (a block device with O_EXCL,
//       which Linux refuses while it or a partition of it is mounted), never renamed over, and
//       reserve() refuses an image larger than the device before the first byte;
//     - a symbolic link is written THROUGH (as `cp` and a shell redirection do): the link stays and
//       its final target gets the image, after every check above is applied to that target; a link
//       to nothing (or a loop) is refused, so a planted dangling link cannot create a file elsewhere.
//  2. A file output is written as TARGET.<16 random hex>.partial beside its target, created with
//     O_CREAT|O_EXCL ('wx': an existing name, a planted symlink included, is never opened or
//     followed), and renamed onto the target only by commit(), after the target is checked again
//     (still absent or a regular file). abort() closes and removes it, and never throws.
//  3. The partial's identity (st_dev + st_ino) is known once it is open: a scan of a source folder
//     that holds the output skips it (outputGuard), so an image never contains its own .partial.
//  4. Every partial this thread has open is in a process-wide registry until committed or aborted:
//     removeLivePartialsSync() is the last resort of a signal handler (cli/stop-signals.ts) when a
//     second SIGINT/SIGTERM/SIGHUP arrives before the job has cleaned up. A caller that hands the
//     plan to another thread (ImageEngine → image worker) holds its partial with holdPartial() so
//     the name is known here too.
//  5. A regular file already there is the caller's to allow: OutputRequest.existing 'replace'
//     (the default: the app asks first, read checks its --force itself) or 'refuse' (image -o
//     without --force): refused when planned, and at the commit a file that appeared meanwhile is
//     kept (the partial is hard-linked into place only where the name is free, then removed).
//     Apart from that this module decides what may never be replaced.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { IoError, UnsafeOutputError } from '../common/errors';

export interface OutputRequest {
  /** Host paths the job reads: the output may be none of them (compared by device and inode). */
  inputs?: readonly (string | undefined)[];
  /** Block and character devices: refused (default), or written in place. */
  device?: 'refuse' | 'in-place';
  /** What to tell a user who named a device (e.g. "add --to-device to write the image onto it"). */
  deviceHint?: string;
  /** What to tell a user who named a FIFO (e.g. "use -o - and a pipe"). */
  fifoHint?: string;
  /** A regular file already at the target: replaced by the commit (default), or refused (before anything is written, and again at the commit). */
  existing?: 'replace' | 'refuse';
  /** What to tell a user whose output exists, with existing 'refuse' (e.g. "add --force to replace it"). */
  existingHint?: string;
}

interface Identity { dev: number; ino: number }

/** Where an output's bytes go; plain data (it crosses to a worker thread). */
export interface OutputPlan {
  /** The path as the user gave it (messages name it). */
  path: string;
  /** Where the bytes go: `path`, or the final target of a symbolic link at `path`. */
  target: string;
  kind: 'file' | 'device';
  /** kind 'file': the partial's name (created by openOutput, not before). */
  partial?: string;
  /** kind 'file': the regular file the commit will replace, if there is one. */
  replaces?: Identity & { size: number };
  /** kind 'file': a file that appears at the target while the output is written is not replaced (OutputRequest.existing 'refuse'). */
  keepExisting?: boolean;
  /** kind 'device': its node and, for a block device, its size in bytes when known. */
  device?: Identity & { block: boolean; size?: number };
}

const errnoOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * Links `from` at `to` unless something is there (throws EEXIST then); false, with nothing done,
 * where the file system makes no hard links (the caller renames instead).
 */
async function linkIfFree(from: string, to: string): Promise<boolean> {
  try {
    await fs.promises.link(from, to);
    return true;
  } catch (err) {
    if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'].includes(errnoOf(err) ?? '')) return false;
    throw err;
  }
}

function ioError(what: string, path: string, err: unknown): IoError {
  const e = err as NodeJS.ErrnoException;
  return new IoError(`${what} ${path}: ${e.code ?? e.message}`, { errno: e.code, path, syscall: e.syscall, cause: err });
}

async function statOrUndefined(path: string, follow: boolean): Promise<fs.Stats | undefined> {
  try {
    return follow ? await fs.promises.stat(path) : await fs.promises.lstat(path);
  } catch {
    return undefined;
  }
}

/** A unique partial name beside `target` (its name cut so the whole stays within NAME_MAX). */
export function partialNameFor(target: string): string {
  const suffix = `.${randomBytes(8).toString('hex')}.partial`;
  let name = basename(target);
  while (Buffer.byteLength(name) + suffix.length > 255) name = name.slice(0, -1);
  return join(dirname(target), name + suffix);
}

/**
 * Decides where an output goes and refuses what must not be written (rule 1). Creates nothing.
 * Throws UnsafeOutputError (exit 2) for a refusal, IoError when the folder cannot be used.
 */
export async function planOutput(path: string, req: OutputRequest = {}): Promise<OutputPlan> {
  if (path === '') throw new UnsafeOutputError('the output path is empty', { path, reason: 'empty' });
  const asked = resolve(path);
  let target = asked;
  let st = await statOrUndefined(asked, false);
  if (st?.isSymbolicLink()) {
    try {
      target = await fs.promises.realpath(asked);
    } catch (err) {
      const to = await fs.promises.readlink(asked).catch(() => '?');
      throw new UnsafeOutputError(
        `${path} is a symbolic link to ${to}, which ${errnoOf(err) === 'ELOOP' ? 'loops' : 'does not exist'}: give the path the output should have`,
        { path, reason: 'dangling-symlink', linkTarget: to },
      );
    }
    st = await statOrUndefined(target, false);
  }
  const via = target === asked ? '' : ` (the target of the symbolic link ${path})`;
  const plan: OutputPlan = { path, target, kind: 'file', keepExisting: req.existing === 'refuse' || undefined };
  if (st) {
    if (st.isDirectory()) throw new UnsafeOutputError(`${target}${via} is a folder: name a file in it`, { path, target, reason: 'directory' });
    if (st.isFIFO()) {
      throw new UnsafeOutputError(`${target}${via} is a FIFO: nothing is streamed into one${req.fifoHint ? `; ${req.fifoHint}` : ''}`, { path, target, reason: 'fifo' });
    }
    if (st.isSocket()) throw new UnsafeOutputError(`${target}${via} is a socket`, { path, target, reason: 'socket' });
    if (st.isBlockDevice() || st.isCharacterDevice()) {
      const what = st.isBlockDevice() ? 'a block device' : 'a character device';
      if (req.device !== 'in-place') {
        throw new UnsafeOutputError(`${target}${via} is ${what}: it is not replaced by a file${req.deviceHint ? `; ${req.deviceHint}` : ''}`, { path, target, reason: 'device' });
      }
      plan.kind = 'device';
      plan.device = { dev: st.dev, ino: st.ino, block: st.isBlockDevice(), size: st.isBlockDevice() ? await blockDeviceSize(target, st) : undefined };
    } else {
      plan.replaces = { dev: st.dev, ino: st.ino, size: st.size };
    }
  } else {
    const parent = await statOrUndefined(dirname(target), true);
    if (!parent) throw new IoError(`cannot create ${target}: its folder ${dirname(target)} does not exist`, { errno: 'ENOENT', path: target });
    if (!parent.isDirectory()) throw new IoError(`cannot create ${target}: ${dirname(target)} is not a folder`, { errno: 'ENOTDIR', path: target });
  }
  if (st) {
    for (const input of req.inputs ?? []) {
      if (input === undefined) continue;
      for (const follow of [false, true]) {
        const ist = await statOrUndefined(input, follow);
        if (ist && ist.dev === st.dev && ist.ino === st.ino) throw isInputError(plan, input);
      }
    }
    // After the input check: an input named directly as the output is told as such, not as
    // "exists" (a file found inside a source folder is refused as an input by the scan's guard,
    // so with --force too).
    if (plan.replaces && req.existing === 'refuse') {
      throw new UnsafeOutputError(`${target}${via} already exists${req.existingHint ? `: ${req.existingHint}` : ''}`, { path, target, reason: 'exists' });
    }
  }
  if (plan.kind === 'file') plan.partial = partialNameFor(target);
  return plan;
}

function isInputError(plan: OutputPlan, input: string): UnsafeOutputError {
  const same = resolve(input) === plan.target ? '' : ` (${input} is the same file)`;
  return new UnsafeOutputError(`${plan.path} is one of the inputs${same}: writing it would destroy what is being read; choose another output`, {
    path: plan.path, target: plan.target, reason: 'input', input,
  });
}

/** A block device's size: /sys on Linux (exact), else probed with 1-byte reads (a read past the end returns 0). */
async function blockDeviceSize(path: string, st: fs.Stats): Promise<number | undefined> {
  const rdev = BigInt(st.rdev); // glibc's gnu_dev_major/gnu_dev_minor split of dev_t
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn & 0xffffffffn));
  try {
    const sectors = Number((await fs.promises.readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
    if (Number.isSafeInteger(sectors)) return sectors * 512; // always 512-byte units (Linux block/genhd.c)
  } catch {
    // Not Linux, or no sysfs: probe.
  }
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(path, 'r');
    const one = Buffer.alloc(1);
    let lo = 0; // a size known to be reachable
    let hi = 1;
    while ((await fh.read(one, 0, 1, hi - 1)).bytesRead === 1) {
      lo = hi;
      hi *= 2;
      if (hi > 2 ** 53) return undefined;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await fh.read(one, 0, 1, mid - 1)).bytesRead === 1) lo = mid;
      else hi = mid;
    }
    return lo;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

// ---- the partials this thread has open (rule 4) ----------------------------------------------
const livePartials = new Set<string>();

/** Keeps `plan`'s partial in this thread's registry while another thread writes it; returns the release. */
export function holdPartial(plan: OutputPlan): () => void {
  const p = plan.partial;
  if (p === undefined) return () => undefined;
  livePartials.add(p);
  return () => livePartials.delete(p);
}

/** Removes every partial this thread holds (synchronous: for a signal handler about to exit). */
export function removeLivePartialsSync(): void {
  for (const p of livePartials) {
    try {
      fs.rmSync(p, { force: true });
    } catch {
      // Best effort on the way out.
    }
  }
  livePartials.clear();
}

// ---- writing ------------------------------------------------------------------------------------

/** An open output: write with `fd` (positional writes) or `handle`; then commit() or abort(). */
export class OutputFile {
  private done = false;

  private constructor(
    readonly plan: OutputPlan,
    readonly handle: fs.promises.FileHandle,
    /** kind 'file': the partial's identity (scans skip it). */
    readonly partialId: Identity | undefined,
  ) {}

  get fd(): number {
    return this.handle.fd;
  }

  /** Where the bytes are being written now (the partial, or the device). */
  get writingTo(): string {
    return this.plan.partial ?? this.plan.target;
  }

  static async open(plan: OutputPlan): Promise<OutputFile> {
    if (plan.kind === 'device') {
      const dev = plan.device!;
      // No O_CREAT, no O_TRUNC: the node is written in place. O_EXCL on a block device: Linux
      // answers EBUSY while it (or one of its partitions) is mounted or otherwise claimed.
      const flags = fs.constants.O_WRONLY | (dev.block ? fs.constants.O_EXCL : 0);
      let fh: fs.promises.FileHandle;
      try {
        fh = await fs.promises.open(plan.target, flags);
      } catch (err) {
        if (errnoOf(err) === 'EBUSY') {
          throw new UnsafeOutputError(`${plan.target} is in use (mounted, or a partition of it is): unmount it first`, { path: plan.path, target: plan.target, reason: 'device-busy' });
        }
        throw ioError('cannot open', plan.target, err);
      }
      const st = await fh.stat();
      if (st.dev !== dev.dev || st.ino !== dev.ino) {
        await fh.close();
        throw new UnsafeOutputError(`${plan.target} changed while it was being opened`, { path: plan.path, target: plan.target, reason: 'changed' });
      }
      return new OutputFile(plan, fh, undefined);
    }
    const partial = plan.partial!;
    let fh: fs.promises.FileHandle;
    try {
      // 'wx' = O_CREAT|O_EXCL: never an existing file, never through a symbolic link (rule 2).
      fh = await fs.promises.open(partial, 'wx');
    } catch (err) {
      throw ioError('cannot create', partial, err);
    }
    livePartials.add(partial);
    const st = await fh.stat();
    return new OutputFile(plan, fh, { dev: st.dev, ino: st.ino });
  }

  /**
   * The output will be `bytes` long: a device smaller than that is refused before anything is
   * written to it (UnsafeOutputError). Files need no reservation.
   */
  reserve(bytes: number): void {
    const size = this.plan.device?.size;
    if (this.plan.kind === 'device' && size !== undefined && bytes > size) {
      throw new UnsafeOutputError(`${this.plan.target} is too small: it holds ${size} bytes and the output needs ${bytes}`, {
        path: this.plan.path, target: this.plan.target, reason: 'too-small', deviceBytes: size, neededBytes: bytes,
      });
    }
  }

  /** Makes the output final: a device is flushed; a partial is synced if asked, closed and renamed onto the target. */
  async commit(opts: { sync?: boolean } = {}): Promise<void> {
    if (this.done) return;
    const p = this.plan;
    try {
      // A block device is flushed (a USB stick pulled after "done" holds the image); a character
      // device has nothing to flush (fsync on one fails with EINVAL).
      if (p.device?.block || (p.kind === 'file' && opts.sync)) await this.handle.sync();
      await this.handle.close();
    } catch (err) {
      await this.abort();
      throw ioError('cannot write', this.writingTo, err);
    }
    this.done = true;
    if (p.kind === 'device') return;
    // The target again: still absent or a regular file (not a folder, device, link … put there
    // since), and still absent when an existing file is to be kept.
    const now = await statOrUndefined(p.target, false);
    const appeared = () => new UnsafeOutputError(`${p.target} was created while the output was written: it is kept, and nothing was written`, { path: p.path, target: p.target, reason: 'exists' });
    try {
      if (now && !now.isFile()) {
        throw new UnsafeOutputError(`${p.target} changed while the output was written (it is no longer a regular file): nothing was replaced`, { path: p.path, target: p.target, reason: 'changed' });
      }
      if (now && p.keepExisting) throw appeared();
      // Keeping what appears: a hard link is made only where the name is free (EEXIST otherwise,
      // with no window between a check and the rename); where the file system has no hard links
      // (FAT, some network shares), the check just above is the last word. Once linked, the
      // image is in place: a partial that cannot be removed is not a failure of the write.
      if (p.keepExisting && (await linkIfFree(p.partial!, p.target))) await fs.promises.rm(p.partial!, { force: true }).catch(() => undefined);
      else await fs.promises.rename(p.partial!, p.target);
    } catch (err) {
      await fs.promises.rm(p.partial!, { force: true }).catch(() => undefined);
      if (err instanceof UnsafeOutputError) throw err;
      if (errnoOf(err) === 'EEXIST') throw appeared();
      throw ioError('cannot rename onto', p.target, err);
    } finally {
      livePartials.delete(p.partial!);
    }
  }

  /** Closes and removes the partial (a device is only closed); idempotent, never throws. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    if (this.plan.partial !== undefined) {
      await fs.promises.rm(this.plan.partial, { force: true }).catch(() => undefined);
      livePartials.delete(this.plan.partial);
    }
  }
}

export const openOutput = (plan: OutputPlan): Promise<OutputFile> => OutputFile.open(plan);

/**
 * For a scan of the sources (staging-tree's AddHostOptions.guard): skips the output's own partial
 * (rule 3) and refuses a scanned file that is the file the output replaces (rule 1).
 */
export function outputGuard(out: OutputFile): (st: Identity, hostPath: string) => boolean {
  const skip = out.partialId;
  const replaces = out.plan.replaces;
  return (st, hostPath) => {
    if (skip && st.ino === skip.ino && st.dev === skip.dev) return false;
    if (replaces && st.ino === replaces.ino && st.dev === replaces.dev) throw isInputError(out.plan, hostPath);
    return true;
  };
}

/**
 * For a tree staged before (the app's project): refuses when a host file in it is the file the
 * output replaces. Only files of the same size can be that file, so only those are stat'ed.
 */
export async function checkStagedTree(plan: OutputPlan, root: { children?: Map<string, unknown> }): Promise<void> {
  const replaces = plan.replaces;
  if (!replaces) return;
  type Node = { kind?: string; size?: number; source?: { type?: string; hostPath?: string }; children?: Map<string, Node> };
  const stack: Node[] = [root as Node];
  while (stack.length) {
    const n = stack.pop()!;
    for (const c of n.children?.values() ?? []) {
      if (c.kind === 'dir') stack.push(c);
      const host = c.source?.type === 'host' ? c.source.hostPath : undefined;
      if (host === undefined) continue;
      if (resolve(host) === plan.target) throw isInputError(plan, host);
      if (c.size !== replaces.size) continue;
      const st = await statOrUndefined(host, true);
      if (st && st.dev === replaces.dev && st.ino === replaces.ino) throw isInputError(plan, host);
    }
  }
}
