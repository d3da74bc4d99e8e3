// The image writer judged by independent readers: pycdlib (ISO 9660, Joliet, Rock Ridge, UDF
// facets), xorriso (libisofs; follows Rock Ridge relocation), isoinfo (genisoimage), 7-Zip and
// udfinfo. Each check compares what the reader sees with the host source tree byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { requireTools } from '../testing/peer-tools';
import { runImageCommand, parseImageArgs, parseBootSpec } from './cli-image';
import { StagingTree } from './staging/staging-tree';
import { buildImage } from './writer/write-image';
import { openImage } from './reader';
import { describeHostTree, mktemp, pycdlibWalk, run, sha256File, without, xorrisoExtract, type TreeInfo } from './test-support/peers';
import { ExitCode } from '../common/exit-codes';

const ok = requireTools('xorriso', 'isoinfo', '7z', 'udfinfo', '/usr/bin/python3');

function io() {
  const err: string[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (d) => err.push(String(d)));
  return { io: { stdout: new PassThrough(), stderr }, err };
}

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const { io: s, err } = io();
  const code = await runImageCommand(args, s);
  return { code, stderr: err.join('') };
}

function rand(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const DEEP = '/deep/l2/l3/l4/l5/l6/l7/l8/l9/l10/l11';

function makeCorpus(root: string): void {
  const w = (p: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), data);
  };
  w('hello.txt', 'hello world\n');
  w('empty', '');
  w('sector-2048.bin', rand(1, 2048));
  w('sector-2049.bin', rand(2, 2049));
  w('Docs/Readme.txt', 'mixed');
  w('Docs/README.TXT', 'upper');
  w('Docs/readme.txt', 'lower');
  w('Docs/file with spaces & symbols!@#$%^().md', 'sym');
  w('Docs/.hidden-dotfile', 'dot');
  w('Docs/archive.tar.gz', rand(3, 70000));
  w('Unicode/ünïcödé 日本語 😀.txt', 'unicode');
  w('Unicode/Ελληνικά κείμενο.txt', 'greek');
  w('Unicode/עברית.txt', 'hebrew');
  w(`Long/${'x'.repeat(120)}.dat`, 'long120');
  w(`Long/${'y'.repeat(240)}`, 'long240');
  for (let i = 0; i < 12; i++) w(`Long/verylongprefix_aaaaaaaaaaaaaaaaaaaaaaaaaa_${i}.txt`, `c${i}`);
  w(`Long/${'J'.repeat(70)}a.txt`, 'ja');
  w(`Long/${'J'.repeat(70)}b.txt`, 'jb');
  for (let i = 0; i < 300; i++) w(`Many/file-${String(i).padStart(4, '0')}.bin`, rand(100 + i, (i * 997) % 9000));
  w(`${DEEP}/leaf.txt`, 'deep leaf');
  w(`${DEEP}/../leaf10.txt`, 'leaf10');
  fs.mkdirSync(path.join(root, 'Links'), { recursive: true });
  fs.symlinkSync('../hello.txt', path.join(root, 'Links/rel'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'Links/abs'));
  fs.symlinkSync(`${'t'.repeat(250)}/${'u'.repeat(250)}/./../x`, path.join(root, 'Links/long-target'));
  fs.mkdirSync(path.join(root, 'EmptyDir'));
}

/** What Joliet should show for a source tree: names ≤ 64 UCS-2 chars kept, others cut. */
function jolietExpectedKept(src: TreeInfo): TreeInfo {
  const keep = (p: string) => p.split('/').every((c) => c.length <= 64 && !/[\u{10000}-\u{10FFFF}*:;?\\]/u.test(c));
  const out: TreeInfo = {};
  for (const [p, e] of Object.entries(linkFree(src))) if (keep(p)) out[p] = e;
  return out;
}

/**
 * What a facet without links shows (layout/symlinks.ts): Links/rel (→ ../hello.txt) as that file,
 * the links out of the tree (/etc/passwd, the long dangling target) not at all.
 */
