// The layout pass: from a staged tree and the requested facets to a complete placement of every
// structure and every file extent, before a single byte is produced. File data is placed once and
// shared by the ISO 9660, Joliet and UDF directory trees.
//
// Sector map (ECMA-119 §6.2.1 system area 0-15; §8 descriptors from 16; ECMA-167 2/8.3 VRS after
// the ISO terminator; ECMA-167 3/8.4.2.1 anchor at 256 and at the last sector):
//   0-15 system area (isohybrid MBR) | PVD, boot record (El Torito: sector 17), Joliet SVD,
//   terminator | UDF VRS | UDF VDS+LVID (below 256 when they fit) | 256 AVDP | boot catalog |
//   UDF partition: [File Set Descriptor | file data (boot images first) | path tables | ISO
//   directories | RR continuation areas | Joliet directories | UDF metadata space] | last AVDP
// File data comes first so every file's place is fixed as soon as the tree is staged: no
// directory needs naming or sizing before the data can start streaming. ECMA-119 and ECMA-167
// let the directories live anywhere (the PVD and the LVD's File Set Descriptor address point there).
import { InternalError, InvalidInputError } from '../../common/errors';
import { DirDates, SECTOR, sectorsFor } from '../iso9660/encoding';
import type { IsoLevel } from '../iso9660/names';
import { encodePathTable, pathTableSize } from '../iso9660/path-table';
import { encodeTerminator, encodeVolumeDescriptor } from '../iso9660/volume-descriptor';
import { buildIsoTree } from '../iso9660/tree';
import { buildJolietTree } from '../joliet/tree';
import { writeEntries, type SystemUsePlan } from '../rockridge/susp';
import { encodeBootRecord } from '../eltorito/boot-catalog';
import { GPT_TAIL_SECTORS } from '../eltorito/isohybrid';
import { diskIdFor, encodeBootCatalogFor, isohybridPieces, prepareBootImages, type BootSpec } from '../eltorito/boot-plan';
import { splitPath, type StagingNode, type StagingSource } from '../staging/staging-tree';
import { planUdf as defaultPlanUdf, UDF_PARTITION_HEAD, UDF_VOLUME_REGIONS, type LazySectors, type UdfSourceTree, type UdfPlan, type UdfRevision, type UdfVolumeInput } from '../udf';
import { checkStagedDepth } from '../tree-depth';
import { childOrder, type ChildOrder } from './child-order';
import { encodeDirsAndRelease, FOUR_GIB, type DataItem, type Dir } from './records';

export type { BootSpec } from '../eltorito/boot-plan';

/** The UDF planner (udf/plan.ts planUdf), replaceable for tests; it reads the staged tree through `source`. */
export type PlanUdf = (root: StagingNode, vol: UdfVolumeInput, source: UdfSourceTree<StagingNode>) => UdfPlan;

export interface ImageSpec {
  root: StagingNode;
  iso9660?: boolean;
  joliet?: boolean;
  rockRidge?: boolean;
  udf?: boolean;
  /** Undefined = automatic: level 2, raised to 3 when a file needs several extents. */
  isoLevel?: IsoLevel;
  udfRevision?: UdfRevision;
  /**
   * UDF 2.50: record a second copy of the metadata file for the Metadata Mirror File (OSTA UDF
   * 2.50 §2.2.13.1 Duplicate Metadata Flag), as IMAPI does. Default true; false makes the mirror
   * FE describe the same extents (a smaller image, no redundancy).
   */
  udfMetadataMirror?: boolean;
  label?: string;
  boot?: BootSpec[];
  /** Writes an MBR (partition over the whole image, plus an 0xEF partition for the EFI image). */
  isohybrid?: boolean;
  /** MBR boot code (e.g. syslinux isohdpfx.bin) for BIOS boot from USB. */
  isohybridMbrCode?: Uint8Array;
  /** With isohybrid and an EFI entry: a GPT whose EFI system partition is the EFI boot image. */
  isohybridGpt?: boolean;
  /** Recording time of the volume; fixing it makes the output byte-identical for the same input. */
  recordingTime?: Date;
  /**
   * Record symbolic links in UDF (ECMA-167 4/14.6.6 file type 12). Default: only when Rock Ridge is
   * not chosen — 7-Zip (and the tools built on it) refuse a whole UDF volume that holds one, so a
   * hybrid disc keeps its links in Rock Ridge. Joliet (and ISO 9660 without Rock Ridge) cannot
   * record links: a link to a file of the tree shows as that file, any other is left out.
   */
  udfSymlinks?: boolean;
  /** Refuse images over this many sectors (the target medium's capacity). */
  maxSectors?: number;
  /**
   * Multisession: the absolute LBA this session starts at (its descriptors at startLba + 16).
   * Every LBA recorded is absolute; the stream holds sectors startLba … totalSectors - 1.
   */
  startLba?: number;
}

