import type { MediaInfo } from '../../../src-main/common/model/drive';

const SECTOR = 2048;

/**
 * "512 B", "38.8 MiB", "4.38 GiB": the main process's words for sizes (src-main/common/byte-size.ts,
 * which the renderer may not import at run time; format.test.ts holds the two equal), so a size the
 * main process writes into a sentence and one the panels show never differ in their units.
 */
export function formatBytes(bytes: number): string {
  if (Math.round(bytes) < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  // Rounded before the unit is chosen: 1,048,575 bytes is "1.00 MiB", not "1024 KiB".
  const shown = (x: number) => Number(x.toFixed(x >= 99.95 ? 0 : x >= 9.995 ? 1 : 2));
  while (shown(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const r = shown(v);
  return `${r.toFixed(r >= 100 ? 0 : r >= 10 ? 1 : 2)} ${units[i]}`;
}

export function blocksToBytes(blocks: number): number {
  return blocks * SECTOR;
}

const PRESSED = new Set(['CD-ROM', 'DVD-ROM', 'BD-ROM', 'HD DVD-ROM', 'DDCD-ROM']);
/** Random-writable media: "closed" says nothing of them (they are overwritten in place). */
const OVERWRITABLE = new Set(['DVD-RAM', 'DVD+RW', 'BD-RE', 'DVD-RW RO', 'HD DVD-RAM']);

/** A pressed (read-only) disc: no free space and no write speeds are shown for it. */
export function isPressed(media: MediaInfo): boolean {
  return PRESSED.has(media.profile);
}

/** The i18n key (drives.status_*) of a true status word for the disc. */
export function statusKey(media: MediaInfo): string {
  if (media.status === 'no-disc') return 'drives.status_noDisc';
  if (isPressed(media)) return 'drives.status_pressed';
  if (OVERWRITABLE.has(media.profile)) return media.formatted === false ? 'drives.status_unformatted' : 'drives.status_overwritable';
  if (media.status === 'blank') return 'drives.status_blank';
  if (media.status === 'appendable') return 'drives.status_appendable';
  return 'drives.status_closed';
}

/** Speeds as drives are sold: "16×" (1× = 1,385 kB/s DVD, 4,495 kB/s BD, 176.4 kB/s CD). */
export function formatSpeed(kBps: number, profile: string): string {
  const base = profile.startsWith('BD') ? 4495.5 : profile.startsWith('DVD') || profile.startsWith('HD') ? 1385 : 176.4;
  const x = kBps / base;
  return `${x >= 10 ? Math.round(x) : Math.round(x * 10) / 10}×`;
}

export function formatDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
