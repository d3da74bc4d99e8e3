// The iSCSI initiator against a real, independent target: tgtd's MMC DVD writer emulation (package
// `tgt`). libiscsi's iscsi-inq / iscsi-ls (package `libiscsi-bin`) cross-check what we see.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, TransportError } from '../../common/errors';
import { requireTools } from '../../testing/peer-tools';
import { startTgtd, type Tgtd } from '../../testing/tgtd';
import type { ScsiDevice, ScsiResult } from '../transport';
import { buildInquiry, parseInquiry } from '../../mmc/commands/inquiry';
import { buildGetConfiguration, parseGetConfiguration } from '../../mmc/commands/get-configuration';
import { buildTestUnitReady } from '../../mmc/commands/test-unit-ready';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildRead10 } from '../../mmc/commands/read';
import { buildCloseTrack } from '../../mmc/commands/close-track-session';
import { parseSense } from '../../mmc/sense';
import { IscsiLoginError } from './session';
import { IscsiTransport, discover, discoverDrives, discoveredAddresses, type IscsiDevice } from './iscsi-transport';

const ok = requireTools('tgtd', 'tgtadm', 'iscsi-inq', 'iscsi-ls');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const IQN = (name: string) => `iqn.2026-11.org.glassmaster.test:${name}`;

// MMC-6 §5.3.1 Table 91 profile numbers.
const PROFILE_DVD_ROM = 0x0010;
const PROFILE_DVD_PLUS_R = 0x001b;

function senseOf(r: ScsiResult) {
  const s = parseSense(r.sense);
  return s ? [s.key, s.asc, s.ascq] : undefined;
}

/** A fresh I_T nexus starts with UNIT ATTENTION 29/00 (SPC-4 §6.47, power on/reset): consume it. */
async function settle(dev: ScsiDevice): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const r = await dev.execute(buildTestUnitReady());
    if (r.status === 0 || parseSense(r.sense)?.key !== 6) return;
  }
}

async function currentProfile(dev: ScsiDevice): Promise<number> {
  const r = await dev.execute(buildGetConfiguration({ rt: 'all', allocationLength: 2048 }));
  expect(r.status, `GET CONFIGURATION sense ${JSON.stringify(senseOf(r))}`).toBe(0);
  return parseGetConfiguration(r.data).currentProfile;
}

