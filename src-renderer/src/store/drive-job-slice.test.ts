// The drive-job slice: its reducers on hand-made events (progress folding, cancel and failure
// outcomes), then burn, verify, read, erase and a paced cancel through the real services over the
// in-memory message pair (the dispatcher both shells use) with virtual recorders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import { ClientSession } from '../../../src-main/ipc/dispatcher';
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import type { BurnProgress, BurnResult } from '../../../src-main/common/model/burn';
import { imageFileSourceFactory } from '../../../src-main/burn/burn-sources';
import { MessageClient } from '../ipc/message-client';
import { RemoteError } from '../ipc/remote-error';
import { createAppStore } from './use-app-store';
import { cancelConsequence, finishJob, jobFraction, reduceDiscProgress, reduceJobProgress, type DriveJob } from './drive-job-slice';

const progress = (over: Partial<BurnProgress>): BurnProgress => ({
  action: 'writing', copy: 1, copies: 1, sectorsWritten: 0, totalSectors: 1000, bytesWritten: 0, totalBytes: 2_048_000,
  speedBytesPerSec: 0, averageBytesPerSec: 0, speedX: 0, speedLabel: '0×', ringFill: 0, elapsedMs: 0, ...over,
});
const burnJob = (over: Partial<DriveJob> = {}): DriveJob => ({ id: 1, kind: 'burn', address: 'virtual:a', subject: '/x.iso', state: 'running', startedAt: 1000, log: [], ...over });

