// Burn, erase and format: options, progress events and results, shared by the burn service, the
// CLI and IPC.
import type { VerifyLevel, WrittenVerifyReport } from './verify';
import type { MediaInfo } from './drive';

export type BurnAction = 'checking-media' | 'waiting-for-disc' | 'formatting' | 'erasing' | 'calibrating' | 'writing' | 'closing' | 'verifying' | 'done';

/** How the data goes onto a sequential disc; 'auto' picks per media family (see burn/README.md). */
export type WriteMode = 'auto' | 'tao' | 'sao' | 'dao' | 'incremental';

export interface BurnOptions {
  /** Write speed in kB/s (MMC units: 1000 bytes/s), one of the drive's list or the nearest below; 'max' (default) the fastest. */
  speed?: number | 'max';
  /** Write speed as a multiple of the medium's 1× ("16" for 16×; CD 176.4 kB/s, DVD 1385 kB/s, BD 4495 kB/s); wins over speed. */
  speedX?: number;
  /** 'session': close the session, the disc stays appendable; 'disc' (default): finalize. */
  close?: 'session' | 'disc';
  /** Test write: the laser stays off (CD-R/RW, DVD-R/RW only, MMC-6 §7.5.4.3). */
  simulate?: boolean;
  /** Buffer under-run protection (BURN-Free), default on. */
  burnFree?: boolean;
  verify?: VerifyLevel;
  /** Discs to write, one after another (default 1); between copies the disc is ejected and a blank one awaited. */
  copies?: number;
  eject?: boolean;
  writeMode?: WriteMode;
  /** DVD+R DL: the last block of layer 0 + 1 (a multiple of 16); default chosen from the size. */
  layerBreak?: number;
  /** BD-R: format with spare areas before writing (defect management); BD-RE: format with spares when unformatted (default). */
  spareAreas?: boolean;
  /** Ring buffer between the source and the drive (default 32 MiB). */
  bufferBytes?: number;
  /**
   * CD data tracks as CD-ROM XA mode 2 form 1 in a CD-ROM XA session (page 05h data block type 10,
   * session format 20h) instead of mode 1: what the Blue Book asks of a CD-Extra's data session.
   * Track-At-Once only.
   */
  cdXa?: boolean;
}

export interface BurnProgress {
  action: BurnAction;
  /** 1-based copy being written, and how many. */
  copy: number;
  copies: number;
  sectorsWritten: number;
  totalSectors: number;
  bytesWritten: number;
  totalBytes: number;
  /** Bytes per second over the last second, and since writing began. */
  speedBytesPerSec: number;
  averageBytesPerSec: number;
  /** The same as multiples of the media family's 1× ("16×"). */
  speedX: number;
  speedLabel: string;
  /** Fill of the ring buffer and of the drive's buffer (READ BUFFER CAPACITY), 0..1. */
  ringFill: number;
  driveBufferFill?: number;
  elapsedMs: number;
  remainingMs?: number;
  /** Progress of the current action when it is not writing (formatting, closing, verifying), 0..1. */
  fraction?: number;
  message?: string;
}

export interface BurnCopyResult {
  copy: number;
  simulated: boolean;
  startLba: number;
  sectors: number;
  strategy: string;
  verify?: WrittenVerifyReport;
  media: MediaInfo;
  averageBytesPerSec: number;
  elapsedMs: number;
}

export interface BurnResult {
  ok: boolean;
  copies: BurnCopyResult[];
  /** One sentence: what is on the disc now. */
  discState: string;
  /** What the (last) disc holds now, read back from it after the burn; absent after a test write or when it could not be read. */
  disc?: DiscContents;
}

/** A disc's contents as read back: sessions, the newest file system's files and folders, space. */
export interface DiscContents {
  profile: string;
  status: string;
  /** Sessions on sequential media; undefined on overwritable media (one file system, grown in place). */
  sessions?: number;
  files: number;
  folders: number;
  fileBytes: number;
  usedBlocks: number;
  freeBlocks: number;
}

export interface EraseOptions {
  /** Full blank / full format (slow) instead of quick. */
  full?: boolean;
  /** Format only: BD-R with spare areas; BD-RE with (default) or without spares. */
  spareAreas?: boolean;
}

export interface EraseProgress {
  action: 'checking-media' | 'erasing' | 'formatting' | 'done';
  fraction: number;
  elapsedMs: number;
}
