// An authored audio CD (pregaps, a long track-1 pause, index 02, ISRC, MCN, flags, CD-TEXT) written
// to the virtual recorder in raw DAO with host P-W sub-channel and lead-in CD-TEXT — plain MMC
// commands fed from the audio module's plan — then read back with readDisc to BIN/CUE. Judged by
// independent tools on both image sets: cuebreakpoints and cueprint (cuetools) and cd-info
// --cue-file (libcdio, CD-TEXT from the CDTEXTFILE) agree with the authored CUE; bchunk splits both
// into bit-identical WAVs; the BINs are cmp-identical.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioDecoderPool } from '../audio/audio-decoder-pool';
import { programSource, saoCueSheet, type AudioBurnPlan } from '../audio/audio-plan';
import { authorAudioImage, prepareAudioDisc, type AudioProjectSpec } from '../audio/author';
import { rwOfCdTextPacks } from '../cd/cd-text-packs';
import { LBA_MSF_OFFSET, msfOf } from '../cd/msf';
import { packPw, qMode1, qMode2Mcn, qMode3Isrc } from '../cd/subchannel';
import { Drive } from '../drive/drive';
import { buildModeSelect10, encodeWriteParametersPage } from '../mmc/commands/mode-sense';
import { buildSendCueSheet, encodeCueSheet } from '../mmc/commands/send-cue-sheet';
import { buildSynchronizeCache } from '../mmc/commands/synchronize-cache';
import { buildWrite10 } from '../mmc/commands/write';
import { requireTools } from '../testing/peer-tools';
import type { ScsiDevice } from '../transport/transport';
import { ok } from '../transport/virtual/test-util';
import { virtualFixture, type VirtualFixture } from '../transport/virtual/testing';
import type { DiscProgress } from '../common/model/verify-report';
import { readDisc } from './read-disc';

const tools = requireTools('sox', 'cd-info', 'bchunk', 'cuebreakpoints', 'cueprint');
const sh = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });

/**
 * Writes an authored program the way a RAW-96 recorder gets it (test harness; the burner has its
 * own): page 05h raw / data block type 3, a cue sheet whose lead-in entry lies in the lead-in, then
 * every block from there to the lead-out as 2352 bytes of audio + 96 bytes of raw P-W. Q: mode 1
 * position frames (relative time counting down in pauses), an MCN frame (mode 2) and, in tracks
 * with one, an ISRC frame (mode 3) once in every 100 blocks away from index changes; P is on in
 * pauses. R-W of the lead-in carries the CD-TEXT packs, four a block, cycling.
 */
async function writeRawDao(dev: ScsiDevice, plan: AudioBurnPlan): Promise<void> {
  const { layout } = plan;
  const leadIn = -LBA_MSF_OFFSET - Math.max(24, Math.ceil(plan.cdTextPacks.length / 4) * 3);
  const [m, s, f] = msfOf(leadIn + LBA_MSF_OFFSET);
  const cue = saoCueSheet(plan).filter((e) => (e.ctlAdr & 0x0f) === 1);
  cue[0] = { ...cue[0], dataForm: 0x01, min: m, sec: s, frame: f };
  await ok(dev, buildModeSelect10([encodeWriteParametersPage({ writeType: 'raw', dataBlockType: 3, trackMode: 0, multiSession: 0 })]));
  await ok(dev, buildSendCueSheet(encodeCueSheet(cue)));
  const changes = new Set(layout.tracks.flatMap((t) => [t.pregapStart, t.start, ...t.indexes]).flatMap((l) => [l - 1, l, l + 1]));
  const where = (lba: number) => {
    const t = [...layout.tracks].reverse().find((x) => lba >= Math.min(x.pregapStart, x.number === 1 ? -LBA_MSF_OFFSET : x.pregapStart))!;
    const index = lba < t.start ? 0 : 1 + t.indexes.filter((i) => lba >= i).length;
    return { t, index };
  };
  const src = programSource(plan);
  let pending = Buffer.alloc(0);
  const next = async () => {
    while (pending.length < 2352) {
      const c = await src.read(64);
      if (!c) throw new Error('program source ended early');
      pending = Buffer.concat([pending, c]);
    }
    const out = pending.subarray(0, 2352);
    pending = pending.subarray(2352);
    return out;
  };
  const blocks: Buffer[] = [];
  const flush = async (at: number) => {
    if (!blocks.length) return;
    await ok(dev, buildWrite10(at, blocks.length, Buffer.concat(blocks)));
    blocks.length = 0;
  };
  let first = leadIn;
  for (let lba = leadIn; lba < layout.leadOut; lba++) {
    const b = Buffer.alloc(2448);
    if (lba < -LBA_MSF_OFFSET) {
      const k = (lba - leadIn) * 4;
      b.set(packPw(true, new Uint8Array(12), rwOfCdTextPacks([0, 1, 2, 3].map((j) => plan.cdTextPacks[(k + j) % plan.cdTextPacks.length]))), 2352);
    } else {
      b.set(await next(), 0);
      const { t, index } = where(lba);
      let q: Uint8Array;
      if (lba % 100 === 10 && layout.mcn && !changes.has(lba)) q = qMode2Mcn(t.control, layout.mcn, lba);
      else if (lba % 100 === 60 && t.isrc && index >= 1 && !changes.has(lba)) q = qMode3Isrc(t.control, t.isrc, lba);
      else q = qMode1({ control: t.control, track: t.number, index, relative: Math.abs(lba - t.start), lba });
      b.set(packPw(index === 0, q), 2352);
    }
    blocks.push(b);
    if (blocks.length === 50) {
      await flush(first);
      first = lba + 1;
    }
  }
  await flush(first);
  await src.cancel();
  await ok(dev, buildSynchronizeCache());
}

