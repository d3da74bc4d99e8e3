import type { MediaInfo } from '../../../src-main/common/model/drive';

const SECTOR = 2048;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

export function blocksToBytes(blocks: number): number {
  return blocks * SECTOR;
}

export function describeStatus(media: MediaInfo): string {
  switch (media.status) {
    case 'no-disc':
      return 'No disc';
    case 'blank':
      return 'Blank';
    case 'appendable':
      return 'Appendable';
    case 'complete':
      return 'Closed';
  }
}
