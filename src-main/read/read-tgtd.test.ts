// The read side against an independent MMC implementation: tgtd's DVD drive over our iSCSI
// initiator, holding an xorriso image as a DVD-ROM (a non-empty backing file, tgt doc/README.mmc).
// readDisc's ISO is cmp-identical to tgt's backing file; verify against it and its folder passes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drive } from '../drive/drive';
import { requireTools } from '../testing/peer-tools';
import { startTgtd, type Tgtd } from '../testing/tgtd';
import { IscsiTransport } from '../transport/iscsi/iscsi-transport';
import { verifyDisc } from '../verify/verify-disc';
import { readDiscLayout } from './disc-layout';
import { readDisc } from './read-disc';
import { pattern, writeTree, xorrisoImage } from './test-support';

const ok = requireTools('tgtd', 'tgtadm', 'xorriso');

describe.skipIf(!ok)('read and verify against tgtd (iSCSI)', () => {
  let tgtd: Tgtd;
  let dir: string;
  const transport = new IscsiTransport([], { keepaliveIntervalMs: 0 });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-read-tgtd-'));
    writeTree(join(dir, 'src'), { 'x.txt': 'over iSCSI\n', 'y/z.bin': pattern(120_000, 4) });
    xorrisoImage(join(dir, 'src'), join(dir, 'disc.iso'));
    tgtd = await startTgtd();
  });
  afterAll(async () => {
    await tgtd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('DVD-ROM: layout, ISO read (cmp with the backing file), verify against image and folder', async () => {
    const backing = await tgtd.dataDisc(readFileSync(join(dir, 'disc.iso')));
    const url = await tgtd.addTarget('iqn.2026-11.org.glassmaster.test:read-rom', backing);
    const dev = await transport.open(url);
    try {
      const drive = new Drive(dev, { retryDelayMs: 10 });
      const layout = await readDiscLayout(drive);
      expect(layout).toMatchObject({ profile: 0x10, status: 'complete', end: readFileSync(backing).length / 2048 });
      const out = join(dir, 'out.iso');
      const r = await readDisc(drive, { output: out });
      expect(r.bad.unreadableCount).toBe(0);
      execFileSync('cmp', [out, backing]);
      expect(await verifyDisc(drive, { against: 'image', image: join(dir, 'disc.iso') })).toMatchObject({ ok: true });
      expect(await verifyDisc(drive, { against: 'folder', folder: join(dir, 'src') })).toMatchObject({ ok: true, filesChecked: 2 });
    } finally {
      await dev.close();
    }
  });
});
