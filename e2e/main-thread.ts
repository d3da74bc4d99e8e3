// The page's main-thread tasks as Chromium's own tracing records them (CDP Tracing, category
// `toplevel`): for each task its wall time and the main thread's CPU time in it.
//
// Why CPU time: on a loaded machine (2 cores shared by many processes; PSI cpu "some" near 90%) a
// task's wall time is mostly the time its thread waited for a core. A trace of the 100,000-entry
// scroll at load 7 had a style-and-layout pass of 111 ms wall with 0.1 ms of CPU in it; the Long
// Tasks API (wall time only) counted such tasks as the app's. The thread's CPU time per task is
// what the page itself costs, and what a quiet machine would show as wall time.
import type { CDPSession, Page } from '@playwright/test';

export interface MainThreadTask {
  /** Start, in ms on the trace clock. */
  start: number;
  wallMs: number;
  cpuMs: number;
  /** What ran in it, from devtools.timeline events (event types, script function names). */
  what: string;
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { type?: string; functionName?: string; url?: string } };
}

/**
 * Starts recording the page renderer's main-thread tasks; `stop()` ends the trace and returns the
 * outermost tasks of the renderer main thread (the CrRendererMain thread that ran the most tasks:
 * the page's, with a spare renderer idle beside it).
 */
export async function recordMainThreadTasks(page: Page): Promise<{ stop: () => Promise<MainThreadTask[]> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['toplevel', 'devtools.timeline'], excludedCategories: ['*'] } });
  return {
    stop: async () => {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      await cdp.detach();
      return mainThreadTasks(events);
    },
  };
}

function mainThreadTasks(events: TraceEvent[]): MainThreadTask[] {
  const mainThreads = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || !mainThreads.has(key)) continue;
    let list = byThread.get(key);
    if (!list) byThread.set(key, (list = []));
    list.push(e);
  }
  const isTask = (e: TraceEvent) => e.name === 'ThreadControllerImpl::RunTask';
  const thread = [...byThread.values()].sort((a, b) => b.filter(isTask).length - a.filter(isTask).length)[0] ?? [];
  thread.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const tasks: MainThreadTask[] = [];
  let end = -Infinity;
  let current: { task: MainThreadTask; what: Set<string> } | undefined;
  for (const e of thread) {
    if (isTask(e) && e.ts >= end) {
      if (current) current.task.what = [...current.what].slice(0, 6).join(', ');
      end = e.ts + (e.dur ?? 0);
      current = { task: { start: e.ts / 1000, wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000, what: '' }, what: new Set() };
      tasks.push(current.task);
    } else if (current && e.ts < end) {
      const d = e.args?.data;
      if (e.name === 'EventDispatch' && d?.type) current.what.add(d.type);
      else if (e.name === 'FunctionCall' && d?.functionName) current.what.add(`${d.functionName}()`);
      else if (e.name === 'Layout' || e.name === 'Paint' || e.name === 'EvaluateScript') current.what.add(e.name);
    }
  }
  if (current) current.task.what = [...current.what].slice(0, 6).join(', ');
  return tasks;
}

/** "N tasks, X ms CPU in all, M over 16 ms CPU, longest: 12.3 ms CPU / 40 ms wall (wheel, scroll); …" (longest by CPU). */
export function describeTasks(tasks: MainThreadTask[], count = 5): string {
  const cpu = tasks.reduce((sum, t) => sum + t.cpuMs, 0);
  const overFrame = tasks.filter((t) => t.cpuMs > 16).length;
  return `${tasks.length} tasks, ${cpu.toFixed(0)} ms CPU in all, ${overFrame} over 16 ms CPU, longest: ` + [...tasks]
    .sort((a, b) => b.cpuMs - a.cpuMs)
    .slice(0, count)
    .map((t) => `${t.cpuMs.toFixed(1)} ms CPU / ${t.wallMs.toFixed(0)} ms wall${t.what ? ` (${t.what})` : ''}`)
    .join('; ');
}
