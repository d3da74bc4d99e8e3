// Preflight rules: pure checks, plus the name transformations compared with what xorriso really
// records at each ISO level and in Joliet (read back with our reader).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../common/errors';
import { requireTools } from '../../testing/peer-tools';
import { openImage } from '../reader/image';
import { run, tempDir } from '../reader/test-fixtures';
import type { TreeNode } from '../reader/types';
import { isoName, jolietName, preflight, type PreflightEntry } from './preflight';
import type { ImageSpec } from '../layout/plan-image';
import type { FsFacet } from './rules';
import { preflightEntriesOf } from '../project-checks';

const f = (p: string, size = 1): PreflightEntry => ({ path: p.split('/'), kind: 'file', size });
const d = (p: string): PreflightEntry => ({ path: p.split('/'), kind: 'dir', size: 0 });

// Names whose ECMA-119 mangling is unambiguous (no collisions, no leading dots, no dotted dirs).
const NAMES = ['readme.txt', 'Makefile', 'archive.tar.gz', 'My Document (final).docx', 'Ünïcødé名前 with spaces.txt', 'file.with.many.dots.txt', 'x.longextension', 'UPPER.TXT', 'a-very-long-file-name-that-does-not-fit-in-eight-dot-three-or-even-thirty-one.text'];

describe.skipIf(!requireTools('xorriso'))('name transformations vs xorriso', () => {
  const t = tempDir('pf');
  afterAll(() => t.cleanup());
  const src = join(t.dir, 'src');
  mkdirSync(src, { recursive: true });
  for (const n of NAMES) writeFileSync(join(src, n), 'x');
  writeFileSync(join(src, 'y'.repeat(70)), 'x');

  for (const level of [1, 2] as const) {
    it(`ISO level ${level} names match what xorriso records`, async () => {
      const img = join(t.dir, `l${level}.iso`);
      run('xorriso', ['-as', 'mkisofs', '-iso-level', String(level), '-o', img, src]);
      const info = await openImage(img);
      const recorded = ((await info.tree('iso9660')).children ?? []).map((c) => c.name).sort();
      await info.close();
      const ours = [...NAMES, 'y'.repeat(70)].map((n) => isoName(n, 'file', level)).sort();
      expect(ours).toEqual(recorded);
    });
  }

  it('deep-directory findings name exactly the directories genisoimage relocates (ECMA-119 §6.8.2.1)', async () => {
    if (!requireTools('genisoimage')) return;
    const deepSrc = join(t.dir, 'deep');
    const chain = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    mkdirSync(join(deepSrc, ...chain), { recursive: true });
    mkdirSync(join(deepSrc, 'x', 'y', 'z', 'w', 'v', 'u', 't'), { recursive: true }); // 8 levels: stays
    writeFileSync(join(deepSrc, ...chain, 'leaf.txt'), 'x');
    const img = join(t.dir, 'deep.iso');
    run('genisoimage', ['-quiet', '-R', '-o', img, deepSrc]);
    const info = await openImage(img);
    const moved = ((await info.tree('iso9660')).children ?? []).filter((c) => c.name === 'RR_MOVED').flatMap((m) => (m.children ?? []).map((c) => c.name));
    await info.close();
    const entries: PreflightEntry[] = [];
    for (let i = 1; i <= chain.length; i++) entries.push(d(chain.slice(0, i).join('/')));
    for (let i = 1; i <= 7; i++) entries.push(d(['x', 'y', 'z', 'w', 'v', 'u', 't'].slice(0, i).join('/')));
    const flagged = preflight(entries, { fs: ['iso9660'], isoLevel: 2 }).findings.filter((x) => x.code === 'deep-directory');
    expect(flagged.map((x) => x.path!.split('/').pop()!.toUpperCase())).toEqual(moved);
    expect(moved).toEqual(['H']);
  });

  it('Joliet truncation matches xorriso for a 70-character name', async () => {
    const img = join(t.dir, 'j.iso');
    run('xorriso', ['-as', 'mkisofs', '-J', '-o', img, src]);
    const info = await openImage(img);
    const names = ((await info.tree('joliet')).children ?? []).map((c) => c.name);
    await info.close();
    expect(names).toContain(jolietName('y'.repeat(70)));
    expect(jolietName('y'.repeat(70))).toHaveLength(64);
  });
});

describe.skipIf(!requireTools('xorriso'))('preflight predicts what Glassmaster\'s writer records', () => {
  const t = tempDir('pfw');
  afterAll(() => t.cleanup());

  for (const level of [1, 2, 3] as const) {
    it(`ISO level ${level} + Joliet names (shownAs) equal the names in the written image`, async () => {
      const { runImageCommand } = await import('../cli-image');
      const { entriesFromTree } = await import('./from-tree');
      const { PassThrough } = await import('node:stream');
      const src = join(t.dir, `src${level}`);
      mkdirSync(join(src, 'Sub Directory.with.dots'), { recursive: true });
      const names = ['readme.txt', 'README.TXT', 'Makefile', '.hidden', 'Ünïcødé名前 with spaces.txt', 'a:b*c?.txt', 'x'.repeat(70), `${'n'.repeat(64)}-first.txt`, `${'n'.repeat(64)}-second.txt`, 'archive.tar.gz', `${'L'.repeat(40)}.extension`];
      for (const n of names) writeFileSync(join(src, n), n);
      writeFileSync(join(src, 'Sub Directory.with.dots', 'inner file.txt'), 'x');
      const out = join(t.dir, `w${level}.iso`);
      const err = new PassThrough();
      const msgs: string[] = [];
      err.on('data', (d) => msgs.push(String(d)));
      expect(await runImageCommand(['-o', out, '--fs', 'iso9660,joliet,rockridge', '--iso-level', String(level), src], { stdout: new PassThrough(), stderr: err }), msgs.join('')).toBe(0);
      const info = await openImage(out);
      const entries = entriesFromTree(await info.tree('rockridge'));
      // Top-level names as recorded (the reader strips ";1" and a bare trailing dot, as readers do).
      const written = async (facet: 'iso9660' | 'joliet') => new Map(((await info.tree(facet)).children ?? []).map((c: TreeNode) => [c.name, c.name]));
      const iso = await written('iso9660');
      const jol = await written('joliet');
      await info.close();
      // Ungrouped: one finding per entry, to compare every name.
      const r = preflight(entries, { fs: ['iso9660', 'joliet', 'rockridge'], isoLevel: level, group: false });
      const top = entries.filter((e) => e.path.length === 1);
      for (const [facet, recorded, codes] of [
        ['iso9660', iso, ['iso-name-changed', 'iso-name-collision']],
        ['joliet', jol, ['joliet-name-truncated', 'joliet-name-chars', 'joliet-name-collision']],
      ] as const) {
        const predicted = top.map((e) => {
          const f = r.findings.filter((x) => x.path === `/${e.path[0]}` && (codes as readonly string[]).includes(x.code)).pop();
          return f?.shownAs ?? e.path[0];
        });
        expect(predicted.sort(), facet).toEqual([...recorded.values()].sort());
      }
    });
  }
});

