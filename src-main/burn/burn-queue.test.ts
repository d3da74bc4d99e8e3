// One image to several virtual recorders at once: each drive's outcome is its own.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../common/exit-codes';
import { DriveService } from '../drive/drive-service';
import { bufferByteSource } from '../image/byte-source/file-source';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { burnToDrives } from './burn-queue';
import { BurnService } from './burn-service';

let dir: string;
let vt: VirtualTransport;
let drives: DriveService;
let burner: BurnService;
const data = randomBytes(2048 * 3000);
const sha = createHash('sha256').update(data).digest('hex');

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-queue-'));
  vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
  await vt.create('dvd', { media: 'dvd+r' });
  await vt.create('bd', { media: 'bd-r' });
  await vt.create('empty', { media: null });
  await vt.create('bad', { media: 'dvd+r' });
  for (const n of ['dvd', 'bd', 'empty', 'bad']) {
    vt.recorder(n).clearUnitAttention();
    vt.recorder(n).immediatePolls = 2;
  }
  drives = new DriveService({ transports: [vt], drive: { retryDelayMs: 1 }, leaseDir: join(dir, 'leases') });
  burner = new BurnService({ drives, pollMs: 2, progressIntervalMs: 0 });
});
afterEach(async () => {
  await vt.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('burnToDrives', () => {
  it('burns and fully verifies the same source on every drive in parallel; progress per drive', async () => {
    const seen = new Map<string, Set<string>>();
    let concurrent = 0;
    const writing = new Set<string>();
    const r = await burnToDrives(burner, ['virtual:dvd', 'virtual:bd'], async () => bufferByteSource(data), { verify: 'full' }, {
      onProgress: (a, p) => {
        (seen.get(a) ?? seen.set(a, new Set()).get(a)!).add(p.action);
        if (p.action === 'writing') writing.add(a);
        if (p.action === 'done') writing.delete(a);
        concurrent = Math.max(concurrent, writing.size);
      },
    });
    expect(r).toMatchObject({ ok: true, exitCode: 0 });
    expect(r.drives.map((d) => [d.address, d.ok])).toEqual([['virtual:dvd', true], ['virtual:bd', true]]);
    for (const d of r.drives) {
      if (!d.ok) throw new Error('unreachable');
      expect(d.result.copies[0].verify).toMatchObject({ ok: true, level: 'full', expectedSha256: sha, actualSha256: sha });
    }
    expect(r.drives.map((d) => d.ok && d.result.copies[0].strategy)).toEqual(['DVD+R', 'BD-R SRM']);
    expect([...seen.keys()].sort()).toEqual(['virtual:bd', 'virtual:dvd']);
    expect(concurrent).toBe(2);
  });

  it("a drive's failure is its own: no disc, a busy drive and a write error fail alone, the others finish; the exit code is the worst", async () => {
    vt.injectFault('bad', { match: 'write', nth: 3, action: 'sense', sense: [3, 0x0c, 0x00] });
    const held = await drives.lease('virtual:bd', 'read');
    const done: string[] = [];
    const r = await burnToDrives(burner, ['virtual:empty', 'virtual:dvd', 'virtual:bad', 'virtual:bd'], async () => bufferByteSource(data), { verify: 'quick' }, {
      onDone: (o) => done.push(o.address),
    });
    await held.release();
    const by = Object.fromEntries(r.drives.map((d) => [d.address, d]));
    expect(by['virtual:dvd']).toMatchObject({ ok: true, exitCode: 0 });
    expect(by['virtual:empty']).toMatchObject({ ok: false, exitCode: ExitCode.DEVICE, error: { code: 'INVALID_MEDIA' } });
    expect(by['virtual:bad']).toMatchObject({ ok: false, exitCode: ExitCode.DEVICE, error: { code: 'SCSI' } });
    expect(by['virtual:bd']).toMatchObject({ ok: false, exitCode: ExitCode.DEVICE, error: { code: 'DRIVE_BUSY' } });
    expect(r).toMatchObject({ ok: false, exitCode: ExitCode.DEVICE });
    expect(done.sort()).toEqual(['virtual:bad', 'virtual:bd', 'virtual:dvd', 'virtual:empty']);
    for (const n of ['dvd', 'bad', 'empty']) expect(vt.recorder(n).state.locked).toBe(false);
    for (const a of ['virtual:dvd', 'virtual:bad', 'virtual:empty', 'virtual:bd']) expect(drives.busyWith(a)).toBeUndefined();
  });

  it('a verification failure on one drive is exit code 4 for the queue; a drive named twice is refused', async () => {
    // The drive recorded sector 0 wrongly: its medium is changed after writing, before the read-back.
    const r = await burnToDrives(burner, ['virtual:dvd'], async () => bufferByteSource(data), { verify: 'full' }, {
      onProgress: (_a, p) => {
        if (p.action !== 'verifying' || p.fraction !== 0) return;
        const fd = openSync(vt.recorder('dvd').backingPath, 'r+');
        writeSync(fd, Buffer.alloc(2048, 1), 0, 2048, 0);
        closeSync(fd);
      },
    });
    expect(r).toMatchObject({ ok: false, exitCode: ExitCode.VERIFICATION, drives: [{ error: { code: 'VERIFICATION', details: { report: { mismatched: [{ start: 0, end: 1 }] } } } }] });
    await expect(burnToDrives(burner, ['virtual:dvd', 'virtual:dvd'], async () => bufferByteSource(data), {})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('a cancel stops every drive', async () => {
    for (const n of ['dvd', 'bd']) vt.setPacing(n, true);
    const ac = new AbortController();
    const started = new Set<string>();
    const r = await burnToDrives(burner, ['virtual:dvd', 'virtual:bd'], async () => bufferByteSource(data), { speedX: 1 }, {
      signal: ac.signal,
      onProgress: (a, p) => {
        if (p.action === 'writing' && p.sectorsWritten > 0) started.add(a);
        if (started.size === 2) ac.abort();
      },
    });
    expect(r.exitCode).toBe(ExitCode.CANCELLED);
    expect(r.drives.every((d) => !d.ok && d.error.code === 'CANCELLED')).toBe(true);
  });
});
