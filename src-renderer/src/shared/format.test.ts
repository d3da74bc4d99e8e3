// The renderer's size words are the main process's (src-main/common/byte-size.ts): the finished
// burn's sentence (written in main) and the drive panel show the same disc side by side.
import { describe, expect, it } from 'vitest';
import { formatBytes as mainFormatBytes } from '../../../src-main/common/byte-size';
import { formatBytes } from './format';

describe('formatBytes', () => {
  it('words every size as the main process does', () => {
    const sizes = [0, 1, 512, 1023, 1023.6, 1024, 2048, 10_235, 1_048_000, 1_048_575, 1_048_576, 40_700_000, 99.97 * 1024 * 1024, 812e6, 4.7e9, 25e9, 2 ** 50];
    for (let b = 1; b < 2 ** 42; b = Math.ceil(b * 1.37)) sizes.push(b);
    for (const b of sizes) expect(formatBytes(b), String(b)).toBe(mainFormatBytes(b));
    expect(formatBytes(40_700_000)).toBe('38.8 MiB');
  });
});
