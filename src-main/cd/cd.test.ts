// MSF arithmetic and the Q sub-channel frames of mode 1 (position), 2 (MCN) and 3 (ISRC): CRCs by
// CPython's binascii.crc_hqx, fields decoded by hand from ECMA-130 §22.3.3–22.3.5.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fromBcd, msfOf, msfText, parseMsfText } from './msf';
import { packPw, qCrcValid, qMode1, qMode2Mcn, qMode3Isrc, unpackPq } from './subchannel';

function pythonCrcOk(frames: Uint8Array[]): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', `
import sys, binascii
print(all((binascii.crc_hqx(bytes.fromhex(h)[:10], 0) ^ 0xffff) == int.from_bytes(bytes.fromhex(h)[10:12], 'big') for h in sys.argv[1].split(',')))`, frames.map((f) => Buffer.from(f).toString('hex')).join(',')], { encoding: 'utf8' });
  return r.stdout.trim() === 'True';
}

describe('MSF', () => {
  it('converts frames, text and BCD both ways', () => {
    expect(msfOf(150)).toEqual([0, 2, 0]);
    expect(msfOf(-1)).toEqual([99, 59, 74]); // lead-in wraps
    expect(msfText(359849 + 150)).toBe('79:59:74');
    expect(parseMsfText('79:59:74')).toBe(359999);
    expect(parseMsfText('00:60:00')).toBeUndefined();
    expect(parseMsfText('00:00:75')).toBeUndefined();
    expect(parseMsfText('120:00:00')).toBe(120 * 4500);
    expect(fromBcd(0x59)).toBe(59);
    expect(fromBcd(0x5a)).toBe(-1);
  });
});

describe('Q sub-channel frames', () => {
  it('mode 1, 2 and 3 frames carry CRCs that binascii.crc_hqx confirms, and survive P-W packing', () => {
    const frames = [qMode1({ control: 0, track: 1, index: 1, relative: 0, lba: 0 }), qMode2Mcn(0, '0123456789012', 1234), qMode3Isrc(2, 'USRC17607839', 4321)];
    expect(frames.every(qCrcValid)).toBe(true);
    expect(pythonCrcOk(frames)).toBe(true);
    for (const q of frames) expect(Buffer.from(unpackPq(packPw(false, q)).q)).toEqual(Buffer.from(q));
  });

  it('MCN: ADR 2, thirteen BCD digits, AFRAME', () => {
    const q = qMode2Mcn(0, '0123456789012', 1234);
    expect(q[0]).toBe(0x02);
    const digits = [...q.subarray(1, 8)].flatMap((b) => [b >> 4, b & 0xf]).slice(0, 13).join('');
    expect(digits).toBe('0123456789012');
    expect(q[9]).toBe(0x34); // AFRAME of LBA 1234: (1234 + 150) mod 75 = 34, in BCD
  });

  it('ISRC: ADR 3, five 6-bit characters, seven BCD digits, AFRAME', () => {
    const q = qMode3Isrc(2, 'USRC17607839', 4321);
    expect(q[0]).toBe(0x23);
    const bits = (q[1] << 24) | (q[2] << 16) | (q[3] << 8) | q[4];
    const chars = [26, 20, 14, 8, 2].map((sh) => (bits >>> sh) & 0x3f).map((c) => (c < 10 ? String(c) : String.fromCharCode(c - 17 + 65))).join('');
    expect(chars).toBe('USRC1');
    expect((bits & 0x3)).toBe(0);
    const digits = [...q.subarray(5, 9)].flatMap((b) => [b >> 4, b & 0xf]).slice(0, 7).join('');
    expect(digits).toBe('7607839');
    expect(fromBcd(q[9])).toBe((4321 + 150) % 75);
  });
});
