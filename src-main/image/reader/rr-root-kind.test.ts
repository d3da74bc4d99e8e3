// The root's own "." record cannot make the root anything but a directory: found by the reader
// fuzz (seed 1, case 63188: a PX entry of the root "." renamed SL). The root became a symlink with
// children, and --import crashed with a TypeError building the new session's tree from it.
import { describe, expect, it } from 'vitest';
import { InvalidImageError } from '../../common/errors';
import { imageBytes, smallTree } from '../fuzz/writer-seeds';
import { importPreviousSession } from '../multisession/multisession';
import { StagingTree } from '../staging/staging-tree';
import { bufferBlockReader } from './block-reader';
import { openImage } from './image';

describe('Rock Ridge attributes of the root "." record', () => {
  it('keep the root a directory with its children when they say symlink (SL) or a non-directory mode', async () => {
    const img = await imageBytes({ root: smallTree({ deep: 2 }).root, iso9660: true, rockRidge: true });
    const root = img.readUInt32LE(16 * 2048 + 158) * 2048;
    // SUSP §4 entries of the "." record start at byte 34 (1-byte name, no padding): SP, then RR entries.
    let px = -1;
    for (let p = root + 34; p + 4 <= root + img[root]; p += img[p + 2]) if (img.toString('latin1', p, p + 2) === 'PX') px = p;
    expect(px).toBeGreaterThan(0);
    const asSymlink = Buffer.from(img);
    asSymlink.write('SL', px, 'latin1'); // RRIP §4.1.3: the PX body read as SL components
    const asFileMode = Buffer.from(img);
    asFileMode.writeUInt32LE(0o100644, px + 4); // RRIP §4.1.1: a regular file's mode
    for (const bad of [asSymlink, asFileMode]) {
      const info = await openImage(bufferBlockReader(bad));
      const tree = await info.tree('rockridge');
      expect(tree.kind).toBe('dir');
      expect(tree.symlinkTarget).toBeUndefined();
      expect(tree.children!.map((c) => c.name)).toContain('README.TXT');
      const err = await importPreviousSession(new StagingTree(), bufferBlockReader(bad)).then(() => undefined, (e: unknown) => e);
      if (err !== undefined) expect(err).toBeInstanceOf(InvalidImageError);
    }
  });
});
