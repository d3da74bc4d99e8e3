// The on-disc checksum manifest `.glassmaster/SHA256SUMS` that burns of files and projects write by
// default: `sha256sum -c` format (64 hex digits, two spaces, the path relative to the disc root, a
// newline; GNU's escaping for names holding a backslash or a newline: the line starts with '\' and
// the name has '\\' and '\n'), read back by `glassmaster verify --manifest` (verify/verify-disc.ts).
//
// How it is made: in the planning pass, before the image is planned, every file of the staged tree
// is hashed once and the manifest is staged as one more file. A burn thus reads each source file
// twice (hash, then burn); the second read usually comes from the page cache. The alternative — the
// manifest as the image's last file, its size known at plan time and its bytes filled in as the data
// streams past — needs the image writer in the engine's worker to defer one file's sectors, and
// leaves a burn that is cancelled after the data but before the manifest without one; this pass is
// the simple, always-correct form (measured cost: burn/README.md).
// Multisession: files kept from earlier sessions take their line from the old manifest when it has
// one for them (no re-read of their data); otherwise their recorded data is read from the disc.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CancelledError, InternalError } from '../common/errors';
import type { StagingNode, StagingTree } from '../image/staging/staging-tree';
import { walkTree } from '../image/staging/staging-tree';
import { MANIFEST_PATH, parseSha256Sums } from '../verify/verify-disc';

export { MANIFEST_PATH };

/** One line of the manifest for `path` (relative to the disc root), with GNU's escaping where needed. */
export function manifestLine(sha256: string, path: string): string {
  if (!/[\\\n]/.test(path)) return `${sha256}  ${path}\n`;
  return `\\${sha256}  ${path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
}

async function hashHostFile(path: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface ManifestOptions {
  signal?: AbortSignal;
  /** Reads a file recorded in an earlier session (multisession): its data at `lba`, `size` bytes. */
  readPrevious?: (lba: number, size: number) => Promise<Uint8Array>;
  /**
   * Hashes host files elsewhere (the engine's worker: `ImageEngine.hashFiles`, a typed task of the
   * workers pool), one hex digest per path in order; default: on this thread.
   */
  hashHostFiles?: (paths: string[]) => Promise<string[]>;
}

/**
 * Hashes every file of `tree` and stages `.glassmaster/SHA256SUMS` listing them (replacing one the
 * tree already holds, e.g. the previous session's). Symbolic links are not listed (sha256sum would
 * follow them; their targets are listed where they are files of the disc).
 */
/**
 * Makes the tree's own copy of the top `.glassmaster` folder before the manifest goes in: that folder
 * may be a node an image worker holds from a scan (image/staging/scan-cache.ts MUST 1: never
 * modified), shared with every later build of the project.
 */
export function ownManifestFolder(tree: StagingTree): void {
  const top = MANIFEST_PATH.split('/')[0]!;
  const dir = tree.root.children?.get(top);
  if (dir?.kind === 'dir' && dir.children) tree.root.children!.set(top, { ...dir, children: new Map(dir.children) });
}

export async function stageManifest(tree: StagingTree, opts: ManifestOptions = {}): Promise<{ files: number; bytes: number }> {
  ownManifestFolder(tree);
  const old = tree.get(`/${MANIFEST_PATH}`);
  let previousSums = new Map<string, string>();
  if (old?.kind === 'file' && old.source?.type === 'previous' && opts.readPrevious) {
    try {
      previousSums = parseSha256Sums(Buffer.from(await opts.readPrevious(old.source.lba, old.size)).toString('utf8'));
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      // A damaged old manifest: the kept files are hashed from the disc instead.
    }
  }
  if (old) tree.remove(`/${MANIFEST_PATH}`);
  const files: Array<{ path: string; node: StagingNode }> = [];
  walkTree(tree.root, (node, parts) => {
    if (node.kind === 'file') files.push({ path: parts.join('/'), node });
  });
  // The host files' data (nearly all of the work) hashed in one batch, off this thread when given a hasher.
  const hostPaths = files.flatMap(({ node }) => (node.source?.type === 'host' ? [node.source.hostPath] : []));
  const hostSums = opts.hashHostFiles ? await opts.hashHostFiles(hostPaths) : undefined;
  if (hostSums && hostSums.length !== hostPaths.length) throw new InternalError(`the file hasher answered ${hostSums.length} digests for ${hostPaths.length} files`);
  let hostIndex = 0;
  let text = '';
  let bytes = 0;
  for (const { path, node } of files) {
    if (opts.signal?.aborted) throw new CancelledError();
    const src = node.source;
    let sum: string;
    if (src?.type === 'host') sum = hostSums ? hostSums[hostIndex++] : await hashHostFile(src.hostPath, opts.signal);
    else if (src?.type === 'buffer') sum = createHash('sha256').update(src.data).digest('hex');
    else if (src?.type === 'previous') {
      const known = previousSums.get(path);
      if (known) sum = known;
      else if (opts.readPrevious) sum = createHash('sha256').update(await opts.readPrevious(src.lba, node.size)).digest('hex');
      else continue;
    } else sum = createHash('sha256').digest('hex'); // an empty file
    text += manifestLine(sum, path);
    bytes += node.size;
  }
  tree.addBuffer(`/${MANIFEST_PATH}`, Buffer.from(text, 'utf8'));
  return { files: files.length, bytes };
}
