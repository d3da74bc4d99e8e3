// Text of the image files that describe a laid-out audio CD: a CUE sheet (CDRWIN syntax, as
// cd-info, bchunk, cdrecord and most burners read it) and a cdrdao TOC file, both over one BIN that
// holds the program area (LBA 0 … lead-out, 2352 bytes a sector, 16-bit little-endian stereo).
// Pure: strings in, strings out.
import { basename } from 'node:path';
import { msfText } from '../cd/msf';
import { Q_CONTROL } from '../cd/subchannel';
import { CD_TEXT_FIELDS, type CdTextBlock, type CdTextStrings } from './cd-text';
import type { DiscLayout } from './layout';

const two = (n: number) => String(n).padStart(2, '0');

/** A CUE string: CUE has no escape for '"', so it becomes "'" (the CD-TEXT packs keep the exact text). */
const cueString = (s: string) => `"${s.replace(/"/g, "'").replace(/[\r\n]+/g, ' ')}"`;

export interface ImageFileNames {
  /** The BIN as the CUE/TOC name it (relative: the files sit side by side). */
  bin: string;
  /** A binary CD-TEXT file (CUE CDTEXTFILE), when there is CD-TEXT. */
  cdt?: string;
}

/** CUE keywords for CD-TEXT fields the CDRWIN syntax has; the others go in REM lines. */
const CUE_FIELD: Record<string, string> = { title: 'TITLE', performer: 'PERFORMER', songwriter: 'SONGWRITER' };

export function cueSheetText(layout: DiscLayout, names: ImageFileNames, text?: CdTextBlock): string {
  const lines: string[] = ['REM COMMENT "Glassmaster"'];
  const fields = (prefix: string, s: CdTextStrings) => {
    for (const f of CD_TEXT_FIELDS) {
      const v = s[f];
      if (!v) continue;
      lines.push(CUE_FIELD[f] ? `${prefix}${CUE_FIELD[f]} ${cueString(v)}` : `${prefix}REM ${f.toUpperCase()} ${cueString(v)}`);
    }
  };
  if (text?.album.genre?.text) lines.push(`REM GENRE ${cueString(text.album.genre.text)}`);
  if (text?.album.discId) lines.push(`REM DISCID ${cueString(text.album.discId)}`);
  if (layout.mcn) lines.push(`CATALOG ${layout.mcn}`);
  if (names.cdt) lines.push(`CDTEXTFILE ${cueString(basename(names.cdt))}`);
  if (text) fields('', text.album);
  lines.push(`FILE ${cueString(basename(names.bin))} BINARY`);
  for (const t of layout.tracks) {
    lines.push(`  TRACK ${two(t.number)} AUDIO`);
    const flags = [t.control & Q_CONTROL.copyPermitted ? 'DCP' : '', t.control & Q_CONTROL.preEmphasis ? 'PRE' : ''].filter(Boolean);
    if (flags.length) lines.push(`    FLAGS ${flags.join(' ')}`);
    if (t.isrc) lines.push(`    ISRC ${t.isrc}`);
    if (text) fields('    ', text.tracks[t.number - 1] ?? {});
    // Track 1's first 150 sectors are the recorder's; only a longer pause is in the file (index 00 at 0).
    const indexZero = t.number === 1 ? (t.start > 0 ? 0 : undefined) : t.pregapStart < t.start ? t.pregapStart : undefined;
    if (indexZero !== undefined) lines.push(`    INDEX 00 ${msfText(indexZero)}`);
    lines.push(`    INDEX 01 ${msfText(t.start)}`);
    t.indexes.forEach((lba, i) => lines.push(`    INDEX ${two(i + 2)} ${msfText(lba)}`));
  }
  return lines.join('\r\n') + '\r\n';
}

/** A cdrdao string: '"' and '\' escaped; the file is written in ISO 8859-1, as cdrdao reads CD-TEXT. */
const tocString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const TOC_ITEM: Record<string, string> = { title: 'TITLE', performer: 'PERFORMER', songwriter: 'SONGWRITER', composer: 'COMPOSER', arranger: 'ARRANGER', message: 'MESSAGE' };

/**
 * A cdrdao TOC over the same BIN: each track is a byte range of it (`FILE "x.bin" SWAP #offset`,
 * SWAP because cdrdao takes raw audio files as big-endian), the pause as START. cdrdao's TOC carries
 * one ISO 8859-1 CD-TEXT block here (an MS-JIS block is in the .cdt file only).
 */
export function tocFileText(layout: DiscLayout, names: ImageFileNames, text?: CdTextBlock): string {
  const lines: string[] = ['// Glassmaster', 'CD_DA', ''];
  if (layout.mcn) lines.push(`CATALOG "${layout.mcn}"`);
  const block = (indent: string, s: CdTextStrings, extra: string[] = []) => {
    const items = [...CD_TEXT_FIELDS.filter((f) => s[f]).map((f) => `${TOC_ITEM[f]} ${tocString(s[f]!)}`), ...extra];
    return [`${indent}CD_TEXT {`, `${indent}  LANGUAGE 0 {`, ...items.map((i) => `${indent}    ${i}`), `${indent}  }`, `${indent}}`];
  };
  if (text) {
    const extra: string[] = [];
    if (text.album.discId) extra.push(`DISC_ID ${tocString(text.album.discId)}`);
    if (text.album.upcEan) extra.push(`UPC_EAN ${tocString(text.album.upcEan)}`);
    lines.push('CD_TEXT {', `  LANGUAGE_MAP { 0 : ${text.language ?? 9} }`, ...block('', text.album, extra).slice(1, -1), '}');
  }
  for (const t of layout.tracks) {
    lines.push('', `// Track ${t.number}`, 'TRACK AUDIO');
    lines.push(t.control & Q_CONTROL.copyPermitted ? 'COPY' : 'NO COPY');
    lines.push(t.control & Q_CONTROL.preEmphasis ? 'PRE_EMPHASIS' : 'NO PRE_EMPHASIS');
    lines.push('TWO_CHANNEL_AUDIO');
    if (t.isrc) lines.push(`ISRC "${t.isrc}"`);
    if (text) lines.push(...block('', text.tracks[t.number - 1] ?? {}, text.tracks[t.number - 1]?.isrc ? [`ISRC ${tocString(text.tracks[t.number - 1].isrc!)}`] : []));
    const from = t.number === 1 ? 0 : t.pregapStart;
    lines.push(`FILE ${tocString(basename(names.bin))} SWAP #${from * 2352} 0 ${msfText(t.end - from)}`);
    if (t.start > from) lines.push(`START ${msfText(t.start - from)}`);
    for (const lba of t.indexes) lines.push(`INDEX ${msfText(lba - t.start)}`);
  }
  return lines.join('\n') + '\n';
}
