// A burn through every layer against a third-party drive: the image engine builds an ISO, the burn
// service writes it to tgtd's DVD+R over our iSCSI initiator and reads it back in full; then
// xorriso, 7-Zip and isoinfo read tgt's backing file, and its bytes are the image's.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { startTgtd, type Tgtd } from '../testing/tgtd';
import { DriveService } from '../drive/drive-service';
import { IscsiTransport } from '../transport/iscsi/iscsi-transport';
import { openImageFileSource } from '../image/byte-source/file-source';
import type { BurnProgress } from '../common/model/burn';
import { BurnService } from './burn-service';
import { buildTestImage } from './contract/burn-contract';

const ok = requireTools('tgtd', 'tgtadm', 'xorriso', '7z', 'isoinfo');

describe.skipIf(!ok)('burning to tgtd\'s DVD+R over our iSCSI initiator', () => {
  let tgtd: Tgtd;
  let dir: string;
  beforeAll(async () => {
    tgtd = await startTgtd();
    dir = mkdtempSync(join(tmpdir(), 'gm-burn-tgtd-'));
  });
  afterAll(async () => {
    await tgtd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('burns an image from the image engine, verifies it in full, and peers read tgt\'s backing file', async () => {
    const image = await buildTestImage(dir);
    const backing = await tgtd.blankDisc('burn.img');
    const url = await tgtd.addTarget('iqn.2026-12.org.glassmaster.test:burner', backing);
    const iscsi = new IscsiTransport([], { keepaliveIntervalMs: 0 });
    const drives = new DriveService({ transports: [iscsi], drive: { retryDelayMs: 20 }, leaseDir: join(dir, 'leases') });
    const burner = new BurnService({ drives, pollMs: 20 });
    const before = await drives.media(url);
    expect(before).toMatchObject({ profile: 'DVD+R', status: 'blank' });
    const events: BurnProgress[] = [];
    const r = await burner.burn(url, () => openImageFileSource(image.iso), { verify: 'full' }, { onProgress: (p) => events.push(p) });
    const copy = r.copies[0];
    expect(copy).toMatchObject({ strategy: 'DVD+R', startLba: 0, verify: { ok: true, level: 'full', expectedSha256: image.sha256, actualSha256: image.sha256 } });
    expect(events.map((e) => e.action)).toContain('writing');
    // tgt's disc is now a DVD-ROM holding exactly the image (its backing file is the disc).
    const bytes = readFileSync(backing);
    expect(createHash('sha256').update(bytes.subarray(0, copy.sectors * 2048)).digest('hex')).toBe(image.sha256);
    expect(execFileSync('xorriso', ['-indev', backing, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toContain("'/docs/random.bin'");
    expect(execFileSync('isoinfo', ['-i', backing, '-d'], { encoding: 'utf8' })).toContain('Volume id: BURNTEST');
    const out = join(dir, 'x');
    execFileSync('7z', ['x', `-o${out}`, backing], { stdio: 'ignore' });
    expect(readFileSync(join(out, 'docs', 'random.bin')).equals(image.files['docs/random.bin'])).toBe(true);
    expect(drives.busyWith(url)).toBeUndefined();
  });
});
