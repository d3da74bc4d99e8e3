// planImage with file data the caller placed itself (the CLI copies while it scans): the same
// image as planImage's own placement, and a mismatch is an internal error, never a wrong image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InternalError } from '../../common/errors';
import { StagingTree, type StagingNode } from '../staging/staging-tree';
import { writeImage } from '../writer/write-image';
import { mktemp } from '../test-support/peers';
import { sectorsFor } from '../iso9660/encoding';
import { dataStartLba, planImage, type DataPiece, type ImageSpec } from './plan-image';

let tmp: string;
beforeAll(() => {
  tmp = mktemp('gm-preplaced-');
  for (let i = 0; i < 40; i++) {
    const d = path.join(tmp, `d${i % 3}`, i % 2 ? 'sub' : '');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `f${i}.bin`), Buffer.alloc(i * 700, i));
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Stages tmp as the CLI does, placing each file as the scan finds it. */
function scan(): { spec: ImageSpec; nodes: StagingNode[]; pieces: DataPiece[]; startLba: number } {
  const tree = new StagingTree({ now: new Date(Date.UTC(2025, 0, 1)) });
  const base = { root: tree.root, iso9660: true, joliet: true, rockRidge: true, udf: true, recordingTime: new Date(Date.UTC(2025, 0, 1)) };
  const startLba = dataStartLba(base);
  let next = startLba;
  const nodes: StagingNode[] = [];
  const pieces: DataPiece[] = [];
  tree.addHostPath('/', tmp, {
    onFile: (node, imagePath) => {
      if (node.size === 0) return;
      nodes.push(node);
      pieces.push({ lba: next, size: node.size, source: node.source!, path: imagePath });
      next += sectorsFor(node.size);
    },
  });
  return { spec: base, nodes, pieces, startLba };
}

async function bytes(spec: ImageSpec, preplaced?: ReturnType<typeof scan>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of writeImage(await planImage(spec, { preplaced }), { reuseBuffer: false })) parts.push(c);
  return Buffer.concat(parts);
}

describe('planImage preplaced', () => {
  it('gives the image planImage places itself, and takes the caller’s pieces as its own', async () => {
    const s = scan();
    expect(s.pieces.length).toBe(39); // f0 is empty: no data to place
    expect((await bytes(s.spec, s)).equals(await bytes(scan().spec))).toBe(true);
    const plan = await planImage(s.spec, { preplaced: s });
    for (const p of s.pieces) expect(plan.data).toContain(p);
  });

  it('refuses a start, an LBA or a file the layout does not agree with', async () => {
    const s = scan();
    await expect(planImage(s.spec, { preplaced: { ...s, startLba: s.startLba + 1 } })).rejects.toThrow(InternalError);
    const moved = scan();
    moved.pieces[5].lba += 1;
    await expect(planImage(moved.spec, { preplaced: moved })).rejects.toThrow(/pre-placed file at LBA/);
    const gone = scan();
    const victim = gone.nodes[7];
    const parentOf = (d: StagingNode): StagingNode | undefined =>
      [...(d.children?.values() ?? [])].includes(victim) ? d : [...(d.children?.values() ?? [])].map(parentOf).find(Boolean);
    parentOf(gone.spec.root)!.children!.delete(victim.name); // removed after it was placed
    await expect(planImage(gone.spec, { preplaced: gone })).rejects.toThrow(/not in the tree/);
  });
});

describe('capacity (maxSectors)', () => {
  it('names the whole image size when refusing, even when the data alone is over: that size is then accepted', async () => {
    const { spec } = scan();
    const total = (await planImage(spec)).totalSectors;
    let handed = 0;
    // Under the data alone: no piece is handed out for copying, and the refusal says `total`.
    await expect(planImage({ ...spec, maxSectors: 100 }, { onDataPlaced: () => handed++ })).rejects.toThrow(`image needs ${total} sectors`);
    expect(handed).toBe(0);
    await expect(planImage({ ...spec, maxSectors: total - 1 })).rejects.toThrow(`image needs ${total} sectors`);
    expect((await planImage({ ...spec, maxSectors: total })).totalSectors).toBe(total);
  });
});
