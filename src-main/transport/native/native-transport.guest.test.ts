// NativeTransport against real kernel drivers: one QEMU guest boot in which the guest's sr/sg
// drivers front two independent MMC implementations — tgtd's DVD writer (iSCSI, passed through
// with scsi-generic) and QEMU's own scsi-cd — while native-guest-checks.ts (run by the host's node
// in the guest) records what SG_IO returned. The assertions live here, next to why they hold.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { runInGuest, type GuestResult } from '../../testing/qemu-guest';
import { startTgtd, type Tgtd } from '../../testing/tgtd';

const ok = requireTools('qemu-system-x86_64', 'tgtd', 'tgtadm', 'xorriso', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');

const WRITE_SECTORS = 16;
const IQN = 'iqn.2026-11.org.glassmaster:native-guest';

function pattern(): Buffer {
  const p = Buffer.alloc(WRITE_SECTORS * 2048);
  for (let i = 0; i < p.length; i++) p[i] = (i * 7 + (i >> 11)) & 0xff;
  return p;
}

function makeIso(dir: string, name: string, volid: string, files: Record<string, Buffer | string>): string {
  const tree = join(dir, `${name}-tree`);
  mkdirSync(tree, { recursive: true });
  for (const [f, c] of Object.entries(files)) writeFileSync(join(tree, f), c);
  const iso = join(dir, `${name}.iso`);
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', volid, '-o', iso, tree], { stdio: 'pipe' });
  return iso;
}

describe.skipIf(!ok)('NativeTransport in a QEMU guest (SG_IO on /dev/srN and /dev/sgN)', () => {
  const work = mkdtempSync(join(tmpdir(), 'gm-native-guest-'));
  let tgtd: Tgtd;
  let blank: string;
  let tgtData: string;
  let iso: string;
  let iso2: string;
  let run: GuestResult;
  let r: Record<string, any>;

  beforeAll(async () => {
    iso = makeIso(work, 'one', 'GM_ONE', { 'A.TXT': 'first disc\n', 'B.BIN': Buffer.alloc(300_000, 0x5a) });
    iso2 = makeIso(work, 'two', 'GM_TWO', { 'C.BIN': Buffer.alloc(700_000, 0xa5) });
    const hotplugIso = makeIso(work, 'three', 'GM_THREE', { 'D.TXT': 'hot\n' });
    tgtData = join(work, 'tgt-data.img');
    // A non-empty backing file is a DVD-ROM to tgt (doc/README.mmc); 1 MiB of recognisable bytes.
    const data = Buffer.alloc(512 * 2048);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(i / 4, i);
    writeFileSync(tgtData, data);

    tgtd = await startTgtd();
    blank = await tgtd.blankDisc();
    const iscsiCd = await tgtd.addTarget(IQN, blank);

    const outPlan = { isoPath: iso, iso2Path: iso2, tgtDataPath: tgtData, writeSectors: WRITE_SECTORS, hotplugIsoPath: hotplugIso };
    run = await runInGuest({
      iscsiCd,
      scsiCd: { file: iso },
      timeoutMs: 300_000,
      script: [
        // runInGuest's $GM_OUT exists before the script runs; the plan goes there first.
        `cat > "$GM_OUT/plan.json" <<'EOF'\n${JSON.stringify(outPlan)}\nEOF`,
        'node --import tsx src-main/transport/native/native-guest-checks.ts',
      ].join('\n'),
      monitor: async (m) => {
        await m.waitForGuest('tgt-swap');
        await tgtd.swapMedia(IQN, tgtData);
        m.signalGuest('tgt-swapped');
        await m.waitForGuest('eject');
        await m.ejectCd();
        m.signalGuest('ejected');
        await m.waitForGuest('change');
        await m.changeCd(iso2);
        m.signalGuest('changed');
        await m.waitForGuest('hotplug');
        await m.qmp.hmp(`drive_add 0 if=none,id=hp-drive,file=${hotplugIso},media=cdrom,readonly=on,format=raw`);
        await m.qmp.execute('device_add', { driver: 'scsi-cd', drive: 'hp-drive', bus: 'scsi0.0', 'scsi-id': 2, lun: 0, id: 'hpcd' });
        m.signalGuest('hotplugged');
        await m.waitForGuest('unplug');
        await m.qmp.execute('device_del', { id: 'hpcd' });
        m.signalGuest('unplugged');
      },
    });
    const text = readFileSync(join(run.outDir, 'results.json'), 'utf8');
    r = JSON.parse(text) as Record<string, any>;
    if (r.fatal || run.exitCode !== 0) throw new Error(`guest checks failed (exit ${run.exitCode}): ${r.fatal ?? ''}\n${run.stderr}\n${run.console.slice(-2000)}`);
  }, 320_000);

  afterAll(async () => {
    await tgtd?.stop();
    if (run) rmSync(run.outDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('list() finds both MMC drives through sysfs with their sg nodes and INQUIRY strings', () => {
    expect(r.list).toHaveLength(2);
    for (const d of r.list) {
      expect(d.address).toMatch(/^\/dev\/sr\d$/);
      expect(d.sgNode).toMatch(/^\/dev\/sg\d$/);
      expect(d.kind).toBe('native');
    }
    // QEMU's scsi-cd answers INQUIRY with vendor "QEMU", product "QEMU CD-ROM".
    expect(r.list).toContainEqual(expect.objectContaining({ vendor: 'QEMU', model: 'QEMU CD-ROM' }));
    // sysfs strings are the drive's own INQUIRY fields (SPC-4 §6.4.2), the same SG_IO returns.
    const tgt = r.list.find((d: any) => d.vendor !== 'QEMU');
    expect(r.tgtInquirySr).toMatchObject({ status: 0, type: 5, vendor: tgt.vendor, model: tgt.model, revision: tgt.revision });
    expect(r.tgtInquirySg).toMatchObject({ status: 0, type: 5, vendor: tgt.vendor });
  });

  it('tgtd via iSCSI: blank backing file is a DVD+R (profile 001Bh); WRITE(10) + READ(10) round-trip', () => {
    expect(r.tgtTurInitial.at(-1)).toBe('GOOD');
    // MMC-6 §5.3.1: 001Bh = DVD+R; tgt presents an empty backing file as blank DVD+R.
    expect(r.tgtBlankProfile).toMatchObject({ status: 0, profile: 0x1b });
    expect(r.tgtWrite).toMatchObject({ status: 0, residual: 0 });
    expect(r.tgtSync.status).toBe(0);
    expect(r.tgtCloseTrack.status).toBe(0);
    // tgt doc/README.mmc: closing the track turns the DVD+R into a DVD-ROM (0010h).
    expect(r.tgtClosedProfile).toMatchObject({ status: 0, profile: 0x10 });
    expect(r.tgtReadBack).toEqual({ status: 0, equal: true, bytes: WRITE_SECTORS * 2048 });
  });

  it('the written sectors landed in tgtd’s backing file (checked on the host, not through SG_IO)', () => {
    // The LUN was swapped to another file afterwards; the blank file keeps what was burned.
    const burned = readFileSync(blank);
    expect(burned.subarray(0, WRITE_SECTORS * 2048).equals(pattern())).toBe(true);
  });

  it('tgtd with a data file: DVD-ROM (0010h), READ CAPACITY and READ(10) match the file', () => {
    expect(r.tgtTurAfterSwap.at(-1)).toBe('GOOD');
    expect(r.tgtDataProfile).toMatchObject({ status: 0, profile: 0x10 });
    const size = readFileSync(tgtData).length;
    // READ CAPACITY returns the LAST LBA, not the count (MMC-6 §6.23).
    expect(r.tgtDataCapacity).toMatchObject({ status: 0, lastLba: size / 2048 - 1, blockLength: 2048 });
    expect(r.tgtDataRead).toMatchObject({ status: 0, equal: true });
  });

  it('exclusive open locks both nodes: sr O_EXCL + sg O_EXCL, EBUSY for others, free again after close', () => {
    // The sg sibling was held open elsewhere: the exclusive lock on it fails, so the open fails.
    expect(r.exclusiveWhileSgShared).toMatchObject({ name: 'TransportError', errno: 'EBUSY', syscall: 'open' });
    expect(r.tgtSecondExclusive).toMatchObject({ name: 'TransportError', errno: 'EBUSY', syscall: 'open' });
    // The sg driver turns away even non-exclusive openers while an O_EXCL holder exists.
    expect(r.sgWhileExclusive).toMatchObject({ name: 'TransportError', errno: 'EBUSY', syscall: 'open' });
    expect(r.sgExclusiveWhileShared).toMatchObject({ name: 'TransportError', errno: 'EBUSY', syscall: 'open' });
    expect(r.tgtExclusiveAfterClose).toEqual({ ok: true });
  });

  it('cancellation and close on a real handle', () => {
    expect(r.abortedBeforeSend).toMatchObject({ name: 'CancelledError', code: 'CANCELLED' });
    expect(r.pendingAtClose).toMatchObject({ name: 'CancelledError' });
    expect(r.afterClose).toMatchObject({ name: 'TransportError', errno: 'EBADF' });
  });

  it('QEMU scsi-cd with an ISO: CD-ROM profile, READ CAPACITY = ISO size, READ(10) = ISO bytes', () => {
    const isoBytes = readFileSync(iso);
    expect(r.cdInquiry).toMatchObject({ status: 0, type: 5, vendor: 'QEMU' });
    // QEMU presents media up to CD capacity as CD-ROM (0008h), larger as DVD-ROM (0010h) (MMC-6 §5.3.1).
    expect(r.cdProfile).toMatchObject({ status: 0, profile: isoBytes.length > 700 * 1024 * 1024 ? 0x10 : 0x08 });
    expect(r.cdCapacity).toMatchObject({ status: 0, lastLba: isoBytes.length / 2048 - 1, blockLength: 2048 });
    expect(r.cdReadAll).toEqual({ status: 0, bytes: isoBytes.length, equal: true });
    // CHECK CONDITION comes back as data: ILLEGAL REQUEST / LOGICAL BLOCK ADDRESS OUT OF RANGE.
    expect(r.cdReadPastEnd).toEqual({ status: 2, sense: '05/21/00' });
    expect(r.cdGesnIdle).toMatchObject({ status: 0, notificationClass: 4, eventCode: 0, mediaPresent: true });
  });

  it('eject from the QEMU monitor: GESN tray open / no media, then NOT READY / MEDIUM NOT PRESENT', () => {
    // MMC-6 §6.7.2.5 media status: Door or Tray Open set, Media Present clear. QEMU reports no
    // event code while the tray is open (it signals the change as NewMedia on reload, below).
    expect(r.cdGesnAfterEject).toMatchObject({ status: 0, notificationClass: 4, trayOpen: true, mediaPresent: false });
    // Sense key 2 (NOT READY), ASC 3Ah MEDIUM NOT PRESENT (SPC-4 Annex D); ASCQ 01/02 says tray closed/open.
    expect(r.cdTurAfterEject.at(-1)).toMatch(/^02\/3A\/0[0-2]$/);
    expect(r.cdProfileEmpty.profile ?? 0).toBe(0);
  });

  it('change medium from the monitor: GESN new media, UNIT ATTENTION medium changed, new capacity', () => {
    expect(r.cdGesnAfterChange).toMatchObject({ status: 0, notificationClass: 4, eventCode: 2, mediaPresent: true });
    // 06/28/00: UNIT ATTENTION, NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (SPC-4 Annex D).
    expect(r.cdTurAfterChange).toContain('06/28/00');
    expect(r.cdTurAfterChange.at(-1)).toBe('GOOD');
    expect(r.cdCapacityAfterChange).toMatchObject({ status: 0, lastLba: readFileSync(iso2).length / 2048 - 1 });
    expect(r.cdReadAfterChange).toEqual({ status: 0, equal: true });
  });

  it('surprise removal: commands on a held sr/sg handle fail as disconnected TransportError (ENODEV)', () => {
    expect(r.hotplugTurBefore).toEqual([{ ok: true }, { ok: true }]);
    // SG_IO on a descriptor whose SCSI device was removed returns ENODEV (no status, no sense).
    for (const e of r.hotplugTurAfterUnplug) {
      expect(e).toMatchObject({ name: 'TransportError', errno: 'ENODEV', syscall: 'ioctl(SG_IO)', disconnected: true });
    }
    expect(r.hotplugTurAfterUnplug).toHaveLength(2);
  });

  it('hot-plug: watch() reports a scsi-cd added, then removed, from the monitor', () => {
    expect(r.hotplug).toHaveLength(2);
    const added = expect.objectContaining({ vendor: 'QEMU', address: expect.stringMatching(/^\/dev\/sr\d$/), sgNode: expect.stringMatching(/^\/dev\/sg\d$/) });
    expect(r.hotplug[0]).toEqual({ added: [added], removed: [] });
    expect(r.hotplug[1]).toEqual({ added: [], removed: [r.hotplug[0].added[0]] });
    // The new drive is neither of the two present at boot.
    expect(r.list.map((d: any) => d.address)).not.toContain(r.hotplug[0].added[0].address);
  });
});
