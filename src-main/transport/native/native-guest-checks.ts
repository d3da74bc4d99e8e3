// Runs INSIDE the QEMU guest (see native-transport.guest.test.ts): drives NativeTransport over the
// guest kernel's real sr/sg drivers and writes what it observed to $GM_OUT/results.json for the
// host test to assert. It judges nothing itself, so a wrong observation cannot hide here.
//
// Drives: tgtd's DVD writer (iSCSI → QEMU scsi-generic, SCSI id 0) and QEMU's own scsi-cd
// (SCSI id 1). Raw CDBs keep this independent of the MMC layer under test elsewhere.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScsiDevice, ScsiResult } from '../transport';
import { NativeTransport } from './native-transport';
import { guestOut, signalHost, sleep, waitHost } from '../../testing/qemu/guest-signals';

interface Plan {
  /** The ISO QEMU's scsi-cd starts with, and the one the host swaps in. */
  isoPath: string;
  iso2Path: string;
  /** The file tgtd swaps in as a DVD-ROM. */
  tgtDataPath: string;
  writeSectors: number;
  hotplugIsoPath?: string;
}

const out = guestOut;
const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as Plan;
const results: Record<string, unknown> = {};

const be16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const be32 = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];

/** Fixed (70h/71h) or descriptor (72h/73h) sense → key/ASC/ASCQ (SPC-4 §4.5). */
function senseOf(r: ScsiResult): string | undefined {
  const s = r.sense;
  if (s.length < 3) return undefined;
  const desc = (s[0] & 0x7f) >= 0x72;
  const key = desc ? s[1] & 0x0f : s[2] & 0x0f;
  const asc = desc ? s[2] : s[12];
  const ascq = desc ? s[3] : s[13];
  return [key, asc, ascq].map((n) => n.toString(16).toUpperCase().padStart(2, '0')).join('/');
}

function summary(r: ScsiResult) {
  return { status: r.status, sense: senseOf(r), bytes: r.data.length, residual: r.residual };
}

function cdb10(op: number, lba: number, count: number): Uint8Array {
  return new Uint8Array([op, 0, lba >>> 24, (lba >>> 16) & 0xff, (lba >>> 8) & 0xff, lba & 0xff, 0, count >> 8, count & 0xff, 0]);
}

// SPC-4 §6.4 INQUIRY: byte 0 bits 4-0 peripheral device type (05h = MMC); vendor 8-15,
// product 16-31, revision 32-35.
async function inquiry(dev: ScsiDevice) {
  const r = await dev.execute({ cdb: new Uint8Array([0x12, 0, 0, 0, 96, 0]), direction: 'in', length: 96 });
  const text = (a: number, b: number) => r.data.subarray(a, b).toString('latin1').trim();
  return { ...summary(r), type: r.data[0] & 0x1f, vendor: text(8, 16), model: text(16, 32), revision: text(32, 36) };
}

// MMC-6 §6.6 GET CONFIGURATION, RT=00b: feature header bytes 6-7 = current profile (§5.3.1).
async function currentProfile(dev: ScsiDevice) {
  const r = await dev.execute({ cdb: new Uint8Array([0x46, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0]), direction: 'in', length: 2048 });
  return { ...summary(r), profile: r.status === 0 && r.data.length >= 8 ? be16(r.data, 6) : undefined };
}

// MMC-6 §6.23 READ CAPACITY: last LBA and block length, big-endian.
async function readCapacity(dev: ScsiDevice) {
  const r = await dev.execute({ cdb: new Uint8Array([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]), direction: 'in', length: 8 });
  return { ...summary(r), lastLba: r.status === 0 ? be32(r.data, 0) : undefined, blockLength: r.status === 0 ? be32(r.data, 4) : undefined };
}

async function readSectors(dev: ScsiDevice, lba: number, count: number): Promise<{ status: number; sense?: string; data: Buffer }> {
  const chunks: Buffer[] = [];
  for (let at = lba; at < lba + count; at += 32) {
    const n = Math.min(32, lba + count - at);
    const r = await dev.execute({ cdb: cdb10(0x28, at, n), direction: 'in', length: n * 2048 });
    if (r.status !== 0) return { status: r.status, sense: senseOf(r), data: Buffer.concat(chunks) };
    chunks.push(r.data);
  }
  return { status: 0, data: Buffer.concat(chunks) };
}

async function tur(dev: ScsiDevice) {
  return summary(await dev.execute({ cdb: new Uint8Array(6), direction: 'none' }));
}

/** TEST UNIT READY until the answer repeats: unit attentions are reported once, then the steady state. */
async function turSequence(dev: ScsiDevice, max = 6): Promise<(string | undefined)[]> {
  const seq: (string | undefined)[] = [];
  for (let i = 0; i < max; i++) {
    const t = await tur(dev);
    seq.push(t.status === 0 ? 'GOOD' : t.sense);
    if (seq.length >= 2 && seq[seq.length - 1] === seq[seq.length - 2]) break;
  }
  return seq;
}

