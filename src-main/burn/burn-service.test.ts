import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BurnProgress, EraseProgress } from '../common/model/burn';
import type { ByteSource } from '../image/byte-source';
import { IoError, type GlassmasterError } from '../common/errors';
import type { VerifyReport } from '../common/model/verify';
import { formatVerifyReport } from '../verify/verify-text';
import { bufferByteSource } from '../image/byte-source/file-source';
import { buildReadDiscStructure, parseLayerBoundary } from '../mmc/commands/read-disc-structure';
import { exitCodeFor, ExitCode } from '../common/exit-codes';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { chooseLayerBreak, writeSectorsFor } from './strategies';

let fixtures: BurnFixture[] = [];
const fixture = async (...a: Parameters<typeof burnFixture>) => {
  const f = await burnFixture(...a);
  fixtures.push(f);
  return f;
};
afterEach(async () => {
  await Promise.all(fixtures.map(disposeFixture));
  fixtures = [];
});

/** A source that claims `sectors` but must never be read (the burn refuses before writing). */
function unreadSource(sectors: number): ByteSource {
  return {
    description: 'big.iso', sectorSize: 2048, totalSectors: sectors,
    read: async () => { throw new Error('must not be read'); }, cancel: async () => undefined, progress: () => ({ sectorsRead: 0, totalSectors: sectors }),
  };
}

const data = (sectors: number) => randomBytes(sectors * 2048);

