// The burner's side of an authored disc: CD-DA byte sources (the ByteSource contract suite) and the
// SAO cue sheet for SEND CUE SHEET, checked against the layout and against the CUE file we write.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeByteSourceContract } from '../image/byte-source/contract';
import { encodeCueSheet, parseCueSheet } from '../mmc/commands/send-cue-sheet';
import { parseCueText } from './cue-parse';
import { cueSheetText } from './image-files';
import { layoutDisc } from './layout';
import { programSource, saoCueSheet, trackSource, type AudioBurnPlan } from './audio-plan';

const dir = mkdtempSync(join(tmpdir(), 'gm-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pcm = [randomBytes(4 * (588 * 320 + 11)), randomBytes(4 * (588 * 310 + 5)), randomBytes(4 * 588 * 305)];
pcm.forEach((b, i) => writeFileSync(join(dir, `${i}.cdda`), b));
const layout = layoutDisc(
  [
    { samples: pcm[0].length / 4, pregapSectors: 150, indexes: [75], isrc: 'USRC17607839' },
    { samples: pcm[1].length / 4, pregapSectors: 0, copyPermitted: true },
    { samples: pcm[2].length / 4, pregapSectors: 150, preEmphasis: true },
  ],
  { mcn: '0123456789012' },
);
const plan: AudioBurnPlan = {
  layout,
  cdTextPacks: [new Uint8Array(18)],
  placements: layout.tracks.map((t, i) => ({ file: join(dir, `${i}.cdda`), firstSample: t.firstSample, samples: t.samples })),
};

/** The expected program from LBA −150: silence, then every track's PCM at its place. */
const program = (() => {
  const b = Buffer.alloc((layout.leadOut + 150) * 2352);
  layout.tracks.forEach((t, i) => pcm[i].copy(b, 150 * 2352 + t.firstSample * 4));
  return b;
})();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describeByteSourceContract('CD-DA program (SAO)', async () => ({ open: async () => programSource(plan), sha256: sha(program), sectorSize: 2352, totalSectors: layout.leadOut + 150 }));
describeByteSourceContract('CD-DA track 3 (TAO)', async () => {
  const t = layout.tracks[2];
  return { open: async () => trackSource(plan, 3), sha256: sha(program.subarray((t.pregapStart + 150) * 2352, (t.end + 150) * 2352)), sectorSize: 2352, totalSectors: t.end - t.pregapStart };
});

describe('SAO cue sheet', () => {
  const entries = parseCueSheet(encodeCueSheet(saoCueSheet(plan)));
  const abs = (e: { min: number; sec: number; frame: number }) => (e.min * 60 + e.sec) * 75 + e.frame - 150;

  it('starts with the lead-in (host R-W for CD-TEXT) and the MCN, ends with the lead-out', () => {
    expect(entries[0]).toMatchObject({ ctlAdr: 0x01, tno: 0, index: 0, dataForm: 0x41, min: 0, sec: 0, frame: 0 });
    expect(entries.slice(1, 3).map((e) => e.ctlAdr)).toEqual([0x02, 0x02]);
    const mcn = entries.slice(1, 3).flatMap((e) => [e.tno, e.index, e.dataForm, e.scms, e.min, e.sec, e.frame]);
    expect(Buffer.from(mcn.slice(0, 13)).toString('latin1')).toBe('0123456789012');
    const last = entries.at(-1)!;
    expect(last).toMatchObject({ tno: 0xaa, index: 1, dataForm: 0x01 });
    expect(abs(last)).toBe(layout.leadOut);
  });

  it('carries every index of the layout (and of our CUE file) at its LBA, with the track\'s CONTROL and ISRC', () => {
    const positions = entries.filter((e) => (e.ctlAdr & 0x0f) === 1 && e.tno >= 1 && e.tno <= 99);
    const fromLayout = layout.tracks.flatMap((t) => [
      ...(t.pregapStart < t.start ? [[t.number, 0, t.pregapStart]] : []),
      [t.number, 1, t.start],
      ...t.indexes.map((lba, i) => [t.number, i + 2, lba]),
    ]);
    expect(positions.map((e) => [e.tno, e.index, abs(e)])).toEqual(fromLayout);
    expect(positions.find((e) => e.tno === 1 && e.index === 0)).toMatchObject({ min: 0, sec: 0, frame: 0 }); // LBA −150
    expect(positions.filter((e) => e.tno === 2).every((e) => e.ctlAdr >> 4 === 0x2)).toBe(true);
    expect(positions.filter((e) => e.tno === 3).every((e) => e.ctlAdr >> 4 === 0x1)).toBe(true);
    // The CUE file's INDEX 01 lines name the same sectors.
    const cue = parseCueText(cueSheetText(layout, { bin: 'x.bin' }), 'x.cue');
    expect(cue.tracks.map((t) => t.indexes.find((i) => i.number === 1)!.frames)).toEqual(positions.filter((e) => e.index === 1).map(abs));
    const isrc = entries.filter((e) => (e.ctlAdr & 0x0f) === 3);
    expect(isrc.map((e) => e.tno)).toEqual([1, 1]);
    expect(Buffer.from(isrc.flatMap((e) => [e.index, e.dataForm, e.scms, e.min, e.sec, e.frame])).toString('latin1')).toBe('USRC17607839');
  });
});
