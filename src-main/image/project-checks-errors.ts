// The typed error for an image file that cannot be read (missing: NOT_FOUND; else IO).
import { IoError, NotFoundError } from '../common/errors';

export function ioErrorFor(path: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return new NotFoundError(`${path} does not exist`, { path });
  return new IoError(`cannot read ${path}: ${e.code ?? e.message}`, { errno: e.code, path, cause: err });
}
