// UDF sparable partitions (OSTA UDF §2.2.9, §2.2.12): a packet listed in the sparing table is read
// from its spare location. mkudffs writes the tables (all spares free); the test relocates the
// packet holding the file set descriptor and root directory exactly as a drive's defect
// management would, and destroys the original.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../common/errors';
import { requireTools } from '../../testing/peer-tools';
import { bufferBlockReader } from './block-reader';
import { crcItuT } from './bytes';
import { openImage } from './image';
import { tempDir } from './test-fixtures';

const ok = requireTools('mkudffs', 'udfinfo');

function retag(b: Buffer, off: number): void {
  const crcLen = b.readUInt16LE(off + 10);
  b.writeUInt16LE(crcItuT(b, off + 16, crcLen), off + 8);
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[off + i];
  b[off + 4] = sum & 0xff;
}

describe.skipIf(!ok)('UDF sparable partition', () => {
  const t = tempDir('sparing');
  afterAll(() => t.cleanup());

  it('follows the sparing table to a relocated packet, and falls back to the second table copy', async () => {
    const file = join(t.dir, 'cdrw.img');
    execFileSync('mkudffs', ['--new-file', '-b', '2048', '-m', 'cdrw', '-r', '2.01', '--label=SPARED', '--uid=42', file, '8192'], { stdio: 'ignore' });
    const orig = readFileSync(file);
    const before = await openImage(bufferBlockReader(orig));
    const root = await before.tree('udf');
    expect(before.udf!.partitionMaps.map((m) => m.type)).toEqual(['sparable']);
    const pStart = before.udf!.partitions[0].start;

    // Locate the sparing tables through the LVD's type 2 map (§2.2.9: locations at offset 48).
    const img = Buffer.from(orig);
    const vds = img.readUInt32LE(256 * 2048 + 20);
    let lvd = vds;
    while (img.readUInt16LE(lvd * 2048) !== 6) lvd++;
    const map = lvd * 2048 + 440;
    const packetLength = img.readUInt16LE(map + 40);
    const tables = [img.readUInt32LE(map + 48), img.readUInt32LE(map + 52)];
    const spare = img.readUInt32LE(tables[0] * 2048 + 60); // first entry's mapped (spare) sector
    // Relocate packet 0 (FSD, root ICB) to the spare, record it in both tables, wipe the original.
    img.copy(img, spare * 2048, pStart * 2048, (pStart + packetLength) * 2048);
    for (const tl of tables) {
      img.writeUInt32LE(0, tl * 2048 + 56);
      retag(img, tl * 2048);
    }
    img.fill(0, pStart * 2048, (pStart + packetLength) * 2048);

    const after = await openImage(bufferBlockReader(img));
    expect(after.udf!.logicalVolumeId).toBe('SPARED');
    expect(after.udf!.fileSetId).toBe(before.udf!.fileSetId);
    expect(await after.tree('udf')).toEqual(root);
    expect(root.uid).toBe(42);

    // First table copy damaged: the second one is used (§2.2.12 allows up to four copies).
    img[tables[0] * 2048 + 100] ^= 0xff;
    expect(await (await openImage(bufferBlockReader(img))).tree('udf')).toEqual(root);
    // Both damaged: the relocation is unknown, so the volume cannot be read.
    img[tables[1] * 2048 + 100] ^= 0xff;
    await expect(openImage(bufferBlockReader(img))).rejects.toBeInstanceOf(InvalidImageError);
  });
});
