// Copying a disc on virtual recorders: a pressed DVD-ROM (an ISO made by xorriso) copied to a blank
// DVD+R and BD-R with two drives (streamed) and with one drive (swap prompt, temporary image). The
// copy is read back to an ISO and compared byte for byte with the source; xorriso reads the copy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriveService } from '../drive/drive-service';
import { describeByteSourceContract } from '../image/byte-source/contract';
import { DiscService } from '../read/disc-service';
import { openDiscByteSource } from '../read/disc-source';
import { scratched, pattern, writeTree, xorrisoImage } from '../read/test-support';
import { Drive } from '../drive/drive';
import { requireTools } from '../testing/peer-tools';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { BurnService } from './burn-service';
import { CopyService, type CopyProgress } from './copy-service';
import { createHash } from 'node:crypto';

const ok = requireTools('xorriso');

describe.skipIf(!ok)('CopyService: disc to disc', () => {
  let dir: string;
  let vt: VirtualTransport;
  let drives: DriveService;
  let copier: CopyService;
  let discs: DiscService;
  let iso: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-copy-'));
    writeTree(join(dir, 'src'), { 'readme.txt': 'copy me\n', 'data/big.bin': pattern(3_000_000, 9), 'data/small.txt': 'small' });
    xorrisoImage(join(dir, 'src'), join(dir, 'in.iso'), 'COPYSRC');
    iso = readFileSync(join(dir, 'in.iso'));
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    for (const n of ['src', 'dvd', 'bd', 'one']) await vt.create(n, { media: null });
    await vt.insertPressed('src', 'dvd', join(dir, 'in.iso'));
    await vt.insert('dvd', 'dvd+r');
    await vt.insert('bd', 'bd-r');
    for (const n of ['src', 'dvd', 'bd']) {
      vt.recorder(n).clearUnitAttention();
      vt.recorder(n).immediatePolls = 2;
    }
    drives = new DriveService({ transports: [vt], drive: { retryDelayMs: 1 }, leaseDir: join(dir, 'leases') });
    const burner = new BurnService({ drives, pollMs: 2, progressIntervalMs: 0 });
    copier = new CopyService({ drives, burner, tempDir: join(dir, 'state', 'copy'), pollMs: 5 });
    discs = new DiscService(drives);
  });
  afterAll(async () => {
    await vt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The copy read back to an ISO by the reading side, compared with the source image; xorriso extracts a file. */
  const expectCopyEqualsSource = async (address: string, name: string) => {
    const out = join(dir, `${name}.iso`);
    const r = await discs.read(address, { output: out });
    expect(r.bad.unreadableCount).toBe(0);
    execFileSync('cmp', [out, join(dir, 'in.iso')]);
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', out, '-extract', '/data/big.bin', join(dir, `${name}-big.bin`)], { stdio: 'pipe' });
    expect(readFileSync(join(dir, `${name}-big.bin`)).equals(pattern(3_000_000, 9))).toBe(true);
  };

  it('two drives, DVD-ROM → DVD+R: streamed, verified in full against the source disc; the source is held by a read lease meanwhile', async () => {
    const stages = new Set<string>();
    let sourceBusy: string | undefined;
    const r = await copier.copy('virtual:src', 'virtual:dvd', { close: 'disc' }, {}, {
      onProgress: (p) => {
        stages.add(p.stage);
        if (p.stage === 'burning' && p.burn.action === 'writing') sourceBusy ??= drives.busyWith('virtual:src');
      },
    });
    expect(r.mode).toBe('stream');
    expect(sourceBusy).toBe('read');
    expect([...stages]).toEqual(['burning']);
    const c = r.burn.copies[0];
    expect(c).toMatchObject({ strategy: 'DVD+R', sectors: iso.length / 2048, verify: { against: 'source', level: 'full', ok: true, reference: 'the disc in virtual:src', sectorsChecked: iso.length / 2048 } });
    const sha = createHash('sha256').update(iso).digest('hex');
    expect(c.verify!.expectedSha256).toBe(sha);
    expect(c.verify!.actualSha256).toBe(sha);
    expect(drives.busyWith('virtual:src')).toBeUndefined();
    await expectCopyEqualsSource('virtual:dvd', 'dvd');
  });

  it('two drives, DVD-ROM → BD-R: the same bytes', async () => {
    const r = await copier.copy('virtual:src', 'virtual:bd', {}, {});
    expect(r.burn.copies[0]).toMatchObject({ strategy: 'BD-R SRM', verify: { ok: true, level: 'full' } });
    await expectCopyEqualsSource('virtual:bd', 'bd');
  });

  it('one drive: read to a temporary image, a prompt to swap, wait for the blank disc, burn, verify; the temporary image is gone', async () => {
    await vt.insertPressed('one', 'dvd', join(dir, 'in.iso'));
    vt.recorder('one').clearUnitAttention();
    vt.recorder('one').immediatePolls = 2;
    const prompts: string[] = [];
    const stages: string[] = [];
    let tempSeen = false;
    const r = await copier.copy('virtual:one', 'virtual:one', {}, {}, {
      onProgress: (p: CopyProgress) => {
        if (stages[stages.length - 1] !== p.stage) stages.push(p.stage);
        if (p.stage === 'waiting-for-disc') {
          prompts.push(p.message);
          tempSeen = readdirSync(join(dir, 'state', 'copy')).some((n) => n.endsWith('.iso'));
          // The user takes the pressed disc out and puts a blank BD-R in a little later.
          setTimeout(() => void vt.insert('one', 'bd-r').then(() => vt.recorder('one').clearUnitAttention()), 50);
        }
      },
    });
    expect(stages).toEqual(['reading', 'waiting-for-disc', 'burning']);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatch(/insert a blank disc/);
    expect(tempSeen).toBe(true);
    expect(r).toMatchObject({ mode: 'image', read: { sectors: iso.length / 2048 }, burn: { copies: [{ strategy: 'BD-R SRM', verify: { ok: true, level: 'full' } }] } });
    expect(readdirSync(join(dir, 'state', 'copy'))).toEqual([]);
    await expectCopyEqualsSource('virtual:one', 'one');
  });

  it('one drive: a cancel while waiting for the blank disc deletes the temporary image and frees the drive', async () => {
    await vt.insertPressed('one', 'dvd', join(dir, 'in.iso'));
    vt.recorder('one').clearUnitAttention();
    const ac = new AbortController();
    const err = await copier.copy('virtual:one', 'virtual:one', {}, {}, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.stage === 'waiting-for-disc') setTimeout(() => ac.abort(), 30);
      },
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(readdirSync(join(dir, 'state', 'copy'))).toEqual([]);
    expect(drives.busyWith('virtual:one')).toBeUndefined();
  });

  it('refusals: a blank source (nothing written), and a source with an unreadable sector (the copy stops with its LBA)', async () => {
    await vt.insert('dvd', 'dvd+r');
    vt.recorder('dvd').clearUnitAttention();
    await vt.insert('bd', 'bd-r');
    vt.recorder('bd').clearUnitAttention();
    await expect(copier.copy('virtual:bd', 'virtual:dvd')).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringContaining('blank') });
    // A scratched source: sector 40 answers MEDIUM ERROR (the read helpers' device decorator, on the recorder itself).
    const rec = vt.recorder('src');
    const exec = rec.execute.bind(rec);
    let stall: Parameters<typeof exec>[1] = () => Promise.reject(new Error('no stall'));
    const bad = scratched({ address: 'virtual:src', execute: (cmd: Parameters<typeof exec>[0]) => exec(cmd, stall), close: async () => undefined } as never, [40]);
    rec.execute = (cmd, s) => {
      stall = s;
      return bad.execute(cmd);
    };
    try {
      // The burn stops while writing (the source is streamed): the error names the source's sector, the
      // target keeps what was written in a closed session (as a cancel leaves it) and is free again.
      await expect(copier.copy('virtual:src', 'virtual:dvd', {}, { retries: 1 })).rejects.toMatchObject({ code: 'SCSI', message: expect.stringContaining('sector 40 is unreadable'), details: { cause: { details: { lba: 40 } } } });
    } finally {
      rec.execute = exec;
    }
    expect(vt.recorder('dvd').state.locked).toBe(false);
    expect(drives.busyWith('virtual:src')).toBeUndefined();
    expect(drives.busyWith('virtual:dvd')).toBeUndefined();
    expect(existsSync(join(dir, 'leases', `${encodeURIComponent('virtual:src')}.json`))).toBe(false);
  });
});

// The drive-backed source honours the ByteSource contract (a pressed DVD-ROM in a virtual recorder).
describeByteSourceContract('disc in a drive (openDiscByteSource)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'gm-discsrc-'));
  writeTree(join(d, 'src'), { 'a.bin': pattern(200_000, 4) });
  xorrisoImage(join(d, 'src'), join(d, 'in.iso'));
  const bytes = readFileSync(join(d, 'in.iso'));
  const t = new VirtualTransport({ stateDir: join(d, 'vr') });
  await t.create('p', { media: null });
  await t.insertPressed('p', 'dvd', join(d, 'in.iso'));
  t.recorder('p').clearUnitAttention();
  const dev = await t.open('virtual:p');
  const drive = new Drive(dev, { retryDelayMs: 1 });
  return {
    open: () => openDiscByteSource(drive, 'virtual:p', { batchSectors: 64 }),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sectorSize: 2048,
    totalSectors: bytes.length / 2048,
  };
});
