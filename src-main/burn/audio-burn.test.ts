// Audio burning on the virtual recorder in TAO, SAO and RAW-96, checked by reading the disc back
// through the drive: READ TOC (tracks, pauses), READ CD with raw P-W sub-channel decoded with cd/
// (every recorded sector's Q: track, index, absolute and relative time, CRC; MCN and ISRC frames),
// READ TOC format 0101b (CD-TEXT packs, CRCs), READ CD audio (bit-identical to the sources, also
// across a gapless boundary). The expected Q here is computed from the layout independently of
// raw96-source.ts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BurnProgress } from '../common/model/burn';
import { cdTextPackValid } from '../cd/cd-text-packs';
import { fromBcd, LBA_MSF_OFFSET, msfOf } from '../cd/msf';
import { qCrcValid, unpackPq } from '../cd/subchannel';
import { programQ } from '../cd/program-q';
import { buildReadCd } from '../mmc/commands/read-cd';
import { buildReadTocPmaAtip, parseAtip, parseCdTextPacks, parseToc } from '../mmc/commands/read-toc-pma-atip';
import { buildCdTextPacks } from '../audio/cd-text';
import { layoutDisc, type LayoutTrackInput } from '../audio/layout';
import type { AudioBurnPlan } from '../audio/audio-plan';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { AudioBurner } from './audio-burn';
import { audioWriteCaps, chooseAudioMode } from './audio-mode';

const dir = mkdtempSync(join(tmpdir(), 'gm-audioburn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fixtures: BurnFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map(disposeFixture));
  fixtures = [];
});

let planNo = 0;
/** A plan over random PCM "decoded sources" of the given sample counts. */
function makePlan(tracks: Array<Omit<LayoutTrackInput, 'samples'> & { samples: number }>, opts: { mcn?: string; text?: boolean } = {}): { plan: AudioBurnPlan; pcm: Buffer[] } {
  const pcm = tracks.map((t) => randomBytes(t.samples * 4));
  const files = pcm.map((b, i) => {
    const f = join(dir, `${planNo}-${i}.cdda`);
    writeFileSync(f, b);
    return f;
  });
  planNo++;
  const layout = layoutDisc(tracks, { mcn: opts.mcn });
  const packs = opts.text === false ? [] : buildCdTextPacks([{ album: { title: 'Glass Album', performer: 'The Masters' }, tracks: tracks.map((_, i) => ({ title: `Song ${i + 1}`, performer: 'The Masters' })) }]).packs;
  return { pcm, plan: { layout, cdTextPacks: packs, placements: layout.tracks.map((t, i) => ({ file: files[i], firstSample: t.firstSample, samples: t.samples })) } };
}

async function setup() {
  const f = await burnFixture('cd-r');
  fixtures.push(f);
  return { f, burner: new AudioBurner({ drives: f.drives, pollMs: 2, progressIntervalMs: 0 }) };
}

async function withDrive<T>(f: BurnFixture, fn: (q: (cmd: ReturnType<typeof buildReadCd>) => Promise<Buffer>) => Promise<T>): Promise<T> {
  const lease = await f.drives.lease(f.address, 'verify');
  try {
    return await fn((cmd) => lease.drive.query(cmd));
  } finally {
    await lease.release();
  }
}

/** The program bytes from LBA 0 as the sources lay them out (pauses silent). */
function program(plan: AudioBurnPlan, pcm: Buffer[]): Buffer {
  const b = Buffer.alloc(plan.layout.leadOut * 2352);
  plan.placements.forEach((p, i) => pcm[i].copy(b, p.firstSample * 4));
  return b;
}

