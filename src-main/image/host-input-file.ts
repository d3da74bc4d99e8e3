// Opening a host file the user named as an input to read (an image to list, inspect, import or
// burn; an MBR template). A plain open() of a FIFO waits for a writer forever, and a character
// device such as /dev/zero never ends: open without blocking, look at what it is, refuse what is
// not a regular file (or, where allowed, a block device) before reading a byte.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { InvalidInputError, IoError } from '../common/errors';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

function kindOf(st: Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a directory' : st.isBlockDevice() ? 'a block device' : 'not a regular file';
}

function openError(what: string, hostPath: string, err: unknown): IoError {
  const e = err as NodeJS.ErrnoException;
  return new IoError(`cannot open ${what} ${hostPath}: ${e.message}`, { errno: e.code, path: hostPath, syscall: e.syscall, cause: err });
}

/**
 * Opens `hostPath` for reading without blocking and returns it with its size in bytes. MUST refuse
 * (InvalidInputError, before any read) anything but a regular file, or a block device when
 * `blockDevices` is set (its size then comes from the kernel, /sys/dev/block/MAJ:MIN/size).
 */
export async function openInputFile(hostPath: string, what: string, opts: { blockDevices?: boolean } = {}): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(hostPath, OPEN_FLAGS);
  } catch (err) {
    throw openError(what, hostPath, err);
  }
  try {
    const st = await fh.stat();
    if (st.isFile()) return { fh, size: st.size };
    if (opts.blockDevices && st.isBlockDevice()) return { fh, size: await blockDeviceBytes(hostPath, st) };
    throw new InvalidInputError(`${what} ${hostPath} is not a regular file${opts.blockDevices ? ' or block device' : ''} (it is ${kindOf(st)})`, { path: hostPath });
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Linux: dev_t → /sys/dev/block/MAJ:MIN/size (512-byte units, whatever the logical block size). */
async function blockDeviceBytes(hostPath: string, st: Stats): Promise<number> {
  const rdev = BigInt(st.rdev);
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  try {
    const text = await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8');
    return Number(text.trim()) * 512;
  } catch (err) {
    throw new InvalidInputError(`cannot tell the size of block device ${hostPath}`, { path: hostPath, cause: (err as Error).message });
  }
}

/**
 * Reads a small regular file whole, refusing anything else or a size outside [min, max] before
 * reading (synchronous: the image spec is built synchronously; at most `max` bytes are read).
 */
export function readSmallInputFile(hostPath: string, what: string, size: { min: number; max: number; expected: string }): Buffer {
  let fd: number;
  try {
    fd = openSync(hostPath, OPEN_FLAGS);
  } catch (err) {
    throw openError(what, hostPath, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InvalidInputError(`${what} ${hostPath} is not a regular file (it is ${kindOf(st)})`, { path: hostPath });
    if (st.size < size.min || st.size > size.max) throw new InvalidInputError(`${what} ${hostPath} is ${st.size} bytes: expected ${size.expected}`, { path: hostPath, size: st.size });
    const buf = Buffer.alloc(st.size);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
