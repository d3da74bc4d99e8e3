// The ISO 9660 / Joliet / Rock Ridge reader checked against images made by xorriso and against
// isoinfo's own listing of those images.
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../common/errors';
import { requireTools } from '../../testing/peer-tools';
import { bufferBlockReader } from './block-reader';
import { openImage, type ImageInfo } from './image';
import { MTIME, makeSourceTree, readHostFile, run, sha256, tempDir, type FixtureFile } from './test-fixtures';
import type { TreeFacet, TreeNode } from './types';

const ok = requireTools('xorriso', 'isoinfo');

async function content(info: ImageInfo, facet: TreeFacet, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of info.readFile(facet, path)) parts.push(b);
  return Buffer.concat(parts);
}

function flatten(node: TreeNode, prefix = ''): Map<string, TreeNode> {
  const m = new Map<string, TreeNode>();
  for (const c of node.children ?? []) {
    const p = prefix ? `${prefix}/${c.name}` : c.name;
    m.set(p, c);
    for (const [k, v] of flatten(c, p)) m.set(k, v);
  }
  return m;
}

/** Parses `isoinfo -l` ("Directory listing of /X/" blocks; "[ lba flags]  NAME" lines). */
function isoinfoListing(image: string, extra: string[] = []): Map<string, { size: number; lba: number }> {
  const out = new Map<string, { size: number; lba: number }>();
  let dir = '';
  for (const line of run('isoinfo', ['-l', ...extra, '-i', image]).split('\n')) {
    const d = /^Directory listing of \/(.*)$/.exec(line);
    if (d) {
      dir = d[1].replace(/\/$/, '');
      continue;
    }
    const m = /^\S+\s+\d+\s+\d+\s+\d+\s+(\d+)\s+\w+\s+\d+\s+\d+\s+\[\s*(\d+)\s+\d+\]\s+(.*?)\s*$/.exec(line);
    if (!m || m[3] === '.' || m[3] === '..') continue;
    out.set(dir ? `${dir}/${m[3]}` : m[3], { size: +m[1], lba: +m[2] });
  }
  return out;
}

