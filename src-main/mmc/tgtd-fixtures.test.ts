// Parsers against responses recorded from tgtd's MMC emulation (an independent implementation).
// Captured by __fixtures__/capture-tgtd.ts; see its header for the command sequence.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInquiry } from './commands/inquiry';
import { parseGetConfiguration } from './commands/get-configuration';
import { parseReadDiscInformation } from './commands/read-disc-information';
import { parseReadTrackInformation } from './commands/read-track-information';
import { parseReadCapacity } from './commands/read-capacity';
import { parseSessionInfo, parseToc } from './commands/read-toc-pma-atip';
import { parseCapabilitiesPage, parseModeSense10, parseWriteParametersPage } from './commands/mode-sense';
import { parseWriteSpeeds } from './commands/get-performance';
import { parseReadBufferCapacity } from './commands/read-buffer-capacity';
import { senseToError } from './sense';

const fx = JSON.parse(readFileSync(join(import.meta.dirname, '__fixtures__', 'tgtd-dvd-plus-r.json'), 'utf8')) as {
  responses: Record<string, { cdb: string; status: number; sense: string; data: string }>;
};
const r = (name: string) => {
  const x = fx.responses[name];
  if (!x) throw new Error(`fixture ${name} missing`);
  return { ...x, data: Buffer.from(x.data, 'hex'), sense: Buffer.from(x.sense, 'hex'), op: Buffer.from(x.cdb, 'hex')[0] };
};

