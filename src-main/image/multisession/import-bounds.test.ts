// An image whose volume space size claims more sectors than it holds must not be continued: found
// by the reader fuzz (seed 1, case 311: PVD volume space size 0xFFFFFFFE). The next session was
// planned at sector 2^32 - 32 and an internal RangeError escaped from the path table encoder.
import { describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../common/errors';
import { bufferBlockReader } from '../reader';
import { StagingTree } from '../staging/staging-tree';
import { imageBytes, smallTree } from '../fuzz/writer-seeds';
import { importPreviousSession, planMultisession } from './multisession';

/** ECMA-119 §8.4.8: volume space size, both-byte-order at PVD bytes 80-87. */
function withVolumeSpaceSize(img: Buffer, sectors: number): Buffer {
  const out = Buffer.from(img);
  out.writeUInt32LE(sectors >>> 0, 16 * 2048 + 80);
  out.writeUInt32BE(sectors >>> 0, 16 * 2048 + 84);
  return out;
}

/** What the product does with an imported disc or image: plan the next session where the last ends. */
async function continueSession(img: Buffer): Promise<unknown> {
  const tree = new StagingTree();
  const prev = await importPreviousSession(tree, bufferBlockReader(img));
  tree.addBuffer('new.txt', Buffer.from('new'));
  await planMultisession({ root: tree.root, iso9660: true, joliet: true, rockRidge: true, startLba: prev.nextWritableAddress, previousEnd: prev.lastSessionEnd });
  return prev;
}

describe('importing a previous session whose recorded size exceeds the image', () => {
  it('refuses a volume space size past the end of the image with InvalidImageError, not a RangeError', async () => {
    const img = await imageBytes({ root: smallTree({ deep: 3 }).root, iso9660: true, joliet: true, rockRidge: true });
    await expect(continueSession(img)).resolves.toBeDefined();
    const sectors = img.length / 2048;
    for (const claimed of [0xfffffffe, 0xffffffff, sectors + 1, sectors * 4]) {
      const err = await continueSession(withVolumeSpaceSize(img, claimed)).catch((e: unknown) => e);
      expect(err, `volume space size ${claimed}`).toBeInstanceOf(InvalidImageError);
      expect((err as Error).message).toMatch(/volume space|claims/);
    }
  });
});

describe('importing a previous session whose files lie outside the image', () => {
  /** The root's record named `isoName` (ECMA-119 §9.1), as a byte offset. */
  function recordOf(img: Buffer, isoName: string): number {
    const root = img.readUInt32LE(16 * 2048 + 158);
    for (let p = root * 2048; img[p] !== 0; p += img[p]) {
      if (img.toString('latin1', p + 33, p + 33 + img[p + 32]).startsWith(isoName)) return p;
    }
    throw new Error(`no record ${isoName}`);
  }

  it('refuses a file extent past the end of the image (and past 2^32 with its extended attribute length) with InvalidImageError', async () => {
    // Found by the reader fuzz (seed 5, case 1585): extent 0xFFFFFFFF + extended attribute length
    // 255 (§9.1.2) reached the new session's directory encoder as sector 2^32 + 254: a RangeError.
    const img = await imageBytes({ root: smallTree({ deep: 3 }).root, iso9660: true, joliet: true, rockRidge: true });
    const sectors = img.length / 2048;
    for (const [lba, extAttr] of [[0xffffffff, 255], [sectors + 100, 0], [sectors - 1, 5]] as const) {
      const bad = Buffer.from(img);
      const rec = recordOf(bad, 'README.TXT');
      bad[rec + 1] = extAttr;
      bad.writeUInt32LE(lba >>> 0, rec + 2);
      bad.writeUInt32BE(lba >>> 0, rec + 6);
      const err = await continueSession(bad).catch((e: unknown) => e);
      expect(err, `extent ${lba} + ${extAttr}`).toBeInstanceOf(InvalidImageError);
      expect((err as Error).message).toMatch(/README.TXT.*outside/);
    }
  });
});
