// CDB layouts of every builder, checked byte by byte against the MMC-6 / SPC-4 CDB tables, and
// parsers against hand-built responses whose expected values follow from the spec field layouts.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../common/errors';
import { lbaToMsf, msfToLba } from './bytes';
import { buildInquiry, parseInquiry } from './commands/inquiry';
import { buildTestUnitReady } from './commands/test-unit-ready';
import { buildRequestSense, parseRequestSense } from './commands/request-sense';
import { buildGetConfiguration, parseGetConfiguration } from './commands/get-configuration';
import { buildGetEventStatusNotification, parseGetEventStatusNotification } from './commands/get-event-status-notification';
import { buildReadDiscInformation, parseReadDiscInformation } from './commands/read-disc-information';
import { buildReadTrackInformation, parseReadTrackInformation } from './commands/read-track-information';
import { atipManufacturer, buildReadTocPmaAtip, parseAtip, parseRawToc, parseSessionInfo, parseToc } from './commands/read-toc-pma-atip';
import { buildReadCapacity, parseReadCapacity } from './commands/read-capacity';
import { buildReadFormatCapacities, parseReadFormatCapacities } from './commands/read-format-capacities';
import { buildModeSelect10, buildModeSense10, encodeWriteParametersPage, parseCapabilitiesPage, parseModeSense10, parseWriteParametersPage } from './commands/mode-sense';
import { buildGetPerformance, parsePerformance, parseWriteSpeeds } from './commands/get-performance';
import { buildSetCdSpeed } from './commands/set-cd-speed';
import { buildSetStreaming } from './commands/set-streaming';
import { buildReadBufferCapacity, parseReadBufferCapacity } from './commands/read-buffer-capacity';
import { buildMechanismStatus, parseMechanismStatus } from './commands/mechanism-status';
import { buildEject, buildLoad, buildStartStopUnit } from './commands/start-stop-unit';
import { buildPreventAllowMediumRemoval } from './commands/prevent-allow-medium-removal';
import { buildReserveTrack } from './commands/reserve-track';
import { buildSendCueSheet, encodeCueSheet, parseCueSheet } from './commands/send-cue-sheet';
import { buildSendOpcInformation } from './commands/send-opc-information';
import { buildWrite10, buildWrite12 } from './commands/write';
import { buildSynchronizeCache } from './commands/synchronize-cache';
import { buildCloseTrackSession } from './commands/close-track-session';
import { buildBlank } from './commands/blank';
import { buildFormatUnit } from './commands/format-unit';
import { buildRead10, buildRead12 } from './commands/read';
import { buildReadCd, readCdSectorSize } from './commands/read-cd';
import { buildReadDiscStructure, parseLayerBoundary, parsePhysicalFormat } from './commands/read-disc-structure';
import { opcodeName } from './opcodes';
import { profileName } from './profiles';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('CDB builders', () => {
  it.each([
    // [name, built CDB, expected hex, why]
    ['TEST UNIT READY', buildTestUnitReady().cdb, '000000000000', 'SPC-4 TEST UNIT READY: all zero'],
    ['INQUIRY 96', buildInquiry(96).cdb, '120000006000', 'SPC-4 INQUIRY: allocation length in bytes 3-4'],
    ['REQUEST SENSE', buildRequestSense(18).cdb, '030000001200', 'SPC-4 REQUEST SENSE: allocation length byte 4'],
    ['GET CONFIGURATION current from 002Dh', buildGetConfiguration({ rt: 'current', startingFeature: 0x2d, allocationLength: 0x100 }).cdb, '4601002d000000010000', 'MMC-6: RT byte 1, starting feature 2-3, alloc 7-8'],
    ['GESN media polled', buildGetEventStatusNotification().cdb, '4a010000100000000800', 'MMC-6: polled bit 0 byte 1, class request byte 4'],
    ['READ DISC INFORMATION', buildReadDiscInformation(34).cdb, '51000000000000002200', 'MMC-6'],
    ['READ TRACK INFORMATION track FFh open', buildReadTrackInformation({ type: 'track', address: 0xff, open: true, allocationLength: 48 }).cdb, '5205000000ff00003000', 'MMC-6: address type 01b, OPEN bit 2'],
    ['READ TOC format 0 MSF', buildReadTocPmaAtip({ format: 0, msf: true, trackOrSession: 1, allocationLength: 804 }).cdb, '43020000000001032400', 'MMC-6: MSF byte 1 bit 1, format byte 2'],
    ['READ TOC ATIP', buildReadTocPmaAtip({ format: 4, allocationLength: 28 }).cdb, '43000400000000001c00', 'format 0100b'],
    ['READ CAPACITY', buildReadCapacity().cdb, '25000000000000000000', 'MMC-6 §6.18'],
    ['READ FORMAT CAPACITIES', buildReadFormatCapacities(252).cdb, '2300000000000000fc00', 'MMC-6'],
    ['MODE SENSE(10) 2Ah', buildModeSense10(0x2a, { allocationLength: 252 }).cdb, '5a082a0000000000fc00', 'SPC-4 MODE SENSE(10): DBD, page code byte 2'],
    ['GET PERFORMANCE write speeds', buildGetPerformance({ type: 3, maxDescriptors: 4 }).cdb, 'ac0000000000000000040300', 'MMC-6: type byte 10, max descriptors 8-9'],
    ['SET CD SPEED max/1411', buildSetCdSpeed({ writeKbps: 1411 }).cdb, 'bb00ffff0583000000000000', 'MMC-6'],
    ['READ BUFFER CAPACITY', buildReadBufferCapacity().cdb, '5c000000000000000c00', 'MMC-6'],
    ['MECHANISM STATUS', buildMechanismStatus().cdb, 'bd0000000000000000080000', 'MMC-6: alloc bytes 8-9'],
    ['START STOP eject', buildEject().cdb, '1b0000000200', 'LoEj=1 Start=0 (MMC-6)'],
    ['START STOP load', buildLoad().cdb, '1b0000000300', 'LoEj=1 Start=1'],
    ['START STOP immed start', buildStartStopUnit({ start: true, loadEject: false, immediate: true }).cdb, '1b0100000100', 'IMMED byte 1'],
    ['PREVENT', buildPreventAllowMediumRemoval(true).cdb, '1e0000000100', 'MMC-6'],
    ['ALLOW', buildPreventAllowMediumRemoval(false).cdb, '1e0000000000', ''],
    ['RESERVE TRACK 1000', buildReserveTrack({ blocks: 1000 }).cdb, '5300000000000003e800', 'MMC-6: size bytes 5-8'],
    ['RESERVE TRACK ARSV', buildReserveTrack({ lba: 0x10000 }).cdb, '53010000000001000000', 'ARSV=1, LBA bytes 5-8'],
    ['SEND OPC', buildSendOpcInformation().cdb, '54010000000000000000', 'DoOpc bit 0'],
    ['WRITE(10) at -150', buildWrite10(-150, 1, new Uint8Array(2352)).cdb, '2a00ffffff6a00000100', 'two\'s complement LBA (MMC-6 WRITE(10))'],
    ['WRITE(12) streaming', buildWrite12(16, 32, new Uint8Array(32 * 2048), { streaming: true }).cdb, 'aa0000000010000000208000', 'Streaming bit 7 byte 10'],
    ['SYNCHRONIZE CACHE immed', buildSynchronizeCache(true).cdb, '35020000000000000000', 'IMMED bit 1'],
    ['CLOSE SESSION fn 2', buildCloseTrackSession(2).cdb, '5b000200000000000000', 'MMC-6: close function byte 2'],
    ['CLOSE TRACK 1 immed', buildCloseTrackSession(1, 1, true).cdb, '5b010100000100000000', 'track number bytes 4-5'],
    ['BLANK minimal immed', buildBlank(1, { immediate: true }).cdb, 'a11100000000000000000000', 'MMC-6: IMMED bit 4, type bits 2-0'],
    ['READ(10)', buildRead10(0x12345, 16).cdb, '28000001234500001000', 'MMC-6 READ(10)'],
    ['READ(12)', buildRead12(7, 1).cdb, 'a80000000007000000010000', ''],
    ['READ CD user data', buildReadCd({ lba: 0, blocks: 2, sectorType: 2 }).cdb, 'be0800000000000002100000', 'MMC-6: sector type mode 1 (2), byte 9 user data'],
    ['FORMAT UNIT', buildFormatUnit({ formatType: 0x26, blocks: 0 }).cdb, '041100000000', 'FmtData + format code 001b'],
    ['SEND CUE SHEET', buildSendCueSheet(new Uint8Array(24)).cdb, '5d000000000000001800', 'MMC-6: size bytes 6-8'],
    ['READ DISC STRUCTURE 20h', buildReadDiscStructure({ format: 0x20, allocationLength: 12 }).cdb, 'ad00000000000020000c0000', 'MMC-6 §6.22: format byte 7, alloc 8-9'],
  ])('%s', (_n, cdb, expected) => {
    expect(hex(cdb)).toBe(expected);
  });

  it('allocation lengths match the CDB and data-in direction', () => {
    const c = buildReadCd({ lba: 10, blocks: 3, sectorType: 1 });
    expect(c.length).toBe(3 * 2352);
    expect(c.direction).toBe('in');
    expect(buildWrite10(0, 2, new Uint8Array(4096)).direction).toBe('out');
    expect(buildTestUnitReady().direction).toBe('none');
  });

  it('rejects out-of-range fields with InvalidInputError instead of truncating them', () => {
    expect(() => buildInquiry(0x10000)).toThrow(InvalidInputError);
    expect(() => buildRead10(0, 0x10000)).toThrow(InvalidInputError);
    expect(() => buildRead10(-1, 1)).toThrow(InvalidInputError);
    expect(() => buildWrite10(0, 2, new Uint8Array(3000))).toThrow(InvalidInputError);
    expect(() => buildSetCdSpeed({ writeKbps: 70000 })).toThrow(InvalidInputError);
    expect(() => buildCloseTrackSession(9 as never)).toThrow(InvalidInputError);
  });

  it('SET STREAMING sends a 28-byte performance descriptor (MMC-6 SET STREAMING type 00h)', () => {
    const c = buildSetStreaming({ endLba: 2295103, readKbps: 11080, writeKbps: 5540 });
    expect(hex(c.cdb)).toBe('b60000000000000000001c00');
    expect(c.data!.length).toBe(28);
    expect(hex(c.data!.subarray(8, 12))).toBe('0023053f');
    expect(hex(c.data!.subarray(20, 24))).toBe('000015a4');
    expect(hex(c.data!.subarray(24, 28))).toBe('000003e8');
  });

  it('FORMAT UNIT parameter list: header with FOV, descriptor type in bits 7-2 (MMC-6 §6.5.3)', () => {
    const c = buildFormatUnit({ formatType: 0x15, blocks: 100, typeDependent: 16, immediate: true });
    expect(hex(c.data!)).toBe('008200080000006454000010');
  });

  it('MODE SELECT(10) carries an 8-byte header + the page with PS cleared', () => {
    const page = encodeWriteParametersPage({ writeType: 'sao', multiSession: 3, dataBlockType: 8 });
    page[0] |= 0x80;
    const c = buildModeSelect10([page]);
    expect(hex(c.cdb)).toBe('55100000000000003c00');
    expect(c.data!.length).toBe(60);
    expect(c.data![8]).toBe(0x05);
    expect(parseWriteParametersPage(c.data!.subarray(8))).toMatchObject({ writeType: 'sao', multiSession: 3, dataBlockType: 8, bufferUnderrunFree: true });
  });
});

