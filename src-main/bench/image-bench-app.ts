// The app's path as a standalone process, for the benchmark: what the Electron main process does
// when the user writes an image (ImageEngine.writeFile called from the main thread), while
// perf_hooks measures how long that thread's event loop is held up (a stall the UI would feel).
// `--project` goes through ProjectService as the app does: addPaths (the folder scanned in the
// engine's worker, the tree rebuilt in slices here), then writeImage.
// `--idle SECONDS` is the control: the same monitor on an idle loop, so what the shared machine's
// scheduler alone adds to the delay (a preempted thread) is seen apart from what the app path does.
// Prints one JSON line: { loopDelayMaxMs, loopDelayP99Ms, loopBusyMs, bytes } (loopBusyMs: time the
// main thread spent running callbacks, from eventLoopUtilization: its own work, not preemption).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ImageEngine } from '../image/image-engine';
import { ProjectService } from '../project/project-service';
import { parseImageArgs } from '../cli/image-args';

const argv = process.argv.slice(2);
const idle = argv.indexOf('--idle');
if (idle >= 0) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  const elu = performance.eventLoopUtilization();
  h.enable();
  await sleep(Number(argv[idle + 1]) * 1000);
  h.disable();
  const busy = performance.eventLoopUtilization(elu).active;
  process.stdout.write(`${JSON.stringify({ loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, loopBusyMs: busy })}\n`);
  process.exit(0);
}
const viaProject = argv.includes('--project');
const args = parseImageArgs(argv.filter((a) => a !== '--project'));
const engine = new ImageEngine({ script: fileURLToPath(new URL('./image-worker.mjs', import.meta.url)) });
const h = monitorEventLoopDelay({ resolution: 5 });
const elu = performance.eventLoopUtilization();
h.enable();
let bytes: number;
if (viaProject) {
  const project = new ProjectService({ engine: () => engine });
  const { label, ...rest } = args.options;
  project.setImageOptions(rest as Parameters<ProjectService['setImageOptions']>[0]);
  await project.addPaths(args.sources.map((s) => s.hostPath));
  if (label) project.setLabel(label);
  ({ bytes } = await project.writeImage(args.output, new AbortController().signal));
} else {
  ({ bytes } = await engine.writeFile({ options: args.options, sources: args.sources }, args.output));
}
h.disable();
const busy = performance.eventLoopUtilization(elu).active;
await engine.close();
process.stdout.write(`${JSON.stringify({ loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, loopBusyMs: busy, bytes })}\n`);
