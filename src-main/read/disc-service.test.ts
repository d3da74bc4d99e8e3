// DiscService takes the drive lease for read, verify and ls: a burn cannot start mid-read, the
// lease ends whatever happens, and a disc the desktop holds open (O_EXCL) can still be read.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriveService } from '../drive/drive-service';
import { requireTools } from '../testing/peer-tools';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { DiscService } from './disc-service';
import { pattern, writeTree, xorrisoImage } from './test-support';

const ok = requireTools('xorriso');

describe.skipIf(!ok)('DiscService leases the drive', () => {
  let dir: string;
  let vt: VirtualTransport;
  let drives: DriveService;
  let discs: DiscService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-discsvc-'));
    writeTree(join(dir, 'src'), { 'a.txt': 'hello\n', 'big.bin': pattern(2_000_000, 5) });
    xorrisoImage(join(dir, 'src'), join(dir, 'in.iso'));
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    await vt.create('dvd', { media: null });
    await vt.insertPressed('dvd', 'dvd', join(dir, 'in.iso'));
    vt.recorder('dvd').clearUnitAttention();
    drives = new DriveService({ transports: [vt], drive: { retryDelayMs: 1 }, leaseDir: join(dir, 'leases') });
    discs = new DiscService(drives);
  });
  afterAll(async () => {
    await vt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('read holds a read lease for its duration: a burn and a verify get DRIVE_BUSY, the lease ends with the read', async () => {
    const seen: Array<string | undefined> = [];
    let busyDuring: unknown;
    const r = await discs.read('virtual:dvd', {
      output: join(dir, 'out.iso'),
      onProgress: (p) => {
        if (p.phase === 'reading' && busyDuring === undefined) {
          seen.push(drives.busyWith('virtual:dvd'));
          busyDuring = drives.lease('virtual:dvd', 'burn').then(() => 'leased', (e: { code: string }) => e.code);
        }
      },
    });
    expect(await busyDuring).toBe('DRIVE_BUSY');
    expect(seen).toEqual(['read']);
    expect(Buffer.compare(readFileSync(join(dir, 'out.iso')), readFileSync(join(dir, 'in.iso')))).toBe(0);
    expect(r.bad.unreadableCount).toBe(0);
    expect(drives.busyWith('virtual:dvd')).toBeUndefined();
  });

  it('verify and ls lease too, and a failing operation releases its lease', async () => {
    let during: string | undefined;
    const v = await discs.verify('virtual:dvd', { against: 'image', image: join(dir, 'in.iso') }, { onProgress: () => (during ??= drives.busyWith('virtual:dvd')) });
    expect(v.ok).toBe(true);
    expect(during).toBe('verify');
    const ls = await discs.list('virtual:dvd');
    expect(ls.node.children?.map((c) => c.name).sort()).toEqual(['a.txt', 'big.bin']);
    await expect(discs.read('virtual:dvd', { output: join(dir, 'out.iso') })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(drives.busyWith('virtual:dvd')).toBeUndefined();
    const burn = await drives.lease('virtual:dvd', 'burn');
    await expect(discs.list('virtual:dvd')).rejects.toMatchObject({ code: 'DRIVE_BUSY' });
    await burn.release();
  });

  it('a disc held open exclusively elsewhere (a desktop mount) is still read and verified', async () => {
    const mount = await vt.open('virtual:dvd', { exclusive: true });
    try {
      const v = await discs.verify('virtual:dvd', { against: 'image', image: join(dir, 'in.iso') });
      expect(v.ok).toBe(true);
    } finally {
      await mount.close();
    }
  });
});