/**
 * Bytes to place at an LBA (metadata, patched boot files …), or sectors rendered when the writer
 * reaches them (the UDF metadata space: kept out of memory until then).
 */
export type MetaPiece = { lba: number; data: Buffer } | LazySectors;

/** A file's data, read from its source at write time. */
export interface DataPiece { lba: number; size: number; source: StagingSource; path: string }

export interface ImagePlan {
  /** First sector the stream produces (0 unless multisession). */
  startLba: number;
  /** Absolute end of the volume (the ISO volume space size). */
  totalSectors: number;
  meta: MetaPiece[];
  data: DataPiece[];
  isoLevel?: IsoLevel;
  /** LBA of each file by image path (for tests and the multisession importer). */
  fileLbas: Map<string, number>;
}


export interface PlanOptions {
  planUdf?: PlanUdf;
  /**
   * Called as soon as every file's LBA is fixed, before any metadata is encoded, with the pieces
   * read from host files (boot images patched with an info table excluded). The CLI starts copying
   * them then, so file data and metadata encoding overlap. The same pieces are in the final plan.
   */
  onDataPlaced?: (early: { pieces: DataPiece[]; startLba: number }) => void;
  /** Sectors left free after the volume descriptor set (the multisession planner adds a UDF VRS there). */
  reserveAfterDescriptors?: number;
  /**
   * File data the caller has already placed (and may be copying): the non-empty files `nodes`, in
   * this order, with their `pieces` (same index), contiguous from startLba = dataStartLba(spec). The
   * plan takes the pieces as its own. Only without boot entries; every node must be a file of the
   * tree. Any other files follow them.
   */
  preplaced?: { nodes: StagingNode[]; pieces: DataPiece[]; startLba: number };
}

/** The file systems a spec asks for (Joliet and Rock Ridge live in an ISO 9660 volume). */
function facets(spec: ImageSpec) {
  const wantJoliet = spec.joliet ?? false;
  const wantRR = spec.rockRidge ?? false;
  return { wantUdf: spec.udf ?? false, wantJoliet, wantRR, wantIso: (spec.iso9660 ?? false) || wantJoliet || wantRR };
}

/**
 * Sector map before the file data: volume descriptors, UDF volume structures and anchor, the boot
 * catalog, and the partition head; file data starts at dataStart.
 */
