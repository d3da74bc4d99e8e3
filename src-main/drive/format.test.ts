import { describe, expect, it } from 'vitest';
import { NO_DISC_MEDIA } from '../common/model/drive';
import { formatBlocks, formatMediaInfo, formatSpeed } from './format';

describe('format', () => {
  it('blocks and speeds', () => {
    expect(formatBlocks(2295104)).toBe('2295104 blocks (4.38 GiB)');
    expect(formatBlocks(0)).toBe('0 blocks (0 B)');
    expect(formatSpeed(22160, 'DVD+R')).toBe('22160 kB/s (16x)');
    expect(formatSpeed(7056, 'CD-R')).toBe('7056 kB/s (40x)');
    expect(formatSpeed(8990, 'BD-R SRM')).toBe('8990 kB/s (2x)');
  });

  it('media', () => {
    expect(formatMediaInfo({ ...NO_DISC_MEDIA, tray: 'open' })).toBe('no disc (tray open)');
    const text = formatMediaInfo({
      profile: 'CD-R', status: 'appendable', erasable: false, sessions: 1, tracks: 1, usedBlocks: 100, freeBlocks: 1000, capacityBlocks: 1100,
      nextWritableAddress: 11500, writeSpeeds: [7056], tray: 'closed',
      atip: { manufacturer: 'Taiyo Yuden Company Ltd.', leadInStart: '97:24:01', leadOutStart: '79:59:74', erasable: false },
      trackList: [{ number: 1, session: 1, startLba: 0, sizeBlocks: 100, kind: 'data', blank: false }],
    });
    expect(text).toContain('next write:  LBA 11500');
    expect(text).toContain('ATIP:        Taiyo Yuden Company Ltd.');
    expect(text).toContain('track  1  session 1  data   LBA 0  100 blocks (200.00 KiB)');
  });
});
