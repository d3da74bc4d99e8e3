// CD-TEXT of an album → 18-byte packs (Red Book CD-TEXT as MMC-6 Annex J describes it), carried by
// the lead-in R-W sub-channel (cd/cd-text-packs.ts) or sent to a drive / written as a .cdt file.
//
// Per block (one language, up to 8): for each pack type that has text (TITLE 80h, PERFORMER 81h,
// SONGWRITER 82h, COMPOSER 83h, ARRANGER 84h, MESSAGE 85h, DISC_ID 86h, GENRE 87h, UPC/EAN + ISRC
// 8Eh), the strings of track 0 (album) … N, each NUL-terminated (two NULs in double-byte MS-JIS),
// run through 12-byte payloads. Pack header: type, track number of the string the payload starts
// in (bit 7 = extension, unused), sequence number (from 0 in each block, as libburn and libcdio
// count them), and block number
// (bits 6–4) with the DBCC flag (bit 7) and the character position of the payload's first
// character within its string (bits 3–0, 15 = 15 or more). Three SIZE INFORMATION packs (8Fh) close
// each block: character code, first/last track, copyright, packs per type, last sequence number
// per block, language code per block. CRC: cd/cd-text-packs.ts.
import { InvalidInputError } from '../common/errors';
import { sealCdTextPack } from '../cd/cd-text-packs';

export type CdTextField = 'title' | 'performer' | 'songwriter' | 'composer' | 'arranger' | 'message';
export const CD_TEXT_FIELDS: CdTextField[] = ['title', 'performer', 'songwriter', 'composer', 'arranger', 'message'];
const FIELD_TYPE: Record<CdTextField, number> = { title: 0x80, performer: 0x81, songwriter: 0x82, composer: 0x83, arranger: 0x84, message: 0x85 };

export type CdTextStrings = Partial<Record<CdTextField, string>>;

export interface CdTextBlock {
  /** EBU Tech 3264 language code: 0x09 English (default), 0x08 German, 0x0F French, 0x69 Japanese … */
  language?: number;
  /** 'iso-8859-1' (character code 00h) or 'ms-jis' (80h, Shift-JIS double-byte). */
  charset?: 'iso-8859-1' | 'ms-jis';
  album: CdTextStrings & { discId?: string; genre?: { code: number; text?: string }; upcEan?: string };
  tracks: Array<CdTextStrings & { isrc?: string }>;
}

const CHARSET_CODE = { 'iso-8859-1': 0x00, 'ms-jis': 0x80 } as const;

