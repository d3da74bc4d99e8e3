// The ISO 9660 directory writer with its Rock Ridge records (plan step): names per level
// (names.ts), ECMA-119 §9.3 order, relocation past 8 levels (RRIP §4.1.5, into the root marked
// RE), and each record's System Use entries (rockridge/susp.ts) split between the record and
// continuation areas. The layout pass places the directories and areas; layout/records.ts encodes.
import { InvalidInputError } from '../../common/errors';
import { assignIsoNames, compareIsoIds, type IsoLevel } from './names';
import {
  clEntry, erEntry, nmEntries, planSystemUse, plEntry, PosixEntry, pxEntry, reEntry, slEntries, spEntry, tfEntry,
  type SuspEntry, type SystemUsePlan,
} from '../rockridge/susp';
import type { StagingNode } from '../staging/staging-tree';
import type { ChildOrder } from '../layout/child-order';
import { linkFreeChildren } from '../layout/symlinks';
import {
  ancestorsOf, DirSizer, ISO_MAX_EXTENT, MAX_ISO_DEPTH, mkRec, multiExtentRec, rec, suCapacity,
  type DataItem, type Dir, type Part, type Rec,
} from '../layout/records';
import { recordLength } from './directory-record';

export function buildIsoTree(
  root: StagingNode, level: IsoLevel, rr: boolean, items: Map<StagingNode, DataItem>, out: Dir[],
  ceAreas: SystemUsePlan['areas'], sortedChildren: ChildOrder,
): void {
  const mk = (node: StagingNode, parent: Dir | undefined, id: Buffer, depth: number): Dir =>
    ({ node, parent, idBytes: id, depth, number: 0, lba: 0, size: 0, records: [], subdirs: [] });
  const rootDir = mk(root, undefined, Buffer.from([0]), 1);
  // Relocation (RRIP §4.1.5): a directory that would sit at level 9 moves into the root (as
  // libisofs does with an empty relocation directory name), its record there marked RE so Rock
  // Ridge readers hide it; its place holds a file record with CL, and its ".." carries PL pointing
  // back at the logical parent. Rock Ridge readers so see the staged tree and nothing else (no
  // ".rr_moved"); plain ISO 9660 readers see the moved directories in the root.
  const relocations: { dir: Dir; logicalParent: Dir }[] = [];
  // A directory's entries to record, as arrays side by side (no object per file).
  type PendingKind = 'dir' | 'file' | 'placeholder' | 'relocated';
  type Pending = { nodes: StagingNode[]; ids: string[]; kinds: PendingKind[]; dirs: (Dir | undefined)[] };
  const pendingRecs = new Map<Dir, Pending>();
  const pend = (p: Pending, node: StagingNode, id: string, kind: PendingKind, dir?: Dir) => {
    p.nodes.push(node);
    p.ids.push(id);
    p.kinds.push(kind);
    p.dirs.push(dir);
  };
  // Without Rock Ridge the ISO 9660 records cannot be links: as in Joliet (layout/symlinks.ts).
  const linkTargets = new Map<StagingNode, StagingNode>();
  const expand = (d: Dir): void => {
    let kids = sortedChildren(d.node);
    if (!rr) {
      const free = linkFreeChildren(kids, ancestorsOf(d));
      kids = free.kids;
      if (free.dataOf) for (const [l, t] of free.dataOf) linkTargets.set(l, t);
    }
    const ids = assignIsoNames(kids, level);
    const recs: Pending = { nodes: [], ids: [], kinds: [], dirs: [] };
    pendingRecs.set(d, recs);
    kids.forEach((k, i) => {
      if (k.kind !== 'dir') { pend(recs, k, ids[i], 'file'); return; }
      if (d.depth + 1 > MAX_ISO_DEPTH) {
        if (!rr) {
          throw new InvalidInputError(
            `directory nesting deeper than ${MAX_ISO_DEPTH} levels (ECMA-119 §6.8.2.1) needs Rock Ridge relocation or UDF only: ${pathOf(d)}/${k.name}`,
            { path: `${pathOf(d)}/${k.name}` },
          );
        }
        const child = mk(k, rootDir, Buffer.alloc(0), 2); // named below, among the root's entries
        rootDir.subdirs.push(child);
        relocations.push({ dir: child, logicalParent: d });
        pend(recs, k, ids[i], 'placeholder', child);
        expand(child);
        return;
      }
      const child = mk(k, d, Buffer.from(ids[i], 'latin1'), d.depth + 1);
      d.subdirs.push(child);
      pend(recs, k, ids[i], 'dir', child);
      expand(child);
    });
  };
  expand(rootDir);
  if (relocations.length) {
    // Named after the root's own entries in one pass, so their identifiers never collide (and the
    // root's own, assigned first, stay what they would be without relocation).
    const rootKids = sortedChildren(root);
    const ids = assignIsoNames([...rootKids, ...relocations.map((r) => ({ name: r.dir.node.name, isDir: true }))], level);
    const rootRecs = pendingRecs.get(rootDir)!;
    relocations.forEach((r, i) => {
      r.dir.idBytes = Buffer.from(ids[rootKids.length + i], 'latin1');
      pend(rootRecs, r.dir.node, ids[rootKids.length + i], 'relocated', r.dir);
    });
  }
  const sortSubdirs = (d: Dir): void => {
    d.subdirs.sort((a, b) => compareIsoIds(a.idBytes.toString('latin1'), b.idBytes.toString('latin1')));
    for (const c of d.subdirs) sortSubdirs(c);
  };
  sortSubdirs(rootDir);
  // Recompute breadth-first numbering over the final ISO hierarchy.
  const ordered: Dir[] = [];
  const bfs: Dir[] = [rootDir];
  for (let i = 0; i < bfs.length; i++) {
    const d = bfs[i];
    ordered.push(d);
    d.number = ordered.length;
    bfs.push(...d.subdirs);
  }
  if (ordered.length > 0xffff) throw new InvalidInputError('more than 65535 directories: the ISO 9660 path table cannot number them (ECMA-119 §9.4.2)');
  const logicalParentOf = new Map(relocations.map((r) => [r.dir, r.logicalParent]));
  const dirByNode = new Map<StagingNode, Dir>();
  for (const d of ordered) dirByNode.set(d.node, d);

  // One directory's records at a time, in a function of its own: V8 optimizes it as it is called
  // (directory after directory) instead of replacing this whole function mid-loop, and a
  // deoptimization (a new shape of node or record met) recompiles only it.
  const recordDir = (d: Dir): void => {
    const recs: Rec[] = [];
    const parent = d.parent ?? d;
    const dotEntries: SuspEntry[] = [];
    const dotdotEntries: SuspEntry[] = [];
    if (rr) {
      if (d === rootDir) dotEntries.push(spEntry());
      dotEntries.push(px(d.node, d), tf(d.node));
      if (d === rootDir) dotEntries.push(erEntry());
      const lp = logicalParentOf.get(d);
      const pnode = lp ? lp.node : parent.node;
      dotdotEntries.push(px(pnode, lp ?? parent), tf(pnode));
      if (lp) dotdotEntries.push(plEntry(() => lp.lba));
    }
    recs.push(mkRec('\x00', false, true, false, d.node.mtime, { dir: d }, rr ? dotEntries : null, ceAreas));
    recs.push(mkRec('\x01', false, true, false, parent.node.mtime, { dir: parent }, rr ? dotdotEntries : null, ceAreas));
    // The common file (one extent; PX, TF and NM in the record itself, no continuation area) is
    // only sized here: its record is made when encoded (Dir.recipe), so no object per file lives
    // from now until then. The others are made now, in this order (their continuation areas are
    // laid out in the order they are planned).
    const ids: string[] = [];
    const made: (Rec | undefined)[] = [];
    const lens: number[] = [];
    const commonNodes: StagingNode[] = [];
    const commonItems: DataItem[] = [];
    const pending = pendingRecs.get(d);
    for (let q = 0; q < (pending?.nodes.length ?? 0); q++) {
      const id = pending!.ids[q];
      const n = pending!.nodes[q];
      const kind = pending!.kinds[q];
      const cd = pending!.dirs[q]!; // a folder's entries (dir, placeholder, relocated) have one
      if (kind === 'file' && n.kind === 'file') {
        const it = items.get(n)!;
        const nameBytes = rr ? Buffer.byteLength(n.name, 'utf8') : 0;
        const suLen = rr ? PosixEntry.lengthFor(nameBytes) : 0;
        if ((it.size <= ISO_MAX_EXTENT || level < 3) && (!rr || (nameBytes <= PosixEntry.MAX_NAME_BYTES && suLen <= suCapacity(id.length)))) {
          ids.push(id);
          made.push(undefined);
          lens.push(recordLength(id.length, suLen));
          commonNodes.push(n);
          commonItems.push(it);
          continue;
        }
      }
      const su: SuspEntry[] = [];
      if (kind === 'dir' || kind === 'relocated') {
        if (rr) {
          su.push(px(n, cd), tf(n), ...nmEntries(n.name));
          if (kind === 'relocated') su.push(reEntry());
        }
        recs.push(mkRec(id, false, true, n.hidden, n.mtime, { dir: cd }, rr ? su : null, ceAreas));
      } else if (kind === 'placeholder') {
        su.push(px(n, cd), tf(n), ...nmEntries(n.name), clEntry(() => cd.lba));
        recs.push(mkRec(id, false, false, n.hidden, n.mtime, {}, su, ceAreas));
      } else if (n.kind === 'symlink' && !rr) {
        const it = items.get(linkTargets.get(n)!)!;
        if (it.size <= ISO_MAX_EXTENT || level < 3) recs.push(mkRec(id, false, false, n.hidden, n.mtime, { item: it }, null, ceAreas));
        else recs.push(multiExtentRec(id, false, n, it));
      } else if (n.kind === 'symlink') {
        if (rr) su.push(px(n), tf(n), ...nmEntries(n.name), ...slEntries(n.symlinkTarget ?? ''));
        recs.push(mkRec(id, false, false, n.hidden, n.mtime, {}, rr ? su : null, ceAreas));
      } else {
        const it = items.get(n)!;
        // (The common file, PX, TF and NM in the record itself, was taken above.)
        const mkSu = () => (rr ? [px(n), tf(n), ...nmEntries(n.name)] : null);
        if (it.size <= ISO_MAX_EXTENT || level < 3) {
          recs.push(mkRec(id, false, false, n.hidden, n.mtime, { item: it }, mkSu(), ceAreas));
        } else {
          // ECMA-119 §6.5.1/§9.1.6 bit 7: multi-extent; each part's record but the last has it set.
          const parts: Part[] = [];
          const count = Math.ceil(it.size / ISO_MAX_EXTENT);
          for (let i = 0; i < count; i++) {
            const length = Math.min(ISO_MAX_EXTENT, it.size - i * ISO_MAX_EXTENT);
            const su0 = mkSu();
            parts.push({ item: it, index: i, length, last: i === count - 1, su: su0 ? planSystemUse(su0, suCapacity(id.length)) : null });
          }
          for (const p of parts) if (p.su) ceAreas.push(...p.su.areas);
          recs.push(rec(id, false, false, n.hidden, n.mtime, parts[0], parts.slice(1)));
        }
      }
    }
    // Sort children (not . and ..) by ECMA-119 §9.3, then size the directory in that order.
    const head = recs.slice(0, 2);
    for (let i = 2; i < recs.length; i++) {
      ids.push(recs[i].id);
      made.push(recs[i]);
      lens.push(-1);
    }
    const order = ids.map((_, i) => i).sort((a, b) => compareIsoIds(ids[a], ids[b]));
    const size = new DirSizer();
    for (const r of head) size.addRecord(r);
    for (const i of order) {
      const r = made[i];
      if (r) size.addRecord(r);
      else size.add(lens[i]);
    }
    d.size = size.bytes;
    // Common files are numbered in `made` order: the k-th undefined slot is common[k].
    const commonAt: number[] = new Array(made.length);
    for (let i = 0, k = 0; i < made.length; i++) if (!made[i]) commonAt[i] = k++;
    d.recipe = () => {
      const out = head.slice();
      for (const i of order) {
        const r = made[i];
        if (r) { out.push(r); continue; }
        const n = commonNodes[commonAt[i]];
        const it = commonItems[commonAt[i]];
        out.push({ id: ids[i], wide: false, isDir: false, hidden: n.hidden, mtime: n.mtime, dir: undefined, item: it, index: 0, length: it.size, last: true, su: rr ? new PosixEntry(n, 1) : null, more: undefined });
      }
      return out;
    };
  };
  for (const d of ordered) recordDir(d);
  out.push(...ordered);

  function px(n: StagingNode, asDir?: Dir): SuspEntry {
    const links = n.kind === 'dir' ? 2 + (asDir ? [...(n.children?.values() ?? [])].filter((c) => c.kind === 'dir').length : 0) : 1;
    return pxEntry(n.mode, links, n.uid, n.gid);
  }
  function tf(n: StagingNode): SuspEntry {
    return tfEntry(n.mtime, n.atime, n.ctime);
  }
  function pathOf(d: Dir): string {
    const parts: string[] = [];
    for (let x: Dir | undefined = d; x && x.parent; x = relocations.find((r) => r.dir === x)?.logicalParent ?? x.parent) parts.unshift(x.node.name);
    return '/' + parts.join('/');
  }
}

