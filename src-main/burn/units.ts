// Sizes and speeds in the words the user reads.

/** 1× per media family in bytes of user data per second: CD 75 sectors/s (176.4 kB/s of raw
 * 2352-byte frames, 153.6 kB/s of data), DVD 1.385 MB/s, BD 4.495 MB/s (MMC-6 performance units). */
export const ONE_X_BYTES_PER_SEC = { cd: 75 * 2048, dvd: 1_385_000, bd: 4_495_000 } as const;

export type SpeedFamily = keyof typeof ONE_X_BYTES_PER_SEC;

/** Byte counts: common/byte-size.ts (the renderer's convention too). */
export { formatBytes } from '../common/byte-size';

export function speedX(bytesPerSec: number, family: SpeedFamily): number {
  return bytesPerSec / ONE_X_BYTES_PER_SEC[family];
}

/** "16×", "2.4×". */
export function speedLabel(x: number): string {
  return `${x >= 10 ? Math.round(x) : Math.round(x * 10) / 10}×`;
}

/** kB/s (MMC units) of the drive's speed list → "16× (22160 kB/s)". */
export function kbpsLabel(kbps: number, family: SpeedFamily): string {
  const bytes = family === 'cd' ? (kbps * 1000 * 2048) / 2352 : kbps * 1000;
  return `${speedLabel(speedX(bytes, family))} (${kbps} kB/s)`;
}
