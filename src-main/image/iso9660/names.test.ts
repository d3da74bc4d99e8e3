import { describe, expect, it } from 'vitest';
import { assignIsoNames, compareIsoIds, isoVolumeId } from './names';

/** ECMA-119 §9.3 written the plain way (split strings), to check the in-place comparison against. */
function reference(a: string, b: string): number {
  const parts = (id: string) => {
    const semi = id.indexOf(';');
    const body = semi >= 0 ? id.slice(0, semi) : id;
    const dot = body.indexOf('.');
    return { name: dot >= 0 ? body.slice(0, dot) : body, ext: dot >= 0 ? body.slice(dot + 1) : '', ver: semi >= 0 ? Number(id.slice(semi + 1)) : 0 };
  };
  const pad = (x: string, y: string) => {
    const n = Math.max(x.length, y.length);
    return [x.padEnd(n, ' '), y.padEnd(n, ' ')];
  };
  const pa = parts(a), pb = parts(b);
  const [na, nb] = pad(pa.name, pb.name);
  if (na !== nb) return na < nb ? -1 : 1;
  const [xa, xb] = pad(pa.ext, pb.ext);
  if (xa !== xb) return xa < xb ? -1 : 1;
  return pb.ver - pa.ver;
}

describe('compareIsoIds', () => {
  it('orders by space-padded name, then extension, then version descending', () => {
    const ids = ['B.TXT;1', 'A_.TXT;1', 'A.TXT;1', 'A.TXT;2', 'A;1', 'A.;1', 'A.T;1', 'AB', 'A'];
    const sorted = [...ids].sort(compareIsoIds);
    // 'A;1' and 'A.;1' are equal (same name, empty extension, version 1); 'A' has no version (0).
    expect(sorted).toEqual(['A;1', 'A.;1', 'A', 'A.T;1', 'A.TXT;2', 'A.TXT;1', 'AB', 'A_.TXT;1', 'B.TXT;1']);
  });

  it('agrees in sign with the plain reading on random identifiers', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const chars = 'AB_0 .;1';
    const id = () => Array.from({ length: 1 + rnd(8) }, () => chars[rnd(chars.length)]).join('');
    for (let i = 0; i < 20000; i++) {
      const a = id(), b = id();
      expect(Math.sign(compareIsoIds(a, b)), `${a} vs ${b}`).toBe(Math.sign(reference(a, b)));
    }
  });
});

describe('assignIsoNames', () => {
  it('maps to d-characters: upper case, diacritics to their base letter, anything else to _', () => {
    const out = assignIsoNames(
      [
        { name: 'read me.txt', isDir: false },
        { name: 'Café-Menü.pdf', isDir: false },
        { name: 'a+b~c', isDir: true },
        { name: '.hidden', isDir: false },
        { name: 'Ωmega.txt', isDir: false },
      ],
      3,
    );
    expect(out).toEqual(['READ_ME.TXT;1', 'CAFE_MENU.PDF;1', 'A_B_C', '_HIDDEN.;1', '_MEGA.TXT;1']);
  });

  it('gives colliding names a counter, deterministically', () => {
    const out = assignIsoNames(['a.txt', 'A.txt', 'a.TXT'].map((name) => ({ name, isDir: false })), 3);
    expect(out).toEqual(['A.TXT;1', 'A1.TXT;1', 'A2.TXT;1']);
    expect(assignIsoNames([{ name: 'averyverylongname.text', isDir: false }, { name: 'averyverylongname.texts', isDir: false }], 1)).toEqual([
      'AVERYVER.TEX;1',
      'AVERYVE1.TEX;1',
    ]);
  });

  it('volume identifiers use the same mapping', () => {
    expect(isoVolumeId('My Disc – 2024')).toBe('MY_DISC___2024');
  });
});
