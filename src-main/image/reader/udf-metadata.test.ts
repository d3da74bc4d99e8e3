// UDF 2.50 metadata partition (OSTA UDF 2.50 §2.2.10): no tool here writes one (mkudffs 2.3 and
// pycdlib do not), so a genisoimage UDF image whose tree was verified against its source (udf.test.ts)
// is converted in place: a metadata partition map whose metadata file maps metadata blocks 1:1 onto
// the physical partition, every ICB reference moved to that map. The tree must read back identical
// through the metadata file, through the mirror when the main file is damaged, and fail cleanly
// when both are.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../common/errors';
import { requireTools } from '../../testing/peer-tools';
import { bufferBlockReader } from './block-reader';
import { openImage } from './image';
import { makeSourceTree, run, sha256, tempDir } from './test-fixtures';
import { convertToMetadataPartition } from './udf-metadata-fixture';
import type { TreeNode } from './types';

const ok = requireTools('genisoimage');

function snapshot(n: TreeNode): unknown {
  return { name: n.name, kind: n.kind, size: n.size, mtime: n.mtime, children: n.children?.map(snapshot) };
}

async function hashes(img: Buffer): Promise<{ tree: unknown; files: Record<string, string>; info: Awaited<ReturnType<typeof openImage>> }> {
  const info = await openImage(bufferBlockReader(img));
  const root = await info.tree('udf');
  const files: Record<string, string> = {};
  const walk = async (n: TreeNode, p: string) => {
    for (const c of n.children ?? []) {
      const path = `${p}/${c.name}`;
      if (c.kind === 'file') {
        const parts: Buffer[] = [];
        for await (const b of info.readFile('udf', path)) parts.push(b);
        files[path] = sha256(Buffer.concat(parts));
      } else if (c.kind === 'dir') await walk(c, path);
    }
  };
  await walk(root, '');
  return { tree: snapshot(root), files, info };
}

describe.skipIf(!ok)('UDF 2.50 metadata partition', () => {
  const t = tempDir('meta');
  let orig: Buffer;
  let expected: Awaited<ReturnType<typeof hashes>>;
  let converted: ReturnType<typeof convertToMetadataPartition>;
  beforeAll(async () => {
    makeSourceTree(join(t.dir, 'src'));
    run('genisoimage', ['-quiet', '-udf', '-o', join(t.dir, 'u.iso'), join(t.dir, 'src')]);
    orig = readFileSync(join(t.dir, 'u.iso'));
    expected = await hashes(orig);
    const dirs: TreeNode[] = [];
    const collect = (n: TreeNode) => {
      dirs.push(n);
      for (const c of n.children ?? []) if (c.kind === 'dir') collect(c);
    };
    collect(await expected.info.tree('udf'));
    converted = convertToMetadataPartition(orig, dirs);
  });
  afterAll(() => t.cleanup());

  it('reads the same tree and contents through the metadata file', async () => {
    const got = await hashes(converted.img);
    expect(got.info.udf!.revision).toBe('2.50');
    expect(got.info.udf!.partitionMaps.map((m) => m.type)).toEqual(['type1', 'metadata']);
    expect(got.info.udf!.warnings).toBeUndefined();
    expect(got.tree).toEqual(expected.tree);
    expect(got.files).toEqual(expected.files);
    expect(Object.keys(got.files).length).toBeGreaterThan(5);
  });

  it('falls back to the metadata mirror file when the main one is damaged', async () => {
    const img = Buffer.from(converted.img);
    img[converted.metaLba * 2048 + 100] ^= 0xff; // breaks the FE's descriptor CRC
    const got = await hashes(img);
    expect(got.info.udf!.warnings?.[0]).toMatch(/^metadata file: .*CRC/);
    expect(got.tree).toEqual(expected.tree);
    expect(got.files).toEqual(expected.files);
  });

  it('fails with InvalidImageError when both are damaged', async () => {
    const img = Buffer.from(converted.img);
    img[converted.metaLba * 2048 + 100] ^= 0xff;
    img[converted.mirrorLba * 2048 + 100] ^= 0xff;
    const info = await openImage(bufferBlockReader(img));
    // The ISO 9660 side of the bridge still opens; UDF is reported as unreadable.
    expect(info.facets).not.toContain('udf');
    expect(info.warnings.some((w) => /^udf: UDF metadata partition unreadable/.test(w))).toBe(true);
    const udfOnly = Buffer.from(img);
    udfOnly.fill(0, 16 * 2048, 17 * 2048); // drop the ISO 9660 PVD: now UDF is all there is
    await expect(openImage(bufferBlockReader(udfOnly))).rejects.toBeInstanceOf(InvalidImageError);
  });
});