describe('preflight predicts the names of trees that cannot record links', () => {
  const t = tempDir('pf-links');
  afterAll(() => t.cleanup());
  it('Joliet and ISO 9660 without Rock Ridge: a link the writer leaves out takes no counter, one shown as its file does', async () => {
    const { runImageCommand } = await import('../cli-image');
    const { PassThrough } = await import('node:stream');
    const { symlinkSync } = await import('node:fs');
    const src = join(t.dir, 'src');
    mkdirSync(src, { recursive: true });
    const long = 'n'.repeat(64);
    writeFileSync(join(src, `${long}-a.txt`), 'a');
    writeFileSync(join(src, 'short.txt'), 's');
    // Sorts first and collides with the file after both cuts, but is dangling: neither tree records it.
    symlinkSync('nowhere', join(src, `${long}-0.txt`));
    // Collides too, and names a file of the disc: shown as that file, so it takes a counter.
    symlinkSync('short.txt', join(src, `${long}-1.txt`));
    const out = join(t.dir, 'links.iso');
    const err = new PassThrough();
    const msgs: string[] = [];
    err.on('data', (d) => msgs.push(String(d)));
    expect(await runImageCommand(['-o', out, '--fs', 'iso9660,joliet', src], { stdout: new PassThrough(), stderr: err }), msgs.join('')).toBe(0);
    const info = await openImage(out);
    const recorded = async (facet: 'iso9660' | 'joliet') => ((await info.tree(facet)).children ?? []).map((c: TreeNode) => c.name).sort();
    const iso = await recorded('iso9660');
    const jol = await recorded('joliet');
    await info.close();
    const entries: PreflightEntry[] = [
      f(`${long}-a.txt`), f('short.txt'),
      { path: [`${long}-0.txt`], kind: 'symlink', size: 0, target: 'nowhere' },
      { path: [`${long}-1.txt`], kind: 'symlink', size: 0, target: 'short.txt' },
    ];
    const r = preflight(entries, { fs: ['iso9660', 'joliet'], isoLevel: 2, group: false });
    const shown = entries.filter((e) => e.path[0] !== `${long}-0.txt`);
    for (const [facet, names, codes] of [
      ['iso9660', iso, ['iso-name-changed', 'iso-name-collision']],
      ['joliet', jol, ['joliet-name-truncated', 'joliet-name-chars', 'joliet-name-collision']],
    ] as const) {
      const predicted = shown.map((e) => r.findings.filter((x) => x.path === `/${e.path[0]}` && (codes as readonly string[]).includes(x.code)).pop()?.shownAs ?? e.path[0]);
      expect(predicted.sort(), facet).toEqual(names);
      // Nothing is said of the left-out link's name in that tree.
      expect(r.findings.filter((x) => x.path === `/${long}-0.txt` && (codes as readonly string[]).includes(x.code)), facet).toEqual([]);
    }
    expect(jol).toHaveLength(3);
  });
});

describe('preflight checks the ISO 9660 paths the writer records', () => {
  it('without Rock Ridge the ISO 9660 long-path check leaves out the links the writer leaves out; one shown as its file, and every link beside Rock Ridge, still count', async () => {
    const { StagingTree } = await import('../staging/staging-tree');
    const { buildImage } = await import('../writer/write-image');
    const fsx = await import('node:fs');
    const t = tempDir('pf-isopath');
    try {
      // Seven folders of 31 characters (levels 2-8, ECMA-119's deepest) and names of 31 ("X…X.TXT")
      // in the last: "/" + 7 × 32 + 31 = 256 characters, one over §6.8.2.1's 255.
      const dirs = [...'abcdefg'].map((c) => c.repeat(31));
      const deep = dirs.join('/');
      const n = (c: string) => `${c.repeat(27)}.txt`;
      const tree = new StagingTree();
      tree.addBuffer(`/${deep}/${n('f')}`, Buffer.from('f'));
      tree.addBuffer(`/${deep}/short.txt`, Buffer.from('s'));
      tree.addSymlink(`/${deep}/${n('l')}`, n('f')); // a file of the disc: shown as that file
      tree.addSymlink(`/${deep}/${n('m')}`, 'nowhere'); // dangling: left out
      tree.addSymlink(`/${deep}/${n('p')}`, '..'); // a folder: left out
      tree.addSymlink(`/${deep}/${n('q')}`, '/etc/hostname'); // outside the disc: left out
      // The entries as the project's preflight lists the staged tree (project-checks.ts).
      const entries = preflightEntriesOf(tree.root);
      for (const [name, spec, fs] of [
        ['iso', { iso9660: true }, ['iso9660']],
        ['iso-joliet', { iso9660: true, joliet: true }, ['iso9660', 'joliet']],
        ['iso-rr', { iso9660: true, rockRidge: true }, ['iso9660', 'rockridge']],
      ] as const) {
        const out = join(t.dir, `${name}.iso`);
        const fd = fsx.openSync(out, 'w');
        for await (const c of buildImage({ root: tree.root, ...spec })) fsx.writeSync(fd, c);
        fsx.closeSync(fd);
        // The ISO 9660 paths the writer recorded that are over 255 characters ("/" included), by
        // staged path (every staged name here is its ISO identifier in lower case).
        const info = await openImage(out);
        const iso = await info.tree('iso9660');
        await info.close();
        const long: string[] = [];
        const visit = (node: TreeNode, path: string) => {
          for (const c of node.children ?? []) {
            const p = `${path}/${c.name}`;
            if (p.length > 255) long.push(p.toLowerCase());
            visit(c, p);
          }
        };
        visit(iso, '');
        const said = preflight(entries, { fs: [...fs], isoLevel: 2, group: false }).findings.filter((x) => x.code === 'long-path' && x.facet === 'iso9660').map((x) => x.path!);
        expect(said.sort(), name).toEqual(long.sort());
        expect(long.map((p) => p.split('/').pop()).sort(), name).toEqual((fs as readonly string[]).includes('rockridge') ? [n('f'), n('l'), n('m'), n('p'), n('q')] : [n('f'), n('l')]);
      }
    } finally {
      t.cleanup();
    }
  });

  it('nothing listed below a link is in the ISO 9660 tree: no depth or path-length finding for it', () => {
    const dirs = [...'abcdefg'].map((c) => c.repeat(31));
    const deep = dirs.join('/');
    const entries: PreflightEntry[] = [
      ...dirs.map((_, i) => d(dirs.slice(0, i + 1).join('/'))),
      { path: [...dirs, 'up'], kind: 'symlink', size: 0, target: '..' }, // a folder
      f(`${deep}/t.txt`),
      { path: [...dirs, 'to-t'], kind: 'symlink', size: 0, target: 't.txt' }, // shown as t.txt without Rock Ridge
      // Listed below links: paths over 255 characters, and a ninth level below a link in the sixth folder.
      f(`${deep}/up/${'x'.repeat(31)}`), f(`${deep}/to-t/${'x'.repeat(31)}`),
      { path: [...dirs.slice(0, 6), 'up6'], kind: 'symlink', size: 0, target: '..' }, d(`${dirs.slice(0, 6).join('/')}/up6/h`),
      // A real ninth level, and real paths over 255 characters.
      d(`${deep}/h`), f(`${deep}/h/${'z'.repeat(27)}.txt`), f(`${deep}/${'y'.repeat(27)}.txt`),
    ];
    for (const fs of [['iso9660'], ['iso9660', 'joliet'], ['iso9660', 'rockridge']] as const) {
      const r = preflight(entries, { fs: [...fs], isoLevel: 2, group: false });
      expect(r.findings.filter((x) => x.code === 'deep-directory').map((x) => x.path), fs.join()).toEqual([`/${deep}/h`]);
      // With Rock Ridge the ninth level moves into the root ("/H/Z…Z.TXT" is short); without, it
      // stays where it is (and the writer refuses the image: see the deep-directory error).
      const long = [`/${deep}/${'y'.repeat(27)}.txt`, ...((fs as readonly string[]).includes('rockridge') ? [] : [`/${deep}/h/${'z'.repeat(27)}.txt`])];
      expect(r.findings.filter((x) => x.code === 'long-path' && x.facet === 'iso9660').map((x) => x.path).sort(), fs.join()).toEqual(long.sort());
    }
  });
});