describe('BurnService: refusals before the first write, in plain words', () => {
  it('a source larger than the free space', async () => {
    const f = await fixture('cd-r');
    await expect(f.burner.burn(f.address, async () => unreadSource(400_000))).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: 'The disc is full: 781 MiB to write, 703 MiB free.' });
    expect(f.transport.recorder(f.name).state.disc?.tracks.every((t) => t.recorded === 0)).toBe(true);
    expect(f.drives.busyWith(f.address)).toBeUndefined();
  });

  it('a closed disc, a write-protected disc, no disc, a test write the media does not define', async () => {
    const f = await fixture('dvd+r');
    const d = data(64);
    await f.burner.burn(f.address, async () => bufferByteSource(d), { verify: 'none' });
    await expect(f.burner.burn(f.address, async () => bufferByteSource(d))).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringContaining('The disc is closed') });
    await f.transport.insert(f.name, 'dvd+r', { writeProtected: true });
    await expect(f.burner.burn(f.address, async () => bufferByteSource(d))).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: 'The disc is write-protected.' });
    await f.transport.insert(f.name, 'dvd+r');
    await expect(f.burner.burn(f.address, async () => bufferByteSource(d), { simulate: true })).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('test write') });
    await f.transport.eject(f.name, { discard: true });
    await expect(f.burner.burn(f.address, async () => bufferByteSource(d))).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: 'There is no disc in the drive.' });
    expect(f.transport.recorder(f.name).state.locked).toBe(false);
  });

  it('options are checked', async () => {
    const f = await fixture('dvd+r');
    await expect(f.burner.burn(f.address, async () => bufferByteSource(data(16)), { copies: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(f.burner.burn(f.address, async () => bufferByteSource(data(16)), { layerBreak: 17 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('BurnService: options', () => {
  it('writes are 64 KiB rounded up to whole ECC units of the drive\'s blocking factor', () => {
    expect([undefined, 1, 16, 32, 48, 64].map((b) => writeSectorsFor(b))).toEqual([32, 32, 32, 32, 48, 64]);
    // A transport that knows its limit: the family's preferred size (CD 64 KiB, DVD 512 KiB, BD 1 MiB) within it, whole ECC units.
    expect(writeSectorsFor(32, { maxTransferBytes: 2 * 1024 * 1024, family: 'bd' })).toBe(512);
    expect(writeSectorsFor(16, { maxTransferBytes: 2 * 1024 * 1024, family: 'dvd' })).toBe(256);
    expect(writeSectorsFor(1, { maxTransferBytes: 2 * 1024 * 1024, family: 'cd' })).toBe(32);
    expect(writeSectorsFor(32, { maxTransferBytes: 120 * 1024, family: 'bd' })).toBe(32);
    expect(writeSectorsFor(48, { maxTransferBytes: 64 * 1024, family: 'bd' })).toBe(48);
  });

  it('test write on CD-R: the whole burn runs, nothing is recorded, the disc stays blank', async () => {
    const f = await fixture('cd-r');
    const d = data(300);
    const r = await f.burner.burn(f.address, async () => bufferByteSource(d), { simulate: true, verify: 'full' });
    expect(r.copies[0]).toMatchObject({ simulated: true, sectors: 300, verify: { ok: true, layout: { ok: true }, sectorsChecked: 0 } });
    expect(r.discState).toContain('test write');
    expect((await f.drives.media(f.address)).status).toBe('blank');
  });

  it('BURN-Free and the Write Parameters page; speed from the drive list; eject when done', async () => {
    const f = await fixture('cd-r');
    const rec = f.transport.recorder(f.name);
    const d = data(64);
    await f.burner.burn(f.address, async () => bufferByteSource(d), { burnFree: false, speed: 5000, eject: true, close: 'session' });
    expect(rec.state.writeParams).toMatchObject({ bufferUnderrunFree: false, writeType: 'tao', multiSession: 3 });
    // 5000 kB/s is not listed: the fastest listed speed below it (4234 kB/s = 24×) is chosen.
    expect(rec.state.trayOpen).toBe(true);
  });

  it('DVD+R DL: a layer break in the middle, rounded to an ECC block, only when layer 0 is too small', async () => {
    expect(chooseLayerBreak(1000, 2086912)).toBeUndefined();
    expect(chooseLayerBreak(3_000_001, 2086912)).toBe(1_500_016);
    expect(() => chooseLayerBreak(3_000_000, 2086912, 1_000_000)).toThrow(/too little room/);
    expect(() => chooseLayerBreak(1000, 2086912, 2086928)).toThrow(/at most 2086912/);
    const f = await fixture('dvd+r-dl');
    const d = data(200);
    await f.burner.burn(f.address, async () => bufferByteSource(d), { layerBreak: 160, verify: 'full' });
    const lease = await f.drives.lease(f.address, 'read');
    const lb = parseLayerBoundary(await lease.drive.query(buildReadDiscStructure({ format: 0x20 })));
    await lease.release();
    expect(lb.layer0Blocks).toBe(160);
  });

  it('copies: after each disc the drive ejects and waits for a new blank one', async () => {
    const f = await fixture('dvd+r');
    const inserted: number[] = [];
    const burner = new (f.burner.constructor as typeof import('./burn-service').BurnService)({
      drives: f.drives, pollMs: 2, progressIntervalMs: 0,
      waitForDisc: async (_a, copy) => {
        inserted.push(copy);
        await f.transport.insert(f.name, 'dvd+r');
      },
    });
    const events: BurnProgress[] = [];
    const d = data(100);
    const r = await burner.burn(f.address, async () => bufferByteSource(d), { copies: 3, verify: 'full' }, { onProgress: (p) => events.push(p) });
    expect(inserted).toEqual([2, 3]);
    expect(r.copies.map((c) => [c.copy, c.verify?.ok])).toEqual([[1, true], [2, true], [3, true]]);
    expect(events.filter((e) => e.action === 'waiting-for-disc').map((e) => e.copy)).toEqual([2, 3]);
  });
});

describe('BurnService: a source that fails mid-burn', () => {
  it('the file error ends the burn (code IO, naming the file); what was written is closed and the drive released', async () => {
    const f = await fixture('dvd+r');
    const d = data(2048);
    const failing = (): ByteSource => {
      const inner = bufferByteSource(d);
      let reads = 0;
      return {
        description: '/images/vanishing.iso', sectorSize: 2048, totalSectors: 2048, progress: () => inner.progress(), cancel: () => inner.cancel(),
        read: async (n, signal) => {
          if (++reads > 12) throw new IoError('cannot read /images/vanishing.iso: ENOENT', { errno: 'ENOENT', path: '/images/vanishing.iso' });
          return inner.read(Math.min(n, 64), signal);
        },
      };
    };
    const err = await f.burner.burn(f.address, async () => failing(), { bufferBytes: 1 << 20 }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ name: 'BurnError', code: 'IO', message: expect.stringContaining('vanishing.iso') });
    expect((err as Error).message).toContain('in a closed session');
    expect(await f.drives.media(f.address)).toMatchObject({ status: 'appendable', sessions: 1 });
    expect(f.transport.recorder(f.name).state.locked).toBe(false);
  });
});

describe('BurnService: read-back', () => {
  it('sectors that differ from the source fail the burn with VerificationError (exit code 4), ranges named', async () => {
    const f = await fixture('bd-re');
    const d = data(256);
    // The drive "recorded" three sectors wrongly: the recorder's medium is changed once the writing
    // is over, before the read-back (the full read-back hashes the disc against what was written,
    // then names the sectors against the source).
    const r = f.burner.burn(f.address, async () => bufferByteSource(d), { verify: 'full' }, {
      onProgress: (p) => {
        if (p.action !== 'verifying' || p.fraction !== 0) return;
        const fd = openSync(f.transport.recorder(f.name).backingPath, 'r+');
        writeSync(fd, Buffer.alloc(3 * 2048, 0xee), 0, 3 * 2048, 100 * 2048);
        closeSync(fd);
      },
    });
    const err = await r.then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'VERIFICATION', details: { firstBadLba: 100 }, report: { mismatched: [{ start: 100, end: 103 }], unreadable: [] } });
    expect(exitCodeFor((err as { code: 'VERIFICATION' }).code)).toBe(ExitCode.VERIFICATION);
    expect((err as Error).message).toContain('3 sector(s) differ');
    // One report model: the read-back crosses IPC and --json in the error's details, in the shape `glassmaster verify` gives.
    const json = (err as GlassmasterError).toJSON();
    expect(json.details).toMatchObject({ report: { against: 'source', level: 'full', ok: false, mismatched: [{ start: 100, end: 103 }], unreadable: [], sectorsChecked: 256, bytesChecked: 256 * 2048 } });
    const text = formatVerifyReport((json.details as { report: VerifyReport }).report);
    expect(text).toContain('3 sectors differ (100–102)');
    expect(text).toContain('Different sectors (3): 100–102');
    expect(f.drives.busyWith(f.address)).toBeUndefined();
  });

  it('unreadable sectors are reported as ranges (quick verify reads the file-system area and samples)', async () => {
    const f = await fixture('dvd+r');
    f.transport.injectFault(f.name, { match: 'read', nth: 1, repeat: true, action: 'sense', sense: [3, 0x11, 0x00] });
    const d = data(4096);
    const err = await f.burner.burn(f.address, async () => bufferByteSource(d), { verify: 'quick' }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'VERIFICATION', message: expect.stringContaining('cannot be read') });
    const report = (err as { report: { unreadable: Array<{ start: number; end: number }>; sectorsChecked: number } }).report;
    expect(report.unreadable[0].start).toBe(0);
    expect(report.unreadable[report.unreadable.length - 1].end).toBe(4096);
    expect(report.unreadable.reduce((n, r) => n + r.end - r.start, 0)).toBe(report.sectorsChecked);
    expect(report.sectorsChecked).toBeGreaterThan(64 + 16);
    expect(report.sectorsChecked).toBeLessThan(4096 / 4);
  });
});

describe('BurnService: several recorders', () => {
  it('independent jobs on different drives run in parallel; a second job on a leased drive is DRIVE_BUSY', async () => {
    const f = await fixture('dvd+r');
    await f.transport.create('two', { media: 'bd-r' });
    f.transport.recorder('two').clearUnitAttention();
    // Paced so the jobs overlap in time.
    f.transport.setPacing(f.name, true);
    f.transport.setPacing('two', true);
    const d = data(4096);
    const a = f.burner.burn(f.address, async () => bufferByteSource(d), { speed: 5540, verify: 'none' });
    const b = f.burner.burn('virtual:two', async () => bufferByteSource(d), { verify: 'none' });
    await new Promise((r) => setTimeout(r, 30));
    await expect(f.burner.burn(f.address, async () => bufferByteSource(d))).rejects.toMatchObject({ code: 'DRIVE_BUSY' });
    await expect(f.burner.erase(f.address)).rejects.toMatchObject({ code: 'DRIVE_BUSY' });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.copies[0].media.status).toBe('complete');
    expect(rb.copies[0].media.status).toBe('complete');
  });
});

describe('BurnService: a paced burn shows speed, buffers and remaining time', () => {
  it('DVD+R at 4× (5540 kB/s): progress reports about 4×, drive buffer fill and a remaining time; cancel stops within a write', async () => {
    const f = await fixture('dvd+r');
    f.transport.setPacing(f.name, true);
    // 24 MiB at 5.54 MB/s ≈ 4.5 s; cancelled after about 1.5 s.
    const d = Buffer.alloc(12288 * 2048, 0x5a);
    const events: BurnProgress[] = [];
    const ac = new AbortController();
    const t0 = Date.now();
    const err = await f.burner.burn(f.address, async () => bufferByteSource(d), { speed: 5540, bufferBytes: 8 << 20 }, {
      signal: ac.signal,
      onProgress: (p) => {
        events.push(p);
        if (p.action === 'writing' && p.elapsedMs > 1500) ac.abort();
      },
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - t0).toBeLessThan(4000);
    const w = events.filter((e) => e.action === 'writing' && e.elapsedMs > 1000);
    const last = w[w.length - 1];
    expect(last.speedX).toBeGreaterThan(3.3);
    expect(last.speedX).toBeLessThan(4.7);
    expect(last.speedLabel).toMatch(/^[34](\.\d)?×$/);
    expect(last.driveBufferFill).toBeGreaterThan(0.5);
    expect(last.ringFill).toBeGreaterThan(0.5);
    expect(last.remainingMs).toBeGreaterThan(1000);
    expect((err as Error).message).toContain('closed session');
    const media = await f.drives.media(f.address);
    expect(media).toMatchObject({ status: 'appendable', sessions: 1 });
  });
});

describe('BurnService: erase and format with progress', () => {
  const cases = [
    { media: 'cd-rw', op: 'erase', full: false, profile: 'CD-RW' },
    { media: 'cd-rw', op: 'erase', full: true, profile: 'CD-RW' },
    { media: 'dvd-rw', op: 'erase', full: false, profile: 'DVD-RW seq' },
    { media: 'dvd+rw', op: 'format', full: false, profile: 'DVD+RW' },
    { media: 'dvd-rw', op: 'format', full: false, profile: 'DVD-RW RO' },
    { media: 'dvd-rw', op: 'format', full: true, profile: 'DVD-RW RO' },
    { media: 'dvd-ram', op: 'format', full: false, profile: 'DVD-RAM' },
    { media: 'bd-re', op: 'format', full: false, profile: 'BD-RE' },
    { media: 'bd-re', op: 'format', full: true, profile: 'BD-RE' },
    { media: 'bd-r', op: 'format', full: false, profile: 'BD-R RRM' },
  ] as const;
  for (const c of cases) {
    it(`${c.op} ${c.media}${c.full ? ' (full)' : ''}`, async () => {
      const f = await fixture(c.media);
      if (c.op === 'erase') await f.burner.burn(f.address, async () => bufferByteSource(data(64)), { close: 'session', verify: 'none' });
      const events: EraseProgress[] = [];
      const media = await f.burner[c.op](f.address, { full: c.full }, { onProgress: (p) => events.push(p) });
      expect(media.profile).toBe(c.profile);
      if (c.op === 'erase') expect(media.status).toBe('blank');
      else expect(media.formatted).toBe(true);
      expect(events.map((e) => e.action)).toContain(c.op === 'erase' ? 'erasing' : 'formatting');
      expect(events.some((e) => e.fraction > 0 && e.fraction < 1)).toBe(true);
      expect(events[events.length - 1]).toMatchObject({ action: 'done', fraction: 1 });
      expect(f.drives.busyWith(f.address)).toBeUndefined();
    });
  }

  it('refusals: erase of a write-once or a DVD+RW disc, format of a written BD-R', async () => {
    const f = await fixture('dvd+rw');
    await expect(f.burner.erase(f.address)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('format it, or simply write over it') });
    await f.transport.insert(f.name, 'cd-r');
    await expect(f.burner.erase(f.address)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await f.transport.insert(f.name, 'bd-r');
    await f.burner.burn(f.address, async () => bufferByteSource(data(64)), { close: 'session', verify: 'none' });
    await expect(f.burner.format(f.address)).rejects.toMatchObject({ code: 'INVALID_MEDIA' });
  });
});