describe.skipIf(!ok)('ISO 9660 + Joliet + Rock Ridge image from xorriso', () => {
  const t = tempDir('iso');
  let files: FixtureFile[];
  let image: string;
  let info: ImageInfo;

  beforeAll(async () => {
    files = makeSourceTree(join(t.dir, 'src'));
    image = join(t.dir, 'rr.iso');
    run('xorriso', ['-as', 'mkisofs', '-J', '-R', '-V', 'GMTEST', '-publisher', 'Glass Pub', '-o', image, join(t.dir, 'src')]);
    info = await openImage(image);
  });
  afterAll(async () => {
    await info?.close();
    t.cleanup();
  });

  it('finds the facets and the volume fields xorriso wrote', () => {
    expect(info.facets).toEqual(expect.arrayContaining(['iso9660', 'joliet', 'rockridge']));
    expect(info.facets).not.toContain('udf');
    expect(info.iso9660?.volumeId).toBe('GMTEST');
    expect(info.iso9660?.publisherId).toBe('GLASS PUB'); // a-characters (ECMA-119 §8.4.20, §7.4.1): xorriso upper-cases
    expect(info.joliet?.jolietLevel).toBe(3); // isoinfo -d: "Joliet with UCS level 3 found"
    // ECMA-119 §8.4.8: the volume space is the whole image here (single session, no padding beyond).
    expect(info.iso9660?.volumeSpaceSize).toBe(+/Volume size is: (\d+)/.exec(run('isoinfo', ['-d', '-i', image]))![1]);
    expect(info.rockridge?.extensions.some((e) => /RRIP_1991A|IEEE_P1282/.test(e))).toBe(true);
    expect(info.warnings).toEqual([]); // includes both path tables agreeing with the tree
    expect(info.session.sessions).toHaveLength(1);
  });

  it('lists the ISO 9660 names, sizes and extents isoinfo lists', async () => {
    const ours = flatten(await info.tree('iso9660'));
    const theirs = isoinfoListing(image);
    const oursByIsoPath = new Map<string, { size: number; lba: number }>();
    const walk = (n: TreeNode, prefix: string) => {
      for (const c of n.children ?? []) {
        const p = prefix ? `${prefix}/${c.isoName}` : c.isoName!;
        oursByIsoPath.set(p, { size: c.size, lba: c.extents[0]?.lba ?? 0 });
        walk(c, p);
      }
    };
    walk(await info.tree('iso9660'), '');
    expect(oursByIsoPath).toEqual(theirs);
    expect(ours.get('README.TXT')?.size).toBe(18);
    // Level 1 (xorriso's default): 8.3 d-character names (ECMA-119 §10.1).
    expect(info.iso9660?.levelEvidence).toMatchObject({ all83: true, nonDCharacters: false, levelGuess: 1, multiExtentFiles: 0 });
  });

  it('Rock Ridge gives back the original names, contents, modes, times and symlinks', async () => {
    const rr = flatten(await info.tree('rockridge'));
    for (const f of files) {
      const node = rr.get(f.path);
      expect(node, f.path).toBeDefined();
      expect(node!.kind).toBe('file');
      expect(node!.size).toBe(f.size);
      expect(node!.mtime).toBe(MTIME.toISOString());
      expect(node!.mode! & 0o170000).toBe(0o100000);
      expect(sha256(await content(info, 'rockridge', f.path))).toBe(f.sha256);
    }
    const link = rr.get('data/link-to-readme')!;
    expect(link.kind).toBe('symlink');
    expect(link.symlinkTarget).toBe(readlinkSync(join(t.dir, 'src/data/link-to-readme')));
    expect(rr.get('abs-link')?.symlinkTarget).toBe('/etc/hostname');
    // xorriso's default keeps deep directories in place (no relocation); see the deep_paths_off test.
    expect(rr.get('d1/d2/d3/d4/d5/d6/d7/d8/d9')?.kind).toBe('dir');
  });

  it('Joliet gives UCS-2 names, truncated at 64 characters', async () => {
    const j = flatten(await info.tree('joliet'));
    expect(j.get('Ünïcødé名前 with spaces.txt')?.size).toBe(8);
    expect(sha256(await content(info, 'joliet', 'data/random-300k.bin'))).toBe(files.find((f) => f.path === 'data/random-300k.bin')!.sha256);
    const long = [...j.keys()].find((k) => k.startsWith('a-very-long'))!;
    expect(long.length).toBeLessThan('a-very-long-file-name-that-does-not-fit-in-eight-dot-three-or-even-thirty-one.text'.length);
    // Same names, sizes and extents as isoinfo's Joliet listing.
    // isoinfo prints non-ASCII Joliet names lossily, so those are compared by count only.
    const ascii = (k: string) => /^[\x20-\x7e]*$/.test(k);
    const theirs = isoinfoListing(image, ['-J']);
    expect(theirs.size).toBe(j.size);
    expect(new Map([...j].filter(([k]) => ascii(k)).map(([k, v]) => [k, { size: v.size, lba: v.extents[0]?.lba ?? 0 }]))).toEqual(new Map([...theirs].filter(([k]) => ascii(k))));
  });

  it('reads the image the same through a BlockReader', async () => {
    const mem = await openImage(bufferBlockReader(readHostFile(image)));
    expect(mem.toJSON().facets).toEqual(info.toJSON().facets);
    expect(JSON.parse(JSON.stringify(await mem.tree('rockridge')))).toEqual(JSON.parse(JSON.stringify(await info.tree('rockridge'))));
  });
});

