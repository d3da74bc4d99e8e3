// Conformance of the virtual recorder's write-once media with MMC-6: sequential recording at the
// NWA (§4.5.2), tracks, sessions and closing per profile (§6.3 close functions), CD TAO/SAO (§4.2.3), RESERVE
// TRACK, DVD+R DL layer break (§4.5.4.4).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { msfToLba } from '../../mmc/bytes';
import { buildGetConfiguration, parseGetConfiguration } from '../../mmc/commands/get-configuration';
import { buildReadDiscInformation, parseReadDiscInformation } from '../../mmc/commands/read-disc-information';
import { buildReadTrackInformation, parseReadTrackInformation } from '../../mmc/commands/read-track-information';
import { buildReadTocPmaAtip, parseAtip, parseRawToc, parseSessionInfo, parseToc } from '../../mmc/commands/read-toc-pma-atip';
import { buildWrite10, buildWrite12 } from '../../mmc/commands/write';
import { buildRead10 } from '../../mmc/commands/read';
import { buildReadCd } from '../../mmc/commands/read-cd';
import { buildCloseTrackSession } from '../../mmc/commands/close-track-session';
import { buildReserveTrack } from '../../mmc/commands/reserve-track';
import { buildModeSelect10, encodeWriteParametersPage } from '../../mmc/commands/mode-sense';
import { buildSendCueSheet, encodeCueSheet, type CueSheetEntry } from '../../mmc/commands/send-cue-sheet';
import { buildSynchronizeCache } from '../../mmc/commands/synchronize-cache';
import { buildReadCapacity, parseReadCapacity } from '../../mmc/commands/read-capacity';
import { buildReadDiscStructure, buildSendLayerBoundary, parseLayerBoundary, parsePhysicalFormat } from '../../mmc/commands/read-disc-structure';
import { buildBlank } from '../../mmc/commands/blank';
import type { ScsiDevice } from '../transport';
import { virtualFixture, type VirtualFixture } from './testing';
import { blocks, check, ok } from './test-util';

let f: VirtualFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

const disc = async (dev: ScsiDevice) => parseReadDiscInformation(await ok(dev, buildReadDiscInformation()));
const track = async (dev: ScsiDevice, n: number) => parseReadTrackInformation(await ok(dev, buildReadTrackInformation({ address: n })));
const profile = async (dev: ScsiDevice) => parseGetConfiguration(await ok(dev, buildGetConfiguration({ rt: 'current', allocationLength: 64 }))).currentProfile;

