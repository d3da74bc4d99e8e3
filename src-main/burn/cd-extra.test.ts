// CD-Extra on the virtual recorder: an SAO audio session, then a data session whose image the image
// engine built for its absolute start LBA. Read back: READ TOC (two sessions, audio tracks + a data
// track), the audio by the burner's own read-back, and the data session with xorriso (the data track, with the displacement of its start LBA) — the files come out identical.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageEngine } from '../image/image-engine';
import { StagingTree } from '../image/staging/staging-tree';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { requireTools } from '../testing/peer-tools';
import { buildReadTocPmaAtip, parseCdTextPacks, parseSessionInfo, parseToc } from '../mmc/commands/read-toc-pma-atip';
import { buildReadTrackInformation, parseReadTrackInformation } from '../mmc/commands/read-track-information';
import { buildReadCd } from '../mmc/commands/read-cd';
import { layoutDisc } from '../audio/layout';
import { buildCdTextPacks } from '../audio/cd-text';
import type { AudioBurnPlan } from '../audio/audio-plan';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { burnCdExtra } from './cd-extra';
import { discSessionFactory } from './engine-sources';
import { AudioBurner } from './audio-burn';
import { mixedModeDisc } from '../audio/mixed-mode';
import { fromBcd, msfText } from '../cd/msf';
import { programQ, programSubchannel } from '../cd/program-q';
import { qCrcValid, unpackPq } from '../cd/subchannel';

