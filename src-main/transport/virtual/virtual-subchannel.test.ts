// Sub-channel and CD-TEXT through the virtual recorder's commands: raw DAO (write type 11b, data
// block type 3: 2352 + 96 raw P-W, MMC-6 §7.5.4.5) with a host-written lead-in carrying CD-TEXT,
// SAO with host R-W (cue sheet sub-channel data form 11b), and TAO without sub-channel (P/Q made
// by the drive from the TOC). Q and CD-TEXT CRCs are checked with CPython's binascii.crc_hqx.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { lbaToMsf } from '../../mmc/bytes';
import { buildModeSelect10, encodeWriteParametersPage } from '../../mmc/commands/mode-sense';
import { buildReadCd } from '../../mmc/commands/read-cd';
import { buildRead10 } from '../../mmc/commands/read';
import { buildReadTocPmaAtip, parseAtip, parseCdTextPacks, parseToc } from '../../mmc/commands/read-toc-pma-atip';
import { buildSendCueSheet, encodeCueSheet, type CueSheetEntry } from '../../mmc/commands/send-cue-sheet';
import { buildSynchronizeCache } from '../../mmc/commands/synchronize-cache';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildCloseTrackSession } from '../../mmc/commands/close-track-session';
import { blocks, ok } from './test-util';
import { virtualFixture, type VirtualFixture } from './testing';
import { VirtualTransport } from './virtual-transport';
import { buildBlank } from '../../mmc/commands/blank';
import { rwOfCdTextPacks, sealCdTextPack } from '../../cd/cd-text-packs';
import { mode1Sector } from '../../cd/sector';
import { packPw, qMode1 } from '../../cd/subchannel';

const PY = 'python3';
const bcd = (n: number) => ((n / 10) << 4) | n % 10;

