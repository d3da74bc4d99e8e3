// The audio project through the real dispatcher and app services: host files added by path are
// probed in the decoder pool (format, exact length, tags — never their bytes in a response), order,
// pauses, gapless, CD-TEXT prefilled from tags and edited, ISRC/MCN, HTOA, the 74/80-minute summary
// computed by the author's layout, and the CUE/BIN written by the author and judged by cd-info and
// bchunk. Malformed requests and bad files are refused with typed errors and change nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../app/services';
import type { ServerMessage } from '../common/ipc/contract';
import type { AudioProjectSnapshot } from '../common/model/audio-project';
import { ClientSession } from '../ipc/dispatcher';
import { requireTools } from '../testing/peer-tools';

const ok = requireTools('sox', 'flac', 'lame', 'cd-info', 'bchunk');
const sh = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });

describe.skipIf(!ok)('IPC: audio project (audio.*)', () => {
  let dir: string;
  let services: Services;
  const events: AudioProjectSnapshot[] = [];
  let call: (method: string, params: unknown) => Promise<ServerMessage>;
  const p = (n: string) => join(dir, n);
  const value = async (method: string, params: unknown): Promise<AudioProjectSnapshot> => {
    const r = await call(method, params);
    if (!('ok' in r) || !r.ok) throw new Error(`${method} failed: ${JSON.stringify(r)}`);
    return (r as { value: AudioProjectSnapshot }).value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-audio-ipc-'));
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('01 - Sunrise.wav'), 'synth', '5.13', 'sine', '300', 'vol', '0.4']);
    sh('sox', ['-n', '-r', '48000', '-b', '16', '-c', '2', p('b.wav'), 'synth', '4.71', 'sine', '600', 'vol', '0.4']);
    sh('flac', ['-s', '-f', '-T', 'TITLE=Flac Title', '-T', 'ARTIST=Flac Artist', '-T', 'ALBUM=Tagged Album', p('b.wav'), '-o', p('b.flac')]);
    sh('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('c.wav'), 'synth', '4.4', 'sine', '1000', 'vol', '0.4']);
    sh('lame', ['--quiet', '--tt', 'Mp3 Title', '--ta', 'Flac Artist', p('c.wav'), p('c.mp3')]);
    writeFileSync(p('notes.wav'), 'this is not audio');
    services = await createServices({ shell: 'electron', stateDir: p('state'), watch: false });
    services.hub.subscribe((event, payload) => {
      if (event === 'audio.onDidChange') events.push(payload as AudioProjectSnapshot);
    });
    let id = 0;
    call = (method, params) =>
      new Promise((resolve) => {
        const session = new ClientSession(services.handlers, resolve, { warn: () => undefined });
        void session.receive({ kind: 'call', id: ++id, method, params });
      });
  }, 60_000);
  afterAll(async () => {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds host files: probed lengths and tags, CD-TEXT prefilled, album from the first file; summary by the layout', async () => {
    const s = await value('audio.addTracks', { paths: [p('b.flac'), p('01 - Sunrise.wav'), p('c.mp3')] });
    expect(s.tracks.map((t) => [t.format, t.fileName, t.text.title, t.text.performer])).toEqual([
      ['flac', 'b.flac', 'Flac Title', 'Flac Artist'],
      ['wav', '01 - Sunrise.wav', 'Sunrise', undefined],
      ['mp3', 'c.mp3', 'Mp3 Title', 'Flac Artist'],
    ]);
    // Exact at 44.1 kHz for FLAC/WAV (4.71 s at 48 kHz → 4.71 × 44100; 5.13 s); MP3 an estimate (the decode is exact).
    expect(s.tracks[0].samples).toBe(Math.floor((Math.round(4.71 * 48000) * 44100) / 48000));
    expect(s.tracks[1].samples).toBe(Math.round(5.13 * 44100));
    expect(Math.abs(s.tracks[2].samples - Math.round(4.4 * 44100))).toBeLessThan(4410);
    // The album performer only when every file names the same artist (the WAV names none).
    expect(s.disc.album).toEqual({ title: 'Tagged Album' });
    expect(s.summary).toMatchObject({ tracks: 3, fits: { 74: true, 80: true } });
    expect(s.summary.problem).toBeUndefined();
    expect(events.at(-1)).toEqual(s);
    // Nothing of a file's bytes travels: the snapshot is small and names paths only.
    expect(JSON.stringify(s).length).toBeLessThan(4000);
  });

  it('refuses a non-audio file, a missing file, relative and ".." paths: nothing added', async () => {
    const before = await value('audio.get', {});
    expect(await call('audio.addTracks', { paths: [p('c.wav'), p('notes.wav')] })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('notes.wav') } });
    expect(await call('audio.addTracks', { paths: [p('missing.flac')] })).toMatchObject({ ok: false, error: { code: expect.stringMatching(/IO|NOT_FOUND/) } });
    for (const bad of ['rel.wav', `${dir}/../x.wav`, '/tmp/a\nb.wav']) expect(await call('audio.addTracks', { paths: [bad] }), bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await value('audio.get', {})).toEqual(before);
  });

  it('edits: order, pauses, gapless, CD-TEXT, ISRC, MCN, index points; bad edits refused and changing nothing', async () => {
    let s = await value('audio.get', {});
    const [flac, wav, mp3] = s.tracks.map((t) => t.id);
    s = await value('audio.moveTracks', { order: [wav, flac, mp3] });
    expect(s.tracks.map((t) => t.id)).toEqual([wav, flac, mp3]);
    s = await value('audio.setTrack', { id: flac, patch: { text: { title: 'Zweite Stück' }, isrc: 'USRC17607839', pregapSeconds: 1, indexSeconds: [2] } });
    expect(s.tracks[1]).toMatchObject({ text: { title: 'Zweite Stück', performer: 'Flac Artist' }, isrc: 'USRC17607839', pregapSeconds: 1, indexSeconds: [2] });
    s = await value('audio.setDisc', { patch: { mcn: '0123456789012', album: { title: 'Glass Album' } } });
    expect(s.disc).toMatchObject({ mcn: '0123456789012', album: { title: 'Glass Album' } });
    const before = s;
    for (const [method, params] of [
      ['audio.setTrack', { id: flac, patch: { isrc: 'US-RC1-76' } }],
      ['audio.setTrack', { id: flac, patch: { text: { title: '日本' } } }],
      ['audio.setTrack', { id: 999, patch: {} }],
      ['audio.setTrack', { id: flac, patch: { indexSeconds: [3, 2] } }],
      ['audio.setTrack', { id: flac, patch: { pregapSeconds: -1 } }],
      ['audio.setDisc', { patch: { mcn: '12' } }],
      ['audio.setDisc', { patch: { discMinutes: 63 } }],
      ['audio.moveTracks', { order: [wav, flac] }],
      ['audio.setTrack', { id: flac, patch: { data: 'x' } }],
    ] as const) expect(await call(method, params), JSON.stringify(params)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await value('audio.get', {})).toEqual(before);
    // Gapless drops the default 2 s before track 3 (and the padding before it); track 2's own 1 s pause stays.
    const gapless = await value('audio.setDisc', { patch: { gapless: true } });
    expect(before.summary.sectors! - gapless.summary.sectors!).toBeGreaterThanOrEqual(150);
    expect(before.summary.sectors! - gapless.summary.sectors!).toBeLessThanOrEqual(151);
    await value('audio.setDisc', { patch: { gapless: false } });
  });

  it('the summary says when the disc is too small and when a track is too short', async () => {
    const long = await value('audio.setTrack', { id: (await value('audio.get', {})).tracks[0].id, patch: { pregapSeconds: 600 } });
    expect(long.summary.problem).toBeUndefined();
    await value('audio.setTrack', { id: long.tracks[0].id, patch: { pregapSeconds: 2 } });
    const tooShort = await value('audio.setTrack', { id: long.tracks[1].id, patch: { indexSeconds: [4.8] } });
    expect(tooShort.summary.problem).toMatch(/index point .* beyond the track's end/);
    await value('audio.setTrack', { id: long.tracks[1].id, patch: { indexSeconds: [2] } });
  });

  it('writes CUE/BIN with the author: cd-info sees tracks, MCN, ISRC and CD-TEXT; bchunk splits; no overwrite without consent; HTOA', async () => {
    const cue = p('out.cue');
    const r = await call('audio.writeImage', { path: cue });
    expect(r).toMatchObject({ ok: true, value: { cue, bin: p('out.bin') } });
    const info = sh('cd-info', ['--no-device-info', '--no-cddb', '--cue-file', 'out.cue'], dir);
    expect(info).toMatch(/Media Catalog Number \(MCN\): 0123456789012/);
    expect(info).toMatch(/TITLE: Zweite St.+ck/);
    expect(info).toMatch(/TITLE: Glass Album/);
    expect(readFileSync(cue, 'latin1')).toMatch(/TRACK 02 AUDIO\r\n\s+ISRC USRC17607839/);
    sh('bchunk', ['-w', 'out.bin', 'out.cue', 'split'], dir);
    expect(existsSync(p('split03.wav'))).toBe(true);
    expect(await call('audio.writeImage', { path: cue })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('exists') } });
    expect(await call('audio.writeImage', { path: p('out.iso') })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const h = await value('audio.setHiddenTrack', { path: p('c.wav') });
    expect(h.hiddenTrack).toMatchObject({ fileName: 'c.wav', samples: Math.round(4.4 * 44100) });
    expect(await call('audio.writeImage', { path: cue, overwrite: true })).toMatchObject({ ok: true });
    expect(readFileSync(cue, 'latin1')).toMatch(/TRACK 01 AUDIO[\s\S]*INDEX 00 00:00:00\r\n\s+INDEX 01 00:04:/);
    expect((await value('audio.clear', {})).tracks).toEqual([]);
  }, 60_000);
});
