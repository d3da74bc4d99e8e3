// The one verify report model. A read-back right after burning (verify/verify-written.ts, against
// the source that was written) and a disc checked long after (verify/verify-disc.ts, against an
// image, a folder or the disc's manifest) find the same facts — LBA ranges that differ or cannot be
// read, checksums of both sides, the files owning bad sectors — so they share one shape, told apart
// by `against`. Crosses IPC, the burn result and the CLI's --json as is.

export type VerifyLevel = 'none' | 'quick' | 'full';

/** Logical blocks [start, end) on the disc: the one range type of read, verify and burn reports. */
export interface LbaRange {
  start: number;
  end: number;
}

/** Adds one block to a sorted list of ranges, merging with the last range when adjacent. */
export function addLba(ranges: LbaRange[], lba: number, count = 1): void {
  const last = ranges[ranges.length - 1];
  if (last && last.end === lba) last.end = lba + count;
  else ranges.push({ start: lba, end: lba + count });
}

/** Sectors covered by a list of ranges. */
export function rangeSectors(ranges: LbaRange[]): number {
  return ranges.reduce((n, r) => n + r.end - r.start, 0);
}

/** A file (or directory / file-system structure) that owns sectors that were unreadable or different. */
export interface AffectedFile {
  /** '/dir/name' from the disc root (Rock Ridge names when present, else Joliet, ISO 9660, UDF). */
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  ranges: LbaRange[];
}

export interface VerifyFileResult {
  path: string;
  status: 'ok' | 'different' | 'missing' | 'extra' | 'unreadable' | 'not-a-file';
  /** Expected and actual SHA-256 when both sides were read. */
  expected?: string;
  actual?: string;
  size?: number;
}

/** What the disc was compared with: the source just written, or (long after) an image, a folder, the disc's manifest. */
export type VerifyAgainst = 'source' | 'image' | 'folder' | 'manifest';

interface VerifyReportBase {
  against: VerifyAgainst;
  /** 'none': layout only; 'quick': structures and samples; 'full': every sector (image) or every file (folder, manifest). */
  level: VerifyLevel;
  /** What was compared with: the source's description, the image file or folder, or '.glassmaster/SHA256SUMS'. */
  reference: string;
  /** MUST: true only when nothing differs, nothing is unreadable or missing and the layout matched. */
  ok: boolean;
  /** One sentence for people: "The disc matches photos.iso: 1 234 sectors, SHA-256 …". */
  summary: string;
  /** Sectors read back and compared (all of them for 'full', a sample for 'quick', 0 for 'none'). */
  sectorsChecked: number;
  bytesChecked: number;
  /** Sectors whose bytes differ from the reference's. */
  mismatched: LbaRange[];
  /** Sectors the drive could not read, after re-reads. */
  unreadable: LbaRange[];
  /** SHA-256 of the reference and of the same span read from the disc (unreadable sectors as zeros); 'full' sector compares only. */
  expectedSha256?: string;
  actualSha256?: string;
  /** Files owning the mismatched or unreadable sectors (from the reference image's file system, or the disc's). */
  affectedFiles?: AffectedFile[];
  elapsedMs: number;
}

/** The read-back of a disc just burned (the burn's `verify`). */
export interface WrittenVerifyReport extends VerifyReportBase {
  against: 'source';
  /** Disc/track information and session layout against the plan; problems in plain words. */
  layout: { ok: boolean; problems: string[] };
  /** Where the data was written and how much. */
  startLba: number;
  sectors: number;
}

/** The outcome of `glassmaster verify --drive D (--image|--dir|--manifest)`: a disc checked long after it was burned. */
export interface DiscVerifyReport extends VerifyReportBase {
  against: 'image' | 'folder' | 'manifest';
  /** Folder/manifest: one entry per file that is not ok. */
  files: VerifyFileResult[];
  filesChecked: number;
  /** Image: the disc is shorter than the image (its sectors were not on the disc). */
  missingSectors?: number;
  /** Sectors that were re-read at least once and then read fine. */
  recoveredCount: number;
}

export type VerifyReport = WrittenVerifyReport | DiscVerifyReport;
