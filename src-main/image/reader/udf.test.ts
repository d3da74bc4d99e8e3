// The UDF reader against images from genisoimage (UDF 1.02 bridge with files), mkudffs (every
// revision it writes, type 1 and VAT partitions) and pycdlib (files, directories, symlinks),
// cross-checked with udfinfo.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { bufferBlockReader } from './block-reader';
import { crcItuT } from './bytes';
import { openImage, type ImageInfo } from './image';
import { MTIME, makeSourceTree, run, sha256, tempDir, type FixtureFile } from './test-fixtures';
import type { TreeNode } from './types';

const ok = requireTools('genisoimage', 'mkudffs', 'udfinfo');
const okPy = requireTools('/usr/bin/python3');

function flatten(node: TreeNode, prefix = ''): Map<string, TreeNode> {
  const m = new Map<string, TreeNode>();
  for (const c of node.children ?? []) {
    const p = prefix ? `${prefix}/${c.name}` : c.name;
    m.set(p, c);
    for (const [k, v] of flatten(c, p)) m.set(k, v);
  }
  return m;
}

async function content(info: ImageInfo, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of info.readFile('udf', path)) parts.push(b);
  return Buffer.concat(parts);
}

/** `udfinfo` prints key=value lines. */
function udfinfo(image: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of run('udfinfo', [image]).split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

describe.skipIf(!ok)('UDF 1.02 bridge from genisoimage -udf', () => {
  const t = tempDir('udf');
  let files: FixtureFile[];
  let info: ImageInfo;
  let image: string;
  beforeAll(async () => {
    files = makeSourceTree(join(t.dir, 'src'));
    image = join(t.dir, 'bridge.iso');
    run('genisoimage', ['-quiet', '-udf', '-J', '-R', '-V', 'GMUDF', '-o', image, join(t.dir, 'src')]);
    info = await openImage(image);
  });
  afterAll(async () => {
    await info?.close();
    t.cleanup();
  });

  it('finds UDF next to ISO 9660 and agrees with udfinfo', () => {
    expect(info.facets).toEqual(expect.arrayContaining(['iso9660', 'joliet', 'rockridge', 'udf']));
    const theirs = udfinfo(image);
    expect(info.udf).toMatchObject({ revision: theirs.udfrev, logicalVolumeId: theirs.lvid, volumeId: theirs.vid, volumeSetId: theirs.fullvsid, logicalBlockSize: +theirs.blocksize });
    expect(info.udf?.nsr).toBe('NSR02'); // ECMA-167 2nd edition identifier for UDF < 2.00
  });

  it('gives back every regular file with its name, size, mtime and content', async () => {
    const tree = flatten(await info.tree('udf'));
    for (const f of files) {
      // genisoimage caps UDF file identifiers at 64 characters (its Joliet limit), as udfinfo/Linux also show.
      const udfPath = f.path.split('/').map((c) => [...c].slice(0, 64).join('')).join('/');
      const n = tree.get(udfPath);
      expect(n, f.path).toBeDefined();
      expect(n!.size).toBe(f.size);
      expect(n!.mtime).toBe(MTIME.toISOString());
      expect(sha256(await content(info, udfPath))).toBe(f.sha256);
    }
    expect(tree.get('d1/d2/d3/d4/d5/d6/d7/d8/d9')?.kind).toBe('dir'); // UDF has no depth limit to relocate around
    expect(info.warnings).toEqual([]);
  });

  it('warns about FIDs whose CRC does not cover the padded descriptor (ECMA-167 4/14.4)', async () => {
    const img = readFileSync(image);
    const root = await info.tree('udf');
    const fid = root.extents[0].lba * 2048; // first FID of the root directory (the parent entry)
    const crcLen = img.readUInt16LE(fid + 10) - 2;
    img.writeUInt16LE(crcLen, fid + 10);
    img.writeUInt16LE(crcItuT(img, fid + 16, crcLen), fid + 8);
    let sum = 0;
    for (let i = 0; i < 16; i++) if (i !== 4) sum += img[fid + i];
    img[fid + 4] = sum & 0xff;
    const bad = await openImage(bufferBlockReader(img));
    expect((await bad.tree('udf')).children?.length).toBe(root.children?.length);
    expect(bad.warnings).toEqual([expect.stringMatching(/^udf: FID in \/ has CRC length \d+, not \d+ \(Linux rejects/)]);
  });
});

describe.skipIf(!ok)('UDF from mkudffs (every revision it writes)', () => {
  const t = tempDir('mkudffs');
  afterAll(() => t.cleanup());
  // hd media: type 1 partition; cdr/bdr media: VAT (virtual partition, OSTA UDF §2.2.10/§2.2.11).
  const cases = [
    { rev: '1.02', media: 'hd', maps: ['type1'] },
    { rev: '1.50', media: 'hd', maps: ['type1'] },
    { rev: '2.01', media: 'hd', maps: ['type1'] },
    { rev: '1.50', media: 'cdr', maps: ['type1', 'virtual'] },
    { rev: '2.01', media: 'cdrw', maps: ['sparable'] },
    { rev: '2.50', media: 'bdr', maps: ['type1', 'virtual'] },
  ];
  for (const c of cases) {
    it(`UDF ${c.rev} on ${c.media}`, async () => {
      const image = join(t.dir, `u-${c.rev}-${c.media}.img`);
      execFileSync('mkudffs', ['--new-file', '--blocksize=2048', `--media-type=${c.media}`, `--udfrev=${c.rev}`, '--label=GM Label', '--uid=1000', '--gid=100', '--mode=0750', image, '8192'], { stdio: 'ignore' });
      const info = await openImage(image);
      try {
        const theirs = udfinfo(image);
        expect(info.facets).toEqual(['udf']);
        expect(info.udf!.revision).toBe(c.rev);
        expect(info.udf!.minReadRevision).toBe(theirs.udfrev);
        expect(info.udf!.maxWriteRevision).toBe(theirs.udfwriterev);
        expect(info.udf!.logicalVolumeId).toBe(theirs.lvid);
        expect(info.udf!.volumeId).toBe(theirs.vid);
        expect(info.udf!.fileSetId).toBe(theirs.fsid);
        expect(info.udf!.volumeSetId).toBe(theirs.fullvsid);
        expect(info.udf!.applicationId).toBe(theirs.appid);
        expect(info.udf!.integrity).toBe(theirs.integrity);
        expect(info.udf!.numDirs).toBe(+theirs.numdirs);
        expect(info.udf!.numFiles).toBe(+theirs.numfiles);
        expect(info.udf!.partitionMaps.map((m) => m.type)).toEqual(c.maps);
        const pspace = /start=(\d+), blocks=(\d+), type=PSPACE/.exec(run('udfinfo', [image]))!;
        expect(info.udf!.partitions[0]).toMatchObject({ start: +pspace[1], length: +pspace[2] });
        const root = await info.tree('udf');
        expect(root.children).toEqual([]);
        // mkudffs --uid/--gid/--mode set the root directory's owner and permissions (ECMA-167 4/14.9.5).
        expect(root).toMatchObject({ kind: 'dir', uid: 1000, gid: 100, mode: 0o040750 });
      } finally {
        await info.close();
      }
    });
  }
});

describe.skipIf(!okPy)('UDF from pycdlib (directories, symlink, non-ASCII name)', () => {
  const t = tempDir('pyudf');
  afterAll(() => t.cleanup());
  it('reads the tree pycdlib wrote', async () => {
    const image = join(t.dir, 'p.iso');
    const script = [
      'import sys, io, pycdlib',
      'iso = pycdlib.PyCdlib()',
      "iso.new(udf='2.60', vol_ident='PYUDF')",
      "iso.add_directory('/SUB', udf_path='/sub')",
      'data = bytes(range(256)) * 40',
      "iso.add_fp(io.BytesIO(data), len(data), '/DATA.BIN;1', udf_path='/sub/data.bin')",
      "iso.add_fp(io.BytesIO(b'hi\\n'), 3, '/HI.TXT;1', udf_path='/Hello W\\u00f6rld \\u540d.txt')",
      "iso.add_symlink(udf_symlink_path='/link', udf_target='sub/data.bin')",
      'iso.write(sys.argv[1])',
    ].join('\n');
    execFileSync('/usr/bin/python3', ['-c', script, image]);
    const info = await openImage(image);
    try {
      const tree = flatten(await info.tree('udf'));
      expect([...tree.keys()].sort()).toEqual(['Hello Wörld 名.txt', 'link', 'sub', 'sub/data.bin']);
      const data = Buffer.alloc(10240);
      for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
      expect(sha256(await content(info, 'sub/data.bin'))).toBe(sha256(data));
      expect((await content(info, 'Hello Wörld 名.txt')).toString()).toBe('hi\n');
      expect(tree.get('link')).toMatchObject({ kind: 'symlink', symlinkTarget: 'sub/data.bin' });
      expect(info.udf?.revision).toBe(udfinfo(image).udfrev);
    } finally {
      await info.close();
    }
  });
});
