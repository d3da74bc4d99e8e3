// The one suite every write strategy runs: a media family of the virtual recorder, burned from a
// real image (built by the image engine) and from a buffer, read back, cancelled at several points
// and hit by each injected fault. See write-strategy.ts for the MUST rules this checks.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { BurnOptions, BurnProgress } from '../../common/model/burn';
import type { MediaTypeName } from '../../common/model/drive';
import { DriveService } from '../../drive/drive-service';
import { bufferByteSource, openImageFileSource } from '../../image/byte-source/file-source';
import { runImageCommand } from '../../image/cli-image';
import { VirtualTransport } from '../../transport/virtual/virtual-transport';
import type { FaultRule } from '../../transport/virtual/faults';
import { BurnService } from '../burn-service';
import { writeSectorsFor } from '../strategies';

export interface BurnFamilyCase {
  /** Test title: 'CD-R TAO', 'DVD-R DAO' … */
  name: string;
  media: MediaTypeName;
  options: BurnOptions;
  /** Strategy name the burn must report. */
  strategy: string;
  /** Run before the burn (e.g. format a DVD-RW to restricted overwrite). */
  before?: (svc: BurnService, address: string) => Promise<void>;
  /** The disc after a successful burn: status as drive.media() reports it. */
  status: string;
  /** Profile after the burn (some formats morph the disc). */
  profile: string;
  /** The fresh disc is formatted by the burn (cancel while formatting is tested). */
  formats?: boolean;
  /** Sequential media that stay appendable: a second burn goes to a later address. */
  appendable?: boolean;
}

export interface BurnFixture {
  dir: string;
  transport: VirtualTransport;
  drives: DriveService;
  burner: BurnService;
  address: string;
  name: string;
}

/** A real ISO 9660 + Joliet + Rock Ridge + UDF image of a few files, built by the image engine. */
export async function buildTestImage(dir: string): Promise<{ iso: string; sha256: string; files: Record<string, Buffer> }> {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'docs'), { recursive: true });
  const files: Record<string, Buffer> = { 'hello.txt': Buffer.from('Hello from Glassmaster\n'), 'docs/random.bin': randomBytes(700_000), 'docs/zeros.bin': Buffer.alloc(300_000) };
  for (const [p, b] of Object.entries(files)) writeFileSync(join(src, p), b);
  const iso = join(dir, 'test.iso');
  const sink = () => new PassThrough().resume();
  const code = await runImageCommand(['-o', iso, '--fs', 'iso9660,joliet,rockridge,udf', '--label', 'BURNTEST', src], { stdout: sink(), stderr: sink() });
  if (code !== 0) throw new Error(`image build failed with ${code}`);
  return { iso, sha256: createHash('sha256').update(readFileSync(iso)).digest('hex'), files };
}

export async function burnFixture(media: MediaTypeName, opts: { timeoutMs?: number } = {}): Promise<BurnFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gm-burn-'));
  const transport = new VirtualTransport({ stateDir: join(dir, 'virtual'), defaultTimeoutMs: opts.timeoutMs ?? 5000 });
  const address = await transport.create('rec', { media });
  transport.recorder('rec').clearUnitAttention();
  transport.recorder('rec').immediatePolls = 2;
  const drives = new DriveService({ transports: [transport], drive: { retryDelayMs: 2 }, leaseDir: join(dir, 'leases') });
  const burner = new BurnService({ drives, pollMs: 2, progressIntervalMs: 0 });
  return { dir, transport, drives, burner, address, name: 'rec' };
}

export async function disposeFixture(f: BurnFixture): Promise<void> {
  await f.transport.dispose();
  rmSync(f.dir, { recursive: true, force: true });
}

/** Temporary entries this process could leak (gm-* in the temp dir, besides the fixture's own). */
function tempEntries(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith('gm-burn-tmp') || n.endsWith('.partial'));
}

const FAULTS: Array<{ name: string; rule: FaultRule; code: string; message: RegExp }> = [
  { name: 'write error', rule: { match: 'write', nth: 2, action: 'sense', sense: [3, 0x0c, 0x00] }, code: 'SCSI', message: /writing at sector/ },
  { name: 'medium removed', rule: { match: 'write', nth: 2, action: 'sense', sense: [2, 0x3a, 0x00] }, code: 'SCSI', message: /writing at sector/ },
  { name: 'timeout', rule: { match: 'write', nth: 2, action: 'stall' }, code: 'TRANSPORT', message: /timed out/ },
  { name: 'power calibration failure', rule: { match: 0x54, action: 'sense', sense: [3, 0x73, 0x03] }, code: 'SCSI', message: /calibrating/ },
  { name: 'drive reset', rule: { match: 'write', nth: 2, action: 'sense', sense: [6, 0x29, 0x00] }, code: 'SCSI', message: /writing at sector/ },
];

