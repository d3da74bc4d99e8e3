// Multisession (ECMA-119 §6.2 volume space; the "next session" convention of mkisofs -C/-M):
// the previous session's tree is imported with the image reader, its files keep their recorded
// extents, new and replaced files are written once in the new session, and a complete new
// descriptor set and directory tree is placed at startLba + 16. The output holds only the new
// session (sectors startLba …); burn it at startLba or append it to the previous image file.
import { InvalidInputError, NotSupportedError } from '../../common/errors';
import { openImage, type TreeNode } from '../reader';
import { makeNode, type StagingNode, type StagingTree } from '../staging/staging-tree';
import { planImage, type ImagePlan, type ImageSpec } from '../layout/plan-image';
import { writeImage, type WriteOptions } from '../writer/write-image';

export interface ImportResult {
  /** The facet the names came from (Rock Ridge when present, else Joliet, else ISO 9660). */
  facet: 'rockridge' | 'joliet' | 'iso9660';
  /** First sector a new session may use (end of the previous volume space). */
  nextWritableAddress: number;
  lastSessionEnd: number;
}

/** Loads the previous session's tree into `tree` (files referencing their recorded extents). */
export async function importPreviousSession(tree: StagingTree, imagePath: string): Promise<ImportResult> {
  const info = await openImage(imagePath);
  try {
    const facet = info.facets.includes('rockridge') ? 'rockridge' : info.facets.includes('joliet') ? 'joliet' : info.facets.includes('iso9660') ? 'iso9660' : undefined;
    if (!facet) throw new NotSupportedError(`no ISO 9660 tree to continue in ${imagePath} (UDF-only images cannot take another session here)`);
    const root = await info.tree(facet);
    const conv = (n: TreeNode, p: string): StagingNode => {
      const mtime = n.mtime ? new Date(n.mtime) : new Date(0);
      const node = makeNode(n.name, n.kind, { mtime, mode: n.mode, uid: n.uid, gid: n.gid, size: n.kind === 'file' ? n.size : 0 });
      if (n.kind === 'file') {
        if (n.size > 0) {
          const ext = n.extents;
          for (let i = 1; i < ext.length; i++) {
            if (ext[i].lba !== ext[i - 1].lba + ext[i - 1].length / 2048) {
              throw new NotSupportedError(`file with non-contiguous extents cannot be carried over: ${p}`, { path: p });
            }
          }
          node.source = { type: 'previous', lba: ext[0].lba };
        } else {
          node.source = { type: 'buffer', data: new Uint8Array(0) };
        }
      }
      if (n.kind === 'symlink') node.symlinkTarget = n.symlinkTarget ?? '';
      if (n.children) for (const c of n.children) node.children!.set(c.name, conv(c, `${p === '/' ? '' : p}/${c.name}`));
      return node;
    };
    const imported = conv(root, '/');
    for (const [k, v] of imported.children!) tree.root.children!.set(k, v);
    return { facet, nextWritableAddress: info.session.nextWritableAddress, lastSessionEnd: info.session.lastSessionEnd };
  } finally {
    await info.close();
  }
}

export interface MultisessionSpec extends ImageSpec {
  startLba: number;
  /** From importPreviousSession: the new session must not overlap the previous one. */
  previousEnd: number;
}

/** Plans the new session; stream() yields its sectors (startLba … end). */
export async function planMultisession(spec: MultisessionSpec): Promise<{ plan: ImagePlan; stream(opts: WriteOptions): AsyncIterable<Buffer> }> {
  if (spec.startLba <= spec.previousEnd) {
    throw new InvalidInputError(`--start-lba ${spec.startLba} overlaps the previous session, which ends at sector ${spec.previousEnd}`);
  }
  if (spec.udf) throw new NotSupportedError('UDF cannot be appended as a new session; use iso9660, joliet and rockridge');
  const plan = await planImage({ ...spec, udf: false });
  return { plan, stream: (opts) => writeImage(plan, opts) };
}