const ok = requireTools('xorriso', 'cd-info');
const dir = mkdtempSync(join(tmpdir(), 'gm-cdextra-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A blank virtual CD-R and an image engine for one test, both disposed of afterwards. */
async function withRecorderAndEngine(fn: (f: BurnFixture, engine: ImageEngine) => Promise<void>): Promise<void> {
  const f = await burnFixture('cd-r');
  const engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
  try {
    await fn(f, engine);
  } finally {
    await engine.close();
    await disposeFixture(f);
  }
}

describe.skipIf(!ok)('CD-Extra (Enhanced CD)', () => {
  it('audio session 1 (SAO, CD-TEXT) + data session 2 from the image engine; xorriso reads session 2', async () => {
    await withRecorderAndEngine(async (f, engine) => {
      const pcm = [randomBytes(588 * 330 * 4), randomBytes(588 * 310 * 4)];
      pcm.forEach((b, i) => writeFileSync(join(dir, `${i}.cdda`), b));
      const layout = layoutDisc([{ samples: 588 * 330, pregapSectors: 150 }, { samples: 588 * 310, pregapSectors: 150 }]);
      const plan: AudioBurnPlan = {
        layout,
        cdTextPacks: buildCdTextPacks([{ album: { title: 'Extra' }, tracks: [{ title: 'One' }, { title: 'Two' }] }]).packs,
        placements: layout.tracks.map((t, i) => ({ file: join(dir, `${i}.cdda`), firstSample: t.firstSample, samples: t.samples })),
      };
      mkdirSync(join(dir, 'src', 'video'), { recursive: true });
      const files = { 'readme.txt': Buffer.from('Enhanced CD data session\n'), 'video/clip.bin': randomBytes(300_000) };
      for (const [p, b] of Object.entries(files)) writeFileSync(join(dir, 'src', p), b);
      const tree = new StagingTree({ now: new Date('2024-01-01T00:00:00Z') });
      tree.addHostPath('/', join(dir, 'src'));
      const spec = { root: tree.root, iso9660: true, joliet: true, rockRidge: true, label: 'CDEXTRA', recordingTime: new Date('2024-01-01T00:00:00Z') };

      const r = await burnCdExtra({ drives: f.drives, burner: f.burner, pollMs: 2, progressIntervalMs: 0 }, f.address, plan, (startLba) => () => engine.source({ ...spec, startLba }));
      expect(r.audio).toMatchObject({ mode: 'sao', cdText: true });
      expect(r.audio.media.status).toBe('appendable');
      // Session 2 starts after session 1's lead-out (6750) + lead-in (4500) + pregap (150), Orange Book.
      expect(r.dataStartLba).toBe(layout.leadOut + 6750 + 4500 + 150);
      expect(r.data.copies[0].verify?.ok).toBe(true);

      const lease = await f.drives.lease(f.address, 'verify');
      try {
        const sessions = parseSessionInfo(await lease.drive.query(buildReadTocPmaAtip({ format: 1 })));
        expect(sessions).toMatchObject({ firstSession: 1, lastSession: 2, firstTrackInLastSession: 3, lastSessionStartLba: r.dataStartLba });
        const toc = parseToc(await lease.drive.query(buildReadTocPmaAtip({ format: 0 })));
        expect(toc.entries.filter((e) => e.track !== 0xaa).map((e) => [e.track, e.control & 4, e.lba])).toEqual([[1, 0, 0], [2, 0, layout.tracks[1].start], [3, 4, r.dataStartLba]]);
        // Blue Book: the data session is CD-ROM XA — track 3 in mode 2 (READ TRACK INFORMATION data
        // mode), session 2's A0 entry of the full TOC says XA (20h), and a raw sector of the track has
        // the mode 2 header and the form 1 "data" sub-header.
        const ti = parseReadTrackInformation(await lease.drive.query(buildReadTrackInformation({ type: 'track', address: 3 })));
        expect(ti.dataMode).toBe(2);
        const full = await lease.drive.query(buildReadTocPmaAtip({ format: 2 }));
        const a0 = [];
        for (let o = 4; o + 11 <= full.length; o += 11) if (full[o + 3] === 0xa0) a0.push([full[o], full[o + 9]]);
        expect(a0).toEqual([[1, 0x00], [2, 0x20]]);
        const raw = await lease.drive.query(buildReadCd({ lba: r.dataStartLba + 16, blocks: 1, sectorType: 0, sync: true, headerCodes: 3, userData: true, edcEcc: true }));
        expect(raw[15]).toBe(2);
        expect([...raw.subarray(16, 24)]).toEqual([0, 0, 0x08, 0, 0, 0, 0x08, 0]);
        // User data (after the 8-byte sub-header) is the file system: the primary volume descriptor.
        expect(Buffer.from(raw.subarray(24, 30)).toString('latin1')).toBe('\x01CD001');
        expect((await lease.drive.media()).status).toBe('complete');
      } finally {
        await lease.release();
      }

      // The data track copied off the disc; its image was made for LBA dataStartLba, which xorriso's
      // -displacement compensates (a track copied from a CD to a file, xorriso(1); libisoburn wants
      // the displacement negative for a file that starts with the track).
      const track = join(dir, 'track3.iso');
      f.transport.exportTrack(f.name, 3, track);
      const xo = (...a: string[]) => execFileSync('xorriso', ['-displacement', String(-r.dataStartLba), '-load', 'sbsector', '0', '-indev', track, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const listed = xo('-find', '/', '-type', 'f');
      expect(listed).toContain("'/readme.txt'");
      expect(listed).toContain("'/video/clip.bin'");
      const out = join(dir, 'out');
      xo('-osirrox', 'on', '-extract', '/', out);
      for (const [p, b] of Object.entries(files)) expect(readFileSync(join(out, p)).equals(b)).toBe(true);
    });
  });

  it('the user\'s path: an audio CD left appendable, then `burn --multisession` (the Add-to-a-disc job) adds the data session as CD-ROM XA', async () => {
    // Before: the next session tried to import a file system from the audio track (sector 16 of an
    // audio track: "illegal mode for this track", exit 3) and, had it got further, wrote mode 1.
    await withRecorderAndEngine(async (f, engine) => {
      const pcm = randomBytes(588 * 300 * 4);
      writeFileSync(join(dir, 'u.cdda'), pcm);
      const layout = layoutDisc([{ samples: 588 * 300, pregapSectors: 150 }]);
      const plan: AudioBurnPlan = { layout, cdTextPacks: [], placements: [{ file: join(dir, 'u.cdda'), firstSample: 0, samples: 588 * 300 }] };
      const audio = await new AudioBurner({ drives: f.drives, pollMs: 2, progressIntervalMs: 0 }).burn(f.address, plan, { mode: 'tao', close: 'session', verify: 'full' });
      expect(audio.media.status).toBe('appendable');
      mkdirSync(join(dir, 'more'), { recursive: true });
      writeFileSync(join(dir, 'more', 'notes.txt'), 'added after the music\n');
      const next = discSessionFactory(() => engine, { options: { label: 'EXTRA' }, sources: [{ dest: '/', hostPath: join(dir, 'more') }], manifest: true });
      const r = await f.burner.burn(f.address, next, { verify: 'full', close: 'disc' });
      expect(r.copies[0].verify?.ok).toBe(true);
      const start = r.copies[0].startLba;
      const lease = await f.drives.lease(f.address, 'verify');
      try {
        expect(parseSessionInfo(await lease.drive.query(buildReadTocPmaAtip({ format: 1 })))).toMatchObject({ lastSession: 2, lastSessionStartLba: start });
        expect(parseReadTrackInformation(await lease.drive.query(buildReadTrackInformation({ type: 'track', address: 2 }))).dataMode).toBe(2);
        const raw = await lease.drive.query(buildReadCd({ lba: start + 16, blocks: 1, sectorType: 0, sync: true, headerCodes: 3, userData: true, edcEcc: true }));
        expect(raw[15]).toBe(2);
        expect(Buffer.from(raw.subarray(24, 30)).toString('latin1')).toBe('\x01CD001');
      } finally {
        await lease.release();
      }
      const track = join(dir, 'track2.iso');
      f.transport.exportTrack(f.name, 2, track);
      const listed = execFileSync('xorriso', ['-displacement', String(-start), '-load', 'sbsector', '0', '-indev', track, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(listed).toContain("'/notes.txt'");
      expect(listed).toContain("'/.glassmaster/SHA256SUMS'");
    });
  });

  it('RAW-96 audio session (host P/Q and lead-in with CD-TEXT and the B0h pointer) + data session: every Q as planned, two sessions, cd-info and xorriso read it', async () => {
    await withRecorderAndEngine(async (f, engine) => {
      const pcm = [randomBytes(588 * 330 * 4), randomBytes(588 * 310 * 4 + 8)];
      pcm.forEach((b, i) => writeFileSync(join(dir, `r${i}.cdda`), b));
      const layout = layoutDisc([{ samples: 588 * 330, pregapSectors: 150, isrc: 'USRC17607839' }, { samples: pcm[1].length / 4, pregapSectors: 150 }], { mcn: '0724384924626' });
      const plan: AudioBurnPlan = {
        layout,
        cdTextPacks: buildCdTextPacks([{ album: { title: 'Raw Extra' }, tracks: [{ title: 'One' }, { title: 'Two' }] }]).packs,
        placements: layout.tracks.map((t, i) => ({ file: join(dir, `r${i}.cdda`), firstSample: t.firstSample, samples: t.samples })),
      };
      mkdirSync(join(dir, 'rsrc'), { recursive: true });
      const files = { 'readme.txt': Buffer.from('RAW-96 CD-Extra\n'), 'clip.bin': randomBytes(200_000) };
      for (const [p, b] of Object.entries(files)) writeFileSync(join(dir, 'rsrc', p), b);
      const tree = new StagingTree({ now: new Date('2024-01-01T00:00:00Z') });
      tree.addHostPath('/', join(dir, 'rsrc'));
      const spec = { root: tree.root, iso9660: true, joliet: true, rockRidge: true, label: 'RAWEXTRA', recordingTime: new Date('2024-01-01T00:00:00Z') };

      const r = await burnCdExtra({ drives: f.drives, burner: f.burner, pollMs: 2, progressIntervalMs: 0 }, f.address, plan, (startLba) => () => engine.source({ ...spec, startLba }), { mode: 'raw96' });
      expect(r.audio).toMatchObject({ mode: 'raw96', cdText: true });
      expect(r.audio.media.status).toBe('appendable');
      expect(r.dataStartLba).toBe(layout.leadOut + 6750 + 4500 + 150);
      expect(r.data.copies[0].verify?.ok).toBe(true);

      const lease = await f.drives.lease(f.address, 'verify');
      try {
        expect(parseSessionInfo(await lease.drive.query(buildReadTocPmaAtip({ format: 1 })))).toMatchObject({ firstSession: 1, lastSession: 2, firstTrackInLastSession: 3, lastSessionStartLba: r.dataStartLba });
        const toc = parseToc(await lease.drive.query(buildReadTocPmaAtip({ format: 0 })));
        expect(toc.entries.filter((e) => e.track !== 0xaa).map((e) => [e.track, e.control & 4, e.lba])).toEqual([[1, 0, 0], [2, 0, layout.tracks[1].start], [3, 4, r.dataStartLba]]);
        // Every recorded sector of the audio session, pauses included: the sub-channel the host sent
        // (cd/program-q.ts for this layout), its Q CRC valid and its position the layout's.
        let isrc = 0;
        for (let lba = 0; lba < layout.leadOut; lba += 64) {
          const n = Math.min(64, layout.leadOut - lba);
          const raw = await lease.drive.query(buildReadCd({ lba, blocks: n, sectorType: 1, subChannel: 1 }));
          for (let i = 0; i < n; i++) {
            const at = lba + i;
            const pw = raw.subarray(i * 2448 + 2352, (i + 1) * 2448);
            expect(Buffer.compare(pw, programSubchannel(layout, at)), `sub-channel at ${at}`).toBe(0);
            const { q } = unpackPq(pw);
            expect(qCrcValid(q), `Q CRC at ${at}`).toBe(true);
            const e = programQ(layout, at);
            expect(q[0] & 0x0f, `Q mode at ${at}`).toBe(e.adr);
            if (e.adr === 1) expect([fromBcd(q[1]), fromBcd(q[2])], `track/index at ${at}`).toEqual([e.track, e.index]);
            if (e.adr === 3) isrc++;
          }
        }
        expect(isrc).toBeGreaterThan(3);
        // The CD-TEXT the host wrote into the lead-in's R-W.
        expect(parseCdTextPacks(await lease.drive.query(buildReadTocPmaAtip({ format: 5, allocationLength: 0xfffe })))).toHaveLength(plan.cdTextPacks.length);
      } finally {
        await lease.release();
      }

      // cd-info over the recorder's sectors (2352 bytes each from LBA 0) with a CUE of the disc's three
      // tracks: two audio tracks, then the XA data track (a CUE has no sessions; cd-info's CD-Plus/Extra
      // analysis finds session 2 from the tracks; the sessions themselves are READ TOC's, above).
      const bin = f.transport.backingFile(f.name);
      symlinkSync(bin, join(dir, 'rawextra.bin'));
      const cue = join(dir, 'rawextra.cue');
      writeFileSync(cue, ['FILE "rawextra.bin" BINARY', '  TRACK 01 AUDIO', '    INDEX 01 00:00:00', '  TRACK 02 AUDIO', `    INDEX 00 ${msfText(layout.tracks[1].pregapStart)}`, `    INDEX 01 ${msfText(layout.tracks[1].start)}`, '  TRACK 03 MODE2/2352', `    INDEX 01 ${msfText(r.dataStartLba)}`, ''].join('\n'));
      const run = spawnSync('cd-info', ['--no-cddb', '--no-device-info', '--cue-file', cue], { encoding: 'utf8' });
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toMatch(/ 1: 00:02:00\s+000000 audio/);
      expect(run.stdout).toMatch(/ 2: \S+\s+0*\d+ audio/);
      expect(run.stdout).toMatch(new RegExp(` 3: \\S+\\s+0*${r.dataStartLba} XA`));
      // libcdio's own analysis finds the Enhanced CD and where its second session begins.
      expect(run.stdout).toMatch(/CD-Plus\/Extra/);
      expect(run.stdout).toMatch(new RegExp(`session #2 starts at track\\s+3, LSN: ${r.dataStartLba}\\b`));

      const track = join(dir, 'rawextra-track3.iso');
      f.transport.exportTrack(f.name, 3, track);
      const out = join(dir, 'rout');
      execFileSync('xorriso', ['-displacement', String(-r.dataStartLba), '-load', 'sbsector', '0', '-indev', track, '-osirrox', 'on', '-extract', '/', out], { stdio: ['ignore', 'pipe', 'pipe'] });
      for (const [p, b] of Object.entries(files)) expect(readFileSync(join(out, p)).equals(b)).toBe(true);
    });
  });

  it('mixed mode: data track 1 (image engine ISO) + audio tracks in one SAO session; cd-info and xorriso read it back', async () => {
    await withRecorderAndEngine(async (f, engine) => {
      const pcm = [randomBytes(588 * 320 * 4 + 40), randomBytes(588 * 305 * 4)];
      pcm.forEach((b, i) => writeFileSync(join(dir, `m${i}.cdda`), b));
      const layout = layoutDisc([{ samples: pcm[0].length / 4, pregapSectors: 150 }, { samples: pcm[1].length / 4, pregapSectors: 0 }], { mcn: '0724384924626' });
      const audio: AudioBurnPlan = { layout, cdTextPacks: [], placements: layout.tracks.map((t, i) => ({ file: join(dir, `m${i}.cdda`), firstSample: t.firstSample, samples: t.samples })) };
      mkdirSync(join(dir, 'msrc'), { recursive: true });
      const files = { 'data.bin': randomBytes(800_000), 'info.txt': Buffer.from('mixed mode\n') };
      for (const [p, b] of Object.entries(files)) writeFileSync(join(dir, 'msrc', p), b);
      const tree = new StagingTree({ now: new Date('2024-01-01T00:00:00Z') });
      tree.addHostPath('/', join(dir, 'msrc'));
      const spec = { root: tree.root, iso9660: true, joliet: true, rockRidge: true, label: 'MIXED', recordingTime: new Date('2024-01-01T00:00:00Z') };
      const { totalSectors } = await engine.plan(spec);
      const disc = mixedModeDisc(audio, totalSectors, () => engine.source(spec));
      const r = await new AudioBurner({ drives: f.drives, pollMs: 2, progressIntervalMs: 0 }).burn(f.address, disc);
      expect(r).toMatchObject({ mode: 'sao', cdText: false });
      expect(r.tracks.map((t) => t.number)).toEqual([1, 2, 3]);
      expect(r.verifiedSectors).toBe(totalSectors + layout.tracks.reduce((n, t) => n + t.end - t.start, 0));

      const lease = await f.drives.lease(f.address, 'verify');
      let toc;
      try {
        toc = parseToc(await lease.drive.query(buildReadTocPmaAtip({ format: 0 })));
      } finally {
        await lease.release();
      }
      const starts = toc.entries.filter((e) => e.track !== 0xaa).map((e) => [e.track, e.control & 4, e.lba]);
      expect(starts).toEqual([[1, 4, 0], [2, 0, totalSectors + 150], [3, 0, disc.audio.layout.tracks[1].start]]);

      // xorriso reads the data track as copied off the disc.
      const iso = join(dir, 'mixed-track1.iso');
      f.transport.exportTrack(f.name, 1, iso);
      const out = join(dir, 'mout');
      execFileSync('xorriso', ['-indev', iso, '-osirrox', 'on', '-extract', '/', out], { stdio: 'ignore' });
      for (const [p, b] of Object.entries(files)) expect(readFileSync(join(out, p)).equals(b)).toBe(true);

      // cd-info reads the recorder's backing file (every sector as recorded, 2352 bytes from LBA 0)
      // through a CUE made from the drive's TOC: a mode 1 track with ISO 9660, then the audio.
      const bin = f.transport.backingFile(f.name);
      const cue = join(dir, 'mixed.cue');
      const a1 = disc.audio.layout.tracks;
      symlinkSync(bin, join(dir, 'mixed.bin')); // cd-info takes the BIN next to the CUE, by its name
      writeFileSync(cue, ['FILE "mixed.bin" BINARY', '  TRACK 01 MODE1/2352', '    INDEX 01 00:00:00', '  TRACK 02 AUDIO', `    INDEX 00 ${msfText(totalSectors)}`, `    INDEX 01 ${msfText(a1[0].start)}`, '  TRACK 03 AUDIO', `    INDEX 01 ${msfText(a1[1].start)}`, ''].join('\n'));
      const run = spawnSync('cd-info', ['--no-cddb', '--no-device-info', '--cue-file', cue], { encoding: 'utf8' });
      const info = run.stdout;
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(info).toMatch(/ 1: 00:02:00\s+000000 data/);
      expect(info).toMatch(/ 2: \S+\s+0*\d+ audio/);
      expect(info).toMatch(/ISO 9660/);
      expect(info).toMatch(/Volume\s*: MIXED/);
    });
  });
});