describe('DVD+R (profile 1Bh)', () => {
  it('records sequentially at the NWA, rejects other addresses with 05/21/02, and closes sessions', async () => {
    f = await virtualFixture('dvd+r');
    const d = f.device;
    expect(await profile(d)).toBe(0x1b);
    expect(await disc(d)).toMatchObject({ discStatus: 'blank', lastSessionState: 'empty', sessions: 1, lastTrackInLastSession: 1 });
    const t = await track(d, 1);
    expect(t).toMatchObject({ blank: true, nextWritableAddress: 0, freeBlocks: 2295104, fixedPacketSize: 16 });

    const a = blocks(40, 1);
    await ok(d, buildWrite10(0, 40, a));
    await check(d, buildWrite10(48, 16, blocks(16, 2)), [5, 0x21, 0x02]); // not the NWA (40)
    await check(d, buildWrite10(0, 16, blocks(16, 2)), [5, 0x21, 0x02]); // write-once: no overwrite
    expect(await track(d, 1)).toMatchObject({ blank: false, nextWritableAddress: 40, freeBlocks: 2295104 - 40 });
    expect(await disc(d)).toMatchObject({ discStatus: 'appendable', lastSessionState: 'incomplete' });

    // CLOSE TRACK: the next track starts on the next ECC block boundary (16 blocks, DVD).
    await ok(d, buildCloseTrackSession(1, 1));
    expect(await track(d, 2)).toMatchObject({ startLba: 48, nextWritableAddress: 48, blank: true });
    await ok(d, buildWrite12(48, 16, blocks(16, 3)));
    // CLOSE SESSION (function 010b): DVD+R stays appendable with an empty next session.
    await ok(d, buildCloseTrackSession(2));
    const di = await disc(d);
    expect(di).toMatchObject({ discStatus: 'appendable', lastSessionState: 'empty', sessions: 2, firstTrackInLastSession: 3 });
    const toc = parseToc(await ok(d, buildReadTocPmaAtip({ format: 0 })));
    expect(toc.entries.map((e) => [e.track, e.lba])).toEqual([[1, 0], [2, 48], [0xaa, 64]]);
    expect(parseSessionInfo(await ok(d, buildReadTocPmaAtip({ format: 1 })))).toMatchObject({ lastSession: 1, firstTrackInLastSession: 1, lastSessionStartLba: 0 });
    // Finalize (function 110b): complete; nothing more can be written.
    await ok(d, buildCloseTrackSession(6));
    expect(await disc(d)).toMatchObject({ discStatus: 'complete', lastSessionState: 'complete', sessions: 1 });
    await check(d, buildWrite10(64, 16, blocks(16, 4)), [5, 0x30, 0x05]);
    expect(parseReadCapacity(await ok(d, buildReadCapacity())).lastLba).toBe(63);

    // The written sectors are in the backing file at 2048 bytes per block.
    const file = readFileSync(f.transport.backingFile(f.name));
    expect(Buffer.compare(file.subarray(0, 40 * 2048), Buffer.from(a))).toBe(0);
    expect(Buffer.compare(await ok(d, buildRead10(0, 40)), Buffer.from(a))).toBe(0);
    // Between track 1's end (40) and track 2 (48) nothing was recorded: out of range.
    await check(d, buildRead10(40, 1), [5, 0x21, 0x00]);
  });

  it('tgt compatibility mode morphs to DVD-ROM on CLOSE TRACK', async () => {
    f = await virtualFixture('dvd+r', { romOnClose: true });
    await ok(f.device, buildWrite10(0, 32, blocks(32, 1)));
    await ok(f.device, buildCloseTrackSession(1, 1));
    expect(await profile(f.device)).toBe(0x10);
    expect(await disc(f.device)).toMatchObject({ discStatus: 'complete', sessions: 1 });
    await check(f.device, buildWrite10(32, 1, blocks(1, 1)), [5, 0x30, 0x05]);
  });

  it('RESERVE TRACK: a fixed-size track with its own NWA, then the invisible track after it', async () => {
    f = await virtualFixture('dvd+r');
    const d = f.device;
    await ok(d, buildReserveTrack({ blocks: 100 })); // rounded up to 112 (ECC block multiple)
    expect(await track(d, 1)).toMatchObject({ reserved: true, trackSize: 112, nextWritableAddress: 0, freeBlocks: 112 });
    expect(await track(d, 2)).toMatchObject({ startLba: 112, nextWritableAddress: 112 });
    await ok(d, buildWrite10(112, 16, blocks(16, 1))); // the invisible track can be written first
    await ok(d, buildWrite10(0, 16, blocks(16, 2)));
    await check(d, buildWrite10(16, 112, blocks(112, 3)), [5, 0x63, 0x00]); // past the reserved end
    await check(d, buildReserveTrack({ blocks: 10 }), [5, 0x2c, 0x00]); // invisible track already written
  });
});

