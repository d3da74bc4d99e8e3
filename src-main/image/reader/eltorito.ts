// El Torito Bootable CD-ROM Format Specification 1.0: boot record volume descriptor (§2.0) and the
// boot catalog it points to (§2.1-2.4, section headers/entries §2.4-2.5).
import { InvalidImageError } from '../../common/errors';
import { type BlockReader, SECTOR } from './block-reader';
import { asciiField } from './bytes';
import type { RawDescriptor } from './iso9660';

/** Catalog entries are 32 bytes; real catalogs fit a sector or two. Bounded against hostile chains. */
const MAX_CATALOG_SECTORS = 16;

export type Emulation = 'none' | '1.2M floppy' | '1.44M floppy' | '2.88M floppy' | 'hard disk' | 'unknown';

export interface BootEntry {
  /** 'default' = initial/default entry (§2.2), 'section' = section entry (§2.4). */
  role: 'default' | 'section';
  bootable: boolean;
  /** Platform of the validation entry (default) or the section header (§2.1: 0 x86, 1 PowerPC, 2 Mac, 0xEF EFI). */
  platformId: number;
  platform: string;
  emulation: Emulation;
  mediaType: number;
  loadSegment: number;
  systemType: number;
  /** Virtual (512-byte) sectors loaded by the BIOS (§2.2 offset 6). */
  loadSize: number;
  loadRba: number;
  sectionId?: string;
}

export interface BootCatalog {
  catalogLba: number;
  validation: { platformId: number; platform: string; idString: string; checksumOk: boolean; keyOk: boolean };
  entries: BootEntry[];
  warnings: string[];
}

export function platformName(id: number): string {
  return id === 0 ? 'x86 BIOS' : id === 1 ? 'PowerPC' : id === 2 ? 'Mac' : id === 0xef ? 'UEFI' : `unknown (0x${id.toString(16)})`;
}

function emulation(mediaType: number): Emulation {
  // §2.2 offset 1, bits 0-3.
  return (['none', '1.2M floppy', '1.44M floppy', '2.88M floppy', 'hard disk'] as const)[mediaType & 0x0f] ?? 'unknown';
}

function decodeEntry(b: Buffer, off: number, role: BootEntry['role'], platformId: number): BootEntry {
  return {
    role,
    bootable: b[off] === 0x88,
    platformId,
    platform: platformName(platformId),
    emulation: emulation(b[off + 1]),
    mediaType: b[off + 1],
    loadSegment: b.readUInt16LE(off + 2),
    systemType: b[off + 4],
    loadSize: b.readUInt16LE(off + 6),
    loadRba: b.readUInt32LE(off + 8),
  };
}

export async function readBootCatalog(reader: BlockReader, bootRecord: RawDescriptor): Promise<BootCatalog> {
  // §2.0: boot system identifier at offset 7, catalog pointer (LE 32) at offset 0x47.
  if (asciiField(bootRecord.bytes, 7, 32) !== 'EL TORITO SPECIFICATION') throw new InvalidImageError('boot record is not El Torito');
  const catalogLba = bootRecord.bytes.readUInt32LE(0x47);
  if (catalogLba >= reader.sectorCount) throw new InvalidImageError(`boot catalog pointer ${catalogLba} lies outside the image`, { lba: catalogLba });
  const n = Math.min(MAX_CATALOG_SECTORS, reader.sectorCount - catalogLba);
  const b = await reader.read(catalogLba, n);
  const warnings: string[] = [];

  // §2.1 validation entry: header 1, platform, ID string, checksum word, key 55 AA; all 16 words sum to 0.
  if (b[0] !== 1) throw new InvalidImageError(`boot catalog at sector ${catalogLba} has no validation entry (header ID ${b[0]})`, { lba: catalogLba });
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + b.readUInt16LE(i)) & 0xffff;
  const validation = {
    platformId: b[1],
    platform: platformName(b[1]),
    idString: asciiField(b, 4, 24),
    checksumOk: sum === 0,
    keyOk: b[30] === 0x55 && b[31] === 0xaa,
  };
  if (!validation.checksumOk) warnings.push('catalog checksum invalid (validation entry words do not sum to 0)');
  if (!validation.keyOk) warnings.push('catalog validation entry key bytes are not 55 AA');

  const entries: BootEntry[] = [decodeEntry(b, 32, 'default', validation.platformId)];
  let off = 64;
  let more = true;
  while (more && off + 32 <= b.length) {
    const h = b[off];
    // §2.4: 0x90 = header, more follow; 0x91 = final header.
    if (h !== 0x90 && h !== 0x91) break;
    more = h === 0x90;
    const platformId = b[off + 1];
    const count = b.readUInt16LE(off + 2);
    const sectionId = asciiField(b, off + 4, 28);
    off += 32;
    for (let i = 0; i < count; i++) {
      if (off + 32 > b.length) throw new InvalidImageError(`boot catalog section runs past ${MAX_CATALOG_SECTORS} sectors`, { lba: catalogLba });
      const e = decodeEntry(b, off, 'section', platformId);
      if (sectionId) e.sectionId = sectionId;
      entries.push(e);
      off += 32;
      // §2.5: extension entries (0x44) follow while bit 5 of the previous entry's selection says so.
      while (off + 32 <= b.length && b[off] === 0x44) off += 32;
    }
  }
  if (off > SECTOR * n) warnings.push('boot catalog ends abruptly');
  for (const e of entries) {
    if (e.loadRba >= reader.sectorCount) warnings.push(`boot image at sector ${e.loadRba} (${e.platform}) lies outside the image`);
  }
  return { catalogLba, validation, entries, warnings };
}
