// Boot inspection: what a BIOS or UEFI firmware will find on the disc (El Torito) and on a USB
// stick (hybrid MBR/GPT in the system area), with the warnings a user needs before burning.
import { InvalidImageError } from '../../common/errors';
import { type BlockReader, type ClosableBlockReader, SECTOR, fileBlockReader } from './block-reader';
import { asciiField } from './bytes';
import { readBootCatalog, type BootEntry } from './eltorito';
import { decodeFatBootSector, listEfiBootDir, type FatInfo } from './fat';
import { openImage } from './image';
import { readVolumeDescriptors } from './iso9660';
import { decodeMbr, readGpt, type GptInfo, type MbrInfo } from './partition-table';
import type { TreeNode } from './types';

export interface BootImageInfo {
  /** Path of the boot image in the ISO 9660/Rock Ridge tree, when a file starts at the load RBA. */
  isoPath?: string;
  /** Size of that file, when found. */
  fileSize?: number;
  /** The image holds a FAT file system (what UEFI requires of an EFI El Torito image, UEFI §13.3.2). */
  fat?: FatInfo;
  /** Files in \EFI\BOOT of that FAT image (UEFI §3.5.1.1 default loaders such as BOOTX64.EFI). */
  efiBootFiles?: string[];
}

export interface BootReportEntry extends BootEntry {
  image: BootImageInfo;
}

export interface BootReport {
  source: string;
  eltorito?: {
    catalogLba: number;
    catalogPath?: string;
    validation: { platformId: number; platform: string; idString: string; checksumOk: boolean; keyOk: boolean };
    entries: BootReportEntry[];
  };
  mbr?: MbrInfo;
  gpt?: GptInfo;
  /** Quick answers. */
  bios: boolean;
  uefi: boolean;
  hybrid: boolean;
  warnings: string[];
}

export async function inspectBoot(source: string | BlockReader): Promise<BootReport> {
  const owned: ClosableBlockReader | undefined = typeof source === 'string' ? await fileBlockReader(source) : undefined;
  const reader = owned ?? (source as BlockReader);
  try {
    return await inspect(reader, typeof source === 'string' ? source : '<block reader>');
  } finally {
    await owned?.close();
  }
}