describe('DVD-R (11h) and BD-R SRM (41h)', () => {
  it('DVD-R: CLOSE SESSION obeys the page 05h Multi-session field (MMC-6 §7.5.4.6)', async () => {
    f = await virtualFixture('dvd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession: 3 })]));
    await ok(d, buildWrite10(0, 16, blocks(16, 1)));
    await ok(d, buildCloseTrackSession(2));
    expect(await disc(d)).toMatchObject({ discStatus: 'appendable', sessions: 2 });
    expect((await track(d, 2)).nextWritableAddress).toBe(16);
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession: 0 })]));
    await ok(d, buildWrite10(16, 16, blocks(16, 2)));
    await ok(d, buildCloseTrackSession(2));
    expect(await disc(d)).toMatchObject({ discStatus: 'complete', sessions: 2 });
    // Track info reports packet/incremental recording on DVD-R.
    expect((await track(d, 1)).packet).toBe(true);
  });

  it('DVD-R Disc-at-once: RESERVE TRACK first, SYNCHRONIZE CACHE on a full track closes the disc (MMC-6 §4.5.3.3)', async () => {
    f = await virtualFixture('dvd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'sao', multiSession: 0 })]));
    await check(d, buildWrite10(0, 16, blocks(16, 1)), [5, 0x2c, 0x00]);
    await ok(d, buildReserveTrack({ blocks: 64 }));
    await ok(d, buildWrite10(0, 32, blocks(32, 1)));
    await ok(d, buildSynchronizeCache());
    expect((await disc(d)).discStatus).toBe('appendable'); // track not full yet
    await ok(d, buildWrite10(32, 32, blocks(32, 2)));
    await ok(d, buildSynchronizeCache());
    expect(await disc(d)).toMatchObject({ discStatus: 'complete', sessions: 1 });
    const toc = parseToc(await ok(d, buildReadTocPmaAtip({ format: 0 })));
    expect(toc.entries.map((e) => [e.track, e.lba])).toEqual([[1, 0], [0xaa, 64]]);
  });

  it('BD-R SRM: 32-block clusters, RESERVE TRACK by LBA (ARSV), finalize', async () => {
    f = await virtualFixture('bd-r');
    const d = f.device;
    expect(await profile(d)).toBe(0x41);
    await ok(d, buildReserveTrack({ lba: 320 }));
    expect(await track(d, 1)).toMatchObject({ trackSize: 320, fixedPacketSize: 32 });
    await ok(d, buildWrite10(0, 320, blocks(320, 1)));
    await ok(d, buildCloseTrackSession(1, 1));
    await ok(d, buildCloseTrackSession(6));
    expect(await disc(d)).toMatchObject({ discStatus: 'complete' });
  });
});

describe('DVD+R DL (2Bh): layer break', () => {
  it('reports two layers, lets the L0 capacity be set while blank, and writes across the break', async () => {
    f = await virtualFixture('dvd+r-dl');
    const d = f.device;
    const pf = parsePhysicalFormat(await ok(d, buildReadDiscStructure({ format: 0 })));
    expect(pf).toMatchObject({ bookType: 14, layers: 2, trackPathOpposite: true });
    expect(parseLayerBoundary(await ok(d, buildReadDiscStructure({ format: 0x20, allocationLength: 12 })))).toEqual({ initialized: false, layer0Blocks: 2086912 });
    await check(d, buildSendLayerBoundary(2086913), [5, 0x26, 0x02]); // not an ECC multiple
    // A tiny L0 (32 blocks) so the test can cross the break: the disc shrinks to 2 × 32 blocks.
    await ok(d, buildSendLayerBoundary(32));
    expect(parseLayerBoundary(await ok(d, buildReadDiscStructure({ format: 0x20, allocationLength: 12 })))).toEqual({ initialized: true, layer0Blocks: 32 });
    expect((await track(d, 1)).freeBlocks).toBe(64);
    // Data is written incrementally across the break; the drive handles the layer jump (MMC-6 §4.5.4.4).
    const data = blocks(48, 1);
    await ok(d, buildWrite10(0, 48, data));
    expect((await track(d, 1)).freeBlocks).toBe(16);
    await check(d, buildWrite10(48, 32, blocks(32, 2)), [5, 0x21, 0x00]); // beyond the end of layer 1
    expect(Buffer.compare(await ok(d, buildRead10(0, 48)), Buffer.from(data))).toBe(0);
    await check(d, buildSendLayerBoundary(900000), [5, 0x2c, 0x00]); // no longer blank
  });
});