// MMC-6 §6.7 GET EVENT STATUS NOTIFICATION, polled, media class (bit 4). Media event descriptor
// (§6.7.2.5): byte 4 low nibble = event code (0 none, 1 eject request, 2 new media, 3 media
// removal, 4 media changed); byte 5 bit 0 tray open, bit 1 media present.
async function gesnMedia(dev: ScsiDevice) {
  const r = await dev.execute({ cdb: new Uint8Array([0x4a, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0]), direction: 'in', length: 8 });
  const d = r.data;
  return {
    ...summary(r),
    nea: d.length >= 3 ? (d[2] & 0x80) !== 0 : undefined,
    notificationClass: d.length >= 3 ? d[2] & 0x07 : undefined,
    eventCode: d.length >= 6 ? d[4] & 0x0f : undefined,
    trayOpen: d.length >= 6 ? (d[5] & 0x01) !== 0 : undefined,
    mediaPresent: d.length >= 6 ? (d[5] & 0x02) !== 0 : undefined,
  };
}

async function errorOf(p: Promise<unknown>) {
  try {
    await p;
    return { ok: true };
  } catch (err) {
    const e = err as { name?: string; code?: string; errno?: unknown; syscall?: string; disconnected?: boolean; message?: string };
    return { name: e.name, code: e.code, errno: e.errno, syscall: e.syscall, disconnected: e.disconnected, message: e.message };
  }
}

