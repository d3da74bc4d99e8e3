// planUdf contract and structure: region sizes independent of data LBAs, placement validation,
// extent splitting, and the recorded structures read back field by field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../common/errors';
import { extentsFor, MAX_EXTENT_BYTES, planUdf, udfPermissions, type UdfNodeInput, type UdfRevision, type UdfVolumeInput } from './index';
import { fidSize, layoutFids } from './file-descriptors';
import { TEST_MTIME, writeUdfTestImage } from './test-image';
import { openImage, type ImageInfo, type TreeNode, type UdfEntryDetails } from '../reader';
import { decodeTag } from '../reader/udf';

const tmp = mkdtempSync(join(tmpdir(), 'gm-udf-plan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const vol = (revision: UdfRevision, extra: Partial<UdfVolumeInput> = {}): UdfVolumeInput => ({
  label: 'PLAN',
  revision,
  recordingTime: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
  ...extra,
});
const file = (name: string, size: number, extents: { lba: number; length: number }[] = []): UdfNodeInput => ({
  name,
  kind: 'file',
  size,
  extents,
  mtime: TEST_MTIME,
});
const dir = (name: string, children: UdfNodeInput[]): UdfNodeInput => ({ name, kind: 'dir', size: 0, extents: [], mtime: TEST_MTIME, children });

describe('extentsFor', () => {
  it('splits at 2^30 − 2048 bytes (ECMA-167 4/14.14.1.1 30-bit length, whole blocks but the last)', () => {
    expect(MAX_EXTENT_BYTES).toBe(1073739776);
    expect(extentsFor(0)).toEqual([]);
    expect(extentsFor(1)).toEqual([1]);
    expect(extentsFor(MAX_EXTENT_BYTES)).toEqual([MAX_EXTENT_BYTES]);
    expect(extentsFor(MAX_EXTENT_BYTES + 1)).toEqual([MAX_EXTENT_BYTES, 1]);
    // 5 GiB = 5 × 2^30 = 5 × MAX + 5 × 2048 → five full extents and 10240 bytes.
    expect(extentsFor(5 * 2 ** 30)).toEqual([...Array(5).fill(MAX_EXTENT_BYTES), 10240]);
  });
  it('rejects negative and fractional sizes', () => {
    expect(() => extentsFor(-1)).toThrow(InvalidInputError);
    expect(() => extentsFor(1.5)).toThrow(InvalidInputError);
  });
});

describe('layoutFids (OSTA UDF §2.3.4.4: no FID tag spans a block on write-once media)', () => {
  it('grows the FID that would leave fewer than 16 bytes in its block by a 32-byte Implementation Use', () => {
    // Parent FID = 40 bytes; twenty 100-byte FIDs (38 + 62-byte name) would end at 2040, leaving 8.
    const { implUse, bytes } = layoutFids([0, ...Array(20).fill(62)]);
    expect(implUse.slice(0, 20).every((x) => x === 0)).toBe(true);
    expect(implUse[20]).toBe(32);
    expect(bytes).toBe(40 + 19 * 100 + 132);
  });
  it('leaves a FID ending exactly on a block boundary alone', () => {
    // 40 + 2008 = 2048: the next tag starts a fresh block.
    const { implUse } = layoutFids([0, 2008 - 38]);
    expect(implUse).toEqual([0, 0]);
  });
  it('keeps every FID tag inside one block for arbitrary name lengths', () => {
    const names = Array.from({ length: 500 }, (_, i) => 2 + ((i * 37) % 200));
    const { implUse } = layoutFids(names);
    let off = 0;
    names.forEach((n, i) => {
      expect(2048 - (off % 2048)).toBeGreaterThanOrEqual(16);
      off += fidSize(n, implUse[i]);
    });
  });
});