describe('preflight names only what a tree records', () => {
  it('nothing listed below a link is in the ISO 9660 or Joliet tree: no name finding for it', () => {
    const link = (path: string, target: string): PreflightEntry => ({ path: path.split('/'), kind: 'symlink', size: 0, target });
    const entries: PreflightEntry[] = [
      d('dir'), f('dir/t.txt'),
      link('up', 'dir'), // a folder
      link('to-t', 'dir/t.txt'), // shown as dir/t.txt without Rock Ridge
      // Listed below the links: names both trees would change (lower case, ':' Joliet cannot hold, a cut).
      f('up/lower case.txt'), f('up/a:b.txt'), f(`up/${'n'.repeat(70)}`), d('up/sub'), f('up/sub/x y.txt'),
      f('to-t/lower case.txt'), f('to-t/a:b.txt'),
      // The same names where they are recorded.
      f('lower case.txt'), f('a:b.txt'), f(`${'n'.repeat(70)}`),
    ];
    const nameCodes = ['iso-name-changed', 'iso-name-collision', 'joliet-name-truncated', 'joliet-name-chars', 'joliet-name-collision'];
    for (const fs of [['iso9660'], ['iso9660', 'joliet'], ['iso9660', 'rockridge'], ['iso9660', 'joliet', 'rockridge']] as const) {
      const r = preflight(entries, { fs: [...fs], isoLevel: 2, group: false });
      const named = r.findings.filter((x) => nameCodes.includes(x.code));
      expect(named.filter((x) => /^\/(up|to-t)\//.test(x.path!)).map((x) => `${x.code} ${x.path}`), fs.join()).toEqual([]);
      expect(named.filter((x) => x.code === 'iso-name-changed').map((x) => x.path).sort(), fs.join()).toEqual(['/a:b.txt', '/dir', '/dir/t.txt', '/lower case.txt', `/${'n'.repeat(70)}`, ...((fs as readonly string[]).includes('rockridge') ? ['/to-t', '/up'] : ['/to-t'])].sort());
      if ((fs as readonly string[]).includes('joliet')) {
        expect(named.filter((x) => x.code.startsWith('joliet-')).map((x) => x.path).sort(), fs.join()).toEqual(['/a:b.txt', `/${'n'.repeat(70)}`]);
      }
    }
  });
});

describe('preflight predicts the ISO 9660 tree the writer records', () => {
  const t = tempDir('pf-isotree');
  afterAll(() => t.cleanup());

  type Tree = InstanceType<typeof import('../staging/staging-tree').StagingTree>;
  const write = async (tree: Tree, name: string, spec: Omit<ImageSpec, 'root'>): Promise<string> => {
    const { buildImage } = await import('../writer/write-image');
    const fsx = await import('node:fs');
    const out = join(t.dir, `${name}.iso`);
    const fd = fsx.openSync(out, 'w');
    try {
      for await (const c of buildImage({ root: tree.root, ...spec })) fsx.writeSync(fd, c);
    } finally {
      fsx.closeSync(fd);
    }
    return out;
  };
  /** The entries as the project's preflight lists a staged tree (project-checks.ts). */
  const entriesOf = (tree: Tree): PreflightEntry[] => {
    const out: PreflightEntry[] = [];
    const walk = (node: Tree['root'], path: string[]) => {
      for (const c of node.children?.values() ?? []) {
        out.push({ path: [...path, c.name], kind: c.kind, size: c.kind === 'file' ? c.size : 0, target: c.symlinkTarget });
        if (c.children) walk(c, [...path, c.name]);
      }
    };
    walk(tree.root, []);
    return out;
  };
  /** Every path of the image's ISO 9660 tree ("A/B.TXT", as readers show it), with each file's contents. */
  const isoTreeOf = async (image: string): Promise<Map<string, { kind: string; data: string }>> => {
    const info = await openImage(image);
    const out = new Map<string, { kind: string; data: string }>();
    try {
      const visit = async (node: TreeNode, path: string[]) => {
        for (const c of node.children ?? []) {
          const p = [...path, c.name];
          let data = '';
          if (c.kind === 'file' && c.size > 0) for await (const b of info.readFile('iso9660', p)) data += b.toString();
          out.set(p.join('/'), { kind: c.kind, data });
          await visit(c, p);
        }
      };
      await visit(await info.tree('iso9660'), []);
    } finally {
      await info.close();
    }
    return out;
  };

  it('names and ISO path lengths are the writer\'s (collisions, long names, several dots, lower case, non-ASCII, links), at ISO levels 1, 2 and 3, with and without Rock Ridge', async () => {
    const { StagingTree } = await import('../staging/staging-tree');
    const tree = new StagingTree();
    // Every file holds its own staged path: the image's files say which entry they are.
    const put = (p: string) => tree.addBuffer(`/${p}`, Buffer.from(p));
    for (const n of ['readme.txt', 'README.TXT', 'Makefile', 'makefile', '.hidden', 'Ünïcødé名前 with spaces.txt', 'a:b*c?.txt', 'x'.repeat(70), `${'L'.repeat(40)}.extension`,
      'archive.tar.gz', 'archive.tar.bz2', 'v1.2.3.notes.txt', 'file.with.many.dots.txt', 'file.with.many.dots.TXT', 'Sub Directory.with.dots/inner file.txt']) put(n);
    // Links beside them: one the ISO tree shows as its file without Rock Ridge, one it then leaves
    // out ("Readme.txt" maps to "README.TXT" too: it takes a counter only where it is recorded).
    tree.addSymlink('/to-readme', 'readme.txt');
    tree.addSymlink('/Readme.txt', 'nowhere');
    // Seven folders of 40 characters (31 at levels 2 and 3, "/" + 7 × 32 = 225 characters), and in
    // the last names of 30 and 31 characters as the writer records them — one over 255 or not. The
    // writer keeps an extension of up to 29 characters ("A.X…X"), spells "ß" "SS", turns each jamo
    // of a Hangul syllable into "_", drops combining marks, and gives a counter on a collision.
    const dirs = [...'abcdefg'].map((c, i) => (i === 3 ? `Straße ${c.repeat(33)}` : c.repeat(40)));
    const deep = dirs.join('/');
    const q = 'q'.repeat(26);
    const Q = 'Q'.repeat(26);
    const names = [`ab.${'x'.repeat(40)}`, `${q}.txt`, `${Q}.TXT`, `straße${'s'.repeat(20)}.txt`, `한${'h'.repeat(24)}.txt`, `cafe\u0301${'c'.repeat(22)}.txt`];
    for (const n of names) put(`${deep}/${n}`);
    tree.addSymlink(`/${deep}/${Q}.Txt`, names[0]); // shown as that file without Rock Ridge
    tree.addSymlink(`/${deep}/${Q}.tXt`, 'nowhere'); // left out without Rock Ridge
    const entries = entriesOf(tree);
    const leftOut = new Set(['Readme.txt', `${deep}/${Q}.tXt`]);
    const shows = new Map([['to-readme', 'readme.txt'], [`${deep}/${Q}.Txt`, `${deep}/${names[0]}`]]);

    for (const level of [1, 2, 3] as const) {
      for (const rr of [false, true]) {
        const label = `level ${level}${rr ? ' + Rock Ridge' : ''}`;
        const fs: FsFacet[] = rr ? ['iso9660', 'rockridge'] : ['iso9660', 'joliet'];
        const image = await write(tree, `names-${level}-${rr}`, { iso9660: true, joliet: !rr, rockRidge: rr, isoLevel: level });
        const disc = await isoTreeOf(image);
        const r = preflight(entries, { fs, isoLevel: level, group: false });
        // The name preflight says the ISO 9660 tree records for each entry, and so its path there.
        const nameOf = (key: string) => r.findings.filter((x) => x.path === `/${key}` && (x.code === 'iso-name-changed' || x.code === 'iso-name-collision')).pop()?.shownAs ?? key.split('/').pop()!;
        const predicted = (key: string) => key.split('/').map((_, i, parts) => nameOf(parts.slice(0, i + 1).join('/'))).join('/');
        const inIso = entries.map((e) => e.path.join('/')).filter((k) => rr || !leftOut.has(k));
        expect(inIso.map(predicted).sort(), label).toEqual([...disc.keys()].sort());
        // Each file's record (and, without Rock Ridge, the links shown as it) under the names predicted for them.
        for (const e of entries.filter((x) => x.kind === 'file')) {
          const key = e.path.join('/');
          const want = [key, ...(rr ? [] : [...shows].filter(([, to]) => to === key).map(([from]) => from))].map(predicted).sort();
          expect([...disc].filter(([, v]) => v.data === key).map(([p]) => p).sort(), `${label}: ${key}`).toEqual(want);
        }
        // ISO 9660 paths over 255 characters ("/" included): exactly those the writer recorded.
        const long = r.findings.filter((x) => x.code === 'long-path' && x.facet === 'iso9660').map((x) => x.path!.slice(1));
        expect(long.map(predicted).sort(), label).toEqual([...disc.keys()].filter((p) => p.length + 1 > 255).sort());
        expect(long.map((p) => p.split('/').pop()).sort(), label).toEqual(level === 1 ? [] : [names[0], `${Q}.Txt`, ...(rr ? [`${Q}.tXt`] : []), names[1], names[3], names[4]].sort());
      }
    }
  });

  it('with Rock Ridge a folder at the ninth level moves into the root: path lengths below it count from there, as the writer records them', async () => {
    const { StagingTree } = await import('../staging/staging-tree');
    const tree = new StagingTree();
    const put = (p: string) => tree.addBuffer(`/${p}`, Buffer.from(p));
    const dirs = [...'abcdefg'].map((c) => c.repeat(40));
    const deep = dirs.join('/');
    const n = (c: string) => `${c.repeat(27)}.txt`; // 31 characters recorded
    // In the eighth level (the deepest ISO 9660 allows): "/" + 7 × 32 + 31 = 256 characters. A ninth
    // level "h" moves into the root, named after the root's own "h" ("H1"): "/H1/Z…Z.TXT" is short.
    put(`${deep}/${n('y')}`);
    put(`${deep}/h/${n('z')}`);
    put(`${deep}/h/${'i'.repeat(40)}/${n('w')}`);
    put(`h/${n('v')}`);
    const image = await write(tree, 'relocated', { iso9660: true, rockRidge: true });
    const disc = await isoTreeOf(image);
    // On the disc: the moved folder in the root; only the eighth level's file is over 255.
    expect(disc.get(`H1/${n('z').toUpperCase()}`)).toMatchObject({ kind: 'file', data: `${deep}/h/${n('z')}` });
    const longOnDisc = [...disc].filter(([p]) => p.length + 1 > 255).map(([, v]) => v.data);
    expect(longOnDisc).toEqual([`${deep}/${n('y')}`]);
    const r = preflight(entriesOf(tree), { fs: ['iso9660', 'rockridge'], isoLevel: 2, group: false });
    expect(r.findings.filter((x) => x.code === 'long-path' && x.facet === 'iso9660').map((x) => x.path)).toEqual(longOnDisc.map((p) => `/${p}`));
    expect(r.findings.filter((x) => x.code === 'deep-directory').map((x) => [x.path, x.severity])).toEqual([[`/${deep}/h`, 'info']]);
  });
});

describe('preflight: directories past the eighth level without Rock Ridge', () => {
  it('are an error exactly when the writer refuses the image (ISO 9660 without Rock Ridge, whatever else is chosen, UDF included)', async () => {
    const { StagingTree } = await import('../staging/staging-tree');
    const { buildImage } = await import('../writer/write-image');
    const fsx = await import('node:fs');
    const t = tempDir('pf-deep');
    try {
      const chain = [...'abcdefgh'];
      const trees: [string, InstanceType<typeof StagingTree>][] = [];
      // Eight levels (the root and seven folders), with links in the deepest: a link to a folder is
      // no folder of the ISO 9660 tree, one to a file is shown as that file.
      const ok = new StagingTree();
      ok.addBuffer(`/${chain.slice(0, 7).join('/')}/f.txt`, Buffer.from('f'));
      ok.addSymlink(`/${chain.slice(0, 7).join('/')}/up`, '..');
      ok.addSymlink(`/${chain.slice(0, 7).join('/')}/to-f`, 'f.txt');
      trees.push(['eight levels', ok]);
      // Nine: "/a/…/h", and a second ninth level beside it.
      const deep = new StagingTree();
      deep.addBuffer(`/${chain.join('/')}/f.txt`, Buffer.from('f'));
      deep.mkdir(`/${chain.slice(0, 7).join('/')}/i`);
      trees.push(['nine levels', deep]);
      const choices: [FsFacet[], Record<string, boolean>][] = [
        [['iso9660'], { iso9660: true }],
        [['joliet'], { joliet: true }],
        [['iso9660', 'joliet'], { iso9660: true, joliet: true }],
        [['iso9660', 'udf'], { iso9660: true, udf: true }],
        [['iso9660', 'joliet', 'udf'], { iso9660: true, joliet: true, udf: true }],
        [['iso9660', 'rockridge'], { iso9660: true, rockRidge: true }],
        [['iso9660', 'joliet', 'rockridge', 'udf'], { iso9660: true, joliet: true, rockRidge: true, udf: true }],
        [['udf'], { udf: true }],
      ];
      const refusals: string[] = [];
      for (const [what, tree] of trees) {
        const entries = preflightEntriesOf(tree.root);
        for (const [fs, spec] of choices) {
          const label = `${what}, ${fs.join()}`;
          let refused: string | undefined;
          const out = join(t.dir, 'deep.iso');
          const fd = fsx.openSync(out, 'w');
          try {
            for await (const c of buildImage({ root: tree.root, ...spec })) fsx.writeSync(fd, c);
          } catch (e) {
            refused = (e as Error).message;
          } finally {
            fsx.closeSync(fd);
          }
          const r = preflight(entries, { fs, isoLevel: 2, udfRevision: '2.01', group: false });
          const errors = r.findings.filter((x) => x.code === 'deep-directory' && x.severity === 'error');
          expect(errors.length > 0, label).toBe(refused !== undefined);
          if (refused === undefined) continue;
          refusals.push(label);
          expect(refused, label).toMatch(/^directory nesting deeper than 8 levels \(ECMA-119 §6\.8\.2\.1\) needs Rock Ridge relocation or UDF only: /);
          // The writer names the first it meets; preflight names every one, that one included.
          expect(errors.map((x) => x.path), label).toContain(refused.split(': ').pop());
          expect(errors.map((x) => x.path).sort(), label).toEqual([`/${chain.join('/')}`, `/${chain.slice(0, 7).join('/')}/i`]);
          expect(r.ok, label).toBe(false);
          expect(errors[0], label).toMatchObject({ affects: ['windows', 'macos', 'linux', 'players'], fix: expect.stringMatching(/--fs rockridge.*--fs udf alone/) });
        }
      }
      expect(refusals).toEqual(['nine levels, iso9660', 'nine levels, joliet', 'nine levels, iso9660,joliet', 'nine levels, iso9660,udf', 'nine levels, iso9660,joliet,udf']);
      // Grouped, the error says the image cannot be built (not that the folders are relocated).
      const grouped = preflight([...chain.map((_, i) => d(chain.slice(0, i + 1).join('/'))), d(`${chain.slice(0, 7).join('/')}/i`)], { fs: ['iso9660', 'udf'], isoLevel: 2, udfRevision: '2.01' });
      expect(grouped.findings.find((x) => x.code === 'deep-directory')).toMatchObject({ severity: 'error', count: 2, message: expect.stringMatching(/without Rock Ridge to relocate them the image cannot be built/) });
    } finally {
      t.cleanup();
    }
  });
});

describe('preflight predicts the UDF names the writer records', () => {
  const t = tempDir('pf-udf');
  afterAll(() => t.cleanup());
  it('names over 255 bytes cut with the same counters, links left out of UDF beside Rock Ridge, and a name CS0 cannot hold reported, not thrown', async () => {
    const { runImageCommand } = await import('../cli-image');
    const { entriesFromTree } = await import('./from-tree');
    const { PassThrough } = await import('node:stream');
    const { symlinkSync } = await import('node:fs');
    const src = join(t.dir, 'src');
    mkdirSync(join(src, `λ${'d'.repeat(200)}`), { recursive: true });
    // Each under 255 bytes of UTF-8 (Linux's limit), each over 255 in 16-bit CS0.
    const names = [`λ${'a'.repeat(200)}1.txt`, `λ${'a'.repeat(200)}2.txt`, `λ${'a'.repeat(200)}3`, 'short.txt'];
    for (const n of names) writeFileSync(join(src, n), n);
    // A link whose cut would take the first counter, were links in UDF: here (Rock Ridge on) they are not.
    symlinkSync('short.txt', join(src, `λ${'a'.repeat(200)}0.txt`));
    const out = join(t.dir, 'udf.iso');
    const err = new PassThrough();
    const msgs: string[] = [];
    err.on('data', (d) => msgs.push(String(d)));
    expect(await runImageCommand(['-o', out, '--fs', 'rockridge,udf', src], { stdout: new PassThrough(), stderr: err }), msgs.join('')).toBe(0);
    const info = await openImage(out);
    const entries = entriesFromTree(await info.tree('rockridge'));
    const recorded = ((await info.tree('udf')).children ?? []).map((c: TreeNode) => c.name);
    await info.close();
    const r = preflight(entries, { fs: ['rockridge', 'udf'], isoLevel: 3, group: false });
    const predicted = entries.filter((e) => e.path.length === 1 && e.kind !== 'symlink').map((e) => r.findings.find((x) => x.code === 'udf-name-shortened' && x.path === `/${e.path[0]}`)?.shownAs ?? e.path[0]);
    expect(predicted.sort()).toEqual([...recorded].sort());
    // "…1.txt" and "…2.txt" cut alike: the second gets "~1" (the link, left out, took none).
    expect(recorded.filter((n) => n.includes('~'))).toEqual([`λ${'a'.repeat(120)}~1.txt`]);
    // A name with U+FEFF: the writer refuses it; preflight still reports the rest.
    expect(() => preflight([f('ok.txt'), f('bad\ufeff.txt')], { fs: ['udf'], isoLevel: 3 })).not.toThrow();
  });
});

describe('preflight rules', () => {
  it('reports ISO 9660 name changes as warnings when ISO 9660 is the only tree', () => {
    const r = preflight([f('readme.txt'), f('README.TXT')], { fs: ['iso9660'], isoLevel: 1 });
    const changed = r.findings.filter((x) => x.code === 'iso-name-changed');
    // "README.TXT" sorts first and keeps its name; "readme.txt" maps to it too and gets a counter.
    expect(changed).toEqual([expect.objectContaining({ path: '/readme.txt', shownAs: 'README1.TXT', severity: 'warning', fix: expect.stringContaining('--fs') })]);
    expect(r.findings.find((x) => x.code === 'iso-name-collision')).toMatchObject({ path: '/readme.txt', shownAs: 'README1.TXT' });
    expect(r.seenBy).toEqual({ windows: 'iso9660', macos: 'iso9660', linux: 'iso9660', players: 'iso9660' });
  });

  it('Joliet: names cut at 64 UCS-2 characters, collisions after the cut renamed', () => {
    const a = 'n'.repeat(64) + '-first.txt';
    const b = 'n'.repeat(64) + '-second.txt';
    const r = preflight([f(a), f(b)], { fs: ['joliet', 'rockridge'], isoLevel: 3 });
    // Glassmaster keeps the extension and cuts the name to 64; the second gets "~1" (joliet/names.ts).
    // Both in one grouped finding, with a count and the entries as examples.
    const cut = r.findings.filter((x) => x.code === 'joliet-name-truncated');
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ count: 2, message: expect.stringMatching(/^Joliet cuts names to 64 UCS-2 characters: 2 entries, e\.g\. /) });
    expect(cut[0].examples!.map((x) => x.shownAs)).toEqual(['n'.repeat(60) + '.txt', 'n'.repeat(58) + '~1.txt']);
    const col = r.findings.find((x) => x.code === 'joliet-name-collision')!;
    expect(col).toMatchObject({ severity: 'warning', path: `/${b}`, affects: ['windows'] });
    // Joliet §3.3: "*", ":" … are not allowed.
    expect(jolietName('a:b*c?.txt')).toBe('a_b_c_.txt');
    // An emoji is two UCS-2 units and is never split.
    expect(jolietName('e'.repeat(63) + '😀')).toBe('e'.repeat(63));
  });

  it('files of 4 GiB and more need ISO level 3; over 2 GiB is flagged for players', () => {
    const big = f('movie.mkv', 5 * 2 ** 30);
    const l2 = preflight([big], { fs: ['iso9660', 'joliet'], isoLevel: 2 });
    expect(l2.findings.find((x) => x.code === 'file-too-large-for-iso-level')).toMatchObject({ severity: 'error', fix: expect.stringContaining('--iso-level 3') });
    const l3 = preflight([big], { fs: ['iso9660', 'joliet'], isoLevel: 3 });
    expect(l3.findings.find((x) => x.code === 'multi-extent-file')).toMatchObject({ severity: 'warning', fix: 'add --fs udf' });
    expect(l3.ok).toBe(true);
    const udf = preflight([big], { fs: ['iso9660', 'udf'], isoLevel: 3, udfRevision: '1.02' });
    expect(udf.findings.some((x) => x.code === 'multi-extent-file')).toBe(false);
    expect(udf.findings.find((x) => x.code === 'file-over-2gib')?.affects).toEqual(['players']);
    const small = preflight([f('a.bin', 2 ** 31)], { fs: ['udf'], isoLevel: 3, udfRevision: '1.02' });
    expect(small.findings.map((x) => x.code)).toEqual(['file-over-2gib']);
  });

  it('UDF revision vs operating systems (mkudffs(8) table)', () => {
    const r250 = preflight([f('a')], { fs: ['udf', 'joliet'], isoLevel: 2, udfRevision: '2.50' });
    const msgs = r250.findings.filter((x) => x.code === 'udf-revision-unreadable').map((x) => x.message);
    expect(msgs).toEqual(expect.arrayContaining([expect.stringMatching(/^Windows XP reads UDF up to 2\.01, not 2\.50: it falls back to the joliet tree/), expect.stringMatching(/^Mac OS X 10\.4 /), expect.stringMatching(/^Linux 2\.4\.6-2\.6\.25 /)]));
    expect(msgs.some((m) => m.startsWith('Windows Vista'))).toBe(false);
    const udfOnly = preflight([f('a')], { fs: ['udf'], isoLevel: 2, udfRevision: '2.50' });
    expect(udfOnly.findings.find((x) => x.message.startsWith('Windows XP'))).toMatchObject({ severity: 'error', fix: '--udf-revision 2.01 or add --fs joliet' });
    const r201 = preflight([f('a')], { fs: ['udf'], isoLevel: 2, udfRevision: '2.01' });
    expect(r201.findings.filter((x) => x.affects.includes('windows')).map((x) => x.message)).toEqual([expect.stringMatching(/^Windows 98\/Me/), expect.stringMatching(/^Windows 2000/)]);
    expect(() => preflight([f('a')], { fs: ['udf'], isoLevel: 2, udfRevision: '3.00' })).toThrow(InvalidInputError);
  });

  it('deep directories, long paths, case collisions and symlinks', () => {
    const deep = Array.from({ length: 9 }, (_, i) => `d${i + 1}`);
    const entries = deep.map((_, i) => d(deep.slice(0, i + 1).join('/')));
    const longName = 'p'.repeat(120);
    entries.push(d(longName), d(`${longName}/${longName}`), f(`${longName}/${longName}/file.txt`));
    entries.push(f('Photo.JPG'), f('photo.jpg'), { path: ['link'], kind: 'symlink', size: 0, target: 'nowhere' });
    const r = preflight(entries, { fs: ['iso9660', 'joliet', 'rockridge'], isoLevel: 3 });
    // d8 is the 9th level counting the root (ECMA-119 §6.8.2.1).
    expect(r.findings.filter((x) => x.code === 'deep-directory').map((x) => x.path)).toEqual(['/d1/d2/d3/d4/d5/d6/d7/d8']);
    // Joliet keeps 64 of the 120 characters per component; 3 + 64 + 1 + 64 + 1 + 8 < 259, so no Windows finding …
    expect(r.findings.some((x) => x.code === 'long-path')).toBe(false);
    // … but UDF keeps whole names: 3 + 120 + 1 + 120 + 1 + 8 = 253 is fine too, a third level is not.
    const u = preflight([f(`${longName}/${longName}/${longName}.txt`)], { fs: ['udf'], isoLevel: 3, udfRevision: '1.02' });
    expect(u.findings.find((x) => x.code === 'long-path')).toMatchObject({ affects: ['windows'], facet: 'udf' });
    expect(r.findings.find((x) => x.code === 'case-collision')).toMatchObject({ affects: ['windows'] });
    // Windows reads Joliet (the dangling link is left out); players read plain ISO 9660, where the
    // Rock Ridge link's record is an empty file.
    expect(r.findings.filter((x) => x.code === 'symlink-not-shown').map((x) => x.affects)).toEqual([['windows'], ['players']]);
    expect(r.seenBy).toEqual({ windows: 'joliet', macos: 'rockridge', linux: 'rockridge', players: 'iso9660' });
    // Counts are per entry; a grouped finding stands for `count` of them.
    expect(r.counts.error + r.counts.warning + r.counts.info).toBe(r.findings.reduce((n, x) => n + (x.count ?? 1), 0));
  });

  it('a link whose target ends in "/" or "/." names a folder: link-less trees leave it out, as the writer does', () => {
    const links: PreflightEntry[] = ['f.txt/', 'f.txt/.', 'f.txt'].map((target, i) => ({ path: [`l${i}`], kind: 'symlink', size: 0, target }));
    const r = preflight([f('f.txt'), ...links], { fs: ['iso9660', 'joliet'], isoLevel: 2, group: false });
    expect(r.findings.filter((x) => x.code === 'symlink-shown-as-file').map((x) => x.path)).toEqual(['/l2']);
    expect(r.findings.filter((x) => x.code === 'symlink-not-shown').map((x) => x.path)).toEqual(['/l0', '/l1']);
  });

  it('UDF name and path limits: a name over 255 bytes is cut as the writer cuts it, and said so', () => {
    // Names Linux allows (under 255 bytes of UTF-8) that one character above U+00FF makes 16-bit in
    // UDF: 1 + 2 × 201 bytes.
    const wide = `λ${'a'.repeat(200)}`;
    const twin = `λ${'b'.repeat(200)}.txt`;
    const twin2 = `λ${'b'.repeat(201)}.txt`; // the same 123-character cut: gets a counter
    const r = preflight([f(wide), f('l'.repeat(254)), f(twin), f(twin2)], { fs: ['udf'], isoLevel: 3, udfRevision: '2.01' });
    const cut = r.findings.filter((x) => x.code === 'udf-name-shortened');
    expect(cut.map((x) => [x.severity, x.count])).toEqual([['warning', 3]]);
    expect(cut[0].examples!.map((x) => [x.path, x.shownAs, 'warning'])).toEqual([
      [`/${wide}`, `λ${'a'.repeat(126)}`, 'warning'],
      [`/${twin}`, `λ${'b'.repeat(122)}.txt`, 'warning'],
      [`/${twin2}`, `λ${'b'.repeat(120)}~1.txt`, 'warning'],
    ]);
    // Nothing about these names stops the image (the errors left are old readers' UDF revisions).
    expect([...new Set(r.findings.filter((x) => x.severity === 'error').map((x) => x.code))]).toEqual(['udf-revision-unreadable']);
  });

  it('path lengths add up the names UDF records (cut), not the staged ones, and leave out links UDF does not record', () => {
    const wide = `λ${'a'.repeat(200)}`; // 403 bytes of CS0 staged, cut to 127 characters (255 bytes)
    // Staged: 3 × (403 + 4) = 1221 bytes and "D:\" + 201 + 1 + 201 characters; recorded: 3 × 259 =
    // 777 bytes, and the two-level path 3 + 127 + 1 + 127 = 258 characters: within both limits.
    const entries = [d(wide), d(`${wide}/${wide}`), f(`${wide}/${wide}/${wide}`), f(`${wide}/x.txt`)];
    const r = preflight(entries, { fs: ['udf'], isoLevel: 3, udfRevision: '2.01', group: false });
    expect(r.findings.filter((x) => x.code === 'udf-path-too-long')).toEqual([]);
    expect(r.findings.filter((x) => x.code === 'long-path').map((x) => x.path)).toEqual([`/${wide}/${wide}/${wide}`]);
    // A four-level path is over even when cut (4 × 259 = 1036 bytes).
    const deeper = preflight([...entries, d(`${wide}/${wide}/${wide}2`), f(`${wide}/${wide}/${wide}2/${wide}`)], { fs: ['udf'], isoLevel: 3, udfRevision: '2.01', group: false });
    expect(deeper.findings.filter((x) => x.code === 'udf-path-too-long').map((x) => x.path)).toEqual([`/${wide}/${wide}/${wide}2/${wide}`]);
    // Beside Rock Ridge, UDF records no links: a link's path is not UDF's to check.
    const link: PreflightEntry = { path: [wide, wide, `${wide}2`, `${wide}3`], kind: 'symlink', size: 0, target: 'x' };
    const rr = preflight([...entries, d(`${wide}/${wide}/${wide}2`), link], { fs: ['rockridge', 'udf'], isoLevel: 3, udfRevision: '2.01', group: false });
    expect(rr.findings.filter((x) => x.code === 'udf-path-too-long')).toEqual([]);
  });

  it('Windows reading Joliet: a link Joliet leaves out has no path to check; one shown as its file, and a real file, still do', () => {
    // "D:\\" + 4 × 64 characters + 3 separators = 262 > 259: too long for Windows in Joliet.
    const n = (c: string) => c.repeat(64);
    const dirs = [d(n('a')), d(`${n('a')}/${n('b')}`), d(`${n('a')}/${n('b')}/${n('c')}`), f(`${n('a')}/${n('b')}/${n('c')}/t.txt`)];
    const deep = [n('a'), n('b'), n('c')];
    const link = (name: string, target: string): PreflightEntry => ({ path: [...deep, name], kind: 'symlink', size: 0, target });
    const entries: PreflightEntry[] = [
      ...dirs,
      link(n('0'), 'nowhere'), // dangling: left out
      link(n('1'), '..'), // a folder: left out
      link(n('2'), '/etc/hostname'), // outside the tree: left out
      link(n('3'), 't.txt/'), // names a folder: left out
      link(n('4'), 't.txt'), // a file of the disc: shown as that file
      f(`${deep.join('/')}/${n('5')}`), // a real file: too long
    ];
    for (const fs of [['iso9660', 'joliet'], ['iso9660', 'joliet', 'rockridge']] as const) {
      const r = preflight(entries, { fs: [...fs], isoLevel: 2, group: false });
      expect(r.seenBy.windows).toBe('joliet');
      const long = r.findings.filter((x) => x.code === 'long-path' && x.facet === 'joliet');
      expect(long.map((x) => x.path), fs.join()).toEqual([`/${deep.join('/')}/${n('4')}`, `/${deep.join('/')}/${n('5')}`]);
      expect(long.every((x) => x.affects.join() === 'windows' && x.message.includes('262 characters'))).toBe(true);
    }
    // With UDF (links recorded there without Rock Ridge) Windows reads UDF: every link is a path.
    const udf = preflight(entries, { fs: ['iso9660', 'joliet', 'udf'], isoLevel: 2, udfRevision: '2.01', group: false });
    expect(udf.findings.filter((x) => x.code === 'long-path' && x.facet === 'udf')).toHaveLength(6);
    // Nothing sits under a link in Joliet: an entry listed below one (a link to a folder, or one shown as a file) is not checked.
    const below = preflight([...entries, f(`${deep.join('/')}/${n('1')}/${n('x')}`), f(`${deep.join('/')}/${n('4')}/${n('y')}`)], { fs: ['joliet'], isoLevel: 2, group: false });
    expect(below.findings.filter((x) => x.code === 'long-path' && x.facet === 'joliet').map((x) => x.path!.split('/').pop())).toEqual([n('4'), n('5')]);
  });

  it('Windows reading Joliet: path lengths add up the names Joliet records, counters included', () => {
    // "q…*" and "q…_" (60 characters) both record as "q…_": the second in name order gets "~1",
    // two characters more. "D:\\" + 3 × 64 + 3 separators + 60 = 258 fits; + 2 = 260 does not.
    const n = (c: string) => c.repeat(64);
    const base = [n('a'), n('b'), n('c')];
    const tail = 'q'.repeat(59);
    const entries = [d(base[0]), d(base.slice(0, 2).join('/')), d(base.join('/')), f(`${base.join('/')}/${tail}*`), f(`${base.join('/')}/${tail}_`)];
    const r = preflight(entries, { fs: ['joliet'], isoLevel: 2, group: false });
    expect(r.findings.find((x) => x.code === 'joliet-name-collision')).toMatchObject({ shownAs: `${tail}_~1` });
    expect(r.findings.filter((x) => x.code === 'long-path').map((x) => x.path)).toEqual([`/${base.join('/')}/${tail}_`]);
  });
});