describe.skipIf(!tools)('reading an authored audio CD back to BIN/CUE (sub-channel Q, CD-TEXT)', () => {
  let dir: string;
  let pool: AudioDecoderPool;
  let fx: VirtualFixture;
  const progress: DiscProgress[] = [];
  const p = (...n: string[]) => join(dir, ...n);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-readaudio-'));
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('a.wav'), 'synth', '5.13', 'sine', '300', 'vol', '0.4']);
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('b.wav'), 'synth', '6.2', 'sine', '600-900', 'vol', '0.4']);
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('c.wav'), 'synth', '4.4', 'pinknoise', 'vol', '0.3']);
    pool = new AudioDecoderPool({ size: 2 });
    const spec: AudioProjectSpec = {
      tracks: [
        { path: p('a.wav'), pregapSeconds: 3, title: 'Opening', performer: 'First Player', isrc: 'GBAYE6700001' },
        { path: p('b.wav'), indexSeconds: [2], title: 'Middle Part', performer: 'Second Player', songwriter: 'Writer Two', isrc: 'USRC17607839', copyPermitted: true },
        { path: p('c.wav'), pregapSeconds: 1, title: 'Coda', performer: 'Third Player', preEmphasis: true },
      ],
      mcn: '0123456789012',
      album: { title: 'Glass Album', performer: 'Glass Band' },
      textFromTags: false,
    };
    mkdirSync(p('orig'));
    await authorAudioImage(spec, p('orig', 'album.cue'), { pool });
    mkdirSync(p('work'));
    const prepared = await prepareAudioDisc(spec, p('work'), { pool });
    fx = await virtualFixture('cd-r');
    await writeRawDao(fx.device, prepared.plan);
    mkdirSync(p('read'));
    await readDisc(new Drive(fx.device, { retryDelayMs: 1 }), { output: p('read', 'album.cue'), onProgress: (e) => progress.push(e) });
  }, 120_000);
  afterAll(async () => {
    await fx?.cleanup();
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('progress counts every sector read, pregaps and gaps included, up to exactly the total', () => {
    const reading = progress.filter((e) => e.phase === 'reading');
    expect(reading.length).toBeGreaterThan(1);
    const total = reading[0].totalSectors;
    expect(reading.every((e) => e.totalSectors === total && e.sectorsDone <= total)).toBe(true);
    expect(reading[reading.length - 1].sectorsDone).toBe(total);
  });

  it('the read CUE carries index 00/01/02, ISRC, MCN, flags and CD-TEXT lines', () => {
    const cue = readFileSync(p('read', 'album.cue'), 'latin1');
    expect(cue).toContain('CATALOG 0123456789012\n');
    expect(cue).toContain('CDTEXTFILE "album.cdt"\n');
    expect(cue).toMatch(/^TITLE "Glass Album"$/m);
    expect(cue).toMatch(/TRACK 01 AUDIO\n {4}ISRC GBAYE6700001\n {4}TITLE "Opening"\n {4}PERFORMER "First Player"\n {4}INDEX 00 00:00:00\n {4}INDEX 01 00:01:00\n/);
    expect(cue).toMatch(/TRACK 02 AUDIO\n {4}FLAGS DCP\n {4}ISRC USRC17607839\n.*\n.*\n {4}SONGWRITER "Writer Two"\n {4}INDEX 00 \S+\n {4}INDEX 01 \S+\n {4}INDEX 02 \S+\n/);
    expect(cue).toMatch(/TRACK 03 AUDIO\n {4}FLAGS PRE\n/);
  });

  it('the BIN is cmp-identical to the authored one; bchunk splits both into identical WAVs', () => {
    expect(readFileSync(p('read', 'album.bin')).equals(readFileSync(p('orig', 'album.bin')))).toBe(true);
    for (const d of ['orig', 'read']) sh('bchunk', ['-w', 'album.bin', 'album.cue', 'split'], p(d));
    const wavs = readdirSync(p('orig')).filter((n) => n.endsWith('.wav')).sort();
    expect(wavs).toHaveLength(3);
    expect(readdirSync(p('read')).filter((n) => n.endsWith('.wav')).sort()).toEqual(wavs);
    for (const w of wavs) expect(readFileSync(p('read', w)).equals(readFileSync(p('orig', w))), w).toBe(true);
  });

  it('cuebreakpoints and cueprint agree with the authored CUE', () => {
    for (const args of [[], ['--append-gaps'], ['--prepend-gaps'], ['--split-gaps']]) {
      const a = sh('cuebreakpoints', [...args, 'album.cue'], p('orig'));
      expect(sh('cuebreakpoints', [...args, 'album.cue'], p('read'))).toBe(a);
    }
    const orig = sh('cueprint', ['album.cue'], p('orig'));
    expect(orig).toMatch(/title:\s+Middle Part/);
    expect(orig).toMatch(/ISRC:\s+USRC17607839/);
    expect(sh('cueprint', ['album.cue'], p('read'))).toBe(orig);
  });

  it('cd-info --cue-file: same tracks, LSNs, MCN and CD-TEXT (from the .cdt) as the authored image', () => {
    const info = (d: string) => sh('cd-info', ['--no-device-info', '--no-cddb', '--no-header', '--cue-file', 'album.cue'], p(d));
    const a = info('orig');
    expect(a).toMatch(/TITLE: Middle Part/);
    expect(info('read')).toBe(a);
  });
});
