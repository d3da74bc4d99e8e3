// The renderer's audio slice against the real services over the in-memory message pair (the
// dispatcher both shells use), with WAV/FLAC files made by sox and flac: adding, reordering by drag
// and by Alt+↑/↓, pauses and gapless, CD-TEXT edits (and refusals), the minutes meter, the boundary
// preview's WAV, the per-mode plan on a virtual CD-R, a burn through the job slice, save and open
// (changed and missing sources), and a browser drop through the stash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { resolveObjectURL } from 'node:buffer';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import { ClientSession } from '../../../src-main/ipc/dispatcher';
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import type { MediaInfo } from '../../../src-main/common/model/drive';
import type { AudioBurnResult } from '../../../src-main/common/model/audio-burn';
import { requireTools } from '../../../src-main/testing/peer-tools';
import { MessageClient } from '../ipc/message-client';
import { createAppStore } from './use-app-store';
import { atipLeadOut, leadOutLimit, minutesMeter } from './audio-slice';
import { finishJob, type DriveJob } from './drive-job-slice';

const ok = requireTools('sox', 'flac');
let services: Services;
let dir: string;
let store: ReturnType<typeof createAppStore>;
const p = (n: string) => join(dir, 'music', n);
const s = () => store.getState();
const until = async (pred: () => boolean, ms = 5000) => {
  for (let i = 0; i < ms / 10 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
};
const titles = () => s().audio!.tracks.map((x) => x.text.title);

describe.skipIf(!ok)('audio slice', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-audio-slice-'));
    mkdirSync(join(dir, 'music'));
    const sox = (name: string, seconds: number, freq: number, rate = 44100) => execFileSync('sox', ['-n', '-r', String(rate), '-b', '16', '-c', '2', p(name), 'synth', String(seconds), 'sine', String(freq), 'vol', '0.3']);
    sox('01 - Alpha.wav', 5, 440);
    sox('02 - Beta.wav', 4.5, 550);
    sox('gamma-src.wav', 4.2, 660);
    execFileSync('flac', ['-s', '-f', '-T', 'TITLE=Gamma', '-T', 'ARTIST=The Testers', '-T', 'ALBUM=Slice Album', p('gamma-src.wav'), '-o', p('03 - Gamma.flac')]);
    writeFileSync(p('notes.wav'), 'not audio');
    services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: false });
    const client: MessageClient = new MessageClient({ send: async (m) => void session.receive(structuredClone(m)) });
    const session = new ClientSession(services.handlers, (m: ServerMessage) => queueMicrotask(() => client.receive(structuredClone(m))), { warn: () => undefined });
    services.hub.subscribe((event, payload) => client.receive({ kind: 'event', event, payload: structuredClone(payload) }));
    store = createAppStore(client);
    await s().loadAudio();
  }, 60_000);
  afterAll(async () => {
    await services?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds files (selection = the new tracks), prefills CD-TEXT from tags and names; a non-audio file is refused and nothing is added', async () => {
    expect(await s().addAudioTracks([p('01 - Alpha.wav'), p('03 - Gamma.flac')])).toBe(true);
    expect(titles()).toEqual(['Alpha', 'Gamma']);
    expect(s().audio!.tracks[1].text.performer).toBe('The Testers');
    // The album defaults from the first file's tags (Alpha has none).
    expect(s().audio!.disc.album).toEqual({});
    expect(s().audioSelection).toEqual(s().audio!.tracks.map((x) => x.id));
    expect(s().announcement).toBe('Added 2 tracks.');
    // Inserted at a position (a drop between rows).
    expect(await s().addAudioTracks([p('02 - Beta.wav')], 1)).toBe(true);
    expect(titles()).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(await s().addAudioTracks([p('01 - Alpha.wav'), p('notes.wav')])).toBe(false);
    expect(s().error?.message).toMatch(/notes\.wav/);
    expect(titles()).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(s().audioAdding).toBe(0);
  });

  it('reorders by drag (ids to an index) and by Alt+↑/↓ on a block selection; the edges do nothing', async () => {
    const [a, b, c] = s().audio!.tracks.map((x) => x.id);
    await s().moveAudioTracks([c], 0);
    expect(titles()).toEqual(['Gamma', 'Alpha', 'Beta']);
    expect(s().announcement).toBe('Track Gamma is now number 1.');
    s().selectAudioTrack(a);
    s().selectAudioTrack(b, 'range');
    expect(s().audioSelection).toEqual([a, b]);
    await s().nudgeAudioSelection(-1);
    expect(titles()).toEqual(['Alpha', 'Beta', 'Gamma']);
    await s().nudgeAudioSelection(-1); // already at the top
    expect(titles()).toEqual(['Alpha', 'Beta', 'Gamma']);
    s().selectAudioTrack(a);
    await s().nudgeAudioSelection(1);
    expect(titles()).toEqual(['Beta', 'Alpha', 'Gamma']);
    await s().moveAudioTracks([a], 0);
    expect(titles()).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(s().audioSelection).toEqual([a]);
  });

  it('pauses, gapless and CD-TEXT edits go through main; a refused edit changes nothing and says why', async () => {
    const [, b] = s().audio!.tracks.map((x) => x.id);
    const before = s().audio!.summary.sectors!;
    expect(await s().setAudioTrack(b, { pregapSeconds: 4 })).toBe(true);
    expect(s().audio!.summary.sectors).toBe(before + 2 * 75);
    expect(await s().setAudioTrack(b, { pregapSeconds: null })).toBe(true);
    expect(s().audio!.tracks[1].pregapSeconds).toBeUndefined();
    expect(s().audio!.summary.sectors).toBe(before);
    expect(await s().setAudioDisc({ gapless: true })).toBe(true);
    expect(s().audio!.summary.sectors!).toBeLessThan(before - 2 * 75);
    expect(await s().setAudioTrack(b, { text: { title: 'Beta (edit)', songwriter: 'W. Riter' } })).toBe(true);
    expect(await s().setAudioDisc({ discId: 'GM-01', genre: { code: 14, text: 'Cool jazz' }, upcEan: '0123456789012', mcn: '4006381333931', album: { title: 'Slice Album', performer: 'Various' } })).toBe(true);
    expect(s().audio!.disc).toMatchObject({ discId: 'GM-01', genre: { code: 14, text: 'Cool jazz' }, upcEan: '0123456789012', mcn: '4006381333931', album: { title: 'Slice Album', performer: 'Various' } });
    const snap = s().audio;
    expect(await s().setAudioTrack(b, { text: { title: 'Ωmega' } })).toBe(false);
    expect(s().error?.message).toMatch(/ISO 8859-1/);
    expect(await s().setAudioTrack(b, { isrc: 'US-ABC-26' })).toBe(false);
    expect(s().audio).toEqual(snap);
    expect(await s().setAudioTrack(b, { isrc: 'USABC2600001' })).toBe(true);
    expect(s().audio!.tracks[1]).toMatchObject({ isrc: 'USABC2600001', text: { title: 'Beta (edit)', songwriter: 'W. Riter' } });
  });

  it('measures minutes against 74/80 and the ATIP of a blank CD-R: ok, nearly full, over', () => {
    const snap = (sectors: number) => ({ ...s().audio!, summary: { ...s().audio!.summary, sectors, seconds: (sectors + 150) / 75 } });
    expect(leadOutLimit(80)).toBe(359849);
    expect(minutesMeter(snap(1000), leadOutLimit(74)).state).toBe('ok');
    expect(minutesMeter(snap(leadOutLimit(74) - 100), leadOutLimit(74)).state).toBe('nearly');
    expect(minutesMeter(snap(leadOutLimit(74) + 1), leadOutLimit(74))).toMatchObject({ state: 'over' });
    expect(minutesMeter(snap(leadOutLimit(74) + 1), leadOutLimit(80)).state).toBe('ok');
    const media = { profile: 'CD-R', status: 'blank', atip: { leadOutStart: '79:59:74', leadInStart: '97:26:66', manufacturer: 'x', erasable: false } } as MediaInfo;
    expect(atipLeadOut(media)).toBe(79 * 4500 + 59 * 75 + 74 - 150);
    expect(atipLeadOut({ ...media, status: 'complete' })).toBeUndefined();
    expect(atipLeadOut({ ...media, profile: 'DVD+R' })).toBeUndefined();
  });

  it('previews a join: a WAV of the seconds around the boundary, gapless without a pause, with a pause when set', async () => {
    await s().previewBoundary(2);
    const pv = s().audioPreview!;
    expect(pv.loading).toBe(false);
    expect(pv.url).toMatch(/^blob:/);
    const wav = Buffer.from(await resolveObjectURL(pv.url!)!.arrayBuffer());
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(44100);
    expect(pv.pauseSeconds).toBe(0);
    expect(pv.boundarySeconds).toBeCloseTo(3, 5);
    // The WAV is 3 s of Alpha's end and 3 s of Beta's start, sample for sample from the sources.
    const alpha = readFileSync(p('01 - Alpha.wav'));
    const alphaPcm = alpha.subarray(alpha.length - 3 * 44100 * 4);
    expect(Buffer.compare(wav.subarray(44, 44 + alphaPcm.length), alphaPcm)).toBe(0);
    await s().setAudioDisc({ gapless: false, pregapSeconds: 1 });
    await s().previewBoundary(2);
    // Alpha (5 s = 375 sectors exactly) is followed by 1 s of pause.
    expect(s().audioPreview).toMatchObject({ pauseSeconds: 1, pausePlayedSeconds: 1 });
    expect(s().audioPreview!.boundarySeconds).toBeCloseTo(4, 5);
    await s().previewBoundary(1).catch(() => undefined);
    expect(s().audioPreview).toBeUndefined();
    expect(s().error?.message).toMatch(/INVALID|track|boundary|2/i);
  });

  it('plans the writing modes on a virtual CD-R and burns the project Session-At-Once through the job slice, read back', async () => {
    await services.virtual.create('cdr', { media: 'cd-r' });
    await s().planAudioBurn('virtual:cdr');
    const plan = s().audioPlan!.plan!;
    expect(plan.modes.sao).toMatchObject({ ok: true, mode: 'sao' });
    expect(plan.modes.auto.ok).toBe(true);
    expect(plan.atipLeadOut).toBeGreaterThan(300_000);
    expect(plan.leadOut).toBe(s().audio!.summary.sectors);
    await s().startAudioBurn('virtual:cdr', { mode: 'sao', verify: 'full' });
    await until(() => s().job?.state === 'done' || s().job?.state === 'failed', 60_000);
    const job = s().job!;
    expect(job.error).toBeUndefined();
    expect(job.audioResult).toMatchObject({ mode: 'sao', cdText: true, tracks: [{ number: 1 }, { number: 2 }, { number: 3 }] });
    expect(job.audioResult!.verifiedSectors).toBeGreaterThan(0);
    expect(job.log.join('\n')).toMatch(/Verification passed/);
  }, 90_000);

  it('saves and opens the audio project through project.open; a changed and a vanished file are reported', async () => {
    await s().openFolder(join(dir, 'music'));
    const file = join(dir, 'music', 'mix');
    expect(await s().saveAudio(file)).toBe(true);
    expect(s().audio).toMatchObject({ file: `${file}.glassmaster`, dirty: false });
    const saved = JSON.parse(readFileSync(`${file}.glassmaster`, 'utf8'));
    expect(saved).toMatchObject({ format: 'glassmaster-project', schemaVersion: 2, kind: 'audio', disc: { discId: 'GM-01', mcn: '4006381333931' } });
    await s().loadRecent();
    expect(s().recent[0]).toMatchObject({ path: `${file}.glassmaster`, kind: 'audio', label: 'Slice Album' });
    const before = s().audio!;
    await s().clearAudio();
    expect(s().audio!.tracks).toEqual([]);
    s().setView('home');
    expect(await s().openProject(`${file}.glassmaster`)).toBe(true);
    expect(s().view).toBe('audio');
    const strip = (x: typeof before) => ({ ...x, tracks: x.tracks.map(({ id: _id, ...rest }) => rest) });
    expect(strip(s().audio!)).toEqual(strip(before));
    // A changed file (kept, reported) and a vanished one (left out, reported).
    utimesSync(p('02 - Beta.wav'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    rmSync(p('03 - Gamma.flac'));
    expect(await s().openProject(`${file}.glassmaster`)).toBe(true);
    expect(titles()).toEqual(['Alpha', 'Beta (edit)']);
    expect(s().error?.message).toMatch(/1 track file changed.*1 track file is gone/);
    expect(s().error?.detail).toContain(`missing: ${p('03 - Gamma.flac')}`);
    // The data project was not touched by opening an audio file.
    expect(s().project?.files ?? 0).toBe(0);
  });

  it('adds a file dropped in the browser (streamed into the stash)', async () => {
    const bytes = readFileSync(p('01 - Alpha.wav'));
    const file = Object.assign(new Blob([bytes]), { name: 'dropped.wav' });
    await s().uploadAudioFiles([file], 0);
    expect(s().audio!.tracks[0]).toMatchObject({ fileName: 'dropped.wav', text: { title: 'dropped' }, samples: 5 * 44100 });
    expect(s().upload).toBeUndefined();
  });

  it('sets and removes a hidden track in track 1\'s pause and index points; bad index points are refused', async () => {
    const before = s().audio!.summary.sectors!;
    expect(await s().setHiddenTrack(p('02 - Beta.wav'))).toBe(true);
    expect(s().audio!.hiddenTrack).toMatchObject({ fileName: '02 - Beta.wav', samples: 4.5 * 44100 });
    // Track 1's pause now holds 4.5 s of audio: the program is longer by it (its 2 s pause becomes index 00 audio).
    expect(s().audio!.summary.sectors!).toBeGreaterThan(before);
    const first = s().audio!.tracks[0].id;
    expect(await s().setAudioTrack(first, { indexSeconds: [1, 2.5] })).toBe(true);
    expect(s().audio!.tracks[0].indexSeconds).toEqual([1, 2.5]);
    expect(await s().setAudioTrack(first, { indexSeconds: [2, 1] })).toBe(false);
    expect(s().error?.message).toMatch(/index points must rise/);
    expect(await s().setAudioTrack(first, { indexSeconds: [] })).toBe(true);
    expect(await s().setHiddenTrack(null)).toBe(true);
    expect(s().audio!.hiddenTrack).toBeUndefined();
    expect(s().audio!.summary.sectors).toBe(before);
  });

  it('finishes an audio burn job with its mode, reason and read-back in the log', () => {
    const job: DriveJob = { id: 1, kind: 'burn', address: 'virtual:x', subject: 'x', state: 'running', startedAt: 0, log: [] };
    const r: AudioBurnResult = { ok: true, mode: 'raw96', reason: 'Raw as asked.', dropped: [], cdText: true, simulated: false, tracks: [{ number: 1, startLba: 0, sectors: 400 }], leadOut: 400, verifiedSectors: 400, media: {} as MediaInfo, elapsedMs: 5, discState: 'closed' };
    const done = finishJob(job, { value: r }, 1000);
    expect(done).toMatchObject({ state: 'done', audioResult: r });
    expect(done.burnResult).toBeUndefined();
    expect(done.log.join('\n')).toMatch(/RAW96: Raw as asked\.[\s\S]*Track 1: 400 sectors from LBA 0[\s\S]*Verification passed: 400 sectors/);
  });
});