describe('formatPreflight', () => {
  it('summarises counts, trees per audience and caps repeated codes', async () => {
    const { formatPreflight } = await import('./format');
    const entries = Array.from({ length: 30 }, (_, i) => f(`lower case name ${i}.txt`));
    const ungrouped = preflight(entries, { fs: ['iso9660'], isoLevel: 1, group: false });
    const text = formatPreflight(ungrouped, { maxPerCode: 5 });
    // 30 changed names; all but the first also collide on "LOWER_CA.TXT" and get a counter.
    expect(text).toMatch(/^Readability preflight: 0 error\(s\), 59 warning\(s\)/);
    expect(text).toMatch(/Windows → iso9660, macOS → iso9660, Linux → iso9660, Players → iso9660/);
    expect(text.match(/\[iso-name-changed\]/g)).toHaveLength(6); // 5 shown + the "… more" line
    expect(text).toMatch(/… 25 more \[iso-name-changed\]/);
    expect(text).toMatch(/fix: add --fs joliet,rockridge/);
    // Grouped (the default): one line per kind of finding, with its count and examples.
    const r = preflight(entries, { fs: ['iso9660'], isoLevel: 1 });
    expect(r.counts.warning).toBe(59);
    const grouped = formatPreflight(r);
    expect(grouped.match(/\[iso-name-changed\]/g)).toHaveLength(1);
    expect(grouped).toMatch(/\[iso-name-changed\] ISO 9660 level 1 records names in capitals .*: 30 entries, e\.g\. "\/lower case name 0\.txt" → "LOWER_CA\.TXT"/);
    expect(grouped.match(/\[iso-name-collision\]/g)).toHaveLength(1);
    expect(r.findings.find((x) => x.code === 'iso-name-collision')).toMatchObject({ count: 29 });
    expect(r.findings.find((x) => x.code === 'iso-name-changed')!.examples).toHaveLength(5);
  });
});

