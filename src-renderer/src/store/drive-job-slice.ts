// The drive jobs the renderer runs through main: burn (project or image file), erase, format,
// verify a disc, read a disc to an image. One job is shown at a time (a dialog's progress and
// result screen); the drives' leases come from devices.onBusyChange, so a drive another window or
// the CLI is using shows "busy" too. Progress events are reduced into the job (the latest numbers
// plus a log line whenever the action changes); a cancel ends the job as 'cancelled' with main's
// sentence about what is on the disc, never as an error.
import type { StateCreator } from 'zustand';
import type { EventMap, GlassmasterClient, RequestOf } from '../../../src-main/common/ipc/contract';
import type { BurnProgress, BurnResult, EraseProgress } from '../../../src-main/common/model/burn';
import type { MediaInfo } from '../../../src-main/common/model/drive';
import type { DiscProgress, DiscReadReport } from '../../../src-main/common/model/verify-report';
import type { DiscVerifyReport } from '../../../src-main/common/model/verify';
import type { AudioBurnResult } from '../../../src-main/common/model/audio-burn';
import type { CopyResult } from '../../../src-main/common/model/copy';
import type { AppState } from './use-app-store';
import { isCancel, toUiError, type UiError } from './errors';
import { t } from '../i18n';

export type DriveJobKind = 'burn' | 'erase' | 'format' | 'verify' | 'read' | 'copy';
export type DriveJobState = 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';
export type BusyJob = NonNullable<EventMap['devices.onBusyChange']['job']>;

export interface DriveJob {
  id: number;
  kind: DriveJobKind;
  address: string;
  /** What the job works on, in words ("image.iso", "the project", "the disc's manifest"). */
  subject: string;
  /** The burn's options as sent (simulate, copies, verify …). */
  options?: BurnOptions;
  state: DriveJobState;
  startedAt: number;
  endedAt?: number;
  burn?: BurnProgress;
  erase?: EraseProgress;
  disc?: DiscProgress;
  burnResult?: BurnResult;
  /** An audio CD burn's result (audio.burn): the mode, the planner's reason, tracks, read-back. */
  audioResult?: AudioBurnResult;
  media?: MediaInfo;
  verifyReport?: DiscVerifyReport;
  readReport?: DiscReadReport;
  /** A copy: the source drive (`address` is the target; the same address for a one-drive copy). */
  from?: string;
  copyResult?: CopyResult;
  /** The user's dialog was dismissed (Electron) before anything happened. */
  nothingChosen?: boolean;
  error?: UiError;
  /** Main's sentence on a cancel: what the disc holds now. */
  cancelMessage?: string;
  /** Lines for the log the result screen saves or copies: "[12.3 s] writing …". */
  log: string[];
}

export type BurnSource = RequestOf<'burn.start'>['source'];
export type BurnOptions = RequestOf<'burn.start'>['options'];
export type VerifyAgainst = RequestOf<'disc.verify'>['against'];
/** What the burn dialog is open for: a data burn source, or the audio project (features/audio/AudioBurnForm). */
export type BurnDialogSource = BurnSource | { kind: 'audio' };
export type AudioBurnJobOptions = NonNullable<RequestOf<'audio.burn'>['options']>;

