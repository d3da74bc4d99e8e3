// The Electron glue of drive jobs, run against recording stand-ins for powerSaveBlocker,
// setProgressBar and Notification, fed the events and call outcomes the services really produce.
import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidMediaError } from '../../common/errors';
import type { Handlers } from '../../ipc/dispatcher';
import type { BurnProgress } from '../../common/model/burn';
import { createJobGlue, jobNotification, wrapJobHandlers } from './job-glue';

function recorder() {
  const calls: string[] = [];
  let next = 1;
  const active = new Set<number>();
  return {
    calls,
    active,
    deps: {
      powerSaveBlocker: {
        start: (type: string) => {
          const id = next++;
          active.add(id);
          calls.push(`start ${type}`);
          return id;
        },
        stop: (id: number) => {
          active.delete(id);
          calls.push(`stop ${id}`);
        },
      },
      setProgress: (v: number) => calls.push(`bar ${v}`),
      notify: (title: string, body: string) => calls.push(`notify ${title}: ${body}`),
    },
  };
}

const writing = (sectorsWritten: number, totalSectors: number): BurnProgress => ({
  action: 'writing', copy: 1, copies: 1, sectorsWritten, totalSectors, bytesWritten: sectorsWritten * 2048, totalBytes: totalSectors * 2048,
  speedBytesPerSec: 0, averageBytesPerSec: 0, speedX: 0, speedLabel: '', ringFill: 0, elapsedMs: 0,
});

describe('Electron job glue', () => {
  it('holds one sleep blocker while any drive is leased, shows the least-done fraction, and clears both when the last drive is free', () => {
    const r = recorder();
    const glue = createJobGlue(r.deps);
    glue.onEvent('devices.onBusyChange', { address: 'virtual:a', job: 'burn' });
    expect(r.calls).toEqual(['start prevent-app-suspension', 'bar 2']);
    glue.onEvent('burn.onProgress', { address: 'virtual:a', job: 'burn', progress: writing(250, 1000) });
    glue.onEvent('devices.onBusyChange', { address: 'virtual:b', job: 'read' });
    glue.onEvent('disc.onProgress', { address: 'virtual:b', operation: 'read', phase: 'reading', sectorsDone: 100, totalSectors: 1000, bytesDone: 0, badSectors: 0, kBps: 0, elapsedMs: 0 });
    expect(r.active.size).toBe(1);
    expect(r.calls.slice(2)).toEqual(['bar 0.25', 'bar 0.1']);
    glue.onEvent('devices.onBusyChange', { address: 'virtual:b', job: null });
    expect(r.calls.at(-1)).toBe('bar 0.25');
    expect(r.active.size).toBe(1);
    glue.onEvent('devices.onBusyChange', { address: 'virtual:a', job: null });
    expect(r.active.size).toBe(0);
    expect(r.calls.slice(-2)).toEqual(['stop 1', 'bar -1']);
  });

  it('ignores progress of a drive no job holds (a media poll, a late event) and erase fractions count', () => {
    const r = recorder();
    const glue = createJobGlue(r.deps);
    glue.onEvent('burn.onProgress', { address: 'virtual:a', job: 'burn', progress: writing(1, 2) });
    expect(r.calls).toEqual([]);
    glue.onEvent('devices.onBusyChange', { address: 'virtual:a', job: 'erase' });
    expect(r.calls.at(-1)).toBe('bar 0.5');
    glue.onEvent('burn.onProgress', { address: 'virtual:a', job: 'erase', progress: { action: 'erasing', fraction: 0.75, elapsedMs: 1 } });
    expect(r.calls.at(-1)).toBe('bar 0.75');
    glue.dispose();
    expect(r.active.size).toBe(0);
  });

  it('notifies the end of each job call with its outcome; a dismissed dialog (null) is not notified; values and errors pass through', async () => {
    const r = recorder();
    const glue = createJobGlue(r.deps);
    const handlers = {
      'burn.start': async () => ({ ok: true, copies: [], discState: 'The disc holds 2 sessions.' }),
      'drive.erase': async () => {
        throw new InvalidMediaError('The disc cannot be erased.');
      },
      'disc.copy': async () => {
        throw new CancelledError('Cancelled: the target disc holds nothing yet.');
      },
      'disc.read': async () => null,
      'disc.verify': async () => ({ ok: false, summary: '2 files differ.' }),
    } as unknown as Handlers;
    const h = wrapJobHandlers(handlers, glue) as unknown as Record<string, (p: unknown, s: AbortSignal) => Promise<unknown>>;
    const sig = new AbortController().signal;
    await expect(h['burn.start']({ address: 'virtual:a' }, sig)).resolves.toMatchObject({ ok: true });
    await expect(h['drive.erase']({ address: 'virtual:a' }, sig)).rejects.toThrow('cannot be erased');
    await expect(h['disc.copy']({ from: 'virtual:a', to: 'virtual:b' }, sig)).rejects.toThrow('Cancelled');
    await expect(h['disc.read']({ address: 'virtual:a' }, sig)).resolves.toBeNull();
    await h['disc.verify']({ address: 'virtual:a' }, sig);
    expect(r.calls).toEqual([
      'notify Burn finished: The disc is burned. The disc holds 2 sessions.',
      'notify Erase failed: The disc cannot be erased.',
      'notify Disc copy cancelled: Cancelled: the target disc holds nothing yet.',
      'notify Verify failed: 2 files differ.',
    ]);
  });

  it('writing an image file (no drive) keeps the machine awake and shows its fraction too', () => {
    const r = recorder();
    const glue = createJobGlue(r.deps);
    glue.hostWork(true, 0.5);
    expect(r.calls).toEqual(['start prevent-app-suspension', 'bar 0.5']);
    glue.onEvent('devices.onBusyChange', { address: 'virtual:a', job: 'burn' });
    glue.hostWork(false);
    expect(r.active.size).toBe(1);
    glue.onEvent('devices.onBusyChange', { address: 'virtual:a', job: null });
    expect(r.active.size).toBe(0);
    expect(r.calls.at(-1)).toBe('bar -1');
  });

  it('says which drive when the result has no sentence of its own', () => {
    expect(jobNotification('drive.format', 'virtual:x', { ok: true })).toEqual({ title: 'Format finished', body: 'The disc is formatted. (virtual:x)' });
  });
});
