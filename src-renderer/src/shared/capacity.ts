// Media sizes the capacity meter measures against when no writable disc is loaded (user data
// capacity in 2048-byte sectors: 80-minute CD-R, single- and dual-layer DVD±R, BD-R SL/DL).
export const CAPACITY_TARGETS = {
  cd: { label: 'CD 700 MB', bytes: 360_000 * 2048 },
  dvd: { label: 'DVD 4.7 GB', bytes: 2_295_104 * 2048 },
  'dvd-dl': { label: 'DVD DL 8.5 GB', bytes: 4_173_824 * 2048 },
  bd25: { label: 'BD 25 GB', bytes: 12_219_392 * 2048 },
  bd50: { label: 'BD 50 GB', bytes: 24_438_784 * 2048 },
} as const;
export type CapacityTarget = keyof typeof CAPACITY_TARGETS;