describe('drive-job reducers', () => {
  it('folds burn progress: the latest numbers, one log line per action, nothing from other drives or jobs', () => {
    let job = burnJob();
    job = reduceJobProgress(job, { address: 'virtual:a', job: 'burn', progress: progress({ action: 'checking-media' }) }, 1100);
    job = reduceJobProgress(job, { address: 'virtual:a', job: 'burn', progress: progress({ sectorsWritten: 100 }) }, 1500);
    job = reduceJobProgress(job, { address: 'virtual:a', job: 'burn', progress: progress({ sectorsWritten: 400, speedLabel: '8×' }) }, 2000);
    expect(job.log).toEqual(['[0.1 s] Checking the disc', '[0.5 s] Writing']);
    expect(job.burn!.speedLabel).toBe('8×');
    expect(jobFraction(job)).toBeCloseTo(0.4);
    expect(reduceJobProgress(job, { address: 'virtual:b', job: 'burn', progress: progress({ sectorsWritten: 900 }) })).toBe(job);
    expect(reduceJobProgress(job, { address: 'virtual:a', job: 'erase', progress: { action: 'erasing', fraction: 0.5, elapsedMs: 1 } })).toBe(job);
    expect(reduceDiscProgress(job, { address: 'virtual:a', operation: 'read', phase: 'reading', sectorsDone: 1, totalSectors: 2, bytesDone: 2048, badSectors: 0, kBps: 1, elapsedMs: 1 })).toBe(job);
    // Closing and verifying report their own fraction.
    job = reduceJobProgress(job, { address: 'virtual:a', job: 'burn', progress: progress({ action: 'verifying', sectorsWritten: 1000, fraction: 0.25 }) }, 3000);
    expect(jobFraction(job)).toBe(0.25);
    expect(job.log.at(-1)).toBe('[2.0 s] Verifying');
    // A finished job takes no more progress.
    const done = { ...job, state: 'done' as const };
    expect(reduceJobProgress(done, { address: 'virtual:a', job: 'burn', progress: progress({ action: 'done' }) })).toBe(done);
  });

  it('a cancel from main ends as cancelled with its sentence; a bare abort says nothing changed; neither is an error', () => {
    const cancelled = finishJob(burnJob(), { error: new RemoteError({ name: 'CancelledError', code: 'CANCELLED', message: 'Cancelled. The disc holds the first 64 of 1172 sectors.', retryable: false }) }, 2000);
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelMessage: 'Cancelled. The disc holds the first 64 of 1172 sectors.', endedAt: 2000 });
    expect(cancelled.error).toBeUndefined();
    expect(cancelled.log.at(-1)).toBe('[1.0 s] Cancelled. The disc holds the first 64 of 1172 sectors.');
    const aborted = finishJob(burnJob(), { error: new DOMException('Aborted', 'AbortError') });
    expect(aborted.state).toBe('cancelled');
    expect(aborted.cancelMessage).toMatch(/nothing changed/);
  });

  it('a failure is a sentence with the detail kept; a burn whose verify failed is a failure', () => {
    const failed = finishJob(burnJob(), { error: new RemoteError({ name: 'BurnError', code: 'INVALID_MEDIA', message: 'the disc is full: 812 MB staged, 703 MB free', retryable: false, details: { lba: 5 } }) });
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ message: 'The disc is full: 812 MB staged, 703 MB free.', code: 'INVALID_MEDIA' });
    expect(failed.error!.detail).toContain('lba: 5');
    const copy = { copy: 1, simulated: false, startLba: 0, sectors: 10, strategy: 'bd-r', media: {} as never, averageBytesPerSec: 1, elapsedMs: 1 };
    const bad: BurnResult = { ok: false, discState: 'The disc is closed.', copies: [{ ...copy, verify: { level: 'full', ok: false, layout: { ok: true, problems: [] }, startLba: 0, sectors: 10, sectorsChecked: 10, mismatched: [{ start: 3, end: 5 }], unreadable: [], against: 'source', reference: 'photos.iso', summary: '2 sectors differ from photos.iso.', bytesChecked: 20480, elapsedMs: 1 } }] };
    const r = finishJob(burnJob(), { value: bad });
    expect(r.state).toBe('failed');
    expect(r.error!.message).toMatch(/Verification failed/);
    expect(r.log.join('\n')).toContain('2 sectors differ');
  });

  it('the cancel confirmation says what stays on the disc for the step and the medium', () => {
    expect(cancelConsequence(burnJob(), undefined)).toMatch(/Nothing has been written/);
    const writing = burnJob({ burn: progress({}) });
    expect(cancelConsequence(writing, { profile: 'BD-R SRM' } as never)).toMatch(/write-once/);
    expect(cancelConsequence(writing, { profile: 'DVD+RW' } as never)).toMatch(/format it/);
    expect(cancelConsequence(burnJob({ burn: progress({ action: 'verifying' }) }), undefined)).toMatch(/already written/);
    expect(cancelConsequence(burnJob({ kind: 'read' }), undefined)).toMatch(/image file is not kept/);
    expect(cancelConsequence(burnJob({ kind: 'erase' }), undefined)).toMatch(/part-way through erasing/);
  });
});

