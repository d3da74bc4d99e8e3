// The burn through a real kernel: tgtd's DVD+R (empty backing file) behind QEMU's scsi-generic, the
// guest kernel's sr/sg drivers, and our NativeTransport (SG_IO) in the guest driven from the host
// (startGuestTransport). The engine burns an image built by the image engine and reads it back in
// full; xorriso, 7-Zip and isoinfo read tgt's backing file. The baseline is growisofs in the guest
// (`growisofs -Z /dev/sr0=IMAGE`) on a second tgtd target (a LUN's backing file cannot be swapped):
// the two backing files hold the same image bytes, and both wall times are printed.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BurnProgress } from '../common/model/burn';
import { DriveService } from '../drive/drive-service';
import { openImageFileSource } from '../image/byte-source/file-source';
import { requireTools } from '../testing/peer-tools';
import { startGuestTransport } from '../testing/qemu/guest-transport';
import { runInGuest } from '../testing/qemu-guest';
import { startTgtd, type Tgtd } from '../testing/tgtd';
import { BurnService } from './burn-service';
import { buildTestImage } from './contract/burn-contract';

const ok = requireTools('qemu-system-x86_64', 'tgtd', 'tgtadm', 'growisofs', 'xorriso', '7z', 'isoinfo', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!ok)('burning to tgtd\'s DVD+R through the QEMU guest\'s kernel (SG_IO), growisofs as the baseline', () => {
  let tgtd: Tgtd;
  let dir: string;
  beforeAll(async () => {
    tgtd = await startTgtd();
    dir = mkdtempSync(join(tmpdir(), 'gm-burn-guest-'));
  });
  afterAll(async () => {
    await tgtd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the engine burns and verifies over SG_IO; peers read the disc; growisofs writes the same bytes', async () => {
    const image = await buildTestImage(dir);
    const sectors = readFileSync(image.iso).length / 2048;

    // 1. The engine: host BurnService → guest NativeTransport → sr/sg → QEMU → iSCSI → tgtd.
    const ours = await tgtd.blankDisc('engine.img');
    const url1 = await tgtd.addTarget('iqn.2026-12.org.glassmaster.test:guest-engine', ours);
    const guest = await startGuestTransport({ iscsiCd: url1, timeoutMs: 600_000 });
    let engineMs: number;
    let engineBurnMs = 0;
    try {
      const [sr] = (await guest.transport.list()).filter((d) => d.address.startsWith('/dev/sr'));
      expect(sr).toBeDefined();
      const drives = new DriveService({ transports: [guest.transport], drive: { retryDelayMs: 50 } });
      expect(await drives.media(sr.address)).toMatchObject({ profile: 'DVD+R', status: 'blank' });
      const events: BurnProgress[] = [];
      const t0 = performance.now();
      const r = await new BurnService({ drives, pollMs: 50 }).burn(sr.address, () => openImageFileSource(image.iso), { verify: 'full' }, {
        onProgress: (p) => {
          events.push(p);
          if (p.action !== 'verifying' && p.action !== 'done') engineBurnMs = performance.now() - t0;
        },
      });
      engineMs = performance.now() - t0;
      expect(r.copies[0]).toMatchObject({ strategy: 'DVD+R', startLba: 0, sectors, verify: { ok: true, level: 'full', expectedSha256: image.sha256, actualSha256: image.sha256 } });
      expect(events.map((e) => e.action)).toContain('writing');
      expect(drives.busyWith(sr.address)).toBeUndefined();
    } finally {
      await guest.stop();
    }
    const oursBytes = readFileSync(ours);
    expect(sha(oursBytes.subarray(0, sectors * 2048))).toBe(image.sha256);
    expect(execFileSync('xorriso', ['-indev', ours, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toContain("'/docs/random.bin'");
    expect(execFileSync('isoinfo', ['-i', ours, '-d'], { encoding: 'utf8' })).toContain('Volume id: BURNTEST');
    execFileSync('7z', ['x', `-o${join(dir, 'x')}`, ours], { stdio: 'ignore' });
    expect(readFileSync(join(dir, 'x', 'docs', 'random.bin')).equals(image.files['docs/random.bin'])).toBe(true);

    // 2. The baseline: growisofs in the guest on a second blank DVD+R (the image is on the host's root, read over 9p).
    const theirs = await tgtd.blankDisc('growisofs.img');
    const url2 = await tgtd.addTarget('iqn.2026-12.org.glassmaster.test:guest-growisofs', theirs);
    const run = await runInGuest({
      iscsiCd: url2,
      timeoutMs: 600_000,
      script: `t0=$(date +%s%N); growisofs -Z /dev/sr0=${image.iso} >"$GM_OUT/growisofs.log" 2>&1; rc=$?; t1=$(date +%s%N); echo "rc=$rc ms=$(( (t1 - t0) / 1000000 ))"; exit $rc`,
    });
    try {
      expect(run.exitCode, run.stdout + run.stderr + run.console).toBe(0);
      const growMs = Number(/ms=(\d+)/.exec(run.stdout)?.[1]);
      const theirsBytes = readFileSync(theirs);
      // growisofs pads the track; the image's sectors are the same bytes in both backing files.
      expect(theirsBytes.length).toBeGreaterThanOrEqual(sectors * 2048);
      expect(sha(theirsBytes.subarray(0, sectors * 2048))).toBe(image.sha256);
      expect(theirsBytes.subarray(0, sectors * 2048).equals(oursBytes.subarray(0, sectors * 2048))).toBe(true);
      const mb = (sectors * 2048) / 1e6;
      console.log(
        `[burn-guest] ${mb.toFixed(1)} MB DVD+R through the guest kernel: engine (host → virtio-serial → SG_IO) burn ${(engineBurnMs / 1000).toFixed(2)} s, with full read-back ${(engineMs! / 1000).toFixed(2)} s; ` +
          `growisofs in the guest (burn only, no read-back) ${(growMs / 1000).toFixed(2)} s; backing files: engine ${oursBytes.length} B, growisofs ${theirsBytes.length} B; load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`,
      );
    } finally {
      rmSync(run.outDir, { recursive: true, force: true });
    }
  }, 900_000);
});