/** Strategies whose cancel leaves the written part in a closed session of an appendable disc. */
const SEQUENTIAL = ['CD TAO', 'DVD-R incremental', 'DVD+R', 'DVD+R DL', 'BD-R SRM'];

export function describeBurnContract(c: BurnFamilyCase): void {
  describe(`burn contract: ${c.name}`, () => {
    let image: Awaited<ReturnType<typeof buildTestImage>>;
    let imageDir: string;
    let f: BurnFixture;
    beforeAll(async () => {
      imageDir = mkdtempSync(join(tmpdir(), 'gm-burn-img-'));
      image = await buildTestImage(imageDir);
    });
    afterAll(() => rmSync(imageDir, { recursive: true, force: true }));
    beforeEach(async () => {
      f = await burnFixture(c.media, { timeoutMs: 400 });
      await c.before?.(f.burner, f.address);
    });
    afterEach(async () => disposeFixture(f));

    const unlockedAndFree = () => {
      expect(f.transport.recorder(f.name).state.locked, 'the drive is left unlocked').toBe(false);
      expect(f.drives.busyWith(f.address), 'the lease is released').toBeUndefined();
      expect(readdirSync(join(f.dir, 'leases')), 'no lease marker is left').toEqual([]);
    };

    it('burns a real image, reads it back in full, and the disc holds exactly the image', async () => {
      const events: BurnProgress[] = [];
      const rec = f.transport.recorder(f.name);
      const writes: Array<[number, number]> = [];
      const exec = rec.execute.bind(rec);
      rec.execute = (cmd, stall) => {
        if (cmd.cdb[0] === 0x2a) writes.push([Buffer.from(cmd.cdb).readInt32BE(2), Buffer.from(cmd.cdb).readUInt16BE(7)]);
        return exec(cmd, stall);
      };
      const r = await f.burner.burn(f.address, () => openImageFileSource(image.iso), { ...c.options, verify: 'full' }, { onProgress: (p) => events.push(p) });
      rec.execute = exec;
      const copy = r.copies[0];
      // Writes of the drive's preferred size (the family's, within the virtual drive's 2 MiB transfer
      // limit, whole ECC units of its blocking factor), in order, the last one shorter.
      const blocking = c.media.startsWith('bd') ? 32 : c.media.startsWith('dvd') ? 16 : 1;
      const family = c.media.startsWith('bd') ? 'bd' : c.media.startsWith('dvd') ? 'dvd' : 'cd';
      const preferred = writeSectorsFor(blocking, { maxTransferBytes: 2 * 1024 * 1024, family });
      expect(writes.length).toBeGreaterThan(1);
      expect(writes.slice(0, -1).every(([, n]) => n === preferred)).toBe(true);
      expect(writes.every(([lba]) => (lba - copy.startLba) % blocking === 0)).toBe(true);
      expect(writes.reduce((n, [, k]) => n + k, 0)).toBe(c.strategy === 'DVD-R DAO' || c.profile === 'DVD-RW RO' ? Math.ceil(copy.sectors / 16) * 16 : copy.sectors);
      expect(copy.strategy).toBe(c.strategy);
      expect(copy.verify).toMatchObject({ ok: true, level: 'full', mismatched: [], unreadable: [], layout: { ok: true, problems: [] } });
      expect(copy.verify!.expectedSha256).toBe(image.sha256);
      expect(copy.verify!.actualSha256).toBe(image.sha256);
      expect(copy.verify!.sectorsChecked).toBe(copy.sectors);
      expect(copy.media).toMatchObject({ profile: c.profile, status: c.status });
      // The actions in order, and progress that reaches every sector.
      const actions = [...new Set(events.map((e) => e.action))];
      expect(actions[0]).toBe('checking-media');
      expect(actions.slice(-3)).toEqual(['closing', 'verifying', 'done']);
      expect(actions).toContain('writing');
      const lastWrite = events.filter((e) => e.action === 'writing').pop()!;
      expect(lastWrite).toMatchObject({ sectorsWritten: copy.sectors, totalSectors: copy.sectors, bytesWritten: copy.sectors * 2048 });
      expect(lastWrite.speedLabel).toMatch(/×$/);
      // Independent of our reader: the sectors the recorder holds are the image's.
      const out = join(f.dir, 'track.iso');
      const tracks = (copy.media.trackList ?? []).filter((t) => !t.blank);
      if (c.strategy !== 'random overwrite' && tracks.length > 0) {
        f.transport.recorder(f.name).exportTrack(tracks[tracks.length - 1].number, out);
        expect(createHash('sha256').update(readFileSync(out).subarray(0, copy.sectors * 2048)).digest('hex')).toBe(image.sha256);
      } else {
        const bin = readFileSync(f.transport.backingFile(f.name)).subarray(0, copy.sectors * 2048);
        expect(createHash('sha256').update(bin).digest('hex')).toBe(image.sha256);
      }
      unlockedAndFree();
    });

    if (c.appendable) {
      it('appends a second session after the first (quick verify)', async () => {
        const first = await f.burner.burn(f.address, () => openImageFileSource(image.iso), { ...c.options, verify: 'quick' });
        const data = randomBytes(2048 * 100);
        const second = await f.burner.burn(f.address, async () => bufferByteSource(data), { ...c.options, verify: 'full' });
        expect(second.copies[0].startLba).toBeGreaterThan(first.copies[0].startLba + first.copies[0].sectors - 1);
        expect(second.copies[0].media.sessions).toBe(2);
        expect(second.copies[0].verify?.ok).toBe(true);
      });
    }

    for (const at of ['formatting', 'calibrating', 'writing', 'closing', 'verifying'] as const) {
      if (at === 'formatting' && !c.formats) continue;
      it(`cancel while ${at}: CancelledError saying what is on the disc; drive unlocked, readable, released`, async () => {
        const ac = new AbortController();
        const onProgress = (p: BurnProgress) => {
          if (p.action === at && (at !== 'writing' || p.sectorsWritten >= 64)) ac.abort();
        };
        const err = await f.burner.burn(f.address, () => openImageFileSource(image.iso), c.options, { signal: ac.signal, onProgress }).then(() => undefined, (e: unknown) => e);
        expect(err).toMatchObject({ code: 'CANCELLED' });
        const msg = (err as Error).message;
        expect(msg).toMatch(/^Cancelled\. /);
        if (at === 'calibrating') expect(msg).toContain('Nothing was written');
        if (at === 'formatting') expect(msg).toContain('Nothing was written; the drive finishes the formatting');
        if (at === 'verifying') expect(msg).toContain('it is not verified');
        unlockedAndFree();
        // The drive is usable: it answers media detection.
        const media = await f.drives.media(f.address);
        expect(media.profile).not.toBe('None');
        if (at === 'writing' && SEQUENTIAL.includes(c.strategy)) {
          // What was written sits in a closed session, and the disc stays appendable.
          expect(msg).toContain('in a closed session');
          expect(media).toMatchObject({ status: 'appendable', sessions: 1 });
        }
        if (at === 'writing' && c.strategy === 'random overwrite') expect(msg).toMatch(/^Cancelled\. Sectors 0–\d+ of the disc were overwritten/);
        if (at === 'writing' && c.strategy === 'DVD-R DAO') expect(msg).toContain('the disc was closed');
        if (at === 'writing' && c.strategy === 'CD SAO') expect(msg).toContain('cannot be closed');
      });
    }

    for (const fault of FAULTS) {
      it(`injected ${fault.name}: a clear typed error, the drive unlocked and released, no temporary files left`, async () => {
        const tempBefore = tempEntries();
        f.transport.injectFault(f.name, fault.rule);
        const err = await f.burner.burn(f.address, () => openImageFileSource(image.iso), c.options).then(() => undefined, (e: unknown) => e);
        expect(err, `${fault.name} must fail the burn`).toBeDefined();
        expect(err).toMatchObject({ code: fault.code, name: 'BurnError' });
        expect((err as Error).message).toMatch(fault.message);
        expect((err as { details: { discState: string } }).details.discState).toMatch(/\.$/);
        f.transport.clearFaults(f.name);
        unlockedAndFree();
        expect(tempEntries()).toEqual(tempBefore);
      });
    }
  });
}
