// A multisession CD to BIN/CUE and back (issue #10): three data sessions burned by our multisession
// path on a virtual CD-R, read to NAME.cue (REM SESSION lines, each later session's pregap as
// PREGAP, the .bin holding the tracks only), then the sheet burned with the cue data burner to a
// blank CD-R. Judged by readers: cd-info and cuebreakpoints read the sheet (tracks, modes, the ISO
// 9660 of session 1); the copy has the source's sessions and tracks at the same sectors (READ TRACK
// INFORMATION of both drives), reads to an ISO identical to the source's, xorriso lists the same
// files at every session's start, and reading the copy to a .cue gives the same sheet and a
// byte-identical .bin. A sheet whose session does not fit the recorder's layout is refused.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscProgress } from '../common/model/verify-report';
import { parseCueText } from '../audio/cue-parse';
import { burnFixture, disposeFixture, type BurnFixture } from '../burn/contract/burn-contract';
import { burnCueData, planCueDataBurn } from '../burn/cue-data-burn';
import { discSessionFactory } from '../burn/engine-sources';
import { ImageEngine } from '../image/image-engine';
import { requireTools } from '../testing/peer-tools';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { DiscService } from './disc-service';
import { leasedLayout, pattern, writeTree, xorrisoFiles } from './test-support';

const ok = requireTools('xorriso', 'cd-info', 'cuebreakpoints');

