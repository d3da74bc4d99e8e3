// How long a thread's event loop is held up, for the benchmarks that run an app path on the main
// thread (image-bench-app.ts, session-plan-bench.ts). On a loaded machine a wall-clock gap may be
// the scheduler's (the thread preempted), so the monitor also reads the main thread's own CPU time
// (Linux /proc/self/task/PID/stat, 10 ms ticks) at every 5 ms timer: a gap between two timers in
// which the main thread itself used more than 50 ms of CPU is a stall of its own work
// (cpuStalls50), whatever the load.
import { readFileSync } from 'node:fs';

/** The main thread's user+system CPU time in ms (its own, not the workers'; 10 ms resolution). */
export function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  // Fields after the parenthesised command name: state is the first, utime the 12th, stime the 13th (proc(5)).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Counts event-loop gaps over 50 ms by wall clock and by the main thread's own CPU time. */
export function stallMonitor(): { stop(): { gaps50: number; cpuStalls50: number; cpuStallMaxMs: number; mainCpuMs: number } } {
  const cpu0 = mainThreadCpuMs();
  let lastWall = performance.now();
  let lastCpu = cpu0;
  let gaps50 = 0;
  let cpuStalls50 = 0;
  let cpuStallMaxMs = 0;
  const tick = () => {
    const wall = performance.now();
    const cpu = mainThreadCpuMs();
    if (wall - lastWall > 50) gaps50++;
    // A 10 ms tick counter: more than 50 ms means at least 60 ms counted.
    if (cpu - lastCpu > 50) cpuStalls50++;
    cpuStallMaxMs = Math.max(cpuStallMaxMs, cpu - lastCpu);
    lastWall = wall;
    lastCpu = cpu;
  };
  const timer = setInterval(tick, 5);
  return {
    stop() {
      tick();
      clearInterval(timer);
      return { gaps50, cpuStalls50, cpuStallMaxMs, mainCpuMs: mainThreadCpuMs() - cpu0 };
    },
  };
}

