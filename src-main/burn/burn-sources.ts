// Where the bytes of a burn come from, for the shells: an image file named by the user (checked in
// main: an absolute path to a readable regular file, never a device or a directory) or the open
// project, streamed by the image engine through a factory the composition root provides.
import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { InvalidInputError, NotSupportedError } from '../common/errors';
import { openImageFileSource } from '../image/byte-source/file-source';
import { isDescriptorSector } from './grow-in-place';
import type { ByteSourceFactory } from './burn-service';

export async function imageFileSourceFactory(path: string): Promise<ByteSourceFactory> {
  if (!isAbsolute(path)) throw new InvalidInputError(`The image path must be absolute: ${path}`, { path });
  let st;
  try {
    st = await stat(path);
    await access(path, constants.R_OK);
  } catch (e) {
    throw new InvalidInputError(`Cannot read the image ${path}: ${(e as Error).message}`, { path });
  }
  if (!st.isFile()) throw new InvalidInputError(`The image ${path} is not a regular file.`, { path });
  if (st.size === 0 || st.size % 2048 !== 0) throw new InvalidInputError(`The image ${path} is not whole 2048-byte sectors (${st.size} bytes).`, { path, size: st.size });
  return () => openImageFileSource(path);
}

/** The project's source, when the shell wired the image engine's ImageEngine.source(spec); else a clear refusal. */
export function projectSourceFactory(factory: (() => ByteSourceFactory | Promise<ByteSourceFactory>) | undefined): Promise<ByteSourceFactory> {
  if (!factory) return Promise.reject(new NotSupportedError('Burning the project directly is not available in this build yet: write the project to an image and burn the image file.'));
  return Promise.resolve(factory());
}

/**
 * Whether a host file is a data disc image: a volume descriptor where a disc has its first one,
 * sector 16 (ECMA-119 §8 "CD001", or ECMA-167 2/9.2 "BEA01" opening a UDF-only volume; the check
 * grow-in-place.ts applies to a disc). A file that
 * cannot be read is not one (the burn then reports it the usual way).
 */
export async function isDiscImageFile(path: string): Promise<boolean> {
  let f;
  try {
    // stat first: opening a FIFO for reading would wait for a writer.
    if (!(await stat(path)).isFile()) return false;
    f = await open(path, 'r');
    const head = Buffer.alloc(6);
    const { bytesRead } = await f.read(head, 0, 6, 16 * 2048);
    return bytesRead === 6 && isDescriptorSector(head);
  } catch {
    return false;
  } finally {
    await f?.close();
  }
}
