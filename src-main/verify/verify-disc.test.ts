import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drive } from '../drive/drive';
import { requireTools } from '../testing/peer-tools';
import type { ScsiDevice } from '../transport/transport';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { fileLba, pattern, scratched, writeTree, xorrisoImage } from '../read/test-support';
import { parseSha256Sums, verifyDisc } from './verify-disc';
import { runImageCommand } from '../image/cli-image';
import { PassThrough } from 'node:stream';

const ok = requireTools('xorriso', 'sha256sum');

describe.skipIf(!ok)('verifyDisc: a disc long after burning', () => {
  let dir: string;
  let vt: VirtualTransport;
  let src: string;
  let isoPath: string;
  const drive = (dev: ScsiDevice) => new Drive(dev, { retryDelayMs: 1 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-verify-'));
    src = join(dir, 'src');
    writeTree(src, { 'notes.txt': 'verify me\n', 'photos/a.jpg': pattern(200_000, 5), 'photos/b.jpg': pattern(70_000, 6), 'empty.txt': '' });
    // The manifest as sha256sum itself writes it, paths relative to the disc root.
    const sums = execFileSync('sh', ['-c', 'find . -type f ! -path "./.glassmaster/*" | sort | xargs sha256sum'], { cwd: src }).toString();
    writeTree(src, { '.glassmaster/SHA256SUMS': sums });
    isoPath = join(dir, 'disc.iso');
    xorrisoImage(src, isoPath);
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    await vt.create('dvd', { media: null });
    await vt.insertPressed('dvd', 'dvd', isoPath);
    vt.recorder('dvd').clearUnitAttention();
  });
  afterAll(async () => {
    await vt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The image in a virtual drive of its own (`name`), verified against the manifest on it. */
  const verifyManifest = async (name: string, iso: string) => {
    await vt.create(name, { media: null });
    await vt.insertPressed(name, 'dvd', iso);
    vt.recorder(name).clearUnitAttention();
    const dev = await vt.open(`virtual:${name}`);
    try {
      return await verifyDisc(drive(dev), { against: 'manifest' });
    } finally {
      await dev.close();
    }
  };
  /**
   * `files` and `links` (name → target) staged in dir/name with short.txt and the manifest
   * sha256sum writes (files only: the links are not listed) plus `extraSums`, imaged with `fsList`.
   */
  const buildWithManifest = async (name: string, fsList: string, files: Record<string, string>, links: Record<string, string>, extraSums = ''): Promise<string> => {
    const staged = join(dir, name);
    writeTree(staged, { ...files, 'short.txt': 'short' });
    for (const [l, to] of Object.entries(links)) symlinkSync(to, join(staged, l));
    const sums = execFileSync('sh', ['-c', 'find . -type f -print0 | sort -z | xargs -0 sha256sum'], { cwd: staged }).toString();
    writeTree(staged, { '.glassmaster/SHA256SUMS': sums + extraSums });
    const iso = join(dir, `${name}.iso`);
    expect(await runImageCommand(['-o', iso, '--fs', fsList, staged], { stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
    return iso;
  };

  it('the manifest format is what sha256sum -c checks', () => {
    execFileSync('sha256sum', ['-c', '--quiet', '.glassmaster/SHA256SUMS'], { cwd: src });
    const m = parseSha256Sums(readFileSync(join(src, '.glassmaster/SHA256SUMS'), 'utf8'));
    expect([...m.keys()].sort()).toEqual(['empty.txt', 'notes.txt', 'photos/a.jpg', 'photos/b.jpg']);
    expect(parseSha256Sums(`\\${'a'.repeat(64)}  odd\\nname\n`).get('odd\nname')).toBe('a'.repeat(64));
    expect(() => parseSha256Sums('nonsense\n')).toThrow(/line 1/);
  });

  it('against the image, the folder and the manifest: a good disc passes all three', async () => {
    const dev = await vt.open('virtual:dvd');
    try {
      const img = await verifyDisc(drive(dev), { against: 'image', image: isoPath });
      expect(img).toMatchObject({ ok: true, mismatched: [], bytesChecked: readFileSync(isoPath).length });
      expect(img.actualSha256).toBe(execFileSync('sha256sum', [isoPath]).toString().split(' ')[0]);
      const events: string[] = [];
      const folder = await verifyDisc(drive(dev), { against: 'folder', folder: src }, { onProgress: (p) => events.push(p.phase) });
      expect(folder).toMatchObject({ ok: true, files: [], filesChecked: 5 });
      expect(events).toContain('comparing');
      const manifest = await verifyDisc(drive(dev), { against: 'manifest' });
      expect(manifest).toMatchObject({ ok: true, files: [], filesChecked: 4 });
    } finally {
      await dev.close();
    }
  });

  it('against an image that differs in one file: the differing sectors and the file that owns them', async () => {
    const other = join(dir, 'other.iso');
    cpSync(isoPath, other);
    const lba = fileLba(isoPath, '/photos/b.jpg');
    const bytes = readFileSync(other);
    bytes[(lba + 1) * 2048 + 7] ^= 0xff;
    writeFileSync(other, bytes);
    const dev = await vt.open('virtual:dvd');
    try {
      const r = await verifyDisc(drive(dev), { against: 'image', image: other });
      expect(r.ok).toBe(false);
      expect(r.mismatched).toEqual([{ start: lba + 1, end: lba + 2 }]);
      expect(r.affectedFiles).toEqual([{ path: '/photos/b.jpg', kind: 'file', ranges: [{ start: lba + 1, end: lba + 2 }] }]);
      expect(r.summary).toMatch(/1 sectors differ .*\/photos\/b\.jpg/);
      expect(r.expectedSha256).not.toBe(r.actualSha256);
    } finally {
      await dev.close();
    }
  });

  it('a scratched disc: unreadable sectors fail image, folder and manifest verification and name the file', async () => {
    const base = await vt.open('virtual:dvd');
    try {
      const lba = fileLba(isoPath, '/photos/a.jpg') + 10;
      const dev = scratched(base, [lba]);
      const img = await verifyDisc(drive(dev), { against: 'image', image: isoPath }, { retries: 1 });
      expect(img.ok).toBe(false);
      expect(img.unreadable).toEqual([{ start: lba, end: lba + 1 }]);
      expect(img.affectedFiles?.map((f) => f.path)).toEqual(['/photos/a.jpg']);
      const man = await verifyDisc(drive(dev), { against: 'manifest' }, { retries: 1 });
      expect(man.ok).toBe(false);
      expect(man.files).toEqual([expect.objectContaining({ path: 'photos/a.jpg', status: 'unreadable' })]);
      expect(man.affectedFiles?.map((f) => f.path)).toEqual(['/photos/a.jpg']);
      // A damaged primary volume descriptor: nothing can be compared, and the report says where.
      const noFs = await verifyDisc(drive(scratched(base, [16])), { against: 'folder', folder: src }, { retries: 0 });
      expect(noFs).toMatchObject({ ok: false, unreadable: [{ start: 16, end: 17 }], summary: "The disc's file system is unreadable at sector 16: no file could be checked." });
    } finally {
      await base.close();
    }
  });

  it('against the folder it was burned from: the disc\'s own manifest is not an extra file', async () => {
    // The burner adds .glassmaster/SHA256SUMS to what the user staged; the user's folder has no such file.
    const staged = join(dir, 'staged');
    cpSync(src, staged, { recursive: true });
    rmSync(join(staged, '.glassmaster'), { recursive: true });
    const dev = await vt.open('virtual:dvd');
    try {
      const r = await verifyDisc(drive(dev), { against: 'folder', folder: staged });
      expect(r).toMatchObject({ ok: true, files: [], filesChecked: 4 });
      expect(r.summary).toBe(`Verified 4 files against the folder ${staged}: all identical.`);
    } finally {
      await dev.close();
    }
  });

  it('a disc whose file system cut long names (UDF only; Joliet beside UDF) verifies against the folder it was made from', async () => {
    const staged = join(dir, 'long');
    // Under Linux's 255 bytes each; over UDF's 255-byte identifier (16-bit) or Joliet's 64 characters.
    writeTree(staged, { [`λ${'a'.repeat(200)}.txt`]: 'one', [`λ${'a'.repeat(201)}.txt`]: 'two', [`${'j'.repeat(80)}.txt`]: 'three', [`${'j'.repeat(81)}.txt`]: 'four', 'sub/short.txt': 'five',
      // An empty folder takes the plain cut, so the file beside it gets the counter.
      [`λ${'x'.repeat(200)}y`]: 'six',
      // Cut without an extension (over 16 characters) right after a dot: readers drop the dot.
      [`${'k'.repeat(63)}.${'e'.repeat(20)}`]: 'seven' });
    mkdirSync(join(staged, `λ${'x'.repeat(200)}`));
    // A link to the second of the twins (recorded with "~1"): UDF records its target as the folder names it.
    symlinkSync(`../λ${'a'.repeat(201)}.txt`, join(staged, 'sub', 'to-twin'));
    // Links Joliet cannot show (dangling, to a folder) and one it shows as its file through a link to a folder.
    symlinkSync('nowhere', join(staged, 'sub', 'dangling'));
    symlinkSync('sub', join(staged, 'sub-link'));
    symlinkSync('../sub-link/short.txt', join(staged, 'sub', 'via-link'));
    // Through a link back to the root, and with an empty component (UDF records "sub/short.txt").
    writeFileSync(join(staged, 'top.txt'), 'top');
    symlinkSync('..', join(staged, 'sub', 'up'));
    symlinkSync('up/top.txt', join(staged, 'sub', 'via-root'));
    symlinkSync('sub//short.txt', join(staged, 'double-slash'));
    // UDF (no Rock Ridge beside it) records every link; Joliet, read first when there, shows four as files.
    const checked = [15, 12];
    for (const [i, fsList] of ['udf', 'iso9660,joliet,udf'].entries()) {
      const iso = join(dir, `long-${i}.iso`);
      const err = new PassThrough();
      const msgs: string[] = [];
      err.on('data', (d) => msgs.push(String(d)));
      expect(await runImageCommand(['-o', iso, '--fs', fsList, staged], { stdout: new PassThrough(), stderr: err }), msgs.join('')).toBe(0);
      await vt.create(`long${i}`, { media: null });
      await vt.insertPressed(`long${i}`, 'dvd', iso);
      vt.recorder(`long${i}`).clearUnitAttention();
      const dev = await vt.open(`virtual:long${i}`);
      try {
        const r = await verifyDisc(drive(dev), { against: 'folder', folder: staged });
        expect(r.files, fsList).toEqual([]);
        expect(r).toMatchObject({ ok: true, filesChecked: checked[i] });
      } finally {
        await dev.close();
      }
    }
  });

  it('against the manifest, names that cut alike beside a link the manifest does not list (it took the first counter)', async () => {
    const staged = join(dir, 'twins');
    const cut = (n: number) => `λ${'a'.repeat(200)}${n}.txt`; // all three cut alike in UDF
    writeTree(staged, { [cut(1)]: 'first', [cut(2)]: 'second', 'short.txt': 'short' });
    symlinkSync('short.txt', join(staged, cut(0)));
    const sums = execFileSync('sh', ['-c', 'find . -type f | sort | xargs sha256sum'], { cwd: staged }).toString();
    writeTree(staged, { '.glassmaster/SHA256SUMS': sums });
    const iso = join(dir, 'twins.iso');
    // UDF only: no Rock Ridge, so UDF records the link, whose cut comes first ("~1" and "~2" for the files).
    expect(await runImageCommand(['-o', iso, '--fs', 'udf', staged], { stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
    await vt.create('twins', { media: null });
    await vt.insertPressed('twins', 'dvd', iso);
    vt.recorder('twins').clearUnitAttention();
    const dev = await vt.open('virtual:twins');
    try {
      const r = await verifyDisc(drive(dev), { against: 'manifest' });
      expect(r.files).toEqual([]);
      expect(r).toMatchObject({ ok: true, filesChecked: 3 });
    } finally {
      await dev.close();
    }
    // Two files of the same contents under those cuts, the first one's copy on the disc damaged:
    // the other's copy must not stand in for it (each disc file answers for one path).
    const same = join(dir, 'twins-same');
    writeTree(same, { [cut(1)]: 'same', [cut(2)]: 'same', 'short.txt': 'short' });
    symlinkSync('short.txt', join(same, cut(0)));
    writeTree(same, { '.glassmaster/SHA256SUMS': execFileSync('sh', ['-c', 'find . -type f | sort | xargs sha256sum'], { cwd: same }).toString() });
    const bad = join(dir, 'twins-bad.iso');
    expect(await runImageCommand(['-o', bad, '--fs', 'udf', same], { stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
    const { openImage } = await import('../image/reader/image');
    const img = await openImage(bad);
    const firstCopy = (await img.tree('udf')).children!.find((c) => c.name === `λ${'a'.repeat(120)}~1.txt`)!;
    await img.close();
    expect(firstCopy.extents[0].embedded).toBeFalsy();
    const bytes = readFileSync(bad);
    bytes[firstCopy.extents[0].lba * 2048] ^= 0xff;
    writeFileSync(bad, bytes);
    await vt.create('twins-bad', { media: null });
    await vt.insertPressed('twins-bad', 'dvd', bad);
    vt.recorder('twins-bad').clearUnitAttention();
    const dev2 = await vt.open('virtual:twins-bad');
    try {
      const r = await verifyDisc(drive(dev2), { against: 'manifest' });
      expect(r.ok).toBe(false);
      expect(r.files.map((f) => f.status)).toEqual(['different']);
    } finally {
      await dev2.close();
    }
  });

  it('against the manifest through Joliet: cuts ending in "." (dropped by readers) shifted by a link the manifest does not list', async () => {
    const { openImage } = await import('../image/reader/image');
    // Cut without an extension (over 16 characters after the dot): "k…k." of 64, shown "k…k" (63).
    const k = (tail: string) => `${'k'.repeat(63)}.${tail.repeat(20)}`;
    // Ending in "." (the extension is the dot): "m…m." of 64 kept, shown without the dot.
    const m = (c: string) => `${'m'.repeat(69)}${c}.`;
    const build = async (name: string, files: Record<string, string>): Promise<{ iso: string; shown: Map<string, { lba: number }> }> => {
      const staged = join(dir, name);
      writeTree(staged, { ...files, 'short.txt': 'short' });
      // Links sorting first with the same cuts: Joliet shows them as short.txt, so they take the
      // plain cuts and shift the files' counters; sha256sum (find -type f) does not list them.
      symlinkSync('short.txt', join(staged, k('d')));
      symlinkSync('short.txt', join(staged, m('l')));
      writeTree(staged, { '.glassmaster/SHA256SUMS': execFileSync('sh', ['-c', 'find . -type f | sort | xargs sha256sum'], { cwd: staged }).toString() });
      const iso = join(dir, `${name}.iso`);
      expect(await runImageCommand(['-o', iso, '--fs', 'iso9660,joliet', staged], { stdout: new PassThrough(), stderr: new PassThrough() })).toBe(0);
      const img = await openImage(iso);
      expect(img.facets).not.toContain('rockridge');
      const shown = new Map(((await img.tree('joliet')).children ?? []).map((c) => [c.name, { lba: c.extents[0]?.lba ?? 0 }]));
      await img.close();
      return { iso, shown };
    };
    const verify = verifyManifest;
    const good = await build('dots', { [k('e')]: 'first', [k('f')]: 'second', [m('m')]: 'third', [m('n')]: 'fourth' });
    // What the disc holds: the links took the plain cuts (shown without their dot), the files the
    // counters — one more than the manifest alone predicts ("k…k" and "k…~1" predicted).
    const kk = 'k'.repeat(63);
    const mm = 'm'.repeat(63);
    expect([...good.shown.keys()].sort()).toEqual(['.glassmaster', `${'k'.repeat(62)}~1`, `${'k'.repeat(62)}~2`, kk, `${'m'.repeat(61)}~1`, `${'m'.repeat(61)}~2`, mm, 'short.txt'].sort());
    const r = await verify('dots', good.iso);
    expect(r.files).toEqual([]);
    expect(r).toMatchObject({ ok: true, filesChecked: 5 });

    // Twins of the same contents under those cuts, the first one's copy damaged: the other's copy
    // must not stand in for it (each disc file answers for one path).
    const same = await build('dots-same', { [k('e')]: 'same', [k('f')]: 'same', [m('m')]: 'twin', [m('n')]: 'twin' });
    for (const victim of [`${'k'.repeat(62)}~1`, `${'m'.repeat(61)}~2`]) {
      const bytes = readFileSync(same.iso);
      const bad = join(dir, `dots-bad-${victim.length}.iso`);
      bytes[same.shown.get(victim)!.lba * 2048] ^= 0xff;
      writeFileSync(bad, bytes);
      const b = await verify(`dots-bad-${victim[0]}`, bad);
      expect(b.ok, victim).toBe(false);
      expect(b.files.filter((f) => f.status !== 'extra').map((f) => f.status), victim).toEqual(['different']);
    }
  });

  it('against the manifest, a folder whose cut a link the manifest does not list took first (the folder recorded "~1"): every file under it verifies', async () => {
    const { openImage } = await import('../image/reader/image');
    // Joliet (no Rock Ridge) cuts at 64 characters and shows the link as short.txt; UDF alone cuts
    // at 127 UTF-16 units once a name has a character over U+00FF, and records the link. Either way
    // the link sorts before the folder ('a' < 'k'), takes the plain cut, and the folder gets "~1".
    const cases = [
      { fs: 'iso9660,joliet', facet: 'joliet' as const, folder: (c: string) => c.repeat(70), link: `${'k'.repeat(64)}aaaaaa`, plain: 'k'.repeat(64), counter: (n: number) => `${'k'.repeat(62)}~${n}` },
      { fs: 'udf', facet: 'udf' as const, folder: (c: string) => `λ${c.repeat(200)}`, link: `λ${'k'.repeat(126)}aaaaaa`, plain: `λ${'k'.repeat(126)}`, counter: (n: number) => `λ${'k'.repeat(124)}~${n}` },
    ];
    const build = (name: string, fsList: string, files: Record<string, string>, link: string, extraSums = '') => buildWithManifest(name, fsList, files, { [link]: 'short.txt' }, extraSums);
    const verify = verifyManifest;
    for (const c of cases) {
      const k = c.folder('k');
      const good = await build(`shift-${c.facet}`, c.fs, { [`${k}/x.txt`]: 'x', [`${k}/sub/y.txt`]: 'y', [`${k}/${'z'.repeat(70)}.txt`]: 'z' }, c.link);
      // What the disc holds: the link under the plain cut, the folder under "~1".
      const img = await openImage(good);
      const tree = await img.tree(c.facet);
      await img.close();
      const top = new Map((tree.children ?? []).map((n) => [n.name, n.kind]));
      expect(top.get(c.plain), c.fs).toBe(c.facet === 'udf' ? 'symlink' : 'file');
      expect(top.get(c.counter(1)), c.fs).toBe('dir');
      const r = await verify(`shift-${c.facet}`, good);
      // (Joliet shows the link as a file the manifest does not list: on the disc only, which a
      // manifest check reports without failing.)
      expect(r.files.filter((f) => f.status !== 'extra' || f.path !== c.plain), c.fs).toEqual([]);
      expect(r).toMatchObject({ ok: true, filesChecked: 4 });

      // A file the manifest lists in that folder but the disc does not hold is still missing.
      const gone = await build(`shift-gone-${c.facet}`, c.fs, { [`${k}/x.txt`]: 'x' }, c.link, `${'0'.repeat(64)}  ./${k}/gone.txt\n`);
      const g = await verify(`shift-gone-${c.facet}`, gone);
      expect(g.ok, c.fs).toBe(false);
      expect(g.files.filter((f) => f.status !== 'extra' || f.path !== c.plain).map((f) => [f.path, f.status]), c.fs).toEqual([[`${k}/gone.txt`, 'missing']]);

      // Two shifted folders ("~1" and "~2"; the manifest alone predicts the plain cut and "~1")
      // holding files of the same contents, one copy damaged: the other copy must not stand in
      // for it (each disc file answers for one path).
      const k2 = `${k}k`;
      const twins = await build(`shift-twins-${c.facet}`, c.fs, { [`${k}/x.txt`]: 'same', [`${k2}/x.txt`]: 'same', [`${k2}/w.txt`]: 'w' }, c.link);
      const timg = await openImage(twins);
      const ttree = await timg.tree(c.facet);
      await timg.close();
      const copyIn = (folder: string) => ttree.children!.find((n) => n.name === folder)!.children!.find((n) => n.name === 'x.txt')!;
      expect(ttree.children!.map((n) => n.name)).toEqual(expect.arrayContaining([c.plain, c.counter(1), c.counter(2)]));
      const t = await verify(`shift-twins-${c.facet}`, twins);
      expect(t.files.filter((f) => f.status !== 'extra' || f.path !== c.plain), c.fs).toEqual([]);
      expect(t).toMatchObject({ ok: true, filesChecked: 4 });
      for (const n of [1, 2]) {
        const copy = copyIn(c.counter(n));
        expect(copy.extents[0].embedded).toBeFalsy();
        const bytes = readFileSync(twins);
        bytes[copy.extents[0].lba * 2048] ^= 0xff;
        const bad = join(dir, `shift-twins-${c.facet}-bad${n}.iso`);
        writeFileSync(bad, bytes);
        const b = await verify(`shift-twins-${c.facet}-bad${n}`, bad);
        expect(b.ok, `${c.fs} ~${n}`).toBe(false);
        expect(b.files.filter((f) => f.status !== 'extra').map((f) => f.path.split('/').pop()), `${c.fs} ~${n}`).toEqual(['x.txt']);
      }
    }
  });

  it('against the manifest, a name that was not cut but that a link the manifest does not list took first (the link cut or mapped to it): the file under its counter verifies', async () => {
    const { openImage } = await import('../image/reader/image');
    // Joliet (no Rock Ridge) shows each link as short.txt. "k…k-xxxx.txt" sorts before "k…k.txt"
    // ('-' < '.') and is cut to exactly that name (64 characters); "a*" and "b*" sort before "a_"
    // and "b_" ('*' < '_') and map to them. The files (and the folder b_) take "~1"; the manifest
    // alone predicts their own names, which now hold the links' data.
    const k = 'k'.repeat(60);
    const links = [`${k}-xxxx.txt`, 'a*', 'b*'];
    const build = (name: string, fsList: string, files: Record<string, string>, linkNames: string[], extraSums = '', otherLinks: Record<string, string> = {}) =>
      buildWithManifest(name, fsList, files, { ...Object.fromEntries(linkNames.map((l) => [l, 'short.txt'])), ...otherLinks }, extraSums);
    const verify = verifyManifest;
    const tree = async (iso: string, facet: 'joliet' | 'udf') => {
      const img = await openImage(iso);
      try {
        return await img.tree(facet);
      } finally {
        await img.close();
      }
    };
    const failing = (r: Awaited<ReturnType<typeof verify>>) => r.files.filter((f) => f.status !== 'extra').map((f) => [f.path, f.status]);
    const counter = `${'k'.repeat(58)}~1.txt`;
    const files = { [`${k}.txt`]: 'cut alike', a_: 'mapped', 'b_/x.txt': 'in a folder', 'c_.txt': 'no link takes it' };
    const good = await build('taken', 'iso9660,joliet', files, links);
    const root = await tree(good, 'joliet');
    const top = new Map((root.children ?? []).map((n) => [n.name, n]));
    expect([...top.keys()].sort()).toEqual(['.glassmaster', `${k}.txt`, counter, 'a_', 'a_~1', 'b_', 'b_~1', 'c_.txt', 'short.txt'].sort());
    expect(top.get('b_')!.kind).toBe('file');
    expect(top.get('b_~1')!.kind).toBe('dir');
    const r = await verify('taken', good);
    // Only the link shown as a file where the folder's name was is on the disc alone (not failing).
    expect(r.files).toEqual([expect.objectContaining({ path: 'b_', status: 'extra' })]);
    expect(r).toMatchObject({ ok: true, filesChecked: 5 });

    // A damaged copy under the counter still fails: the link's data under the file's name cannot answer for it.
    for (const [victim, path, status] of [[counter, `${k}.txt`, 'different'], ['a_~1', 'a_', 'different'], ['b_~1/x.txt', 'b_/x.txt', 'missing']] as const) {
      const node = victim.split('/').reduce((n, c) => n.children!.find((x) => x.name === c)!, root);
      expect(node.extents[0].embedded).toBeFalsy();
      const bytes = readFileSync(good);
      bytes[node.extents[0].lba * 2048] ^= 0xff;
      const bad = join(dir, `taken-bad-${victim[0]}.iso`);
      writeFileSync(bad, bytes);
      const b = await verify(`taken-bad-${victim[0]}`, bad);
      expect(b.ok, victim).toBe(false);
      expect(failing(b), victim).toEqual([[path, status]]);
    }

    // True misses stay missing: a path under the shifted folder, and a '_' name nothing on the disc holds.
    const zero = '0'.repeat(64);
    const gone = await build('taken-gone', 'iso9660,joliet', files, links, `${zero}  ./b_/gone.txt\n${zero}  ./d_.txt\n`);
    const g = await verify('taken-gone', gone);
    expect(g.ok).toBe(false);
    expect(failing(g)).toEqual([['b_/gone.txt', 'missing'], ['d_.txt', 'missing']]);

    // Twins of the same contents: "k…k.txt" (shifted to "~1") and "k…kb.txt" (cut; the manifest
    // predicts "~1", the disc has "~2"). Either copy damaged fails: the healthy one answers for its own path only.
    const twins = await build('taken-twins', 'iso9660,joliet', { [`${k}.txt`]: 'same', [`${k}b.txt`]: 'same' }, [links[0]]);
    const troot = await tree(twins, 'joliet');
    expect((troot.children ?? []).map((n) => n.name).sort()).toEqual(['.glassmaster', `${k}.txt`, counter, `${'k'.repeat(58)}~2.txt`, 'short.txt'].sort());
    const t = await verify('taken-twins', twins);
    expect(t.files).toEqual([]);
    expect(t).toMatchObject({ ok: true, filesChecked: 3 });
    for (const n of [1, 2]) {
      const copy = troot.children!.find((c) => c.name === `${'k'.repeat(58)}~${n}.txt`)!;
      const bytes = readFileSync(twins);
      bytes[copy.extents[0].lba * 2048] ^= 0xff;
      const bad = join(dir, `taken-twins-bad${n}.iso`);
      writeFileSync(bad, bytes);
      const b = await verify(`taken-twins-bad${n}`, bad);
      expect(b.ok, `~${n}`).toBe(false);
      expect(failing(b).map(([, s]) => s), `~${n}`).toEqual(['different']);
    }

    // Nor can a link shown as a file of the same contents, named as the counter could be: "a_~2"
    // (a link to t.txt) holds t.txt's data, which answers for t.txt alone.
    const linked = await build('taken-linked', 'iso9660,joliet', { a_: 'same', 't.txt': 'same' }, ['a*'], '', { 'a_~2': 't.txt' });
    const lroot = await tree(linked, 'joliet');
    expect((lroot.children ?? []).map((n) => n.name).sort()).toEqual(['.glassmaster', 'a_', 'a_~1', 'a_~2', 'short.txt', 't.txt']);
    expect(await verify('taken-linked', linked)).toMatchObject({ ok: true, filesChecked: 3 });
    const lbytes = readFileSync(linked);
    lbytes[lroot.children!.find((n) => n.name === 'a_~1')!.extents[0].lba * 2048] ^= 0xff;
    writeFileSync(join(dir, 'taken-linked-bad.iso'), lbytes);
    const lb = await verify('taken-linked-bad', join(dir, 'taken-linked-bad.iso'));
    expect(lb.ok).toBe(false);
    expect(failing(lb)).toEqual([['a_', 'different']]);

    // A name given as a counter ("k…k~1.txt") is taken by the counter of the file the link shifted,
    // and gets the next one ("~2"); the manifest alone predicts both files under their own names.
    const given = await build('taken-counter', 'iso9660,joliet', { [`${k}.txt`]: 'shifted', [counter]: 'named like a counter' }, [links[0]]);
    expect(((await tree(given, 'joliet')).children ?? []).map((n) => n.name).sort()).toEqual(['.glassmaster', `${k}.txt`, counter, `${'k'.repeat(58)}~2.txt`, 'short.txt'].sort());
    expect(await verify('taken-counter', given)).toMatchObject({ ok: true, files: [], filesChecked: 3 });

    // UDF cannot do this: a name that fits is never given to another entry (udf/names.ts reserves
    // every sibling's own name first), so the link recorded there takes the counter, not the file.
    const wideName = `λ${'k'.repeat(122)}.txt`; // 127 UTF-16 units: 255 bytes, whole
    const udf = await build('taken-udf', 'udf', { [wideName]: 'whole' }, [`λ${'k'.repeat(122)}-xxxx.txt`]);
    const uroot = await tree(udf, 'udf');
    expect(new Map((uroot.children ?? []).map((n) => [n.name, n.kind]))).toEqual(new Map([['.glassmaster', 'dir'], [wideName, 'file'], [`λ${'k'.repeat(120)}~1.txt`, 'symlink'], ['short.txt', 'file']]));
    const u = await verify('taken-udf', udf);
    expect(u).toMatchObject({ ok: true, files: [], filesChecked: 2 });
  });

  it('against a folder that changed: different, missing from the disc, and on the disc only', async () => {
    const changed = join(dir, 'changed');
    cpSync(src, changed, { recursive: true });
    writeFileSync(join(changed, 'notes.txt'), 'verify me!\n');
    writeFileSync(join(changed, 'new.txt'), 'not burned');
    unlinkSync(join(changed, 'photos/b.jpg'));
    const dev = await vt.open('virtual:dvd');
    try {
      const r = await verifyDisc(drive(dev), { against: 'folder', folder: changed });
      expect(r.ok).toBe(false);
      expect(r.files.map((f) => [f.path, f.status])).toEqual([['new.txt', 'missing'], ['notes.txt', 'different'], ['photos/b.jpg', 'extra']]);
      expect(r.summary).toBe(`The disc does not match the folder ${changed}: 1 different, 1 missing from the disc, 1 on the disc only (of 5 files).`);
    } finally {
      await dev.close();
    }
  });
});
