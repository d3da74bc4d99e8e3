// Test-only: lays out a UDF-only image file around planUdf() the way a layout engine would
// (system area, VRS at 16, VDSs, LVID, anchor at 256, partition from 257, anchor in the last
// sector) and writes real file data, so independent readers can check the result.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { extentsFor, planUdf, type UdfNodeInput, type UdfPlacement, type UdfVolumeInput } from './plan';

export interface TestNode {
  name: string;
  kind?: 'file' | 'dir' | 'symlink';
  /** Whole content of a file. */
  data?: Buffer;
  /** Sparse file: `size` bytes, zero except `head` at 0 and `tail` at the end. */
  sparse?: { size: number; head: Buffer; tail: Buffer };
  children?: TestNode[];
  symlinkTarget?: string;
  mtime?: Date;
  mode?: number;
  uid?: number;
  gid?: number;
  hidden?: boolean;
}

export interface TestImage {
  placement: UdfPlacement;
  totalSectors: number;
  sectors: { lba: number; data: Buffer }[];
}

const BLOCK = 2048;
export const TEST_MTIME = new Date(Date.UTC(2024, 4, 17, 12, 34, 56, 780));

export function writeUdfTestImage(path: string, root: TestNode, vol: UdfVolumeInput): TestImage {
  const pending: { node: UdfNodeInput; src: TestNode }[] = [];
  const convert = (t: TestNode): UdfNodeInput => {
    const kind = t.kind ?? (t.children ? 'dir' : t.symlinkTarget !== undefined ? 'symlink' : 'file');
    const size = kind === 'file' ? (t.sparse ? t.sparse.size : (t.data?.length ?? 0)) : 0;
    const n: UdfNodeInput = {
      name: t.name,
      kind,
      size,
      extents: [],
      mtime: t.mtime ?? TEST_MTIME,
      mode: t.mode,
      uid: t.uid,
      gid: t.gid,
      hidden: t.hidden,
      symlinkTarget: t.symlinkTarget,
      children: t.children?.map(convert),
    };
    if (kind === 'file') pending.push({ node: n, src: t });
    return n;
  };
  const tree = convert(root);
  const plan = planUdf(tree, vol);
  const r = plan.regions;
  const vrsLba = 16;
  const mainVdsLba = 32;
  const reserveVdsLba = mainVdsLba + r.mainVds;
  const lvidLba = reserveVdsLba + r.reserveVds;
  if (lvidLba + r.lvid > 256) throw new Error('test layout: volume structures overflow sector 256');
  const partitionStartLba = 257;
  const fileSetLba = 257;
  const partitionMetaLba = fileSetLba + r.fileSet;
  let next = partitionMetaLba + r.partitionMeta;
  for (const { node } of pending) {
    node.extents = extentsFor(node.size).map((length) => {
      const e = { lba: next, length };
      next += Math.ceil(length / BLOCK);
      return e;
    });
  }
  const totalSectors = next + 1;
  const placement: UdfPlacement = {
    vrsLba,
    mainVdsLba,
    reserveVdsLba,
    lvidLba,
    partitionStartLba,
    partitionLength: totalSectors - 1 - partitionStartLba,
    partitionMetaLba,
    fileSetLba,
    anchorLbas: [256, totalSectors - 1],
    totalSectors,
  };
  const sectors = plan.encode(placement);
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, totalSectors * BLOCK);
    for (const s of sectors) writeSync(fd, s.data, 0, s.data.length, s.lba * BLOCK);
    for (const { node, src } of pending) {
      if (node.size === 0) continue;
      const start = node.extents[0].lba * BLOCK;
      if (src.sparse) {
        writeSync(fd, src.sparse.head, 0, src.sparse.head.length, start);
        writeSync(fd, src.sparse.tail, 0, src.sparse.tail.length, start + src.sparse.size - src.sparse.tail.length);
      } else if (src.data) {
        writeSync(fd, src.data, 0, src.data.length, start);
      }
    }
  } finally {
    closeSync(fd);
  }
  return { placement, totalSectors, sectors };
}
