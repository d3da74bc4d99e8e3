// The El Torito and isohybrid writer on the layout's model: plan (prepareBootImages: which data
// items are boot images, their first sector read for hard-disk emulation, the boot info table
// prepared), regions (the layout places the images first and the catalog after the anchor), encode
// (encodeBootCatalogFor, isohybridPieces once every LBA is fixed). Structures: boot-catalog.ts,
// isohybrid.ts; their decoders are the reader's (reader/eltorito.ts, reader/partition-table.ts).
import * as fs from 'node:fs';
import { InvalidInputError, IoError } from '../../common/errors';
import { SECTOR } from '../iso9660/encoding';
import type { DataItem } from '../layout/records';
import type { StagingNode } from '../staging/staging-tree';
import {
  encodeBootCatalog, hddSystemType, mediaTypeFor, patchBootInfoTable,
  type BootEmulation, type BootPlatform, type CatalogEntry,
} from './boot-catalog';
import { encodeGpt, encodeIsohybridMbr, GPT_TAIL_SECTORS, type IsohybridInput } from './isohybrid';

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

export interface BootItem { spec: BootSpec; item: DataItem; bytesHead: Buffer }

/**
 * The boot images as data items: a file of the tree (`find`) or a hidden host file (added to
 * `hiddenItems`, placed in no directory). Refuses empty images and images from an earlier session.
 */
export function prepareBootImages(
  boots: readonly BootSpec[], find: (isoPath: string) => StagingNode | undefined, items: Map<StagingNode, DataItem>, hiddenItems: DataItem[],
): BootItem[] {
  const out: BootItem[] = [];
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
      const node = find(b.isoPath);
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
      item.patch = (lba) => patchBootInfoTable(whole, 0, lba); // PVD LBA filled in encodeBootCatalogFor
    }
    out.push({ spec: b, item, bytesHead: head });
  }
  return out;
}

/** The catalog sector for placed boot images; images with a boot info table get it filled in (their source becomes the patched bytes). */
export function encodeBootCatalogFor(bootItems: readonly BootItem[], pvdLba: number): Buffer {
  const entries: CatalogEntry[] = bootItems.map(({ spec: b, item, bytesHead }) => {
    const emulation = b.emulation ?? 'none';
    const mediaType = mediaTypeFor(emulation, item.size, item.path);
    const systemType = emulation === 'hdd' ? hddSystemType(bytesHead, item.path) : 0;
    // §2.2: emulated media load 1 sector; no emulation loads `loadSize` virtual sectors
    // (BIOS default 4 = one CD sector; EFI: the whole ESP image, capped at the 16-bit field).
    const sectorCount = emulation !== 'none' ? 1 : b.loadSize ?? (b.platform === 'efi' ? Math.min(0xffff, Math.ceil(item.size / 512)) : 4);
    return { platform: b.platform, mediaType, systemType, sectorCount, loadRba: item.lba };
  });
  const catalog = encodeBootCatalog(entries);
  for (const { item } of bootItems) {
    if (item.patch) {
      const patched = item.patch(item.lba);
      patched.writeUInt32LE(pvdLba, 8);
      item.source = { type: 'buffer', data: patched };
      item.patch = undefined;
    }
  }
  return catalog;
}

/**
 * The isohybrid system area: an MBR (partition over the image, 0xEF partition = the EFI image),
 * with `gpt` a protective MBR and GPT whose primary header sits at 512-byte LBA 1 and whose backup
 * entries and header fill the last 33 × 512 bytes.
 */
export function isohybridPieces(
  bootItems: readonly BootItem[], o: Pick<IsohybridInput, 'totalSectors' | 'mbrCode' | 'diskId' | 'gpt'>,
): { lba: number; data: Buffer }[] {
  const efi = bootItems.find((b) => b.spec.platform === 'efi');
  const bios = bootItems.find((b) => b.spec.platform === 'bios');
  const input: IsohybridInput = { ...o, efi: efi ? { lba: efi.item.lba, size: efi.item.size } : undefined, biosBootLba: bios?.item.lba };
  const mbr = encodeIsohybridMbr(input);
  if (!o.gpt) return [{ lba: 0, data: mbr }];
  const { primary, backup } = encodeGpt(input);
  const tail = Buffer.alloc(GPT_TAIL_SECTORS * SECTOR);
  backup.copy(tail, tail.length - backup.length);
  return [{ lba: 0, data: Buffer.concat([mbr, primary]) }, { lba: o.totalSectors - GPT_TAIL_SECTORS, data: tail }];
}

/** A disk signature that follows the label and the recording time (same input, same image). */
export function diskIdFor(label: string, now: Date): number {
  let h = 0x811c9dc5;
  for (const ch of `${label}|${now.getTime()}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
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
