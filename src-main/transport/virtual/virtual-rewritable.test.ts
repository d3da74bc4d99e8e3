// Conformance of the virtual recorder's rewritable media with MMC-6: DVD+RW formatting and random
// writes (§4.5.6), BD-RE (§4.5.7), DVD-RW sequential ↔ restricted overwrite morphing (§4.5.3),
// CD-RW blanking (§6.2), DVD-RAM (§4.5.1), READ FORMAT CAPACITIES (§6.23).
import { afterEach, describe, expect, it } from 'vitest';
import { buildGetConfiguration, Feature, parseGetConfiguration } from '../../mmc/commands/get-configuration';
import { buildReadDiscInformation, parseReadDiscInformation } from '../../mmc/commands/read-disc-information';
import { buildReadTrackInformation, parseReadTrackInformation } from '../../mmc/commands/read-track-information';
import { buildReadFormatCapacities, parseReadFormatCapacities } from '../../mmc/commands/read-format-capacities';
import { buildFormatUnit, FormatType } from '../../mmc/commands/format-unit';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildRead10 } from '../../mmc/commands/read';
import { buildBlank, BlankType } from '../../mmc/commands/blank';
import { buildCloseTrackSession } from '../../mmc/commands/close-track-session';
import { buildReadCapacity, parseReadCapacity } from '../../mmc/commands/read-capacity';
import { buildReadTocPmaAtip, parseAtip } from '../../mmc/commands/read-toc-pma-atip';
import { buildModeSelect10, encodeWriteParametersPage } from '../../mmc/commands/mode-sense';
import type { ScsiDevice } from '../transport';
import { virtualFixture, type VirtualFixture } from './testing';
import { blocks, check, ok } from './test-util';

let f: VirtualFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

const disc = async (dev: ScsiDevice) => parseReadDiscInformation(await ok(dev, buildReadDiscInformation()));
const config = async (dev: ScsiDevice) => parseGetConfiguration(await ok(dev, buildGetConfiguration({ rt: 'all', allocationLength: 4096 })));
const capacities = async (dev: ScsiDevice) => parseReadFormatCapacities(await ok(dev, buildReadFormatCapacities()));

describe('READ into the host\'s memory (ScsiCommand.into)', () => {
  it('reads straight into the memory given, and never-written sectors read as zeros even where that memory held old bytes', async () => {
    f = await virtualFixture('dvd+rw');
    const d = f.device;
    await ok(d, buildFormatUnit({ formatType: FormatType.DVD_PLUS_RW_FULL, blocks: 0 }));
    await ok(d, buildWrite10(0, 16, blocks(16, 5)));
    const into = new Uint8Array(new SharedArrayBuffer(32 * 2048)).fill(0xa5);
    // Sectors 8–39: 8 written, the rest beyond the end of the sparse backing file.
    const data = await ok(d, { ...buildRead10(8, 32), into });
    expect(data.buffer).toBe(into.buffer);
    expect(data.subarray(0, 8 * 2048)).toEqual(Buffer.from(blocks(16, 5).subarray(8 * 2048)));
    expect(data.subarray(8 * 2048).every((b) => b === 0)).toBe(true);
    // Too small a memory is not used: the answer is complete anyway.
    const small = new Uint8Array(2048);
    const whole = await ok(d, { ...buildRead10(0, 2), into: small });
    expect(whole.length).toBe(2 * 2048);
    expect(whole.buffer).not.toBe(small.buffer);
  });
});

describe('DVD+RW (1Ah)', () => {
  it('is blank until FORMAT UNIT type 26h, then accepts random overwrites anywhere', async () => {
    f = await virtualFixture('dvd+rw');
    const d = f.device;
    expect((await disc(d)).discStatus).toBe('blank');
    const fc = await capacities(d);
    expect(fc.current.type).toBe('unformatted');
    expect(fc.formattable).toEqual([{ blocks: 2295104, formatType: 0x26, typeDependent: 0 }]);
    await check(d, buildWrite10(0, 16, blocks(16, 1)), [2, 0x30, 0x10]); // medium not formatted
    await ok(d, buildFormatUnit({ formatType: FormatType.DVD_PLUS_RW_FULL, blocks: 0 }));
    const di = await disc(d);
    // Formatted DVD+RW: complete, background format complete (MMC-6 §6.21.3.1.9), erasable.
    expect(di).toMatchObject({ discStatus: 'complete', bgFormatStatus: 3, erasable: true });
    expect((await capacities(d)).current).toEqual({ blocks: 2295104, type: 'formatted', blockLength: 2048 });
    const cfg = await config(d);
    expect(cfg.features.get(Feature.RANDOM_WRITABLE)?.current).toBe(true);
    expect(cfg.summary.randomWritable).toEqual({ lastLba: 2295103, blockSize: 2048 });
    await ok(d, buildWrite10(1000, 16, blocks(16, 1)));
    await ok(d, buildWrite10(1000, 16, blocks(16, 2))); // overwrite
    await ok(d, buildWrite10(3, 1, blocks(1, 3))); // unaligned single blocks are fine on DVD+RW
    expect(Buffer.compare(await ok(d, buildRead10(1000, 16)), Buffer.from(blocks(16, 2)))).toBe(0);
    await check(d, buildWrite10(2295100, 16, blocks(16, 4)), [5, 0x21, 0x00]);
    expect(parseReadCapacity(await ok(d, buildReadCapacity())).lastLba).toBe(2295103);
    // Closing a DVD+RW session only stops background formatting.
    await ok(d, buildCloseTrackSession(2));
    await check(d, buildBlank(BlankType.FULL), [5, 0x30, 0x05]); // DVD+RW is not blanked, it is formatted
  });
});

