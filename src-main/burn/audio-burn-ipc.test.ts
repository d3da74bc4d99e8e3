// audio.burn over the dispatcher (the path Electron IPC and the browser shell take): zod at the
// boundary, decoding in main, progress as burn.onProgress, the burned disc read back by the burner.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../app/services';
import { ClientSession } from '../ipc/dispatcher';
import type { ServerMessage } from '../common/ipc/contract';

let dir: string;
let services: Services;
let session: ClientSession;
let sent: ServerMessage[];
const events: Array<{ event: string; payload: unknown }> = [];
let nextId = 1;

async function call(method: string, params: unknown): Promise<ServerMessage & { kind: 'result' }> {
  const id = nextId++;
  await session.receive({ kind: 'call', id, method, params });
  return sent.find((m) => m.kind === 'result' && m.id === id) as ServerMessage & { kind: 'result' };
}

/** A 44.1 kHz 16-bit stereo WAV of random samples (a canonical 44-byte header). */
function wav(path: string, frames: number): Buffer {
  const pcm = randomBytes(frames * 4);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(44100, 24);
  h.writeUInt32LE(44100 * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  writeFileSync(path, Buffer.concat([h, pcm]));
  return pcm;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-audio-ipc-'));
  services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: false });
  await services.virtual.create('acd', { media: 'cd-r' });
  services.hub.subscribe((event, payload) => events.push({ event, payload }));
  sent = [];
  session = new ClientSession(services.handlers, (m) => sent.push(m), { warn: () => undefined });
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audio.burn over IPC', () => {
  it('burns two WAV tracks gapless (auto: SAO with CD-TEXT), reads them back, sends progress', async () => {
    const a = wav(join(dir, 'a.wav'), 588 * 320 + 100);
    const b = wav(join(dir, 'b.wav'), 588 * 310);
    const r = await call('audio.burn', { address: 'virtual:acd', source: { kind: 'tracks', gapless: true, album: { title: 'IPC' }, tracks: [{ path: join(dir, 'a.wav'), title: 'A' }, { path: join(dir, 'b.wav') }] } });
    expect(r).toMatchObject({ ok: true, value: { mode: 'sao', cdText: true, tracks: [{ startLba: 0 }, { startLba: 320 }], verifiedSectors: Math.ceil((a.length + b.length) / 2352) } });
    const progress = events.filter((e) => e.event === 'burn.onProgress').map((e) => e.payload as { address: string; progress: { action: string } });
    expect(progress.map((p) => p.progress.action)).toEqual(expect.arrayContaining(['writing', 'verifying', 'done']));
    expect(services.drives.busyWith('virtual:acd')).toBeUndefined();
  });

  it('zod refuses relative paths, bad ISRC/MCN, unknown fields and modes; main names a missing file', async () => {
    const bad = async (source: unknown, options: unknown = {}) => (await call('audio.burn', { address: 'virtual:acd', source, options })) as { ok: false; error: { code: string; message: string } };
    expect((await bad({ kind: 'tracks', tracks: [{ path: 'a.wav' }] })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'tracks', tracks: [{ path: join(dir, 'a.wav'), isrc: 'XX' }] })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'tracks', mcn: '12', tracks: [{ path: join(dir, 'a.wav') }] })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'tracks', tracks: [{ path: join(dir, 'a.wav'), extra: 1 }] })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'cue', path: join(dir, 'a.wav') })).error.code).toBe('INVALID_INPUT');
    expect((await bad({ kind: 'tracks', tracks: [{ path: join(dir, 'a.wav') }] }, { mode: 'dao' })).error.code).toBe('INVALID_INPUT');
    const missing = await bad({ kind: 'tracks', tracks: [{ path: join(dir, 'missing.wav') }] });
    expect(missing.error.message).toContain('missing.wav');
  });
});
