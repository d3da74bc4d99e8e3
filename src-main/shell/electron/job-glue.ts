// The desktop extras of a drive job in the Electron shell: the taskbar/dock progress bar, sleep
// prevention while a drive is working, and an OS notification when a job ends. Driven by what the
// renderer sees too: the hub's devices.onBusyChange (a drive leased by a job, or given back),
// burn.onProgress and disc.onProgress (the fraction done), and the outcome of the job's call
// (wrapJobHandlers). Written against small structural interfaces so it runs, and is tested, without
// Electron; main.ts passes Electron's powerSaveBlocker, BrowserWindow.setProgressBar and Notification.
import type { EventMap, EventName } from '../../common/ipc/contract';
import type { Handlers } from '../../ipc/dispatcher';

export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
}

export interface JobGlueDeps {
  powerSaveBlocker: PowerSaveBlockerLike;
  /** Every window's taskbar/dock bar: 0..1 done, 2 indeterminate (Electron's convention), -1 removes it. */
  setProgress(value: number): void;
  /** An OS notification (Electron's Notification; skipped where Notification.isSupported() is false). */
  notify(title: string, body: string): void;
}

/** The methods that run a job on a drive, and how their outcome is said. */
export const JOB_METHODS = {
  'burn.start': { what: 'Burn', done: 'The disc is burned.' },
  'audio.burn': { what: 'Audio CD burn', done: 'The audio CD is burned.' },
  'disc.copy': { what: 'Disc copy', done: 'The disc is copied.' },
  'drive.erase': { what: 'Erase', done: 'The disc is erased.' },
  'drive.format': { what: 'Format', done: 'The disc is formatted.' },
  'disc.verify': { what: 'Verify', done: 'The disc is verified.' },
  'disc.read': { what: 'Read', done: 'The disc is read to an image.' },
} as const;
export type JobMethod = keyof typeof JOB_METHODS;

export interface JobOutcome {
  ok: boolean;
  cancelled?: boolean;
  /** The error's sentence, or the result's own summary when it says the job did not pass. */
  message?: string;
}

/** The notification of a job that ended: title and body in words. */
export function jobNotification(method: JobMethod, address: string, outcome: JobOutcome): { title: string; body: string } {
  const job = JOB_METHODS[method];
  if (outcome.cancelled) return { title: `${job.what} cancelled`, body: outcome.message ?? `The job on ${address} was cancelled.` };
  if (!outcome.ok) return { title: `${job.what} failed`, body: outcome.message ?? `The job on ${address} failed.` };
  return { title: `${job.what} finished`, body: outcome.message ? `${job.done} ${outcome.message}` : `${job.done} (${address})` };
}

/** A result that carries its own verdict (a burn whose verify failed, a verify report that differs). */
function resultOutcome(value: unknown): JobOutcome {
  const v = value as { ok?: boolean; summary?: string; discState?: string; burn?: { ok?: boolean; discState?: string } } | null;
  if (v === null || typeof v !== 'object') return { ok: true };
  const ok = v.ok ?? v.burn?.ok ?? true;
  return { ok, message: v.summary ?? v.discState ?? v.burn?.discState };
}

export interface JobGlue {
  /** Feed every hub event (services.hub.subscribe). */
  onEvent(event: EventName, payload: unknown): void;
  /**
   * Work that holds no drive but should keep the machine awake and show on the taskbar: writing an
   * image file (services.onBusyChange). Counted like one more drive named 'host'.
   */
  hostWork(busy: boolean, fraction?: number): void;
  /** A job call ended (wrapJobHandlers calls it). */
  jobEnded(method: JobMethod, address: string, outcome: JobOutcome): void;
  /** Releases the blocker and clears the bar (the app quits). */
  dispose(): void;
}

/**
 * While any drive is leased by a job, one 'prevent-app-suspension' blocker is held (a burn stopped by
 * sleep ruins a write-once disc); the bar shows the fraction done of the most recent progress event
 * (indeterminate until one arrives), and is removed when the last drive is given back.
 */
