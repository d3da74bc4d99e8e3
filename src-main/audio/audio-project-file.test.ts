// The audio project's file, preview, burn plan and drops through the real dispatcher and services:
// save/open as `.glassmaster` (kind 'audio', schema 2) with every edit kept; project.open taking
// either kind; hostile and foreign files refused with nothing changed; the join preview's WAV
// (bounded, sample-exact around a pause); the per-mode plan on a virtual CD-R and a DVD; audio.burn
// of an empty project refused; a stashed drop added as a track.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../app/services';
import type { ServerMessage } from '../common/ipc/contract';
import type { AudioBurnPlanView, AudioOpenResult, AudioPreview, AudioProjectSnapshot } from '../common/model/audio-project';
import type { ProjectOpenResult } from '../common/model/project';
import { ClientSession } from '../ipc/dispatcher';
import { requireTools } from '../testing/peer-tools';
import { MAX_PAUSE_SECONDS } from './audio-preview';

const ok = requireTools('sox', 'flac');

describe.skipIf(!ok)('audio project file, preview, plan and drops over IPC', () => {
  let dir: string;
  let services: Services;
  let call: (method: string, params: unknown) => Promise<ServerMessage>;
  const p = (n: string) => join(dir, n);
  const value = async <T>(method: string, params: unknown): Promise<T> => {
    const r = await call(method, params);
    if (!('ok' in r) || !r.ok) throw new Error(`${method} failed: ${JSON.stringify(r)}`);
    return (r as { value: T }).value;
  };
  const refused = async (method: string, params: unknown, code = 'INVALID_INPUT') => {
    const r = await call(method, params);
    expect(r, `${method} ${JSON.stringify(params).slice(0, 200)}`).toMatchObject({ ok: false, error: { code } });
    return (r as { error: { message: string } }).error.message;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-audio-file-'));
    const sox = (name: string, seconds: number, freq: number) => execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p(name), 'synth', String(seconds), 'sine', String(freq), 'vol', '0.3']);
    sox('a.wav', 4.4, 300);
    sox('b.wav', 4.2, 500);
    sox('long.wav', 12, 700);
    execFileSync('flac', ['-s', '-f', '-T', 'TITLE=Bee', p('b.wav'), '-o', p('b.flac')]);
    services = await createServices({ shell: 'browser', stateDir: p('state'), watch: false });
    let id = 0;
    call = (method, params) =>
      new Promise((resolve) => {
        const session = new ClientSession(services.handlers, resolve, { warn: () => undefined });
        void session.receive({ kind: 'call', id: ++id, method, params });
      });
  }, 60_000);
  afterAll(async () => {
    await services?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('saves every edit and opens it again (audio.open and project.open); the data project is untouched', async () => {
    await value('audio.addTracks', { paths: [p('a.wav'), p('b.flac')] });
    const [a, b] = (await value<AudioProjectSnapshot>('audio.get', {})).tracks.map((t) => t.id);
    await value('audio.setTrack', { id: b, patch: { pregapSeconds: 3.5, isrc: 'GBAAA2600001', preEmphasis: true, text: { songwriter: 'S' } } });
    await value('audio.setTrack', { id: a, patch: { indexSeconds: [1.5] } });
    await value('audio.setDisc', { patch: { album: { title: 'Album é' }, mcn: '0000000000123', discId: 'ID-1', genre: { code: 5, text: 'Baroque' }, upcEan: '1234567890123', discMinutes: 74 } });
    const before = await value<AudioProjectSnapshot>('audio.get', {});
    expect(before.dirty).toBe(true);
    const saved = await value<AudioProjectSnapshot>('audio.save', { path: p('one') });
    expect(saved).toMatchObject({ file: p('one.glassmaster'), dirty: false });
    const doc = JSON.parse(readFileSync(p('one.glassmaster'), 'utf8'));
    expect(doc).toMatchObject({ format: 'glassmaster-project', schemaVersion: 2, kind: 'audio', disc: { genre: { code: 5, text: 'Baroque' } }, tracks: [{ source: p('a.wav'), indexSeconds: [1.5] }, { source: p('b.flac'), pregapSeconds: 3.5, isrc: 'GBAAA2600001' }] });
    const strip = (s: AudioProjectSnapshot) => ({ ...s, tracks: s.tracks.map(({ id: _id, ...t }) => t), file: undefined, dirty: undefined });
    await value('audio.clear', {});
    const opened = await value<AudioOpenResult>('audio.open', { path: p('one.glassmaster') });
    expect(opened.changed).toEqual([]);
    expect(opened.missing).toEqual([]);
    expect(strip(opened.snapshot)).toEqual(strip(before));
    await value('audio.clear', {});
    const viaProject = await value<ProjectOpenResult>('project.open', { path: p('one.glassmaster') });
    expect(strip(viaProject.audio!)).toEqual(strip(before));
    expect(viaProject.snapshot.files).toBe(0);
    const recent = await value<Array<{ path: string; kind?: string }>>('project.recent', {});
    expect(recent[0]).toMatchObject({ path: p('one.glassmaster'), kind: 'audio' });
  });

  it('refuses foreign, hostile and newer files with a sentence, changing nothing', async () => {
    const now = await value<AudioProjectSnapshot>('audio.get', {});
    const doc = JSON.parse(readFileSync(p('one.glassmaster'), 'utf8'));
    const write = (name: string, d: unknown) => writeFileSync(p(name), typeof d === 'string' ? d : JSON.stringify(d));
    write('data.glassmaster', { format: 'glassmaster-project', schemaVersion: 1, label: 'D', options: {}, savedAt: 1, entries: [] });
    expect(await refused('audio.open', { path: p('data.glassmaster') })).toMatch(/is a data project/);
    write('bad-isrc.glassmaster', { ...doc, tracks: [{ ...doc.tracks[0], isrc: 'nope' }] });
    expect(await refused('audio.open', { path: p('bad-isrc.glassmaster') })).toMatch(/not a valid Glassmaster audio CD project/);
    write('latin.glassmaster', { ...doc, disc: { ...doc.disc, album: { title: 'Ωmega' } } });
    expect(await refused('project.open', { path: p('latin.glassmaster') })).toMatch(/ISO 8859-1/);
    write('newer.glassmaster', { ...doc, schemaVersion: 3 });
    expect(await refused('audio.open', { path: p('newer.glassmaster') })).toMatch(/newer Glassmaster/);
    write('extra.glassmaster', { ...doc, script: 'x' });
    await refused('audio.open', { path: p('extra.glassmaster') });
    write('notjson.glassmaster', '{');
    await refused('project.open', { path: p('notjson.glassmaster') });
    expect(await value<AudioProjectSnapshot>('audio.get', {})).toEqual(now);
    // The data project's own open refuses an audio file by name when called directly.
    await expect(services.project.open(p('one.glassmaster'))).rejects.toThrow(/is an audio CD project/);
  });

  it('reports a track whose file is no longer audio or is gone, and keeps the rest', async () => {
    const doc = JSON.parse(readFileSync(p('one.glassmaster'), 'utf8'));
    writeFileSync(p('gone.glassmaster'), JSON.stringify({ ...doc, tracks: [...doc.tracks, { ...doc.tracks[0], source: p('nothere.wav') }] }));
    writeFileSync(p('noise.wav'), 'not audio at all');
    writeFileSync(p('noise.glassmaster'), JSON.stringify({ ...doc, tracks: [{ ...doc.tracks[0], source: p('noise.wav'), size: 16 }, doc.tracks[1]] }));
    const gone = await value<AudioOpenResult>('audio.open', { path: p('gone.glassmaster') });
    expect(gone.missing).toEqual([p('nothere.wav')]);
    expect(gone.snapshot.tracks.map((t) => t.fileName)).toEqual(['a.wav', 'b.flac']);
    const noise = await value<AudioOpenResult>('audio.open', { path: p('noise.glassmaster') });
    expect(noise.missing).toEqual([p('noise.wav')]);
    expect(noise.changed).toEqual([]);
    expect(noise.snapshot.tracks.map((t) => t.fileName)).toEqual(['b.flac']);
  });

  it('previews a join as the disc plays it, with the pause shortened past its bound; malformed requests refused', async () => {
    await value('audio.clear', {});
    await value('audio.addTracks', { paths: [p('a.wav'), p('long.wav'), p('b.wav')] });
    const ids = (await value<AudioProjectSnapshot>('audio.get', {})).tracks.map((t) => t.id);
    await value('audio.setTrack', { id: ids[2], patch: { pregapSeconds: 20 } });
    const pv = await value<AudioPreview>('audio.preview', { track: 2, before: 1, after: 2 });
    const wav = Buffer.from(pv.wav, 'base64');
    // a.wav is 4.4 s = 330 sectors exactly: no padding, the default 2 s pause.
    expect(pv).toMatchObject({ pauseSeconds: 2, pausePlayedSeconds: 2 });
    expect(pv.boundarySeconds).toBeCloseTo(3, 6);
    expect(wav.length).toBe(44 + 5 * 44100 * 4);
    const a = readFileSync(p('a.wav'));
    expect(Buffer.compare(wav.subarray(44, 44 + 44100 * 4), a.subarray(a.length - 44100 * 4))).toBe(0);
    expect(wav.subarray(44 + 44100 * 4, 44 + 3 * 44100 * 4).every((x) => x === 0)).toBe(true);
    const long = await value<AudioPreview>('audio.preview', { track: 3, before: 8, after: 8 });
    expect(long.pauseSeconds).toBe(20);
    expect(long.pausePlayedSeconds).toBe(MAX_PAUSE_SECONDS);
    // 8 s of the 12 s track, the shortened pause, all 4.2 s of b.wav: bounded, never a whole long track.
    expect(long.seconds).toBeCloseTo(8 + MAX_PAUSE_SECONDS + 4.2, 6);
    await refused('audio.preview', { track: 1 });
    await refused('audio.preview', { track: 2, before: 60 });
    expect(await refused('audio.preview', { track: 9 })).toMatch(/no boundary before track 9/);
  });

  it('plans each writing mode on a virtual CD-R (ATIP capacity) and refuses audio on a DVD; burning an empty project is refused', async () => {
    await services.virtual.create('cdr', { media: 'cd-r' });
    const plan = await value<AudioBurnPlanView>('audio.planBurn', { address: 'virtual:cdr' });
    expect(plan.modes.sao).toMatchObject({ ok: true, mode: 'sao' });
    // A 20 s pause is not Track-At-Once's 2 s: the planner says why.
    expect(plan.modes.tao).toMatchObject({ ok: false, reason: expect.stringMatching(/pauses other than 2 s/) });
    expect(plan.atipLeadOut).toBeGreaterThan(plan.leadOut);
    const dvd = await value<AudioBurnPlanView>('audio.planBurn', { address: 'virtual:default' });
    expect(dvd.atipLeadOut).toBeUndefined();
    await refused('audio.planBurn', { address: '/etc/passwd' });
    await value('audio.clear', {});
    expect(await refused('audio.burn', { address: 'virtual:cdr', source: { kind: 'project' } })).toMatch(/no tracks/);
  });

  it('adds a browser drop from the stash as a track', async () => {
    const bytes = readFileSync(p('a.wav'));
    const { uploadId } = await value<{ uploadId: number }>('stash.begin', { name: 'drop.wav', size: bytes.length });
    for (let o = 0; o < bytes.length; o += 96 * 1024) await value('stash.chunk', { uploadId, offset: o, data: bytes.subarray(o, o + 96 * 1024).toString('base64') });
    const s = await value<AudioProjectSnapshot>('audio.addStashed', { uploadIds: [uploadId] });
    expect(s.tracks.map((t) => [t.fileName, t.samples])).toEqual([['drop.wav', Math.round(4.4 * 44100)]]);
  });
});