describe('udfPermissions (ECMA-167 4/14.9.5)', () => {
  it('maps rwx per class to bits 0–2 (other), 5–7 (group), 10–12 (owner), plus owner change-attribute', () => {
    // 0755 → other r-x = 0b101, group r-x << 5, owner rwx << 10, owner chattr bit 13: 0x3CA5 (as mkudffs writes it).
    expect(udfPermissions(0o755)).toBe(0x3ca5);
    expect(udfPermissions(0o444)).toBe((4 << 10) | (4 << 5) | 4);
    expect(udfPermissions(0o000)).toBe(0);
  });
});

describe('planUdf regions', () => {
  it('do not depend on data LBAs', () => {
    const a = planUdf(dir('', [file('a', 5000, [{ lba: 1000, length: 5000 }])]), vol('1.02')).regions;
    const b = planUdf(dir('', [file('a', 5000, [{ lba: 99999, length: 5000 }])]), vol('1.02')).regions;
    expect(a).toEqual(b);
    expect(a).toEqual({ vrs: 3, mainVds: 16, reserveVds: 16, lvid: 2, fileSet: 2 /* FSD+TD */, partitionMeta: 2 /* root FE+FIDs */ + 1 /* file FE */ });
  });
  it('2.50 reserves both metadata FEs (the head), alignment slack and the metadata file (twice when mirrored)', () => {
    const t = dir('', [file('a', 1)]);
    expect(planUdf(t, vol('2.50')).regions.fileSet).toBe(2);
    expect(planUdf(t, vol('2.50')).regions.partitionMeta).toBe(31 + 32);
    expect(planUdf(t, vol('2.50', { metadataMirror: true })).regions.partitionMeta).toBe(31 + 64);
  });
  it('counts AED blocks for files with more extents than one File Entry holds', () => {
    // short_ad: (2048 − 176) / 8 = 234 per FE; 300 extents → 233 + continuation, the AED holds 67.
    const big = 300 * MAX_EXTENT_BYTES;
    expect(planUdf(dir('', [file('big', big)]), vol('2.01')).regions.partitionMeta).toBe(2 + 1 + 1);
  });
});

describe('planUdf determinism', () => {
  it('encodeLazy renders the same bytes in any slicing, nodes straddling a slice included', () => {
    // A 3-block directory (200 FIDs), symlinks and files: slices of 1..5 blocks cut through every node.
    const names = Array.from({ length: 200 }, (_, i) => file(`file-${String(i).padStart(3, '0')}`, 0));
    const mk = () => dir('', [dir('big', names), { name: 'l', kind: 'symlink', size: 0, extents: [], mtime: TEST_MTIME, symlinkTarget: '../x/y' }, file('a', 1, [{ lba: 780, length: 1 }])]);
    const p = { vrsLba: 16, mainVdsLba: 32, reserveVdsLba: 48, lvidLba: 64, partitionStartLba: 257, partitionLength: 540, fileSetLba: 257, partitionMetaLba: 259, anchorLbas: [256, 800], totalSectors: 801 };
    for (const rev of ['1.02', '2.50'] as UdfRevision[]) {
      const plan = planUdf(mk(), vol(rev, { metadataMirror: true }));
      const whole = plan.encode(p);
      const lazy = plan.encodeLazy(p);
      expect(lazy.map((x) => x.lba)).toEqual(whole.map((x) => x.lba));
      lazy.forEach((piece, k) => {
        if ('data' in piece) return;
        for (const step of [1, 2, 3, 5]) {
          const out = Buffer.alloc(piece.sectors * 2048, 0xee); // render must clear what it does not write
          for (let s = 0; s < piece.sectors; s += step) piece.render(out, s * 2048, s, Math.min(step, piece.sectors - s));
          expect(out.equals(whole[k].data)).toBe(true);
        }
      });
    }
  });
  it('encodes identical bytes for identical input, and encode() may be called again', () => {
    const mk = () => dir('', [file('a', 5000, [{ lba: 400, length: 5000 }]), dir('d', [file('Ω', 1, [{ lba: 410, length: 1 }])])]);
    const p = { vrsLba: 16, mainVdsLba: 32, reserveVdsLba: 48, lvidLba: 64, partitionStartLba: 257, partitionLength: 300, fileSetLba: 257, partitionMetaLba: 259, anchorLbas: [256, 600], totalSectors: 601 };
    for (const rev of ['1.02', '2.50'] as UdfRevision[]) {
      // Byte comparison through Buffer.equals: deep-equality over every byte is needlessly slow.
      const flat = (x: { lba: number; data: Buffer }[]) => ({ lbas: x.map((e) => e.lba), bytes: Buffer.concat(x.map((e) => e.data)) });
      const a = flat(planUdf(mk(), vol(rev)).encode(p));
      const planB = planUdf(mk(), vol(rev));
      for (const b of [flat(planB.encode(p)), flat(planB.encode(p))]) {
        expect(b.lbas).toEqual(a.lbas);
        expect(b.bytes.equals(a.bytes)).toBe(true);
      }
    }
  });
});

