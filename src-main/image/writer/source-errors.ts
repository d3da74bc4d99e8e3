// The errors of reading a host file into an image, shared by the ordered writer (write-image.ts)
// and the positional copier (copy-task.ts), so the app, the CLI and the burner word a vanished,
// changed or unreadable source the same way whichever path wrote it. `path` is the image path.
import * as fs from 'node:fs';
import { InvalidInputError, IoError } from '../../common/errors';

/** open/read/write failed: ENOENT on open means the file went away after the scan. */
export function sourceIoError(err: unknown, path: string, what: 'open' | 'read'): IoError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return new IoError(`file vanished before it was imaged: ${path}`, { errno: e.code, path, syscall: e.syscall, cause: err });
  return new IoError(`cannot ${what} ${path}: ${e.code ?? e.message}`, { errno: e.code, path, syscall: e.syscall, cause: err });
}

export function sourceChangedError(path: string, plannedSize: number, size: number): InvalidInputError {
  return new InvalidInputError(`file changed while being imaged (size ${plannedSize} → ${size}): ${path}`, { path });
}

export function sourceShrankError(path: string): InvalidInputError {
  return new InvalidInputError(`file shrank while being imaged: ${path}`, { path });
}

export function outputWriteError(err: unknown): IoError {
  const e = err as NodeJS.ErrnoException;
  return new IoError(`cannot write the image: ${e.code ?? e.message}`, { errno: e.code, syscall: e.syscall, cause: err });
}

/** Size and mtime as the scan saw them: the file must still be that file (else it changed under us). */
export function checkUnchanged(fd: number, path: string, size: number, mtimeMs: number): void {
  const st = fs.fstatSync(fd);
  if (!st.isFile() || st.size !== size || st.mtimeMs !== mtimeMs) throw sourceChangedError(path, size, st.size);
}

/** Opens a source and checks it is still the file the scan saw. */
export function openChecked(hostPath: string, path: string, size: number, mtimeMs: number): number {
  let fd: number;
  try {
    // O_NONBLOCK: a staged file replaced by a FIFO must not block the copy thread in open() waiting
    // for a writer; checkUnchanged() then refuses it (not the regular file that was staged).
    fd = fs.openSync(hostPath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw sourceIoError(err, path, 'open');
  }
  try {
    checkUnchanged(fd, path, size, mtimeMs);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return fd;
}
