import { describe, expect, it } from 'vitest';
import { ScsiError } from '../common/errors';
import { ascText, buildFixedSense, decodeSense, parseSense, senseDisposition, senseTableEntries, senseToError } from './sense';

describe('parseSense', () => {
  it('decodes fixed format (70h): key byte 2, ASC/ASCQ bytes 12/13 (SPC-4 §4.5.3)', () => {
    const s = parseSense(Uint8Array.from([0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3a, 0x01, 0, 0, 0, 0]))!;
    expect(s).toMatchObject({ format: 'fixed', current: true, key: 2, asc: 0x3a, ascq: 0x01 });
    expect(s.information).toBeUndefined();
  });

  it('keeps the INFORMATION field when VALID (bit 7 of byte 0) is set', () => {
    const s = parseSense(buildFixedSense(5, 0x21, 0x02, { information: 1234 }))!;
    expect(s.information).toBe(1234);
  });

  it('flags deferred errors (71h)', () => {
    const s = parseSense(Uint8Array.from([0x71, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x0c, 0x00]))!;
    expect(s.current).toBe(false);
    expect(senseToError(0x35, Uint8Array.from([0x71, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x0c, 0x00])).message).toContain('deferred');
  });

  it('decodes progress from sense-key specific bytes of NOT READY (SPC-4 §4.5.2.4.3)', () => {
    const s = parseSense(buildFixedSense(2, 0x04, 0x04, { progress: 0.5 }))!;
    expect(s.progress).toBeCloseTo(0.5, 3);
  });

  it('decodes descriptor format (72h) with an information descriptor (SPC-4 §4.5.2)', () => {
    const b = Uint8Array.from([0x72, 0x05, 0x24, 0x00, 0, 0, 0, 12, 0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00]);
    const s = parseSense(b)!;
    expect(s).toMatchObject({ format: 'descriptor', key: 5, asc: 0x24, ascq: 0, information: 0x100 });
  });

  it('returns undefined for empty or unknown response codes, and survives truncation', () => {
    expect(parseSense(new Uint8Array(0))).toBeUndefined();
    expect(parseSense(Uint8Array.from([0x7f, 1, 2]))).toBeUndefined();
    expect(parseSense(Uint8Array.from([0x70, 0]))).toBeUndefined();
    expect(parseSense(Uint8Array.from([0x70, 0, 0x06]))).toMatchObject({ key: 6, asc: 0, ascq: 0 });
  });
});

describe('sense table and dispositions', () => {
  it.each([
    [2, 0x04, 0x01, 'retry', 'becoming ready'],
    [2, 0x04, 0x04, 'retry', 'format in progress'],
    [2, 0x04, 0x08, 'retry', 'long write in progress'],
    [2, 0x3a, 0x00, 'fail', 'no disc in drive'],
    [2, 0x3a, 0x02, 'fail', 'tray open'],
    [6, 0x28, 0x00, 'retry', 'disc changed'],
    [6, 0x29, 0x00, 'retry', 'reset'],
    [7, 0x27, 0x00, 'fail', 'write-protected'],
    [5, 0x21, 0x02, 'fail', 'invalid address for write'],
    [5, 0x73, 0x02, 'fail', 'power calibration area is full'],
    [3, 0x0c, 0x09, 'fail', 'buffer under-run'],
    [1, 0x17, 0x01, 'continue', 'recovered data with retries'],
    [0xb, 0x47, 0x00, 'retry', 'parity'],
    [5, 0x20, 0x00, 'fail', 'invalid command operation code'],
    [5, 0x30, 0x05, 'fail', 'incompatible format'],
  ])('key %i ASC %s ASCQ %s → %s (%s)', (key, asc, ascq, disposition, text) => {
    const e = senseToError(0x2a, buildFixedSense(key, asc, ascq));
    expect(e).toBeInstanceOf(ScsiError);
    expect(e.disposition).toBe(disposition);
    expect(e.message.toLowerCase()).toContain(text);
    // The message starts with "[K AA QQ]" (errors.ts contract).
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
    expect(e.message.startsWith(`[${key.toString(16).toUpperCase()} ${hex(asc)} ${hex(ascq)}]`)).toBe(true);
    expect(e.retryable).toBe(disposition === 'retry');
  });

  it('every table entry has a text and a unique ASC/ASCQ pair', () => {
    const seen = new Set<string>();
    for (const [asc, ascq, text] of senseTableEntries()) {
      const k = `${asc}/${ascq}`;
      expect(seen.has(k), `duplicate ${k}`).toBe(false);
      seen.add(k);
      expect(text.length).toBeGreaterThan(3);
      expect(ascText(asc, ascq < 0 ? 0x42 : ascq)).toContain(text);
    }
    expect(seen.size).toBeGreaterThan(330);
  });

  it('unknown and vendor pairs still produce a usable message', () => {
    expect(ascText(0x7e, 0x01)).toMatch(/unknown condition \(ASC 7Eh, ASCQ 01h\)/);
    expect(ascText(0x80, 0x00)).toMatch(/vendor specific/);
    expect(ascText(0x40, 0x91)).toBe('diagnostic failure on component 91h');
  });

  it('every key/ASC/ASCQ combination maps to a disposition without throwing', () => {
    for (let key = 0; key < 16; key++) {
      for (let asc = 0; asc < 256; asc += 3) {
        for (const ascq of [0, 1, 2, 4, 7, 8, 0xff]) {
          expect(['retry', 'fail', 'continue']).toContain(senseDisposition(key, asc, ascq));
        }
      }
    }
  });

  it('CHECK CONDITION without sense is a fail; BUSY without sense is a retry', () => {
    expect(senseToError(0x00, new Uint8Array(0)).disposition).toBe('fail');
    expect(senseToError(0x00, undefined, 0x08).disposition).toBe('retry');
    expect(senseToError(0x00, undefined, 0x18).message).toContain('reservation conflict');
    expect(senseToError(0x00, undefined, 0x28).disposition).toBe('retry');
  });

  it('names the failing LBA for medium errors', () => {
    const e = senseToError(0x28, buildFixedSense(3, 0x11, 0x00, { information: 5000 }));
    expect(e.message).toContain('unrecovered read error at LBA 5000');
    expect(decodeSense(buildFixedSense(3, 0x11, 0x00))!.text).toBe('unrecovered read error');
  });
});
