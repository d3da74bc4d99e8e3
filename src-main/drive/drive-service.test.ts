import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NotSupportedError } from '../common/errors';
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
