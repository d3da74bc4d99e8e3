// Q decoding (cd/q-decode.ts), the Q timeline (index points, ISRC, MCN) and CD-TEXT pack decoding
// (audio/cd-text-decode.ts) against the encoders they invert, plus what must be refused.
import { describe, expect, it } from 'vitest';
import { buildCdTextPacks, type CdTextBlock } from '../audio/cd-text';
import { decodeCdTextPacks } from '../audio/cd-text-decode';
import { decodeQ } from '../cd/q-decode';
import { qMode1, qMode2Mcn, qMode3Isrc } from '../cd/subchannel';
import { QTimeline } from './cd-subchannel';

describe('decodeQ', () => {
  it('inverts mode 1, 2 and 3 frames', () => {
    expect(decodeQ(qMode1({ control: 2, track: 12, index: 3, relative: 4567, lba: 123456 }), 123456)).toEqual({ adr: 1, control: 2, track: 12, index: 3, relative: 4567, lba: 123456 });
    expect(decodeQ(qMode1({ control: 0, track: 1, index: 0, relative: 150, lba: -150 }))).toMatchObject({ track: 1, index: 0, lba: -150 });
    expect(decodeQ(qMode2Mcn(0, '0123456789012', 10))).toEqual({ adr: 2, control: 0, mcn: '0123456789012' });
    for (const isrc of ['USRC17607839', 'GBAYE6700001', 'ZZ9Z90000000']) expect(decodeQ(qMode3Isrc(1, isrc, 77))).toEqual({ adr: 3, control: 1, isrc });
  });
  it('refuses a bad CRC, non-BCD digits and unknown modes; accepts a zero CRC only when the address matches', () => {
    const q = qMode1({ control: 0, track: 2, index: 1, relative: 10, lba: 500 });
    const bad = q.slice();
    bad[11] ^= 1;
    expect(decodeQ(bad, 500)).toBeUndefined();
    const noCrc = q.slice();
    noCrc[10] = noCrc[11] = 0;
    expect(decodeQ(noCrc, 500)).toMatchObject({ track: 2 });
    expect(decodeQ(noCrc, 501)).toBeUndefined();
    expect(decodeQ(new Uint8Array(12))).toBeUndefined();
  });
});

describe('QTimeline', () => {
  it('index 01 from relative time, 00/02 from the first frame; ISRC and MCN need two agreeing frames', () => {
    const t = new QTimeline();
    for (let lba = 0; lba < 400; lba++) {
      const track = lba < 150 ? 1 : 2;
      const start = track === 1 ? 0 : 160;
      const index = lba >= 150 && lba < 160 ? 0 : lba >= 300 ? 2 : 1;
      if (lba === 160) continue; // an unreadable first sector of track 2 does not move its index 01
      if (lba % 50 === 25) t.add(lba, qMode3Isrc(0, track === 1 ? 'USRC17607839' : 'GBAYE6700001', lba));
      else if (lba % 100 === 40) t.add(lba, qMode2Mcn(0, '0123456789012', lba));
      else t.add(lba, qMode1({ control: track === 2 ? 2 : 0, track, index, relative: Math.abs(lba - start), lba }));
    }
    const ix = t.indexPoints();
    expect([...ix.get(1)!]).toEqual([[1, 0]]);
    expect([...ix.get(2)!]).toEqual([[0, 150], [1, 160], [2, 300]]);
    expect(t.mcn()).toBe('0123456789012');
    expect([...t.isrcs()]).toEqual([[1, 'USRC17607839'], [2, 'GBAYE6700001']]);
    expect(t.control(2)).toBe(2);
    const one = new QTimeline();
    one.add(0, qMode1({ control: 0, track: 1, index: 1, relative: 0, lba: 0 }));
    one.add(1, qMode2Mcn(0, '0123456789012', 1));
    expect(one.mcn()).toBeUndefined();
  });
});

describe('decodeCdTextPacks', () => {
  it('round-trips an album through buildCdTextPacks, ISO 8859-1 and MS-JIS blocks', () => {
    const blocks: CdTextBlock[] = [
      {
        language: 0x09,
        album: { title: 'Glass Albüm', performer: 'Glass Band', discId: 'GM-1', genre: { code: 0x0102, text: 'Ambient' }, upcEan: '0123456789012' },
        tracks: [{ title: 'Opening', performer: 'A' }, { title: 'A rather long second title that spans packs', songwriter: 'W', isrc: 'USRC17607839' }, { title: 'Coda', message: 'bye' }],
      },
      { language: 0x69, charset: 'ms-jis', album: { title: '硝子' }, tracks: [{ title: '一' }, { title: '二' }, { title: '三' }] },
    ];
    const d = decodeCdTextPacks(buildCdTextPacks(blocks).packs)!;
    expect(d.firstTrack).toBe(1);
    expect(d.blocks[0]).toEqual({ ...blocks[0], charset: 'iso-8859-1' });
    expect(d.blocks[1].album.title).toBe('硝子');
    expect(d.blocks[1].tracks.map((t) => t.title)).toEqual(['一', '二', '三']);
  });
  it('skips packs with a bad CRC; nothing valid is undefined', () => {
    const { packs } = buildCdTextPacks([{ album: { title: 'X' }, tracks: [{ title: 'Y' }] }]);
    const broken = packs.map((p) => {
      const c = p.slice();
      c[17] ^= 0xff;
      return c;
    });
    expect(decodeCdTextPacks(broken)).toBeUndefined();
    expect(decodeCdTextPacks([])).toBeUndefined();
  });
});