function frontLayout(spec: ImageSpec, bootCount: number, opts: PlanOptions) {
  const { wantUdf, wantJoliet, wantIso } = facets(spec);
  let lba = (spec.startLba ?? 0) + 16;
  const pvdLba = wantIso ? lba++ : -1;
  const brLba = wantIso && bootCount ? lba++ : -1;
  const svdLba = wantJoliet ? lba++ : -1;
  const termLba = wantIso ? lba++ : -1;
  lba += opts.reserveAfterDescriptors ?? 0;
  let vrsLba = -1, mainVdsLba = -1, reserveVdsLba = -1, lvidLba = -1;
  if (wantUdf) {
    const r = UDF_VOLUME_REGIONS;
    vrsLba = lba;
    lba += r.vrs;
    const vds = r.mainVds + r.reserveVds + r.lvid;
    if (lba + vds > 256) lba = 257;
    mainVdsLba = lba; lba += r.mainVds;
    reserveVdsLba = lba; lba += r.reserveVds;
    lvidLba = lba; lba += r.lvid;
    lba = Math.max(lba, 257); // 256 = anchor
  }
  const catalogLba = bootCount ? lba++ : -1;
  const partitionStart = lba;
  // The File Set Descriptor (2.50: the metadata file FEs) opens the partition, where readers such
  // as pycdlib expect it; the rest of the UDF metadata closes it.
  const fileSetLba = lba;
  if (wantUdf) lba += UDF_PARTITION_HEAD;
  return { pvdLba, brLba, svdLba, termLba, vrsLba, mainVdsLba, reserveVdsLba, lvidLba, catalogLba, partitionStart, fileSetLba, dataStart: lba };
}

/**
 * Where the file data of an image without boot entries starts: a caller may place files from there
 * on, in the order it learns of them, and pass that order as PlanOptions.preplaced.
 */
export function dataStartLba(spec: Omit<ImageSpec, 'root'>, opts: PlanOptions = {}): number {
  if (spec.boot?.length) throw new InvalidInputError('file data cannot be placed ahead of boot images');
  return frontLayout(spec as ImageSpec, 0, opts).dataStart;
}

export async function planImage(spec: ImageSpec, opts: PlanOptions = {}): Promise<ImagePlan> {
  return planImageInner(spec, opts, childOrder());
}

