// The lead-in's Q channel: the table of contents (ECMA-130 §22.3.3.6, Red Book). A raw (RAW-96)
// burner sends it itself. Mode 1 Q with TNO 00: POINT 01…99 gives a track's start in PMIN/PSEC/PFRAME,
// A0h the first track number (PMIN) and disc type (PSEC, 00h CD-DA/CD-ROM), A1h the last track
// number, A2h the lead-out start; MIN/SEC/FRAME is the running time in the lead-in. Each item is
// repeated in three consecutive frames and the whole table cycles through the lead-in.
import { bcd, LBA_MSF_OFFSET, msfOf } from './msf';
import { crc16Inverted } from './subchannel';

export interface TocPoint {
  /** CONTROL nibble (§22.3.3.1). */
  control: number;
  /** Q mode: 1 (the TOC items) or 5 (the multi-session pointers B0h/C0h, Orange Book Part II). Default 1. */
  adr?: 1 | 5;
  /**
   * Mode 5 only: the three bytes in place of the running time (B0h: the next program area's start,
   * BCD MSF; C0h: ATIP special information, as read) and the ZERO byte (B0h: how many kinds of mode 5
   * pointer the lead-in holds).
   */
  fields?: [number, number, number];
  zero?: number;
  /** 1–99 for a track, 0xA0 / 0xA1 / 0xA2. */
  point: number;
  /** PMIN, PSEC, PFRAME as plain numbers (BCD-encoded here). */
  pmin: number;
  psec: number;
  pframe: number;
}

/** The TOC items of a single-session disc: A0 (first track, disc type), A1 (last track), A2 (lead-out), then each track. */
export function tocPoints(tracks: Array<{ number: number; control: number; start: number }>, leadOut: number, discType = 0): TocPoint[] {
  const first = tracks[0];
  const last = tracks[tracks.length - 1];
  const at = (lba: number) => msfOf(lba + LBA_MSF_OFFSET);
  const [lm, ls, lf] = at(leadOut);
  return [
    { control: first.control, point: 0xa0, pmin: first.number, psec: discType, pframe: 0 },
    { control: last.control, point: 0xa1, pmin: last.number, psec: 0, pframe: 0 },
    { control: last.control, point: 0xa2, pmin: lm, psec: ls, pframe: lf },
    ...tracks.map((t) => {
      const [m, s, f] = at(t.start);
      return { control: t.control, point: t.number, pmin: m, psec: s, pframe: f };
    }),
  ];
}

/** Where a session closed appendable points (Orange Book Part II multi-session lead-in). */
export interface NextSession {
  /** First LBA of the next session's program area (its first track's pregap end). */
  nextProgramLba: number;
  /** The disc's last possible lead-out start (ATIP), as the absolute MSF the ATIP states. */
  lastLeadOut: { m: number; s: number; f: number };
  /** First session only: the disc's lead-in start (ATIP), and the ATIP byte carrying the recording power. */
  firstLeadIn?: { m: number; s: number; f: number; atipPower: number };
}

/**
 * The mode 5 items of an appendable session's lead-in: B0h — MIN/SEC/FRAME the start of the next
 * possible program area, ZERO the number of kinds of mode 5 pointer present, PMIN/PSEC/PFRAME the
 * maximum start of the outermost lead-out; and in the first session C0h — MIN the ATIP's recording
 * power byte, PMIN/PSEC/PFRAME the start of the disc's first lead-in. A reader finds the next
 * session through B0h (a session without it is the last).
 */
export function nextSessionPoints(control: number, next: NextSession): TocPoint[] {
  const [m, s, f] = msfOf(next.nextProgramLba + LBA_MSF_OFFSET);
  const kinds = next.firstLeadIn ? 2 : 1;
  const b0: TocPoint = { control, adr: 5, point: 0xb0, fields: [bcd(m), bcd(s), bcd(f)], zero: kinds, pmin: next.lastLeadOut.m, psec: next.lastLeadOut.s, pframe: next.lastLeadOut.f };
  if (!next.firstLeadIn) return [b0];
  const li = next.firstLeadIn;
  return [b0, { control, adr: 5, point: 0xc0, fields: [li.atipPower, 0, 0], zero: 0, pmin: li.m, psec: li.s, pframe: li.f }];
}

/**
 * 12 bytes of lead-in Q for the `index`-th lead-in frame (0 = the first frame of the lead-in):
 * item ⌊index / 3⌋ mod items, running time `index` frames.
 */
export function leadInQ(points: TocPoint[], index: number): Uint8Array {
  const p = points[Math.floor(index / 3) % points.length];
  const [m, s, f] = msfOf(index);
  // POINT and PMIN of A0/A1 are track numbers, BCD like the times; POINT A0h–A2h is kept as is.
  const point = p.point >= 0xa0 ? p.point : bcd(p.point);
  const q = new Uint8Array(12);
  const time = p.fields ?? [bcd(m), bcd(s), bcd(f)];
  q.set([(p.control << 4) | (p.adr ?? 1), 0, point, ...time, p.zero ?? 0, bcd(p.pmin), bcd(p.psec), bcd(p.pframe)]);
  const crc = crc16Inverted(q, 0, 10);
  q[10] = crc >> 8;
  q[11] = crc & 0xff;
  return q;
}
