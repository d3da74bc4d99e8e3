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
import { UdfTestReader } from './test-reader';

const ok = requireTools('mkudffs');
const tmp = mkdtempSync(join(tmpdir(), 'gm-udf-ref-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function facts(path: string) {
  const r = new UdfTestReader(path);
  try {
    const root = r.root();
    const pvd = r.sector(r.mainVdsLba);
    return {
      // PVD (ECMA-167 3/10.1): interchange level, maximum level, character set lists, flags.
      pvd: { tag: pvd.readUInt16LE(0), levels: [pvd.readUInt16LE(60), pvd.readUInt16LE(62)], charsets: [pvd.readUInt32LE(64), pvd.readUInt32LE(68)], flags: pvd.readUInt16LE(488) },
      integrity: r.integrity(),
      domainRevision: r.domainSuffix.readUInt16LE(0),
      root: {
        fileType: root.fe.fileType,
        permissions: root.fe.permissions,
        linkCount: root.fe.linkCount,
        uniqueId: root.fe.uniqueId,
        infoLength: root.fe.infoLength,
        blocksRecorded: root.fe.blocksRecorded,
        tagVersion: root.fe.tagVersion,
        adType: root.fe.icbFlags & 7,
      },
      parentFid: {
        size: root.parentFid.length,
        characteristics: root.parentFid[18],
        fileVersion: root.parentFid.readUInt16LE(16),
        crcLength: root.parentFid.readUInt16LE(10),
        tagVersion: root.parentFid.readUInt16LE(2),
      },
    };
  } finally {
    r.close();
  }
}

describe.skipIf(!ok)('structure compared with mkudffs', () => {
  for (const rev of ['1.02', '1.50', '2.01'] as UdfRevision[]) {
    it(`UDF ${rev}: empty volume facts agree byte for byte`, () => {
      const ref = join(tmp, `mkudffs-${rev}.img`);
      execFileSync('truncate', ['-s', '8M', ref]);
      // File Entries (not Extended) and short_ads, as we record them; 2048-byte blocks.
      execFileSync('mkudffs', ['--media-type=hd', '--blocksize=2048', `--udfrev=${rev}`, '--noefe', '--ad=short', '--label=REF', ref], { stdio: 'pipe' });
      const ours = join(tmp, `ours-${rev}.img`);
      writeUdfTestImage(ours, { name: '', children: [], mode: 0o755, mtime: TEST_MTIME }, { label: 'REF', revision: rev, recordingTime: TEST_MTIME });

      const a = facts(ref);
      const b = facts(ours);
      // Not compared by design: access type (mkudffs leaves the volume writable, with a space
      // bitmap) and mkudffs' 2.01 system stream directory, which no count includes.
      // Unique IDs 0–15 are reserved (OSTA UDF §3.2.1.1), so an empty volume's next ID is 16.
      expect(b.integrity).toEqual(a.integrity);
      expect(b.integrity.nextUniqueId).toBe(16n);
      expect(b.domainRevision).toBe(a.domainRevision);
      expect(b.root).toEqual(a.root);
      expect(b.parentFid).toEqual(a.parentFid);
    });
  }
});
