// Output files of a read: written as NAME.partial and renamed only when complete, so a cancelled or
// failed read never leaves a truncated image under the real name; an existing file is never
// replaced without `force`.
import { existsSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { InvalidInputError, IoError } from '../common/errors';

export interface PartialOutput {
  path: string;
  partial: string;
  fh: FileHandle;
}

export class OutputSet {
  private readonly outputs: PartialOutput[] = [];
  private done = false;

  private constructor() {}

  /** Refuses (InvalidInputError) when any target exists and `force` is not set; then opens the .partial files. */
  static async create(paths: string[], force: boolean): Promise<OutputSet> {
    if (!force) {
      const there = paths.filter((p) => existsSync(p));
      if (there.length) throw new InvalidInputError(`${there.join(', ')} already exist${there.length === 1 ? 's' : ''} (use --force to overwrite)`, { paths: there });
    }
    const set = new OutputSet();
    try {
      for (const path of paths) {
        const partial = `${path}.partial`;
        let fh: FileHandle;
        try {
          fh = await open(partial, 'w');
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          throw new IoError(`cannot create ${partial}: ${e.message}`, { path: partial, errno: e.code, syscall: e.syscall, cause: err });
        }
        set.outputs.push({ path, partial, fh });
      }
    } catch (e) {
      await set.abort();
      throw e;
    }
    return set;
  }

  get(i: number): PartialOutput {
    return this.outputs[i];
  }

  /** Closes and renames every .partial to its real name. */
  async commit(): Promise<void> {
    if (this.done) return;
    for (const o of this.outputs) {
      await o.fh.sync();
      await o.fh.close();
    }
    for (const o of this.outputs) await rename(o.partial, o.path);
    this.done = true;
  }

  /** Closes and deletes every .partial (idempotent, never throws). */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const o of this.outputs) {
      await o.fh.close().catch(() => undefined);
      await rm(o.partial, { force: true }).catch(() => undefined);
    }
  }
}