export interface DriveJobSlice {
  job: DriveJob | undefined;
  /** The burn dialog is open for this source (Ctrl+B, the Burn buttons). */
  burnDialog: BurnDialogSource | undefined;
  openBurnDialog(source: BurnDialogSource): void;
  closeBurnDialog(): void;
  /** Drives leased by a job (ours or anyone's), from devices.onBusyChange. */
  driveBusy: Record<string, BusyJob | undefined>;
  startBurn(address: string, source: BurnSource, options: BurnOptions): Promise<void>;
  /** Burns the open audio project (audio.burn {kind:'project'}); progress and result as a burn. */
  startAudioBurn(address: string, options: AudioBurnJobOptions): Promise<void>;
  startErase(address: string, full: boolean): Promise<void>;
  startFormat(address: string, full: boolean): Promise<void>;
  startVerify(address: string, against: VerifyAgainst): Promise<void>;
  startRead(address: string, path: string): Promise<void>;
  /** Copies the disc in `from` to the disc in `to` (the same drive: read, swap prompt, burn). */
  startCopy(from: string, to: string, options: BurnOptions): Promise<void>;
  cancelJob(): void;
  dismissJob(): void;
  applyJobProgress(event: EventMap['burn.onProgress']): void;
  applyDiscProgress(event: EventMap['disc.onProgress']): void;
  applyBusy(event: EventMap['devices.onBusyChange']): void;
}

/** The fraction done of a job's current step, 0..1, or undefined when not known. */
export function jobFraction(job: DriveJob): number | undefined {
  if (job.state === 'done') return 1;
  if (job.burn) {
    const p = job.burn;
    if (p.action === 'writing' && p.totalSectors > 0) return p.sectorsWritten / p.totalSectors;
    return p.fraction;
  }
  if (job.erase) return job.erase.fraction;
  if (job.disc && job.disc.totalSectors > 0) return job.disc.sectorsDone / job.disc.totalSectors;
  return undefined;
}

/** The action word of the job's current step (an i18n key under jobrun.action_*). */
export function jobAction(job: DriveJob): string {
  return job.burn?.action ?? job.erase?.action ?? job.disc?.phase ?? 'checking-media';
}

function stamp(job: DriveJob, text: string, now = Date.now()): string {
  return `[${((now - job.startedAt) / 1000).toFixed(1)} s] ${text}`;
}

/** Folds a burn/erase/format progress event into the job; a log line when the action changes. */
export function reduceJobProgress(job: DriveJob, event: EventMap['burn.onProgress'], now = Date.now()): DriveJob {
  if (job.address !== event.address || (job.state !== 'running' && job.state !== 'cancelling')) return job;
  if (event.job === 'burn') {
    if (job.kind !== 'burn' && job.kind !== 'copy') return job;
    const p = event.progress;
    const prev = job.burn;
    const changed = !prev || prev.action !== p.action || prev.copy !== p.copy;
    const line = p.copies > 1 ? `${t(`jobrun.action_${p.action}`)} (${t('jobrun.copyOf', { copy: p.copy, copies: p.copies })})` : t(`jobrun.action_${p.action}`);
    // A copy's read is over once its burn reports: the dialog shows the burn's numbers only.
    return { ...job, burn: p, ...(job.kind === 'copy' ? { disc: undefined } : {}), log: changed ? [...job.log, stamp(job, p.message ? `${line}: ${p.message}` : line, now)] : job.log };
  }
  if (job.kind !== event.job) return job;
  const prev = job.erase;
  const changed = !prev || prev.action !== event.progress.action;
  return { ...job, erase: event.progress, log: changed ? [...job.log, stamp(job, t(`jobrun.action_${event.progress.action}`), now)] : job.log };
}

/** Folds a disc.onProgress event (read or verify) into the job. */
export function reduceDiscProgress(job: DriveJob, event: EventMap['disc.onProgress'], now = Date.now()): DriveJob {
  // A copy reads its source drive (the read's events carry the source's address).
  const copyRead = job.kind === 'copy' && job.from === event.address && event.operation === 'read';
  if (!copyRead && (job.address !== event.address || job.kind !== event.operation)) return job;
  if (job.state !== 'running' && job.state !== 'cancelling') return job;
  const prev = job.disc;
  const changed = !prev || prev.phase !== event.phase;
  const { address: _address, ...progress } = event;
  return { ...job, disc: progress, log: changed ? [...job.log, stamp(job, t(`jobrun.action_${event.phase}`), now)] : job.log };
}