interface DecodedQ { adr: number; track?: number; index?: number; rel?: number; abs?: number; mcn?: string; isrc?: string; p: boolean }
function decodeQ(pw: Uint8Array): DecodedQ & { crc: boolean } {
  const { p, q } = unpackPq(pw);
  const adr = q[0] & 0x0f;
  const msf = (i: number) => (fromBcd(q[i]) * 60 + fromBcd(q[i + 1])) * 75 + fromBcd(q[i + 2]);
  const base = { adr, p, crc: qCrcValid(q) };
  if (adr === 1) return { ...base, track: fromBcd(q[1]), index: fromBcd(q[2]), rel: msf(3), abs: msf(7) - LBA_MSF_OFFSET };
  if (adr === 2) return { ...base, mcn: [...q.subarray(1, 8)].flatMap((b) => [b >> 4, b & 15]).slice(0, 13).join('') };
  // ISRC: 5 six-bit characters (0–9 digits, 17–42 letters), then 7 BCD digits.
  const bits = q[1] * 2 ** 24 + q[2] * 2 ** 16 + q[3] * 2 ** 8 + q[4];
  const chars = [0, 1, 2, 3, 4].map((k) => Math.floor(bits / 2 ** (26 - 6 * k)) & 63).map((c) => (c < 10 ? String(c) : String.fromCharCode(c - 17 + 65)));
  return { ...base, isrc: chars.join('') + [...q.subarray(5, 9)].flatMap((b) => [b >> 4, b & 15]).slice(0, 7).join('') };
}

/**
 * Reads the recorded tracks' sub-channel and audio back and checks every sector's Q. `exactQ`: the
 * disc's Q must be cd/program-q.ts's for the layout in every sector, pauses included (RAW-96, where
 * Glassmaster makes it; SAO, where the drive makes it from the cue sheet; TAO, from its track table
 * and page 05h's MCN/ISRC). Otherwise: mode 1, index 01, in every sector of the tracks.
 */
async function checkDisc(f: BurnFixture, plan: AudioBurnPlan, pcm: Buffer[], opts: { exactQ: boolean; pauses?: boolean }) {
  return withDrive(f, async (query) => {
    const toc = parseToc(await query(buildReadTocPmaAtip({ format: 0 })));
    const tracks = toc.entries.filter((e) => e.track !== 0xaa);
    expect(tracks.map((e) => e.lba)).toEqual(plan.layout.tracks.map((t) => t.start));
    expect(toc.entries.find((e) => e.track === 0xaa)!.lba).toBe(plan.layout.leadOut);
    const want = program(plan, pcm);
    const counts = { q1: 0, mcn: 0, isrc: 0, sectors: 0, pause: 0, index2: 0 };
    for (const t of plan.layout.tracks) {
      // From the track's pause (LBA 0 on: track 1's starts before the program area), or (TAO, whose
      // pauses the drive writes and the virtual recorder does not keep) from index 01.
      const from = opts.exactQ && opts.pauses !== false ? Math.max(0, t.pregapStart) : t.start;
      for (let lba = from; lba < t.end; lba += 64) {
        const n = Math.min(64, t.end - lba);
        const raw = await query(buildReadCd({ lba, blocks: n, sectorType: 1, subChannel: 1 }));
        for (let i = 0; i < n; i++) {
          const at = lba + i;
          const s = raw.subarray(i * 2448, (i + 1) * 2448);
          expect(Buffer.compare(s.subarray(0, 2352), want.subarray(at * 2352, (at + 1) * 2352)), `audio at ${at}`).toBe(0);
          const q = decodeQ(s.subarray(2352));
          expect(q.crc, `Q CRC at ${at}`).toBe(true);
          counts.sectors++;
          if (at < t.start) counts.pause++;
          if (q.adr === 2) counts.mcn++;
          else if (q.adr === 3) counts.isrc++;
          else counts.q1++;
          if (q.adr === 1 && (q.index ?? 0) >= 2) counts.index2++;
          if (opts.exactQ) {
            const e = programQ(plan.layout, at);
            const expected = e.adr === 1 ? { adr: 1, track: e.track, index: e.index, rel: e.relative, abs: at, p: e.pause } : e.adr === 2 ? { adr: 2, mcn: e.mcn, p: e.pause } : { adr: 3, isrc: e.isrc, p: e.pause };
            const got = q.adr === 1 ? { adr: 1, track: q.track, index: q.index, rel: q.rel, abs: q.abs, p: q.p } : q.adr === 2 ? { adr: 2, mcn: q.mcn, p: q.p } : { adr: 3, isrc: q.isrc, p: q.p };
            expect(got, `Q at ${at}`).toEqual(expected);
          } else {
            expect({ adr: q.adr, track: q.track, index: q.index, rel: q.rel, abs: q.abs, p: q.p }, `Q at ${at}`).toEqual({ adr: 1, track: t.number, index: 1, rel: at - t.start, abs: at, p: false });
          }
        }
      }
    }
    return counts;
  });
}

