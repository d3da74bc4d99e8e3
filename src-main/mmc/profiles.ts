// MMC profile numbers (MMC-6 §5.3.1) and what each one means to a burner.
import type { MediaProfileName } from '../common/model/drive';

export const PROFILES: ReadonlyArray<[number, MediaProfileName]> = [
  [0x0000, 'None'],
  [0x0001, 'Non-removable disk'],
  [0x0002, 'Removable disk'],
  [0x0003, 'MO erasable'],
  [0x0004, 'MO write once'],
  [0x0005, 'AS-MO'],
  [0x0008, 'CD-ROM'],
  [0x0009, 'CD-R'],
  [0x000a, 'CD-RW'],
  [0x0010, 'DVD-ROM'],
  [0x0011, 'DVD-R'],
  [0x0012, 'DVD-RAM'],
  [0x0013, 'DVD-RW RO'],
  [0x0014, 'DVD-RW seq'],
  [0x0015, 'DVD-R DL'],
  [0x0016, 'DVD-R DL jump'],
  [0x0017, 'DVD-RW DL'],
  [0x0018, 'DVD-Download'],
  [0x001a, 'DVD+RW'],
  [0x001b, 'DVD+R'],
  [0x002a, 'DVD+RW DL'],
  [0x002b, 'DVD+R DL'],
  [0x0020, 'DDCD-ROM'],
  [0x0021, 'DDCD-R'],
  [0x0022, 'DDCD-RW'],
  [0x0040, 'BD-ROM'],
  [0x0041, 'BD-R SRM'],
  [0x0042, 'BD-R RRM'],
  [0x0043, 'BD-RE'],
  [0x0050, 'HD DVD-ROM'],
  [0x0051, 'HD DVD-R'],
  [0x0052, 'HD DVD-RAM'],
  [0x0053, 'HD DVD-RW'],
  [0x0058, 'HD DVD-R DL'],
  [0x005a, 'HD DVD-RW DL'],
];

const BY_NUMBER = new Map(PROFILES);
const BY_NAME = new Map(PROFILES.map(([n, s]) => [s, n]));

export function profileName(n: number): MediaProfileName {
  return BY_NUMBER.get(n) ?? 'Unknown';
}
export function profileNumber(name: MediaProfileName): number | undefined {
  return BY_NAME.get(name);
}

export type MediaFamily = 'cd' | 'dvd' | 'bd' | 'hddvd' | 'other';

export function profileFamily(n: number): MediaFamily {
  if (n >= 0x08 && n <= 0x0a) return 'cd';
  if (n >= 0x10 && n <= 0x2b) return 'dvd';
  if (n >= 0x40 && n <= 0x43) return 'bd';
  if (n >= 0x50 && n <= 0x5a) return 'hddvd';
  return 'other';
}

/** Rewritable media: erasable by BLANK or overwritable in place. */
export function profileErasable(n: number): boolean {
  return [0x000a, 0x0012, 0x0013, 0x0014, 0x0017, 0x001a, 0x002a, 0x0043, 0x0052, 0x0053, 0x005a].includes(n);
}

/** Media that accept random (overwrite) writes once formatted. */
export function profileRandomWritable(n: number): boolean {
  return [0x0012, 0x0013, 0x001a, 0x002a, 0x0042, 0x0043, 0x0052].includes(n);
}

export function profileWritable(n: number): boolean {
  return [0x0009, 0x000a, 0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0017, 0x001a, 0x001b, 0x002a, 0x002b, 0x0041, 0x0042, 0x0043].includes(n);
}
