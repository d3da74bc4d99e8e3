// El Torito Bootable CD-ROM Format Specification 1.0: the Boot Record Volume Descriptor (§2.0),
// the Boot Catalog (§2.1-§2.4: validation entry, initial/default entry, section headers and
// section entries), and the boot information table isolinux expects (mkisofs -boot-info-table).
import { InvalidInputError } from '../../common/errors';

export type BootPlatform = 'bios' | 'efi';
export type BootEmulation = 'none' | 'floppy' | 'hdd';

/** El Torito §2.1: platform IDs 0 = 80x86, 0xEF = EFI (UEFI spec §13.3.2.1). */
export const PLATFORM_ID: Record<BootPlatform, number> = { bios: 0x00, efi: 0xef };

export interface CatalogEntry {
  platform: BootPlatform;
  /** El Torito §2.2 media type: 0 no emulation, 1/2/3 = 1.2/1.44/2.88 MB floppy, 4 hard disk. */
  mediaType: number;
  /** Partition type byte for hard-disk emulation (§2.2 "System Type"). */
  systemType: number;
  /** Virtual 512-byte sectors loaded at boot (§2.2 "Sector Count"). */
  sectorCount: number;
  loadRba: number;
}

/** §2.0: "CD001", version 1, "EL TORITO SPECIFICATION", catalog LBA at byte 0x47. */
export function encodeBootRecord(catalogLba: number): Buffer {
  const b = Buffer.alloc(2048);
  b[0] = 0;
  b.write('CD001', 1, 'latin1');
  b[6] = 1;
  b.write('EL TORITO SPECIFICATION', 7, 'latin1');
  b.writeUInt32LE(catalogLba, 0x47);
  return b;
}

/** Floppy emulation media type by exact image size (§2.2). */
export function mediaTypeFor(emulation: BootEmulation, size: number, path: string): number {
  if (emulation === 'none') return 0;
  if (emulation === 'hdd') return 4;
  const bySize: Record<number, number> = { 1228800: 1, 1474560: 2, 2949120: 3 };
  const t = bySize[size];
  if (!t) throw new InvalidInputError(`floppy emulation needs a 1.2, 1.44 or 2.88 MB image, ${path} has ${size} bytes`, { path });
  return t;
}

/** Hard-disk emulation: the image must be an MBR disk with exactly one used partition (§2.2 note). */
export function hddSystemType(firstSector: Uint8Array, path: string): number {
  if (firstSector.length < 512 || firstSector[510] !== 0x55 || firstSector[511] !== 0xaa) {
    throw new InvalidInputError(`hard-disk emulation needs an MBR disk image: ${path}`, { path });
  }
  const types = [0, 1, 2, 3].map((i) => firstSector[446 + i * 16 + 4]).filter((t) => t !== 0);
  if (types.length !== 1) throw new InvalidInputError(`hard-disk emulation needs exactly one partition in ${path}`, { path });
  return types[0];
}

function writeEntry(b: Buffer, off: number, e: CatalogEntry): void {
  b[off] = 0x88; // bootable
  b[off + 1] = e.mediaType;
  b.writeUInt16LE(0, off + 2); // load segment 0 = traditional 0x7C0
  b[off + 4] = e.systemType;
  b.writeUInt16LE(e.sectorCount, off + 6);
  b.writeUInt32LE(e.loadRba, off + 8);
}

/**
 * One catalog sector: validation entry for the first entry's platform, that entry as the
 * initial/default entry, then one section (header 0x90, last 0x91) per further platform group.
 */
export function encodeBootCatalog(entries: CatalogEntry[]): Buffer {
  if (entries.length === 0) throw new InvalidInputError('no boot entries');
  const b = Buffer.alloc(2048);
  b[0] = 1;
  b[1] = PLATFORM_ID[entries[0].platform];
  b[30] = 0x55;
  b[31] = 0xaa;
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + b.readUInt16LE(i)) & 0xffff;
  b.writeUInt16LE((0x10000 - sum) & 0xffff, 28); // §2.1: all words sum to zero
  writeEntry(b, 32, entries[0]);
  const rest = entries.slice(1);
  const groups: CatalogEntry[][] = [];
  for (const e of rest) {
    const last = groups[groups.length - 1];
    if (last && last[0].platform === e.platform) last.push(e);
    else groups.push([e]);
  }
  let off = 64;
  groups.forEach((g, gi) => {
    if (off + 32 * (g.length + 1) > 2048) throw new InvalidInputError('too many boot entries for one catalog sector');
    b[off] = gi === groups.length - 1 ? 0x91 : 0x90;
    b[off + 1] = PLATFORM_ID[g[0].platform];
    b.writeUInt16LE(g.length, off + 2);
    off += 32;
    for (const e of g) {
      writeEntry(b, off, e);
      off += 32;
    }
  });
  return b;
}

/**
 * Boot information table (mkisofs -boot-info-table, used by isolinux): at byte 8 of the boot
 * file, LBA of the PVD, LBA of the boot file, its length, and the 32-bit sum of its LE words from
 * byte 64 to the end. Returns a patched copy.
 */
export function patchBootInfoTable(file: Uint8Array, pvdLba: number, fileLba: number): Buffer {
  const b = Buffer.alloc(Math.ceil(file.length / 4) * 4);
  Buffer.from(file.buffer, file.byteOffset, file.length).copy(b);
  if (file.length < 64) throw new InvalidInputError('boot file too small for a boot info table');
  let sum = 0;
  for (let i = 64; i < b.length; i += 4) sum = (sum + b.readUInt32LE(i)) >>> 0;
  b.fill(0, 8, 64);
  b.writeUInt32LE(pvdLba, 8);
  b.writeUInt32LE(fileLba, 12);
  b.writeUInt32LE(file.length, 16);
  b.writeUInt32LE(sum, 20);
  return b.subarray(0, file.length);
}
