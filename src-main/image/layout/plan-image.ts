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
import * as fs from 'node:fs';
import { InternalError, InvalidInputError, IoError } from '../../common/errors';
import { SECTOR, sectorsFor, writeAscii, writeDirDate, writeU16Both, writeU32Both, writeUcs2, writeVolumeDate } from '../iso9660/encoding';
import { assignIsoNames, compareIsoIds, isoVolumeId, type IsoLevel } from '../iso9660/names';
import { assignJolietNames, compareUcs2, encodeUcs2 } from '../joliet/names';
import {
  clEntry, erEntry, nmEntries, planSystemUse, plEntry, PosixEntry, pxEntry, reEntry, slEntries, spEntry, tfEntry, writeEntries,
  type SuspEntry, type SystemUsePlan,
} from '../rockridge/susp';
import {
  encodeBootCatalog, encodeBootRecord, hddSystemType, mediaTypeFor, patchBootInfoTable,
  type BootEmulation, type BootPlatform, type CatalogEntry,
} from '../eltorito/boot-catalog';
import { encodeGpt, encodeIsohybridMbr, GPT_TAIL_SECTORS } from '../eltorito/isohybrid';
import { linkFreeChildren } from './symlinks';
import { splitPath, type StagingNode, type StagingSource } from '../staging/staging-tree';
import { planUdf as defaultPlanUdf, UDF_PARTITION_HEAD, UDF_VOLUME_REGIONS, type LazySectors, type UdfNodeInput, type UdfPlan, type UdfRevision, type UdfVolumeInput } from '../udf';

export type PlanUdf = (root: UdfNodeInput, vol: UdfVolumeInput) => UdfPlan;

export interface BootSpec {
  platform: BootPlatform;
  /** Path of the boot image inside the staged tree … */
  isoPath?: string;
  /** … or a host file placed in the image but in no directory. */
  hiddenHostPath?: string;
  emulation?: BootEmulation;
  /** No-emulation load size in 512-byte virtual sectors (El Torito §2.2 "Sector Count"). */
  loadSize?: number;
  infoTable?: boolean;
}

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

/** ECMA-119 §6.8.2.1: at most 8 levels of directory hierarchy (root = level 1). */
const MAX_ISO_DEPTH = 8;
/** Largest single extent of a multi-extent file: a whole number of sectors under 4 GiB (ECMA-119 §9.1.4). */
const ISO_MAX_EXTENT = 0xfffff800;
const FOUR_GIB = 0x100000000;

interface DataItem { lba: number; size: number; source: StagingSource; path: string; patch?: (lba: number) => Buffer }

/** One extent part of a directory record; the LBA and length are read when encoding. */
interface Part {
  dir?: Dir;
  item?: DataItem;
  /** Part number of a multi-extent file. */
  index: number;
  length: number;
  last: boolean;
  su: SystemUsePlan | null;
}

/** A directory record; it is its file's first (usually only) extent part. */
interface Rec extends Part {
  /** Identifier: latin1 bytes, or UCS-2 BE characters when `wide` (Joliet). */
  id: string;
  wide: boolean;
  isDir: boolean;
  hidden: boolean;
  mtime: Date;
  /** Multi-extent files: the parts after the first, each recorded as a record of its own. */
  more: Part[] | undefined;
}

/** Every Rec has this one shape (one object per record: there is one record per file per facet). */
function rec(id: string, wide: boolean, isDir: boolean, hidden: boolean, mtime: Date, first: Part, more?: Part[]): Rec {
  return { id, wide, isDir, hidden, mtime, dir: first.dir, item: first.item, index: first.index, length: first.length, last: first.last, su: first.su, more };
}

/** The record's extent parts in order (the record itself first). */
function partAt(r: Rec, i: number): Part {
  return i === 0 ? r : r.more![i - 1];
}
const partCount = (r: Rec) => (r.more ? r.more.length + 1 : 1);

const idLen = (r: Rec) => (r.wide ? r.id.length * 2 : r.id.length);
const partLba = (p: Part) => (p.dir ? p.dir.lba : p.item && p.item.size ? p.item.lba + p.index * (ISO_MAX_EXTENT / SECTOR) : 0);
const partLength = (p: Part) => (p.dir ? p.dir.size : p.length);