describe('BD-RE (43h) and BD-R RRM (42h)', () => {
  it('BD-RE: format with spares (30h) or without (31h) sets the capacity', async () => {
    f = await virtualFixture('bd-re');
    const d = f.device;
    const fc = await capacities(d);
    expect(fc.formattable.map((x) => x.formatType)).toEqual([0x30, 0x31]);
    await ok(d, buildFormatUnit({ formatType: FormatType.BD_RE_SPARES, blocks: 0 }));
    expect((await capacities(d)).current.blocks).toBe(11826176);
    await ok(d, buildFormatUnit({ formatType: FormatType.BD_RE_NO_SPARES, blocks: 0 }));
    expect((await capacities(d)).current.blocks).toBe(12219392);
    await ok(d, buildWrite10(12219392 - 32, 32, blocks(32, 1)));
    expect((await config(d)).features.get(Feature.HARDWARE_DEFECT_MANAGEMENT)?.current).toBe(true);
  });

  it('BD-R: FORMAT UNIT type 32h on a blank disc morphs to Random Recording Mode (profile 42h)', async () => {
    f = await virtualFixture('bd-r');
    const d = f.device;
    await ok(d, buildFormatUnit({ formatType: FormatType.BD_R_SPARES, blocks: 0 }));
    expect((await config(d)).currentProfile).toBe(0x42);
    await ok(d, buildWrite10(5000, 32, blocks(32, 1)));
    await ok(d, buildWrite10(64, 32, blocks(32, 2)));
    expect(Buffer.compare(await ok(d, buildRead10(5000, 32)), Buffer.from(blocks(32, 1)))).toBe(0);
  });
});

describe('DVD-RW (14h ↔ 13h)', () => {
  it('quick format morphs sequential to restricted overwrite; BLANK morphs it back', async () => {
    f = await virtualFixture('dvd-rw');
    const d = f.device;
    expect((await config(d)).currentProfile).toBe(0x14);
    await ok(d, buildWrite10(0, 16, blocks(16, 1)));
    await ok(d, buildFormatUnit({ formatType: FormatType.DVD_RW_QUICK, blocks: 0, typeDependent: 16 }));
    const cfg = await config(d);
    expect(cfg.currentProfile).toBe(0x13);
    expect(cfg.features.get(Feature.RESTRICTED_OVERWRITE)?.current).toBe(true);
    // Restricted overwrite: whole ECC blocks only (MMC-6 §4.5.3.5).
    await check(d, buildWrite10(8, 16, blocks(16, 2)), [5, 0x21, 0x02]);
    await check(d, buildWrite10(16, 8, blocks(8, 2)), [5, 0x21, 0x02]);
    await ok(d, buildWrite10(32, 32, blocks(32, 2)));
    await ok(d, buildWrite10(32, 16, blocks(16, 3)));
    const ti = parseReadTrackInformation(await ok(d, buildReadTrackInformation({ address: 1 })));
    expect(ti).toMatchObject({ fixedPacket: true, fixedPacketSize: 16 });
    await ok(d, buildBlank(BlankType.MINIMAL));
    expect((await config(d)).currentProfile).toBe(0x14);
    expect((await disc(d)).discStatus).toBe('blank');
    await check(d, buildRead10(32, 1), [5, 0x21, 0x00]);
  });
});

describe('CD-RW (0Ah)', () => {
  it('ATIP marks it erasable; BLANK session erases the last session, BLANK minimal everything', async () => {
    f = await virtualFixture('cd-rw');
    const d = f.device;
    expect(parseAtip(await ok(d, buildReadTocPmaAtip({ format: 4, allocationLength: 28 }))).erasable).toBe(true);
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession: 3, dataBlockType: 8 })]));
    await ok(d, buildWrite10(0, 100, blocks(100, 1)));
    await ok(d, buildCloseTrackSession(2));
    const nwa2 = parseReadTrackInformation(await ok(d, buildReadTrackInformation({ address: 0xff }))).nextWritableAddress!;
    await ok(d, buildWrite10(nwa2, 50, blocks(50, 2)));
    await ok(d, buildCloseTrackSession(2));
    expect((await disc(d)).sessions).toBe(3);
    await ok(d, buildBlank(BlankType.SESSION));
    const di = await disc(d);
    expect(di).toMatchObject({ discStatus: 'appendable', sessions: 2 });
    expect(parseReadTrackInformation(await ok(d, buildReadTrackInformation({ address: 0xff }))).nextWritableAddress).toBe(nwa2);
    await ok(d, buildBlank(BlankType.MINIMAL));
    expect(await disc(d)).toMatchObject({ discStatus: 'blank', sessions: 1, erasable: true });
  });
});

describe('DVD-RAM (12h)', () => {
  it('arrives formatted and writable anywhere', async () => {
    f = await virtualFixture('dvd-ram');
    const d = f.device;
    expect((await disc(d)).discStatus).toBe('complete');
    await ok(d, buildWrite10(77, 3, blocks(3, 1)));
    expect(Buffer.compare(await ok(d, buildRead10(77, 3)), Buffer.from(blocks(3, 1)))).toBe(0);
  });
});
