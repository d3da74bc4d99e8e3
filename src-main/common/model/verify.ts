// What a read-back of a written disc found (verify/verify-written.ts): the layout the drive reports
// against the plan, then sectors compared with the source. Crosses IPC and the CLI's --json as is.

export type VerifyLevel = 'none' | 'quick' | 'full';

/** Logical blocks [start, end) on the disc. */
export interface LbaRange {
  start: number;
  end: number;
}

export interface VerifyReport {
  level: VerifyLevel;
  /** Layout matched and no sector differed or was unreadable. */
  ok: boolean;
  /** Disc/track information and session layout against the plan; problems in plain words. */
  layout: { ok: boolean; problems: string[] };
  /** Where the data was written and how much. */
  startLba: number;
  sectors: number;
  /** Sectors read back and compared (all of them for 'full', a sample for 'quick', 0 for 'none'). */
  sectorsChecked: number;
  /** Sectors whose bytes differ from the source's. */
  mismatched: LbaRange[];
  /** Sectors the drive could not read. */
  unreadable: LbaRange[];
  /** 'full': SHA-256 of the source and of the same sectors read back from the disc. */
  sourceSha256?: string;
  discSha256?: string;
  durationMs: number;
}

/** Adds one block to a sorted list of ranges, merging with the last range when adjacent. */
export function addLba(ranges: LbaRange[], lba: number, count = 1): void {
  const last = ranges[ranges.length - 1];
  if (last && last.end === lba) last.end = lba + count;
  else ranges.push({ start: lba, end: lba + count });
}