function linkFree(src: TreeInfo): TreeInfo {
  const out: TreeInfo = {};
  for (const [p, e] of Object.entries(src)) {
    if (e.type !== 'symlink') out[p] = e;
    else if (p === '/Links/rel') out[p] = src['/hello.txt'];
  }
  return out;
}

const noLinks = (t: TreeInfo): TreeInfo => Object.fromEntries(Object.entries(t).filter(([, e]) => e.type !== 'symlink'));

function files(t: TreeInfo): string[] {
  return Object.values(t).filter((e) => e.type === 'file').map((e) => `${e.size}:${e.sha256}`).sort();
}

describe.skipIf(!ok)('image writer vs independent readers', () => {
  let tmp: string;
  let src: string;
  let img: string;
  let srcInfo: TreeInfo;

  beforeAll(async () => {
    tmp = mktemp('gm-img-');
    src = path.join(tmp, 'src');
    makeCorpus(src);
    srcInfo = describeHostTree(src);
    img = path.join(tmp, 'all.iso');
    const r = await cli(['-o', img, '--label', 'Glass Test', '--date', '2024-05-06T07:08:09Z', src]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('Rock Ridge via xorriso (follows relocation): names, types, symlink targets, SHA-256 equal the source', () => {
    // Relocated directories sit in the root marked RE (RRIP §4.1.5.3): no relocation directory.
    expect(xorrisoExtract(img, path.join(tmp, 'x-rr'))).toEqual(srcInfo);
  });

  it('Rock Ridge via pycdlib: identical outside the relocated part', () => {
    const got = pycdlibWalk(img, ['rockridge']).rockridge;
    // /deep is level 2, so l8 would be level 9 (ECMA-119 §6.8.2.1) and is relocated.
    const inDeep = (p: string) => p.startsWith('/deep/l2/l3/l4/l5/l6/l7/l8') || p.startsWith('/l8');
    expect(without(got, inDeep)).toEqual(without(srcInfo, inDeep));
    // pycdlib ignores RE: the relocated directory shows in the root, where it is recorded.
    expect(got['/l8/l9/l10/l11/leaf.txt']).toEqual(srcInfo[`${DEEP}/leaf.txt`]);
    expect(Object.keys(got).some((p) => /rr_moved/i.test(p))).toBe(false);
  });

  it('UDF via pycdlib: names and SHA-256 equal the source; the links stay in Rock Ridge', () => {
    expect(pycdlibWalk(img, ['udf']).udf).toEqual(noLinks(srcInfo));
  });

  it('Joliet via pycdlib: short names exact, long names cut to 64 unique characters, all data equal', () => {
    const got = pycdlibWalk(img, ['joliet']).joliet;
    const kept = jolietExpectedKept(srcInfo);
    for (const [p, e] of Object.entries(kept)) expect(got[p], p).toEqual(e);
    for (const p of Object.keys(got)) for (const c of p.split('/')) expect(c.length).toBeLessThanOrEqual(64);
    // 'J'*70 + 'a.txt' and + 'b.txt' keep '.txt' and cut the base to 60; the second gets '~1'.
    expect(got[`/Long/${'J'.repeat(60)}.txt`]).toMatchObject({ size: 2 });
    expect(got[`/Long/${'J'.repeat(58)}~1.txt`]).toMatchObject({ size: 2 });
    // Every source file is present exactly once, Links/rel as hello.txt; no empty stand-ins.
    expect(files(got)).toEqual(files(linkFree(srcInfo)));
  });

  it('ISO 9660 via pycdlib: level 2 d-character names, depth <= 8, all data present', () => {
    const got = pycdlibWalk(img, ['iso9660']).iso9660;
    for (const [p, e] of Object.entries(got)) {
      const parts = p.split('/').slice(1);
      expect(parts.length, p).toBeLessThanOrEqual(8);
      const last = parts[parts.length - 1];
      // ECMA-119 §7.5.1/§7.6: d-characters, name+ext <= 30, directories <= 31.
      if (e.type === 'dir') expect(last).toMatch(/^[A-Z0-9_]{1,31}$/);
      else {
        expect(last).toMatch(/^[A-Z0-9_]*\.[A-Z0-9_]*;1$/);
        expect(last.length - 2).toBeLessThanOrEqual(31);
      }
    }
    const srcFiles = Object.values(srcInfo).map((e) => (e.type === 'symlink' ? { type: 'file' as const, size: 0, sha256: undefined } : e));
    const isoFiles = Object.values(got).filter((e) => e.type === 'file').map((e) => (e.size === 0 ? { ...e, sha256: undefined } : e));
    expect(isoFiles.map((e) => `${e.size}:${e.sha256}`).sort()).toEqual(
      srcFiles.filter((e) => e.type === 'file').map((e) => `${e.size}:${e.size === 0 ? undefined : e.sha256}`).sort(),
    );
  });

  it('isoinfo (genisoimage) reads the descriptors and extracts by Joliet and RR name', () => {
    const d = run('isoinfo', ['-d', '-i', img]);
    expect(d).toContain('Volume id: GLASS_TEST');
    expect(d).toContain('Joliet with UCS level 3 found');
    expect(d).toContain('Rock Ridge signatures version 1 found');
    const list = run('isoinfo', ['-R', '-f', '-i', img]).split('\n').filter(Boolean);
    expect(list).toContain('/Unicode/ünïcödé 日本語 😀.txt');
    expect(list).toContain(`/Long/${'y'.repeat(240)}`);
    const x = execBuffer('isoinfo', ['-R', '-x', '/Docs/archive.tar.gz', '-i', img]);
    expect(x.equals(fs.readFileSync(path.join(src, 'Docs/archive.tar.gz')))).toBe(true);
    // isoinfo converts Joliet names to the C locale's charset, so use a Latin name here.
    const j = execBuffer('isoinfo', ['-J', '-x', '/Docs/file with spaces & symbols!@#$%^().md', '-i', img]);
    expect(j.toString()).toBe('sym');
  });

  it("the project's reader finds consistent L and M path tables and no structural warnings", async () => {
    const info = await openImage(img);
    try {
      expect(info.facets).toEqual(['iso9660', 'rockridge', 'joliet', 'udf']);
      expect(info.warnings).toEqual([]);
      expect(info.iso9660?.levelEvidence?.maxDepth).toBeLessThanOrEqual(8);
    } finally {
      await info.close();
    }
  });

  it('streams to standard output with -o - (same bytes as the file)', async () => {
    const stdout = new PassThrough();
    const parts: Buffer[] = [];
    stdout.on('data', (d: Buffer) => parts.push(d));
    const code = await runImageCommand(['-o', '-', '--label', 'Glass Test', '--date', '2024-05-06T07:08:09Z', src], { stdout, stderr: new PassThrough() });
    expect(code).toBe(0);
    const h = createHash('sha256').update(Buffer.concat(parts)).digest('hex');
    expect(h).toBe(sha256File(img));
  });

  it('an empty compilation is a valid image for every reader', async () => {
    const empty = path.join(tmp, 'empty-src');
    fs.mkdirSync(empty);
    const out = path.join(tmp, 'empty.iso');
    expect((await cli(['-o', out, empty])).stderr).toBe('');
    expect(pycdlibWalk(out, ['iso9660', 'joliet', 'rockridge', 'udf'])).toEqual({ iso9660: {}, joliet: {}, rockridge: {}, udf: {} });
    expect(run('udfinfo', [out])).toContain('numfiles=0');
  });

  it('7-Zip reads the UDF volume of the hybrid image (no symlink in it) and extracts the tree exactly', () => {
    expect(run('7z', ['l', '-slt', img])).toMatch(/^Type = Udf$/m);
    const dest = path.join(tmp, 'x-7z');
    run('7z', ['x', '-y', `-o${dest}`, img]);
    expect(describeHostTree(dest)).toEqual(noLinks(srcInfo));
  });

  it('udfinfo sees a closed UDF 1.02 volume with the label and every file', () => {
    const out = run('udfinfo', [img]);
    expect(out).toContain('label=Glass Test');
    expect(out).toContain('udfrev=1.02');
    expect(out).toContain('integrity=closed');
    const nfiles = Object.values(srcInfo).filter((e) => e.type === 'file').length;
    expect(out).toContain(`numfiles=${nfiles}`);
  });

  it('is byte-identical when rebuilt with the same --date, and differs with another date', async () => {
    const a = path.join(tmp, 'a.iso');
    const b = path.join(tmp, 'b.iso');
    expect((await cli(['-o', a, '--label', 'Glass Test', '--date', '2024-05-06T07:08:09Z', src])).code).toBe(0);
    expect(sha256File(a)).toBe(sha256File(img));
    expect((await cli(['-o', b, '--label', 'Glass Test', '--date', '2025-01-01T00:00:00Z', src])).code).toBe(0);
    expect(sha256File(b)).not.toBe(sha256File(img));
  });

  it('is byte-identical when a pathspec makes directories of its own (/x/y=SRC), and the copy overlapping the scan changes no byte', async () => {
    const build = async (out: string, extra: string[] = []) => {
      expect((await cli(['-o', out, '--date', '2024-05-06T07:08:09Z', ...extra, `/made/here=${src}`])).code).toBe(0);
      return sha256File(out);
    };
    const first = await build(path.join(tmp, 'p1.iso'));
    await new Promise((r) => setTimeout(r, 20)); // the clock moves on; /made must not carry it
    expect(await build(path.join(tmp, 'p2.iso'))).toBe(first);
    // --max-sectors makes the CLI place the data after the scan instead of during it.
    expect(await build(path.join(tmp, 'p3.iso'), ['--max-sectors', '10000000'])).toBe(first);
  });

  it('ISO level 1 gives 8.3 names that xorriso and pycdlib read, with Rock Ridge names on top', async () => {
    const out = path.join(tmp, 'l1.iso');
    const r = await cli(['-o', out, '--fs', 'iso9660,rockridge', '--iso-level', '1', src]);
    expect(r.stderr).toBe('');
    const got = pycdlibWalk(out, ['iso9660']).iso9660;
    for (const [p, e] of Object.entries(got)) {
      const last = p.split('/').pop()!;
      // ECMA-119 §10.1: file names 8.3, directory names at most 8 d-characters.
      expect(last).toMatch(e.type === 'dir' ? /^[A-Z0-9_]{1,8}$/ : /^[A-Z0-9_]{1,8}\.[A-Z0-9_]{0,3};1$/);
    }
    expect(xorrisoExtract(out, path.join(tmp, 'x-l1'))).toEqual(srcInfo);
  });

  it('UDF 2.01 beside ISO 9660 is read by pycdlib with every name and SHA-256', async () => {
    const out = path.join(tmp, 'udf201.iso');
    expect((await cli(['-o', out, '--fs', 'iso9660,rockridge,udf', '--udf-revision', '2.01', src])).stderr).toBe('');
    expect(run('udfinfo', [out])).toContain('udfrev=2.01');
    expect(pycdlibWalk(out, ['udf']).udf).toEqual(noLinks(srcInfo));
  });

  it('UDF 2.50 alone (no ISO facet): descriptors at 16 start with BEA01, udfinfo reads a closed volume', async () => {
    const out = path.join(tmp, 'udf250.img');
    expect((await cli(['-o', out, '--fs', 'udf', '--udf-revision', '2.50', '--label', 'OnlyUdf', src])).stderr).toBe('');
    const info = run('udfinfo', [out]);
    expect(info).toContain('udfrev=2.50');
    expect(info).toContain('label=OnlyUdf');
    expect(info).toContain('integrity=closed');
    expect(info).toContain(`numfiles=${Object.values(srcInfo).filter((e) => e.type !== 'dir').length}`);
    // No ISO 9660 descriptor: sector 16 starts the UDF volume recognition sequence (ECMA-167 2/9.2 "BEA01").
    const fd = fs.openSync(out, 'r');
    const head = Buffer.alloc(6);
    fs.readSync(fd, head, 0, 6, 16 * 2048);
    fs.closeSync(fd);
    expect(head.subarray(1, 6).toString()).toBe('BEA01');
  });
});

function execBuffer(cmd: string, args: string[]): Buffer {
  return execFileSync(cmd, args, { maxBuffer: 1 << 28 });
}

describe('image command: argument parsing', () => {
  it('parses boot specs', () => {
    expect(parseBootSpec('bios:/isolinux/isolinux.bin,emul=none,load-size=4,info-table')).toEqual({
      platform: 'bios', isoPath: '/isolinux/isolinux.bin', emulation: 'none', loadSize: 4, infoTable: true,
    });
    expect(parseBootSpec('efi:hidden=/tmp/esp.img')).toEqual({ platform: 'efi', hiddenHostPath: '/tmp/esp.img' });
    expect(() => parseBootSpec('efi:/x,emul=floppy')).toThrow(/no emulation/);
    expect(() => parseBootSpec('mac:/x')).toThrow(/bad --boot/);
  });
  it('parses the full option set and pathspecs', () => {
    const o = parseImageArgs(['-o', 'x.iso', '--fs', 'iso9660,udf', '--iso-level', '3', '--udf-revision', '2.01', '--label', 'L',
      '--date', '2020-01-02T03:04:05Z', '/a/b=/src/b', '/src/c']);
    expect(o.options.fs).toEqual(['iso9660', 'udf']);
    expect(o.options.isoLevel).toBe(3);
    expect(o.options.udfRevision).toBe('2.01');
    expect(o.options.date).toBe('2020-01-02T03:04:05Z');
    expect(o.sources).toEqual([{ dest: '/a/b', hostPath: '/src/b' }, { dest: '/', hostPath: '/src/c' }]);
    expect(() => parseImageArgs(['x'])).toThrow(/missing -o/);
    expect(() => parseImageArgs(['-o', 'x', '--fs', 'hfs'])).toThrow(/unknown file system/);
    expect(() => parseImageArgs(['-o', 'x', '--iso-level', '4'])).toThrow(/iso-level/);
  });
});

describe.skipIf(!ok)('image command: bad input fails with a typed error naming the path, and leaves no image', () => {
  let tmp: string;
  beforeAll(() => { tmp = mktemp('gm-bad-'); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const noOutput = (out: string) => {
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(path.dirname(out)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  };

  // A Unix socket (a file type an image cannot hold): alone, and after 1,000 files whose data the
  // CLI has already started copying (the scan and the copy overlap).
  it.each([
    { name: 'sock', files: 0, socket: 's.sock' },
    { name: 'late-sock', files: 1000, socket: 'zz.sock' },
  ])('a socket in the source ($name)', async ({ name, files, socket }) => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    for (let i = 0; i < files; i++) fs.writeFileSync(path.join(dir, `a${i}`), Buffer.alloc(3000, i & 0xff));
    const server = net.createServer().listen(path.join(dir, socket));
    await new Promise((r) => server.once('listening', r));
    const out = path.join(tmp, `${name}.iso`);
    const r = await cli(['-o', out, dir]);
    server.close();
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain(`socket into an image: ${dir}/${socket}`);
    noOutput(out);
  });

  it('an invalid UTF-8 file name', async () => {
    const dir = path.join(tmp, 'utf');
    fs.mkdirSync(dir);
    fs.writeFileSync(Buffer.from(`${dir}/bad-\xff\xfe-name`, 'latin1'), 'x');
    const out = path.join(tmp, 'utf.iso');
    const r = await cli(['-o', out, dir]);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/not valid UTF-8: .*utf\/bad-/);
    noOutput(out);
  });

  it('a tree deeper than 8 levels without Rock Ridge', async () => {
    const dir = path.join(tmp, 'deep');
    fs.mkdirSync(path.join(dir, 'a/b/c/d/e/f/g/h'), { recursive: true });
    const out = path.join(tmp, 'deep.iso');
    const r = await cli(['-o', out, '--fs', 'iso9660,joliet', dir]);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('/a/b/c/d/e/f/g/h');
    expect(r.stderr).toContain('ECMA-119 §6.8.2.1');
    noOutput(out);
  });

  it('a file too large for the requested ISO level', async () => {
    const dir = path.join(tmp, 'big');
    fs.mkdirSync(dir);
    const fd = fs.openSync(path.join(dir, 'big.bin'), 'w');
    fs.ftruncateSync(fd, 4 * 1024 ** 3 + 1);
    fs.closeSync(fd);
    const out = path.join(tmp, 'big.iso');
    const r = await cli(['-o', out, '--fs', 'iso9660', '--iso-level', '2', dir]);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('file too large for ISO 9660 level 2');
    expect(r.stderr).toContain('/big.bin');
    noOutput(out);
  });

  it('an image over the requested capacity', async () => {
    const dir = path.join(tmp, 'cap');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'f'), Buffer.alloc(1 << 20));
    const out = path.join(tmp, 'cap.iso');
    const r = await cli(['-o', out, '--max-sectors', '300', dir]);
    expect(r.code).toBe(ExitCode.USAGE);
    const needed = Number(/needs (\d+) sectors/.exec(r.stderr)?.[1]);
    expect(r.stderr).toContain('more than the capacity limit of 300 sectors');
    noOutput(out);
    // The same number whatever the limit (the layout stops counting where it first finds the
    // excess), and exactly the size it builds at that limit.
    const r2 = await cli(['-o', out, '--max-sectors', String(needed - 1), dir]);
    expect(r2.stderr).toContain(`needs ${needed} sectors`);
    noOutput(out);
    expect((await cli(['-o', out, '--max-sectors', String(needed), dir])).code).toBe(0);
    expect(fs.statSync(out).size).toBe(needed * 2048);
    fs.rmSync(out);
  });

  it('a symlink loop when following symlinks', async () => {
    const dir = path.join(tmp, 'loop');
    fs.mkdirSync(path.join(dir, 'a'), { recursive: true });
    fs.symlinkSync('..', path.join(dir, 'a/up'));
    const out = path.join(tmp, 'loop.iso');
    const r = await cli(['-o', out, '--follow-symlinks', dir]);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain(`loop (symlink) at ${dir}/a/up`);
    noOutput(out);
  });

  it('an unreadable source path', async () => {
    const out = path.join(tmp, 'missing.iso');
    const r = await cli(['-o', out, path.join(tmp, 'does-not-exist')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${tmp}/does-not-exist`);
    noOutput(out);
  });

  it('a file that vanishes or changes between staging and writing', async () => {
    const dir = path.join(tmp, 'change');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'gone'), 'x');
    fs.writeFileSync(path.join(dir, 'grows'), 'x');
    const mk = () => { const t = new StagingTree(); t.addHostPath('/', dir); return t; };
    const drain = async (t: StagingTree) => { for await (const _c of buildImage({ root: t.root, iso9660: true })) { /* consume */ } };
    const t1 = mk();
    fs.rmSync(path.join(dir, 'gone'));
    await expect(drain(t1)).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('vanished before it was imaged: /gone') });
    fs.writeFileSync(path.join(dir, 'gone'), 'x');
    const t2 = mk();
    fs.appendFileSync(path.join(dir, 'grows'), 'more');
    await expect(drain(t2)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('changed while being imaged (size 1 → 5): /grows') });
  });

  it('cancellation stops the stream with CancelledError and removes the partial file', async () => {
    const dir = path.join(tmp, 'cancel');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'f'), Buffer.alloc(16 << 20));
    const ac = new AbortController();
    const { io: s, err } = io();
    const out = path.join(tmp, 'cancel.iso');
    const p = runImageCommand(['-o', out, dir], { ...s, signal: ac.signal });
    ac.abort();
    expect(await p).toBe(ExitCode.CANCELLED);
    expect(err.join('')).toContain('cancelled');
    noOutput(out);
  });
});