function planImageInner(spec: ImageSpec, opts: PlanOptions, sortedChildren: ChildOrder): ImagePlan {
  const { wantUdf, wantJoliet, wantRR, wantIso } = facets(spec);
  if (!wantIso && !wantUdf) throw new InvalidInputError('no file system selected');
  const boots = spec.boot ?? [];
  if (boots.length && !wantIso) throw new InvalidInputError('El Torito boot needs the iso9660 file system (ECMA-119 descriptors at 16/17)');
  // Before any recursive planner walks the tree: the reader takes exactly this depth back.
  checkStagedDepth(spec.root);
  const now = spec.recordingTime ?? new Date();
  const label = spec.label ?? 'CDROM';

  // ---- file data items (one per file node) and level selection ----
  const items = new Map<StagingNode, DataItem>();
  const hiddenItems: DataItem[] = [];
  let needsMultiExtent: string | undefined;
  // Files the caller placed come with their pieces (their path is built only for the others).
  const pre = opts.preplaced;
  if (pre) pre.nodes.forEach((n, i) => items.set(n, pre.pieces[i]));
  const prePieces = items.size;
  let preFound = 0;
  const collect = (node: StagingNode, p: string) => {
    if (node.kind === 'file') {
      let it = items.get(node);
      if (it) preFound++;
      else {
        if (!node.source) throw new InvalidInputError(`file without content: ${p}`, { path: p });
        it = { lba: 0, size: node.size, source: node.source, path: p };
        items.set(node, it);
      }
      if (node.size >= FOUR_GIB && !needsMultiExtent) needsMultiExtent = it.path;
    }
    if (node.children) {
      const prefix = p === '/' ? '' : p;
      for (const c of sortedChildren(node)) collect(c, c.kind === 'file' && items.has(c) ? '' : `${prefix}/${c.name}`);
    }
  };
  collect(spec.root, '/');
  if (preFound !== prePieces) throw new InternalError(`${prePieces - preFound} pre-placed files are not in the tree`);
  let level: IsoLevel | undefined;
  if (wantIso) {
    level = spec.isoLevel ?? (needsMultiExtent ? 3 : 2);
    if (needsMultiExtent && level < 3) {
      throw new InvalidInputError(`file too large for ISO 9660 level ${level} (needs level 3 multi-extent): ${needsMultiExtent}`, { path: needsMultiExtent });
    }
  }

  // ---- boot images (El Torito: eltorito/boot-plan.ts) ----
  const bootItems = prepareBootImages(boots, (p) => findNode(spec.root, p), items, hiddenItems);

  // ---- placement: descriptors, file data, then the ISO 9660 / Joliet directories and UDF metadata ----
  const start = spec.startLba ?? 0;
  if (start && wantUdf) throw new InvalidInputError('UDF cannot be appended as a new session here; choose iso9660, joliet and rockridge');
  const front = frontLayout(spec, bootItems.length, opts);
  const { pvdLba, brLba, svdLba, termLba, vrsLba, mainVdsLba, reserveVdsLba, lvidLba, catalogLba, partitionStart, fileSetLba } = front;
  let lba = front.dataStart;
  if (pre && (pre.startLba !== lba || bootItems.length > 0)) {
    throw new InternalError(`pre-placed file data starts at LBA ${pre.startLba}, the layout at ${lba}`);
  }
  // File data: boot images first (near the start helps firmware that reads slowly), then tree order.
  const placed = new Set<DataItem>();
  const placeItem = (it: DataItem) => {
    if (placed.has(it)) return;
    placed.add(it);
    if (it.size === 0) { it.lba = 0; return; }
    if (it.source.type === 'previous') { it.lba = it.source.lba; return; }
    it.lba = lba;
    lba += sectorsFor(it.size);
  };
  for (const b of bootItems) placeItem(b.item);
  for (const it of pre?.pieces ?? []) {
    // The caller's LBA (it may be copying there already) must be the one the layout gives.
    if (it.lba !== lba || it.size === 0) throw new InternalError(`pre-placed file at LBA ${it.lba}, the layout puts it at ${lba}: ${it.path}`);
    placeItem(it);
  }
  for (const it of items.values()) placeItem(it);
  const dataEnd = lba;
  if (dataEnd > MAX_ADDRESSABLE_SECTORS) throw pastAddressableSectors(dataEnd, start);
  // Over the capacity already: no data is handed out for copying, but the plan goes on so the
  // refusal names the whole image's size (the data alone would understate it, and a caller who
  // raised the limit to that number would be refused again with another).
  const overCapacityAlready = spec.maxSectors !== undefined && dataEnd > spec.maxSectors;
  if (opts.onDataPlaced && !overCapacityAlready) {
    // Items are placed in ascending LBA order and are DataPieces themselves (no copies).
    const early: DataPiece[] = [];
    for (const it of placed) if (it.size > 0 && it.source.type === 'host' && !it.patch) early.push(it);
    opts.onDataPlaced({ pieces: early, startLba: start });
  }

  // ---- ISO 9660 (+RR) and Joliet directory trees ----
  const isoDirs: Dir[] = [];
  const jolietDirs: Dir[] = [];
  const ceAreas: SystemUsePlan['areas'] = [];
  if (wantIso) buildIsoTree(spec.root, level!, wantRR, items, isoDirs, ceAreas, sortedChildren);
  if (wantJoliet) buildJolietTree(spec.root, items, jolietDirs, sortedChildren);

  const isoPtSize = wantIso ? pathTableSize(isoDirs) : 0;
  const jolPtSize = wantJoliet ? pathTableSize(jolietDirs) : 0;
  const isoLPt = lba; lba += wantIso ? sectorsFor(isoPtSize) : 0;
  const isoMPt = lba; lba += wantIso ? sectorsFor(isoPtSize) : 0;
  const jolLPt = lba; lba += wantJoliet ? sectorsFor(jolPtSize) : 0;
  const jolMPt = lba; lba += wantJoliet ? sectorsFor(jolPtSize) : 0;
  for (const d of isoDirs) { d.lba = lba; lba += d.size / SECTOR; }
  // Continuation areas packed so none crosses a sector (SUSP §5.1).
  const ceStart = lba;
  let ceOff = 0;
  for (const a of ceAreas) {
    if ((ceOff % SECTOR) + a.length > SECTOR) ceOff = Math.ceil(ceOff / SECTOR) * SECTOR;
    a.lba = ceStart + Math.floor(ceOff / SECTOR);
    a.offset = ceOff % SECTOR;
    ceOff += a.length;
  }
  lba += sectorsFor(ceOff);
  for (const d of jolietDirs) { d.lba = lba; lba += d.size / SECTOR; }
  // Directories are encoded now, so their records are garbage before the UDF tree is built.
  const meta: MetaPiece[] = [];
  const dirDates = new DirDates(); // this run's, shared by its ISO 9660 and Joliet records and RR entries
  if (wantIso) {
    meta.push({ lba: isoLPt, data: encodePathTable(isoDirs, isoPtSize, false) });
    meta.push({ lba: isoMPt, data: encodePathTable(isoDirs, isoPtSize, true) });
    meta.push(encodeDirsAndRelease(isoDirs, dirDates));
    if (ceAreas.length) {
      const ce = Buffer.alloc(sectorsFor(ceOff) * SECTOR);
      for (const a of ceAreas) writeEntries(ce, (a.lba - ceStart) * SECTOR + a.offset, a.entries, dirDates);
      meta.push({ lba: ceStart, data: ce });
    }
  }
  if (wantJoliet) {
    meta.push({ lba: jolLPt, data: encodePathTable(jolietDirs, jolPtSize, false) });
    meta.push({ lba: jolMPt, data: encodePathTable(jolietDirs, jolPtSize, true) });
    meta.push(encodeDirsAndRelease(jolietDirs, dirDates));
  }

  // ---- UDF plan: its metadata space ends the partition, just before the last anchor (7-Zip takes
  // the end of the last UDF structure for the volume end and looks for the anchor right there) ----
  let udfPlan: ReturnType<PlanUdf> | undefined;
  if (wantUdf) {
    const planUdf = opts.planUdf ?? defaultPlanUdf;
    udfPlan = planUdf(spec.root, { label, revision: spec.udfRevision ?? '1.02', recordingTime: now, metadataMirror: spec.udfRevision === '2.50' && (spec.udfMetadataMirror ?? true) }, udfSource(items, spec.udfSymlinks ?? !wantRR, sortedChildren));
  }

  const partitionMeta = lba;
  if (udfPlan) lba += udfPlan.regions.partitionMeta;
  const partitionEnd = lba;

  const gpt = (spec.isohybrid ?? false) && (spec.isohybridGpt ?? false);
  if (gpt && !bootItems.some((b) => b.spec.platform === 'efi')) throw new InvalidInputError('a GPT needs an EFI boot entry (its EFI system partition)');
  let lastAnchor = -1;
  if (udfPlan && gpt) {
    // The GPT backup owns the last sectors, so the second UDF anchor goes to N-256
    // (ECMA-167 3/8.4.2.1 allows 256, N-256 and N), N being the last sector.
    lastAnchor = lba;
    lba += 256 + 1;
  } else if (udfPlan) {
    lastAnchor = lba++;
  } else if (gpt) {
    lba += GPT_TAIL_SECTORS;
  }
  const totalSectors = lba;
  if (totalSectors > MAX_ADDRESSABLE_SECTORS) throw pastAddressableSectors(totalSectors, start);
  if (spec.maxSectors !== undefined && totalSectors > spec.maxSectors) throw overCapacity(totalSectors, spec.maxSectors);

  // ---- encoding of the remaining metadata ----
  if (wantIso) {
    const rootIso = isoDirs[0];
    const rootOf = (d: Dir) => ({ lba: d.lba, size: d.size, mtime: d.node.mtime });
    meta.push({ lba: pvdLba, data: encodeVolumeDescriptor({ kind: 'pvd', label, totalSectors, pathTableSize: isoPtSize, lPathTable: isoLPt, mPathTable: isoMPt, root: rootOf(rootIso), recorded: now }) });
    if (brLba >= 0) meta.push({ lba: brLba, data: encodeBootRecord(catalogLba) });
    if (wantJoliet) {
      meta.push({ lba: svdLba, data: encodeVolumeDescriptor({ kind: 'joliet', label, totalSectors, pathTableSize: jolPtSize, lPathTable: jolLPt, mPathTable: jolMPt, root: rootOf(jolietDirs[0]), recorded: now }) });
    }
    meta.push({ lba: termLba, data: encodeTerminator() });
  }
  if (bootItems.length) meta.push({ lba: catalogLba, data: encodeBootCatalogFor(bootItems, pvdLba) });
  if (udfPlan) {
    const pieces = udfPlan.encodeLazy({
      vrsLba, mainVdsLba, reserveVdsLba, lvidLba,
      partitionStartLba: partitionStart,
      partitionLength: partitionEnd - partitionStart,
      partitionMetaLba: partitionMeta,
      fileSetLba,
      anchorLbas: [256, lastAnchor],
      totalSectors,
    });
    meta.push(...pieces);
  }
  if (spec.isohybrid) meta.push(...isohybridPieces(bootItems, { totalSectors, mbrCode: spec.isohybridMbrCode, diskId: diskIdFor(label, now), gpt }));
  meta.sort((a, b) => a.lba - b.lba);
  checkOverlaps(meta, start, totalSectors);

  const data: DataPiece[] = [];
  for (const it of placed) if (it.size > 0 && it.source.type !== 'previous') data.push(it);
  let fileLbas: Map<string, number> | undefined;
  return {
    startLba: start, totalSectors, meta, data, isoLevel: level,
    // Built on first use (the multisession planner): most plans never need a path map.
    get fileLbas() {
      if (!fileLbas) {
        fileLbas = new Map();
        for (const it of items.values()) fileLbas.set(it.path, it.lba);
      }
      return fileLbas;
    },
  };
}


