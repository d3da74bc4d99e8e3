// The reader entry points the product exposes to untrusted images, called the way the product
// calls them: `image --list` (openImage, formatListing, every facet's tree as --json prints it),
// `image --inspect` (inspectBoot, formatBootReport), `--import` (importPreviousSession, then
// planMultisession of the merged tree as image-output.ts does; no bytes written), and the
// disc-read path (listSessions, openImage at the last session, lookup, readFile, affectedFiles:
// read/disc-service.ts, verify/verify-disc.ts, read/read-disc.ts). The image is a BlockReader
// over the case bytes: the same reader the file and drive readers feed.
import { GlassmasterError, InternalError } from '../../common/errors';
import { bufferBlockReader, formatBootReport, formatListing, inspectBoot, listSessions, openImage, type BlockReader, type TreeFacet, type TreeNode } from '../reader';
import { importPreviousSession, planMultisession } from '../multisession/multisession';
import { StagingTree } from '../staging/staging-tree';
import { affectedFiles, preferredFacet } from '../../read/owners';

export type TargetName = 'list' | 'inspect' | 'import' | 'disc-read';
export const TARGETS: TargetName[] = ['list', 'inspect', 'import', 'disc-read'];

/** A typed product error (the contract for bad input) is expected; anything else is a crash. */
export function isExpectedError(err: unknown): boolean {
  return err instanceof GlassmasterError && !(err instanceof InternalError);
}

export interface TargetResult {
  target: TargetName;
  /** 'ok', 'typed' (an expected GlassmasterError) or 'crash' (anything else). */
  outcome: 'ok' | 'typed' | 'crash';
  error?: { name: string; code?: string; message: string; stack?: string };
}

const FACETS: TreeFacet[] = ['rockridge', 'udf', 'joliet', 'iso9660'];
/** Bytes of file content read per case on the disc path (a hostile size must not make a case slow by design). */
const READ_BUDGET = 4 * 1024 * 1024;
const NOW = new Date(Date.UTC(2025, 0, 1));

async function list(reader: BlockReader): Promise<void> {
  const info = await openImage(reader);
  await formatListing(info, { tree: true });
  const trees: Partial<Record<TreeFacet, unknown>> = {};
  for (const f of FACETS) if ((info.facets as string[]).includes(f)) trees[f] = await info.tree(f);
  JSON.stringify({ ...info.toJSON(), trees });
}

async function inspect(reader: BlockReader): Promise<void> {
  const report = await inspectBoot(reader);
  formatBootReport(report);
  JSON.stringify(report);
}

async function importSession(reader: BlockReader): Promise<void> {
  const tree = new StagingTree({ now: NOW });
  const prev = await importPreviousSession(tree, reader);
  tree.addBuffer('fuzz-added.txt', Buffer.from('new session'));
  await planMultisession({
    root: tree.root, iso9660: true, joliet: true, rockRidge: true, recordingTime: NOW,
    startLba: Math.max(prev.nextWritableAddress, prev.lastSessionEnd + 1), previousEnd: prev.lastSessionEnd, previousUdfRevision: prev.udfRevision,
  });
}

async function discRead(reader: BlockReader, udfDetails: boolean): Promise<void> {
  const layout = await listSessions(reader);
  const last = layout.sessions[layout.sessions.length - 1];
  const info = await openImage(reader, { sessionStart: layout.sessions.length > 1 ? last.start : undefined, udfDetails });
  const facet = preferredFacet(info);
  if (!facet) return;
  await info.lookup(facet, '/');
  const root = await info.tree(facet);
  // verify-disc hashes files; read-disc maps bad sectors to owners.
  const files: string[] = [];
  const walk = (n: TreeNode, p: string) => {
    for (const c of n.children ?? []) {
      if (files.length >= 6) return;
      if (c.kind === 'file') files.push(`${p}/${c.name}`);
      else if (c.kind === 'dir') walk(c, `${p}/${c.name}`);
    }
  };
  walk(root, '');
  let budget = READ_BUDGET;
  for (const path of files) {
    for await (const chunk of info.readFile(facet, path)) {
      budget -= chunk.length;
      if (budget <= 0) break;
    }
    if (budget <= 0) break;
  }
  await affectedFiles(info, [0, 16, 17, 18, 20, 256, 257, 300, reader.sectorCount - 1]);
  await info.close();
}

/** The fuzz worker's memory sampler, called at every sector read and after every target. */
export const memoryProbe: { sample: () => void } = { sample: () => {} };

/** The case bytes as a BlockReader whose every read takes a memory sample. */
function probedReader(bytes: Buffer): BlockReader {
  const inner = bufferBlockReader(bytes);
  return {
    sectorCount: inner.sectorCount,
    read(lba, count) {
      memoryProbe.sample();
      return inner.read(lba, count);
    },
  };
}

/** Runs every target on the image; a crash in one does not stop the others. */
export async function exerciseImage(bytes: Buffer, opts: { udfDetails?: boolean } = {}): Promise<TargetResult[]> {
  const results: TargetResult[] = [];
  const run = async (target: TargetName, fn: (r: BlockReader) => Promise<void>) => {
    try {
      await fn(probedReader(bytes));
      memoryProbe.sample();
      results.push({ target, outcome: 'ok' });
    } catch (err) {
      const e = err as Error & { code?: string };
      const error = { name: e?.constructor?.name ?? typeof err, code: typeof e?.code === 'string' ? e.code : undefined, message: String(e?.message ?? err), stack: e?.stack };
      memoryProbe.sample();
      results.push({ target, outcome: isExpectedError(err) ? 'typed' : 'crash', error });
    }
  };
  await run('list', list);
  await run('inspect', inspect);
  await run('import', importSession);
  await run('disc-read', (r) => discRead(r, opts.udfDetails ?? false));
  return results;
}