export function createJobGlue(deps: JobGlueDeps): JobGlue {
  const busy = new Map<string, string>();
  const fractions = new Map<string, number>();
  let blocker: number | undefined;
  let shown: number | undefined;
  const show = (v: number) => {
    if (v === shown) return;
    shown = v;
    deps.setProgress(v);
  };
  const update = () => {
    if (busy.size > 0 && blocker === undefined) blocker = deps.powerSaveBlocker.start('prevent-app-suspension');
    if (busy.size === 0 && blocker !== undefined) {
      deps.powerSaveBlocker.stop(blocker);
      blocker = undefined;
    }
    if (busy.size === 0) return show(-1);
    // Several drives: the least done one (the bar says when all of it is over).
    const known = [...busy.keys()].map((a) => fractions.get(a)).filter((f): f is number => f !== undefined);
    show(known.length ? Math.round(Math.min(...known) * 1000) / 1000 : 2);
  };
  const progress = (address: string, fraction: number | undefined) => {
    if (fraction === undefined || !Number.isFinite(fraction)) return;
    fractions.set(address, Math.max(0, Math.min(1, fraction)));
    // Progress can arrive a moment before the busy event: it counts once the lease is seen.
    if (busy.has(address)) update();
  };
  return {
    onEvent(event, payload) {
      if (event === 'devices.onBusyChange') {
        const { address, job } = payload as EventMap['devices.onBusyChange'];
        if (job) busy.set(address, job);
        else {
          busy.delete(address);
          fractions.delete(address);
        }
        update();
      } else if (event === 'burn.onProgress') {
        const e = payload as EventMap['burn.onProgress'];
        if (e.job === 'burn') progress(e.address, e.progress.totalSectors > 0 && e.progress.action === 'writing' ? e.progress.sectorsWritten / e.progress.totalSectors : e.progress.fraction);
        else progress(e.address, e.progress.fraction);
      } else if (event === 'disc.onProgress') {
        const e = payload as EventMap['disc.onProgress'];
        progress(e.address, e.totalSectors > 0 ? e.sectorsDone / e.totalSectors : undefined);
      }
    },
    hostWork(isBusy, fraction) {
      if (isBusy) {
        busy.set('host', 'image');
        if (fraction !== undefined && Number.isFinite(fraction)) fractions.set('host', Math.max(0, Math.min(1, fraction)));
      } else {
        busy.delete('host');
        fractions.delete('host');
      }
      update();
    },
    jobEnded(method, address, outcome) {
      const n = jobNotification(method, address, outcome);
      deps.notify(n.title, n.body);
    },
    dispose() {
      busy.clear();
      update();
    },
  };
}

/**
 * The same handlers, with each drive job's outcome reported to `glue` when its call settles (the
 * value or error still goes back to the renderer unchanged). A job whose dialog was dismissed
 * (value null: nothing was chosen) is not notified.
 */
export function wrapJobHandlers(handlers: Handlers, glue: Pick<JobGlue, 'jobEnded'>): Handlers {
  const wrapped: Record<string, unknown> = { ...handlers };
  for (const method of Object.keys(JOB_METHODS) as JobMethod[]) {
    const inner = handlers[method] as (params: unknown, signal: AbortSignal) => Promise<unknown>;
    if (!inner) continue;
    wrapped[method] = async (params: { address?: string; to?: string }, signal: AbortSignal) => {
      const address = params.to ?? params.address ?? '';
      try {
        const value = await inner(params, signal);
        if (value !== null) glue.jobEnded(method, address, resultOutcome(value));
        return value;
      } catch (err) {
        const e = err as { code?: string; message?: string };
        glue.jobEnded(method, address, { ok: false, cancelled: e.code === 'CANCELLED' || signal.aborted, message: e.message });
        throw err;
      }
    };
  }
  return wrapped as Handlers;
}
