import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Instants } from './instants';
import { StagingTree } from './staging-tree';

describe('Instants (one Date per instant while a tree is built)', () => {
  it('gives the same Date for the same instant and a different one for another', () => {
    const t = new Instants();
    const a = t.at(1_700_000_000_123);
    expect(t.at(1_700_000_000_123)).toBe(a);
    expect(a.getTime()).toBe(1_700_000_000_123);
    expect(t.at(1_700_000_000_124)).not.toBe(a);
    expect(t.at(1_700_000_000_124).getTime()).toBe(1_700_000_000_124);
  });

  it('stays correct past its bound (it starts again; every Date still says its own instant)', () => {
    const t = new Instants();
    for (let i = 0; i < 70_000; i++) expect(t.at(i * 1000).getTime()).toBe(i * 1000);
  });

  it('a scanned folder: files of one instant share its Date, others keep their own times', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-instants-'));
    const same = new Date('2020-05-06T07:08:09.250Z');
    const other = new Date('2021-01-02T03:04:05.500Z');
    for (const n of ['a', 'b', 'c']) {
      fs.writeFileSync(path.join(dir, n), n);
      fs.utimesSync(path.join(dir, n), same, same);
    }
    fs.writeFileSync(path.join(dir, 'd'), 'd');
    fs.utimesSync(path.join(dir, 'd'), other, other);
    const tree = new StagingTree();
    tree.addHostPath('/x', dir);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => tree.get(`/x/${n}`)!);
    expect(a.mtime.getTime()).toBe(same.getTime());
    expect(b.mtime).toBe(a.mtime);
    expect(c.mtime).toBe(a.mtime);
    expect(d.mtime.getTime()).toBe(other.getTime());
    expect(d.mtime).not.toBe(a.mtime);
    expect(d.atime).toBe(d.mtime);
    fs.rmSync(dir, { recursive: true });
  });
});
