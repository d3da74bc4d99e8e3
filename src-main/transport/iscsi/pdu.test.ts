// Exact-byte checks of the PDUs we send and decoding of the PDUs a target sends (RFC 7143 §11),
// plus a fuzz run of the stream decoder: hostile bytes give a typed EPROTO error, never a crash.
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../common/errors';
import {
  BHS_LENGTH,
  PduReader,
  decodePdu,
  encodeDataOut,
  encodeLoginRequest,
  encodeLogoutRequest,
  encodeLun,
  encodeNopOut,
  encodeScsiCommand,
  encodeTaskMgmtRequest,
  encodeTextRequest,
  crc32c,
  crc32cBytes,
  serialLt,
  serialLte,
  withDigests,
  type DataIn,
  type LoginResponse,
  type R2T,
  type Reject,
  type ScsiResponse,
} from './pdu';
import { chapMd5Response, decodeBinary, decodeText, encodeBinary, encodeText } from './text';
import { formatIscsiAddress, parseIscsiAddress, redactAddress } from './address';
import { parseReportLuns } from './iscsi-transport';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A 48-byte BHS from a sparse byte map: {offset: bytes}. */
function bhs(fields: Record<number, number[]>): Buffer {
  const b = Buffer.alloc(BHS_LENGTH);
  for (const [off, bytes] of Object.entries(fields)) b.set(bytes, Number(off));
  return b;
}

function expectEproto(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).errno).toBe('EPROTO');
    return;
  }
  throw new Error('expected an EPROTO TransportError');
}