describe.skipIf(!ok)('Rock Ridge directory relocation (RRIP §4.1.5 CL/PL/RE)', () => {
  const t = tempDir('reloc');
  afterAll(() => t.cleanup());
  for (const [tool, args] of [
    ['xorriso', ['-compliance', 'deep_paths_off', '-as', 'mkisofs', '-R']],
    ['genisoimage', ['-quiet', '-R']],
  ] as const) {
    it(`${tool}: relocated directories are shown in place, once`, async () => {
      if (!requireTools(tool)) return;
      const src = join(t.dir, `src-${tool}`);
      const files = makeSourceTree(src);
      const image = join(t.dir, `${tool}.iso`);
      run(tool, [...args, '-o', image, src]);
      const info = await openImage(image);
      try {
        // Plain ISO 9660: level 9 (D8, root = level 1) moved out of /D1/…/D7 (ECMA-119 §6.8.2.1).
        const iso = flatten(await info.tree('iso9660'));
        // In place, only the CL placeholder remains: a file record (RRIP §4.1.5.1).
        expect(iso.get('D1/D2/D3/D4/D5/D6/D7/D8')?.kind).toBe('file');
        expect([...iso.keys()].some((k) => /(^|\/)D8\/D9\/DEEP\.TXT;1$/.test(k) || /(^|\/)D8\/D9\/DEEP\.TXT$/.test(k))).toBe(true);
        // Rock Ridge: back in place through CL, the RE original hidden.
        const rr = flatten(await info.tree('rockridge'));
        const deep = files.find((f) => f.path.endsWith('deep.txt'))!;
        expect(rr.get(deep.path)?.size).toBe(deep.size);
        expect([...rr.keys()].filter((k) => /(^|\/)d8$/.test(k))).toEqual(['d1/d2/d3/d4/d5/d6/d7/d8']);
        expect(sha256(await content(info, 'rockridge', deep.path))).toBe(deep.sha256);
      } finally {
        await info.close();
      }
    });
  }
});

describe.skipIf(!ok)('ISO levels 1/2/3 from xorriso', () => {
  const t = tempDir('levels');
  beforeAll(() => makeSourceTree(join(t.dir, 'src')));
  afterAll(() => t.cleanup());

  for (const level of [1, 2, 3] as const) {
    it(`level ${level}: names match isoinfo and evidence is compatible`, async () => {
      const image = join(t.dir, `l${level}.iso`);
      run('xorriso', ['-as', 'mkisofs', '-iso-level', String(level), '-o', image, join(t.dir, 'src')]);
      const info = await openImage(image);
      try {
        expect(info.facets).toContain('iso9660');
        expect(info.facets).not.toContain('joliet');
        const ev = info.iso9660!.levelEvidence!;
        // Level 1 forces 8.3 (§10.1); levels 2/3 allow up to 31 characters (§10.2), which xorriso uses.
        if (level === 1) expect(ev.all83).toBe(true);
        else expect(ev.maxNameLength).toBeGreaterThan(12);
        expect(ev.maxNameLength).toBeLessThanOrEqual(level === 1 ? 12 : 31);
        expect(ev.levelGuess).toBeLessThanOrEqual(level);
        const listing = isoinfoListing(image);
        const ours = new Map<string, number>();
        const walk = (n: TreeNode, prefix: string) => {
          for (const c of n.children ?? []) {
            const p = prefix ? `${prefix}/${c.isoName}` : c.isoName!;
            ours.set(p, c.size);
            walk(c, p);
          }
        };
        walk(await info.tree('iso9660'), '');
        expect(ours).toEqual(new Map([...listing].map(([k, v]) => [k, v.size])));
      } finally {
        await info.close();
      }
    });
  }
});

describe('hostile input', () => {
  it('rejects a too-small or empty image with InvalidImageError', async () => {
    await expect(openImage(bufferBlockReader(Buffer.alloc(2048 * 10)))).rejects.toBeInstanceOf(InvalidImageError);
    await expect(openImage(bufferBlockReader(Buffer.alloc(2048 * 40)))).rejects.toBeInstanceOf(InvalidImageError);
  });
});
