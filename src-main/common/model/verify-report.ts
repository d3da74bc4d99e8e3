// Results of reading a disc to an image (IPC, CLI --json and the UI share these shapes) and the
// progress of a read or verify. Sector ranges are the one LbaRange of common/model/verify.ts, where
// the verify report itself (DiscVerifyReport, one shape with the burn's read-back) lives.
import type { AffectedFile, LbaRange } from './verify';

export interface BadSectorReport {
  /** Sectors that stayed unreadable after every retry (left zero in an image). */
  unreadable: LbaRange[];
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
  gaps: LbaRange[];
  bad: BadSectorReport;
  tracks: Array<{ number: number; session: number; start: number; end: number; audio: boolean }>;
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
