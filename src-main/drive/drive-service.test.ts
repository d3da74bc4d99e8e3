import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriveBusyError, InvalidInputError, NotSupportedError } from '../common/errors';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { DriveService, kindOfAddress, type MediaEvent } from './drive-service';

let dir: string;
let vt: VirtualTransport;
let svc: DriveService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-svc-'));
  vt = new VirtualTransport({ stateDir: dir });
  await vt.create('a', { media: 'dvd+r' });
  await vt.create('b', { media: null });
  svc = new DriveService({ transports: [vt], drive: { retryDelayMs: 5 }, rescanMs: 50 });
});
afterEach(async () => {
  await vt.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('DriveService', () => {
  it('routes addresses by prefix', () => {
    expect(kindOfAddress('/dev/sr0')).toBe('native');
    expect(kindOfAddress('\\\\.\\CdRom0')).toBe('native');
    expect(kindOfAddress('iscsi://127.0.0.1:3260/iqn.x/1')).toBe('iscsi');
    expect(kindOfAddress('virtual:x')).toBe('virtual');
    expect(() => kindOfAddress('sr0')).toThrow(InvalidInputError);
    expect(() => svc.transportFor('/dev/sr0')).toThrow(NotSupportedError);
  });

  it('list(): every virtual drive with identification and capabilities', async () => {
    const list = await svc.list();
    expect(list.map((d) => [d.address, d.kind, d.vendor, d.model])).toEqual([
      ['virtual:a', 'virtual', 'GLASSMST', 'Virtual Recorder'],
      ['virtual:b', 'virtual', 'GLASSMST', 'Virtual Recorder'],
    ]);
    expect(list[0].capabilities.canWriteDvdPlusR).toBe(true);
  });

  it('list(): a broken transport hides only its own drives; an unidentifiable drive is listed without capabilities', async () => {
    const broken = { kind: 'iscsi' as const, list: async () => { throw new Error('portal down'); }, open: async () => { throw new Error('x'); } };
    const mute = {
      kind: 'native' as const,
      list: async () => [{ address: '/dev/sr9', vendor: 'ACME', model: 'Mute', revision: '0', kind: 'native' as const, sgNode: '/dev/sg9' }],
      open: async () => { throw new Error('EACCES'); },
    };
    const s2 = new DriveService({ transports: [mute, broken, vt], drive: { retryDelayMs: 5 } });
    const list = await s2.list();
    expect(list.map((d) => d.address)).toEqual(['/dev/sr9', 'virtual:a', 'virtual:b']);
    expect(list[0]).toMatchObject({ vendor: 'ACME', sgNode: '/dev/sg9', capabilities: { profiles: [], canWriteDvdPlusR: false } });
  });

  it('media(), eject() (even when locked by a crashed burn) and load()', async () => {
    expect((await svc.media('virtual:a')).profile).toBe('DVD+R');
    expect((await svc.media('virtual:b')).status).toBe('no-disc');
    vt.recorder('a').state.locked = true;
    await svc.eject('virtual:a');
    expect(await svc.media('virtual:a')).toMatchObject({ status: 'no-disc', tray: 'open' });
    await svc.load('virtual:a');
    expect((await svc.media('virtual:a')).status).toBe('blank');
  });

  it('watch(): initial media of every drive, then changes, until aborted', async () => {
    const evs: MediaEvent[] = [];
    const ac = new AbortController();
    const done = svc.watch(ac.signal, (e) => evs.push(e), { minIntervalMs: 10, maxIntervalMs: 30 });
    const until = async (pred: () => boolean) => {
      const t0 = Date.now();
      while (!pred() && Date.now() - t0 < 4000) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => evs.length >= 2);
    await vt.insert('b', 'cd-rw');
    await until(() => evs.some((e) => e.address === 'virtual:b' && e.media.profile === 'CD-RW'));
    await vt.create('c', { media: 'bd-re' });
    await until(() => evs.some((e) => e.address === 'virtual:c'));
    ac.abort();
    await done;
    expect(evs.filter((e) => e.reason === 'initial').map((e) => e.address).sort()).toEqual(['virtual:a', 'virtual:b', 'virtual:c']);
    expect(evs.find((e) => e.address === 'virtual:b' && e.reason !== 'initial')?.media.profile).toBe('CD-RW');
  });

  it('watch(): reports the drive list when a drive appears or goes, not on every rescan', async () => {
    const ac = new AbortController();
    const lists: string[][] = [];
    const done = svc.watch(ac.signal, () => undefined, { onDrives: (d) => lists.push(d.map((x) => x.address)) });
    await new Promise((r) => setTimeout(r, 200));
    expect(lists).toEqual([]);
    await vt.create('c', { media: 'bd-r' });
    for (let i = 0; i < 100 && lists.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await vt.remove('b');
    for (let i = 0; i < 100 && lists.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await done;
    expect(lists).toEqual([
      ['virtual:a', 'virtual:b', 'virtual:c'],
      ['virtual:a', 'virtual:c'],
    ]);
  });
});

describe('DriveService leases', () => {
  it('a job takes the drive exclusively: a second job, media() and eject() get DriveBusyError until it ends', async () => {
    const lease = await svc.lease('virtual:a', 'burn');
    await expect(svc.lease('virtual:a', 'erase')).rejects.toBeInstanceOf(DriveBusyError);
    await expect(svc.lease('virtual:a', 'erase')).rejects.toMatchObject({ code: 'DRIVE_BUSY', message: expect.stringContaining('a burn is running') });
    await expect(svc.media('virtual:a')).rejects.toMatchObject({ code: 'DRIVE_BUSY' });
    await expect(svc.eject('virtual:a')).rejects.toMatchObject({ code: 'DRIVE_BUSY' });
    // Another drive is independent.
    const other = await svc.lease('virtual:b', 'verify');
    expect(svc.busyWith('virtual:a')).toBe('burn');
    // The job locks the tray; release unlocks it.
    await lease.drive.lock();
    expect(vt.recorder('a').state.locked).toBe(true);
    await lease.release();
    await lease.release();
    expect(vt.recorder('a').state.locked).toBe(false);
    expect(svc.busyWith('virtual:a')).toBeUndefined();
    expect((await svc.media('virtual:a')).profile).toBe('DVD+R');
    await other.release();
  });

  it('a job that died mid-way: the next open unlocks the drive; a live marker of another process is busy', async () => {
    const leaseDir = join(dir, 'leases');
    const s2 = new DriveService({ transports: [vt], drive: { retryDelayMs: 5 }, leaseDir });
    mkdirSync(leaseDir, { recursive: true });
    const marker = join(leaseDir, `${encodeURIComponent('virtual:a')}.json`);
    // A pid that cannot exist (above Linux's pid_max limit of 2^22).
    writeFileSync(marker, JSON.stringify({ pid: 4_194_305, job: 'burn', since: '2026-01-01T00:00:00Z' }));
    vt.recorder('a').state.locked = true;
    expect((await s2.media('virtual:a')).profile).toBe('DVD+R');
    expect(vt.recorder('a').state.locked).toBe(false);
    expect(existsSync(marker)).toBe(false);
    // The parent process is alive: its marker makes the drive busy here.
    writeFileSync(marker, JSON.stringify({ pid: process.ppid, job: 'erase', since: '2026-01-01T00:00:00Z' }));
    await expect(s2.lease('virtual:a', 'burn')).rejects.toMatchObject({ code: 'DRIVE_BUSY', details: { pid: process.ppid, job: 'erase' } });
    rmSync(marker);
    const lease = await s2.lease('virtual:a', 'burn');
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ pid: process.pid, job: 'burn' });
    await lease.release();
    expect(existsSync(marker)).toBe(false);
  });

  it('read-only leases (read, verify) open the device shared and leave the tray lock alone; they still keep other jobs off', async () => {
    // A desktop mount: another opener holds the device with O_EXCL semantics and the tray locked.
    const mount = await vt.open('virtual:a', { exclusive: true });
    vt.recorder('a').state.locked = true;
    await expect(svc.lease('virtual:a', 'burn')).rejects.toMatchObject({ code: 'TRANSPORT' });
    expect(svc.busyWith('virtual:a')).toBeUndefined();
    const read = await svc.lease('virtual:a', 'read');
    expect(vt.recorder('a').state.locked).toBe(true);
    expect((await read.drive.media()).profile).toBe('DVD+R');
    await expect(svc.lease('virtual:a', 'burn')).rejects.toMatchObject({ code: 'DRIVE_BUSY', message: expect.stringContaining('a read is running') });
    await expect(svc.lease('virtual:a', 'verify')).rejects.toMatchObject({ code: 'DRIVE_BUSY' });
    await read.release();
    expect(vt.recorder('a').state.locked).toBe(true);
    await mount.close();
    vt.recorder('a').state.locked = false;
    const burn = await svc.lease('virtual:a', 'burn');
    await burn.release();
  });

  it('the media watcher polls nothing on a leased drive and reports the media again when the lease ends', async () => {
    const evs: MediaEvent[] = [];
    const busy: Array<[string, string | undefined]> = [];
    const ac = new AbortController();
    const done = svc.watch(ac.signal, (e) => evs.push(e), { minIntervalMs: 5, maxIntervalMs: 10, onBusy: (a, j) => busy.push([a, j]) });
    const until = async (pred: () => boolean) => {
      const t0 = Date.now();
      while (!pred() && Date.now() - t0 < 4000) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => evs.some((e) => e.address === 'virtual:a'));
    const lease = await svc.lease('virtual:a', 'burn');
    const rec = vt.recorder('a');
    const seen: number[] = [];
    const orig = rec.execute.bind(rec);
    rec.execute = (cmd, stall) => {
      seen.push(cmd.cdb[0]);
      return orig(cmd, stall);
    };
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
    const before = evs.length;
    await lease.release();
    await until(() => evs.slice(before).some((e) => e.address === 'virtual:a'));
    ac.abort();
    await done;
    expect(busy).toEqual([['virtual:a', 'burn'], ['virtual:a', undefined]]);
    expect(evs.slice(before).find((e) => e.address === 'virtual:a')?.media.profile).toBe('DVD+R');
  });
});
