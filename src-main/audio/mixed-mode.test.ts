// Mixed mode's block stream (ByteSource contract) and cue sheet: mode 1 sectors framed from the
// image from LBA −150 (the pause as mode 1 zeros), the audio behind a 2 s pause, tracks renumbered.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeByteSourceContract } from '../image/byte-source/contract';
import { bufferByteSource } from '../image/byte-source/file-source';
import { mode1Sector } from '../cd/sector';
import { encodeCueSheet, parseCueSheet } from '../mmc/commands/send-cue-sheet';
import { layoutDisc } from './layout';
import type { AudioBurnPlan } from './audio-plan';
import { mixedCueSheet, mixedModeDisc, mixedProgramSource } from './mixed-mode';

const dir = mkdtempSync(join(tmpdir(), 'gm-mixed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pcm = [randomBytes(4 * 588 * 300 + 12), randomBytes(4 * 588 * 301)];
pcm.forEach((b, i) => writeFileSync(join(dir, `${i}.cdda`), b));
const layout = layoutDisc([{ samples: pcm[0].length / 4, pregapSectors: 150 }, { samples: pcm[1].length / 4, pregapSectors: 0 }], { mcn: '0123456789012' });
const audio: AudioBurnPlan = { layout, cdTextPacks: [], placements: layout.tracks.map((t, i) => ({ file: join(dir, `${i}.cdda`), firstSample: t.firstSample, samples: t.samples })) };
const D = 320;
const iso = randomBytes(D * 2048);
const disc = mixedModeDisc(audio, D, async () => bufferByteSource(iso));

describeByteSourceContract('mixed-mode program', async () => {
  const total = 150 + disc.audio.layout.leadOut;
  const b = Buffer.alloc(total * 2352);
  for (let lba = -150; lba < D; lba++) b.set(mode1Sector(lba, lba < 0 ? new Uint8Array(2048) : iso.subarray(lba * 2048, (lba + 1) * 2048)), (lba + 150) * 2352);
  disc.audio.placements.forEach((p, i) => pcm[i].copy(b, 150 * 2352 + p.firstSample * 4));
  return { open: async () => mixedProgramSource(disc), sha256: createHash('sha256').update(b).digest('hex'), sectorSize: 2352, totalSectors: total };
});

describe('mixed-mode layout and cue sheet', () => {
  it('data track 1 from −150 (form 11h, data CONTROL), audio tracks 2… after a 2 s pause, MCN kept, lead-out moved', () => {
    const e = parseCueSheet(encodeCueSheet(mixedCueSheet(disc)));
    const abs = (x: { min: number; sec: number; frame: number }) => (x.min * 60 + x.sec) * 75 + x.frame - 150;
    const pos = e.filter((x) => (x.ctlAdr & 0x0f) === 1 && x.tno !== 0);
    expect(pos.map((x) => [x.tno, x.index, x.ctlAdr >> 4, x.dataForm, abs(x)])).toEqual([
      [1, 0, 4, 0x11, -150], [1, 1, 4, 0x11, 0],
      [2, 0, 0, 0x00, D], [2, 1, 0, 0x00, D + 150],
      [3, 1, 0, 0x00, D + 150 + layout.tracks[1].start],
      [0xaa, 1, 0, 0x01, D + 150 + layout.leadOut],
    ]);
    expect(e.filter((x) => x.ctlAdr === 0x02)).toHaveLength(2);
    expect(() => mixedModeDisc(audio, 100, async () => bufferByteSource(iso))).toThrow(/at least 4 seconds/);
  });
});
