// The Joliet directory writer (plan step): the same hierarchy as the staged tree, no depth limit
// and no relocation; names cut and de-duplicated by names.ts, ordered by UCS-2 code units
// (Joliet §3.3 with ECMA-119 §9.3). Joliet cannot record links (layout/symlinks.ts decides what
// stands in for them). The layout pass places the directories; layout/records.ts encodes.
import { InvalidInputError } from '../../common/errors';
import { assignJolietNames, compareUcs2, encodeUcs2 } from './names';
import type { StagingNode } from '../staging/staging-tree';
import type { ChildOrder } from '../layout/child-order';
import { linkFreeChildren } from '../layout/symlinks';
import { recordLength } from '../iso9660/directory-record';
import { ancestorsOf, DirSizer, ISO_MAX_EXTENT, mkRec, multiExtentRec, type DataItem, type Dir, type Rec } from '../layout/records';

export function buildJolietTree(root: StagingNode, items: Map<StagingNode, DataItem>, out: Dir[], sortedChildren: ChildOrder): void {
  const mk = (node: StagingNode, parent: Dir | undefined, id: Buffer, depth: number): Dir =>
    ({ node, parent, idBytes: id, depth, number: 0, lba: 0, size: 0, records: [], subdirs: [] });
  const rootDir = mk(root, undefined, Buffer.from([0]), 1);
  const queue: Dir[] = [rootDir];
  for (let qi = 0; qi < queue.length; qi++) {
    const d = queue[qi];
    d.number = qi + 1;
    const { kids, dataOf } = linkFreeChildren(sortedChildren(d.node), ancestorsOf(d));
    const names = assignJolietNames(kids);
    const order = kids.map((_, i) => i).sort((a, b) => compareUcs2(names[a], names[b]));
    const parent = d.parent ?? d;
    // Sized now from the identifiers; the records themselves are made when encoded (Dir.recipe).
    // What each entry points at, in record order: a folder's Dir, or a file's placed data (a link:
    // the data of the file it names; the others were left out).
    const targets: (Dir | DataItem)[] = new Array(order.length);
    const size = new DirSizer();
    size.add(recordLength(1, 0));
    size.add(recordLength(1, 0));
    order.forEach((j, at) => {
      const k = kids[j];
      const idBytes = names[j].length * 2;
      if (k.kind === 'dir') {
        const child = mk(k, d, encodeUcs2(names[j]), d.depth + 1);
        d.subdirs.push(child);
        queue.push(child);
        targets[at] = child;
        size.add(recordLength(idBytes, 0));
      } else {
        const it = items.get(k.kind === 'file' ? k : dataOf!.get(k)!)!;
        targets[at] = it;
        // ECMA-119 §6.5.1: one record per extent of a file over ISO_MAX_EXTENT (multiExtentRec).
        const parts = it.size <= ISO_MAX_EXTENT ? 1 : Math.ceil(it.size / ISO_MAX_EXTENT);
        for (let p = 0; p < parts; p++) size.add(recordLength(idBytes, 0));
      }
    });
    d.size = size.bytes;
    d.recipe = () => {
      const recs: Rec[] = [
        mkRec('\x00', false, true, false, d.node.mtime, { dir: d }, null, []),
        mkRec('\x01', false, true, false, parent.node.mtime, { dir: parent }, null, []),
      ];
      order.forEach((j, at) => {
        const k = kids[j];
        const id = names[j];
        const t = targets[at];
        if (k.kind === 'dir') recs.push(mkRec(id, true, true, k.hidden, k.mtime, { dir: t as Dir }, null, []));
        else if ((t as DataItem).size <= ISO_MAX_EXTENT) recs.push(mkRec(id, true, false, k.hidden, k.mtime, { item: t as DataItem }, null, []));
        else recs.push(multiExtentRec(id, true, k, t as DataItem));
      });
      return recs;
    };
  }
  if (queue.length > 0xffff) throw new InvalidInputError('more than 65535 directories: the Joliet path table cannot number them');
  out.push(...queue);
}
