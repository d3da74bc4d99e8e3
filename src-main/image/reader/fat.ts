// FAT boot sector (BPB) as described by Microsoft's FAT specification ("FAT: General Overview of
// On-Disk Format" 1.03, §3.1-3.3): enough to tell an EFI system partition image from anything else.

export interface FatInfo {
  type: 'FAT12' | 'FAT16' | 'FAT32';
  bytesPerSector: number;
  totalSectors: number;
  /** Size of the file system in bytes. */
  size: number;
  label?: string;
  oemName: string;
}

/** Returns undefined when the sector is not a plausible FAT boot sector. */
export function decodeFatBootSector(b: Buffer): FatInfo | undefined {
  if (b.length < 512) return undefined;
  if (!(b[0] === 0xeb && b[2] === 0x90) && b[0] !== 0xe9) return undefined; // §3.1 BS_jmpBoot
  if (b[510] !== 0x55 || b[511] !== 0xaa) return undefined;
  const bps = b.readUInt16LE(11);
  const spc = b[13];
  const reserved = b.readUInt16LE(14);
  const fats = b[16];
  const rootEntries = b.readUInt16LE(17);
  const tot = b.readUInt16LE(19) || b.readUInt32LE(32);
  const fatSize = b.readUInt16LE(22) || b.readUInt32LE(36);
  if (![512, 1024, 2048, 4096].includes(bps) || spc === 0 || (spc & (spc - 1)) !== 0 || reserved === 0 || fats === 0 || tot === 0 || fatSize === 0) return undefined;
  // §3.5: the FAT type is decided by the cluster count alone.
  const rootSectors = Math.ceil((rootEntries * 32) / bps);
  const dataSectors = tot - (reserved + fats * fatSize + rootSectors);
  if (dataSectors <= 0) return undefined;
  const clusters = Math.floor(dataSectors / spc);
  const type = clusters < 4085 ? 'FAT12' : clusters < 65525 ? 'FAT16' : 'FAT32';
  // §3.2/§3.3: extended boot signature 0x29 says the volume label field is valid.
  const sigOff = type === 'FAT32' ? 66 : 38;
  const labelOff = type === 'FAT32' ? 71 : 43;
  const label = b[sigOff] === 0x29 ? b.toString('latin1', labelOff, labelOff + 11).replace(/\s+$/, '') : undefined;
  return { type, bytesPerSector: bps, totalSectors: tot, size: tot * bps, label: label && label !== 'NO NAME' ? label : undefined, oemName: b.toString('latin1', 3, 11).replace(/\s+$/, '') };
}
