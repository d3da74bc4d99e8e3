// Drive over the virtual recorder: the retry policy, media detection for each media family and the
// media watcher (GESN, and the TEST UNIT READY fallback for drives without GESN, like tgtd).
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ScsiError } from '../common/errors';
import type { MediaInfo } from '../common/model/drive';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../transport/transport';
import { virtualFixture, type VirtualFixture } from '../transport/virtual/testing';
import { buildWrite10 } from '../mmc/commands/write';
import { buildCloseTrackSession } from '../mmc/commands/close-track-session';
import { buildFormatUnit } from '../mmc/commands/format-unit';
import { buildModeSelect10, encodeWriteParametersPage } from '../mmc/commands/mode-sense';
import { buildTestUnitReady } from '../mmc/commands/test-unit-ready';
import { buildFixedSense } from '../mmc/sense';
import { Drive, type MediaChange } from './drive';

let f: VirtualFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

const fast = { retryDelayMs: 5 };

describe('Drive.execute retry policy', () => {
  it('retries unit attention and becoming ready, then succeeds', async () => {
    f = await virtualFixture(null);
    await f.transport.insert(f.name, 'dvd+r', { notReadyCommands: 2 });
    const d = new Drive(f.device, fast);
    const r = await d.execute(buildTestUnitReady());
    expect(r.status).toBe(0);
  });

  it('gives up after the configured retries with the ScsiError of the last answer', async () => {
    f = await virtualFixture('dvd+r');
    f.transport.injectFault(f.name, { repeat: true, sense: [2, 0x04, 0x01] });
    const d = new Drive(f.device, { retries: 3, retryDelayMs: 1 });
    const err = await d.execute(buildTestUnitReady()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScsiError);
    expect((err as ScsiError).disposition).toBe('retry');
  });

  it('fails at once on a fail disposition, and counts RECOVERED ERROR as success', async () => {
    f = await virtualFixture('dvd+r');
    let calls = 0;
    const scripted: ScsiDevice = {
      address: 'scripted',
      async execute(_c: ScsiCommand): Promise<ScsiResult> {
        calls++;
        const sense = calls === 1 ? buildFixedSense(1, 0x17, 0x01) : buildFixedSense(5, 0x24, 0);
        return { status: 2, sense, data: Buffer.alloc(0), residual: 0, durationMs: 0 };
      },
      async close() {},
    };
    const d = new Drive(scripted, fast);
    expect((await d.execute(buildTestUnitReady())).status).toBe(2);
    await expect(d.execute(buildTestUnitReady())).rejects.toMatchObject({ senseKey: 5, asc: 0x24, disposition: 'fail' });
    expect(calls).toBe(2);
  });

  it('a disc change (06/28/00) answering a WRITE is not retried onto the new disc', async () => {
    f = await virtualFixture('dvd+r');
    await f.transport.insert(f.name, 'dvd+r'); // pending unit attention 28/00
    const d = new Drive(f.device, fast);
    await expect(d.execute(buildWrite10(0, 16, new Uint8Array(16 * 2048)))).rejects.toMatchObject({ senseKey: 6, asc: 0x28 });
    // Non-recording commands are simply resent.
    await f.transport.insert(f.name, 'dvd+r');
    expect((await d.execute(buildTestUnitReady())).status).toBe(0);
    expect(await d.nextWritableAddress()).toBe(0);
  });

  it('an aborted signal stops the retry loop with CancelledError', async () => {
    f = await virtualFixture('dvd+r');
    f.transport.injectFault(f.name, { repeat: true, sense: [6, 0x29, 0x00] });
    const d = new Drive(f.device, { retries: 50, retryDelayMs: 50 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 80);
    await expect(d.execute(buildTestUnitReady(), { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('Drive.waitForCompletion', () => {
  it('polls an IMMED BLANK to the end, reporting progress', async () => {
    const { buildBlank } = await import('../mmc/commands/blank');
    f = await virtualFixture('cd-rw');
    f.transport.recorder(f.name).immediatePolls = 4;
    const d = new Drive(f.device, fast);
    await d.execute(buildBlank(0, { immediate: true }));
    const seen: number[] = [];
    await d.waitForCompletion({ intervalMs: 1, onProgress: (p) => seen.push(Math.round(p * 100)) });
    expect(seen).toEqual([0, 25, 50, 75, 100]);
  });

  it('a real failure while polling is thrown as ScsiError', async () => {
    f = await virtualFixture('dvd+r');
    f.transport.injectFault(f.name, { match: 0x00, sense: [3, 0x31, 0x01] });
    await expect(new Drive(f.device, fast).waitForCompletion({ intervalMs: 1 })).rejects.toMatchObject({ senseKey: 3, asc: 0x31, ascq: 1 });
  });
});

describe('write parameters and speed', () => {
  it('setWriteParameters merges into the drive\'s page 05h; setWriteSpeed and bufferCapacity', async () => {
    f = await virtualFixture('cd-r');
    const d = new Drive(f.device, fast);
    const before = await d.writeParameters();
    expect(before.writeType).toBe('tao');
    await d.setWriteParameters({ writeType: 'sao', multiSession: 3 });
    const after = await d.writeParameters();
    expect(after).toMatchObject({ writeType: 'sao', multiSession: 3, dataBlockType: before.dataBlockType, audioPauseLength: 150 });
    await d.setWriteSpeed(2822, 359848);
    const caps = await d.capabilities();
    expect(caps.canTestWrite).toBe(true);
    expect((await d.bufferCapacity()).bufferLength).toBe(2 * 1024 * 1024);
  });

  it('the MCN and ISRC of page 05h: set, kept while other fields change, cleared when named undefined', async () => {
    f = await virtualFixture('cd-r');
    const d = new Drive(f.device, fast);
    await d.setWriteParameters({ writeType: 'tao', dataBlockType: 0, mcn: '0724384924626', isrc: 'USRC17607839' });
    expect(await d.writeParameters()).toMatchObject({ mcn: '0724384924626', isrc: 'USRC17607839' });
    await d.setWriteParameters({ trackMode: 2 });
    expect(await d.writeParameters()).toMatchObject({ trackMode: 2, mcn: '0724384924626', isrc: 'USRC17607839' });
    await d.setWriteParameters({ isrc: undefined });
    const last = await d.writeParameters();
    expect(last.mcn).toBe('0724384924626');
    expect(last.isrc).toBeUndefined();
  });
});

describe('Drive.media', () => {
  it('no disc', async () => {
    f = await virtualFixture(null);
    const m = await new Drive(f.device, fast).media();
    expect(m).toMatchObject({ profile: 'None', status: 'no-disc', tray: 'closed', capacityBlocks: 0 });
  });

  it('blank, appendable and complete DVD+R', async () => {
    f = await virtualFixture('dvd+r');
    const d = new Drive(f.device, fast);
    expect(await d.media()).toMatchObject({ profile: 'DVD+R', status: 'blank', sessions: 0, tracks: 0, usedBlocks: 0, freeBlocks: 2295104, capacityBlocks: 2295104, nextWritableAddress: 0, erasable: false });
    await d.execute(buildWrite10(0, 320, new Uint8Array(320 * 2048)));
    await d.execute(buildCloseTrackSession(1, 1));
    await d.execute(buildCloseTrackSession(2));
    const m = await d.media();
    expect(m).toMatchObject({ status: 'appendable', sessions: 1, tracks: 1, usedBlocks: 320, nextWritableAddress: 320, freeBlocks: 2295104 - 320 });
    expect(m.trackList![0]).toMatchObject({ number: 1, session: 1, startLba: 0, sizeBlocks: 320, kind: 'data', blank: false });
    await d.execute(buildCloseTrackSession(6));
    const c = await d.media();
    expect(c).toMatchObject({ status: 'complete', sessions: 1, tracks: 1, usedBlocks: 320, freeBlocks: 0 });
    expect(c.nextWritableAddress).toBeUndefined();
    expect(c.writeSpeeds).toEqual([22160, 11080, 5540]);
  });

  it('CD-R: ATIP manufacturer, audio + data tracks', async () => {
    f = await virtualFixture('cd-r');
    const d = new Drive(f.device, fast);
    await d.execute(buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', dataBlockType: 0, trackMode: 0, multiSession: 3 })]));
    await d.execute(buildWrite10(0, 10, new Uint8Array(10 * 2352)));
    await d.execute(buildCloseTrackSession(1, 1));
    const m = await d.media();
    expect(m.atip).toMatchObject({ manufacturer: 'Taiyo Yuden Company Ltd.', leadInStart: '97:24:01', leadOutStart: '79:59:74', erasable: false });
    expect(m).toMatchObject({ profile: 'CD-R', status: 'appendable', tracks: 1, nextWritableAddress: 160 });
    expect(m.trackList![0].kind).toBe('audio');
  });

  it('DVD+RW before and after formatting; BD-RE; DVD-RW after quick format', async () => {
    f = await virtualFixture('dvd+rw');
    const d = new Drive(f.device, fast);
    expect(await d.media()).toMatchObject({ profile: 'DVD+RW', status: 'blank', erasable: true, formatted: false, capacityBlocks: 2295104 });
    await d.execute(buildFormatUnit({ formatType: 0x26, blocks: 0 }));
    expect(await d.media()).toMatchObject({ profile: 'DVD+RW', status: 'complete', formatted: true, capacityBlocks: 2295104, freeBlocks: 2295104, nextWritableAddress: 0 });
    await f.transport.insert(f.name, 'dvd-rw');
    await d.waitReady(); // consumes the disc change's unit attention before recording
    await d.execute(buildFormatUnit({ formatType: 0x15, blocks: 0, typeDependent: 16 }));
    expect(await d.media()).toMatchObject({ profile: 'DVD-RW RO', status: 'complete', erasable: true, formatted: true });
    await f.transport.insert(f.name, 'bd-re');
    expect(await d.media()).toMatchObject({ profile: 'BD-RE', status: 'blank', capacityBlocks: 12219392 });
  });

  it('every media type yields a consistent MediaInfo', async () => {
    f = await virtualFixture(null);
    const d = new Drive(f.device, fast);
    const types = ['cd-r', 'cd-rw', 'dvd-r', 'dvd-rw', 'dvd+r', 'dvd+rw', 'dvd+r-dl', 'dvd-r-dl', 'dvd-ram', 'bd-r', 'bd-re'] as const;
    const seen: Record<string, MediaInfo> = {};
    for (const t of types) {
      await f.transport.insert(f.name, t);
      const m = await d.media();
      seen[t] = m;
      expect(m.capacityBlocks, t).toBeGreaterThan(300000);
      expect(m.writeSpeeds.length, t).toBeGreaterThan(0);
      expect(m.tray).toBe('closed');
    }
    expect(Object.fromEntries(Object.entries(seen).map(([k, m]) => [k, `${m.profile}/${m.status}`]))).toEqual({
      'cd-r': 'CD-R/blank', 'cd-rw': 'CD-RW/blank', 'dvd-r': 'DVD-R/blank', 'dvd-rw': 'DVD-RW seq/blank', 'dvd+r': 'DVD+R/blank', 'dvd+rw': 'DVD+RW/blank',
      'dvd+r-dl': 'DVD+R DL/blank', 'dvd-r-dl': 'DVD-R DL/blank', 'dvd-ram': 'DVD-RAM/complete', 'bd-r': 'BD-R SRM/blank', 'bd-re': 'BD-RE/blank',
    });
  });

  it('capabilities() of the virtual drive', async () => {
    f = await virtualFixture(null);
    const c = await new Drive(f.device, fast).capabilities();
    expect(c.profiles).toContain('BD-RE');
    expect(c).toMatchObject({ canWriteDvdPlusR: true, canWriteBdR: true, canWriteCdSao: true, canEject: true, canLock: true, canRealTimeStreaming: true });
    expect(Drive.canWrite(c, 'DVD+R DL')).toBe(true);
    expect(Drive.canWrite(c, 'DVD-ROM')).toBe(false);
  });

  it('eject/load/lock/unlock', async () => {
    f = await virtualFixture('dvd+r');
    const d = new Drive(f.device, fast);
    await d.lock();
    await expect(d.eject()).rejects.toMatchObject({ asc: 0x53, ascq: 0x02 });
    await d.unlock();
    await d.eject();
    expect(await d.media()).toMatchObject({ status: 'no-disc', tray: 'open' });
    await d.load();
    expect(await d.media()).toMatchObject({ status: 'blank', tray: 'closed' });
  });
});

describe('Drive.watchMedia', () => {
  async function collect(d: Drive, act: () => Promise<void>, wantReasons: number): Promise<MediaChange[]> {
    const evs: MediaChange[] = [];
    const ac = new AbortController();
    const done = d.watchMedia(ac.signal, (e) => evs.push(e), { minIntervalMs: 10, maxIntervalMs: 40 });
    while (evs.length < 1) await new Promise((r) => setTimeout(r, 5));
    await act();
    const t0 = Date.now();
    while (evs.length < wantReasons && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await done;
    return evs;
  }

  it('reports the initial media, then removal and a new disc (GESN)', async () => {
    f = await virtualFixture('dvd+r');
    const fx = f;
    const d = new Drive(f.device, fast);
    await d.mediaEvent(); // consume the insert's event
    const evs = await collect(d, async () => {
      await fx.transport.eject(fx.name);
      await new Promise((r) => setTimeout(r, 100));
      await fx.transport.insert(fx.name, 'bd-r');
    }, 3);
    expect(evs.map((e) => [e.reason, e.media.profile])).toEqual([['initial', 'DVD+R'], ['media-removal', 'None'], ['new-media', 'BD-R SRM']]);
  });

  it('falls back to TEST UNIT READY on drives without GESN (05/20/00)', async () => {
    f = await virtualFixture('dvd+r');
    const fx = f;
    fx.transport.injectFault(fx.name, { match: 0x4a, repeat: true, sense: [5, 0x20, 0x00] });
    const d = new Drive(f.device, fast);
    const evs = await collect(d, async () => {
      await fx.transport.eject(fx.name);
    }, 2);
    expect(evs.map((e) => [e.reason, e.media.status])).toEqual([['initial', 'blank'], ['media-removal', 'no-disc']]);
  });
});
