// Multisession from the disc itself (IMAPI's multisession import, done from the drive): the last
// session's file systems are read through the image reader over the drive BlockReader, the caller
// changes the staging tree (add, replace, remove), and the next session is planned at the disc's
// next writable address (READ TRACK INFORMATION of the invisible track, MMC-6 §6.26) with
// image/multisession. The increment is a ByteSource (image/byte-source.ts MUST rules): the burner
// writes it at `startLba` and closes the session.
import { CancelledError, InternalError, InvalidMediaError, NotSupportedError } from '../common/errors';
import type { Drive } from '../drive/drive';
import { DATA_SECTOR, type ByteSource } from '../image/byte-source';
import { SequentialSource } from '../image/byte-source/sequential-source';
import { importPreviousSession, planMultisession, type ImportResult, type MultisessionSpec } from '../image/multisession/multisession';
import type { ImagePlan } from '../image/layout/plan-image';
import type { StagingTree } from '../image/staging/staging-tree';
import { readDiscLayout, type DiscLayout } from './disc-layout';
import { driveBlockReader } from './drive-block-reader';

export interface DiscImport extends ImportResult {
  layout: DiscLayout;
  /** Where the next session starts: the drive's next writable address. */
  startLba: number;
  /** First sector of the session that was imported. */
  sessionStart: number;
}

/**
 * Loads the disc's last session into `tree`. Refuses discs that take no further session: blank
 * (nothing to continue: burn a first session), closed, or random-writable (those grow the file
 * system in place instead of appending a session).
 */
export async function importDiscSession(drive: Drive, tree: StagingTree, opts: { signal?: AbortSignal; retries?: number } = {}): Promise<DiscImport> {
  const layout = await readDiscLayout(drive, opts.signal);
  if (layout.random) throw new NotSupportedError('this disc is rewritable in place (DVD+RW, DVD-RAM, BD-RE, formatted DVD-RW): it grows its file system instead of taking a new session', { profile: layout.profile });
  if (layout.status === 'blank' || layout.sessions.length === 0) throw new InvalidMediaError('the disc is blank: there is no session to continue (burn a first session instead)');
  if (layout.status !== 'appendable' || layout.nextWritableAddress === undefined) throw new InvalidMediaError('the disc is closed: no further session can be written to it', { status: layout.status });
  const last = layout.sessions[layout.sessions.length - 1];
  const reader = driveBlockReader(drive, { sectorCount: layout.end, retries: opts.retries, signal: opts.signal });
  const imported = await importPreviousSession(tree, reader, { sessionStart: last.start });
  if (layout.nextWritableAddress <= imported.lastSessionEnd) {
    throw new InvalidMediaError(`the drive's next writable address ${layout.nextWritableAddress} lies inside the last session's file system (it ends at ${imported.lastSessionEnd})`);
  }
  return { ...imported, layout, startLba: layout.nextWritableAddress, sessionStart: last.start };
}

export type IncrementSpec = Omit<MultisessionSpec, 'startLba' | 'previousEnd' | 'root'>;

/**
 * Plans the next session for the tree `importDiscSession` filled (plus the caller's changes) and
 * returns it as a ByteSource of its sectors (startLba … end of the new volume space).
 */
export async function planDiscIncrement(tree: StagingTree, imported: DiscImport, spec: IncrementSpec): Promise<{ plan: ImagePlan; source: ByteSource; startLba: number }> {
  const { plan, stream } = await planMultisession({
    ...spec,
    root: tree.root,
    startLba: imported.startLba,
    previousEnd: imported.lastSessionEnd,
    previousUdfRevision: spec.previousUdfRevision ?? imported.udfRevision,
  });
  const totalSectors = plan.totalSectors - imported.startLba;
  if (totalSectors <= 0) throw new InternalError(`multisession plan ends at ${plan.totalSectors}, before its start ${imported.startLba}`);
  const source = new StreamByteSource(`next session at sector ${imported.startLba} (${totalSectors} sectors)`, totalSectors, (signal) => stream({ signal, reuseBuffer: false }));
  return { plan, source, startLba: imported.startLba };
}

/**
 * A ByteSource over an async iterable of image bytes (the image writer's stream): re-cut into whole
 * sectors of at most maxSectors (and at most 4 MiB), pulled on demand (the writer runs only as far as reads go).
 */
export class StreamByteSource extends SequentialSource {
  private it: AsyncIterator<Buffer> | undefined;
  private readonly abort = new AbortController();
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    readonly description: string,
    totalSectors: number,
    private readonly open: (signal: AbortSignal) => AsyncIterable<Buffer>,
  ) {
    super(DATA_SECTOR, totalSectors);
  }

  protected async produce(first: number, want: number, signal?: AbortSignal): Promise<Uint8Array> {
    this.it ??= this.open(this.abort.signal)[Symbol.asyncIterator]();
    // At least one whole sector, at most `want`.
    while (this.pendingBytes < DATA_SECTOR) {
      const r = await this.it.next();
      if (this.isCancelled() || signal?.aborted) throw new CancelledError();
      if (r.done) throw new InternalError(`the session image ended after ${first * DATA_SECTOR + this.pendingBytes} bytes, short of ${this.totalSectors} sectors`);
      if (r.value.length) {
        this.pending.push(r.value);
        this.pendingBytes += r.value.length;
      }
    }
    const n = Math.min(want, Math.floor(this.pendingBytes / DATA_SECTOR));
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const chunk = all.subarray(0, n * DATA_SECTOR);
    const rest = all.subarray(n * DATA_SECTOR);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    if (first + n === this.totalSectors && this.pendingBytes > 0) throw new InternalError(`the session image is ${this.pendingBytes} bytes longer than its ${this.totalSectors} sectors`);
    return chunk;
  }

  protected async release(): Promise<void> {
    this.abort.abort();
    const it = this.it;
    this.it = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    await it?.return?.().catch(() => undefined);
  }
}