async function main() {
  const transport = new NativeTransport();
  const drives = await transport.list();
  results.list = drives;
  const qemuCd = drives.find((d) => d.vendor === 'QEMU');
  const tgt = drives.find((d) => d !== qemuCd);
  if (!qemuCd || !tgt) throw new Error(`expected two drives, got ${JSON.stringify(drives)}`);

  // ---- tgtd's DVD writer, blank DVD+R ----
  const sr = await transport.open(tgt.address);
  let sg = await transport.open(tgt.sgNode as string);
  results.tgtInquirySr = await inquiry(sr);
  results.tgtInquirySg = await inquiry(sg);
  results.tgtTurInitial = await turSequence(sr);
  results.tgtBlankProfile = await currentProfile(sg);
  // WRITE(10) (MMC-6 §6.44) at LBA 0, the next writable address of a blank DVD+R, then READ(10)
  // (§6.15) back through the other node: the same bytes must come back, and the host checks that
  // they landed in tgtd's backing file.
  const pattern = Buffer.alloc(plan.writeSectors * 2048);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7 + (i >> 11)) & 0xff;
  const w = await sr.execute({ cdb: cdb10(0x2a, 0, plan.writeSectors), direction: 'out', data: pattern, timeoutMs: 60_000 });
  results.tgtWrite = summary(w);
  // SYNCHRONIZE CACHE (MMC-6 §6.41): flush before reading back.
  results.tgtSync = summary(await sr.execute({ cdb: new Uint8Array([0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]), direction: 'none', timeoutMs: 60_000 }));
  // tgt serves READ only from recorded (closed) tracks: CLOSE TRACK (MMC-6 §6.3, close function
  // 001b, track 1) finishes the track, and tgt then presents the disc as DVD-ROM.
  results.tgtCloseTrack = summary(await sr.execute({ cdb: new Uint8Array([0x5b, 0, 0x01, 0, 0, 1, 0, 0, 0, 0]), direction: 'none', timeoutMs: 60_000 }));
  results.tgtClosedProfile = await currentProfile(sg);
  const back = await readSectors(sg, 0, plan.writeSectors);
  results.tgtReadBack = { status: back.status, sense: back.sense, equal: back.data.equals(pattern), bytes: back.data.length };

  // Exclusive access: O_EXCL on the sr node refuses a second exclusive opener (EBUSY).
  // sr and sg are both still open (non-exclusive) here, so first close them: an exclusive open
  // also takes the sg sibling, which the sg driver refuses while anyone else holds it.
  results.exclusiveWhileSgShared = await errorOf(transport.open(tgt.address, { exclusive: true }).then((d) => d.close()));
  await sg.close();
  const excl = await transport.open(tgt.address, { exclusive: true });
  results.tgtSecondExclusive = await errorOf(transport.open(tgt.address, { exclusive: true }));
  // While a burn holds the drive, the sg door is shut too, even for plain opens.
  results.sgWhileExclusive = await errorOf(transport.open(tgt.sgNode as string));
  await excl.close();
  results.tgtExclusiveAfterClose = await errorOf(transport.open(tgt.address, { exclusive: true }).then((d) => d.close()));
  sg = await transport.open(tgt.sgNode as string);

  // The sg driver's O_EXCL refuses an exclusive opener while any other descriptor is open.
  results.sgExclusiveWhileShared = await errorOf(transport.open(tgt.sgNode as string, { exclusive: true }));

  // Cancellation and close semantics on a real handle.
  const ac = new AbortController();
  ac.abort();
  results.abortedBeforeSend = await errorOf(sg.execute({ cdb: new Uint8Array(6), direction: 'none' }, ac.signal));
  const extra = await transport.open(tgt.sgNode as string);
  const pending = extra.execute({ cdb: new Uint8Array([0x12, 0, 0, 0, 96, 0]), direction: 'in', length: 96 });
  await extra.close();
  results.pendingAtClose = await errorOf(pending);
  results.afterClose = await errorOf(extra.execute({ cdb: new Uint8Array(6), direction: 'none' }));

  // The host swaps tgtd's disc for a data file: DVD-ROM now.
  signalHost('tgt-swap');
  await waitHost('tgt-swapped');
  results.tgtTurAfterSwap = await turSequence(sg);
  results.tgtDataProfile = await currentProfile(sg);
  results.tgtDataCapacity = await readCapacity(sg);
  const dataFile = readFileSync(plan.tgtDataPath);
  const dataRead = await readSectors(sr, 0, 16);
  results.tgtDataRead = { status: dataRead.status, sense: dataRead.sense, equal: dataRead.data.equals(dataFile.subarray(0, 16 * 2048)) };
  await sr.close();
  await sg.close();

  // ---- QEMU's scsi-cd with an ISO ----
  const cd = await transport.open(qemuCd.address);
  const cdSg = await transport.open(qemuCd.sgNode as string);
  results.cdInquiry = await inquiry(cd);
  results.cdTurInitial = await turSequence(cdSg);
  results.cdProfile = await currentProfile(cdSg);
  results.cdCapacity = await readCapacity(cdSg);
  const iso = readFileSync(plan.isoPath);
  const whole = await readSectors(cd, 0, iso.length / 2048);
  results.cdReadAll = { status: whole.status, sense: whole.sense, bytes: whole.data.length, equal: whole.data.equals(iso) };
  // Reading past the last LBA: ILLEGAL REQUEST, LBA out of range (05/21/00, SPC-4 Annex).
  results.cdReadPastEnd = await readSectors(cd, iso.length / 2048, 1).then((r) => ({ status: r.status, sense: r.sense }));
  results.cdGesnIdle = await gesnMedia(cdSg);
  await cd.close(); // from here on only sg: the sr driver's open() would itself consume media events

  signalHost('eject');
  await waitHost('ejected');
  results.cdGesnAfterEject = await gesnMedia(cdSg);
  results.cdTurAfterEject = await turSequence(cdSg);
  results.cdProfileEmpty = await currentProfile(cdSg);

  signalHost('change');
  await waitHost('changed');
  results.cdGesnAfterChange = await gesnMedia(cdSg);
  results.cdTurAfterChange = await turSequence(cdSg);
  results.cdCapacityAfterChange = await readCapacity(cdSg);
  const iso2 = readFileSync(plan.iso2Path);
  const first = await readSectors(cdSg, 16, 1);
  results.cdReadAfterChange = { status: first.status, equal: first.data.equals(iso2.subarray(16 * 2048, 17 * 2048)) };
  await cdSg.close();

  // Hot-plug: the host adds a third drive (QEMU scsi-cd), then removes it; watch() reports both.
  if (plan.hotplugIsoPath) {
    const seen: unknown[] = [];
    const stop = transport.watch((c) => seen.push(c), { intervalMs: 200 });
    await sleep(500);
    signalHost('hotplug');
    await waitHost('hotplugged');
    const until = async (n: number) => {
      const deadline = Date.now() + 15_000;
      while (seen.length < n && Date.now() < deadline) await sleep(100);
    };
    await until(1);
    // Hold the new drive open through both nodes while it is unplugged: a vanished device must
    // surface as a TransportError marked disconnected, not as sense data or a hang.
    const added = (seen[0] as { added: { address: string; sgNode?: string }[] } | undefined)?.added[0];
    const held = added ? await Promise.all([transport.open(added.address), transport.open(added.sgNode as string)]) : [];
    results.hotplugTurBefore = await Promise.all(held.map((d) => errorOf(d.execute({ cdb: new Uint8Array(6), direction: 'none' }))));
    signalHost('unplug');
    await waitHost('unplugged');
    await until(2);
    stop();
    results.hotplugTurAfterUnplug = await Promise.all(held.map((d) => errorOf(d.execute({ cdb: new Uint8Array(6), direction: 'none', timeoutMs: 5000 }))));
    await Promise.all(held.map((d) => d.close()));
    results.hotplug = seen;
  }
}

main()
  .then(() => {
    writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
  })
  .catch((err: unknown) => {
    results.fatal = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err);
    writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
    process.exitCode = 1;
  });
