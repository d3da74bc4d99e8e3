// Drive/DriveService against real kernel drivers and two independent MMC implementations in one
// QEMU guest boot: tgtd's DVD writer (iSCSI → scsi-generic) and QEMU's scsi-cd (with GESN and a
// tray the host operates through QMP). drive-guest-checks.ts records, this file judges.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { runInGuest, type GuestResult } from '../testing/qemu-guest';
import { startTgtd, type Tgtd } from '../testing/tgtd';

const ok = requireTools('qemu-system-x86_64', 'tgtd', 'tgtadm', 'xorriso', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');

function makeIso(dir: string, name: string, bytes: number): string {
  const tree = join(dir, `${name}-tree`);
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'DATA.BIN'), Buffer.alloc(bytes, 0x42));
  const iso = join(dir, `${name}.iso`);
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', name.toUpperCase(), '-o', iso, tree], { stdio: 'pipe' });
  return iso;
}

describe.skipIf(!ok)('Drive in a QEMU guest (native transport, tgtd and QEMU scsi-cd)', () => {
  const work = mkdtempSync(join(tmpdir(), 'gm-drive-guest-'));
  let tgtd: Tgtd;
  let run: GuestResult;
  let r: Record<string, any>;
  let iso1: string;
  let iso2: string;
  let disk: string;

  beforeAll(async () => {
    iso1 = makeIso(work, 'one', 400_000);
    iso2 = makeIso(work, 'two', 1_500_000);
    disk = join(work, 'disk.img');
    writeFileSync(disk, Buffer.alloc(1024 * 1024));
    tgtd = await startTgtd();
    const iscsiCd = await tgtd.addTarget('iqn.2026-11.org.glassmaster:drive-guest', await tgtd.blankDisc());
    run = await runInGuest({
      iscsiCd,
      scsiCd: { file: iso1 },
      scsiHd: { file: disk },
      timeoutMs: 300_000,
      script: 'node --import tsx src-main/drive/drive-guest-checks.ts',
      monitor: async (m) => {
        await m.waitForGuest('eject', 120_000);
        await m.ejectCd();
        m.signalGuest('ejected');
        await m.waitForGuest('change', 120_000);
        await m.changeCd(iso2);
        m.signalGuest('changed');
      },
    });
    r = JSON.parse(readFileSync(join(run.outDir, 'results.json'), 'utf8')) as Record<string, any>;
    if (r.fatal || run.exitCode !== 0) throw new Error(`guest checks failed (exit ${run.exitCode}): ${r.fatal ?? ''}\n${run.stderr}\n${run.console.slice(-2000)}`);
  }, 320_000);

  afterAll(async () => {
    await tgtd?.stop();
    if (run) rmSync(run.outDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('a hard disk (scsi-hd, /dev/sgN, type 00h) is refused at open: INQUIRY only, never START STOP UNIT', () => {
    const g = r.diskGate;
    expect(g.address).toMatch(/^\/dev\/sg\d+$/);
    expect(g.listed).toBe(false);
    for (const op of ['eject', 'load', 'media', 'lease']) {
      expect(g[op], op).toMatchObject({ code: 'INVALID_INPUT', details: { address: g.address, peripheralType: 0 } });
    }
    // Four opens of the disk (eject, load, media, lease), one INQUIRY each, nothing else.
    expect(g.diskOpens).toBe(4);
    expect(g.opcodes).toEqual([0x12, 0x12, 0x12, 0x12]);
  });

  it('DriveService.list(): both drives with their GET CONFIGURATION profiles', () => {
    expect(r.list).toHaveLength(2);
    const tgt = r.list.find((d: any) => d.vendor !== 'QEMU');
    expect(tgt.profiles).toEqual(['DVD-ROM', 'DVD+R']);
    expect(tgt.canWriteDvdPlusR).toBe(true);
    const q = r.list.find((d: any) => d.vendor === 'QEMU');
    expect(q.model).toBe('QEMU CD-ROM');
    expect(q.canWriteDvdPlusR).toBe(false);
  });

  it('tgtd: blank DVD+R, then after the burn a complete DVD-ROM of 64 blocks', () => {
    expect(r.tgtBlank).toMatchObject({ profile: 'DVD+R', status: 'blank', nextWritableAddress: 0, freeBlocks: 2295104 });
    expect(r.tgtBurned).toMatchObject({ profile: 'DVD-ROM', status: 'complete', usedBlocks: 64, tracks: 1 });
  });

  it('QEMU scsi-cd: a complete read-only disc whose size is the ISO size', () => {
    const blocks = statSync(iso1).size / 2048;
    // QEMU reports small images as CD-ROM and larger ones as DVD-ROM (MMC-6 profiles 08h/10h).
    expect(['CD-ROM', 'DVD-ROM']).toContain(r.qemuMedia.profile);
    expect(r.qemuMedia).toMatchObject({ status: 'complete', usedBlocks: blocks, freeBlocks: 0, erasable: false, tray: 'closed' });
    // QEMU implements GESN (MMC-6 §6.7): the media class is supported.
    expect(r.qemuGesn.supportedClasses & 0x10).toBe(0x10);
  });

  it('watchMedia over GESN sees the host eject the disc and insert another', () => {
    expect(r.qemuWatch.map((e: any) => e.status)).toEqual(['complete', 'no-disc', 'complete']);
    expect(r.qemuWatch[0].reason).toBe('initial');
    expect(r.qemuWatch[1].reason).toBe('media-removal');
    expect(r.qemuWatch[2].usedBlocks).toBe(statSync(iso2).size / 2048);
  });

  it('eject() opens the tray and load() brings the disc back', () => {
    // QEMU answers 3A/00 (no tray detail) and an all-zero MECHANISM STATUS; GESN's media status has
    // the tray open bit, which media() falls back to.
    expect(r.qemuEjectRaw.tur.sense.slice(24, 28)).toBe('3a00');
    expect(r.qemuAfterEject).toMatchObject({ status: 'no-disc', tray: 'open' });
    expect(r.qemuAfterLoad).toMatchObject({ status: 'complete' });
  });
});
