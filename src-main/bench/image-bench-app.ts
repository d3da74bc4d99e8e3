// The app's path as a standalone process, for the benchmark: what the Electron main process does
// when the user writes an image (ImageEngine.writeFile called from the main thread), while
// perf_hooks measures how long that thread's event loop is held up (a stall the UI would feel).
// `--project` goes through ProjectService as the app does: addPaths (the folder scanned in the
// engine's worker, the tree rebuilt in slices here), then writeImage.
// `--idle SECONDS` is the control: the same monitor on an idle loop, so what the shared machine's
// scheduler alone adds to the delay (a preempted thread) is seen apart from what the app path does.
// Prints one JSON line: { loopDelayMaxMs, loopDelayP99Ms, loopBusyMs, gaps50, cpuStalls50, cpuStallMaxMs,
// mainCpuMs, bytes } (loopBusyMs: time the main thread spent running callbacks, from
// eventLoopUtilization). On a loaded machine a wall-clock gap may be the scheduler's (the thread
// preempted), so the stall monitor below also reads the main thread's own CPU time (Linux
// /proc/self/task/PID/stat, 10 ms ticks) at every 5 ms timer: a gap between two timers in which the
// main thread itself used more than 50 ms of CPU is a stall of its own work (cpuStalls50), whatever the load.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startImageEngineEarly, takeEarlyImageEngine } from '../cli/early-image-engine';
import { stallMonitor } from './stall-monitor';

// The image worker starts first, as the executable starts it (cli/cli-entry.ts) and as the app's
// engine is up long before a user adds a folder; then the rest loads. The worker is the app's
// built one (GLASSMASTER_BENCH_IMAGE_WORKER: the bench points it at out/main/image-worker.js, the
// file the app and the CLI run), else the one bundled beside this script.
const argv = process.argv.slice(2);
const workerScript = process.env.GLASSMASTER_BENCH_IMAGE_WORKER ?? fileURLToPath(new URL('./image-worker.mjs', import.meta.url));
if (!argv.includes('--idle')) startImageEngineEarly(workerScript);
const { ProjectService } = await import('../project/project-service');
const { parseImageArgs } = await import('../cli/image-args');

const idle = argv.indexOf('--idle');
if (idle >= 0) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  const elu = performance.eventLoopUtilization();
  h.enable();
  const stalls = stallMonitor();
  await sleep(Number(argv[idle + 1]) * 1000);
  const s = stalls.stop();
  h.disable();
  const busy = performance.eventLoopUtilization(elu).active;
  process.stdout.write(`${JSON.stringify({ loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, loopBusyMs: busy, ...s })}\n`);
  process.exit(0);
}
const viaProject = argv.includes('--project');
const args = parseImageArgs(argv.filter((a) => a !== '--project'));
const engine = takeEarlyImageEngine()!;
const h = monitorEventLoopDelay({ resolution: 5 });
const elu = performance.eventLoopUtilization();
h.enable();
const stalls = stallMonitor();
let bytes: number;
if (viaProject) {
  const project = new ProjectService({ engine: () => engine });
  const { label, ...rest } = args.options;
  project.setImageOptions(rest as Parameters<InstanceType<typeof ProjectService>['setImageOptions']>[0]);
  await project.addPaths(args.sources.map((s) => s.hostPath));
  if (label) project.setLabel(label);
  ({ bytes } = await project.writeImage(args.output, new AbortController().signal));
} else {
  ({ bytes } = await engine.writeFile({ options: args.options, sources: args.sources }, args.output));
}
const s = stalls.stop();
h.disable();
const busy = performance.eventLoopUtilization(elu).active;
await engine.close();
process.stdout.write(`${JSON.stringify({ loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, loopBusyMs: busy, ...s, bytes })}\n`);
