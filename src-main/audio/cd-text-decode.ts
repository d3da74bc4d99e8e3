// CD-TEXT packs → album and track strings: the inverse of cd-text.ts, for packs read from a disc
// (READ TOC format 0101b, MMC-6 §6.25.3.8) or a .cdt file. Pure.
//
// Per block (byte 3 bits 6–4), the payloads of one pack type, in sequence order, are the strings of
// track 0 (album), first track, … each ended by NUL (two NULs in a double-byte block). A string that
// is a lone TAB (two in double-byte) repeats the previous track's (Red Book CD-TEXT). The size
// information packs (8Fh) give the character code, the first and last track and the language.
import { cdTextPackValid } from '../cd/cd-text-packs';
import { CD_TEXT_FIELDS, type CdTextBlock, type CdTextField } from './cd-text';

const TYPE_FIELD = new Map<number, CdTextField>(CD_TEXT_FIELDS.map((f, i) => [0x80 + i, f]));

export interface DecodedCdText {
  /** Track number of `tracks[0]`. */
  firstTrack: number;
  blocks: CdTextBlock[];
}

/** Decodes every block of valid packs (invalid CRCs are skipped); undefined when none is left. */
export function decodeCdTextPacks(all: Uint8Array[]): DecodedCdText | undefined {
  const packs = all.filter(cdTextPackValid);
  if (packs.length === 0) return undefined;
  const byBlock = new Map<number, Uint8Array[]>();
  for (const p of packs) {
    const bn = (p[3] >> 4) & 7;
    if (!byBlock.has(bn)) byBlock.set(bn, []);
    byBlock.get(bn)!.push(p);
  }
  let firstTrack = 1;
  let lastTrack = 0;
  const blocks: CdTextBlock[] = [];
  for (const bn of [...byBlock.keys()].sort((a, b) => a - b)) {
    const list = byBlock.get(bn)!;
    const size = list.filter((p) => p[0] === 0x8f).sort((a, b) => a[1] - b[1]);
    const info = size.length === 3 ? Uint8Array.from(size.flatMap((p) => [...p.subarray(4, 16)])) : undefined;
    const dbcc = info ? info[0] === 0x80 : (list[0][3] & 0x80) !== 0;
    if (info) {
      firstTrack = info[1];
      lastTrack = Math.max(lastTrack, info[2]);
    }
    const block: CdTextBlock = { language: info ? info[28 + bn] : undefined, charset: dbcc ? 'ms-jis' : 'iso-8859-1', album: {}, tracks: [] };
    const strings = (type: number, double: boolean): Map<number, number[]> => {
      // Payloads in sequence order; the first pack's track number says whose string it starts in.
      const ps = list.filter((p) => p[0] === type).sort((a, b) => a[2] - b[2]);
      const out = new Map<number, number[]>();
      if (ps.length === 0) return out;
      let track = ps[0][1] & 0x7f;
      let cur: number[] = [];
      const bytes = ps.flatMap((p) => [...p.subarray(4, 16)]);
      const unit = double ? 2 : 1;
      for (let i = 0; i + unit <= bytes.length; i += unit) {
        const end = double ? bytes[i] === 0 && bytes[i + 1] === 0 : bytes[i] === 0;
        if (!end) {
          cur.push(...bytes.slice(i, i + unit));
          continue;
        }
        out.set(track++, cur);
        cur = [];
      }
      return out;
    };
    const text = (b: number[], double: boolean): string => (double ? new TextDecoder('shift_jis').decode(Uint8Array.from(b)) : Buffer.from(b).toString('latin1'));
    const isTab = (b: number[], double: boolean) => (double ? b.length === 2 && b[0] === 9 && b[1] === 9 : b.length === 1 && b[0] === 9);
    const put = (track: number, key: string, value: string) => {
      if (!value) return;
      if (track === 0) (block.album as Record<string, unknown>)[key] = value;
      else {
        const i = track - firstTrack;
        if (i < 0 || i > 98) return;
        while (block.tracks.length <= i) block.tracks.push({});
        (block.tracks[i] as Record<string, unknown>)[key] = value;
      }
    };
    for (const [type, field] of TYPE_FIELD) {
      let prev = '';
      for (const [track, b] of [...strings(type, dbcc)].sort((x, y) => x[0] - y[0])) {
        const s = isTab(b, dbcc) ? prev : text(b, dbcc);
        put(track, field, s);
        prev = s;
      }
    }
    const disc = strings(0x86, false).get(0);
    if (disc) put(0, 'discId', text(disc, false));
    // GENRE: a 2-byte code (which may hold a zero byte) and then a NUL-terminated text.
    const g = list.filter((p) => p[0] === 0x87).sort((a, b) => a[2] - b[2]).flatMap((p) => [...p.subarray(4, 16)]);
    if (g.length >= 2) {
      const t = g.slice(2, g.indexOf(0, 2) < 0 ? g.length : g.indexOf(0, 2));
      block.album.genre = { code: (g[0] << 8) | g[1], ...(t.length ? { text: text(t, false) } : {}) };
    }
    for (const [track, b] of strings(0x8e, false)) put(track, track === 0 ? 'upcEan' : 'isrc', text(b, false));
    blocks.push(block);
  }
  const count = Math.max(lastTrack - firstTrack + 1, ...blocks.map((b) => b.tracks.length));
  for (const b of blocks) while (b.tracks.length < count) b.tracks.push({});
  return { firstTrack, blocks };
}