describe('CD-R (09h)', () => {
  const selectTao = (d: ScsiDevice, dataBlockType: number, multiSession = 3) =>
    ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession, dataBlockType, trackMode: dataBlockType === 0 ? 0 : 4 })]));

  it('ATIP: lead-in identifies the manufacturer; last possible lead-out 79:59:74', async () => {
    f = await virtualFixture('cd-r');
    const a = parseAtip(await ok(f.device, buildReadTocPmaAtip({ format: 4, allocationLength: 28 })));
    expect(a).toMatchObject({ erasable: false, manufacturer: 'Taiyo Yuden Company Ltd.', lastLeadOutStartLba: 359849 });
    const di = await disc(f.device);
    expect(di.lastPossibleLeadOutStart).toBe(359849);
  });

  it('TAO: audio then data track with 150-block pregaps and run-out; second session after lead-out/lead-in', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await selectTao(d, 0); // raw 2352-byte audio
    const audio = blocks(300, 1, 2352);
    await check(d, buildWrite10(0, 300, blocks(300, 1)), [5, 0x24, 0x00]); // 2048-byte blocks in audio mode
    await ok(d, buildWrite10(0, 300, audio));
    await ok(d, buildCloseTrackSession(1, 1));
    // Audio track: no run-out; the next track's pregap is 150 blocks (Red Book 2 s).
    expect((await track(d, 2)).nextWritableAddress).toBe(450);
    await selectTao(d, 8);
    await ok(d, buildWrite10(450, 100, blocks(100, 2)));
    await ok(d, buildCloseTrackSession(1, 2));
    expect(parseReadCapacity(await ok(d, buildReadCapacity())).lastLba).toBe(0); // no complete session yet
    await ok(d, buildCloseTrackSession(2)); // multi-session 11b: appendable
    const toc = parseToc(await ok(d, buildReadTocPmaAtip({ format: 0 })));
    // The data track's 2 run-out blocks count in the track: lead-out at 450 + 100 + 2.
    expect(toc.entries.map((e) => [e.track, e.lba, e.control])).toEqual([[1, 0, 0], [2, 450, 4], [0xaa, 552, 4]]);
    // READ CAPACITY (MMC-6 §6.18): lead-out of the last complete session − 1 − 2 run-out blocks.
    expect(parseReadCapacity(await ok(d, buildReadCapacity())).lastLba).toBe(549);
    // Session 2 starts after the first lead-out (6750), a lead-in (4500) and a pregap (150).
    expect((await track(d, 3)).nextWritableAddress).toBe(552 + 6750 + 4500 + 150);
    const raw = parseRawToc(await ok(d, buildReadTocPmaAtip({ format: 2 })));
    expect(raw.entries.filter((e) => e.point === 0xa0)[0].pmin).toBe(1);
    expect(raw.entries.filter((e) => e.point === 0xa2)[0]).toMatchObject({ pmin: 0, psec: 9, pframe: 27 }); // LBA 552 + 150 = 702 = 00:09:27
    // READ(10) of audio is illegal; READ CD returns 2352-byte CD-DA sectors.
    await check(d, buildRead10(0, 1), [5, 0x64, 0x00]);
    expect(Buffer.compare(await ok(d, buildReadCd({ lba: 0, blocks: 2, sectorType: 1 })), Buffer.from(audio.subarray(0, 4704)))).toBe(0);
    expect(Buffer.compare(await ok(d, buildRead10(450, 100)), Buffer.from(blocks(100, 2)))).toBe(0);
    await check(d, buildRead10(550, 1), [5, 0x21, 0x00]); // run-out blocks are not readable
    // READ CD with sync + header: the mode 1 header carries the BCD MSF of LBA 450 = 00:08:00.
    const raw1 = await ok(d, buildReadCd({ lba: 450, blocks: 1, sectorType: 2, sync: true, headerCodes: 3, userData: true, edcEcc: true }));
    expect(raw1.length).toBe(2352);
    expect([...raw1.subarray(12, 16)]).toEqual([0x00, 0x08, 0x00, 0x01]);
  });

  it('SAO: cue sheet, writing from the pregap at LBA -150, session closed on SYNCHRONIZE CACHE', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'sao', multiSession: 0, dataBlockType: 8 })]));
    const msf = (lba: number) => {
      const a = lba + 150;
      return { min: Math.floor(a / 4500), sec: Math.floor(a / 75) % 60, frame: a % 75 };
    };
    // Data track 1 with a host-written pregap (form 10h, 2048 bytes) and a lead-out at LBA 1000.
    const cue: CueSheetEntry[] = [
      { ctlAdr: 0x41, tno: 0, index: 0, dataForm: 0x14, scms: 0, ...msf(-150) },
      { ctlAdr: 0x41, tno: 1, index: 0, dataForm: 0x10, scms: 0, ...msf(-150) },
      { ctlAdr: 0x41, tno: 1, index: 1, dataForm: 0x10, scms: 0, ...msf(0) },
      { ctlAdr: 0x41, tno: 0xaa, index: 1, dataForm: 0x14, scms: 0, ...msf(1000) },
    ];
    expect(msfToLba(cue[3].min, cue[3].sec, cue[3].frame)).toBe(1000);
    await check(d, buildWrite10(0, 16, blocks(16, 1)), [5, 0x2c, 0x00]); // SAO needs the cue sheet first
    await ok(d, buildSendCueSheet(encodeCueSheet(cue)));
    await check(d, buildWrite10(0, 16, blocks(16, 1)), [5, 0x21, 0x02]); // must start at -150
    await ok(d, buildWrite10(-150, 150, blocks(150, 9)));
    const body = blocks(1000, 3);
    for (let lba = 0; lba < 1000; lba += 100) await ok(d, buildWrite10(lba, 100, body.subarray(lba * 2048, (lba + 100) * 2048)));
    expect(await disc(d)).toMatchObject({ discStatus: 'appendable' });
    await ok(d, buildSynchronizeCache());
    expect(await disc(d)).toMatchObject({ discStatus: 'complete', sessions: 1 });
    const toc = parseToc(await ok(d, buildReadTocPmaAtip({ format: 0 })));
    expect(toc.entries.map((e) => [e.track, e.lba])).toEqual([[1, 0], [0xaa, 1000]]);
    expect(Buffer.compare(await ok(d, buildRead10(0, 1000)), Buffer.from(body))).toBe(0);
  });

  it('raw DAO (write type 11b): every block from the pregap on is sent raw; audio track lands in the TOC', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'raw', dataBlockType: 0, trackMode: 0, multiSession: 0 })]));
    const cue: CueSheetEntry[] = [
      { ctlAdr: 0x01, tno: 0, index: 0, dataForm: 0x01, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 0, dataForm: 0x00, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 1, dataForm: 0x00, scms: 0, min: 0, sec: 2, frame: 0 },
      { ctlAdr: 0x01, tno: 0xaa, index: 1, dataForm: 0x01, scms: 0, min: 0, sec: 6, frame: 0 },
    ];
    await ok(d, buildSendCueSheet(encodeCueSheet(cue)));
    const audio = blocks(450, 4, 2352); // LBA -150 .. 299 (lead-out at 00:06:00 = LBA 300)
    await check(d, buildWrite10(-150, 10, blocks(10, 1)), [5, 0x24, 0x00]); // 2048-byte blocks in raw mode
    for (let i = 0; i < 450; i += 75) await ok(d, buildWrite10(i - 150, 75, audio.subarray(i * 2352, (i + 75) * 2352)));
    await ok(d, buildSynchronizeCache());
    const toc = parseToc(await ok(d, buildReadTocPmaAtip({ format: 0 })));
    expect(toc.entries.map((e) => [e.track, e.lba, e.control])).toEqual([[1, 0, 0], [0xaa, 300, 0]]);
    const back = await ok(d, buildReadCd({ lba: 0, blocks: 300, sectorType: 1 }));
    expect(Buffer.compare(back, Buffer.from(audio.subarray(150 * 2352)))).toBe(0);
  });

  it('rejects malformed cue sheets with 05/26/xx', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'sao' })]));
    await check(d, buildSendCueSheet(encodeCueSheet([{ ctlAdr: 0x41, tno: 1, index: 1, dataForm: 0x10, scms: 0, min: 0, sec: 2, frame: 0 }])), [5, 0x26, 0x00]); // no lead-out
    await check(d, buildSendCueSheet(new Uint8Array(12)), [5, 0x26, 0x00]); // not a multiple of 8
  });

  it('CD-R cannot be blanked (05/30/05)', async () => {
    f = await virtualFixture('cd-r');
    await check(f.device, buildBlank(1), [5, 0x30, 0x05]);
  });
});
