// Decoding the Q sub-channel as a drive returns it (READ CD formatted Q, or unpacked from raw P-W):
// the inverse of subchannel.ts' qMode1/qMode2Mcn/qMode3Isrc (ECMA-130 §22.3.3–22.3.5). Pure.
import { fromBcd, LBA_MSF_OFFSET } from './msf';
import { qCrcValid } from './subchannel';

export type DecodedQ =
  | { adr: 1; control: number; track: number; index: number; relative: number; lba: number }
  | { adr: 2; control: number; mcn: string }
  | { adr: 3; control: number; isrc: string };

const msfFrames = (m: number, s: number, f: number): number => {
  const [mm, ss, ff] = [fromBcd(m), fromBcd(s), fromBcd(f)];
  return mm < 0 || ss < 0 || ff < 0 || ss > 59 || ff > 74 ? -1 : (mm * 60 + ss) * 75 + ff;
};

/** ISRC 6-bit character codes (§22.3.5): 0–9 are digits, 17–42 are A–Z. */
const isrcChar = (v: number): string | undefined => (v <= 9 ? String(v) : v >= 17 && v <= 42 ? String.fromCharCode(65 + v - 17) : undefined);

/**
 * The meaning of 12 bytes of Q (10 data bytes + CRC), or undefined when it cannot be trusted.
 * `lba`: the sector the frame was read from. A frame whose CRC fails is refused — except a mode 1
 * frame whose CRC bytes are zero (drives that do not return the CRC in formatted Q, MMC-6 §6.19
 * leaves it to them) and whose absolute time names exactly `lba`.
 */
export function decodeQ(q: Uint8Array, lba?: number): DecodedQ | undefined {
  if (q.length < 12) return undefined;
  const crcOk = qCrcValid(q);
  const control = q[0] >> 4;
  const adr = q[0] & 0x0f;
  if (adr === 1) {
    const track = fromBcd(q[1]);
    // TNO AAh is the lead-out; index is BCD 00–99.
    const tno = q[1] === 0xaa ? 0xaa : track;
    const index = fromBcd(q[2]);
    const relative = msfFrames(q[3], q[4], q[5]);
    const abs = msfFrames(q[7], q[8], q[9]);
    if (tno < 0 || index < 0 || relative < 0 || abs < 0) return undefined;
    const at = abs - LBA_MSF_OFFSET;
    if (!crcOk && !(q[10] === 0 && q[11] === 0 && lba !== undefined && at === lba)) return undefined;
    return { adr: 1, control, track: tno, index, relative, lba: at };
  }
  if (!crcOk) return undefined;
  if (adr === 2) {
    let mcn = '';
    for (let i = 0; i < 13; i++) {
      const b = q[1 + (i >> 1)];
      const d = i & 1 ? b & 0x0f : b >> 4;
      if (d > 9) return undefined;
      mcn += d;
    }
    return { adr: 2, control, mcn };
  }
  if (adr === 3) {
    // Five 6-bit characters in bytes 1–4 (30 bits + 2 zero bits), then seven BCD digits.
    const bits = ((q[1] << 24) >>> 0) + (q[2] << 16) + (q[3] << 8) + q[4];
    let isrc = '';
    for (let i = 0; i < 5; i++) {
      const c = isrcChar(Math.floor(bits / 2 ** (26 - 6 * i)) & 0x3f);
      if (c === undefined) return undefined;
      isrc += c;
    }
    for (let i = 0; i < 7; i++) {
      const b = q[5 + (i >> 1)];
      const d = i & 1 ? b & 0x0f : b >> 4;
      if (d > 9) return undefined;
      isrc += d;
    }
    return { adr: 3, control, isrc };
  }
  return undefined;
}
