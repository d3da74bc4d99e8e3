import { describe, expect, it } from 'vitest';
import { formatBurnProgress, formatDuration, formatEraseProgress } from './progress-text';
import { formatBytes, kbpsLabel, speedLabel, speedX } from './units';
import { parseSpeed } from '../cli/burn-commands';

describe('burn progress as text', () => {
  it('a writing line: percent, bytes, speed as N×, both buffers, elapsed and time left', () => {
    const line = formatBurnProgress({
      action: 'writing', copy: 1, copies: 1, sectorsWritten: 1_000_000, totalSectors: 2_000_000, bytesWritten: 2_048_000_000, totalBytes: 4_096_000_000,
      speedBytesPerSec: 22_160_000, averageBytesPerSec: 20_000_000, speedX: 16, speedLabel: '16×', ringFill: 0.97, driveBufferFill: 0.8, elapsedMs: 102_400, remainingMs: 102_400,
    });
    expect(line).toBe('Writing 50%  1.91 GiB of 3.81 GiB  16× (21.1 MiB/s)  buffer 97%, drive 80%  1:42, 1:42 left');
    expect(formatBurnProgress({ action: 'closing', copy: 2, copies: 3, sectorsWritten: 0, totalSectors: 0, bytesWritten: 0, totalBytes: 0, speedBytesPerSec: 0, averageBytesPerSec: 0, speedX: 0, speedLabel: '0×', ringFill: 0, elapsedMs: 5000, fraction: 0.5 }))
      .toBe('Closing (copy 2/3) 50%  0:05');
    expect(formatEraseProgress({ action: 'formatting', fraction: 0.25, elapsedMs: 61_000 })).toBe('Formatting 25%  1:01');
    expect(formatDuration(3_599_000)).toBe('59:59');
  });

  it('speeds per media family: CD 1× = 75 sectors/s, DVD 1× = 1.385 MB/s, BD 1× = 4.495 MB/s', () => {
    expect(speedX(22_160_000, 'dvd')).toBe(16);
    expect(speedLabel(speedX(4_495_000 * 6, 'bd'))).toBe('6×');
    expect(speedLabel(speedX(75 * 2048 * 48, 'cd'))).toBe('48×');
    expect(kbpsLabel(8467, 'cd')).toBe('48× (8467 kB/s)');
    expect(speedLabel(2.44)).toBe('2.4×');
    expect(formatBytes(812e6)).toBe('774 MiB'); // the renderer's units too (common/byte-size.ts)
    expect(formatBytes(4.7e9)).toBe('4.38 GiB');
    expect(formatBytes(2048)).toBe('2.00 KiB');
    expect(formatBytes(512)).toBe('512 B');
    // Rounded before the unit is chosen.
    expect(formatBytes(1_048_575)).toBe('1.00 MiB');
    expect(formatBytes(1_048_000)).toBe('1023 KiB');
    expect(formatBytes(99.97 * 1024 * 1024)).toBe('100 MiB');
  });

  it('--speed: max, a multiple (16, 16x) or kB/s (5540k); anything else is a usage error', () => {
    expect(parseSpeed('max')).toEqual({ speed: 'max' });
    expect(parseSpeed('16')).toEqual({ speedX: 16 });
    expect(parseSpeed('16x')).toEqual({ speedX: 16 });
    expect(parseSpeed('2.4×')).toEqual({ speedX: 2.4 });
    expect(parseSpeed('5540k')).toEqual({ speed: 5540 });
    expect(() => parseSpeed('fast')).toThrow(/a speed is/);
    expect(() => parseSpeed('0')).toThrow(/a speed is/);
  });
});