describe('planUdf validation', () => {
  it('rejects duplicate, empty, "."/"..", slash names; cuts over-long ones to fit L_FI', async () => {
    expect(() => planUdf(dir('', [file('a', 0), file('a', 0)]), vol('1.02'))).toThrow(/duplicate/);
    expect(() => planUdf(dir('', [file('', 0)]), vol('1.02'))).toThrow(InvalidInputError);
    expect(() => planUdf(dir('', [file('..', 0)]), vol('1.02'))).toThrow(InvalidInputError);
    expect(() => planUdf(dir('', [file('a/b', 0)]), vol('1.02'))).toThrow(InvalidInputError);
    // L_FI counts the compression ID: 254 Latin-1 characters fit (255 bytes), 255 are cut to 254;
    // 16-bit: 127 units = 255 bytes fit, 128 are cut to 127 (udf/names.ts; peers.test.ts and
    // preflight.test.ts read cut names back with 7-Zip and against preflight's prediction).
    const path = join(tmp, 'long-names.img');
    writeUdfTestImage(path, { name: '', children: ['x'.repeat(254), 'x'.repeat(255), '漢'.repeat(127), '漢'.repeat(128), `${'漢'.repeat(130)}.txt`].map((name) => ({ name, data: Buffer.from(name) })) }, vol('2.01'));
    const img = await openImage(path);
    try {
      const { entries } = await walk(img);
      expect(entries.map((e) => e.path.slice(1))).toEqual(['x'.repeat(254), `${'x'.repeat(252)}~1`, '漢'.repeat(127), `${'漢'.repeat(125)}~1`, `${'漢'.repeat(123)}.txt`]);
    } finally {
      await img.close();
    }
    // A link to a long-named file (UDF records links when asked): its target names the file as cut.
    const linked = join(tmp, 'long-link.img');
    const long = `λ${'a'.repeat(200)}.txt`;
    writeUdfTestImage(linked, { name: '', children: [{ name: long, data: Buffer.from('x') }, { name: 'link', symlinkTarget: `./${long}` }] }, vol('2.01'));
    const li = await openImage(linked);
    try {
      const kids = (await li.tree('udf')).children!;
      expect(kids.map((k) => [k.name, k.symlinkTarget])).toEqual([[`λ${'a'.repeat(122)}.txt`, undefined], ['link', `./λ${'a'.repeat(122)}.txt`]]);
    } finally {
      await li.close();
    }
    // Links to the second of two names that cut alike (it gets "~1"), in a long-named folder built
    // after the first link, and back into it through "..": each target names what the folder records.
    const twins = join(tmp, 'twin-link.img');
    const longDir = `λ${'d'.repeat(200)}`;
    const [first, second] = [`λ${'a'.repeat(200)}1.txt`, `λ${'a'.repeat(200)}2.txt`];
    writeUdfTestImage(twins, {
      name: '',
      children: [
        { name: 'a-link', symlinkTarget: `${longDir}/${second}` },
        { name: longDir, children: [{ name: first, data: Buffer.from('1') }, { name: second, data: Buffer.from('2') }, { name: 'up-link', symlinkTarget: `../${longDir}/./${second}` }] },
        { name: 'outside', symlinkTarget: `../${longDir}/${second}` },
      ],
    }, vol('2.01'));
    const ti = await openImage(twins);
    try {
      const tree = await ti.tree('udf');
      const dirCut = `λ${'d'.repeat(126)}`;
      const secondCut = `λ${'a'.repeat(120)}~1.txt`;
      const inDir = tree.children!.find((k) => k.name === dirCut)!;
      expect(inDir.children!.map((k) => k.name)).toEqual([`λ${'a'.repeat(122)}.txt`, secondCut, 'up-link']);
      expect(tree.children!.find((k) => k.name === 'a-link')!.symlinkTarget).toBe(`${dirCut}/${secondCut}`);
      expect(inDir.children!.find((k) => k.name === 'up-link')!.symlinkTarget).toBe(`../${dirCut}/./${secondCut}`);
      // Above the disc's root nothing is known: each component is cut alone (no counter).
      expect(tree.children!.find((k) => k.name === 'outside')!.symlinkTarget).toBe(`../${dirCut}/λ${'a'.repeat(122)}.txt`);
    } finally {
      await ti.close();
    }
  });
  it('rejects out-of-range uid, gid and mode', () => {
    expect(() => planUdf(dir('', [{ ...file('a', 0), uid: 2 ** 32 }]), vol('1.02'))).toThrow(/uid/);
    expect(() => planUdf(dir('', [{ ...file('a', 0), gid: -1 }]), vol('1.02'))).toThrow(/gid/);
    expect(() => planUdf(dir('', [{ ...file('a', 0), mode: 0o1000000 }]), vol('1.02'))).toThrow(/mode/);
    // Messages name the entry by its path in the tree.
    const deep = dir('', [dir('a', [dir('b', [{ ...file('f', 0), uid: -5 }, { ...file('g', 0), mtime: new Date(NaN) }])])]);
    expect(() => planUdf(deep, vol('1.02'))).toThrow('UDF: /a/b/f has a bad uid -5');
    expect(() => planUdf(dir('', [dir('a', [file('x', 0), file('x', 0)])]), vol('1.02'))).toThrow('duplicate name "x" in /a');
    expect(() => planUdf(dir('', [dir('a', [dir('b', [{ ...file('g', 0), mtime: new Date(NaN) }])])]), vol('1.02'))).toThrow('UDF: /a/b/g mtime is not a valid Date');
    // A stat() mode with S_IFREG (0o100000) is fine: the type bits are ignored.
    expect(() => planUdf(dir('', [{ ...file('a', 0), mode: 0o100644 }]), vol('1.02'))).not.toThrow();
  });
  it('rejects unrecordable labels and times at plan time', () => {
    expect(() => planUdf(dir('', []), vol('1.02', { label: 'a\ud800' }))).toThrow(InvalidInputError);
    expect(() => planUdf(dir('', []), vol('1.02', { recordingTime: new Date(NaN) }))).toThrow(InvalidInputError);
    expect(() => planUdf(dir('', [{ ...file('a', 0), mtime: new Date(Date.UTC(10000, 0, 1)) }]), vol('1.02'))).toThrow(/1\.\.9999/);
  });
  it('rejects a non-directory root and unknown revisions', () => {
    expect(() => planUdf(file('x', 0), vol('1.02'))).toThrow(InvalidInputError);
    expect(() => planUdf(dir('', []), vol('3.00' as UdfRevision))).toThrow(InvalidInputError);
  });
  const placement = (meta: number) => ({
    vrsLba: 16,
    mainVdsLba: 32,
    reserveVdsLba: 48,
    lvidLba: 64,
    partitionStartLba: 257,
    partitionLength: 1000,
    fileSetLba: 257,
    partitionMetaLba: 259,
    anchorLbas: [256, 1300],
    totalSectors: 1301,
    ...(meta ? {} : {}),
  });
  it('rejects overlapping regions, regions past the end and extents outside the partition', () => {
    const plan = planUdf(dir('', [file('a', 4096, [{ lba: 300, length: 4096 }])]), vol('1.02'));
    expect(() => plan.encode({ ...placement(0), reserveVdsLba: 40 })).toThrow(/overlaps/);
    expect(() => plan.encode({ ...placement(0), anchorLbas: [256, 1301] })).toThrow(/past the image/);
    expect(() => plan.encode({ ...placement(0), partitionMetaLba: 200 })).toThrow(/inside the partition/);
    const outside = planUdf(dir('', [file('a', 4096, [{ lba: 100, length: 4096 }])]), vol('1.02'));
    expect(() => outside.encode(placement(0))).toThrow(/outside the partition/);
    const onMeta = planUdf(dir('', [file('a', 4096, [{ lba: 258, length: 4096 }])]), vol('1.02'));
    expect(() => onMeta.encode(placement(0))).toThrow(/overlaps/);
    const wrongCount = planUdf(dir('', [file('a', 4096, [{ lba: 300, length: 2048 }, { lba: 301, length: 2048 }])]), vol('1.02'));
    expect(() => wrongCount.encode(placement(0))).toThrow(/extent/);
    expect(() => plan.encode(placement(0))).not.toThrow();
  });
});