describe('drive jobs through the services', () => {
  let services: Services;
  let dir: string;
  let store: ReturnType<typeof createAppStore>;
  let iso: string;
  const busySeen: Array<string | undefined> = [];
  const s = () => store.getState();
  const until = async (pred: () => boolean, ms = 20_000) => {
    for (const end = Date.now() + ms; !pred() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    expect(pred()).toBe(true);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-jobs-'));
    mkdirSync(join(dir, 'src'));
    const data = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 512) data.writeUInt32LE(i, i);
    writeFileSync(join(dir, 'src', 'data.bin'), data);
    writeFileSync(join(dir, 'src', 'hello.txt'), 'hello');
    services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: true });
    await services.virtual.create('bd', { media: 'bd-r' });
    await services.virtual.create('slow', { media: 'cd-r' });
    await services.virtual.create('rw', { media: 'cd-rw' });
    services.virtual.setPacing('slow', true);
    const client: MessageClient = new MessageClient({ send: async (m) => void session.receive(structuredClone(m)) });
    const session = new ClientSession(services.handlers, (m: ServerMessage) => queueMicrotask(() => client.receive(structuredClone(m))), { warn: () => undefined });
    services.hub.subscribe((event, payload) => client.receive({ kind: 'event', event, payload: structuredClone(payload) }));
    store = createAppStore(client);
    store.subscribe((st) => busySeen.push(st.driveBusy['virtual:bd']));
    await s().loadProject();
    expect(await s().addHostPaths([join(dir, 'src', 'data.bin'), join(dir, 'src', 'hello.txt')], '/')).toBe(true);
    iso = join(dir, 'src.iso');
    await s().writeImageTo(iso);
    expect(existsSync(iso)).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await services?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('burns an image file to a BD-R with full verify: progress, busy while leased, a passed verification and a log', async () => {
    await s().startBurn('virtual:bd', { kind: 'imageFile', path: iso }, { verify: 'full', close: 'disc', copies: 1, speed: 'max', eject: false });
    const job = s().job!;
    expect(job.state).toBe('done');
    expect(job.burnResult!.ok).toBe(true);
    expect(job.burnResult!.copies[0].verify).toMatchObject({ level: 'full', ok: true });
    expect(job.log.join('\n')).toMatch(/Writing[\s\S]*Verifying[\s\S]*Full verify passed/);
    await until(() => s().driveBusy['virtual:bd'] === undefined);
    expect(busySeen).toContain('burn');
    // A finished job is dismissed; a second start while one runs is ignored (one job at a time).
    s().dismissJob();
    expect(s().job).toBeUndefined();
  }, 60_000);

  it('verifies the burned disc against the image and reads it back to an identical ISO', async () => {
    await s().startVerify('virtual:bd', { kind: 'image', path: iso });
    expect(s().job).toMatchObject({ kind: 'verify', state: 'done' });
    expect(s().job!.verifyReport!.ok).toBe(true);
    expect(s().job!.disc!.operation).toBe('verify');
    s().dismissJob();
    const out = join(dir, 'copy.iso');
    await s().startRead('virtual:bd', out);
    const report = s().job!.readReport!;
    expect(s().job!.state).toBe('done');
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    expect(report.sha256).toBe(sha(out));
    expect(sha(out)).toBe(sha(iso));
    s().dismissJob();
    // Reading to the same name again is refused (never overwritten): a failure with the detail kept.
    await s().startRead('virtual:bd', out);
    expect(s().job).toMatchObject({ state: 'failed', error: { code: 'INVALID_INPUT' } });
    s().dismissJob();
  }, 60_000);

  it('cancels a paced burn while writing: cancelled with what the disc holds, not an error; the drive is free again', async () => {
    const media = await services.drives.media('virtual:slow');
    const running = s().startBurn('virtual:slow', { kind: 'imageFile', path: iso }, { verify: 'full', speed: media.writeSpeeds.at(-1) });
    await until(() => s().job?.burn?.action === 'writing' && s().job!.burn!.sectorsWritten > 0);
    expect(cancelConsequence(s().job!, media)).toMatch(/write-once/);
    s().cancelJob();
    expect(s().job!.state).toBe('cancelling');
    await running;
    expect(s().job!.state).toBe('cancelled');
    expect(s().job!.error).toBeUndefined();
    expect(s().job!.cancelMessage).toMatch(/^Cancelled\. The disc holds the first \d+ of \d+ sectors/);
    expect(s().error).toBeUndefined();
    await until(() => s().driveBusy['virtual:slow'] === undefined);
    s().dismissJob();
  }, 60_000);

  it('erases a CD-RW and the disc shows blank', async () => {
    await services.burner.burn('virtual:rw', await imageFileSourceFactory(iso));
    await s().startErase('virtual:rw', false);
    expect(s().job).toMatchObject({ kind: 'erase', state: 'done', media: { profile: 'CD-RW', status: 'blank' } });
    expect(s().job!.log.join('\n')).toContain('Erasing');
    s().dismissJob();
  }, 60_000);
});
