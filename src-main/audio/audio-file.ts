// An audio source file opened for positional reads (the decoder and the FLAC splitter read it so).
import { open, type FileHandle } from 'node:fs/promises';
import { IoError } from '../common/errors';

export interface AudioFile {
  fh: FileHandle;
  size: number;
  /** Up to `length` bytes at `offset`, in a new array (fewer at the end of the file). */
  readAt(offset: number, length: number): Promise<Uint8Array>;
  /** Reads up to `length` bytes at `position` into `b` at `offset`; returns the count. */
  readInto(b: Uint8Array, offset: number, length: number, position: number): Promise<number>;
}

/** Opens `path` for reading; an IoError naming it when it cannot be opened. The caller closes `fh`. */
export async function openAudioFile(path: string): Promise<AudioFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new IoError(`cannot open ${path}: ${e.message}`, { errno: e.code, path, syscall: e.syscall, cause: err });
  }
  let size: number;
  try {
    size = (await fh.stat()).size;
  } catch (err) {
    await fh.close();
    throw ioError(path, 'stat', err);
  }
  // A read can fail after the open (EIO from a failing disk or a dropped network share, EISDIR):
  // Node's error names neither the file nor our type, so it becomes an IoError naming `path`.
  const read = async (b: Uint8Array, offset: number, length: number, position: number) => {
    try {
      return (await fh.read(b, offset, length, position)).bytesRead;
    } catch (err) {
      throw ioError(path, `read ${length} bytes at byte ${position} of`, err);
    }
  };
  return {
    fh,
    size,
    readAt: async (offset, length) => {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      if (buf.length === 0) return buf;
      return buf.subarray(0, await read(buf, 0, buf.length, offset));
    },
    readInto: async (b, offset, length, position) => (length > 0 ? read(b, offset, length, position) : 0),
  };
}

function ioError(path: string, what: string, err: unknown): IoError {
  const e = err as NodeJS.ErrnoException;
  return new IoError(`cannot ${what} ${path}: ${e.message}`, { errno: e.code, path, syscall: e.syscall, cause: err });
}