describe('initiator PDU encoding (RFC 7143 §11)', () => {
  it('SCSI Command for READ(10): F+R+Simple, LUN, ITT, EDTL, CmdSN, ExpStatSN, CDB at 32 (§11.3)', () => {
    const cdb = Uint8Array.of(0x28, 0, 0, 0, 0, 0x10, 0, 0, 1, 0);
    const pdu = encodeScsiCommand({ final: true, read: true, write: false, lun: 1, itt: 0x11223344, expectedLength: 2048, cmdSN: 7, expStatSN: 9, cdb });
    expect(pdu.length).toBe(48);
    expect(hex(pdu)).toBe(
      [
        '01', // byte 0: opcode 0x01, I=0
        'c1', // byte 1: F (0x80) | R (0x40) | ATTR=1 Simple
        '0000', // reserved
        '00', // TotalAHSLength
        '000000', // DataSegmentLength
        '0001000000000000', // LUN 1, SAM-5 peripheral addressing
        '11223344', // ITT
        '00000800', // Expected Data Transfer Length 2048
        '00000007', // CmdSN
        '00000009', // ExpStatSN
        '28000000001000000100' + '000000000000', // CDB padded to 16 bytes
      ].join(''),
    );
  });

  it('SCSI Command with 5 bytes of immediate data: W bit, DataSegmentLength 5, padded to 8 (§11.2)', () => {
    const pdu = encodeScsiCommand({
      final: true,
      read: false,
      write: true,
      lun: 0,
      itt: 1,
      expectedLength: 5,
      cmdSN: 1,
      expStatSN: 0,
      cdb: Uint8Array.of(0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      immediateData: Buffer.from('hello'),
    });
    expect(pdu.length).toBe(56);
    expect(pdu[1]).toBe(0x80 | 0x20 | 0x01);
    expect(hex(pdu.subarray(4, 8))).toBe('00000005');
    expect(hex(pdu.subarray(48))).toBe('68656c6c6f000000');
  });

  it('Login Request: I bit, T/CSG/NSG in byte 1, ISID/TSIH/CID, text data (§11.12)', () => {
    const isid = Buffer.from('800102030001', 'hex');
    const data = encodeText([['AuthMethod', 'None']]);
    expect(data.toString('latin1')).toBe('AuthMethod=None\0');
    const pdu = encodeLoginRequest({ transit: true, cont: false, csg: 0, nsg: 1, isid, tsih: 0, itt: 0x10, cid: 0, cmdSN: 1, expStatSN: 0, data });
    expect(pdu[0]).toBe(0x43); // 0x40 immediate | 0x03
    expect(pdu[1]).toBe(0x81); // T=1, CSG=0 (bits 3-2), NSG=1 (bits 1-0)
    expect(pdu[2]).toBe(0); // Version-max
    expect(pdu[3]).toBe(0); // Version-min
    expect(hex(pdu.subarray(5, 8))).toBe('000010');
    expect(hex(pdu.subarray(8, 16))).toBe('8001020300010000');
    expect(hex(pdu.subarray(16, 32))).toBe('00000010' + '00000000' + '00000001' + '00000000');
    expect(pdu.length).toBe(64);
    // Operational → Full Feature: CSG=1, NSG=3 → 0x80 | 0x04 | 0x03.
    const op = encodeLoginRequest({ transit: true, cont: false, csg: 1, nsg: 3, isid, tsih: 0, itt: 0x10, cid: 0, cmdSN: 1, expStatSN: 1, data: Buffer.alloc(0) });
    expect(op[1]).toBe(0x87);
    // NSG is only meaningful (and sent) with T=1 (§11.12.3).
    const stay = encodeLoginRequest({ transit: false, cont: false, csg: 0, nsg: 1, isid, tsih: 0, itt: 0x10, cid: 0, cmdSN: 1, expStatSN: 1, data: Buffer.alloc(0) });
    expect(stay[1]).toBe(0x00);
  });

  it('Data-Out: F bit, LUN, ITT, TTT, ExpStatSN, DataSN, Buffer Offset (§11.7)', () => {
    const pdu = encodeDataOut({ final: true, lun: 1, itt: 0xa, ttt: 0xb, expStatSN: 0xc, dataSN: 2, bufferOffset: 0x4000, data: Buffer.alloc(4, 0xee) });
    expect(hex(pdu)).toBe(
      '05800000' + '00000004' + '0001000000000000' + '0000000a' + '0000000b' + '00000000' + '0000000c' + '00000000' + '00000002' + '00004000' + '00000000' + 'eeeeeeee',
    );
  });

  it('NOP-Out answering a target ping: immediate, ITT 0xffffffff, TTT echoed (§11.18)', () => {
    const pdu = encodeNopOut({ itt: 0xffffffff, ttt: 0x55, cmdSN: 3, expStatSN: 4, immediate: true });
    expect(hex(pdu.subarray(0, 32))).toBe('40800000' + '00000000' + '0000000000000000' + 'ffffffff' + '00000055' + '00000003' + '00000004');
  });

  it('Logout (reason 0 close session), Text Request and ABORT TASK headers (§11.14, §11.10, §11.5)', () => {
    const lo = encodeLogoutRequest({ itt: 9, cmdSN: 5, expStatSN: 6, immediate: true });
    expect(hex(lo.subarray(0, 2))).toBe('4680');
    const tx = encodeTextRequest({ final: true, cont: false, itt: 2, ttt: 0xffffffff, cmdSN: 1, expStatSN: 1, immediate: true, data: encodeText([['SendTargets', 'All']]) });
    expect(hex(tx.subarray(0, 8))).toBe('44800000' + '00000010');
    expect(hex(tx.subarray(20, 24))).toBe('ffffffff');
    const tm = encodeTaskMgmtRequest({ fn: 1, lun: 1, itt: 3, referencedTag: 0x77, cmdSN: 8, expStatSN: 2, refCmdSN: 7 });
    expect(hex(tm.subarray(0, 2))).toBe('4281');
    expect(hex(tm.subarray(20, 36))).toBe('00000077' + '00000008' + '00000002' + '00000007');
  });

  it('LUN field: peripheral addressing below 256, flat space above (SAM-5 LUN addressing methods 00b and 01b)', () => {
    expect(hex(encodeLun(5))).toBe('0005000000000000');
    expect(hex(encodeLun(0x123))).toBe('4123000000000000');
    expectEproto(() => encodeLun(0x4000));
  });
});

describe('target PDU decoding (RFC 7143 §11)', () => {
  it('SCSI Response: status, U bit + residual, sense after its 2-byte SenseLength (§11.4.7)', () => {
    const sense = Buffer.from('700006000000000a00000000290000000000', 'hex');
    const data = Buffer.concat([Buffer.from([0, sense.length]), sense]);
    const h = bhs({ 0: [0x21, 0x82, 0x00, 0x02], 16: [0, 0, 0, 7], 24: [0, 0, 0, 3], 28: [0, 0, 0, 4], 32: [0, 0, 0, 0x83], 44: [0, 0, 1, 0] });
    const r = decodePdu(h, data) as ScsiResponse;
    expect(r).toMatchObject({ kind: 'scsi-response', itt: 7, statSN: 3, expCmdSN: 4, maxCmdSN: 0x83, response: 0, status: 2, underflow: true, overflow: false, residual: 256 });
    expect(hex(r.sense)).toBe(hex(sense));
    // A SenseLength pointing past the segment is malformed.
    expectEproto(() => decodePdu(h, Buffer.from([0, 40, 1, 2])));
  });

  it('Data-In: F/S/U bits, status in the final PDU (phase collapse), DataSN, offset (§11.7)', () => {
    const h = bhs({ 0: [0x25, 0x83, 0, 0], 16: [0, 0, 0, 9], 20: [0xff, 0xff, 0xff, 0xff], 36: [0, 0, 0, 1], 40: [0, 0, 0x20, 0], 44: [0, 0, 0, 0x10] });
    const d = decodePdu(h, Buffer.alloc(8, 1)) as DataIn;
    expect(d).toMatchObject({ kind: 'data-in', final: true, hasStatus: true, status: 0, underflow: true, itt: 9, dataSN: 1, bufferOffset: 0x2000, residual: 16 });
    // S without F is forbidden (§11.7).
    expectEproto(() => decodePdu(bhs({ 0: [0x25, 0x01] }), Buffer.alloc(0)));
  });

  it('R2T: TTT, R2TSN, Buffer Offset, Desired Data Transfer Length (§11.8)', () => {
    const h = bhs({ 0: [0x31, 0x80], 16: [0, 0, 0, 5], 20: [0, 0, 0, 0x42], 36: [0, 0, 0, 2], 40: [0, 1, 0, 0], 44: [0, 4, 0, 0] });
    expect(decodePdu(h, Buffer.alloc(0)) as R2T).toMatchObject({ kind: 'r2t', itt: 5, ttt: 0x42, r2tSN: 2, bufferOffset: 0x10000, desiredLength: 0x40000 });
    expectEproto(() => decodePdu(h, Buffer.alloc(4)));
  });

  it('Login Response: T/C/CSG/NSG, TSIH, Status-Class/Detail (§11.13)', () => {
    const h = bhs({ 0: [0x23, 0x87, 0, 0], 14: [0x02, 0x00], 36: [0x02, 0x01] });
    expect(decodePdu(h, Buffer.alloc(0)) as LoginResponse).toMatchObject({ transit: true, cont: false, csg: 1, nsg: 3, tsih: 0x200, statusClass: 2, statusDetail: 1 });
  });

  it('Reject carries the rejected header: its ITT and opcode are recovered (§11.17)', () => {
    const rejected = encodeScsiCommand({ final: true, read: false, write: false, lun: 0, itt: 0xabc, expectedLength: 0, cmdSN: 1, expStatSN: 1, cdb: new Uint8Array(6) });
    const r = decodePdu(bhs({ 0: [0x3f, 0x80, 0x04] }), rejected) as Reject;
    expect(r).toMatchObject({ kind: 'reject', reason: 4, rejectedItt: 0xabc, rejectedOpcode: 0x01 });
  });

  it('an initiator opcode coming from the target is a protocol error', () => {
    expectEproto(() => decodePdu(bhs({ 0: [0x01] }), Buffer.alloc(0)));
  });
});

describe('PduReader stream framing', () => {
  const nop = (itt: number, data: Buffer) => {
    const h = bhs({ 0: [0x20, 0x80], 16: [0, 0, 0, itt], 20: [0xff, 0xff, 0xff, 0xff] });
    h.writeUIntBE(data.length, 5, 3);
    return Buffer.concat([h, data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
  };

  it('reassembles PDUs split at every byte, consuming pad bytes', () => {
    const stream = Buffer.concat([nop(1, Buffer.from('abcde')), nop(2, Buffer.alloc(0)), nop(3, Buffer.from('xyz!'))]);
    const r = new PduReader(8192);
    const got = [];
    for (const byte of stream) got.push(...r.push(Buffer.from([byte])));
    expect(got.map((p) => [p.itt, (p as { data: Buffer }).data.toString()])).toEqual([
      [1, 'abcde'],
      [2, ''],
      [3, 'xyz!'],
    ]);
    expect(r.pending).toBe(0);
  });

  it('skips an AHS (TotalAHSLength in 4-byte words, §11.2.1)', () => {
    const p = nop(4, Buffer.from('hi'));
    p[4] = 2; // 8 bytes of AHS inserted after the BHS
    const withAhs = Buffer.concat([p.subarray(0, 48), Buffer.alloc(8, 0x99), p.subarray(48)]);
    const [pdu] = new PduReader(8192).push(withAhs);
    expect((pdu as { data: Buffer }).data.toString()).toBe('hi');
  });

  it('refuses a data segment above our MaxRecvDataSegmentLength before buffering it (§13.12)', () => {
    const h = bhs({ 0: [0x25, 0x80] });
    h.writeUIntBE(0x10000, 5, 3);
    expectEproto(() => new PduReader(8192).push(h));
  });

  it('fuzz: random and truncated input yields PDUs or EPROTO, never another exception', () => {
    let seed = 0x12345678;
    const rnd = () => {
      // mulberry32: deterministic, so a failure reproduces.
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const targetOpcodes = [0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x31, 0x32, 0x3f];
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(rnd() * 400);
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) buf[j] = Math.floor(rnd() * 256);
      if (len >= 8 && rnd() < 0.7) {
        // Mostly plausible headers, so decoding goes past the opcode check.
        buf[0] = targetOpcodes[Math.floor(rnd() * targetOpcodes.length)];
        buf[4] = rnd() < 0.8 ? 0 : buf[4] & 3;
        buf.writeUIntBE(Math.floor(rnd() * 300), 5, 3);
      }
      const reader = new PduReader(8192);
      try {
        for (let off = 0; off < len; ) {
          const n = 1 + Math.floor(rnd() * 64);
          decoded += reader.push(buf.subarray(off, off + n)).length;
          off += n;
        }
      } catch (err) {
        expect(err).toBeInstanceOf(TransportError);
        expect((err as TransportError).errno).toBe('EPROTO');
        rejected++;
      }
    }
    // Both outcomes must actually occur, or the fuzz is not exercising the decoder.
    expect(decoded).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});

describe('CRC32C digests (RFC 7143 §13.1)', () => {
  it('matches the published CRC32C check value and the RFC 3720 B.4 examples, LSB first on the wire', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
    expect(hex(crc32cBytes(Buffer.alloc(32, 0)))).toBe('aa36918a');
    expect(hex(crc32cBytes(Buffer.alloc(32, 0xff)))).toBe('43aba862');
    expect(hex(crc32cBytes(Buffer.from(Array.from({ length: 32 }, (_, i) => i))))).toBe('4e79dd46');
    expect(hex(crc32cBytes(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))))).toBe('5cdb3f11');
  });

  it('withDigests puts the header digest after the BHS and the data digest after data+padding; the reader checks both', () => {
    const framed = encodeNopOut({ itt: 1, ttt: 0xffffffff, cmdSN: 1, expStatSN: 1, immediate: true, data: Buffer.from('abc') });
    const d = withDigests(framed, true, true);
    expect(d.length).toBe(48 + 4 + 4 + 4);
    expect(hex(d.subarray(48, 52))).toBe(hex(crc32cBytes(framed.subarray(0, 48))));
    expect(hex(d.subarray(56, 60))).toBe(hex(crc32cBytes(Buffer.from('abc\0'))));
    // The same layout from a target decodes with digests on, and a flipped bit is caught.
    const nopIn = Buffer.from(d);
    nopIn[0] = 0x20;
    nopIn.set(crc32cBytes(nopIn.subarray(0, 48)), 48);
    const r = new PduReader(8192);
    r.headerDigest = r.dataDigest = true;
    expect((r.push(nopIn)[0] as { data: Buffer }).data.toString()).toBe('abc');
    for (const at of [3, 50, 53, 58]) {
      const bad = Buffer.from(nopIn);
      bad[at] ^= 1;
      const rr = new PduReader(8192);
      rr.headerDigest = rr.dataDigest = true;
      expectEproto(() => rr.push(bad));
    }
  });
});

describe('text keys, CHAP and serial arithmetic', () => {
  it('decodes key=value\\0 pairs, tolerating trailing NUL padding (§6.1)', () => {
    expect(decodeText(Buffer.from('TargetName=iqn.x:y\0TargetAddress=1.2.3.4:3260,1\0\0\0'))).toEqual([
      ['TargetName', 'iqn.x:y'],
      ['TargetAddress', '1.2.3.4:3260,1'],
    ]);
    expectEproto(() => decodeText(Buffer.from('novalue\0')));
    expectEproto(() => encodeText([['bad key', 'x']]));
  });

  it('binary values in hex and base64 (§6.1 binary-value)', () => {
    expect(hex(decodeBinary('0x0a0B'))).toBe('0a0b');
    expect(hex(decodeBinary('0bAAEC'))).toBe('000102');
    expect(encodeBinary(Uint8Array.of(1, 0xff))).toBe('0x01ff');
    expectEproto(() => decodeBinary('12'));
  });

  it('CHAP MD5 response = MD5(id || secret || challenge) (RFC 1994 §4.1)', () => {
    // Expected value computed independently with Python's hashlib.md5.
    const r = chapMd5Response(0x2a, 'secret-12chars', Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
    expect(hex(r)).toBe('902e035fcbed486a1b0849ba9754c765');
  });

  it('serial number comparison wraps at 2^32 (RFC 1982, RFC 7143 §4.2.2.1)', () => {
    expect(serialLt(0xfffffff0, 5)).toBe(true);
    expect(serialLt(5, 0xfffffff0)).toBe(false);
    expect(serialLte(7, 7)).toBe(true);
    expect(serialLt(1, 2)).toBe(true);
  });
});

describe('REPORT LUNS parameter data (SPC-4)', () => {
  it('reads 8-byte entries up to LUN LIST LENGTH: peripheral and flat addressing; others skipped', () => {
    const data = Buffer.from(
      '00000020' + '00000000' + '0000000000000000' + '0001000000000000' + '4123000000000000' + 'c000000000000000' + 'ffffffffffffffff',
      'hex',
    );
    // 0x20 = 4 entries; the fifth is beyond LUN LIST LENGTH; C0h (extended method) is not ours.
    expect(parseReportLuns(data)).toEqual([0, 1, 0x123]);
    expect(parseReportLuns(Buffer.alloc(4))).toEqual([]);
  });
});

describe('iscsi:// addresses', () => {
  it('parses host, port, IQN, LUN and optional credentials', () => {
    expect(parseIscsiAddress('iscsi://127.0.0.1:3261/iqn.2026-11.test:dvd/1')).toEqual({
      host: '127.0.0.1',
      port: 3261,
      targetName: 'iqn.2026-11.test:dvd',
      lun: 1,
      user: undefined,
      secret: undefined,
    });
    const a = parseIscsiAddress('iscsi://bob:s%40cret@[::1]/iqn.2026-11.test:dvd/0');
    expect(a).toMatchObject({ host: '::1', port: 3260, user: 'bob', secret: 's@cret', lun: 0 });
    expect(formatIscsiAddress(a)).toBe('iscsi://[::1]:3260/iqn.2026-11.test:dvd/0');
    expect(formatIscsiAddress(a, { withCredentials: true })).toBe('iscsi://bob:s%40cret@[::1]:3260/iqn.2026-11.test:dvd/0');
    expect(redactAddress('iscsi://bob:pw@h/iqn.x/1')).toBe('iscsi://h/iqn.x/1');
  });

  it('rejects malformed addresses with InvalidInputError', () => {
    for (const bad of ['/dev/sr0', 'iscsi://h/iqn.x', 'iscsi://h/notanid/1', 'iscsi://h:99999/iqn.x/1', 'iscsi://h/iqn.x/99999']) {
      expect(() => parseIscsiAddress(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});
