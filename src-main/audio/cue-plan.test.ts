// A user CUE laid out exactly as written (pure part of cue-plan.ts): one BINARY holding several
// tracks with INDEX 00 pauses and index points, PREGAP silence inserted mid-file, files padded to a
// sector, FLAGS/ISRC/CATALOG, refusals with the CUE line.
import { describe, expect, it } from 'vitest';
import { parseCueText } from './cue-parse';
import { cueLayout } from './cue-plan';

const S = 588; // samples a sector

describe('cueLayout', () => {
  it('one BINARY, three tracks: INDEX 00 pause kept in the file, PREGAP inserted as silence, index 02', () => {
    const sheet = parseCueText([
      'CATALOG 0123456789012',
      'FILE "all.bin" BINARY',
      '  TRACK 01 AUDIO', '    FLAGS DCP PRE', '    INDEX 01 00:00:00', '    INDEX 02 00:02:00',
      '  TRACK 02 AUDIO', '    ISRC USRC17607839', '    INDEX 00 00:10:00', '    INDEX 01 00:12:00',
      '  TRACK 03 AUDIO', '    PREGAP 00:01:00', '    INDEX 01 00:20:00', '',
    ].join('\n'), 'all.cue');
    const samples = 30 * 75 * S + 100; // 30 s and a bit: the file is padded to 2251 sectors
    const { layout, placements } = cueLayout(sheet, [{ pcm: '/x/all.bin', samples }], 'all.cue');
    expect(layout.mcn).toBe('0123456789012');
    expect(layout.tracks.map((t) => [t.number, t.pregapStart, t.start, t.indexes, t.end, t.control, t.isrc])).toEqual([
      [1, -150, 0, [150], 750, 3, undefined],
      [2, 750, 900, [], 1500, 0, 'USRC17607839'],
      // PREGAP: 75 sectors of silence at 1500, then the file's frame 1500 (track 3's INDEX 01) at 1575.
      [3, 1500, 1575, [], 2251 + 75, 0, undefined],
    ]);
    expect(layout.leadOut).toBe(2251 + 75);
    // The file in three pieces; the piece from track 3 on moved by the 75 sectors of PREGAP.
    expect(placements).toEqual([
      { file: '/x/all.bin', fileSample: 0, firstSample: 0, samples: 750 * S },
      { file: '/x/all.bin', fileSample: 750 * S, firstSample: 750 * S, samples: 750 * S },
      { file: '/x/all.bin', fileSample: 1500 * S, firstSample: (1500 + 75) * S, samples: samples - 1500 * S },
    ]);
  });

  it('a FILE per track: each padded to a whole sector; track 1 starting later makes the start its pause', () => {
    const sheet = parseCueText(['FILE "a.wav" WAVE', '  TRACK 01 AUDIO', '    INDEX 01 00:01:00', 'FILE "b.flac" WAVE', '  TRACK 02 AUDIO', '    INDEX 01 00:00:00', ''].join('\n'), 'x.cue');
    const { layout, placements } = cueLayout(sheet, [{ pcm: 'a', samples: 400 * S + 1 }, { pcm: 'b', samples: 300 * S }], 'x.cue');
    expect(layout.tracks.map((t) => [t.pregapStart, t.start, t.end])).toEqual([[-150, 75, 401], [401, 401, 701]]);
    expect(placements.map((p) => [p.file, p.firstSample])).toEqual([['a', 0], ['b', 401 * S]]);
  });

  it('refuses what would lose or misplace audio, naming the CUE line', () => {
    const short = parseCueText(['FILE "a.bin" BINARY', '  TRACK 01 AUDIO', '    INDEX 01 00:00:00', '  TRACK 02 AUDIO', '    INDEX 01 00:02:00', ''].join('\n'), 's.cue');
    expect(() => cueLayout(short, [{ pcm: 'a', samples: 600 * S }], 's.cue')).toThrow(/s\.cue:2: track 1 is shorter than 4 seconds/);
    const late = parseCueText(['FILE "a.bin" BINARY', '  TRACK 01 AUDIO', '    INDEX 00 00:01:00', '    INDEX 01 00:03:00', ''].join('\n'), 'l.cue');
    expect(() => cueLayout(late, [{ pcm: 'a', samples: 600 * S }], 'l.cue')).toThrow(/l\.cue:2: INDEX 00 of track 1 must be at 00:00:00/);
    const past = parseCueText(['FILE "a.bin" BINARY', '  TRACK 01 AUDIO', '    INDEX 01 00:00:00', '  TRACK 02 AUDIO', '    INDEX 01 00:20:00', ''].join('\n'), 'p.cue');
    expect(() => cueLayout(past, [{ pcm: 'a', samples: 600 * S }], 'p.cue')).toThrow(/p\.cue:4: the index lies after the end of its FILE/);
  });
});