describe.skipIf(!ok)('iSCSI initiator against tgtd', () => {
  let tgtd: Tgtd;
  const transport = new IscsiTransport([], { keepaliveIntervalMs: 0 });
  const open: IscsiDevice[] = [];
  const openDev = async (url: string, t = transport) => {
    const d = await t.open(url);
    open.push(d);
    return d;
  };

  beforeAll(async () => {
    tgtd = await startTgtd();
  });
  afterAll(async () => {
    for (const d of open) await d.close();
    await tgtd?.stop();
  });

  it('logs in without authentication; INQUIRY reports an MMC device (type 5) as libiscsi does', async () => {
    const url = await tgtd.addTarget(IQN('inq'));
    const dev = await openDev(url);
    expect(dev.params).toMatchObject({ authMethod: 'None', maxXmitDataSegmentLength: 8192 });
    const r = await dev.execute(buildInquiry(96));
    expect(r.status).toBe(0);
    const inq = parseInquiry(r.data);
    // SPC-4 Table 140: peripheral device type 05h = CD/DVD device.
    expect(inq.peripheralType).toBe(5);
    expect(inq.removable).toBe(true);
    // tgtd answers 66 of the 96 bytes asked: data is exactly what arrived, residual the rest.
    expect(r.data.length + r.residual).toBe(96);
    const peer = execFileSync('iscsi-inq', [url], { encoding: 'utf8' });
    expect(peer).toMatch(/Peripheral Device Type:\s*MMC/);
    expect(peer).toContain(`Vendor:${inq.vendor}`);
    expect(peer).toContain(`Product:${inq.product}`);
  });

  it('SendTargets discovery lists the same targets as iscsi-ls; list() describes configured LUNs', async () => {
    const url = await tgtd.addTarget(IQN('disc'));
    const found = await discover(tgtd.portal);
    const peer = execFileSync('iscsi-ls', [`iscsi://${tgtd.portal}`], { encoding: 'utf8' });
    const peerNames = [...peer.matchAll(/Target:(\S+)/g)].map((m) => m[1]).sort();
    expect(found.map((t) => t.targetName).sort()).toEqual(peerNames);
    expect(peerNames).toContain(IQN('disc'));
    expect(found.find((t) => t.targetName === IQN('disc'))!.portals[0]).toMatchObject({ host: '127.0.0.1', port: tgtd.port, tpgt: 1 });
    expect(discoveredAddresses(tgtd.portal, found)).toContain(url);

    // Left out: an unreachable portal, tgt's controller LUN 0 (type 0Ch) and an absent LUN 7.
    const t = new IscsiTransport([url, `iscsi://127.0.0.1:1/${IQN('nowhere')}/1`, url.replace(/\/1$/, '/0'), url.replace(/\/1$/, '/7')], {
      keepaliveIntervalMs: 0,
      connectTimeoutMs: 1000,
    });
    const list = await t.list();
    expect(list).toEqual([{ address: url, vendor: 'IET', model: 'VIRTUAL-CDROM', revision: '0001', kind: 'iscsi' }]);
  });

  it('discoverDrives(): SendTargets + REPORT LUNS + INQUIRY finds the DVD writer LUNs; a CHAP target is a failure, not a crash', async () => {
    const t = await startTgtd();
    try {
      const a = await t.addTarget(IQN('dd-a'));
      const b = await t.addTarget(IQN('dd-b'), await t.dataDisc(4096), { lun: 3 });
      await t.addTarget(IQN('dd-locked'), undefined, { chap: { user: 'x', password: 'locked-secret-1' } });
      const found = await discoverDrives(t.portal, { keepaliveIntervalMs: 0 });
      // LUN 0 of each target is tgt's controller (type 0Ch) and is not a drive.
      expect(found.drives.map((d) => d.address).sort()).toEqual([a, b].sort());
      expect(found.drives.find((d) => d.address === b)).toMatchObject({ lun: 3, vendor: 'IET', model: 'VIRTUAL-CDROM', kind: 'iscsi' });
      expect(found.failures.map((f) => f.targetName)).toEqual([IQN('dd-locked')]);
      expect(found.failures[0].error).toMatchObject({ statusClass: 2, statusDetail: 1 });
    } finally {
      await t.stop();
    }
  });

  it('CHAP: the right secret logs in, a wrong one or none fails with a typed login error', async () => {
    const url = await tgtd.addTarget(IQN('chap'), undefined, { chap: { user: 'burner', password: 'secret-12chars' } });
    const withCreds = url.replace('iscsi://', 'iscsi://burner:secret-12chars@');
    const dev = await openDev(withCreds);
    expect(dev.params.authMethod).toBe('CHAP');
    expect(dev.address).toBe(url); // the secret never leaks into the device address
    expect((await dev.execute(buildInquiry())).status).toBe(0);

    for (const bad of [url.replace('iscsi://', 'iscsi://burner:wrong-secret!@'), url]) {
      const err = await transport.open(bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(IscsiLoginError);
      // RFC 7143 §11.13.5: Status-Class 2 (initiator error), Detail 1 (authentication failure).
      expect(err).toMatchObject({ code: 'TRANSPORT', statusClass: 2, statusDetail: 1, errno: 'EACCES' });
    }
    // Credentials given to the transport instead of the address work as well.
    const t = new IscsiTransport([{ address: url, chap: { user: 'burner', secret: 'secret-12chars' } }], { keepaliveIntervalMs: 0 });
    const dev2 = await openDev(url, t);
    expect(dev2.params.authMethod).toBe('CHAP');
  });

  it('mutual CHAP: the target proves the outgoing secret; a wrong expected secret is refused', async () => {
    const url = await tgtd.addTarget(IQN('mutual'), undefined, {
      chap: { user: 'ini', password: 'ini-secret-12', outgoing: { user: 'tgt', password: 'tgt-secret-12' } },
    });
    const good = new IscsiTransport([{ address: url, chap: { user: 'ini', secret: 'ini-secret-12', mutual: { user: 'tgt', secret: 'tgt-secret-12' } } }], { keepaliveIntervalMs: 0 });
    const dev = await openDev(url, good);
    expect((await dev.execute(buildInquiry())).status).toBe(0);
    const bad = new IscsiTransport([{ address: url, chap: { user: 'ini', secret: 'ini-secret-12', mutual: { secret: 'not-the-secret' } } }], { keepaliveIntervalMs: 0 });
    await expect(bad.open(url)).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'EACCES', message: expect.stringContaining('mutual CHAP') });
    // A target without accounts cannot talk us down to AuthMethod=None when we demand mutual CHAP.
    const noAuthUrl = await tgtd.addTarget(IQN('no-auth'));
    const demand = new IscsiTransport([{ address: noAuthUrl, chap: { user: 'ini', secret: 'ini-secret-12', mutual: { secret: 'tgt-secret-12' } } }], { keepaliveIntervalMs: 0 });
    await expect(demand.open(noAuthUrl)).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'EACCES' });
  });

  it('an unknown target name is refused as not found (Status 0x0203)', async () => {
    const err = await transport.open(`iscsi://${tgtd.portal}/${IQN('absent')}/1`).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusClass: 2, statusDetail: 3, errno: 'ENOENT' });
  });

  it('GET CONFIGURATION: empty backing file = DVD+R (0x001B), file with data = DVD-ROM (0x0010)', async () => {
    const blank = await openDev(await tgtd.addTarget(IQN('blank')));
    await settle(blank);
    expect(await currentProfile(blank)).toBe(PROFILE_DVD_PLUS_R);
    const rom = await openDev(await tgtd.addTarget(IQN('rom'), await tgtd.dataDisc(2048 * 16)));
    await settle(rom);
    expect(await currentProfile(rom)).toBe(PROFILE_DVD_ROM);
  });

  it('offline LUN: TEST UNIT READY = NOT READY, MEDIUM NOT PRESENT (02/3A); after a swap the new disc\'s profile', async () => {
    const iqn = IQN('tray');
    const dev = await openDev(await tgtd.addTarget(iqn));
    await settle(dev);
    expect(await currentProfile(dev)).toBe(PROFILE_DVD_PLUS_R);
    await tgtd.setOnline(iqn, false);
    const r = await dev.execute(buildTestUnitReady());
    // CHECK CONDITION is data, not an exception (transport contract).
    expect(r.status).toBe(0x02);
    expect(senseOf(r)).toEqual([0x02, 0x3a, 0x00]);

    await tgtd.swapMedia(iqn, await tgtd.dataDisc(2048 * 8));
    // A real drive reports 06/28/00 (NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED) once
    // here; tgtd 1.0.85 raises no unit attention on a path change and has no GET EVENT STATUS
    // NOTIFICATION (05/20/00), so callers must re-read the profile after NOT READY clears. This
    // assertion pins that peer behaviour so a change in tgt is noticed.
    const after = await dev.execute(buildTestUnitReady());
    expect(after.status).toBe(0);
    const gesn = await dev.execute({ cdb: Uint8Array.of(0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8, 0), direction: 'in', length: 8 });
    expect(senseOf(gesn)).toEqual([0x05, 0x20, 0x00]);
    expect(await currentProfile(dev)).toBe(PROFILE_DVD_ROM);
  });

  it('WRITE(10) of 4 MiB to a blank DVD+R goes out via immediate data and R2T-solicited Data-Out and lands in the backing file; CLOSE TRACK morphs to DVD-ROM, then READ(10) returns the same bytes', async () => {
    const iqn = IQN('burn');
    const file = await tgtd.blankDisc('burn.img');
    const dev = await openDev(await tgtd.addTarget(iqn, file));
    await settle(dev);
    expect(await currentProfile(dev)).toBe(PROFILE_DVD_PLUS_R);

    const image = Buffer.alloc(4 << 20);
    for (let i = 0; i < image.length; i += 4) image.writeUInt32BE((i * 2654435761) >>> 0, i);
    const chunk = 1024; // blocks per WRITE(10): 2 MiB, far above MaxBurstLength (256 KiB)
    const before = { ...dev.stats };
    for (let lba = 0; lba < image.length / 2048; lba += chunk) {
      const w = await dev.execute(buildWrite10(lba, chunk, image.subarray(lba * 2048, (lba + chunk) * 2048), 60_000));
      expect(w.status, JSON.stringify(senseOf(w))).toBe(0);
    }
    const p = dev.params;
    // tgtd keeps InitialR2T=Yes: per command FirstBurst-limited immediate data (one PDU of the
    // target's 8 KiB MaxRecvDataSegmentLength), the rest solicited by R2Ts of <= MaxBurstLength.
    expect(p.initialR2T).toBe(true);
    const perCmdR2T = Math.ceil((chunk * 2048 - p.maxXmitDataSegmentLength) / p.maxBurstLength);
    expect(dev.stats.r2ts - before.r2ts).toBeGreaterThanOrEqual(2 * perCmdR2T);
    expect(dev.stats.immediateBytes - before.immediateBytes).toBe(2 * p.maxXmitDataSegmentLength);
    expect(dev.stats.dataOutPdus - before.dataOutPdus).toBe(2 * ((chunk * 2048) / p.maxXmitDataSegmentLength - 1));

    // The bytes landed in tgtd's backing file.
    const onDisk = await readFile(file);
    expect(sha256(onDisk.subarray(0, image.length))).toBe(sha256(image));

    // tgtd reports the open DVD+R's readable size as 0 (READ = 05/21/00) until CLOSE TRACK
    // finalises it; then it presents as DVD-ROM (tgt README.mmc).
    const early = await dev.execute(buildRead10(0, 1));
    expect(senseOf(early)).toEqual([0x05, 0x21, 0x00]);
    const c = await dev.execute(buildCloseTrack(1));
    expect(c.status, JSON.stringify(senseOf(c))).toBe(0);
    await settle(dev);
    expect(await currentProfile(dev)).toBe(PROFILE_DVD_ROM);

    // Read back in one command: 4 MiB = many Data-In PDUs.
    const dataInBefore = dev.stats.dataInPdus;
    const r = await dev.execute({ ...buildRead10(0, 2048), timeoutMs: 60_000 });
    expect(r.status, JSON.stringify(senseOf(r))).toBe(0);
    expect(r.data.length).toBe(image.length);
    expect(sha256(r.data)).toBe(sha256(image));
    expect(dev.stats.dataInPdus - dataInBefore).toBeGreaterThanOrEqual(image.length / p.maxRecvDataSegmentLength);
    expect(await currentProfile(dev)).toBe(PROFILE_DVD_ROM);
  });

  it('pipelined WRITE(10)s (4 in flight, R2Ts of different tasks interleaved) land intact', async () => {
    const file = await tgtd.blankDisc('pipe.img');
    const dev = await openDev(await tgtd.addTarget(IQN('pipe'), file));
    await settle(dev);
    const commands = 256; // 32 KiB each: 8 MiB
    const image = Buffer.alloc(commands * 16 * 2048);
    for (let i = 0; i < image.length; i += 4) image.writeUInt32BE((i * 40503) >>> 0, i);
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < commands) {
          const i = next++;
          statuses.push((await dev.execute(buildWrite10(i * 16, 16, image.subarray(i * 32768, (i + 1) * 32768)))).status);
        }
      }),
    );
    expect(statuses.every((x) => x === 0)).toBe(true);
    expect(dev.stats.r2ts).toBe(commands);
    expect(sha256((await readFile(file)).subarray(0, image.length))).toBe(sha256(image));
  });

  it('unsolicited Data-Out when the target allows InitialR2T=No and ImmediateData=No', async () => {
    const iqn = IQN('unsol');
    const file = await tgtd.blankDisc('unsol.img');
    const dev = await openDev(await tgtd.addTarget(iqn, file, { params: { InitialR2T: 'No', ImmediateData: 'No', MaxRecvDataSegmentLength: 16384 } }));
    expect(dev.params).toMatchObject({ initialR2T: false, immediateData: false, maxXmitDataSegmentLength: 16384 });
    await settle(dev);
    const data = Buffer.alloc(512 * 2048, 0x5a);
    const w = await dev.execute(buildWrite10(0, 512, data));
    expect(w.status, JSON.stringify(senseOf(w))).toBe(0);
    // §13.14: FirstBurstLength bytes unsolicited, none immediate; the remainder solicited.
    expect(dev.stats.immediateBytes).toBe(0);
    expect(dev.stats.unsolicitedBytes).toBe(dev.params.firstBurstLength);
    expect(dev.stats.solicitedBytes).toBe(data.length - dev.params.firstBurstLength);
    const onDisk = await readFile(file);
    expect(sha256(onDisk.subarray(0, data.length))).toBe(sha256(data));
  });

  it('CRC32C header and data digests interoperate with tgtd (it checks ours, we check its)', async () => {
    const iqn = IQN('digest');
    const file = await tgtd.blankDisc('digest.img');
    const url = await tgtd.addTarget(iqn, file, { params: { HeaderDigest: 'CRC32C', DataDigest: 'CRC32C' } });
    const dev = await openDev(url, new IscsiTransport([], { keepaliveIntervalMs: 0, digests: 'CRC32C' }));
    expect(dev.params).toMatchObject({ headerDigest: true, dataDigest: true });
    await settle(dev);
    const data = Buffer.alloc(1024 * 2048);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2246822519) >>> 0, i);
    const w = await dev.execute(buildWrite10(0, 1024, data));
    expect(w.status, JSON.stringify(senseOf(w))).toBe(0);
    expect(sha256((await readFile(file)).subarray(0, data.length))).toBe(sha256(data));
    expect((await dev.execute(buildCloseTrack(1))).status).toBe(0);
    await settle(dev);
    const r = await dev.execute(buildRead10(0, 1024));
    expect(sha256(r.data)).toBe(sha256(data));
    // Offering only CRC32C to a target that answers None is a negotiation failure, not a silent downgrade.
    const plain = await tgtd.addTarget(IQN('nodigest'));
    await expect(new IscsiTransport([], { keepaliveIntervalMs: 0, digests: 'CRC32C' }).open(plain)).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'EPROTO' });
  });

  it('a large READ in small Data-In PDUs when we declare a 4 KiB MaxRecvDataSegmentLength', async () => {
    const content = Buffer.alloc(1 << 20);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 11)) & 0xff;
    const url = await tgtd.addTarget(IQN('bigread'), await tgtd.dataDisc(content));
    const dev = await openDev(url, new IscsiTransport([], { keepaliveIntervalMs: 0, maxRecvDataSegmentLength: 4096 }));
    await settle(dev);
    const before = dev.stats.dataInPdus;
    const r = await dev.execute(buildRead10(0, 512));
    expect(r.status).toBe(0);
    expect(sha256(r.data)).toBe(sha256(content));
    expect(dev.stats.dataInPdus - before).toBe((1 << 20) / 4096);
    // Past the end of the file: CHECK CONDITION returned as data (tgtd says MEDIUM ERROR,
    // 03/11/00, where a drive would say 05/21/00 LBA OUT OF RANGE).
    const past = await dev.execute(buildRead10(100_000, 1));
    expect(past.status).toBe(2);
    expect([0x03, 0x05]).toContain(senseOf(past)?.[0]);
  });

  it('runs 64 concurrent commands through the CmdSN window', async () => {
    const content = Buffer.alloc(64 * 2048);
    for (let i = 0; i < 64; i++) content.fill(i, i * 2048, (i + 1) * 2048);
    const dev = await openDev(await tgtd.addTarget(IQN('window'), await tgtd.dataDisc(content)));
    await settle(dev);
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => dev.execute(buildRead10(i, 1))));
    results.forEach((r, i) => {
      expect(r.status).toBe(0);
      expect(r.data.every((b) => b === i)).toBe(true);
    });
  });

  it('answers the target NOP-In pings (nop_interval) so tgtd keeps the idle session', async () => {
    const iqn = IQN('nop');
    const dev = await openDev(await tgtd.addTarget(iqn, undefined, { params: { nop_interval: 1, nop_count: 2 } }));
    await new Promise((r) => setTimeout(r, 3500));
    expect(dev.stats.nopInAnswered).toBeGreaterThanOrEqual(2);
    expect(dev.isOpen).toBe(true);
    expect((await dev.execute(buildInquiry())).status).toBe(0);
    expect(await dev.ping()).toBeLessThan(1000);
  });

  it('the target dropping the connection (tgtadm conn delete) → TransportError({disconnected}); a new open() works', async () => {
    const iqn = IQN('drop');
    const url = await tgtd.addTarget(iqn);
    const dev = await transport.open(url);
    let closedWith: Error | undefined;
    dev.onClose((e) => (closedWith = e));
    expect((await tgtd.sessions(iqn)).map((x) => x.initiator)).toEqual([expect.stringMatching(/^iqn\.2026-11\.org\.glassmaster:/)]);
    expect(await tgtd.dropConnections(iqn)).toBe(1);
    for (let i = 0; i < 100 && dev.isOpen; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closedWith).toMatchObject({ code: 'TRANSPORT', disconnected: true });
    await expect(dev.execute(buildInquiry())).rejects.toMatchObject({ code: 'TRANSPORT', disconnected: true });
    await dev.close();
    const again = await openDev(url);
    expect((await again.execute(buildInquiry())).status).toBe(0);
  });

  it('AbortSignal: aborted before sending → CancelledError, and the session stays usable', async () => {
    const dev = await openDev(await tgtd.addTarget(IQN('abort')));
    const ac = new AbortController();
    ac.abort();
    await expect(dev.execute(buildInquiry(), ac.signal)).rejects.toBeInstanceOf(CancelledError);
    expect((await dev.execute(buildInquiry())).status).toBe(0);
  });

  it('close(): logs out; pending and later executes reject with CancelledError', async () => {
    const dev = await transport.open(await tgtd.addTarget(IQN('close')));
    const pending = dev.execute({ ...buildRead10(0, 16) }).catch((e: unknown) => e);
    await dev.close();
    expect(await pending).toBeInstanceOf(CancelledError);
    await expect(dev.execute(buildInquiry())).rejects.toBeInstanceOf(CancelledError);
    await dev.close(); // idempotent
  });
});