/** The job's outcome: its final state, result fields and log lines. */
export function finishJob(job: DriveJob, outcome: { value?: unknown; error?: unknown }, now = Date.now()): DriveJob {
  const ended = { ...job, endedAt: now };
  if (outcome.error !== undefined) {
    if (isCancel(outcome.error)) {
      const message = (outcome.error as Error).message;
      // A cancel from main names what is on the disc; a bare AbortError (the call never reached main) says nothing.
      const cancelMessage = (outcome.error as { code?: string }).code === 'CANCELLED' && message ? message : t('jobrun.cancelledNothing');
      return { ...ended, state: 'cancelled', cancelMessage, log: [...job.log, stamp(job, cancelMessage, now)] };
    }
    const error = toUiError(outcome.error);
    return { ...ended, state: 'failed', error, log: [...job.log, stamp(job, `${error.message}\n${error.detail ?? ''}`.trim(), now)] };
  }
  const v = outcome.value;
  if (v === null) return { ...ended, state: 'done', nothingChosen: true, log: [...job.log, stamp(job, t('jobrun.nothingChosen'), now)] };
  const out: DriveJob = { ...ended, state: 'done' };
  const lines: string[] = [];
  if (job.kind === 'burn' && isAudioResult(v)) {
    out.audioResult = v;
    lines.push(`${v.mode.toUpperCase()}: ${v.reason}`);
    if (v.dropped.length) lines.push(t('audio.resultDropped', { what: v.dropped.join(', ') }));
    for (const tr of v.tracks) lines.push(t('audio.logTrack', { n: tr.number, sectors: tr.sectors, start: tr.startLba }));
    lines.push(v.verifiedSectors > 0 ? t('audio.verifyPassed', { sectors: v.verifiedSectors }) : t('audio.verifyNone'));
    lines.push(v.discState);
  } else if (job.kind === 'copy') {
    const c = v as CopyResult;
    out.copyResult = c;
    out.burnResult = c.burn;
    lines.push(t(c.mode === 'stream' ? 'copyjob.logStream' : 'copyjob.logImage', { from: c.from, to: c.to }));
    if (c.read) lines.push(t('jobrun.logRead', { files: t('copyjob.tempImage'), sectors: c.read.sectors, sha: c.read.sha256, bad: c.read.bad.unreadableCount }));
    for (const s of c.sessions ?? []) {
      lines.push(t('copyjob.logSession', { n: s.number, start: s.startLba, end: s.startLba + s.sectors - 1, closed: t(s.closed === 'disc' ? 'copyjob.sessionFinalized' : 'copyjob.sessionClosed') }));
      const v = s.burn.copies[0]?.verify;
      if (v && s !== c.sessions![c.sessions!.length - 1]) lines.push(verifyLine(v));
    }
    for (const cp of c.burn.copies) {
      lines.push(t('jobrun.logCopy', { copy: cp.copy, sectors: cp.sectors, start: cp.startLba, strategy: cp.strategy, seconds: (cp.elapsedMs / 1000).toFixed(1) }));
      if (cp.verify) lines.push(verifyLine(cp.verify));
    }
    lines.push(c.burn.discState);
    if (!c.burn.ok) {
      out.state = 'failed';
      out.error = { message: t('jobrun.verifyFailed'), code: 'UNKNOWN', detail: lines.join('\n') };
    }
  } else if (job.kind === 'burn') {
    const r = v as BurnResult;
    out.burnResult = r;
    for (const c of r.copies) {
      lines.push(t('jobrun.logCopy', { copy: c.copy, sectors: c.sectors, start: c.startLba, strategy: c.strategy, seconds: (c.elapsedMs / 1000).toFixed(1) }));
      if (c.verify) lines.push(verifyLine(c.verify));
    }
    lines.push(r.discState);
    if (!r.ok) out.state = 'failed';
    if (!r.ok) out.error = { message: t('jobrun.verifyFailed'), code: 'UNKNOWN', detail: lines.join('\n') };
  } else if (job.kind === 'erase' || job.kind === 'format') {
    out.media = v as MediaInfo;
    lines.push(t('jobrun.logMedia', { profile: out.media.profile, status: out.media.status }));
  } else if (job.kind === 'verify') {
    out.verifyReport = v as DiscVerifyReport;
    lines.push(out.verifyReport.summary);
    for (const f of out.verifyReport.files) lines.push(`  ${f.status}: ${f.path}`);
    if (out.verifyReport.expectedSha256) lines.push(`  ${t('jobrun.imageSha', { sha: out.verifyReport.expectedSha256 })}`, `  ${t('jobrun.discSha', { sha: out.verifyReport.actualSha256 ?? '-' })}`);
  } else {
    out.readReport = v as DiscReadReport;
    lines.push(t('jobrun.logRead', { files: out.readReport.files.join(', '), sectors: out.readReport.sectors, sha: out.readReport.sha256, bad: out.readReport.bad.unreadableCount }));
  }
  out.log = [...job.log, ...lines.map((l) => stamp(job, l, now))];
  return out;
}

