import { describe, expect, it } from 'vitest';
import { assignJolietNames, JOLIET_MAX } from './names';

const files = (...names: string[]) => names.map((name) => ({ name, isDir: false }));

describe('assignJolietNames', () => {
  it('keeps names that need no mapping exactly', () => {
    const names = ['Read Me.txt', 'Ελληνικά.doc', '日本語のファイル', 'a'.repeat(JOLIET_MAX)];
    expect(assignJolietNames(files(...names))).toEqual(names);
  });

  it('replaces forbidden characters and characters outside the BMP with _', () => {
    expect(assignJolietNames(files('a*b', 'c:d;e', 'f?g\\h', 'tab\there', 'smile😀.png'))).toEqual(['a_b', 'c_d_e', 'f_g_h', 'tab_here', 'smile_.png']);
  });

  it('cuts long names to 64 characters keeping the extension, unique with ~N', () => {
    const long = 'x'.repeat(100);
    const out = assignJolietNames(files(`${long}1.txt`, `${long}2.txt`));
    expect(out.every((n) => n.length <= JOLIET_MAX && n.endsWith('.txt'))).toBe(true);
    expect(out[0]).toBe(`${'x'.repeat(JOLIET_MAX - 4)}.txt`);
    expect(out[1]).toBe(`${'x'.repeat(JOLIET_MAX - 6)}~1.txt`);
  });
});