describe.skipIf(!ok)('iSCSI initiator when the target fails', () => {
  it('tgtd killed mid-command → TransportError({disconnected}) promptly, not a hang', async () => {
    const t = await startTgtd();
    try {
      const file = await t.blankDisc();
      const dev = await new IscsiTransport([], { keepaliveIntervalMs: 0 }).open(await t.addTarget(IQN('kill'), file));
      await settle(dev);
      const big = Buffer.alloc(16 << 20, 1);
      const started = Date.now();
      const inflight = dev.execute(buildWrite10(0, big.length / 2048, big, 60_000)).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Kill once the target has asked for the first burst: the command is certainly in flight
      // (16 MiB needs 64 R2Ts of 256 KiB).
      const r2ts = dev.stats.r2ts;
      while (dev.stats.r2ts === r2ts) await new Promise((r) => setTimeout(r, 1));
      await t.kill();
      const err = await inflight;
      expect(err).toBeInstanceOf(TransportError);
      expect(err).toMatchObject({ disconnected: true });
      expect(Date.now() - started).toBeLessThan(5000);
      await expect(dev.execute(buildInquiry())).rejects.toMatchObject({ code: 'TRANSPORT', disconnected: true });
      await dev.close();
    } finally {
      await t.stop();
    }
  });

  it('a frozen target (SIGSTOP): the command times out, then the keepalive ping ends the session', async () => {
    const t = await startTgtd();
    try {
      const dev = await new IscsiTransport([], { keepaliveIntervalMs: 300, nopTimeoutMs: 700 }).open(await t.addTarget(IQN('frozen')));
      await settle(dev);
      let closedWith: Error | undefined;
      dev.onClose((e) => (closedWith = e));
      t.signal('SIGSTOP');
      const err = await dev.execute({ ...buildInquiry(), timeoutMs: 400 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TRANSPORT', errno: 'ETIMEDOUT' });
      // Keepalive: idle 300 ms → NOP-Out; no NOP-In within 700 ms → session over. Poll, CPU is shared.
      for (let i = 0; i < 100 && dev.isOpen; i++) await new Promise((r) => setTimeout(r, 50));
      expect(dev.isOpen).toBe(false);
      expect(closedWith).toMatchObject({ code: 'TRANSPORT', disconnected: true });
      t.signal('SIGCONT');
      await dev.close();
    } finally {
      t.signal('SIGCONT');
      await t.stop();
    }
  });
});