function isAudioResult(v: unknown): v is AudioBurnResult {
  return typeof v === 'object' && v !== null && 'mode' in v && 'leadOut' in v && 'verifiedSectors' in v;
}

function verifyLine(v: NonNullable<BurnResult['copies'][number]['verify']>): string {
  if (v.level === 'none') return t('jobrun.verifyNone');
  const problems = [...v.layout.problems, v.mismatched.length ? t('jobrun.mismatched', { count: v.mismatched.reduce((n, r) => n + r.end - r.start, 0) }) : '', v.unreadable.length ? t('jobrun.unreadable', { count: v.unreadable.reduce((n, r) => n + r.end - r.start, 0) }) : ''].filter(Boolean);
  const level = t(`jobrun.level_${v.level}`);
  const head = v.ok ? t('jobrun.verifyPassed', { level, sectors: v.sectorsChecked }) : t('jobrun.verifyFailedLine', { level });
  const sums = v.expectedSha256 ? `; SHA-256 ${v.expectedSha256}${v.actualSha256 && v.actualSha256 !== v.expectedSha256 ? ` ≠ ${v.actualSha256}` : ''}` : '';
  return [head + sums, ...problems].join('\n  ');
}

/** What cancelling leaves on the disc, said before the user confirms (burn/README.md "Cancel and failures"). */
export function cancelConsequence(job: DriveJob, media: MediaInfo | undefined): string {
  if (job.kind === 'verify') return t('jobrun.cancelVerify');
  if (job.kind === 'read') return t('jobrun.cancelRead');
  // A copy that has not started writing leaves the target as it was.
  if (job.kind === 'copy' && (!job.burn || job.burn.action === 'waiting-for-disc' || job.burn.action === 'checking-media')) return t('copyjob.cancelBeforeWrite');
  if (job.kind === 'erase' || job.kind === 'format') return t('jobrun.cancelErase', { kind: t(`jobrun.kind_${job.kind}`) });
  const action = job.burn?.action;
  if (!action || action === 'checking-media' || action === 'waiting-for-disc') return t('jobrun.cancelBeforeWrite');
  if (action === 'verifying') return t('jobrun.cancelWhileVerifying');
  const profile = media?.profile ?? '';
  if (/^(DVD\+RW|DVD-RAM|BD-RE|DVD-RW RO)/.test(profile)) return t('jobrun.cancelRewritable');
  if (job.options?.simulate) return t('jobrun.cancelBeforeWrite');
  return t('jobrun.cancelWriteOnce');
}

let nextJobId = 1;