// ---------------------------------------------------------------------------------------------
// UDF input tree

const NO_EXTENTS: { lba: number; length: number }[] = [];

/**
 * The staged tree as the UDF planner reads it (the nodes themselves, no copy per file): children
 * in the walk's order, links only when UDF records them; file data is already placed (contiguous
 * from its LBA).
 */
function udfSource(items: Map<StagingNode, DataItem>, links: boolean, sortedChildren: ChildOrder): UdfSourceTree<StagingNode> {
  return {
    children: (node) => {
      const kids = sortedChildren(node);
      return links ? kids : kids.filter((c) => c.kind !== 'symlink');
    },
    dataLba: (node) => items.get(node)!.lba,
    extents: () => NO_EXTENTS,
  };
}

function checkOverlaps(meta: MetaPiece[], start: number, total: number): void {
  let end = start;
  for (const m of meta) {
    if (m.lba < end) throw new Error(`layout overlap at LBA ${m.lba} (previous piece ends at ${end})`);
    end = m.lba + ('data' in m ? sectorsFor(m.data.length) : m.sectors);
    if (end > total) throw new Error(`layout piece at LBA ${m.lba} runs past the image end ${total}`);
  }
}

/**
 * Sector addresses are 32-bit in every facet (ECMA-119 §7.3 both-byte-order 32-bit fields, ECMA-167
 * 4/7.1 lb_addr): an image (with a session's start LBA) must end at or below 2^32 sectors.
 */
export const MAX_ADDRESSABLE_SECTORS = 2 ** 32;

function pastAddressableSectors(end: number, start: number): InvalidInputError {
  return new InvalidInputError(`the image would end at sector ${end}${start ? ` (starting at ${start})` : ''}, past the 2^32 sectors that 32-bit sector addresses reach`, { totalSectors: end, startLba: start });
}

function overCapacity(needed: number, max: number): InvalidInputError {
  return new InvalidInputError(`image needs ${needed} sectors, more than the requested capacity of ${max}`, { path: '/', totalSectors: needed, maxSectors: max });
}

function findNode(root: StagingNode, p: string): StagingNode | undefined {
  let n: StagingNode | undefined = root;
  for (const part of splitPath(p)) n = n?.children?.get(part);
  return n;
}