describe('parsers on hand-built responses', () => {
  it('INQUIRY: type, RMB, identification (SPC-4 standard INQUIRY data)', () => {
    const b = new Uint8Array(36);
    b.set([0x05, 0x80, 0x05, 0x02, 31]);
    b.set(Buffer.from('HL-DT-STBD-RE  WH16NS60 1.02'), 8);
    const i = parseInquiry(b);
    expect(i).toMatchObject({ peripheralType: 5, removable: true, vendor: 'HL-DT-ST', product: 'BD-RE  WH16NS60', revision: '1.02' });
    expect(parseInquiry(b.subarray(0, 12)).vendor).toBe('HL-D');
  });

  it('READ DISC INFORMATION: appendable CD with 2 sessions and MSF lead-in (MMC-6)', () => {
    const b = new Uint8Array(34);
    b.set([0, 32, 0x10 | (1 << 2) | 1, 1, 2, 3, 3, 0x20, 0x00, 0, 0, 0]);
    b.set([0, 97, 24, 1], 16);
    b.set([0, 79, 59, 74], 20);
    const d = parseReadDiscInformation(b);
    expect(d).toMatchObject({ erasable: true, lastSessionState: 'incomplete', discStatus: 'appendable', sessions: 2, firstTrackInLastSession: 3, lastTrackInLastSession: 3, unrestrictedUse: true });
    expect(d.lastPossibleLeadOutStart).toBe(359849);
    expect(d.lastSessionLeadInStart).toBe(msfToLba(97, 24, 1));
    expect(d.lastSessionLeadInStart).toBeLessThan(0);
  });

  it('READ TRACK INFORMATION: NWA only when NWA_V (MMC-6 §6.26.3.12)', () => {
    const b = new Uint8Array(48);
    b.set([0, 46, 2, 1, 0, 0x04, 0x61, 0x01]);
    b.set([0, 0, 0x10, 0], 8);
    b.set([0, 0, 0x10, 0x20], 12);
    b.set([0, 0x22, 0, 0], 16);
    const t = parseReadTrackInformation(b);
    expect(t).toMatchObject({ track: 2, session: 1, blank: true, packet: true, dataMode: 1, startLba: 4096, nextWritableAddress: 4128, freeBlocks: 0x220000 });
    b[7] = 0;
    expect(parseReadTrackInformation(b).nextWritableAddress).toBeUndefined();
  });

  it('READ TOC format 0 in MSF converts to LBA (MMC-6 §4.2.3.8: 00:02:00 = LBA 0)', () => {
    const b = Uint8Array.from([0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 2, 0, 0, 0x14, 0xaa, 0, 0, 0, 2, 32]);
    const t = parseToc(b, true);
    expect(t.entries).toEqual([
      { adr: 1, control: 4, track: 1, lba: 0 },
      { adr: 1, control: 4, track: 0xaa, lba: 32 },
    ]);
    expect(lbaToMsf(32)).toEqual({ m: 0, s: 2, f: 32 });
  });

  it('READ TOC format 1 and 2', () => {
    const s = parseSessionInfo(Uint8Array.from([0, 10, 1, 2, 0, 0x14, 3, 0, 0, 0, 0x2c, 0x88]));
    expect(s).toEqual({ firstSession: 1, lastSession: 2, firstTrackInLastSession: 3, lastSessionStartLba: 11400 });
    const raw = parseRawToc(Uint8Array.from([0, 13, 1, 1, 1, 0x14, 0, 0xa0, 0, 0, 0, 0, 1, 0, 0]));
    expect(raw.entries[0]).toMatchObject({ session: 1, adr: 1, control: 4, point: 0xa0, pmin: 1 });
  });

  it('ATIP: disc type bit and manufacturer from the lead-in start (MMC-6)', () => {
    const b = new Uint8Array(28);
    b.set([0, 26, 0, 0, 0xd1, 0x40, 0xc0, 0, 97, 34, 23, 0, 79, 59, 74]);
    const a = parseAtip(b);
    expect(a).toMatchObject({ erasable: true, indicativeWritePower: 5, referenceSpeed: 1, lastLeadOutStartLba: 359849, manufacturer: 'Mitsubishi Chemical Corporation' });
    expect(atipManufacturer(97, 99, 0)).toBe('unknown (lead-in 97:99:00)');
  });

  it('GET CONFIGURATION: profiles, current flags, feature summary; truncated descriptor dropped', () => {
    const b = Uint8Array.from([
      0, 0, 0, 0x24, 0, 0, 0x00, 0x1b,
      0x00, 0x00, 0x03, 0x08, 0x00, 0x1b, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00,
      0x00, 0x2b, 0x01, 0x04, 0x01, 0, 0, 0,
      0x01, 0x07, 0x01, 0x04, 0x1f, 0, 0, 0,
      0x00, 0x2d, 0x01, 0x08, 0, 0, // truncated: claims 8 bytes, has 2
    ]);
    const c = parseGetConfiguration(b);
    expect(c.currentProfile).toBe(0x1b);
    expect(c.currentProfileName).toBe('DVD+R');
    expect(c.profiles).toEqual([{ number: 0x1b, name: 'DVD+R', current: true }, { number: 0x10, name: 'DVD-ROM', current: false }]);
    expect(c.summary.dvdPlusR).toEqual({ write: true });
    expect(c.summary.realTimeStreaming?.writeSpeedPerformance).toBe(true);
    expect(c.features.has(0x2d)).toBe(false);
  });

  it('GESN: media event, presence and tray (MMC-6)', () => {
    expect(parseGetEventStatusNotification(Uint8Array.from([0, 6, 4, 0x10, 2, 2, 0, 0])).media).toEqual({ event: 'new-media', present: true, trayOpen: false });
    expect(parseGetEventStatusNotification(Uint8Array.from([0, 2, 0x80, 0x10])).nea).toBe(true);
  });

  it('READ CAPACITY / FORMAT CAPACITIES / BUFFER / MECHANISM / PERFORMANCE', () => {
    expect(parseReadCapacity(Uint8Array.from([0, 0, 0, 0x1f, 0, 0, 8, 0]))).toEqual({ lastLba: 31, blockLength: 2048, blocks: 32 });
    const fc = parseReadFormatCapacities(Uint8Array.from([0, 0, 0, 16, 0, 0x23, 0x05, 0x40, 1, 0, 8, 0, 0, 0x23, 0x05, 0x40, 0x26 << 2, 0, 0, 0]));
    expect(fc.current).toEqual({ blocks: 2295104, type: 'unformatted', blockLength: 2048 });
    expect(fc.formattable).toEqual([{ blocks: 2295104, formatType: 0x26, typeDependent: 0 }]);
    expect(parseReadBufferCapacity(Uint8Array.from([0, 10, 0, 0, 0, 0x20, 0, 0, 0, 0x10, 0, 0]))).toEqual({ bufferLength: 0x200000, freeBytes: 0x100000 });
    expect(parseMechanismStatus(Uint8Array.from([0, 0x10, 0, 0, 0, 0, 0, 0])).doorOpen).toBe(true);
    const perf = new Uint8Array(24);
    perf.set([0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23, 0x05, 0x3f, 0, 0, 0x56, 0x90, 0, 0, 0x2b, 0x48]);
    expect(parseWriteSpeeds(perf)).toEqual([{ wrc: 0, restoreDefaults: false, exact: false, mixedRead: false, endLba: 2295103, readSpeedKbps: 22160, writeSpeedKbps: 11080 }]);
    expect(parsePerformance(perf)).toEqual([{ startLba: 0, startKbps: 0x23053f, endLba: 0x5690, endKbps: 0x2b48 }]);
  });

  it('MODE SENSE(10): pages after the header and block descriptors; page 2Ah speeds sorted', () => {
    const page = new Uint8Array(40);
    page.set([0x2a, 38]);
    page[6] = 0x2b;
    page[30] = 0;
    page[31] = 2;
    page.set([0, 0, 0x0b, 0x06], 32);
    page.set([0, 0, 0x2b, 0x48], 36);
    const b = new Uint8Array(8 + 8 + 40);
    b.set([0, b.length - 2, 0, 0, 0, 0, 0, 8]);
    b.set(page, 16);
    const m = parseModeSense10(b);
    expect(m.pages.map((p) => p.code)).toEqual([0x2a]);
    const c = parseCapabilitiesPage(m.pages[0].bytes);
    expect(c).toMatchObject({ lockSupported: true, locked: true, eject: true, writeSpeeds: [11080, 2822] });
  });

  it('cue sheet round trip (MMC-6 SEND CUE SHEET: 8-byte entries)', () => {
    const e = [{ ctlAdr: 0x41, tno: 1, index: 1, dataForm: 0x10, scms: 0, min: 0, sec: 2, frame: 0 }];
    expect(parseCueSheet(encodeCueSheet(e))).toEqual(e);
    expect(() => parseCueSheet(new Uint8Array(7))).toThrow();
  });

  it('REQUEST SENSE parse and READ CD sizes (MMC-6)', () => {
    expect(parseRequestSense(Uint8Array.from([0x70, 0, 2, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3a, 0])).text).toBe('no disc in drive');
    expect(readCdSectorSize({ lba: 0, blocks: 1, sectorType: 1 })).toBe(2352);
    expect(readCdSectorSize({ lba: 0, blocks: 1, sectorType: 2 })).toBe(2048);
    expect(readCdSectorSize({ lba: 0, blocks: 1, sectorType: 2, sync: true, headerCodes: 3, userData: true, edcEcc: true })).toBe(2352);
    expect(readCdSectorSize({ lba: 0, blocks: 1, sectorType: 2, subChannel: 2 })).toBe(2064);
  });

  it('DVD structures: physical format layers and layer boundary (MMC-6 §6.22.3)', () => {
    const pf = new Uint8Array(4 + 2048);
    pf.set([0x08, 0x02, 0, 0, 0xe1, 0x0f, 0x31]);
    pf.set([0, 3, 0, 0, 0, 0x42, 0xff, 0xff, 0, 0x22, 0xff, 0xff], 8);
    expect(parsePhysicalFormat(pf)).toMatchObject({ bookType: 14, layers: 2, trackPathOpposite: true, startPsn: 0x30000, endPsn: 0x42ffff, endPsnLayer0: 0x22ffff });
    expect(parseLayerBoundary(Uint8Array.from([0, 10, 0, 0, 0x80, 0, 0, 0, 0, 0x1f, 0xd8, 0]))).toEqual({ initialized: false, layer0Blocks: 0x1fd800 });
  });

  it('names opcodes and profiles', () => {
    expect(opcodeName(0x5b)).toBe('CLOSE TRACK SESSION');
    expect(opcodeName(0xff)).toBe('opcode FFh');
    expect(profileName(0x41)).toBe('BD-R SRM');
    expect(profileName(0x9999)).toBe('Unknown');
  });
});
