// What each virtual media type is: profile, capacity, recording model and speeds.
// Capacities are the common nominal user capacities in 2048-byte blocks (CD: 80 min, 2048-byte
// mode 1 blocks per 1/75 s; DVD single layer 4.7 GB; BD 25 GB single layer).
import type { MediaTypeName } from '../../common/model/drive';

export type RecordingModel = 'sequential' | 'random' | 'restricted-overwrite';

export interface MediaSpec {
  type: MediaTypeName;
  family: 'cd' | 'dvd' | 'bd';
  /** Profile of a fresh disc (MMC-6). */
  profile: number;
  /** Capacity in blocks (unformatted / raw for random media). */
  capacity: number;
  /** Formatted capacity for random media (after FORMAT UNIT with default spares). */
  formattedCapacity?: number;
  model: RecordingModel;
  erasable: boolean;
  /** Layer 0 capacity for dual layer media (layer break default, MMC-6 §4.5.4.4). */
  layer0Capacity?: number;
  /** Supported write speeds in kB/s (CD 1x = 176.4, DVD 1x = 1385, BD 1x = 4495), fastest first. */
  writeSpeeds: number[];
  /** A fresh random medium arrives formatted (DVD-RAM). */
  preformatted?: boolean;
  /** Blocks per ECC block / blocking factor (Random Readable feature, MMC-6 §5.3.5). */
  blocking: number;
}

const CD_SPEEDS = [8467, 7056, 4234, 2822, 1411];
const CD_RW_SPEEDS = [4234, 2822, 1764];
const DVD_R_SPEEDS = [22160, 11080, 5540];
const DVD_RW_SPEEDS = [8310, 5540, 2770];
const DVD_DL_SPEEDS = [11080, 5540, 3324];
// BD-R: 16× down to 2× (a current BD writer with 16× BD-R media; bench:burn writes at 16×).
const BD_SPEEDS = [71920, 53940, 35960, 26970, 17980, 8990];

// CD capacity: ATIP last possible lead-out 79:59:74 → LBA 359849 (MMC-6 §4.2.3.8 MSF→LBA).
const CD_CAPACITY = 359849;

export const MEDIA_SPECS: Record<MediaTypeName, MediaSpec> = {
  'cd-r': { type: 'cd-r', family: 'cd', profile: 0x09, capacity: CD_CAPACITY, model: 'sequential', erasable: false, writeSpeeds: CD_SPEEDS, blocking: 1 },
  'cd-rw': { type: 'cd-rw', family: 'cd', profile: 0x0a, capacity: CD_CAPACITY, model: 'sequential', erasable: true, writeSpeeds: CD_RW_SPEEDS, blocking: 1 },
  'dvd-r': { type: 'dvd-r', family: 'dvd', profile: 0x11, capacity: 2298496, model: 'sequential', erasable: false, writeSpeeds: DVD_R_SPEEDS, blocking: 16 },
  'dvd-rw': { type: 'dvd-rw', family: 'dvd', profile: 0x14, capacity: 2297888, model: 'sequential', erasable: true, writeSpeeds: DVD_RW_SPEEDS, blocking: 16 },
  'dvd+r': { type: 'dvd+r', family: 'dvd', profile: 0x1b, capacity: 2295104, model: 'sequential', erasable: false, writeSpeeds: DVD_R_SPEEDS, blocking: 16 },
  'dvd+rw': { type: 'dvd+rw', family: 'dvd', profile: 0x1a, capacity: 2295104, formattedCapacity: 2295104, model: 'random', erasable: true, writeSpeeds: DVD_RW_SPEEDS, blocking: 16 },
  'dvd+r-dl': { type: 'dvd+r-dl', family: 'dvd', profile: 0x2b, capacity: 4173824, layer0Capacity: 2086912, model: 'sequential', erasable: false, writeSpeeds: DVD_DL_SPEEDS, blocking: 16 },
  'dvd-r-dl': { type: 'dvd-r-dl', family: 'dvd', profile: 0x15, capacity: 4171712, layer0Capacity: 2085856, model: 'sequential', erasable: false, writeSpeeds: DVD_DL_SPEEDS, blocking: 16 },
  'dvd-ram': { type: 'dvd-ram', family: 'dvd', profile: 0x12, capacity: 2236704, formattedCapacity: 2236704, model: 'random', erasable: true, writeSpeeds: [6925, 4155], preformatted: true, blocking: 16 },
  'bd-r': { type: 'bd-r', family: 'bd', profile: 0x41, capacity: 12219392, formattedCapacity: 11826176, model: 'sequential', erasable: false, writeSpeeds: BD_SPEEDS, blocking: 32 },
  'bd-re': { type: 'bd-re', family: 'bd', profile: 0x43, capacity: 12219392, formattedCapacity: 11826176, model: 'random', erasable: true, writeSpeeds: [8990, 4495], blocking: 32 },
};

/** ATIP identity of the virtual CD media (Orange Book lead-in start; 97:24:0x = Taiyo Yuden). */
export const CD_ATIP_LEAD_IN = { m: 97, s: 24, f: 1 };
export const CD_RW_ATIP_LEAD_IN = { m: 97, s: 34, f: 23 };
export const CD_ATIP_LEAD_OUT = { m: 79, s: 59, f: 74 };
