// isohybrid: an MBR in the ISO system area (ECMA-119 §6.2.1 leaves sectors 0-15 to the system)
// so the same image boots from a USB stick. MBR layout: boot code 0-439, disk signature 440,
// partition table 446 (4 x 16 bytes), signature 0x55AA at 510. With syslinux's isohdpfx code the
// BIOS path needs the isolinux LBA (in 512-byte units) at byte 432.
const CHS_MAX = [0xfe, 0xff, 0xff];

export interface IsohybridInput {
  totalSectors: number;
  efi?: { lba: number; size: number };
  biosBootLba?: number;
  mbrCode?: Uint8Array;
  diskId: number;
}

function partition(b: Buffer, i: number, bootable: boolean, type: number, start: number, count: number): void {
  const off = 446 + i * 16;
  b[off] = bootable ? 0x80 : 0;
  // LBA-only entries: CHS fields saturated (as for disks over 8 GB).
  b.set(start === 0 ? [0, 1, 0] : CHS_MAX, off + 1);
  b[off + 4] = type;
  b.set(CHS_MAX, off + 5);
  b.writeUInt32LE(start, off + 8);
  b.writeUInt32LE(count, off + 12);
}

export function encodeIsohybridMbr(input: IsohybridInput): Buffer {
  const b = Buffer.alloc(512);
  if (input.mbrCode) {
    Buffer.from(input.mbrCode.buffer, input.mbrCode.byteOffset, Math.min(432, input.mbrCode.length)).copy(b, 0);
    if (input.biosBootLba !== undefined) b.writeUInt32LE(input.biosBootLba * 4, 432);
  }
  b.writeUInt32LE(input.diskId, 440);
  const total512 = input.totalSectors * 4;
  // Partition 1 starts at 0 and spans the image: the ISO itself (type 0x17 as isohybrid does);
  // partition 2 is the EFI system partition image (type 0xEF, UEFI spec §5.2.2).
  partition(b, 0, true, 0x17, 0, total512);
  if (input.efi) partition(b, 1, false, 0xef, input.efi.lba * 4, Math.ceil(input.efi.size / 512));
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}
