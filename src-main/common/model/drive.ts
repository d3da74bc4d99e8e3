// Runtime-neutral drive and media model shared by the services, IPC, CLI and renderer.
// No imports: the renderer compiles against this file with `import type`.

/** Where a drive is reached: an OS device, an iSCSI LUN, or the in-process virtual recorder. */
export type DriveKind = 'native' | 'iscsi' | 'virtual';

/**
 * MMC profile names (MMC-6 §5.3.1, Profile List). 'Unknown' covers profile numbers we
 * do not name; 'None' is profile 0000h (no current profile: no disc).
 */
export type MediaProfileName =
  | 'None'
  | 'Non-removable disk'
  | 'Removable disk'
  | 'MO erasable'
  | 'MO write once'
  | 'AS-MO'
  | 'CD-ROM'
  | 'CD-R'
  | 'CD-RW'
  | 'DVD-ROM'
  | 'DVD-R'
  | 'DVD-RAM'
  | 'DVD-RW RO'
  | 'DVD-RW seq'
  | 'DVD-R DL'
  | 'DVD-R DL jump'
  | 'DVD-RW DL'
  | 'DVD-Download'
  | 'DVD+RW'
  | 'DVD+R'
  | 'DVD+RW DL'
  | 'DVD+R DL'
  | 'DDCD-ROM'
  | 'DDCD-R'
  | 'DDCD-RW'
  | 'BD-ROM'
  | 'BD-R SRM'
  | 'BD-R RRM'
  | 'BD-RE'
  | 'HD DVD-ROM'
  | 'HD DVD-R'
  | 'HD DVD-RAM'
  | 'HD DVD-RW'
  | 'HD DVD-R DL'
  | 'HD DVD-RW DL'
  | 'Unknown';

/** READ DISC INFORMATION "Disc Status" (MMC-6 §6.21.3.1.4), plus no disc in the tray. */
export type MediaStatus = 'blank' | 'appendable' | 'complete' | 'no-disc';

/** Media a user can buy and the virtual recorder can hold. */
export type MediaTypeName =
  | 'cd-r'
  | 'cd-rw'
  | 'dvd-r'
  | 'dvd-rw'
  | 'dvd+r'
  | 'dvd+rw'
  | 'dvd+r-dl'
  | 'dvd-r-dl'
  | 'dvd-ram'
  | 'bd-r'
  | 'bd-re';

export const MEDIA_TYPE_NAMES: readonly MediaTypeName[] = [
  'cd-r', 'cd-rw', 'dvd-r', 'dvd-rw', 'dvd+r', 'dvd+rw', 'dvd+r-dl', 'dvd-r-dl', 'dvd-ram', 'bd-r', 'bd-re',
];

export type TrayState = 'open' | 'closed' | 'unknown';

export interface DriveCapabilities {
  /** Every profile the drive reports in GET CONFIGURATION, current or not. */
  profiles: MediaProfileName[];
  canReadCd: boolean;
  canReadDvd: boolean;
  canReadBd: boolean;
  canWriteCdR: boolean;
  canWriteCdRw: boolean;
  /** CD Track At Once (Feature 002Dh). */
  canWriteCdTao: boolean;
  /** CD Session At Once / raw DAO (Feature 002Eh). */
  canWriteCdSao: boolean;
  canWriteDvdMinusR: boolean;
  canWriteDvdMinusRw: boolean;
  canWriteDvdMinusRDl: boolean;
  canWriteDvdPlusR: boolean;
  canWriteDvdPlusRw: boolean;
  canWriteDvdPlusRDl: boolean;
  canWriteDvdRam: boolean;
  canWriteBdR: boolean;
  canWriteBdRe: boolean;
  /** Test write (simulation) for the media families that support it. */
  canTestWrite: boolean;
  /** Buffer under-run protection (BUFE / "BURN-Proof"). */
  canBufferUnderrunFree: boolean;
  /** Real Time Streaming (Feature 0107h): SET STREAMING, GET PERFORMANCE type 03h. */
  canRealTimeStreaming: boolean;
  canEject: boolean;
  canLock: boolean;
}

export interface DriveInfo {
  /** '/dev/sr0', 'iscsi://host:port/iqn…/lun', 'virtual:NAME' */
  address: string;
  kind: DriveKind;
  vendor: string;
  model: string;
  revision: string;
  /** Linux: the matching /dev/sgN when known. */
  sgNode?: string;
  capabilities: DriveCapabilities;
}

export interface AtipInfo {
  /** Disc manufacturer looked up from the ATIP lead-in start time (Orange Book manufacturer code). */
  manufacturer: string;
  /** Lead-in start as MSF "mm:ss:ff". */
  leadInStart: string;
  /** Last possible lead-out start as MSF "mm:ss:ff". */
  leadOutStart: string;
  /** Disc type bit: true for CD-RW. */
  erasable: boolean;
  /** Indicative target writing power, 0..7 (Orange Book), when reported. */
  indicativeWritePower?: number;
}

export interface TrackSummary {
  number: number;
  session: number;
  startLba: number;
  /** Recorded size in blocks. */
  sizeBlocks: number;
  /** 'data' (mode 1/2) or 'audio'. */
  kind: 'data' | 'audio';
  blank: boolean;
  /** Next writable address for an incomplete/invisible track, else undefined. */
  nextWritableAddress?: number;
}

export interface MediaInfo {
  profile: MediaProfileName;
  status: MediaStatus;
  erasable: boolean;
  sessions: number;
  tracks: number;
  usedBlocks: number;
  freeBlocks: number;
  capacityBlocks: number;
  /** Where the next write must start; undefined when the disc is complete or not writable. */
  nextWritableAddress?: number;
  /** Writable speeds in kB/s (1000 bytes/s), fastest first. */
  writeSpeeds: number[];
  atip?: AtipInfo;
  tray: TrayState;
  /** Writing is blocked by the write-protect tab/cartridge or a software write protect. */
  writeProtected?: boolean;
  /** Per-track detail when the disc has tracks. */
  trackList?: TrackSummary[];
  /** DVD+RW / BD-RE / DVD-RW RO: the medium is formatted and can be overwritten randomly. */
  formatted?: boolean;
}

/** Media detection result for "no disc": a complete value so UIs can render it uniformly. */
export const NO_DISC_MEDIA: MediaInfo = Object.freeze({
  profile: 'None',
  status: 'no-disc',
  erasable: false,
  sessions: 0,
  tracks: 0,
  usedBlocks: 0,
  freeBlocks: 0,
  capacityBlocks: 0,
  writeSpeeds: [],
  tray: 'unknown',
}) as MediaInfo;