/** CRC-16 CCITT inverted per block of `size` bytes (CRC over the first size-2, stored MSB first), by CPython. */
function crcOk(buf: Uint8Array, size: number, crcAt: number): boolean[] {
  const script = `
import sys, binascii
d = sys.stdin.buffer.read(); n = ${size}; c = ${crcAt}
print(' '.join('1' if (~binascii.crc_hqx(d[i:i+c], 0) & 0xffff) == int.from_bytes(d[i+c:i+c+2], 'big') else '0' for i in range(0, len(d), n)))
`;
  const r = spawnSync(PY, ['-c', script], { input: buf, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split(' ').map((x) => x === '1');
}

function textPack(type: number, track: number, seq: number, text: string): Uint8Array {
  const p = new Uint8Array(18);
  p.set([type, track, seq, 0]);
  p.set(Buffer.from(text.padEnd(12, '\0').slice(0, 12), 'latin1'), 4);
  return sealCdTextPack(p);
}

describe.skipIf(!requireTools(PY))('virtual recorder sub-channel and CD-TEXT', () => {
  let f: VirtualFixture | undefined;
  afterEach(async () => {
    await f?.cleanup();
    f = undefined;
  });

  it('raw DAO with 96-byte raw P-W: lead-in CD-TEXT, audio and mode 1 sectors and their sub-channel read back as written', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'raw', dataBlockType: 3, trackMode: 0, multiSession: 0 })]));
    const leadIn = -170; // 20 lead-in blocks before the pregap at −150
    const li = lbaToMsf(leadIn);
    expect(li).toEqual({ m: 99, s: 59, f: 55 });
    const cue: CueSheetEntry[] = [
      { ctlAdr: 0x01, tno: 0, index: 0, dataForm: 0x01, scms: 0, min: li.m, sec: li.s, frame: li.f },
      { ctlAdr: 0x01, tno: 1, index: 0, dataForm: 0x00, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 1, dataForm: 0x00, scms: 0, min: 0, sec: 2, frame: 0 },
      { ctlAdr: 0x41, tno: 2, index: 1, dataForm: 0x11, scms: 0, min: 0, sec: 6, frame: 0 }, // LBA 300
      { ctlAdr: 0x41, tno: 0xaa, index: 1, dataForm: 0x01, scms: 0, min: 0, sec: 7, frame: 25 }, // LBA 400
    ];
    await ok(d, buildSendCueSheet(encodeCueSheet(cue)));
    const packs = [textPack(0x80, 0, 0, 'Glassmaster '), textPack(0x80, 1, 1, 'Track one'), textPack(0x81, 0, 2, 'The Virtual')];
    const audio = blocks(450, 9, 2352);
    const user = blocks(100, 3, 2048);
    const sent: Uint8Array[] = [];
    for (let lba = leadIn; lba < 400; lba++) {
      const b = new Uint8Array(2448);
      let rw: Uint8Array;
      if (lba < -150) {
        // Lead-in: CD-TEXT packs cycle through R-W, four packs per block.
        const k = (lba - leadIn) * 4;
        rw = rwOfCdTextPacks([0, 1, 2, 3].map((j) => packs[(k + j) % packs.length]));
      } else {
        b.set(lba < 300 ? audio.subarray((lba + 150) * 2352, (lba + 151) * 2352) : mode1Sector(lba, user.subarray((lba - 300) * 2048, (lba - 299) * 2048)));
        rw = Uint8Array.from({ length: 96 }, (_, i) => (i * 5 + lba) & 0x3f);
      }
      const track = lba < 300 ? 1 : 2;
      const start = track === 1 ? 0 : 300;
      const q = lba < -150 ? new Uint8Array(12) : qMode1({ control: track === 1 ? 0 : 4, track, index: lba < 0 ? 0 : 1, relative: Math.abs(lba - start), lba });
      b.set(packPw(lba < 0, q, rw), 2352);
      sent.push(b);
    }
    const all = Buffer.concat(sent);
    for (let i = 0; i < sent.length; i += 57) {
      const n = Math.min(57, sent.length - i);
      await ok(d, buildWrite10(leadIn + i, n, all.subarray(i * 2448, (i + n) * 2448)));
    }
    await ok(d, buildSynchronizeCache());

    const toc = parseToc(await ok(d, buildReadTocPmaAtip({ format: 0 })));
    expect(toc.entries.map((e) => [e.track, e.lba, e.control])).toEqual([[1, 0, 0], [2, 300, 4], [0xaa, 400, 4]]);
    // CD-TEXT (READ TOC format 0101b): each distinct pack once, in lead-in order, CRCs intact.
    const text = parseCdTextPacks(await ok(d, buildReadTocPmaAtip({ format: 5 })));
    expect(text.map((p) => Buffer.from(p).toString('hex'))).toEqual(packs.map((p) => Buffer.from(p).toString('hex')));
    expect(crcOk(Buffer.concat(text), 18, 16)).toEqual([true, true, true]);
    // ATIP stays on format 0100b.
    expect(parseAtip(await ok(d, buildReadTocPmaAtip({ format: 4, allocationLength: 28 }))).manufacturer).toBe('Taiyo Yuden Company Ltd.');

    const off = (lba: number) => (lba - leadIn) * 2448;
    const a = await ok(d, buildReadCd({ lba: 0, blocks: 300, sectorType: 1, subChannel: 1 }));
    expect(Buffer.compare(a, all.subarray(off(0), off(300)))).toBe(0);
    const m = await ok(d, buildReadCd({ lba: 300, blocks: 100, sectorType: 2, sync: true, headerCodes: 3, userData: true, edcEcc: true, subChannel: 1 }));
    expect(Buffer.compare(m, all.subarray(off(300), off(400)))).toBe(0);
    // READ(10) on the raw-written data track returns the user data at byte 16 of each sector.
    expect(Buffer.compare(await ok(d, buildRead10(300, 100)), Buffer.from(user))).toBe(0);
    // Formatted Q (16 bytes): the Q the host wrote, P bit clear in the program area.
    const fq = await ok(d, buildReadCd({ lba: 310, blocks: 1, sectorType: 2, userData: false, subChannel: 2 }));
    expect([...fq.subarray(0, 10)]).toEqual([0x41, 0x02, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x06, 0x10]); // track 2, rel 00:00:10, abs 00:06:10
    expect(fq[15]).toBe(0);
    expect(crcOk(fq, 16, 10)).toEqual([true]);
  });

  it('SAO with host R-W (sub-channel data form 11b): R-W kept, P/Q made by the drive with a valid CRC', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'sao', dataBlockType: 0, trackMode: 0 })]));
    const cue: CueSheetEntry[] = [
      { ctlAdr: 0x01, tno: 0, index: 0, dataForm: 0x01, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 0, dataForm: 0xc0, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 1, dataForm: 0xc0, scms: 0, min: 0, sec: 2, frame: 0 },
      { ctlAdr: 0x01, tno: 0xaa, index: 1, dataForm: 0x01, scms: 0, min: 0, sec: 4, frame: 0 }, // LBA 150
    ];
    await ok(d, buildSendCueSheet(encodeCueSheet(cue)));
    const host = new Uint8Array(300 * 2448);
    for (let i = 0; i < 300; i++) {
      host.set(blocks(1, i, 2352), i * 2448);
      for (let k = 0; k < 96; k++) host[i * 2448 + 2352 + k] = 0xc0 | ((k + i) & 0x3f); // P/Q bits from the host are ignored
    }
    for (let i = 0; i < 300; i += 75) await ok(d, buildWrite10(i - 150, 75, host.subarray(i * 2448, (i + 75) * 2448)));
    await ok(d, buildSynchronizeCache());
    const pw = await ok(d, buildReadCd({ lba: 0, blocks: 150, sectorType: 1, userData: false, subChannel: 1 }));
    expect(pw.length).toBe(150 * 96);
    for (const lba of [0, 77, 149]) {
      const s = pw.subarray(lba * 96, (lba + 1) * 96);
      expect([...s].map((b) => b & 0x3f)).toEqual([...host.subarray((lba + 150) * 2448 + 2352, (lba + 151) * 2448)].map((b) => b & 0x3f));
      expect(s.every((b) => (b & 0x80) === 0)).toBe(true); // P = 0 inside the track (ECMA-130 §22.3.2)
    }
    const fq = await ok(d, buildReadCd({ lba: 0, blocks: 150, sectorType: 1, userData: false, subChannel: 2 }));
    expect(crcOk(fq, 16, 10).every(Boolean)).toBe(true);
    const at77 = lbaToMsf(77);
    expect([...fq.subarray(77 * 16, 77 * 16 + 10)]).toEqual([0x01, 0x01, 0x01, 0x00, 0x01, 0x02, 0x00, bcd(at77.m), bcd(at77.s), bcd(at77.f)]);
    // R-W only (selection 100b): the host's R-W symbols.
    const rw = await ok(d, buildReadCd({ lba: 5, blocks: 1, sectorType: 1, userData: false, subChannel: 4 }));
    expect([...rw]).toEqual([...host.subarray(155 * 2448 + 2352, 156 * 2448)].map((b) => b & 0x3f));
  });

  it('raw DAO with 16-byte P-Q (data block type 1); sub-channel survives a new transport; BLANK drops it', async () => {
    f = await virtualFixture('cd-rw');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'raw', dataBlockType: 1, trackMode: 0 })]));
    const leadIn = -154;
    const li = lbaToMsf(leadIn);
    const cue: CueSheetEntry[] = [
      { ctlAdr: 0x01, tno: 0, index: 0, dataForm: 0x01, scms: 0, min: li.m, sec: li.s, frame: li.f },
      { ctlAdr: 0x01, tno: 1, index: 0, dataForm: 0x00, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 1, dataForm: 0x00, scms: 0, min: 0, sec: 2, frame: 0 },
      { ctlAdr: 0x01, tno: 0xaa, index: 1, dataForm: 0x01, scms: 0, min: 0, sec: 3, frame: 0 }, // LBA 75
    ];
    await ok(d, buildSendCueSheet(encodeCueSheet(cue)));
    const host = new Uint8Array((75 + 154) * 2368);
    for (let i = 0; i < 75 + 154; i++) {
      const lba = leadIn + i;
      host.set(blocks(1, i, 2352), i * 2368);
      if (lba >= 0) host.set(qMode1({ control: 0, track: 1, index: 1, relative: lba, lba }), i * 2368 + 2352);
    }
    await ok(d, buildWrite10(leadIn, 75 + 154, host));
    await ok(d, buildSynchronizeCache());
    await d.close();
    const t2 = new VirtualTransport({ stateDir: f.stateDir });
    const dev = await t2.open(f.address);
    try {
      const fq = await ok(dev, buildReadCd({ lba: 40, blocks: 1, sectorType: 1, userData: false, subChannel: 2 }));
      expect([...fq.subarray(0, 12)]).toEqual([...host.subarray((40 + 154) * 2368 + 2352, (40 + 154) * 2368 + 2364)]);
      expect(crcOk(fq, 16, 10)).toEqual([true]);
      // Blank (minimal) forgets the sub-channel: Q is the drive's again once a new track is written.
      await ok(dev, buildBlank(1));
      expect(t2.recorder(f.name).state.disc?.sub).toBeUndefined();
      await ok(dev, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', dataBlockType: 8, trackMode: 4 })]));
      await ok(dev, buildWrite10(0, 10, blocks(10, 2)));
      await ok(dev, buildCloseTrackSession(2));
      const q2 = await ok(dev, buildReadCd({ lba: 5, blocks: 1, sectorType: 2, userData: false, subChannel: 2 }));
      expect([...q2.subarray(0, 3)]).toEqual([0x41, 0x01, 0x01]);
      expect(crcOk(q2, 16, 10)).toEqual([true]);
    } finally {
      await dev.close();
      await t2.dispose();
    }
  });

  it('SAO CD-TEXT: lead-in entry with R-W data form 41h, 96-byte R-W blocks from the ATIP lead-in start', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'sao', dataBlockType: 0, trackMode: 0 })]));
    const start = parseAtip(await ok(d, buildReadTocPmaAtip({ format: 4, allocationLength: 28 }))).leadInStartLba;
    expect(start).toBe(-11849); // 97:24:01
    const cue: CueSheetEntry[] = [
      { ctlAdr: 0x01, tno: 0, index: 0, dataForm: 0x41, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 0, dataForm: 0x00, scms: 0, min: 0, sec: 0, frame: 0 },
      { ctlAdr: 0x01, tno: 1, index: 1, dataForm: 0x00, scms: 0, min: 0, sec: 2, frame: 0 },
      { ctlAdr: 0x01, tno: 0xaa, index: 1, dataForm: 0x01, scms: 0, min: 0, sec: 3, frame: 0 }, // LBA 75
    ];
    await ok(d, buildSendCueSheet(encodeCueSheet(cue)));
    const packs = Array.from({ length: 6 }, (_, i) => textPack(0x80 + (i % 2), i, i, `text ${i}`));
    const leadInBlocks = -150 - start;
    const rw = new Uint8Array(leadInBlocks * 96);
    for (let b = 0; b < leadInBlocks; b++) rw.set(rwOfCdTextPacks([0, 1, 2, 3].map((j) => packs[(b * 4 + j) % packs.length])), b * 96);
    for (let b = 0; b < leadInBlocks; b += 2000) {
      const n = Math.min(2000, leadInBlocks - b);
      await ok(d, buildWrite10(start + b, n, rw.subarray(b * 96, (b + n) * 96)));
    }
    await ok(d, buildWrite10(-150, 225, blocks(225, 4, 2352)));
    await ok(d, buildSynchronizeCache());
    const text = parseCdTextPacks(await ok(d, buildReadTocPmaAtip({ format: 5 })));
    expect(text.map((p) => Buffer.from(p).toString('hex'))).toEqual(packs.map((p) => Buffer.from(p).toString('hex')));
    expect(crcOk(Buffer.concat(text), 18, 16).every(Boolean)).toBe(true);
  });

  it('TAO data written without sub-channel: formatted Q and raw P-W are made from the TOC', async () => {
    f = await virtualFixture('cd-r');
    const d = f.device;
    await ok(d, buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', dataBlockType: 8, trackMode: 4 })]));
    await ok(d, buildWrite10(0, 20, blocks(20, 1)));
    await ok(d, buildCloseTrackSession(2));
    const fq = await ok(d, buildReadCd({ lba: 0, blocks: 20, sectorType: 2, userData: false, subChannel: 2 }));
    expect(fq.length).toBe(20 * 16);
    expect(crcOk(fq, 16, 10).every(Boolean)).toBe(true);
    expect([...fq.subarray(19 * 16, 19 * 16 + 10)]).toEqual([0x41, 0x01, 0x01, 0x00, 0x00, 0x19, 0x00, 0x00, 0x02, 0x19]); // rel 00:00:19, abs 00:02:19
    const pw = await ok(d, buildReadCd({ lba: 19, blocks: 1, sectorType: 2, userData: false, subChannel: 1 }));
    const q = new Uint8Array(12);
    for (let i = 0; i < 96; i++) if (pw[i] & 0x40) q[i >> 3] |= 0x80 >> (i & 7);
    expect([...q]).toEqual([...fq.subarray(19 * 16, 19 * 16 + 12)]);
    expect(pw.every((b) => (b & 0xbf) === 0)).toBe(true); // no P, no R-W
    // Reserved Sub-channel Data Selection values are refused.
    const r = await d.execute(buildReadCd({ lba: 0, blocks: 1, sectorType: 2, subChannel: 3 as never }));
    expect(r.status).toBe(2);
  });
});