describe.skipIf(!ok)('a multisession CD to BIN/CUE, and burn --cue of it', () => {
  let dir: string;
  let engine: ImageEngine;
  let f: BurnFixture;
  let discs: DiscService;
  let read: Awaited<ReturnType<DiscService['read']>>;
  const reading: DiscProgress[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-cue-ms-'));
    engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
    writeTree(join(dir, 's1'), { 'one.txt': 'first session', 'blob.bin': pattern(200_000, 5) });
    writeTree(join(dir, 's2'), { 'two.txt': 'second session' });
    writeTree(join(dir, 's3'), { 'three.txt': 'third session', 'one.txt': 'first, replaced' });
    f = await burnFixture('cd-r');
    for (const name of ['s1', 's2', 's3']) {
      await f.burner.burn(f.address, discSessionFactory(() => engine, { options: { label: name.toUpperCase() }, sources: [{ dest: '/', hostPath: join(dir, name) }] }), { verify: 'none', close: 'session' });
    }
    discs = new DiscService(f.drives);
    // The source read to BIN/CUE once; the tests below judge it and burn it.
    read = await discs.read(f.address, { output: join(dir, 'src.cue'), onProgress: (e) => e.phase === 'reading' && reading.push(e) });
  });
  afterAll(async () => {
    await engine.close();
    await disposeFixture(f);
    rmSync(dir, { recursive: true, force: true });
  });

  const layoutOf = (address: string) => leasedLayout(f.drives, address);
  it('read progress ends at exactly its total: the later sessions\' pregaps counted, nothing over 100%', () => {
    const total = reading[0].totalSectors;
    expect(reading.every((e) => e.totalSectors === total && e.sectorsDone <= total)).toBe(true);
    expect(reading[reading.length - 1].sectorsDone).toBe(total);
  });

  it('read: REM SESSION before each session\'s first track, PREGAP for the later sessions, the .bin the tracks only; cd-info and cuebreakpoints read it', async () => {
    const layout = await layoutOf(f.address);
    expect(layout.sessions).toHaveLength(3);
    expect(read.bad.unreadableCount).toBe(0);
    expect(read.tracks.map((t) => t.session)).toEqual([1, 2, 3]);
    const cue = readFileSync(join(dir, 'src.cue'), 'utf8');
    const sheet = parseCueText(cue, 'src.cue');
    expect(sheet.sessions).toBe(3);
    expect(sheet.tracks.map((t) => [t.number, t.session, t.mode, t.pregapFrames ?? 0])).toEqual([[1, 1, 'MODE1/2352', 0], [2, 2, 'MODE1/2352', 150], [3, 3, 'MODE1/2352', 150]]);
    expect(cue).toMatch(/FILE "src\.bin" BINARY\n {2}REM SESSION 01\n {2}TRACK 01 MODE1\/2352\n {4}INDEX 01 00:00:00\n {2}REM SESSION 02\n {2}TRACK 02 MODE1\/2352\n {4}PREGAP 00:02:00\n/);
    // The .bin: each track's recorded sectors (run-out left out), nothing of the lead-out/lead-in.
    const dataLen = (t: { start: number; end: number }) => t.end - t.start - 2;
    const bin = readFileSync(join(dir, 'src.bin'));
    expect(bin.length).toBe(layout.tracks.reduce((n, t) => n + dataLen(t), 0) * 2352);
    // Raw sector headers carry the disc address: track 2's first .bin sector is LBA tracks[1].start (MSF + 150).
    const at = dataLen(layout.tracks[0]) * 2352;
    const msf = [bin[at + 12], bin[at + 13], bin[at + 14]].map((b) => (b >> 4) * 10 + (b & 15));
    expect(msf[0] * 60 * 75 + msf[1] * 75 + msf[2] - 150).toBe(layout.tracks[1].start);
    const info = spawnSync('cd-info', ['--no-cddb', '--no-device-info', '--cue-file', join(dir, 'src.cue')], { encoding: 'utf8' });
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/CD-ROM Track List \(1 - 3\)/);
    expect(info.stdout).toMatch(/ISO 9660: \d+ blocks, label `S1/);
    const breaks = execFileSync('cuebreakpoints', [join(dir, 'src.cue')], { encoding: 'utf8' }).trim().split('\n');
    expect(breaks).toHaveLength(2);
  });

  it('burn --cue of it on a blank CD-R: the source\'s sessions and tracks at the same sectors, each verified; the copy reads to the same ISO, .cue and .bin', async () => {
    const sheet = parseCueText(readFileSync(join(dir, 'src.cue'), 'utf8'), join(dir, 'src.cue'));
    const plan = await planCueDataBurn(sheet, join(dir, 'src.cue'));
    const source = await layoutOf(f.address);
    expect(plan.map((s) => s.startLba)).toEqual(source.sessions.map((s) => s.start));
    const to = await f.transport.create('copy', { media: 'cd-r' });
    f.transport.recorder('copy').clearUnitAttention();
    f.transport.recorder('copy').immediatePolls = 2;
    const seen = new Set<number>();
    const r = await burnCueData({ drives: f.drives, burner: f.burner }, to, plan, { verify: 'full', close: 'session' }, { onProgress: (s) => seen.add(s) });
    expect([...seen]).toEqual([1, 2, 3]);
    expect(r.sessions.map((s) => [s.closed, s.burn.copies[0].verify?.ok, s.burn.copies[0].verify?.level])).toEqual([['session', true, 'full'], ['session', true, 'full'], ['session', true, 'full']]);
    const copy = await layoutOf(to);
    expect(copy.sessions).toEqual(source.sessions);
    expect(copy.tracks).toEqual(source.tracks);
    expect(copy.status).toBe('appendable');
    await discs.read(f.address, { output: join(dir, 'src.iso') });
    await discs.read(to, { output: join(dir, 'copy.iso') });
    execFileSync('cmp', [join(dir, 'src.iso'), join(dir, 'copy.iso')]);
    for (const s of source.sessions) expect(xorrisoFiles(join(dir, 'copy.iso'), s.start)).toEqual(xorrisoFiles(join(dir, 'src.iso'), s.start));
    expect(xorrisoFiles(join(dir, 'copy.iso'), source.sessions[2].start)).toEqual(['/blob.bin', '/one.txt', '/three.txt', '/two.txt']);
    await discs.read(to, { output: join(dir, 'copy.cue') });
    execFileSync('cmp', [join(dir, 'src.bin'), join(dir, 'copy.bin')]);
    expect(readFileSync(join(dir, 'copy.cue'), 'utf8')).toBe(readFileSync(join(dir, 'src.cue'), 'utf8').replace('src.bin', 'copy.bin'));
  });

  it('refusals before anything is written: a session whose ISO 9660 lies elsewhere than the recorder would put it, audio in the sheet, a non-blank target', async () => {
    // Session 1 made 16 sectors longer (zeros after its data): session 2 would then be written 16
    // sectors later than where its ISO 9660 was made for.
    const cue = readFileSync(join(dir, 'src.cue'), 'utf8');
    const sheet = parseCueText(cue, join(dir, 'src.cue'));
    const bin = readFileSync(join(dir, 'src.bin'));
    const cut = sheet.tracks[1].indexes[0].frames * 2352;
    writeFileSync(join(dir, 'long.bin'), Buffer.concat([bin.subarray(0, cut), Buffer.alloc(16 * 2352), bin.subarray(cut)]));
    const later = (frames: number) => `${String(Math.floor(frames / 4500)).padStart(2, '0')}:${String(Math.floor(frames / 75) % 60).padStart(2, '0')}:${String(frames % 75).padStart(2, '0')}`;
    let n = 0;
    const longCue = cue.replace('src.bin', 'long.bin').replace(/INDEX 01 (\d\d):(\d\d):(\d\d)/g, (m, mm: string, ss: string, ff: string) => (n++ === 0 ? m : `INDEX 01 ${later(Number(mm) * 4500 + Number(ss) * 75 + Number(ff) + 16)}`));
    writeFileSync(join(dir, 'long.cue'), longCue);
    await expect(planCueDataBurn(parseCueText(longCue, join(dir, 'long.cue')), join(dir, 'long.cue'))).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringMatching(/session 2's ISO 9660 has its root directory at sector \d+, but the session placed at sector \d+ \(where a CD recorder writes it after the sessions before it\) has no such directory there/) });
    writeFileSync(join(dir, 'mixed.cue'), cue.replace('TRACK 03 MODE1/2352', 'TRACK 03 AUDIO'));
    await expect(planCueDataBurn(parseCueText(readFileSync(join(dir, 'mixed.cue'), 'utf8'), join(dir, 'mixed.cue')), join(dir, 'mixed.cue'))).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/track 3 is AUDIO in a sheet with data tracks/) });
    const plan = await planCueDataBurn(sheet, join(dir, 'src.cue'));
    await expect(burnCueData({ drives: f.drives, burner: f.burner }, f.address, plan, {})).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringMatching(/not blank/) });
  });
});

describe('REM SESSION in the CUE parser', () => {
  const sheet = (body: string) => parseCueText(`FILE "d.bin" BINARY\n${body}`, 'd.cue');
  it('numbers the tracks\' sessions; tracks before the first REM SESSION are session 1; a sheet without one is one session', () => {
    expect(sheet('  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n').sessions).toBe(1);
    const s = sheet('  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  REM SESSION 02\n  TRACK 02 MODE1/2352\n    INDEX 01 00:10:00\n');
    expect(s.tracks.map((t) => t.session)).toEqual([1, 2]);
    expect(s.sessions).toBe(2);
  });
  it('refuses sessions out of order and a session without a track, naming the line', () => {
    expect(() => sheet('  REM SESSION 01\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  REM SESSION 03\n')).toThrow(/d\.cue:5: REM SESSION 03 where session 2 was expected/);
    expect(() => sheet('  REM SESSION 01\n  REM SESSION 02\n')).toThrow(/d\.cue:3: session 1 has no TRACK/);
    expect(() => sheet('  REM SESSION two\n')).toThrow(/not a session number/);
  });
});
