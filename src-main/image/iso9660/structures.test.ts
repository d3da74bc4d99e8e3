// decode(encode(x)) for each ECMA-119 structure the writer records: directory record (§9.1),
// path table (§9.4), primary/supplementary volume descriptor (§8.4/§8.5) and terminator (§8.3).
// The decoders sit beside the encoders; the independent readers judge whole images elsewhere.
import { describe, expect, it } from 'vitest';
import { decodeDirRecord, FLAG_DIRECTORY, FLAG_HIDDEN, FLAG_MULTI_EXTENT, recordLength, systemUseOffset, writeDirRecord } from './directory-record';
import { decodePathTable, encodePathTable, pathTableSize, type PathTableDir } from './path-table';
import { decodeVolumeDescriptor, encodeTerminator, encodeVolumeDescriptor } from './volume-descriptor';

const t = (iso: string) => new Date(iso);

describe('directory record (ECMA-119 §9.1)', () => {
  const cases = [
    { id: 'README.TXT;1', wide: false, lba: 12345, length: 70000, mtime: t('2024-05-06T07:08:09Z'), flags: 0, su: 0 },
    { id: 'DIR', wide: false, lba: 0x01020304, length: 2048, mtime: t('1999-12-31T23:59:59Z'), flags: FLAG_DIRECTORY | FLAG_HIDDEN, su: 40 },
    { id: 'BIG.BIN;1', wide: false, lba: 99, length: 0xfffff800, mtime: t('2155-01-01T00:00:00Z'), flags: FLAG_MULTI_EXTENT, su: 7 },
    { id: 'Ünïcødé 日本語', wide: true, lba: 7, length: 1, mtime: t('1900-01-01T00:00:00Z'), flags: 0, su: 0 },
    { id: '\x00', wide: false, lba: 20, length: 4096, mtime: t('2030-02-03T04:05:06Z'), flags: FLAG_DIRECTORY, su: 0 },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.id)} (${c.wide ? 'UCS-2' : 'latin1'}, ${c.su} System Use bytes)`, () => {
      const idLen = c.wide ? c.id.length * 2 : c.id.length;
      const len = recordLength(idLen, c.su);
      expect(len % 2).toBe(0);
      const buf = Buffer.alloc(len + 10);
      writeDirRecord(buf, 3, len, c.id, c.wide, c.lba, c.length, c.mtime, c.flags);
      buf.fill(0xab, 3 + systemUseOffset(idLen), 3 + systemUseOffset(idLen) + c.su);
      const d = decodeDirRecord(buf, 3, c.wide)!;
      expect(d).toMatchObject({ length: len, lba: c.lba, dataLength: c.length, recorded: c.mtime.getTime(), flags: c.flags, id: c.id });
      expect(d.systemUse.subarray(0, c.su).every((x) => x === 0xab)).toBe(true);
      expect(d.systemUse.length - c.su).toBeLessThanOrEqual(1); // the even pad
    });
  }
  it('a zero length byte ends the sector; a record past its buffer is refused', () => {
    expect(decodeDirRecord(Buffer.alloc(40), 0)).toBeUndefined();
    const b = Buffer.alloc(40);
    b[0] = 60;
    expect(() => decodeDirRecord(b, 0)).toThrow(RangeError);
  });
});

describe('path table (ECMA-119 §9.4)', () => {
  it('L and M tables decode to the same directories, numbers and parents', () => {
    const root: PathTableDir & { number: number } = { idBytes: Buffer.from([0]), lba: 30, parent: undefined, number: 1 };
    const a = { idBytes: Buffer.from('A'), lba: 31, parent: root, number: 2 };
    const bb = { idBytes: Buffer.from('LONGER_NAME_1'), lba: 32, parent: root, number: 3 };
    const c = { idBytes: Buffer.from('CC'), lba: 0x12345678, parent: a, number: 4 };
    const dirs = [root, a, bb, c];
    const size = pathTableSize(dirs);
    expect(size).toBe(10 + 10 + 22 + 10);
    for (const big of [false, true]) {
      const table = encodePathTable(dirs, size, big);
      expect(table.length).toBe(2048);
      expect(decodePathTable(table, size, big)).toEqual(dirs.map((d) => ({ id: d.idBytes, lba: d.lba, parentNumber: d.parent ? d.parent.number : 1 })));
    }
  });
});

describe('volume descriptors (ECMA-119 §8.3-8.5)', () => {
  const input = {
    label: 'Glass Test ünï', totalSectors: 123456, pathTableSize: 52, lPathTable: 20, mPathTable: 21,
    root: { lba: 40, size: 4096, mtime: t('2024-05-06T07:08:09Z') }, recorded: t('2025-01-02T03:04:05.670Z'),
  };
  it('PVD: d-character volume id, sizes, path tables, root record, dates', () => {
    const d = decodeVolumeDescriptor(encodeVolumeDescriptor({ kind: 'pvd', ...input }));
    expect(d).toMatchObject({
      type: 1, joliet: false, volumeId: 'GLASS_TEST_UNI', volumeSetId: 'GLASS_TEST_UNI', application: 'GLASSMASTER',
      totalSectors: 123456, pathTableSize: 52, lPathTable: 20, mPathTable: 21, created: input.recorded.getTime(),
    });
    expect(d.root).toMatchObject({ length: 34, lba: 40, dataLength: 4096, flags: FLAG_DIRECTORY, recorded: input.root.mtime.getTime(), id: '\x00' });
  });
  it('Joliet SVD: UCS-2 label (16 characters), "%/E" escape', () => {
    const d = decodeVolumeDescriptor(encodeVolumeDescriptor({ kind: 'joliet', ...input, label: 'Ελληνικά and a long label' }));
    expect(d).toMatchObject({ type: 2, joliet: true, volumeId: 'Ελληνικά and a l', volumeSetId: 'Ελληνικά and a long label', totalSectors: 123456 });
  });
  it('terminator', () => {
    const b = encodeTerminator();
    expect(b[0]).toBe(255);
    expect(b.toString('latin1', 1, 6)).toBe('CD001');
  });
});
