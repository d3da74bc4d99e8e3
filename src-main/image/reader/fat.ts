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

interface FatGeometry {
  bps: number;
  spc: number;
  reserved: number;
  fats: number;
  rootEntries: number;
  fatSize: number;
  type: FatInfo['type'];
  rootCluster: number;
  firstDataSector: number;
}

function geometry(b: Buffer, info: FatInfo): FatGeometry {
  const bps = b.readUInt16LE(11);
  const reserved = b.readUInt16LE(14);
  const fats = b[16];
  const rootEntries = b.readUInt16LE(17);
  const fatSize = b.readUInt16LE(22) || b.readUInt32LE(36);
  const rootSectors = Math.ceil((rootEntries * 32) / bps);
  return { bps, spc: b[13], reserved, fats, rootEntries, fatSize, type: info.type, rootCluster: info.type === 'FAT32' ? b.readUInt32LE(44) : 0, firstDataSector: reserved + fats * fatSize + rootSectors };
}

const MAX_DIR_BYTES = 1024 * 1024;

/**
 * Lists the files under \EFI\BOOT of a FAT image (UEFI 2.10 §3.5.1.1: removable media boot from
 * \EFI\BOOT\BOOT{arch}.EFI). `readBytes(offset, length)` reads from the FAT image; returns
 * upper-cased 8.3 or long names, or undefined when the directory does not exist.
 */
export async function listEfiBootDir(boot: Buffer, info: FatInfo, readBytes: (offset: number, length: number) => Promise<Buffer | undefined>): Promise<string[] | undefined> {
  const g = geometry(boot, info);
  const clusterBytes = g.bps * g.spc;
  const fatCache = new Map<number, Buffer>();
  const nextCluster = async (c: number): Promise<number> => {
    // FAT §4: 12-bit entries are packed 1.5 bytes each; 16/32-bit entries are plain.
    const off = g.type === 'FAT12' ? c + (c >> 1) : g.type === 'FAT16' ? c * 2 : c * 4;
    const sector = Math.floor(off / g.bps);
    let s = fatCache.get(sector);
    if (!s) {
      s = await readBytes((g.reserved + sector) * g.bps, g.bps * 2);
      if (!s) return -1;
      fatCache.set(sector, s);
    }
    const o = off % g.bps;
    if (g.type === 'FAT12') {
      const v = s.readUInt16LE(o);
      const e = c & 1 ? v >> 4 : v & 0xfff;
      return e >= 0xff8 ? -1 : e;
    }
    if (g.type === 'FAT16') {
      const e = s.readUInt16LE(o);
      return e >= 0xfff8 ? -1 : e;
    }
    const e = s.readUInt32LE(o) & 0x0fffffff;
    return e >= 0x0ffffff8 ? -1 : e;
  };
  const readChain = async (first: number): Promise<Buffer | undefined> => {
    const parts: Buffer[] = [];
    const seen = new Set<number>();
    for (let c = first; c >= 2; c = await nextCluster(c)) {
      if (seen.has(c) || parts.length * clusterBytes >= MAX_DIR_BYTES) return undefined; // loop or absurd size
      seen.add(c);
      const b = await readBytes((g.firstDataSector + (c - 2) * g.spc) * g.bps, clusterBytes);
      if (!b) return undefined;
      parts.push(b);
    }
    return Buffer.concat(parts);
  };
  const rootDir = g.type === 'FAT32' ? await readChain(g.rootCluster) : await readBytes((g.reserved + g.fats * g.fatSize) * g.bps, g.rootEntries * 32);
  if (!rootDir) return undefined;

  // FAT §6: 32-byte entries; 0x00 ends, 0xE5 deleted, attribute 0x0F = long-name part, 0x10 dir, 0x08 label.
  const entries = (dir: Buffer) => {
    const out: { name: string; dir: boolean; cluster: number }[] = [];
    let lfn: string[] = [];
    for (let p = 0; p + 32 <= dir.length; p += 32) {
      const first = dir[p];
      if (first === 0) break;
      const attr = dir[p + 11];
      if (first === 0xe5) {
        lfn = [];
        continue;
      }
      if (attr === 0x0f) {
        const part = Buffer.concat([dir.subarray(p + 1, p + 11), dir.subarray(p + 14, p + 26), dir.subarray(p + 28, p + 32)]).toString('utf16le');
        lfn.unshift(part.replace(/\uffff/g, '').replace(/\0.*$/s, ''));
        continue;
      }
      if (attr & 0x08) {
        lfn = [];
        continue;
      }
      const base = dir.toString('latin1', p, p + 8).trimEnd();
      const ext = dir.toString('latin1', p + 8, p + 11).trimEnd();
      const short = ext ? `${base}.${ext}` : base;
      const cluster = (g.type === 'FAT32' ? dir.readUInt16LE(p + 20) << 16 : 0) | dir.readUInt16LE(p + 26);
      out.push({ name: (lfn.length ? lfn.join('') : short).toUpperCase(), dir: (attr & 0x10) !== 0, cluster });
      lfn = [];
    }
    return out;
  };
  const efi = entries(rootDir).find((e) => e.dir && e.name === 'EFI');
  if (!efi) return undefined;
  const efiDir = await readChain(efi.cluster);
  const bootEnt = efiDir && entries(efiDir).find((e) => e.dir && e.name === 'BOOT');
  if (!bootEnt) return undefined;
  const bootDir = await readChain(bootEnt.cluster);
  if (!bootDir) return undefined;
  return entries(bootDir)
    .filter((e) => !e.dir)
    .map((e) => e.name);
}