export const createDriveJobSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], DriveJobSlice> =>
  (set, get) => {
    let controller: AbortController | undefined;

    const run = async <V>(kind: DriveJobKind, address: string, subject: string, call: (signal: AbortSignal) => Promise<V>, options?: BurnOptions, from?: string) => {
      const current = get().job;
      if (current && (current.state === 'running' || current.state === 'cancelling')) return;
      controller = new AbortController();
      const startedAt = Date.now();
      const job: DriveJob = { id: nextJobId++, kind, address, subject, options, state: 'running', startedAt, log: [], ...(from ? { from } : {}) };
      job.log.push(stamp(job, t(`jobrun.logStart_${kind}`, { drive: address, subject }), startedAt));
      set({ job });
      get().announce(t(`jobrun.started_${kind}`));
      let outcome: { value?: unknown; error?: unknown };
      try {
        outcome = { value: await call(controller.signal) };
      } catch (error) {
        outcome = { error };
      }
      const mine = get().job;
      if (!mine || mine.id !== job.id) return;
      const done = finishJob(mine, outcome);
      set({ job: done });
      get().announce(done.state === 'cancelled' ? done.cancelMessage! : done.state === 'failed' ? done.error!.message : t(`jobrun.finished_${kind}`));
      // The disc changed (or may have): show it as it is now.
      if (kind !== 'read' && kind !== 'verify') void get().refreshMedia(address);
    };

    return {
      job: undefined,
      burnDialog: undefined,
      driveBusy: {},
      openBurnDialog(source) {
        set({ burnDialog: source });
      },
      closeBurnDialog() {
        set({ burnDialog: undefined });
      },
      startBurn: (address, source, options) =>
        run('burn', address, source.kind === 'imageFile' ? source.path : t('jobrun.theProject'), (signal) => client.invoke('burn.start', { address, source, options }, { signal }), options),
      startAudioBurn: (address, options) =>
        run('burn', address, t('audio.jobSubject', { count: get().audio?.tracks.length ?? 0 }), (signal) => client.invoke('audio.burn', { address, source: { kind: 'project' }, options }, { signal }), {
          simulate: options.simulate,
          verify: options.verify,
          close: options.close,
          eject: options.eject,
        }),
      startErase: (address, full) => run('erase', address, t(full ? 'jobrun.fullErase' : 'jobrun.quickErase'), (signal) => client.invoke('drive.erase', { address, full }, { signal })),
      startFormat: (address, full) => run('format', address, t(full ? 'jobrun.fullFormat' : 'jobrun.quickFormat'), (signal) => client.invoke('drive.format', { address, full }, { signal })),
      startVerify: (address, against) =>
        run('verify', address, 'path' in against ? against.path : t(`jobrun.against_${against.kind}`), (signal) => client.invoke('disc.verify', { address, against }, { signal })),
      startCopy: async (from, to, options) => {
        await run('copy', to, from === to ? t('copyjob.subjectOne', { from }) : t('copyjob.subjectTwo', { from }), (signal) => client.invoke('disc.copy', { from, to, options }, { signal }), options, from);
        if (from !== to) void get().refreshMedia(from);
      },
      startRead: (address, path) => run('read', address, path, (signal) => client.invoke('disc.read', { address, output: { kind: 'path', path } }, { signal })),
      cancelJob() {
        const job = get().job;
        if (!job || job.state !== 'running') return;
        set({ job: { ...job, state: 'cancelling', log: [...job.log, stamp(job, t('jobrun.cancelling'))] } });
        controller?.abort();
      },
      dismissJob() {
        const job = get().job;
        if (job && (job.state === 'running' || job.state === 'cancelling')) return;
        set({ job: undefined });
      },
      applyJobProgress(event) {
        const job = get().job;
        if (job) {
          const next = reduceJobProgress(job, event);
          if (next !== job) set({ job: next });
        }
      },
      applyDiscProgress(event) {
        const job = get().job;
        if (job) {
          const next = reduceDiscProgress(job, event);
          if (next !== job) set({ job: next });
        }
      },
      applyBusy({ address, job }) {
        set((s) => ({ driveBusy: { ...s.driveBusy, [address]: job ?? undefined } }));
      },
    };
  };
