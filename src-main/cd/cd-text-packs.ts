// CD-TEXT packs as the lead-in R-W channels carry them (Red Book CD-TEXT, MMC-6 Annex J): 18-byte
// packs, four to a sector's 96 six-bit R-W symbols (mode 4, not interleaved in the lead-in), each
// sealed with the inverted CRC-16 CCITT of its first 16 bytes. Building the packs of an album is
// audio/cd-text.ts; this is only the carriage.
import { crc16Inverted } from './subchannel';

export const CD_TEXT_PACK_BYTES = 18;

/** True when an 18-byte pack is of a CD-TEXT type (80h–8Fh) and its CRC matches. */
export function cdTextPackValid(pk: Uint8Array): boolean {
  return pk.length >= 18 && pk[0] >= 0x80 && pk[0] <= 0x8f && crc16Inverted(pk, 0, 16) === ((pk[16] << 8) | pk[17]);
}

/**
 * The four 18-byte packs in one block's R-W channels: 96 six-bit symbols = 72 bytes. Only packs of a
 * CD-TEXT type (80h–8Fh) with a correct CRC are returned.
 */
export function cdTextPacksOf(pw: Uint8Array): Uint8Array[] {
  const bytes = new Uint8Array(72);
  for (let i = 0; i < 96; i += 4) {
    const v = ((pw[i] & 0x3f) << 18) | ((pw[i + 1] & 0x3f) << 12) | ((pw[i + 2] & 0x3f) << 6) | (pw[i + 3] & 0x3f);
    const o = (i / 4) * 3;
    bytes[o] = v >> 16;
    bytes[o + 1] = (v >> 8) & 0xff;
    bytes[o + 2] = v & 0xff;
  }
  const packs: Uint8Array[] = [];
  for (let o = 0; o < 72; o += 18) {
    const pk = bytes.slice(o, o + 18);
    if (cdTextPackValid(pk)) packs.push(pk);
  }
  return packs;
}

/** The inverse of cdTextPacksOf: up to four packs into the R-W bits of 96 sub-channel bytes (P and Q zero). */
export function rwOfCdTextPacks(packs: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(72);
  packs.slice(0, 4).forEach((p, i) => bytes.set(p.subarray(0, 18), i * 18));
  const out = new Uint8Array(96);
  for (let i = 0; i < 24; i++) {
    const v = (bytes[i * 3] << 16) | (bytes[i * 3 + 1] << 8) | bytes[i * 3 + 2];
    out.set([(v >> 18) & 0x3f, (v >> 12) & 0x3f, (v >> 6) & 0x3f, v & 0x3f], i * 4);
  }
  return out;
}

/** Sets the CRC of an 18-byte CD-TEXT pack (bytes 16–17, MSB first). */
export function sealCdTextPack(pk: Uint8Array): Uint8Array {
  const c = crc16Inverted(pk, 0, 16);
  pk[16] = c >> 8;
  pk[17] = c & 0xff;
  return pk;
}