let sjisTable: Map<string, number> | undefined;
/** Shift-JIS of a string, from the platform decoder's own table (no code table kept here). */
function shiftJis(text: string, where: string): number[] {
  if (!sjisTable) {
    sjisTable = new Map();
    const dec = new TextDecoder('shift_jis', { fatal: true });
    for (let b = 0x20; b < 0x7f; b++) sjisTable.set(String.fromCharCode(b), b);
    for (let hi = 0x81; hi <= 0xfc; hi++) {
      if (hi >= 0xa0 && hi < 0xe0) continue;
      for (let lo = 0x40; lo <= 0xfc; lo++) {
        if (lo === 0x7f) continue;
        try {
          const ch = dec.decode(Uint8Array.from([hi, lo]));
          if (!sjisTable.has(ch)) sjisTable.set(ch, (hi << 8) | lo);
        } catch {
          // not a character
        }
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const c = sjisTable.get(ch);
    if (c === undefined) throw new InvalidInputError(`CD-TEXT ${where}: "${ch}" cannot be written in MS-JIS`);
    // CD-TEXT MS-JIS text is all double-byte: ASCII is written as its full-width form where one exists.
    if (c < 0x100) {
      const wide = sjisTable.get(String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
      if (wide !== undefined && ch !== ' ') out.push(wide >> 8, wide & 0xff);
      else if (ch === ' ') out.push(0x81, 0x40);
      else throw new InvalidInputError(`CD-TEXT ${where}: "${ch}" cannot be written in MS-JIS`);
    } else out.push(c >> 8, c & 0xff);
  }
  return out;
}

function encode(text: string, charset: 'iso-8859-1' | 'ms-jis', where: string): number[] {
  if (charset === 'ms-jis') return [...shiftJis(text, where), 0, 0];
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c > 0xff || c < 0x20 || (c >= 0x7f && c < 0xa0)) throw new InvalidInputError(`CD-TEXT ${where}: "${ch}" (U+${c.toString(16).toUpperCase().padStart(4, '0')}) is not in ISO 8859-1`);
    out.push(c);
  }
  out.push(0);
  return out;
}

export interface CdTextPackStats {
  packs: Uint8Array[];
  /** Packs per block (including the three size-information packs). */
  perBlock: number[];
}

/** All packs of all blocks, in the order a recorder sends them. At most 8 blocks; 256 packs per block at most. */
export function buildCdTextPacks(blocks: CdTextBlock[], firstTrack = 1): CdTextPackStats {
  if (blocks.length === 0 || blocks.length > 8) throw new InvalidInputError(`CD-TEXT has 1 to 8 language blocks, ${blocks.length} given`);
  const trackCount = blocks[0].tracks.length;
  if (blocks.some((b) => b.tracks.length !== trackCount)) throw new InvalidInputError('every CD-TEXT block must list the same tracks');
  const packs: Uint8Array[] = [];
  const perBlock: number[] = [];
  const lastSeq: number[] = [];
  const sizeInfo: Array<{ info: number[]; at: number }> = [];
  let seq = 0;
  blocks.forEach((block, bn) => {
    seq = 0;
    const charset = block.charset ?? 'iso-8859-1';
    const dbcc = charset === 'ms-jis';
    const counts = new Array<number>(16).fill(0);
    const start = packs.length;
    const push = (type: number, track: number, charPos: number, payload: number[]) => {
      const pk = new Uint8Array(18);
      pk[0] = type;
      pk[1] = track;
      pk[2] = seq++ & 0xff;
      pk[3] = (dbcc ? 0x80 : 0) | (bn << 4) | Math.min(charPos, 15);
      pk.set(payload, 4);
      packs.push(sealCdTextPack(pk));
      counts[type - 0x80]++;
    };
    /** The strings of tracks 0…N of one type run through 12-byte payloads. */
    const textType = (type: number, strings: Array<number[]>) => {
      let buf: number[] = [];
      let bufTrack = 0;
      let bufPos = 0;
      strings.forEach((bytes, track) => {
        const unit = dbcc && type !== 0x8e && type !== 0x86 ? 2 : 1;
        for (let i = 0; i < bytes.length; i++) {
          if (buf.length === 0) {
            bufTrack = track;
            bufPos = i / unit;
          }
          buf.push(bytes[i]);
          if (buf.length === 12) {
            push(type, bufTrack === 0 ? 0 : bufTrack + firstTrack - 1, Math.floor(bufPos), buf);
            buf = [];
          }
        }
      });
      if (buf.length > 0) push(type, bufTrack === 0 ? 0 : bufTrack + firstTrack - 1, Math.floor(bufPos), [...buf, ...new Array(12 - buf.length).fill(0)]);
    };
    for (const field of CD_TEXT_FIELDS) {
      const all = [block.album[field], ...block.tracks.map((t) => t[field])];
      if (all.every((s) => !s)) continue;
      textType(FIELD_TYPE[field], all.map((s, i) => encode(s ?? '', charset, `${field} of ${i === 0 ? 'the album' : `track ${i}`}`)));
    }
    if (block.album.discId) textType(0x86, [encode(block.album.discId, 'iso-8859-1', 'disc ID')]);
    if (block.album.genre) {
      const g = block.album.genre;
      if (!Number.isInteger(g.code) || g.code < 0 || g.code > 0xffff) throw new InvalidInputError(`CD-TEXT genre code ${g.code} is not 0–65535`);
      textType(0x87, [[g.code >> 8, g.code & 0xff, ...encode(g.text ?? '', 'iso-8859-1', 'genre')]]);
    }
    const codes = [block.album.upcEan, ...block.tracks.map((t) => t.isrc)];
    if (codes.some((c) => c)) textType(0x8e, codes.map((c, i) => encode(c ?? '', 'iso-8859-1', i === 0 ? 'UPC/EAN' : `ISRC of track ${i}`)));
    // Size information: three packs (8Fh), their own count included.
    counts[0x0f] = 3;
    lastSeq[bn] = seq + 2;
    const info: number[] = [CHARSET_CODE[charset], firstTrack, firstTrack + trackCount - 1, 0, ...counts];
    const sizePacks = packs.length;
    for (let k = 0; k < 3; k++) push(0x8f, k, 0, new Array(12).fill(0));
    perBlock.push(packs.length - start);
    if (packs.length - start > 256) throw new InvalidInputError(`CD-TEXT block ${bn} needs ${packs.length - start} packs; a block holds at most 256`);
    sizeInfo.push({ info, at: sizePacks });
  });
  // The size-information payloads name every block's last sequence number and language, so they are
  // filled once all blocks are laid out.
  const languages = Array.from({ length: 8 }, (_, i) => (i < blocks.length ? (blocks[i].language ?? 0x09) : 0));
  const seqs = Array.from({ length: 8 }, (_, i) => (i < blocks.length ? lastSeq[i] & 0xff : 0));
  for (const { info, at } of sizeInfo) {
    const content = [...info, ...seqs, ...languages];
    for (let k = 0; k < 3; k++) {
      const pk = packs[at + k];
      pk.set(content.slice(k * 12, k * 12 + 12), 4);
      sealCdTextPack(pk);
    }
  }
  return { packs, perBlock };
}

/**
 * The .cdt file form (a CUE's CDTEXTFILE, cdrecord's textfile=): the packs back to back. libcdio
 * (cd-info --cue-file) reads exactly this; the variant with a 4-byte length header is not read by it.
 */
export function cdTextFile(packs: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(packs.length * 18);
  packs.forEach((p, i) => out.set(p, i * 18));
  return out;
}
