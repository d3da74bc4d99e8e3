// A tiny FAT12 EFI system partition image (Microsoft FAT specification 1.03): \EFI\BOOT\BOOTX64.EFI,
// made in code so the El Torito seed has a real ESP for the reader's FAT walk (reader/fat.ts).

const BPS = 512;
const TOTAL = 64; // sectors: 1 reserved, 2 FATs of 1, 1 root directory sector, 60 data clusters

function dirEntry(b: Buffer, off: number, name83: string, attr: number, cluster: number, size: number): void {
  b.write(name83.padEnd(11, ' '), off, 11, 'latin1'); // §6: 8.3 name, space padded
  b[off + 11] = attr;
  b.writeUInt16LE(cluster, off + 26);
  b.writeUInt32LE(size, off + 28);
}

export function tinyEsp(): Buffer {
  const img = Buffer.alloc(TOTAL * BPS);
  // §3.1-3.2 boot sector / BPB.
  img[0] = 0xeb;
  img[1] = 0x3c;
  img[2] = 0x90;
  img.write('GLASSFUZ', 3, 'latin1');
  img.writeUInt16LE(BPS, 11);
  img[13] = 1; // sectors per cluster
  img.writeUInt16LE(1, 14); // reserved sectors
  img[16] = 2; // FATs
  img.writeUInt16LE(16, 17); // root entries: one sector
  img.writeUInt16LE(TOTAL, 19);
  img[21] = 0xf8;
  img.writeUInt16LE(1, 22); // sectors per FAT
  img[38] = 0x29;
  img.write('ESP        ', 43, 'latin1');
  img.write('FAT12   ', 54, 'latin1');
  img[510] = 0x55;
  img[511] = 0xaa;
  // §4: FAT12, entries 0/1 reserved; clusters 2 (EFI), 3 (BOOT), 4 (BOOTX64.EFI) end their chains.
  for (const fat of [1, 2]) {
    const f = fat * BPS;
    img[f] = 0xf8;
    img[f + 1] = 0xff;
    img[f + 2] = 0xff;
    // Clusters 2 and 3 share bytes 3-5, cluster 4 bytes 6-7 (12-bit packing).
    img[f + 3] = 0xff;
    img[f + 4] = 0xff;
    img[f + 5] = 0xff;
    img[f + 6] = 0xff;
    img[f + 7] = 0x0f;
  }
  const root = 3 * BPS;
  const data = 4 * BPS; // cluster 2
  dirEntry(img, root, 'EFI', 0x10, 2, 0);
  dirEntry(img, data, '.', 0x10, 2, 0);
  dirEntry(img, data + 32, '..', 0x10, 0, 0);
  dirEntry(img, data + 64, 'BOOT', 0x10, 3, 0);
  const boot = data + BPS; // cluster 3
  dirEntry(img, boot, '.', 0x10, 3, 0);
  dirEntry(img, boot + 32, '..', 0x10, 2, 0);
  dirEntry(img, boot + 64, 'BOOTX64 EFI', 0x20, 4, 5);
  img.write('MZ...', data + 2 * BPS, 'latin1');
  return img;
}