interface Dir {
  node: StagingNode;
  parent: Dir | undefined;
  idBytes: Buffer;
  depth: number;
  number: number;
  lba: number;
  size: number;
  records: Rec[];
  subdirs: Dir[];
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
  sortCache = new Map();
  try {
    return planImageInner(spec, opts);
  } finally {
    sortCache = undefined;
  }
}

function planImageInner(spec: ImageSpec, opts: PlanOptions): ImagePlan {
  const { wantUdf, wantJoliet, wantRR, wantIso } = facets(spec);
  if (!wantIso && !wantUdf) throw new InvalidInputError('no file system selected');
  const boots = spec.boot ?? [];
  if (boots.length && !wantIso) throw new InvalidInputError('El Torito boot needs the iso9660 file system (ECMA-119 descriptors at 16/17)');
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

  // ---- boot images ----
  const bootItems: { spec: BootSpec; item: DataItem; bytesHead: Buffer }[] = [];
  for (const b of boots) {
    let item: DataItem;
    if (b.hiddenHostPath) {
      let st: fs.Stats;
      try {
        st = fs.statSync(b.hiddenHostPath);
      } catch (err) {
        throw new IoError(`cannot read boot image ${b.hiddenHostPath}`, { path: b.hiddenHostPath, cause: err });
      }
      item = { lba: 0, size: st.size, source: { type: 'host', hostPath: b.hiddenHostPath, mtimeMs: st.mtimeMs }, path: b.hiddenHostPath };
      hiddenItems.push(item);
    } else if (b.isoPath) {
      const node = findNode(spec.root, b.isoPath);
      if (!node || node.kind !== 'file') throw new InvalidInputError(`boot image not in the compilation: ${b.isoPath}`, { path: b.isoPath });
      item = items.get(node)!;
    } else {
      throw new InvalidInputError('boot entry needs a path or a hidden host file');
    }
    if (item.size === 0) throw new InvalidInputError(`boot image is empty: ${item.path}`, { path: item.path });
    const head = readHead(item, 512);
    if (b.infoTable) {
      if (item.size > 64 * 1024 * 1024) throw new InvalidInputError(`boot image too large for a boot info table: ${item.path}`, { path: item.path });
      const whole = readAll(item);
      item.patch = (lba) => patchBootInfoTable(whole, 0, lba); // PVD LBA filled below
    }
    bootItems.push({ spec: b, item, bytesHead: head });
  }

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
  if (wantIso) buildIsoTree(spec.root, level!, wantRR, items, isoDirs, ceAreas);
  if (wantJoliet) buildJolietTree(spec.root, items, jolietDirs);

  const pt = (dirs: Dir[], enc: (d: Dir) => Buffer) => dirs.reduce((s, d) => s + pathRecordLen(enc(d).length), 0);
  const isoPtSize = wantIso ? pt(isoDirs, (d) => d.idBytes) : 0;
  const jolPtSize = wantJoliet ? pt(jolietDirs, (d) => d.idBytes) : 0;
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
  if (wantIso) {
    meta.push({ lba: isoLPt, data: encodePathTable(isoDirs, isoPtSize, false) });
    meta.push({ lba: isoMPt, data: encodePathTable(isoDirs, isoPtSize, true) });
    meta.push(encodeDirsAndRelease(isoDirs));
    if (ceAreas.length) {
      const ce = Buffer.alloc(sectorsFor(ceOff) * SECTOR);
      for (const a of ceAreas) writeEntries(ce, (a.lba - ceStart) * SECTOR + a.offset, a.entries);
      meta.push({ lba: ceStart, data: ce });
    }
  }
  if (wantJoliet) {
    meta.push({ lba: jolLPt, data: encodePathTable(jolietDirs, jolPtSize, false) });
    meta.push({ lba: jolMPt, data: encodePathTable(jolietDirs, jolPtSize, true) });
    meta.push(encodeDirsAndRelease(jolietDirs));
  }

  // ---- UDF plan: its metadata space ends the partition, just before the last anchor (7-Zip takes
  // the end of the last UDF structure for the volume end and looks for the anchor right there) ----
  let udfPlan: ReturnType<PlanUdf> | undefined;
  if (wantUdf) {
    const planUdf = opts.planUdf ?? defaultPlanUdf;
    const root = toUdf(spec.root, items, spec.udfSymlinks ?? !wantRR);
    udfPlan = planUdf(root, { label, revision: spec.udfRevision ?? '1.02', recordingTime: now, metadataMirror: spec.udfRevision === '2.50' && (spec.udfMetadataMirror ?? true) });
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
  if (spec.maxSectors !== undefined && totalSectors > spec.maxSectors) throw overCapacity(totalSectors, spec.maxSectors);

  // ---- encoding of the remaining metadata ----
  if (wantIso) {
    const rootIso = isoDirs[0];
    meta.push({ lba: pvdLba, data: encodeVolumeDescriptor('pvd', label, totalSectors, isoPtSize, isoLPt, isoMPt, rootIso, now) });
    if (brLba >= 0) meta.push({ lba: brLba, data: encodeBootRecord(catalogLba) });
    if (wantJoliet) meta.push({ lba: svdLba, data: encodeVolumeDescriptor('joliet', label, totalSectors, jolPtSize, jolLPt, jolMPt, jolietDirs[0], now) });
    const term = Buffer.alloc(SECTOR);
    term[0] = 255; // ECMA-119 §8.3 volume descriptor set terminator
    term.write('CD001', 1, 'latin1');
    term[6] = 1;
    meta.push({ lba: termLba, data: term });
  }
  if (bootItems.length) {
    const entries: CatalogEntry[] = bootItems.map(({ spec: b, item, bytesHead }) => {
      const emulation = b.emulation ?? 'none';
      const mediaType = mediaTypeFor(emulation, item.size, item.path);
      const systemType = emulation === 'hdd' ? hddSystemType(bytesHead, item.path) : 0;
      // §2.2: emulated media load 1 sector; no emulation loads `loadSize` virtual sectors
      // (BIOS default 4 = one CD sector; EFI: the whole ESP image, capped at the 16-bit field).
      const sectorCount = emulation !== 'none' ? 1 : b.loadSize ?? (b.platform === 'efi' ? Math.min(0xffff, Math.ceil(item.size / 512)) : 4);
      return { platform: b.platform, mediaType, systemType, sectorCount, loadRba: item.lba };
    });
    meta.push({ lba: catalogLba, data: encodeBootCatalog(entries) });
    for (const { item } of bootItems) {
      if (item.patch) {
        const patched = item.patch(item.lba);
        patched.writeUInt32LE(pvdLba, 8);
        item.source = { type: 'buffer', data: patched };
        item.patch = undefined;
      }
    }
  }
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
  if (spec.isohybrid) {
    const efi = bootItems.find((b) => b.spec.platform === 'efi');
    const bios = bootItems.find((b) => b.spec.platform === 'bios');
    const input = {
      totalSectors,
      efi: efi ? { lba: efi.item.lba, size: efi.item.size } : undefined,
      biosBootLba: bios?.item.lba,
      mbrCode: spec.isohybridMbrCode,
      diskId: diskIdFor(label, now),
      gpt,
    };
    const mbr = encodeIsohybridMbr(input);
    if (gpt) {
      // Primary header at 512-byte LBA 1, entries from LBA 2 (inside the system area); backup
      // entries and header in the last 33 x 512 bytes.
      const { primary, backup } = encodeGpt(input);
      meta.push({ lba: 0, data: Buffer.concat([mbr, primary]) });
      const tail = Buffer.alloc(GPT_TAIL_SECTORS * SECTOR);
      backup.copy(tail, tail.length - backup.length);
      meta.push({ lba: totalSectors - GPT_TAIL_SECTORS, data: tail });
    } else {
      meta.push({ lba: 0, data: mbr });
    }
  }
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

/** Children in name order, sorted once per planImage() run (every facet walks the same order). */
let sortCache: Map<StagingNode, StagingNode[]> | undefined;

function sortedChildren(node: StagingNode): StagingNode[] {
  const hit = sortCache?.get(node);
  if (hit) return hit;
  const out = [...node.children!.values()];
  // A tree scanned from the host is mostly in this order already (names inserted in code point
  // order, which UTF-16 order only differs from beyond U+D7FF): sort only when it is not.
  for (let i = 1; i < out.length; i++) {
    if (out[i - 1].name > out[i].name) {
      out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      break;
    }
  }
  sortCache?.set(node, out);
  return out;
}

function findNode(root: StagingNode, p: string): StagingNode | undefined {
  let n: StagingNode | undefined = root;
  for (const part of splitPath(p)) n = n?.children?.get(part);
  return n;
}

function readHead(item: DataItem, n: number): Buffer {
  if (item.source.type === 'buffer') return Buffer.from(item.source.data.subarray(0, n));
  if (item.source.type === 'previous') throw new InvalidInputError(`a boot image must be new in this session: ${item.path}`, { path: item.path });
  const b = Buffer.alloc(Math.min(n, item.size));
  try {
    const fd = fs.openSync(item.source.hostPath, 'r');
    try { fs.readSync(fd, b, 0, b.length, 0); } finally { fs.closeSync(fd); }
  } catch (err) {
    throw new IoError(`cannot read boot image ${item.path}`, { path: item.path, cause: err });
  }
  return b;
}

function readAll(item: DataItem): Uint8Array {
  if (item.source.type === 'buffer') return item.source.data;
  if (item.source.type === 'previous') throw new InvalidInputError(`a boot image must be new in this session: ${item.path}`, { path: item.path });
  try {
    return fs.readFileSync(item.source.hostPath);
  } catch (err) {
    throw new IoError(`cannot read boot image ${item.path}`, { path: item.path, cause: err });
  }
}


// ---------------------------------------------------------------------------------------------
// ISO 9660 + Rock Ridge tree

function buildIsoTree(
  root: StagingNode, level: IsoLevel, rr: boolean, items: Map<StagingNode, DataItem>, out: Dir[],
  ceAreas: SystemUsePlan['areas'],
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
  type Pending = { node: StagingNode; isoId: string; kind: 'dir' | 'file' | 'placeholder' | 'relocated'; dir?: Dir };
  const pendingRecs = new Map<Dir, Pending[]>();
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
    const recs: Pending[] = [];
    pendingRecs.set(d, recs);
    kids.forEach((k, i) => {
      if (k.kind !== 'dir') { recs.push({ node: k, isoId: ids[i], kind: 'file' }); return; }
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
        recs.push({ node: k, isoId: ids[i], kind: 'placeholder', dir: child });
        expand(child);
        return;
      }
      const child = mk(k, d, Buffer.from(ids[i], 'latin1'), d.depth + 1);
      d.subdirs.push(child);
      recs.push({ node: k, isoId: ids[i], kind: 'dir', dir: child });
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
      rootRecs.push({ node: r.dir.node, isoId: ids[rootKids.length + i], kind: 'relocated', dir: r.dir });
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

  for (const d of ordered) {
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
    for (const r of pendingRecs.get(d) ?? []) {
      const id = r.isoId;
      const n = r.node;
      const su: SuspEntry[] = [];
      if (r.kind === 'dir' || r.kind === 'relocated') {
        const cd = r.dir!;
        if (rr) {
          su.push(px(n, cd), tf(n), ...nmEntries(n.name));
          if (r.kind === 'relocated') su.push(reEntry());
        }
        recs.push(mkRec(id, false, true, n.hidden, n.mtime, { dir: cd }, rr ? su : null, ceAreas));
      } else if (r.kind === 'placeholder') {
        const cd = r.dir!;
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
        const mkSu = () => (rr ? [px(n), tf(n), ...nmEntries(n.name)] : null);
        const posix = rr ? new PosixEntry(n.mode, 1, n.uid, n.gid, n.mtime, n.atime, n.ctime, n.name) : null;
        if ((it.size <= ISO_MAX_EXTENT || level < 3) && posix && posix.single && posix.len <= suCapacity(id.length)) {
          // The common case: PX, TF and NM fit in the record itself.
          recs.push({ id, wide: false, isDir: false, hidden: n.hidden, mtime: n.mtime, dir: undefined, item: it, index: 0, length: it.size, last: true, su: posix, more: undefined });
        } else if (it.size <= ISO_MAX_EXTENT || level < 3) {
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
    // Sort children (not . and ..) by ECMA-119 §9.3.
    const head = recs.slice(0, 2);
    const tail = recs.slice(2).sort((a, b) => compareIsoIds(a.id, b.id));
    d.records = [...head, ...tail];
    d.size = dirSize(d.records);
  }
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

/** The directory's own node and its ancestors' up to the root (root last). */
function ancestorsOf(d: Dir): StagingNode[] {
  const out: StagingNode[] = [];
  for (let x: Dir | undefined = d; x; x = x.parent) out.push(x.node);
  return out;
}

/** ECMA-119 §6.5.1/§9.1.6 bit 7: a file over 4 GiB as several extents (level 3), without System Use. */
function multiExtentRec(id: string, wide: boolean, n: StagingNode, it: DataItem): Rec {
  const count = Math.ceil(it.size / ISO_MAX_EXTENT);
  const parts: Part[] = [];
  for (let i = 0; i < count; i++) {
    parts.push({ item: it, index: i, length: Math.min(ISO_MAX_EXTENT, it.size - i * ISO_MAX_EXTENT), last: i === count - 1, su: null });
  }
  return rec(id, wide, false, n.hidden, n.mtime, parts[0], parts.slice(1));
}

function suCapacity(idLen: number): number {
  return 254 - (33 + idLen + (idLen % 2 === 0 ? 1 : 0));
}

function mkRec(
  id: string, wide: boolean, isDir: boolean, hidden: boolean, mtime: Date, target: { dir?: Dir; item?: DataItem },
  su: SuspEntry[] | null, ceAreas: SystemUsePlan['areas'],
): Rec {
  const plan = su ? planSystemUse(su, suCapacity(wide ? id.length * 2 : id.length)) : null;
  if (plan && plan.areas.length) for (const a of plan.areas) ceAreas.push(a);
  return { id, wide, isDir, hidden, mtime, dir: target.dir, item: target.item, index: 0, length: target.item ? target.item.size : 0, last: true, su: plan, more: undefined };
}

function recordLen(idLen: number, suLen: number): number {
  const n = 33 + idLen + (idLen % 2 === 0 ? 1 : 0) + suLen;
  return n + (n % 2);
}

/** ECMA-119 §6.8.1.1: a record never crosses a logical sector; the rest of the sector is zero. */
function dirSize(records: Rec[]): number {
  let off = 0;
  for (const r of records) {
    for (let i = 0, n = partCount(r); i < n; i++) {
      const p = partAt(r, i);
      const len = recordLen(idLen(r), p.su?.inlineLength ?? 0);
      if ((off % SECTOR) + len > SECTOR) off = Math.ceil(off / SECTOR) * SECTOR;
      off += len;
    }
  }
  return Math.max(1, sectorsFor(off)) * SECTOR;
}

/**
 * Encodes a facet's directories (laid out back to back) into one buffer — one allocation, not one
 * per directory — and drops their records, so they are garbage before the UDF encoder runs.
 */
function encodeDirsAndRelease(dirs: Dir[]): { lba: number; data: Buffer } {
  const first = dirs[0].lba;
  const last = dirs[dirs.length - 1];
  const buf = Buffer.alloc((last.lba - first) * SECTOR + last.size);
  for (const d of dirs) {
    encodeDir(d, buf, (d.lba - first) * SECTOR);
    d.records = [];
  }
  return { lba: first, data: buf };
}

function encodeDir(d: Dir, buf: Buffer, at: number): void {
  let off = 0;
  for (const r of d.records) {
    for (let i = 0, n = partCount(r); i < n; i++) {
      const p = partAt(r, i);
      const suLen = p.su?.inlineLength ?? 0;
      const il = idLen(r);
      const len = recordLen(il, suLen);
      if ((off % SECTOR) + len > SECTOR) off = Math.ceil(off / SECTOR) * SECTOR;
      writeDirRecord(buf, at + off, len, r.id, r.wide, partLba(p), partLength(p), r.mtime, (r.isDir ? 0x02 : 0) | (r.hidden ? 0x01 : 0) | (p.last ? 0 : 0x80));
      if (p.su) writeEntries(buf, at + off + 33 + il + (il % 2 === 0 ? 1 : 0), p.su.inline);
      off += len;
    }
  }
  if (off > d.size) throw new InternalError(`directory records overrun their extent (${off} > ${d.size})`);
}

/** ECMA-119 §9.1: directory record. */
function writeDirRecord(buf: Buffer, off: number, len: number, id: string, wide: boolean, lba: number, length: number, mtime: Date, flags: number): void {
  buf[off] = len;
  buf[off + 1] = 0; // extended attribute record length
  writeU32Both(buf, off + 2, lba);
  writeU32Both(buf, off + 10, length);
  writeDirDate(buf, off + 18, mtime);
  buf[off + 25] = flags;
  buf[off + 26] = 0; // file unit size (not interleaved)
  buf[off + 27] = 0; // interleave gap
  writeU16Both(buf, off + 28, 1); // volume sequence number
  if (wide) {
    buf[off + 32] = id.length * 2;
    for (let i = 0; i < id.length; i++) buf.writeUInt16BE(id.charCodeAt(i), off + 33 + i * 2);
  } else {
    buf[off + 32] = id.length;
    // Byte by byte (as latin1): identifiers are short, and this runs once per record.
    for (let i = 0; i < id.length; i++) buf[off + 33 + i] = id.charCodeAt(i);
  }
}

// ---------------------------------------------------------------------------------------------
// Joliet tree (same hierarchy, no depth limit, no relocation)

function buildJolietTree(root: StagingNode, items: Map<StagingNode, DataItem>, out: Dir[]): void {
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
    const recs: Rec[] = [
      mkRec('\x00', false, true, false, d.node.mtime, { dir: d }, null, []),
      mkRec('\x01', false, true, false, parent.node.mtime, { dir: parent }, null, []),
    ];
    for (const j of order) {
      const k = kids[j];
      const id = names[j];
      if (k.kind === 'dir') {
        const child = mk(k, d, encodeUcs2(id), d.depth + 1);
        d.subdirs.push(child);
        queue.push(child);
        recs.push(mkRec(id, true, true, k.hidden, k.mtime, { dir: child }, null, []));
      } else {
        // A file, or a link shown as the file of the tree it names (others were left out).
        const it = items.get(k.kind === 'file' ? k : dataOf!.get(k)!)!;
        if (it.size <= ISO_MAX_EXTENT) {
          recs.push(mkRec(id, true, false, k.hidden, k.mtime, { item: it }, null, []));
        } else {
          recs.push(multiExtentRec(id, true, k, it));
        }
      }
    }
    d.records = recs;
    d.size = dirSize(recs);
  }
  if (queue.length > 0xffff) throw new InvalidInputError('more than 65535 directories: the Joliet path table cannot number them');
  out.push(...queue);
}

// ---------------------------------------------------------------------------------------------
// Path tables and volume descriptors

function pathRecordLen(idLen: number): number {
  return 8 + idLen + (idLen % 2);
}

/** ECMA-119 §9.4: path table records (L = little endian, M = big endian). */
function encodePathTable(dirs: Dir[], size: number, bigEndian: boolean): Buffer {
  const buf = Buffer.alloc(sectorsFor(size) * SECTOR);
  let off = 0;
  for (const d of dirs) {
    const id = d.idBytes;
    buf[off] = id.length;
    buf[off + 1] = 0;
    const parentNo = d.parent ? d.parent.number : 1;
    if (bigEndian) { buf.writeUInt32BE(d.lba, off + 2); buf.writeUInt16BE(parentNo, off + 6); }
    else { buf.writeUInt32LE(d.lba, off + 2); buf.writeUInt16LE(parentNo, off + 6); }
    id.copy(buf, off + 8);
    off += pathRecordLen(id.length);
  }
  return buf;
}

/** ECMA-119 §8.4 (PVD) and §8.5 (SVD; Joliet escape sequence "%/E" = UCS-2 level 3). */
function encodeVolumeDescriptor(
  kind: 'pvd' | 'joliet', label: string, totalSectors: number, ptSize: number, lPt: number, mPt: number, root: Dir, now: Date,
): Buffer {
  const b = Buffer.alloc(SECTOR);
  const j = kind === 'joliet';
  b[0] = j ? 2 : 1;
  b.write('CD001', 1, 'latin1');
  b[6] = 1;
  const text = (off: number, len: number, s: string) => (j ? writeUcs2(b, off, len, s) : writeAscii(b, off, len, s));
  text(8, 32, '');
  if (j) writeUcs2(b, 40, 32, label.slice(0, 16));
  else writeAscii(b, 40, 32, isoVolumeId(label));
  writeU32Both(b, 80, totalSectors);
  if (j) b.write('%/E', 88, 'latin1');
  writeU16Both(b, 120, 1); // volume set size
  writeU16Both(b, 124, 1); // volume sequence number
  writeU16Both(b, 128, SECTOR); // logical block size
  writeU32Both(b, 132, ptSize);
  b.writeUInt32LE(lPt, 140);
  b.writeUInt32LE(0, 144);
  b.writeUInt32BE(mPt, 148);
  b.writeUInt32BE(0, 152);
  writeDirRecord(b, 156, 34, '\x00', false, root.lba, root.size, root.node.mtime, 0x02);
  text(190, 128, j ? label.slice(0, 64) : isoVolumeId(label)); // volume set identifier
  text(318, 128, ''); // publisher
  text(446, 128, ''); // data preparer
  text(574, 128, 'GLASSMASTER'); // application
  text(702, 37, ''); // copyright file
  text(739, 37, ''); // abstract file
  text(776, 37, ''); // bibliographic file
  writeVolumeDate(b, 813, now); // creation
  writeVolumeDate(b, 830, now); // modification
  writeVolumeDate(b, 847, undefined); // expiration
  writeVolumeDate(b, 864, undefined); // effective
  b[881] = 1; // file structure version
  return b;
}

// ---------------------------------------------------------------------------------------------
// UDF input tree

const NO_EXTENTS: UdfNodeInput['extents'] = [];

/** The UDF view of the staged tree; file data is already placed (contiguous from its LBA). */
function toUdf(node: StagingNode, items: Map<StagingNode, DataItem>, links: boolean): UdfNodeInput {
  const u: UdfNodeInput = {
    name: node.name,
    kind: node.kind,
    size: node.kind === 'symlink' ? 0 : node.size,
    extents: NO_EXTENTS,
    dataLba: node.kind === 'file' ? items.get(node)!.lba : undefined,
    mtime: node.mtime,
    atime: node.atime,
    ctime: node.ctime,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    hidden: node.hidden,
    symlinkTarget: node.symlinkTarget,
  };
  if (node.children) {
    const kids = sortedChildren(node);
    u.children = (links ? kids : kids.filter((c) => c.kind !== 'symlink')).map((c) => toUdf(c, items, links));
  }
  return u;
}

// ---------------------------------------------------------------------------------------------

function checkOverlaps(meta: MetaPiece[], start: number, total: number): void {
  let end = start;
  for (const m of meta) {
    if (m.lba < end) throw new Error(`layout overlap at LBA ${m.lba} (previous piece ends at ${end})`);
    end = m.lba + ('data' in m ? sectorsFor(m.data.length) : m.sectors);
    if (end > total) throw new Error(`layout piece at LBA ${m.lba} runs past the image end ${total}`);
  }
}

function overCapacity(needed: number, max: number): InvalidInputError {
  return new InvalidInputError(`image needs ${needed} sectors, more than the requested capacity of ${max}`, { path: '/', totalSectors: needed, maxSectors: max });
}

function diskIdFor(label: string, now: Date): number {
  let h = 0x811c9dc5;
  for (const ch of `${label}|${now.getTime()}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

