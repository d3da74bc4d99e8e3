// Exact-byte checks of the UDF building blocks. Every expected value is derived by hand from the
// spec clause named beside it, not from our own output.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../common/errors';
import {
  crcItuT,
  encodeOsta,
  truncateOsta,
  writeDomainRegid,
  writeDstring,
  writeImplRegid,
  writeLongAd,
  writeShortAd,
  writeTag,
  writeTimestamp,
  writeUdfRegid,
} from './primitives';

describe('CRC-ITU-T (ECMA-167 1/7.2.6)', () => {
  it('matches the worked example in ECMA-167: bytes 70 6A 77 → #3299', () => {
    expect(crcItuT(Buffer.from([0x70, 0x6a, 0x77]))).toBe(0x3299);
  });
  it('matches the standard check value of CRC-16 poly 0x1021 init 0 ("123456789" → 0x31C3)', () => {
    expect(crcItuT(Buffer.from('123456789'))).toBe(0x31c3);
  });
  it('is 0 over zeros (initial value 0, no final XOR)', () => {
    expect(crcItuT(Buffer.alloc(496))).toBe(0);
  });
  it('equals the bit-by-bit definition on random data of odd and even lengths and offsets', () => {
    const bitwise = (d: Uint8Array, from: number, to: number) => {
      let crc = 0;
      for (let i = from; i < to; i++) {
        crc ^= d[i] << 8;
        for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      }
      return crc;
    };
    let x = 99;
    const data = Buffer.alloc(4099, 0).map(() => (x = (x * 1103515245 + 12345) % 2 ** 31) & 0xff);
    for (const [from, to] of [[0, 4099], [1, 4099], [0, 4098], [3, 200], [16, 192], [7, 8], [5, 5]]) {
      expect(crcItuT(data, from, to), `${from}..${to}`).toBe(bitwise(data, from, to));
    }
  });
});

describe('descriptor tag (ECMA-167 3/7.2)', () => {
  it('lays out a Terminating Descriptor tag at sector 300, NSR02', () => {
    const b = writeTag(Buffer.alloc(512), 8, 2, 300, 496);
    // id 8, version 2, checksum, reserved, serial 1, CRC 0 (zeros), CRC length 496 = 0x1F0, location 300 = 0x12C.
    // checksum = 8 + 2 + 1 + 0xF0 + 0x01 + 0x2C + 0x01 = 297 → 297 mod 256 = 0x29 (ECMA-167 3/7.2.3).
    expect([...b.subarray(0, 16)]).toEqual([8, 0, 2, 0, 0x29, 0, 1, 0, 0, 0, 0xf0, 0x01, 0x2c, 0x01, 0, 0]);
  });
  it('covers exactly crcLength bytes after the tag with the CRC', () => {
    const b = Buffer.alloc(64);
    b.set([0x70, 0x6a, 0x77], 16);
    b[19] = 0xff; // outside the CRC length: must not count
    writeTag(b, 257, 3, 7, 3);
    expect(b.readUInt16LE(8)).toBe(0x3299);
    expect(b.readUInt16LE(10)).toBe(3);
    let sum = 0;
    for (let i = 0; i < 16; i++) if (i !== 4) sum += b[i];
    expect(b[4]).toBe(sum & 0xff);
  });
});

describe('timestamp (ECMA-167 1/7.3)', () => {
  it('records UTC as type 1 with a zero offset, centi-, hundreds-of-micro- and microseconds', () => {
    const b = Buffer.alloc(12);
    writeTimestamp(b, 0, new Date(Date.UTC(2024, 4, 17, 12, 34, 56, 789)));
    // 0x1000 = type 1 (bits 12–15), offset 0; year 2024 = 0x07E8; May 17 12:34:56; 78 cs; 9 × 100 µs = 90; 0 µs.
    expect([...b]).toEqual([0x00, 0x10, 0xe8, 0x07, 5, 17, 12, 34, 56, 78, 90, 0]);
  });
  it('rejects an invalid Date', () => {
    expect(() => writeTimestamp(Buffer.alloc(12), 0, new Date(NaN))).toThrow(InvalidInputError);
  });
});

