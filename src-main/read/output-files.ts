// Output files of a read: planned and opened through image/output-file.ts (never a device, FIFO,
// folder or a dangling link; a symbolic link written through; each NAME.<random>.partial created
// with O_EXCL), renamed only when all are complete, so a cancelled or failed read never leaves a
// truncated image under the real name; an existing file is never replaced without `force`.
import { existsSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { InvalidInputError } from '../common/errors';
import { openOutput, planOutput, type OutputFile } from '../image/output-file';

export interface PartialOutput {
  path: string;
  partial: string;
  fh: FileHandle;
}

export class OutputSet {
  private readonly outputs: PartialOutput[] = [];
  private readonly files: OutputFile[] = [];
  private done = false;

  private constructor() {}

  /**
   * Refuses (InvalidInputError) when any target exists and `force` is not set, and
   * (UnsafeOutputError) any output that may never be written; then opens the partials.
   */
  static async create(paths: string[], force: boolean): Promise<OutputSet> {
    if (!force) {
      const there = paths.filter((p) => existsSync(p));
      if (there.length) throw new InvalidInputError(`${there.join(', ')} already exist${there.length === 1 ? 's' : ''} (use --force to overwrite)`, { paths: there });
    }
    const plans = [];
    for (const path of paths) plans.push(await planOutput(path, { fifoHint: 'a read goes to a file', deviceHint: 'a read goes to a file' }));
    const set = new OutputSet();
    try {
      for (const plan of plans) {
        const f = await openOutput(plan);
        set.files.push(f);
        set.outputs.push({ path: plan.path, partial: f.writingTo, fh: f.handle });
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

  /** Syncs, closes and renames every partial to its real name. */
  async commit(): Promise<void> {
    if (this.done) return;
    for (const f of this.files) await f.commit({ sync: true });
    this.done = true;
  }

  /** Closes and deletes every partial (idempotent, never throws). */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const f of this.files) await f.abort();
  }
}
