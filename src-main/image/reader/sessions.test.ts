// Multisession images from xorriso: the reader must present the last session's tree and the layout
// a writer needs to append one more session.
import { writeFileSync, openSync, writeSync, closeSync, readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { openImage } from './image';
import { listSessions } from './sessions';
import { fileBlockReader, offsetBlockReader } from './block-reader';
import { run, tempDir } from './test-fixtures';

const ok = requireTools('xorriso');

async function names(image: string, facet: 'rockridge' | 'joliet' | 'iso9660', sessionStart?: number) {
  const info = await openImage(image, { sessionStart });
  try {
    return { names: ((await info.tree(facet)).children ?? []).map((c) => c.name).sort(), info: info.toJSON() };
  } finally {
    await info.close();
  }
}

describe.skipIf(!ok)('multisession', () => {
  const t = tempDir('ms');
  afterAll(() => t.cleanup());

  it('xorriso -dev FILE twice: two sessions, the tree of the second', async () => {
    const img = join(t.dir, 'ms.img');
    writeFileSync(join(t.dir, 'one.txt'), 'one\n');
    writeFileSync(join(t.dir, 'two.txt'), 'two\n');
    run('xorriso', ['-dev', img, '-joliet', 'on', '-map', join(t.dir, 'one.txt'), '/one.txt', '-commit']);
    run('xorriso', ['-dev', img, '-map', join(t.dir, 'two.txt'), '/two.txt', '-rm', '/one.txt', '--', '-commit']);
    // xorriso's own view: "ISO session : idx, sbsector, size" lines and "Media nwa".
    const toc = run('xorriso', ['-indev', img, '-toc']);
    const theirs = [...toc.matchAll(/ISO session\s*:\s*\d+\s*,\s*(\d+)\s*,\s*(\d+)s/g)].map((m) => ({ start: +m[1], size: +m[2] }));
    const nwa = +/Media nwa\s*:\s*(\d+)s/.exec(toc)![1];
    const r = await fileBlockReader(img);
    const layout = await listSessions(r);
    await r.close();
    expect(layout.sessions.map((s) => ({ start: s.start, size: s.end + 1 - s.start }))).toEqual(theirs);
    expect(layout.nextWritableAddress).toBe(nwa);
    const { names: rr, info } = await names(img, 'rockridge');
    expect(rr).toEqual(['two.txt']);
    expect(info.sessionStart).toBe(theirs[1].start);
    // The first session is still readable on its own.
    expect((await names(img, 'rockridge', theirs[0].start)).names).toEqual(['one.txt']);
  });

  it('mkisofs -C/-M session placed at the next writable address', async () => {
    const base = join(t.dir, 'base.iso');
    writeFileSync(join(t.dir, 'a.txt'), 'a\n');
    writeFileSync(join(t.dir, 'b.txt'), 'b\n');
    run('xorriso', ['-as', 'mkisofs', '-R', '-J', '-o', base, '-graft-points', `/a.txt=${join(t.dir, 'a.txt')}`]);
    const r = await fileBlockReader(base);
    const layout = await listSessions(r);
    await r.close();
    expect(layout.sessions).toHaveLength(1);
    const next = layout.nextWritableAddress;
    // growisofs-style: the new session is built for address `next`, importing the old tree (-M).
    const add = join(t.dir, 'add.iso');
    run('xorriso', ['-as', 'mkisofs', '-R', '-J', '-C', `${layout.lastSessionStart},${next}`, '-M', base, '-o', add, '-graft-points', `/b.txt=${join(t.dir, 'b.txt')}`]);
    const combined = join(t.dir, 'combined.iso');
    copyFileSync(base, combined);
    const fd = openSync(combined, 'r+');
    writeSync(fd, readFileSync(add), 0, undefined, next * 2048);
    closeSync(fd);
    const { names: rr, info } = await names(combined, 'rockridge');
    expect(info.session.sessions.map((s) => s.start)).toEqual([0, next]);
    expect(rr).toEqual(['a.txt', 'b.txt']);
    expect((await names(combined, 'joliet')).names).toEqual(['a.txt', 'b.txt']);
    // The session file alone, placed at its address with offsetBlockReader: the new tree is there,
    // the new file reads back, the imported one points into the (absent) first session.
    const addReader = await fileBlockReader(add);
    const alone = await openImage(offsetBlockReader(addReader, next), { sessionStart: next });
    expect(((await alone.tree('rockridge')).children ?? []).map((c) => c.name).sort()).toEqual(['a.txt', 'b.txt']);
    const parts: Buffer[] = [];
    for await (const b of alone.readFile('rockridge', 'b.txt')) parts.push(b);
    expect(Buffer.concat(parts).toString()).toBe('b\n');
    await addReader.close();
    // xorriso, told to load the superblock at that session, sees the same tree.
    const ls = run('xorriso', ['-indev', combined, '-load', 'sbsector', String(next), '-ls', '/']);
    expect([...ls.matchAll(/^'(.*)'$/gm)].map((m) => m[1]).sort()).toEqual(rr);
  });
});
