// Tags read from an audio file (music-metadata) and how a track's title falls back to its file name.
import { basename, extname } from 'node:path';

export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  albumArtist?: string;
  composer?: string;
  genre?: string;
  isrc?: string;
  track?: number;
}

/**
 * A title from a file name: without its extension and a leading track number ("01 - ", "1. ",
 * "07_", "3 "), underscores as spaces. "01 - Intro.flac" → "Intro"; "1999.flac" stays "1999".
 */
export function titleFromFileName(path: string): string {
  const stem = basename(path, extname(path));
  const stripped = stem.replace(/^\s*\d{1,3}(\s*[-._)]\s*|\s+)(?=\S)/, '');
  return stripped.replace(/_/g, ' ').trim() || stem;
}
