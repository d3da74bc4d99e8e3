import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../common/errors';
import { Drive } from '../drive/drive';
import { buildCloseTrackSession } from '../mmc/commands/close-track-session';
import { buildModeSelect10, encodeWriteParametersPage } from '../mmc/commands/mode-sense';
import { buildWrite10 } from '../mmc/commands/write';
import { requireTools } from '../testing/peer-tools';
import type { ScsiDevice } from '../transport/transport';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { readDisc } from './read-disc';
import { fileLba, pattern, scratched, writeTree, xorrisoImage } from './test-support';

const ok = requireTools('xorriso', 'bchunk', 'cd-info');

describe.skipIf(!ok)('readDisc: a disc to an ISO or BIN/CUE image', () => {
  let dir: string;
  let vt: VirtualTransport;
  let iso: Buffer;
  const open = async (name: string) => vt.open(`virtual:${name}`);
  const drive = (dev: ScsiDevice) => new Drive(dev, { retryDelayMs: 1 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-read-'));
    writeTree(join(dir, 'src'), { 'readme.txt': 'a pressed disc\n', 'data/big.bin': pattern(300_000, 3), 'data/small.txt': 'small' });
    xorrisoImage(join(dir, 'src'), join(dir, 'in.iso'));
    iso = readFileSync(join(dir, 'in.iso'));
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    await vt.create('dvd', { media: null });
    await vt.insertPressed('dvd', 'dvd', join(dir, 'in.iso'));
    vt.recorder('dvd').clearUnitAttention();
  });
  afterAll(async () => {
    await vt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('DVD-ROM → ISO: byte-identical to the pressed image (cmp), xorriso reads it; an existing output is kept without force', async () => {
    const dev = await open('dvd');
    try {
      const out = join(dir, 'dvd.iso');
      const phases: string[] = [];
      const r = await readDisc(drive(dev), { output: out, onProgress: (p) => phases.push(p.phase) });
      execFileSync('cmp', [out, join(dir, 'in.iso')]);
      expect(r).toMatchObject({ format: 'iso', sectors: iso.length / 2048, bad: { unreadableCount: 0 }, gaps: [] });
      expect(phases[0]).toBe('checking-disc');
      expect(phases).toContain('reading');
      expect(phases[phases.length - 1]).toBe('done');
      expect(execFileSync('xorriso', ['-indev', out, '-find', '/data', '-type', 'f'], { stdio: 'pipe' }).toString()).toContain("'/data/big.bin'");
      writeFileSync(out, 'keep me');
      await expect(readDisc(drive(dev), { output: out })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(readFileSync(out, 'utf8')).toBe('keep me');
      await readDisc(drive(dev), { output: out, force: true });
      execFileSync('cmp', [out, join(dir, 'in.iso')]);
    } finally {
      await dev.close();
    }
  });

  it('a scratched disc: unreadable sectors are zero, listed as LBA ranges and mapped to the file that owns them', async () => {
    const base = await open('dvd');
    try {
      // Sectors inside /data/big.bin, found through xorriso's own view of the image.
      const startLba = fileLba(join(dir, 'in.iso'), '/data/big.bin');
      const dev = scratched(base, [startLba + 3, startLba + 4]);
      const out = join(dir, 'scratched.iso');
      const r = await readDisc(drive(dev), { output: out, retries: 1 });
      expect(r.bad.unreadable).toEqual([{ start: startLba + 3, end: startLba + 5 }]);
      expect(r.bad.files).toEqual([{ path: '/data/big.bin', kind: 'file', ranges: [{ start: startLba + 3, end: startLba + 5 }] }]);
      const img = readFileSync(out);
      expect(img.subarray((startLba + 3) * 2048, (startLba + 5) * 2048).every((b) => b === 0)).toBe(true);
      expect(img.subarray(0, (startLba + 3) * 2048).equals(iso.subarray(0, (startLba + 3) * 2048))).toBe(true);
      expect(dev.attempts.get(startLba + 3)).toBe(1 + 1 + 1); // in its chunk, alone, one re-read
    } finally {
      await base.close();
    }
  });

  it('refuses in plain words: BIN/CUE of a DVD, a blank disc, an ISO of an audio-only CD', async () => {
    const dev = await open('dvd');
    try {
      await expect(readDisc(drive(dev), { output: join(dir, 'x.cue') })).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/BIN\/CUE holds CD sectors; this is a DVD disc/) });
    } finally {
      await dev.close();
    }
    await vt.create('blank', { media: 'dvd-r' });
    vt.recorder('blank').clearUnitAttention();
    await vt.create('audio', { media: 'cd-r' });
    vt.recorder('audio').clearUnitAttention();
    const b = await open('blank');
    const a = await open('audio');
    try {
      await expect(readDisc(drive(b), { output: join(dir, 'blank.iso') })).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringMatching(/blank/) });
      const d = drive(a);
      await d.execute(buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession: 0, dataBlockType: 0, trackMode: 0 })]));
      await d.execute(buildWrite10(0, 10, pattern(10 * 2352, 1)));
      await d.execute(buildCloseTrackSession(1, 1));
      await d.execute(buildCloseTrackSession(2));
      await expect(readDisc(d, { output: join(dir, 'audio.iso') })).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringMatching(/audio CD.*NAME\.cue/) });
      expect(readdirSync(dir).filter((f) => /^(blank|audio|x)\./.test(f))).toEqual([]);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('a cancelled read leaves neither the output nor a .partial', async () => {
    const dev = await open('dvd');
    try {
      const ac = new AbortController();
      const out = join(dir, 'cancelled.iso');
      const p = readDisc(drive(dev), { output: out, signal: ac.signal, onProgress: (x) => x.phase === 'reading' && x.sectorsDone > 0 && ac.abort() });
      await expect(p).rejects.toBeInstanceOf(CancelledError);
      expect(readdirSync(dir).filter((f) => f.startsWith('cancelled'))).toEqual([]);
    } finally {
      await dev.close();
    }
  });

  it('CD with an audio and a data track (TAO) → BIN/CUE: bchunk splits it back into the same audio and ISO bytes; cd-info reads the cue', async () => {
    await vt.create('cd', { media: 'cd-r' });
    vt.recorder('cd').clearUnitAttention();
    const dev = await open('cd');
    try {
      const d = drive(dev);
      const audio = pattern(300 * 2352, 9);
      await d.execute(buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession: 0, dataBlockType: 0, trackMode: 0 })]));
      await d.execute(buildWrite10(0, 300, audio));
      await d.execute(buildCloseTrackSession(1, 1));
      await d.execute(buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession: 0, dataBlockType: 8, trackMode: 4 })]));
      for (let s = 0; s < iso.length / 2048; s += 32) {
        const n = Math.min(32, iso.length / 2048 - s);
        await d.execute(buildWrite10(450 + s, n, iso.subarray(s * 2048, (s + n) * 2048)));
      }
      await d.execute(buildCloseTrackSession(1, 2));
      await d.execute(buildCloseTrackSession(2));

      const cue = join(dir, 'cd.cue');
      const r = await readDisc(d, { output: cue });
      expect(r.bad.unreadableCount).toBe(0);
      expect(r.files).toEqual([join(dir, 'cd.bin'), cue]);
      // 300 audio + 150 pregap (not readable: PREGAP) + data; the 2 run-out blocks are left out.
      expect(r.sectors).toBe(300 + iso.length / 2048);
      expect(readFileSync(cue, 'utf8')).toBe('FILE "cd.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 MODE1/2352\n    PREGAP 00:02:00\n    INDEX 01 00:04:00\n');
      execFileSync('bchunk', ['-w', join(dir, 'cd.bin'), cue, join(dir, 'split')], { stdio: 'pipe' });
      const wav = readFileSync(join(dir, 'split01.wav'));
      expect(wav.subarray(44).equals(audio)).toBe(true);
      execFileSync('cmp', [join(dir, 'split02.iso'), join(dir, 'in.iso')]);
      const info = execFileSync('cd-info', ['--no-header', '--no-device-info', '--cue-file', cue], { stdio: 'pipe' }).toString();
      // libcdio places tracks by file position (it does not add PREGAP): track 2 at file sector 300, and it finds the ISO there.
      expect(info).toMatch(/1: 00:02:00\s+000000 audio/);
      expect(info).toMatch(/2: 00:06:00\s+000300 data/);
      expect(info).toMatch(/ISO 9660: 332 blocks, label `TESTDISC/);
      // The same disc as an ISO: audio and the pregap are gaps (zeros), the data track at 450.
      const isoOut = join(dir, 'cd.iso');
      const r2 = await readDisc(d, { output: isoOut });
      expect(r2.gaps[0]).toEqual({ start: 0, end: 450 });
      expect(readFileSync(isoOut).subarray(450 * 2048).equals(iso)).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    } finally {
      await dev.close();
    }
  });
});