async function inspect(reader: BlockReader, label: string): Promise<BootReport> {
  const warnings: string[] = [];
  const report: BootReport = { source: label, bios: false, uefi: false, hybrid: false, warnings };
  if (reader.sectorCount === 0) throw new InvalidImageError('image is empty');

  // System area: MBR and GPT (independent of the file system).
  const s0 = await reader.read(0, 1);
  report.mbr = decodeMbr(s0);
  try {
    report.gpt = await readGpt(reader);
  } catch (err) {
    if (!(err instanceof InvalidImageError)) throw err;
    warnings.push(`GPT unreadable: ${err.message}`);
  }
  const imageBytes = reader.sectorCount * SECTOR;
  if (report.mbr) {
    for (const p of report.mbr.partitions) {
      if ((p.start + p.sectors) * 512 > imageBytes) warnings.push(`MBR partition ${p.index} ends past the end of the image`);
    }
  }
  if (report.gpt) {
    const g = report.gpt;
    if (!g.headerCrcOk) warnings.push('GPT header CRC32 invalid: firmware will ignore this GPT');
    if (!g.entriesCrcOk) warnings.push('GPT partition entry array CRC32 invalid: firmware will ignore this GPT');
    if (g.backup !== 'ok') warnings.push(`GPT backup header ${g.backup} (LBA ${g.backupLba})`);
    if (!report.mbr) warnings.push('GPT without a protective or hybrid MBR');
  }
  report.hybrid = (report.mbr?.partitions.length ?? 0) > 0 || report.gpt !== undefined;

  // El Torito (only from the first session's descriptors: firmware reads sector 17 of the disc).
  let tree: TreeNode | undefined;
  const vds = reader.sectorCount > 17 ? await readVolumeDescriptors(reader, 0) : undefined;
  const br = vds?.bootRecord;
  if (!br || asciiField(br.bytes, 7, 32) !== 'EL TORITO SPECIFICATION') {
    warnings.push('no El Torito boot record: not bootable from optical media');
  } else {
    try {
      const info = await openImage(reader, { sessionStart: 0 });
      const facet = info.facets.includes('rockridge') ? 'rockridge' : 'iso9660';
      tree = await info.tree(facet);
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
      warnings.push(`ISO 9660 tree unreadable, boot image paths unknown: ${err.message}`);
    }
    const byLba = new Map<number, { path: string; node: TreeNode }>();
    const walk = (n: TreeNode, prefix: string) => {
      for (const c of n.children ?? []) {
        const p = `${prefix}/${c.name}`;
        if (c.kind === 'file' && c.extents.length && !byLba.has(c.extents[0].lba)) byLba.set(c.extents[0].lba, { path: p, node: c });
        if (c.kind === 'dir') walk(c, p);
      }
    };
    if (tree) walk(tree, '');
    const cat = await readBootCatalog(reader, br);
    warnings.push(...cat.warnings);
    const entries: BootReportEntry[] = [];
    for (const e of cat.entries) {
      const image: BootImageInfo = {};
      const f = byLba.get(e.loadRba);
      if (f) {
        image.isoPath = f.path;
        image.fileSize = f.node.size;
      }
      if (e.loadRba < reader.sectorCount) {
        const first = await reader.read(e.loadRba, 1);
        image.fat = decodeFatBootSector(first);
        if (image.fat && e.platformId === 0xef) {
          const base = e.loadRba * SECTOR;
          const limit = Math.min(image.fat.size, reader.sectorCount * SECTOR - base);
          const readFat = async (off: number, len: number) => {
            if (off < 0 || off + len > limit) return undefined;
            const s = Math.floor((base + off) / SECTOR);
            const n = Math.ceil((base + off + len) / SECTOR) - s;
            const b = await reader.read(s, n);
            return b.subarray(base + off - s * SECTOR, base + off - s * SECTOR + len);
          };
          image.efiBootFiles = (await listEfiBootDir(first, image.fat, readFat)) ?? [];
        }
      }
      entries.push({ ...e, image });
    }
    report.eltorito = { catalogLba: cat.catalogLba, catalogPath: byLba.get(cat.catalogLba)?.path, validation: cat.validation, entries };

    const bootable = entries.filter((e) => e.bootable);
    const bios = bootable.filter((e) => e.platformId === 0);
    const efi = bootable.filter((e) => e.platformId === 0xef);
    report.bios = bios.length > 0;
    report.uefi = efi.length > 0;
    for (const e of entries.filter((x) => !x.bootable)) warnings.push(`${e.platform} entry at sector ${e.loadRba} is marked not bootable (indicator 0x00)`);
    if (!report.uefi) warnings.push('no UEFI entry: will not boot from optical under UEFI');
    if (!report.bios) warnings.push('no BIOS (platform 0x00) entry: will not boot from optical on legacy BIOS');
    for (const e of efi) {
      if (!e.image.fat) warnings.push(`EFI entry points to an image that is not a FAT file system (sector ${e.loadRba})`);
      else {
        // El Torito §2.2: load size in 512-byte sectors; 0 or 1 are used for "whole image" by some
        // writers, which UEFI firmware then sizes from the FAT itself.
        const loadBytes = e.loadSize * 512;
        if (e.loadSize > 1 && loadBytes < e.image.fat.size) warnings.push(`EFI entry load size (${loadBytes} bytes) is smaller than its FAT file system (${e.image.fat.size} bytes)`);
      }
      // UEFI §3.5.1.1: removable media boot looks for \EFI\BOOT\BOOT{arch}.EFI only.
      if (e.image.fat && e.image.efiBootFiles && !e.image.efiBootFiles.some((f) => /^BOOT(X64|IA32|AA64|ARM|RISCV64|LOONGARCH64)\.EFI$/.test(f))) {
        warnings.push(`EFI image at sector ${e.loadRba} has no \\EFI\\BOOT\\BOOT<arch>.EFI default loader: UEFI firmware will not find anything to boot`);
      }
      if (e.emulation !== 'none') warnings.push(`EFI entry uses ${e.emulation} emulation; UEFI expects no emulation`);
    }
    for (const e of bios) {
      if (e.emulation === 'none' && e.loadSize === 0) warnings.push('BIOS no-emulation entry has load size 0: some BIOSes load nothing');
    }
  }
  // A USB stick boots under UEFI from the system-area GPT/MBR ESP instead.
  const gptEsp = report.gpt?.partitions.some((p) => p.typeName === 'EFI System' || p.typeName === 'Basic data');
  const mbrEsp = report.mbr?.partitions.some((p) => p.type === 0xef);
  if (report.hybrid && !gptEsp && !mbrEsp && report.uefi) warnings.push('hybrid system area has no EFI System partition: a USB copy will not boot under UEFI');
  return report;
}