describe.skipIf(!requireTools('7z'))('a UDF symlink warning that 7-Zip justifies', () => {
  const t = tempDir('pf7z');
  afterAll(() => t.cleanup());

  it('7-Zip refuses a UDF volume with a symlink and reads it without one; preflight warns only for the first', async () => {
    const { runImageCommand } = await import('../cli-image');
    const { PassThrough } = await import('node:stream');
    const { symlinkSync } = await import('node:fs');
    const build = async (withLink: boolean) => {
      const src = join(t.dir, withLink ? 'with' : 'without');
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, 'target.txt'), 'data');
      if (withLink) symlinkSync('target.txt', join(src, 'link'));
      const out = join(t.dir, `${withLink ? 'with' : 'without'}.udf`);
      expect(await runImageCommand(['-o', out, '--fs', 'udf', src], { stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
      return out;
    };
    const sevenZipLists = (img: string) => {
      try {
        return run('7z', ['l', img]).includes('target.txt');
      } catch {
        return false;
      }
    };
    expect(sevenZipLists(await build(false))).toBe(true);
    expect(sevenZipLists(await build(true))).toBe(false);
    const entries: PreflightEntry[] = [f('target.txt'), { path: ['link'], kind: 'symlink', size: 0 }];
    expect(preflight(entries, { fs: ['udf'], isoLevel: 2 }).findings.map((x) => x.code)).toContain('udf-symlink-7zip');
    expect(preflight([f('target.txt')], { fs: ['udf'], isoLevel: 2 }).findings.map((x) => x.code)).not.toContain('udf-symlink-7zip');
    expect(preflight(entries, { fs: ['iso9660', 'rockridge'], isoLevel: 2 }).findings.map((x) => x.code)).not.toContain('udf-symlink-7zip');
  });
});

describe('links and capacity: what preflight says against what the writer makes', () => {
  it('links: what each reader sees, checked with pycdlib on the written image', async () => {
    if (!requireTools('/usr/bin/python3')) return;
    const { StagingTree } = await import('../staging/staging-tree');
    const { buildImage } = await import('../writer/write-image');
    const { pycdlibWalk } = await import('../test-support/peers');
    const fsx = await import('node:fs');
    const t = tempDir('pflinks');
    try {
      const tree = new StagingTree();
      tree.addBuffer('/dir/target.txt', Buffer.from('target'));
      tree.addSymlink('/to-file', 'dir/target.txt');
      tree.addSymlink('/dir/up', '../to-file'); // a link to a link to a file
      tree.addSymlink('/outside', '/etc/hostname');
      tree.addSymlink('/to-dir', 'dir');
      const entries: PreflightEntry[] = [
        d('dir'), f('dir/target.txt', 6),
        { path: ['to-file'], kind: 'symlink', size: 0, target: 'dir/target.txt' },
        { path: ['dir', 'up'], kind: 'symlink', size: 0, target: '../to-file' },
        { path: ['outside'], kind: 'symlink', size: 0, target: '/etc/hostname' },
        { path: ['to-dir'], kind: 'symlink', size: 0, target: 'dir' },
      ];
      const write = async (name: string, spec: Record<string, boolean>) => {
        const out = join(t.dir, name);
        const fd = fsx.openSync(out, 'w');
        for await (const c of buildImage({ root: tree.root, ...spec })) fsx.writeSync(fd, c);
        fsx.closeSync(fd);
        return out;
      };
      // ISO 9660 + Joliet + Rock Ridge: Windows reads Joliet.
      const jr = preflight(entries, { fs: ['iso9660', 'joliet', 'rockridge'], isoLevel: 2, group: false });
      const asFile = jr.findings.filter((x) => x.code === 'symlink-shown-as-file' && x.affects.includes('windows'));
      const missing = jr.findings.filter((x) => x.code === 'symlink-not-shown' && x.affects.includes('windows'));
      expect(asFile.map((x) => [x.path, x.shownAs])).toEqual([['/dir/up', '/dir/target.txt'], ['/to-file', '/dir/target.txt']]);
      expect(missing.map((x) => x.path).sort()).toEqual(['/outside', '/to-dir']);
      const joliet = pycdlibWalk(await write('jr.iso', { iso9660: true, joliet: true, rockRidge: true }), ['joliet']).joliet;
      const target = joliet['/dir/target.txt'];
      for (const x of asFile) expect(joliet[x.path!], x.path).toEqual(target);
      for (const x of missing) expect(joliet[x.path!], x.path).toBeUndefined();
      // Players read plain ISO 9660: with Rock Ridge each link's record is an empty file.
      expect(jr.findings.filter((x) => x.code === 'symlink-not-shown' && x.affects.includes('players'))).toHaveLength(4);
      // A hybrid disc: every OS reads UDF first, where links are only on request.
      const hy = preflight(entries, { fs: ['iso9660', 'joliet', 'rockridge', 'udf'], isoLevel: 2, udfRevision: '1.02', group: false });
      const udfMissing = hy.findings.filter((x) => x.code === 'symlink-not-shown' && x.affects.includes('linux'));
      expect(udfMissing).toHaveLength(4);
      expect(udfMissing[0].fix).toMatch(/udfSymlinks/);
      expect(hy.findings.some((x) => x.code === 'udf-symlink-7zip')).toBe(false);
      const udf = pycdlibWalk(await write('hy.iso', { iso9660: true, joliet: true, rockRidge: true, udf: true }), ['udf']).udf;
      for (const x of udfMissing) expect(udf[x.path!]).toBeUndefined();
      // On request the links are in UDF: no "not shown" for UDF readers, the 7-Zip warning instead.
      const onReq = preflight(entries, { fs: ['iso9660', 'rockridge', 'udf'], isoLevel: 2, udfRevision: '1.02', udfSymlinks: true });
      expect(onReq.findings.filter((x) => x.code === 'symlink-not-shown' && x.affects.includes('linux'))).toEqual([]);
      expect(onReq.findings.some((x) => x.code === 'udf-symlink-7zip')).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it('capacity: a floor from the file data without a plan, the exact size with one; planImage agrees', async () => {
    const { StagingTree } = await import('../staging/staging-tree');
    const { planImage } = await import('../layout/plan-image');
    const tree = new StagingTree();
    const entries: PreflightEntry[] = [];
    for (let i = 0; i < 20; i++) {
      tree.addBuffer(`/f${i}.bin`, Buffer.alloc(100_000 + i));
      entries.push(f(`f${i}.bin`, 100_000 + i));
    }
    const spec = { root: tree.root, iso9660: true, joliet: true, rockRidge: true, udf: true };
    const total = (await planImage(spec)).totalSectors;
    const floor = 16 + 2 + 20 * Math.ceil(100_010 / 2048);
    expect(floor).toBeLessThanOrEqual(total);
    const opts = { fs: ['iso9660', 'joliet', 'rockridge', 'udf'] as const, isoLevel: 2 as const, udfRevision: '1.02' };
    // Under the floor: refused without a plan ("at least"), and planImage refuses too.
    const under = preflight(entries, { ...opts, fs: [...opts.fs], maxSectors: floor - 1 });
    expect(under.ok).toBe(false);
    expect(under.findings[0]).toMatchObject({ code: 'over-capacity', severity: 'error', message: expect.stringContaining(`at least ${floor} sectors`) });
    await expect(planImage({ ...spec, maxSectors: floor - 1 })).rejects.toThrow(/more than the requested capacity/);
    // Between the floor and the real size only the plan's size tells: exact with plannedSectors.
    const exact = preflight(entries, { ...opts, fs: [...opts.fs], maxSectors: total - 1, plannedSectors: total });
    expect(exact.findings[0]).toMatchObject({ code: 'over-capacity', message: expect.stringContaining(`needs ${total} sectors`) });
    await expect(planImage({ ...spec, maxSectors: total - 1 })).rejects.toThrow(`image needs ${total} sectors`);
    expect(preflight(entries, { ...opts, fs: [...opts.fs], maxSectors: total, plannedSectors: total }).findings.some((x) => x.code === 'over-capacity')).toBe(false);
  });
});

describe('preflight of a project that is one disc image file', () => {
  it('warns that the disc would hold the image file, and says how to burn the image; not for other single files or images among others', () => {
    const only = (e: PreflightEntry[]) => preflight(e, { fs: ['iso9660', 'joliet', 'udf'], isoLevel: 2, group: false }).findings.filter((x) => x.code === 'disc-image-as-file');
    const found = only([f('Debian-12.ISO', 40 * 2048)]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', path: '/Debian-12.ISO' });
    expect(found[0].fix).toContain('glassmaster burn --image Debian-12.ISO');
    expect(only([f('notes.txt', 40 * 2048)])).toEqual([]);
    expect(only([f('odd.iso', 40 * 2048 + 1)])).toEqual([]); // not whole sectors: not an image
    expect(only([f('a.iso', 40 * 2048), f('b.txt')])).toEqual([]);
    expect(only([d('isos'), f('isos/a.iso', 40 * 2048)])).toEqual([]);
  });
});