/** One entry of the UDF tree as the reader decoded it, with the raw fields (udfDetails). */
interface Walked {
  path: string;
  node: TreeNode;
  udf: UdfEntryDetails;
}

/** The reader's UDF tree, depth first without the root, and the root. */
async function walk(img: ImageInfo): Promise<{ root: TreeNode; entries: Walked[] }> {
  const root = await img.tree('udf');
  const entries: Walked[] = [];
  const visit = (n: TreeNode, path: string) => {
    for (const c of n.children ?? []) {
      entries.push({ path: `${path}/${c.name}`, node: c, udf: c.udf! });
      if (c.kind === 'dir') visit(c, `${path}/${c.name}`);
    }
  };
  visit(root, '');
  return { root, entries };
}

/**
 * Every File Entry, FID and AED tag names its own logical block (ECMA-167 4/7.2.8); the reader
 * has already verified their checksums and CRCs.
 */
function expectTagLocations(root: TreeNode, entries: Walked[]): void {
  for (const u of [root.udf!, ...entries.map((e) => e.udf)]) {
    expect(u.tagLocation).toBe(u.icb.lbn);
    for (const a of u.aeds) expect(a.tagLocation).toBe(a.lbn);
    for (const f of [u.fid, u.parentFid]) if (f) expect(f.tagLocation).toBe(f.block);
    if (u.fileType === 4) expect(u.parentFid).toBeDefined();
  }
}

