// Runs INSIDE the QEMU guest (see drive.guest.test.ts): Drive and DriveService over NativeTransport
// and the guest kernel's sr/sg drivers, in front of two independent MMC implementations — tgtd's
// DVD writer (iSCSI passed through with scsi-generic) and QEMU's scsi-cd. Records observations in
// $GM_OUT/results.json; the host test asserts them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GlassmasterError } from '../common/errors';
import { NativeTransport } from '../transport/native/native-transport';
import { loadNativeAddon, type NativeAddon } from '../transport/native/native-addon';
import { buildWrite10 } from '../mmc/commands/write';
import { buildSynchronizeCache } from '../mmc/commands/synchronize-cache';
import { buildCloseTrackSession } from '../mmc/commands/close-track-session';
import { Drive, type MediaChange } from './drive';
import { DriveService } from './drive-service';
import { guestOut, signalHost, sleep, waitHost } from '../testing/qemu/guest-signals';

const out = guestOut;
const results: Record<string, unknown> = {};

/**
 * The MMC gate against a real non-MMC device: QEMU's scsi-hd seen by the guest kernel as /dev/sgN
 * (type 0). Eject, load and a burn lease must be refused after INQUIRY, with no other command
 * (above all no START STOP UNIT) reaching the disk. Every CDB is recorded per handle.
 */
async function diskGate(): Promise<void> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const disk = readdirSync('/sys/class/scsi_generic').find((sg) => readFileSync(`/sys/class/scsi_generic/${sg}/device/type`, 'utf8').trim() === '0');
  if (!disk) throw new Error('no type-0 sg node (scsi-hd) in the guest');
  const address = `/dev/${disk}`;
  const real = loadNativeAddon();
  const diskHandles = new Set<number>();
  const sent: number[] = [];
  const recording: NativeAddon = {
    info: () => real.info(),
    list: () => real.list(),
    open: async (p, x) => {
      const h = await real.open(p, x);
      if (p === address) diskHandles.add(h);
      return h;
    },
    close: (h) => real.close(h),
    execute: (h, req) => {
      if (diskHandles.has(h)) sent.push(req.cdb[0]);
      return real.execute(h, req);
    },
  };
  const svc = new DriveService({ transports: [new NativeTransport(recording)], drive: { retryDelayMs: 20 } });
  const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e instanceof GlassmasterError ? { code: e.code, message: e.message, details: e.details } : { message: String(e) }));
  results.diskGate = {
    address,
    listed: (await svc.list()).some((d) => d.address === address || d.sgNode === address),
    eject: await errorOf(svc.eject(address)),
    load: await errorOf(svc.load(address)),
    media: await errorOf(svc.media(address)),
    lease: await errorOf(svc.lease(address, 'burn')),
    opcodes: sent,
    diskOpens: diskHandles.size,
  };
}

async function main(): Promise<void> {
  await diskGate();
  const transport = new NativeTransport();
  const svc = new DriveService({ transports: [transport], drive: { retryDelayMs: 20 } });
  const list = await svc.list();
  results.list = list.map((d) => ({ address: d.address, vendor: d.vendor, model: d.model, profiles: d.capabilities.profiles, canWriteDvdPlusR: d.capabilities.canWriteDvdPlusR, canEject: d.capabilities.canEject }));
  const qemu = list.find((d) => d.vendor === 'QEMU');
  const tgt = list.find((d) => d.vendor !== 'QEMU');
  if (!qemu || !tgt) throw new Error(`expected two drives, got ${JSON.stringify(results.list)}`);

  // tgtd: blank DVD+R → burn 64 blocks → complete DVD-ROM.
  results.tgtBlank = await svc.media(tgt.address);
  await svc.withDrive(tgt.address, async (d) => {
    await d.execute(buildWrite10(0, 64, new Uint8Array(64 * 2048).fill(0x3c)));
    await d.execute(buildSynchronizeCache());
    await d.execute(buildCloseTrackSession(1, 1));
  }, { exclusive: true });
  results.tgtBurned = await svc.media(tgt.address);

  // QEMU scsi-cd with an ISO, then GESN-driven watching while the host ejects and changes the disc.
  results.qemuMedia = await svc.media(qemu.address);
  const dev = await transport.open(qemu.address);
  try {
    const d = new Drive(dev, { retryDelayMs: 20 });
    results.qemuGesn = await d.mediaEvent();
    const seen: MediaChange[] = [];
    const ac = new AbortController();
    const watching = d.watchMedia(ac.signal, (e) => seen.push(e), { minIntervalMs: 50, maxIntervalMs: 200 });
    const until = async (n: number) => {
      const deadline = Date.now() + 20_000;
      while (seen.length < n && Date.now() < deadline) await sleep(50);
    };
    await until(1);
    signalHost('eject');
    await waitHost('ejected');
    await until(2);
    signalHost('change');
    await waitHost('changed');
    await until(3);
    ac.abort();
    await watching;
    results.qemuWatch = seen.map((e) => ({ reason: e.reason, profile: e.media.profile, status: e.media.status, usedBlocks: e.media.usedBlocks, tray: e.media.tray }));
    // Tray control through START STOP UNIT on QEMU's drive.
    await d.eject();
    const raw = async (cdb: number[], length: number) => {
      const x = await dev.execute({ cdb: Uint8Array.from(cdb), direction: length ? 'in' : 'none', length });
      return { status: x.status, sense: Buffer.from(x.sense).toString('hex'), data: x.data.toString('hex') };
    };
    results.qemuEjectRaw = {
      tur: await raw([0, 0, 0, 0, 0, 0], 0),
      mech: await raw([0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0], 8),
      gesn: await raw([0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8, 0], 8),
    };
    results.qemuAfterEject = await d.media();
    await d.load();
    results.qemuAfterLoad = await d.media();
  } finally {
    await dev.close();
  }
}

main()
  .then(() => writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1)))
  .catch((err: unknown) => {
    results.fatal = err instanceof GlassmasterError ? `${err.name}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err);
    writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
    process.exitCode = 1;
  });
