// isohybrid: an MBR in the ISO system area (ECMA-119 §6.2.1 leaves sectors 0-15 to the system)
// so the same image boots from a USB stick. MBR layout: boot code 0-439, disk signature 440,
// partition table 446 (4 x 16 bytes), signature 0x55AA at 510. With syslinux's isohdpfx code the
// BIOS path needs the isolinux LBA (in 512-byte units) at byte 432.
import { crc32 } from 'node:zlib';

const CHS_MAX = [0xfe, 0xff, 0xff];

export interface IsohybridInput {
  totalSectors: number;
  efi?: { lba: number; size: number };
  biosBootLba?: number;
  mbrCode?: Uint8Array;
  diskId: number;
  /** Write a GPT (UEFI spec §5.3) with the EFI image as EFI system partition; the MBR becomes protective. */
  gpt?: boolean;
}

/** 2048-byte sectors a GPT needs at the end of the image: backup entry array + header (33 x 512 bytes). */
export const GPT_TAIL_SECTORS = 9;

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
  if (input.gpt) {
    // UEFI spec §5.2.3 protective MBR: one 0xEE partition from LBA 1 over the whole disk.
    partition(b, 0, false, 0xee, 1, Math.min(0xffffffff, total512 - 1));
  } else {
    // Partition 1 starts at 0 and spans the image: the ISO itself (type 0x17 as isohybrid does);
    // partition 2 is the EFI system partition image (type 0xEF, UEFI spec §5.2.2).
    partition(b, 0, true, 0x17, 0, total512);
    if (input.efi) partition(b, 1, false, 0xef, input.efi.lba * 4, Math.ceil(input.efi.size / 512));
  }
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

/** GUID text → on-disk bytes (UEFI spec Appendix A: first three fields little endian). */
function guidBytes(text: string): Buffer {
  const h = text.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

const ESP_TYPE = guidBytes('C12A7328-F81F-11D2-BA4B-00A0C93EC93B');

/** A deterministic version-4-shaped GUID from a seed (reproducible images). */
function seededGuid(seed: number, salt: number): Buffer {
  const b = Buffer.alloc(16);
  let x = (seed ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0 || 1;
  for (let i = 0; i < 16; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  b[7] = (b[7] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return b;
}

/**
 * GPT (UEFI spec §5.3): returns the primary header + entry array (for image bytes 512..17407)
 * and the backup entry array + header (for the last 33 x 512 bytes of the image).
 */
export function encodeGpt(input: IsohybridInput): { primary: Buffer; backup: Buffer } {
  if (!input.efi) throw new Error('GPT needs the EFI boot image');
  const last = input.totalSectors * 4 - 1;
  const entries = Buffer.alloc(128 * 128);
  ESP_TYPE.copy(entries, 0);
  seededGuid(input.diskId, 1).copy(entries, 16);
  const start = BigInt(input.efi.lba * 4);
  entries.writeBigUInt64LE(start, 32);
  entries.writeBigUInt64LE(start + BigInt(Math.ceil(input.efi.size / 512)) - 1n, 40);
  entries.write('EFI System', 56, 'utf16le');
  const entriesCrc = crc32(entries);
  const header = (myLba: number, altLba: number, entriesLba: number) => {
    const h = Buffer.alloc(512);
    h.write('EFI PART', 0, 'latin1');
    h.writeUInt32LE(0x00010000, 8);
    h.writeUInt32LE(92, 12);
    h.writeBigUInt64LE(BigInt(myLba), 24);
    h.writeBigUInt64LE(BigInt(altLba), 32);
    h.writeBigUInt64LE(34n, 40); // first usable LBA
    h.writeBigUInt64LE(BigInt(last - 33), 48); // last usable LBA
    seededGuid(input.diskId, 0).copy(h, 56);
    h.writeBigUInt64LE(BigInt(entriesLba), 72);
    h.writeUInt32LE(128, 80);
    h.writeUInt32LE(128, 84);
    h.writeUInt32LE(entriesCrc, 88);
    h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
    return h;
  };
  return {
    primary: Buffer.concat([header(1, last, 2), entries]),
    backup: Buffer.concat([entries, header(last, 1, last - 32)]),
  };
}