async function readAll(img: ImageInfo, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of img.readFile('udf', path)) parts.push(Buffer.from(b));
  return Buffer.concat(parts);
}

/** The bytes of a node's recorded extents (a symlink's path components). */
async function rawData(img: ImageInfo, n: TreeNode): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const e of n.extents) parts.push((await img.reader.read(e.lba, Math.ceil(e.length / 2048))).subarray(0, e.length));
  return Buffer.concat(parts);
}

describe('recorded structures', () => {
  const tree = {
    name: '',
    children: [
      { name: 'readme.txt', data: Buffer.from('hello\n'), mode: 0o100640 /* stat() mode with S_IFREG */, uid: 1000, gid: 100 },
      { name: '.hidden', data: Buffer.from('x'), hidden: true },
      { name: 'suid', data: Buffer.from('#!/bin/sh\n'), mode: 0o4755 },
      { name: 'abs', symlinkTarget: '/usr/bin/env' },
      { name: 'rel', symlinkTarget: '../up/./x' },
      { name: 'sub', children: [{ name: 'a', children: [] }, { name: 'b', children: [] }] },
    ],
  };

  for (const rev of ['1.02', '1.50', '2.00', '2.01', '2.50'] as UdfRevision[]) {
    it(`UDF ${rev}: every tag verifies and FE/FID fields follow the input`, async () => {
      const path = join(tmp, `struct-${rev}.img`);
      const written = writeUdfTestImage(path, tree, vol(rev));
      // Volume structures: tag location is the absolute sector (ECMA-167 3/7.2.8).
      for (const s of written.sectors) {
        if (s.lba < written.placement.partitionStartLba || written.placement.anchorLbas.includes(s.lba)) {
          for (let o = 0; o < s.data.length; o += 2048)
            if (s.data.readUInt16LE(o) !== 0 && s.data[o + 1] === 0 && s.data.readUInt16LE(o) < 10) decodeTag(s.data, o, `volume structure at ${s.lba}`, s.lba + o / 2048);
        }
      }
      const img = await openImage(path, { udfDetails: true });
      try {
        const { root, entries } = await walk(img);
        const d = img.udf!.details!;
        // The reader found nothing amiss (FID CRC lengths, extents) on the way.
        expect(img.warnings).toEqual([]);
        expectTagLocations(root, entries);
        expect(d.fileSet.tagLocation).toBe(d.fileSet.lbn);
        expect(d.integrity!.tagLocation).toBe(d.integrity!.lba);
        const by = new Map(entries.map((e) => [e.path, e.udf]));
        expect([...by.keys()]).toEqual(['/readme.txt', '/.hidden', '/suid', '/abs', '/rel', '/sub', '/sub/a', '/sub/b']);
        // Descriptor version 2 for NSR02 revisions, 3 for NSR03 (OSTA UDF §2.2.1.1).
        expect(by.get('/readme.txt')!.tagVersion).toBe(rev < '2.00' ? 2 : 3);
        const readme = by.get('/readme.txt')!;
        expect(readme.fileType).toBe(5);
        expect(readme.uid).toBe(1000);
        expect(readme.gid).toBe(100);
        expect(readme.permissions).toBe(udfPermissions(0o640));
        expect(readme.informationLength).toBe(6);
        expect(readme.logicalBlocksRecorded).toBe(1);
        expect((await readAll(img, 'readme.txt')).toString()).toBe('hello\n');
        // 2.50: FEs live in the metadata partition, file data in partition 0 via long_ad.
        expect(readme.icbFlags & 7).toBe(rev === '2.50' ? 1 : 0);
        expect(readme.allocation[0].partRef).toBe(0);
        // Unique IDs: root 0, then from 16 (OSTA UDF §3.2.1.1); the FID copy equals the FE's.
        expect(root.udf!.uniqueId).toBe(0);
        expect(readme.uniqueId).toBe(16);
        for (const e of entries) expect(e.udf.fid!.uniqueId).toBe(e.udf.uniqueId);
        // Default uid/gid: 2^32 − 1 = not recorded (OSTA UDF §3.3.3.1).
        expect(by.get('/.hidden')!.uid).toBe(0xffffffff);
        expect(by.get('/.hidden')!.fid!.characteristics & 1).toBe(1);
        expect(readme.fid!.characteristics).toBe(0);
        expect(by.get('/suid')!.icbFlags & (1 << 6)).toBe(1 << 6);
        expect(by.get('/sub')!.fid!.characteristics).toBe(2);
        expect(by.get('/sub')!.linkCount).toBe(3); // its FID plus the parent FIDs of a and b
        // Symlink path components (ECMA-167 4/14.16.1): type 2 root, then type 5 names.
        const node = (p: string) => entries.find((e) => e.path === p)!.node;
        expect(by.get('/abs')!.fileType).toBe(12);
        expect([...(await rawData(img, node('/abs')))]).toEqual([2, 0, 0, 0, 5, 4, 0, 0, 8, ...Buffer.from('usr'), 5, 4, 0, 0, 8, ...Buffer.from('bin'), 5, 4, 0, 0, 8, ...Buffer.from('env')]);
        expect([...(await rawData(img, node('/rel')))]).toEqual([3, 0, 0, 0, 5, 3, 0, 0, 8, ...Buffer.from('up'), 4, 0, 0, 0, 5, 2, 0, 0, 8, 0x78]);
        if (rev === '2.50') {
          const maps = img.udf!.partitionMaps;
          expect(maps.map((m) => m.type)).toEqual(['type1', 'metadata']);
          expect(maps[1].flags).toBe(0);
          expect(maps[1].alignmentUnit).toBe(32);
          // The metadata files: their tags verified and located (in partition 0), file types 250/251.
          for (const [m, type] of [[d.metadataFile!, 250], [d.metadataMirrorFile!, 251]] as const) {
            expect(m.fileType).toBe(type);
            expect(m.tagLocation).toBe(m.icb.lbn);
          }
          // Not mirrored: the mirror FE describes the same extents (one copy on disc).
          expect(d.metadataMirrorFile!.allocation).toEqual(d.metadataFile!.allocation);
          expect(d.metadataFile!.allocation[0].lbn % 32).toBe(0);
        }
      } finally {
        await img.close();
      }
    });
  }

  it('UDF 2.50 with a metadata mirror records an identical second copy', async () => {
    const path = join(tmp, 'mirror.img');
    writeUdfTestImage(path, tree, vol('2.50', { metadataMirror: true }));
    const img = await openImage(path, { udfDetails: true });
    try {
      const d = img.udf!.details!;
      expect(img.udf!.partitionMaps[1].flags).toBe(1);
      const [m] = d.metadataFile!.allocation;
      const [mm] = d.metadataMirrorFile!.allocation;
      expect(d.metadataMirrorFile!.tagLocation).toBe(d.metadataMirrorFile!.icb.lbn);
      expect(mm.lbn).not.toBe(m.lbn);
      expect(mm.length).toBe(m.length);
      const partStart = img.udf!.partitions[0].start;
      expect((await img.reader.read(partStart + mm.lbn, mm.length / 2048)).equals(await img.reader.read(partStart + m.lbn, m.length / 2048))).toBe(true);
      const { root, entries } = await walk(img);
      expect(entries.length).toBe(8);
      expectTagLocations(root, entries);
    } finally {
      await img.close();
    }
  });

  // short_ad (2.01): the FE holds 233 + a continuation, one AED the other 68.
  // long_ad (2.50): the FE holds 116 + a continuation, the first AED 125 + one, the second 60.
  for (const [rev, aeds] of [['2.01', 1], ['2.50', 2]] as [UdfRevision, number][]) {
    it(`UDF ${rev}: chains allocation descriptors through ${aeds} AED(s) when a File Entry is full`, async () => {
      const path = join(tmp, `aed-${rev}.img`);
      const size = 300 * MAX_EXTENT_BYTES + 5; // 301 extents; sparse on disc
      writeUdfTestImage(path, { name: '', children: [{ name: 'huge', sparse: { size, head: Buffer.from('HEAD'), tail: Buffer.from('TAIL') } }] }, vol(rev));
      const img = await openImage(path, { udfDetails: true });
      try {
        const { root, entries } = await walk(img);
        const huge = entries[0].udf;
        expectTagLocations(root, entries);
        expect(huge.aeds.length).toBe(aeds);
        expect(huge.allocation.length).toBe(301);
        expect(huge.informationLength).toBe(size);
        expect(huge.allocation.reduce((a, e) => a + e.length, 0)).toBe(size);
        expect(huge.allocation.every((e) => e.partRef === 0 && e.type === 0)).toBe(true);
        // Contiguous as laid out: each extent starts where the previous ended.
        for (let i = 1; i < huge.allocation.length; i++) expect(huge.allocation[i].lbn).toBe(huge.allocation[i - 1].lbn + MAX_EXTENT_BYTES / 2048);
        // The head and tail read back through the reader's mapping of those extents.
        expect(entries[0].node.extents.length).toBe(301);
      } finally {
        await img.close();
      }
    });
  }
});