describe('OSTA Compressed Unicode (OSTA UDF §2.1.1)', () => {
  it('uses compression ID 8 when every character is below U+0100', () => {
    expect([...encodeOsta('aé')]).toEqual([8, 0x61, 0xe9]);
  });
  it('uses compression ID 16, big-endian, for Greek and CJK', () => {
    expect([...encodeOsta('Ωa')]).toEqual([16, 0x03, 0xa9, 0x00, 0x61]);
    expect([...encodeOsta('漢')]).toEqual([16, 0x6f, 0x22]);
  });
  it('records characters beyond the BMP as UTF-16 surrogate pairs', () => {
    // U+1F600 = D83D DE00 in UTF-16.
    expect([...encodeOsta('😀')]).toEqual([16, 0xd8, 0x3d, 0xde, 0x00]);
  });
  it('rejects NUL, lone surrogates and the non-characters U+FEFF/U+FFFE', () => {
    expect(() => encodeOsta('a\u0000b')).toThrow(InvalidInputError);
    expect(() => encodeOsta('a\ud83d')).toThrow(InvalidInputError);
    expect(() => encodeOsta('\ude00a')).toThrow(InvalidInputError);
    expect(() => encodeOsta('a\ufeff')).toThrow(InvalidInputError);
    expect(() => encodeOsta('a\ufffe')).toThrow(InvalidInputError);
  });
  it('truncates without splitting a surrogate pair', () => {
    // 5 bytes allow 1 + 2 units; "a😀" needs 1 + 3 units, so only "a" survives, now 8-bit.
    expect([...truncateOsta('a😀', 5)]).toEqual([8, 0x61]);
    expect([...truncateOsta('Ωb😀', 7)]).toEqual([16, 0x03, 0xa9, 0x00, 0x62]);
  });
});

describe('dstring (ECMA-167 1/7.2.12)', () => {
  it('stores the used length in the last byte', () => {
    const b = Buffer.alloc(32);
    writeDstring(b, 0, 32, 'LABEL');
    expect([...b.subarray(0, 6)]).toEqual([8, 0x4c, 0x41, 0x42, 0x45, 0x4c]);
    expect(b[31]).toBe(6);
    expect(b.subarray(6, 31).every((x) => x === 0)).toBe(true);
  });
  it('is all zero for an empty string', () => {
    const b = Buffer.alloc(32, 0xaa);
    writeDstring(b, 0, 32, '');
    expect(b.every((x) => x === 0)).toBe(true);
  });
  it('truncates to field length − 1 bytes', () => {
    const b = Buffer.alloc(32);
    writeDstring(b, 0, 32, 'x'.repeat(40));
    expect(b[31]).toBe(31); // compression ID + 30 characters
    writeDstring(b, 0, 32, 'Ω'.repeat(40));
    expect(b[31]).toBe(31); // compression ID + 15 UTF-16 units
    expect(b[0]).toBe(16);
  });
});

describe('entity identifiers (OSTA UDF §2.1.5)', () => {
  it('domain identifier carries the revision little-endian in its suffix', () => {
    const b = Buffer.alloc(32);
    writeDomainRegid(b, 0, 0x0250);
    expect(b.toString('latin1', 1, 20)).toBe('*OSTA UDF Compliant');
    expect([...b.subarray(24, 32)]).toEqual([0x50, 0x02, 0, 0, 0, 0, 0, 0]);
  });
  it('UDF identifier suffix: revision then OS class/identifier', () => {
    const b = Buffer.alloc(32);
    writeUdfRegid(b, 0, '*UDF LV Info', 0x0102);
    expect(b.toString('latin1', 1, 13)).toBe('*UDF LV Info');
    expect([...b.subarray(24, 28)]).toEqual([0x02, 0x01, 0, 0]);
  });
  it('implementation identifier is "*Glassmaster"', () => {
    const b = Buffer.alloc(32);
    writeImplRegid(b, 0);
    expect(b[0]).toBe(0);
    expect(b.toString('latin1', 1, 13)).toBe('*Glassmaster');
    expect(b.subarray(13, 32).every((x) => x === 0)).toBe(true);
  });
});

describe('allocation descriptors (ECMA-167 4/14.14)', () => {
  it('short_ad packs the extent type in the top two bits of the length', () => {
    const b = Buffer.alloc(8);
    writeShortAd(b, 0, 2048, 0x1234, 3);
    expect(b.readUInt32LE(0)).toBe(0xc0000800);
    expect(b.readUInt32LE(4)).toBe(0x1234);
  });
  it('long_ad puts the UDF Unique ID in bytes 12–15 (OSTA UDF §2.3.4.3)', () => {
    const b = Buffer.alloc(16);
    writeLongAd(b, 0, 2048, 5, 1, 0x11223344);
    expect([...b]).toEqual([0, 8, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0x44, 0x33, 0x22, 0x11]);
  });
});