async function cdText(f: BurnFixture): Promise<Uint8Array[]> {
  return withDrive(f, async (query) => parseCdTextPacks(await query(buildReadTocPmaAtip({ format: 5, allocationLength: 0xfffe }))));
}

describe('audio burning on the virtual recorder', () => {
  it('picks SAO with CD-TEXT on a drive that records host R-W, says why, and refuses TAO for gapless', async () => {
    const { f } = await setup();
    const { plan } = makePlan([{ samples: 588 * 320, pregapSectors: 150 }, { samples: 588 * 310, pregapSectors: 0 }]);
    const lease = await f.drives.lease(f.address, 'burn');
    const c = audioWriteCaps(await lease.drive.configuration());
    await lease.release();
    expect(c).toEqual({ tao: true, sao: true, saoRw: true, raw96: true });
    const auto = chooseAudioMode(plan.layout, true, c);
    expect(auto).toMatchObject({ mode: 'sao', cdText: true, dropped: [] });
    expect(auto.reason).toMatch(/gapless tracks need Disc-At-Once/);
    expect(chooseAudioMode(plan.layout, true, { ...c, saoRw: false })).toMatchObject({ mode: 'raw96', cdText: true });
    expect(() => chooseAudioMode(plan.layout, true, c, 'tao')).toThrow(/Track-At-Once cannot record gapless tracks/);
    expect(() => chooseAudioMode(plan.layout, false, { tao: true, sao: false, saoRw: false, raw96: false })).toThrow(/only Track-At-Once/);
  });

  it('TAO: tracks one by one after 2 s pauses; the MCN and ISRCs through page 05h in Q; every sector decodes as laid out; CD-TEXT left out and said so', async () => {
    const { f, burner } = await setup();
    const { plan, pcm } = makePlan([{ samples: 588 * 310 + 17, pregapSectors: 150, isrc: 'USRC17607839' }, { samples: 588 * 305, pregapSectors: 150, copyPermitted: true }, { samples: 588 * 302 + 1, pregapSectors: 150, isrc: 'GBAYE0601498' }], { mcn: '0123456789012' });
    const progress: BurnProgress[] = [];
    const r = await burner.burn(f.address, plan, { mode: 'tao' }, { onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ mode: 'tao', cdText: false, dropped: ['CD-TEXT'] });
    expect(r.tracks.map((t) => t.startLba)).toEqual(plan.layout.tracks.map((t) => t.start));
    expect(r.verifiedSectors).toBe(plan.layout.tracks.reduce((n, t) => n + t.end - t.start, 0));
    expect(progress.map((p) => p.action)).toEqual(expect.arrayContaining(['checking-media', 'calibrating', 'writing', 'closing', 'verifying', 'done']));
    const counts = await checkDisc(f, plan, pcm, { exactQ: true, pauses: false });
    expect(counts.mcn).toBeGreaterThanOrEqual(Math.floor(counts.sectors / 100) - 3);
    expect(counts.isrc).toBeGreaterThanOrEqual(4);
    expect(r.media.status).toBe('complete');
    expect(f.drives.busyWith(f.address)).toBeUndefined();
  });

  it('SAO: the drive records the cue sheet\'s Q (pauses of 2 s and 3 s, index points, ISRC and MCN frames) in every sector; CD-TEXT in the lead-in', async () => {
    const { f, burner } = await setup();
    const { plan, pcm } = makePlan(
      [
        { samples: 588 * 320, pregapSectors: 150, indexes: [120], isrc: 'USRC17607839' },
        { samples: 588 * 301 + 300, pregapSectors: 225, isrc: 'GBAYE0601498' },
        { samples: 588 * 300, pregapSectors: 150 },
      ],
      { mcn: '0724384924626' },
    );
    const r = await burner.burn(f.address, plan, { mode: 'sao' });
    expect(r).toMatchObject({ mode: 'sao', cdText: true, dropped: [] });
    const counts = await checkDisc(f, plan, pcm, { exactQ: true });
    // Every pause from LBA 0 on (tracks 2 and 3: 225 + 150 sectors) was read and decoded as index 00.
    expect(counts.pause).toBe(375);
    expect(counts.index2).toBeGreaterThan(100);
    expect(counts.mcn).toBeGreaterThanOrEqual(Math.floor(counts.sectors / 100) - 3);
    expect(counts.isrc).toBeGreaterThanOrEqual(5);
    // The verify read every sector from LBA 0, the pauses too (the host wrote them).
    expect(r.verifiedSectors).toBe(counts.sectors);
    const packs = await cdText(f);
    expect(packs.length).toBe(plan.cdTextPacks.length);
    expect(packs.every(cdTextPackValid)).toBe(true);
    expect(packs.map((p) => Buffer.from(p).toString('hex')).sort()).toEqual(plan.cdTextPacks.map((p) => Buffer.from(p).toString('hex')).sort());
  });

  it('SAO: the verify reads the pauses too, so an unreadable sector in hidden track one audio or a pause fails the burn', async () => {
    for (const where of ['hidden track one audio', 'the pause before track 2'] as const) {
      const { f, burner } = await setup();
      // Track 1: 2 s of pause before LBA 0, then 1 s of hidden audio (LBA 0–74) before its index 01;
      // track 2 after a 3 s pause.
      const { plan } = makePlan([{ samples: 588 * 320, pregapSectors: 150, hiddenSamples: 588 * 75 }, { samples: 588 * 300, pregapSectors: 225 }], { text: false });
      const [t1, t2] = plan.layout.tracks;
      expect(t1.start).toBe(75);
      expect(t2.start - t2.pregapStart).toBe(225);
      const bad = where === 'hidden track one audio' ? 40 : t2.pregapStart + 60;
      f.transport.injectFault(f.name, { match: 'read', repeat: true, lbas: [bad], sense: [3, 0x11, 0x00] });
      const err = await burner.burn(f.address, plan, { mode: 'sao' }).then(() => undefined, (e: unknown) => e as { code: string; message: string; details: { firstBadLba: number } });
      expect(err, where).toMatchObject({ code: 'VERIFICATION', message: expect.stringMatching(/track [12] \(its pause\) could not be read back at sector \d+/) });
      // The failing read is the one that covers the bad sector (reads of 27 sectors).
      expect(err!.details.firstBadLba).toBeLessThanOrEqual(bad);
      expect(err!.details.firstBadLba + 27).toBeGreaterThan(bad);
    }
  });

  it('SAO gapless: zero pregap, audio continuous and bit-identical to the sources across the boundary', async () => {
    const { f, burner } = await setup();
    // Track 1 ends mid-sector: track 2's first sample shares a sector with track 1's last ones.
    const { plan, pcm } = makePlan([{ samples: 588 * 300 + 123, pregapSectors: 150 }, { samples: 588 * 305, pregapSectors: 0 }], { text: false });
    await burner.burn(f.address, plan, { mode: 'sao' });
    const t2 = plan.layout.tracks[1];
    expect(t2.pregapStart).toBe(t2.start);
    expect(t2.start).toBe(300);
    await withDrive(f, async (query) => {
      const toc = parseToc(await query(buildReadTocPmaAtip({ format: 0 })));
      expect(toc.entries.filter((e) => e.track !== 0xaa).map((e) => e.lba)).toEqual([0, 300]);
      const got = await query(buildReadCd({ lba: 295, blocks: 10, sectorType: 1 }));
      const joined = Buffer.concat(pcm); // the two sources back to back: no sample between them
      expect(Buffer.compare(got, joined.subarray(295 * 2352, 305 * 2352))).toBe(0);
    });
  });

  it('RAW-96: host P/Q in every sector (index points, MCN and ISRC frames), lead-in CD-TEXT, gapless', async () => {
    const { f, burner } = await setup();
    const { plan, pcm } = makePlan(
      [
        { samples: 588 * 400, pregapSectors: 150, indexes: [100, 250], isrc: 'USRC17607839' },
        { samples: 588 * 330 + 77, pregapSectors: 0, isrc: 'GBAYE0601498' },
        { samples: 588 * 310, pregapSectors: 150, preEmphasis: true },
      ],
      { mcn: '0724384924626' },
    );
    const r = await burner.burn(f.address, plan, { mode: 'raw96' });
    expect(r).toMatchObject({ mode: 'raw96', cdText: true });
    const counts = await checkDisc(f, plan, pcm, { exactQ: true });
    // One MCN frame and (in tracks with an ISRC) one ISRC frame per 100 sectors, the rest mode 1.
    expect(counts.mcn).toBeGreaterThanOrEqual(Math.floor(counts.sectors / 100) - 3);
    expect(counts.isrc).toBeGreaterThanOrEqual(Math.floor((plan.layout.tracks[0].end - plan.layout.tracks[0].start + plan.layout.tracks[1].end - plan.layout.tracks[1].start) / 100) - 3);
    expect(counts.q1).toBeGreaterThan(counts.sectors * 0.9);
    const packs = await cdText(f);
    expect(packs.length).toBe(plan.cdTextPacks.length);
    expect(packs.every(cdTextPackValid)).toBe(true);
    // The pre-emphasis flag of track 3 is in its Q CONTROL.
    await withDrive(f, async (query) => {
      const t3 = plan.layout.tracks[2];
      const raw = await query(buildReadCd({ lba: t3.start + 1, blocks: 1, sectorType: 1, subChannel: 1 }));
      expect(unpackPq(raw.subarray(2352)).q[0] >> 4).toBe(1);
    });
  });

  it('refuses a program longer than the loaded disc by its ATIP lead-out, before writing', async () => {
    const { f, burner } = await setup();
    const atip = await withDrive(f, async (query) => parseAtip(await query(buildReadTocPmaAtip({ format: 4, msf: true }))));
    const long = atip.lastLeadOutStartLba + 10;
    // One long track of silence-sized random data is not needed: the layout alone decides.
    const { plan } = makePlan([{ samples: 588 * 300, pregapSectors: 150 }], { text: false });
    plan.layout = { ...plan.layout, leadOut: long, tracks: [{ ...plan.layout.tracks[0], end: long }] };
    await expect(burner.burn(f.address, plan, { mode: 'sao' })).rejects.toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringMatching(/does not fit this disc: its lead-out may start at most at \d\d:\d\d:\d\d \(ATIP\)/) });
    expect(f.transport.recorder(f.name).state.disc?.tracks.every((t) => t.recorded === 0)).toBe(true);
    expect(msfOf(long)[0]).toBeGreaterThanOrEqual(79);
  });

  it('cancel while writing TAO: typed error, the drive released and usable', async () => {
    const { f, burner } = await setup();
    const { plan } = makePlan([{ samples: 588 * 3000, pregapSectors: 150 }], { text: false });
    const ac = new AbortController();
    const p = burner.burn(f.address, plan, { mode: 'tao', bufferBytes: 1 << 20 }, { signal: ac.signal, onProgress: (e) => { if (e.action === 'writing' && e.sectorsWritten > 100) ac.abort(); } });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/^Cancelled\. The disc holds 0 complete audio track\(s\) and a cut-off one in a closed session; it stays appendable\./) });
    expect(f.drives.busyWith(f.address)).toBeUndefined();
    const lease = await f.drives.lease(f.address, 'burn');
    expect((await lease.drive.media()).status).toBe('appendable');
    await lease.release();
  });
});
