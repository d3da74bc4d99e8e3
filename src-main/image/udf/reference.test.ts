// The same structural checks applied to a reference image from mkudffs (udftools) and to ours:
// where the two writers record the same fact (LVID implementation use, root File Entry, parent
// FID, descriptor versions), the bytes must agree. Differences by design are named below.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import type { UdfRevision } from './index';
import { TEST_MTIME, writeUdfTestImage } from './test-image';
import { openImage } from '../reader';

const ok = requireTools('mkudffs');
const tmp = mkdtempSync(join(tmpdir(), 'gm-udf-ref-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The facts both writers record, as the reader decodes them (udfDetails: the raw fields). */
async function facts(path: string) {
  const img = await openImage(path, { udfDetails: true });
  try {
    const d = img.udf!.details!;
    const root = (await img.tree('udf')).udf!;
    const parentFid = root.parentFid!;
    const i = d.integrity!;
    return {
      // PVD (ECMA-167 3/10.1): interchange level, maximum level, character set lists, flags.
      pvd: {
        tag: d.primaryVolume.tagIdentifier,
        levels: [d.primaryVolume.interchangeLevel, d.primaryVolume.maxInterchangeLevel],
        charsets: [d.primaryVolume.characterSetList, d.primaryVolume.maxCharacterSetList],
        flags: d.primaryVolume.flags,
      },
      // LVID (ECMA-167 3/10.10; OSTA UDF §2.2.6.4 implementation use).
      integrity: {
        type: i.type,
        nextUniqueId: i.nextUniqueId,
        partitions: i.partitions,
        implUseLength: i.implUseLength,
        files: i.numFiles,
        dirs: i.numDirs,
        minRead: i.minReadRevision,
        minWrite: i.minWriteRevision,
        maxWrite: i.maxWriteRevision,
      },
      domainRevision: d.domainRevision,
      root: {
        fileType: root.fileType,
        permissions: root.permissions,
        linkCount: root.linkCount,
        uniqueId: root.uniqueId,
        infoLength: root.informationLength,
        blocksRecorded: root.logicalBlocksRecorded,
        tagVersion: root.tagVersion,
        adType: root.icbFlags & 7,
      },
      parentFid: {
        size: parentFid.size,
        characteristics: parentFid.characteristics,
        fileVersion: parentFid.fileVersion,
        crcLength: parentFid.crcLength,
        tagVersion: parentFid.tagVersion,
      },
    };
  } finally {
    await img.close();
  }
}

describe.skipIf(!ok)('structure compared with mkudffs', () => {
  for (const rev of ['1.02', '1.50', '2.01'] as UdfRevision[]) {
    it(`UDF ${rev}: empty volume facts agree byte for byte`, async () => {
      const ref = join(tmp, `mkudffs-${rev}.img`);
      execFileSync('truncate', ['-s', '8M', ref]);
      // File Entries (not Extended) and short_ads, as we record them; 2048-byte blocks.
      execFileSync('mkudffs', ['--media-type=hd', '--blocksize=2048', `--udfrev=${rev}`, '--noefe', '--ad=short', '--label=REF', ref], { stdio: 'pipe' });
      const ours = join(tmp, `ours-${rev}.img`);
      writeUdfTestImage(ours, { name: '', children: [], mode: 0o755, mtime: TEST_MTIME }, { label: 'REF', revision: rev, recordingTime: TEST_MTIME });

      const a = await facts(ref);
      const b = await facts(ours);
      // Not compared by design: access type (mkudffs leaves the volume writable, with a space
      // bitmap) and mkudffs' 2.01 system stream directory, which no count includes.
      // Unique IDs 0–15 are reserved (OSTA UDF §3.2.1.1), so an empty volume's next ID is 16.
      expect(b.integrity).toEqual(a.integrity);
      expect(b.integrity.nextUniqueId).toBe(16);
      expect(b.domainRevision).toBe(a.domainRevision);
      expect(b.root).toEqual(a.root);
      expect(b.parentFid).toEqual(a.parentFid);
    });
  }
});
