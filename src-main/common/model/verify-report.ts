// Results of reading a disc to an image and of verifying a disc long after burning (IPC, CLI --json
// and the UI share these shapes). Sector ranges are [start, end) like the burn side's LbaRange
// (common/model/verify.ts on the burn branch: the same shape, so the two merge into one type);
// files are paths from the disc root.

/** Logical blocks [start, end) on the disc. */
export interface SectorRange {
  start: number;
  end: number;
}

/** A file (or directory / file-system structure) that owns sectors that were unreadable or different. */
export interface AffectedFile {
  /** '/dir/name' from the disc root (Rock Ridge names when present, else Joliet, ISO 9660, UDF). */
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  ranges: SectorRange[];
}

export interface BadSectorReport {
  /** Sectors that stayed unreadable after every retry (left zero in an image). */
  unreadable: SectorRange[];
  unreadableCount: number;
  /** Files owning them; undefined when the disc's file system itself could not be read. */
  files?: AffectedFile[];
  /** Sectors that were re-read at least once and then read fine. */
  recoveredCount: number;
}

export interface DiscReadReport {
  output: string;
  /** 'iso': 2048-byte user data of the data tracks; 'cue': raw 2352-byte sectors in a .bin beside the .cue. */
  format: 'iso' | 'cue';
  /** Files written (the .iso, or the .bin and the .cue). */
  files: string[];
  sectors: number;
  bytes: number;
  /** SHA-256 of the image (the .bin for BIN/CUE). */
  sha256: string;
  /** Unrecorded sectors inside the image's span (gaps between sessions, run-out blocks): written as zeros. */
  gaps: SectorRange[];
  bad: BadSectorReport;
  tracks: Array<{ number: number; session: number; start: number; end: number; audio: boolean }>;
  elapsedMs: number;
}

export type VerifyAgainst = 'image' | 'folder' | 'manifest';

export interface VerifyFileResult {
  path: string;
  status: 'ok' | 'different' | 'missing' | 'extra' | 'unreadable' | 'not-a-file';
  /** Expected and actual SHA-256 when both sides were read. */
  expected?: string;
  actual?: string;
  size?: number;
}

/** The outcome of `glassmaster verify --drive D (--image|--dir|--manifest)`: a disc checked long after it was burned. */
export interface DiscVerifyReport {
  against: VerifyAgainst;
  /** The image file or folder compared with, or '.glassmaster/SHA256SUMS'. */
  reference: string;
  ok: boolean;
  /** One sentence for people: "Verified 1 234 files, all identical." */
  summary: string;
  /** Sectors compared (image) or read (folder/manifest). */
  sectorsChecked: number;
  bytesChecked: number;
  /** Image: sectors whose SHA-256 differed from the image's. */
  differentSectors: SectorRange[];
  bad: BadSectorReport;
  /** Folder/manifest: one entry per file that is not ok (all entries with `allFiles`). */
  files: VerifyFileResult[];
  filesChecked: number;
  /** Image: the disc is shorter than the image (its sectors were not on the disc). */
  missingSectors?: number;
  /** Image: SHA-256 of the image and of the same span read from the disc (unreadable sectors as zeros). */
  expectedSha256?: string;
  actualSha256?: string;
  /** Files owning the different or unreadable sectors (from the image's file system, or the disc's). */
  affectedFiles?: AffectedFile[];
  elapsedMs: number;
}

/** Progress of a read or verify (disc.onProgress over IPC, stderr lines and --json events in the CLI). */
export interface DiscProgress {
  operation: 'read' | 'verify';
  phase: 'checking-disc' | 'reading' | 'comparing' | 'mapping-files' | 'done';
  sectorsDone: number;
  totalSectors: number;
  bytesDone: number;
  badSectors: number;
  /** Average speed so far in kB/s (1000 bytes). */
  kBps: number;
  elapsedMs: number;
  /** The file being compared (folder/manifest verify). */
  file?: string;
}
