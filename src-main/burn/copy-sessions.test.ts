// Copying a multisession disc session by session (copy-sessions.ts) on virtual recorders: a 3-session
// disc burned by our own multisession path (each session adds and replaces files), copied with two
// drives (streamed) and with one (read, swap prompt, burn), then judged by readers: the copy read
// back to an ISO is byte-identical to the source's ISO, xorriso lists the same files at every
// session's start, the TOC (sessions, track starts, modes) is the source's; for the CD, cd-info
// reads the copy's data track.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageEngine } from '../image/image-engine';
import type { MediaTypeName } from '../common/model/drive';
import { DiscService } from '../read/disc-service';
import { leasedLayout, pattern, writeTree, xorrisoFiles } from '../read/test-support';
import { requireTools } from '../testing/peer-tools';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { CopyService, type CopyProgress } from './copy-service';
import { discSessionFactory } from './engine-sources';
import { imageFileSourceFactory } from './burn-sources';

const ok = requireTools('xorriso');

describe.skipIf(!ok)('CopyService: a multisession disc, session by session', () => {
  let dir: string;
  let engine: ImageEngine;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-copy-ms-'));
    engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
    writeTree(join(dir, 's1'), { 'one.txt': 'first session', 'blob.bin': pattern(300_000, 5) });
    writeTree(join(dir, 's2'), { 'two.txt': 'second session', 'd/deep.bin': pattern(70_000, 6) });
    writeTree(join(dir, 's3'), { 'three.txt': 'third session', 'one.txt': 'first, replaced' });
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Three sessions on the fixture's recorder; the last closed as `last`. */
  const pressSessions = async (f: BurnFixture, media: MediaTypeName, last: 'session' | 'disc', names = ['s1', 's2', 's3']) => {
    for (const [i, name] of names.entries()) {
      const session = discSessionFactory(() => engine, { options: { label: name.toUpperCase() }, sources: [{ dest: '/', hostPath: join(dir, name) }] });
      await f.burner.burn(f.address, session, { verify: 'none', close: i === names.length - 1 ? last : 'session', ...(media === 'dvd-r' ? { writeMode: 'incremental' as const } : {}) });
    }
  };

  /** The source and the copy as readers see them: layouts equal, ISOs equal, xorriso's listing per session equal. */
  const judge = async (f: BurnFixture, from: string, to: string, name: string) => {
    const discs = new DiscService(f.drives);
    const layoutOf = (a: string) => leasedLayout(f.drives, a);
    const [a, b] = [await layoutOf(from), await layoutOf(to)];
    expect(b.sessions).toEqual(a.sessions);
    expect(b.tracks).toEqual(a.tracks);
    expect(b.status).toBe(a.status);
    const [ia, ib] = [join(dir, `${name}-src.iso`), join(dir, `${name}-copy.iso`)];
    await discs.read(from, { output: ia, force: true });
    await discs.read(to, { output: ib, force: true });
    expect(readFileSync(ib).equals(readFileSync(ia))).toBe(true);
    for (const s of a.sessions) expect(xorrisoFiles(ib, s.start)).toEqual(xorrisoFiles(ia, s.start));
    expect(xorrisoFiles(ib, a.sessions[2].start)).toEqual(['/blob.bin', '/d/deep.bin', '/one.txt', '/three.txt', '/two.txt']);
    execFileSync('xorriso', ['-load', 'sbsector', String(a.sessions[2].start), '-indev', ib, '-osirrox', 'on', '-extract', '/one.txt', join(dir, `${name}-one.txt`)], { stdio: 'pipe' });
    expect(readFileSync(join(dir, `${name}-one.txt`), 'utf8')).toBe('first, replaced');
    return a;
  };

  for (const [media, last] of [['dvd+r', 'session'], ['bd-r', 'disc'], ['dvd-r', 'session'], ['cd-r', 'disc']] as const) {
    it(`${media}, 3 sessions (${last === 'disc' ? 'finalized' : 'appendable'}), two drives: each session at the source's address, verified against it; the copy reads as the source`, async () => {
      const f = await burnFixture(media);
      try {
        await pressSessions(f, media, last);
        const to = await f.transport.create('dst', { media });
        f.transport.recorder('dst').clearUnitAttention();
        f.transport.recorder('dst').immediatePolls = 2;
        const copier = new CopyService({ drives: f.drives, burner: f.burner, tempDir: join(f.dir, 'copy'), pollMs: 5 });
        const seen: string[] = [];
        const r = await copier.copy(f.address, to, {}, {}, {
          onProgress: (p: CopyProgress) => {
            if (p.stage === 'burning' && p.session && seen.at(-1) !== `${p.session.number}/${p.session.of}`) seen.push(`${p.session.number}/${p.session.of}`);
          },
        });
        expect(seen).toEqual(['1/3', '2/3', '3/3']);
        expect(r.mode).toBe('stream');
        expect(r.sessions?.map((s) => s.closed)).toEqual(['session', 'session', last]);
        for (const s of r.sessions!) {
          expect(s.burn.copies[0]).toMatchObject({ startLba: s.startLba, sectors: s.sectors, verify: { ok: true, level: 'full', reference: `session ${s.number} of the disc in ${f.address}` } });
        }
        const layout = await judge(f, f.address, to, media);
        expect(r.sessions!.map((s) => s.startLba)).toEqual(layout.sessions.map((s) => s.start));
        expect(f.drives.busyWith(f.address)).toBeUndefined();
      } finally {
        await disposeFixture(f);
      }
    });
  }

  it('one drive (DVD+R): read once, one swap prompt, three sessions burned from the temporary image; the image is gone', async () => {
    const f = await burnFixture('dvd+r');
    try {
      await pressSessions(f, 'dvd+r', 'disc');
      // Keep the source to judge against: a second recorder gets the same disc by copying it first (two drives).
      const keep = await f.transport.create('keep', { media: 'dvd+r' });
      f.transport.recorder('keep').clearUnitAttention();
      f.transport.recorder('keep').immediatePolls = 2;
      const copier = new CopyService({ drives: f.drives, burner: f.burner, tempDir: join(f.dir, 'copy'), pollMs: 5 });
      await copier.copy(f.address, keep, { verify: 'none' });
      const stages: string[] = [];
      const r = await copier.copy(f.address, f.address, {}, {}, {
        onProgress: (p) => {
          const k = p.stage === 'burning' ? `burning ${p.session?.number}` : p.stage;
          if (stages.at(-1) !== k) stages.push(k);
          if (p.stage === 'waiting-for-disc') setTimeout(() => void f.transport.insert('rec', 'dvd+r').then(() => f.transport.recorder('rec').clearUnitAttention()), 30);
        },
      });
      expect(stages).toEqual(['reading', 'waiting-for-disc', 'burning 1', 'burning 2', 'burning 3']);
      expect(r.mode).toBe('image');
      expect(r.sessions?.map((s) => [s.closed, s.burn.copies[0].verify?.ok])).toEqual([['session', true], ['session', true], ['disc', true]]);
      expect(readdirSync(join(f.dir, 'copy'))).toEqual([]);
      await judge(f, keep, f.address, 'one');
    } finally {
      await disposeFixture(f);
    }
  });

  it('refusals before either disc is written: a target of another kind (BD-R for a DVD+R), one that cannot hold sessions (DVD+RW), one not blank', async () => {
    const f = await burnFixture('dvd+r');
    try {
      await pressSessions(f, 'dvd+r', 'session', ['s1', 's2']);
      const copier = new CopyService({ drives: f.drives, burner: f.burner, tempDir: join(f.dir, 'copy'), pollMs: 5 });
      const bd = await f.transport.create('bd', { media: 'bd-r' });
      const rw = await f.transport.create('rw', { media: 'dvd+rw' });
      const used = await f.transport.create('used', { media: 'dvd+r' });
      for (const n of ['bd', 'rw', 'used']) f.transport.recorder(n).clearUnitAttention();
      await f.burner.burn(used, await imageFileSourceFactory(await oneIso()), { close: 'session', verify: 'none' });
      await expect(copier.copy(f.address, bd)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/2-session DVD\+R .* needs a blank DVD\+R to copy to, not a BD-R SRM: each session's file system points at absolute sectors/) });
      await expect(copier.copy(f.address, rw)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/A DVD\+RW cannot hold sessions: .* need a blank DVD\+R .*glassmaster read/) });
      await expect(copier.copy(f.address, used)).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringMatching(/not blank/) });
      expect(f.transport.recorder('bd').state.disc?.tracks.every((t) => t.recorded === 0)).toBe(true);
      for (const a of [f.address, bd, rw, used]) expect(f.drives.busyWith(a)).toBeUndefined();
    } finally {
      await disposeFixture(f);
    }
  });

  it("cd-r: the drive answers the TAO run-out blocks with L-EC uncorrectable (03/11/05), not 'unrecorded': the sessions still end at their data, the copy reads as the source", async () => {
    const f = await burnFixture('cd-r');
    try {
      await pressSessions(f, 'cd-r', 'disc');
      const runOut = f.transport.recorder('rec').state.disc!.tracks.filter((t) => t.recorded > 0).flatMap((t) => [t.start + t.recorded - 2, t.start + t.recorded - 1]);
      expect(runOut).toHaveLength(6);
      f.transport.injectFault('rec', { match: 'read', repeat: true, lbas: runOut, sense: [3, 0x11, 0x05] });
      const to = await f.transport.create('dst', { media: 'cd-r' });
      f.transport.recorder('dst').clearUnitAttention();
      f.transport.recorder('dst').immediatePolls = 2;
      const copier = new CopyService({ drives: f.drives, burner: f.burner, tempDir: join(f.dir, 'copy'), pollMs: 5 });
      const r = await copier.copy(f.address, to, {}, { retries: 0 });
      expect(r.sessions?.map((s) => s.burn.copies[0].verify?.ok)).toEqual([true, true, true]);
      // `read -o X.cue` of the same disc: the run-out is gaps, not damage.
      const cue = await new DiscService(f.drives).read(f.address, { output: join(dir, 'cd-lec.cue'), force: true, retries: 0 });
      expect(cue.bad.unreadableCount).toBe(0);
      f.transport.recorder('rec').faults.clear();
      await judge(f, f.address, to, 'cd-lec');
      // One drive: the whole disc read to the temporary image (the run-out as gaps, not damage), the sessions burned from it.
      f.transport.injectFault('rec', { match: 'read', repeat: true, lbas: runOut, sense: [3, 0x11, 0x05] });
      const one = await copier.copy(f.address, f.address, {}, { retries: 0 }, {
        onProgress: (p) => {
          if (p.stage === 'waiting-for-disc') setTimeout(() => void f.transport.insert('rec', 'cd-r').then(() => f.transport.recorder('rec').clearUnitAttention()), 30);
        },
      });
      expect(one.read?.bad.unreadableCount).toBe(0);
      expect(one.sessions?.map((s) => [s.startLba, s.sectors, s.burn.copies[0].verify?.ok])).toEqual(r.sessions!.map((s) => [s.startLba, s.sectors, true]));
      f.transport.recorder('rec').faults.clear();
      await judge(f, to, f.address, 'cd-lec-one');
    } finally {
      await disposeFixture(f);
    }
  });

  it('cd-r: a source whose sessions are not where a TAO copy puts them (session 1 without run-out, as SAO/DAO writes it) is refused before anything is written, two drives and one', async () => {
    const f = await burnFixture('cd-r');
    try {
      await pressSessions(f, 'cd-r', 'session', ['s1', 's2']);
      // Session 1 as a SAO/DAO recorder leaves it: its last blocks are data, not run-out, so session 2
      // sits 2 sectors earlier than a TAO burn of the copy's session 1 lets it start.
      f.transport.recorder('rec').state.disc!.tracks.find((t) => t.recorded > 0)!.runOut = 0;
      const to = await f.transport.create('dst', { media: 'cd-r' });
      f.transport.recorder('dst').clearUnitAttention();
      f.transport.recorder('dst').immediatePolls = 2;
      const copier = new CopyService({ drives: f.drives, burner: f.burner, tempDir: join(f.dir, 'copy'), pollMs: 5 });
      const refused = { code: 'NOT_SUPPORTED', message: expect.stringMatching(/session 2 .*starts at sector \d+; a copy's session 2 would start at sector \d+/i) };
      await expect(copier.copy(f.address, to)).rejects.toMatchObject(refused);
      expect(f.transport.recorder('dst').state.disc?.tracks.every((t) => t.recorded === 0)).toBe(true);
      const stages: string[] = [];
      await expect(copier.copy(f.address, f.address, {}, {}, { onProgress: (p) => stages.push(p.stage) })).rejects.toMatchObject(refused);
      expect(stages).toEqual([]);
      for (const a of [f.address, to]) expect(f.drives.busyWith(a)).toBeUndefined();
    } finally {
      await disposeFixture(f);
    }
  });

  const oneIso = async () => {
    const out = join(dir, 'one.iso');
    execFileSync('xorriso', ['-outdev', out, '-map', join(dir, 's2'), '/'], { stdio: 'ignore' });
    return out;
  };
});
