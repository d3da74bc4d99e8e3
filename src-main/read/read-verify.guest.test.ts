// The read side through a real kernel: a two-session disc made here (virtual recorder, sessions
// planned from the disc itself) is put in QEMU's scsi-cd; on the host, readDisc, verifyDisc and the
// disc listing run over the guest's NativeTransport (SG_IO on /dev/sr0 behind the guest's sr/sg
// drivers), judged by cmp, isoinfo and xorriso. A second boot mounts the same disc image with the
// guest kernel's isofs at the last session (sbsector) as the multisession judge.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drive } from '../drive/drive';
import { DriveService } from '../drive/drive-service';
import { openImageFileSource } from '../image/byte-source/file-source';
import type { ByteSource } from '../image/byte-source';
import { StagingTree } from '../image/staging/staging-tree';
import { buildCloseTrackSession } from '../mmc/commands/close-track-session';
import { buildWrite10 } from '../mmc/commands/write';
import { requireTools } from '../testing/peer-tools';
import { startGuestTransport, type GuestTransportSession } from '../testing/qemu/guest-transport';
import { runInGuest } from '../testing/qemu-guest';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { verifyDisc } from '../verify/verify-disc';
import { DiscService } from './disc-service';
import { importDiscSession, planDiscIncrement } from './disc-session';
import { readDisc } from './read-disc';
import { pattern, writeTree, xorrisoImage } from './test-support';

const ok = requireTools('qemu-system-x86_64', 'xorriso', 'isoinfo', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox', 'sha256sum');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function burn(drive: Drive, start: number, src: ByteSource): Promise<void> {
  let lba = start;
  for (let c = await src.read(32); c; c = await src.read(32)) {
    await drive.execute(buildWrite10(lba, c.length / 2048, c));
    lba += c.length / 2048;
  }
  const di = await drive.discInformation();
  await drive.execute(buildCloseTrackSession(1, di.lastTrackInLastSession));
  await drive.execute(buildCloseTrackSession(2));
}

describe.skipIf(!ok)('read / verify / multisession through the guest kernel (QEMU scsi-cd, SG_IO)', () => {
  const work = mkdtempSync(join(tmpdir(), 'gm-read-guest-'));
  const disc = join(work, 'two-sessions.iso');
  const expected: Record<string, string> = {};
  let session2: number;
  let guest: GuestTransportSession | undefined;

  beforeAll(async () => {
    // Session 1 by xorriso, session 2 planned from the disc: the whole disc read back to an image.
    const s1 = join(work, 's1');
    writeTree(s1, { 'docs/a.txt': 'session one\n', 'big.bin': pattern(400_000, 7), 'old.txt': 'version 1\n' });
    xorrisoImage(s1, join(work, 's1.iso'), 'GM_MS');
    const vt = new VirtualTransport({ stateDir: join(work, 'vr') });
    await vt.create('ms', { media: 'dvd+r' });
    vt.recorder('ms').clearUnitAttention();
    const dev = await vt.open('virtual:ms');
    try {
      const drive = new Drive(dev, { retryDelayMs: 1 });
      await burn(drive, 0, await openImageFileSource(join(work, 's1.iso')));
      const tree = new StagingTree();
      const imp = await importDiscSession(drive, tree);
      tree.addBuffer('/old.txt', Buffer.from('version 2\n'));
      tree.addBuffer('/new/b.bin', pattern(90_000, 8));
      const next = await planDiscIncrement(tree, imp, { iso9660: true, rockRidge: true, joliet: true, label: 'GM_MS2' });
      session2 = next.startLba;
      await burn(drive, next.startLba, next.source);
      await readDisc(drive, { output: disc });
    } finally {
      await dev.close();
      await vt.dispose();
    }
    Object.assign(expected, {
      './docs/a.txt': sha('session one\n'), './big.bin': sha(pattern(400_000, 7)), './old.txt': sha('version 2\n'), './new/b.bin': sha(pattern(90_000, 8)),
    });
    guest = await startGuestTransport({ scsiCd: { file: disc } });
  }, 600_000);

  afterAll(async () => {
    await guest?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('readDisc over SG_IO gives the disc image byte for byte (cmp), isoinfo and xorriso read it; verify passes; ls sees the last session', async () => {
    const drives = new DriveService({ transports: [guest!.transport] });
    const [sr] = (await guest!.transport.list()).filter((d) => d.address.startsWith('/dev/sr'));
    expect(sr).toBeDefined();
    const out = join(work, 'read-back.iso');
    const report = await drives.withDrive(sr.address, (d) => readDisc(d, { output: out }));
    expect(report.bad.unreadableCount).toBe(0);
    execFileSync('cmp', [out, disc]);
    expect(execFileSync('isoinfo', ['-d', '-i', out]).toString()).toMatch(/Volume id: GM_MS/);
    const listing = execFileSync('xorriso', ['-load', 'sbsector', String(session2), '-indev', out, '-find', '/', '-type', 'f'], { stdio: 'pipe' }).toString();
    expect(listing).toContain("'/new/b.bin'");

    const v = await drives.withDrive(sr.address, (d) => verifyDisc(d, { against: 'image', image: disc }));
    expect(v).toMatchObject({ ok: true, mismatched: [] });
    // The disc's file systems as the app lists them: QEMU reports one session, the reader follows the ISO chain to the last.
    const ls = await new DiscService(drives).list(sr.address);
    expect(ls.info.sessionStart).toBe(session2);
    expect(ls.node.children!.map((c) => c.name).sort()).toEqual(['big.bin', 'docs', 'new', 'old.txt']);
  }, 300_000);

  it('the guest kernel mounts the last session (isofs, sbsector) and sees old and new files with the right contents', async () => {
    const r = await runInGuest({
      disks: [{ file: disc, readonly: true }],
      timeoutMs: 300_000,
      script: `mkdir -p /run/m && mount -t iso9660 -o ro,sbsector=${session2} /dev/vda /run/m && cd /run/m && find . -type f | sort | xargs sha256sum`,
    });
    try {
      expect(r.exitCode, r.stderr + r.console).toBe(0);
      const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => { const [h, p] = l.trim().split(/\s+/); return [p, h]; }));
      expect(got).toEqual(expected);
    } finally {
      rmSync(r.outDir, { recursive: true, force: true });
    }
  }, 300_000);
});