describe('tgtd recorded responses (blank DVD+R → write 32 blocks → CLOSE TRACK)', () => {
  it('first command after login: UNIT ATTENTION 29/00 power on/reset, a retry disposition', () => {
    const x = r('tur-after-login');
    expect(x.status).toBe(2);
    const e = senseToError(x.op, x.sense);
    expect([e.senseKey, e.asc, e.ascq]).toEqual([6, 0x29, 0]);
    expect(e.disposition).toBe('retry');
  });

  it('INQUIRY: MMC device, removable, IET VIRTUAL-CDROM', () => {
    const i = parseInquiry(r('inquiry').data);
    expect(i).toMatchObject({ peripheralType: 5, removable: true, vendor: 'IET', product: 'VIRTUAL-CDROM' });
  });

  it('GET CONFIGURATION: DVD+R current while blank, DVD-ROM after CLOSE TRACK (tgt README.mmc morph)', () => {
    const blank = parseGetConfiguration(r('get-configuration-blank').data);
    expect(blank.currentProfile).toBe(0x1b);
    expect(blank.profiles.map((p) => [p.name, p.current])).toEqual([['DVD-ROM', false], ['DVD+R', true]]);
    expect(blank.summary.dvdPlusR?.write).toBe(true);
    // Core: tgtd claims ATAPI (2); Random Readable: 2048-byte blocks, 16-block ECC units.
    expect(blank.summary.core).toEqual({ physicalInterface: 2 });
    expect(blank.summary.randomReadable).toEqual({ blockSize: 2048, blocking: 16 });
    const closed = parseGetConfiguration(r('get-configuration-closed').data);
    expect(closed.currentProfile).toBe(0x10);
    expect(closed.profiles.find((p) => p.current)?.name).toBe('DVD-ROM');
  });

  it('GESN is not implemented by tgtd: 05/20/00, which Drive.watchMedia turns into the TUR fallback', () => {
    const x = r('gesn');
    const e = senseToError(x.op, x.sense);
    expect([e.senseKey, e.asc]).toEqual([5, 0x20]);
  });

  it('READ DISC INFORMATION: blank, then complete with one complete session', () => {
    const b = parseReadDiscInformation(r('read-disc-information-blank').data);
    expect(b).toMatchObject({ discStatus: 'blank', lastSessionState: 'empty', firstTrack: 1, sessions: 1, firstTrackInLastSession: 1, lastTrackInLastSession: 1, erasable: false });
    // tgtd puts the DVD capacity as an LBA in the Last Possible Lead-out field; the raw value is kept.
    expect(b.lastPossibleLeadOutStartRaw).toBe(2295104);
    const c = parseReadDiscInformation(r('read-disc-information-closed').data);
    expect(c).toMatchObject({ discStatus: 'complete', lastSessionState: 'complete', sessions: 1 });
  });

  it('READ TRACK INFORMATION: blank invisible track at NWA 0 with the DVD+R capacity free; closed track of 48 blocks', () => {
    const b = parseReadTrackInformation(r('read-track-information-blank').data);
    expect(b).toMatchObject({ track: 1, session: 1, blank: true, startLba: 0, nextWritableAddress: 0, freeBlocks: 2295104, fixedPacketSize: 16, trackSize: 2295104 });
    const c = parseReadTrackInformation(r('read-track-information-closed').data);
    expect(c.blank).toBe(false);
    expect(c.nextWritableAddress).toBeUndefined();
    expect(c.freeBlocks).toBe(0);
    expect(c.lastRecordedAddress).toBe(c.trackSize - 1);
    expect(c.trackSize).toBe(32);
  });

  it('READ CAPACITY: 0 while blank, last LBA 31 after 32 blocks', () => {
    expect(parseReadCapacity(r('read-capacity-blank').data)).toEqual({ lastLba: 0, blockLength: 2048, blocks: 1 });
    expect(parseReadCapacity(r('read-capacity-closed').data).lastLba).toBe(31);
  });

  it('READ TOC: track 1 at LBA 0 (MSF 00:02:00); tgtd cuts the lead-out descriptor short', () => {
    // tgtd declares TOC Data Length 0012h (20 bytes) but sends 18: the parser keeps only complete
    // descriptors instead of reading past the end.
    const raw = r('read-toc-0-closed').data;
    expect(raw.length).toBe(18);
    expect(((raw[0] << 8) | raw[1]) + 2).toBe(20);
    const t = parseToc(raw);
    expect(t).toMatchObject({ firstTrack: 1, lastTrack: 1 });
    expect(t.entries.map((e) => [e.track, e.lba, e.control])).toEqual([[1, 0, 4]]);
    const m = parseToc(r('read-toc-0-msf-closed').data, true);
    expect(m.entries.map((e) => e.lba)).toEqual([0]);
    expect(parseSessionInfo(r('read-toc-1-closed').data)).toEqual({ firstSession: 1, lastSession: 1, firstTrackInLastSession: 1, lastSessionStartLba: undefined });
  });

  it('mode pages 05h and 2Ah, write speeds and buffer capacity', () => {
    const p05 = parseModeSense10(r('mode-sense-05').data).pages[0];
    expect(p05.code).toBe(5);
    expect(parseWriteParametersPage(p05.bytes).dataBlockType).toBe(8);
    const p2a = parseModeSense10(r('mode-sense-2a').data).pages[0];
    expect(p2a.code).toBe(0x2a);
    expect(parseCapabilitiesPage(p2a.bytes).eject).toBe(true);
    expect(parseWriteSpeeds(r('get-performance-03').data).map((d) => d.writeSpeedKbps)).toEqual([3324]);
    expect(parseReadBufferCapacity(r('read-buffer-capacity').data).bufferLength).toBeGreaterThan(0);
  });

  it('after CLOSE TRACK: READ past the backing file → 03/11/00, WRITE → 05/30/05', () => {
    const rd = r('read-10-beyond-closed');
    const re = senseToError(rd.op, rd.sense);
    expect([rd.status, re.senseKey, re.asc]).toEqual([2, 3, 0x11]);
    expect(re.disposition).toBe('fail');
    const wr = r('write-10-closed');
    const e = senseToError(wr.op, wr.sense);
    expect([e.senseKey, e.asc, e.ascq]).toEqual([5, 0x30, 0x05]);
    expect(e.message).toContain('cannot write medium: incompatible format');
  });
});
