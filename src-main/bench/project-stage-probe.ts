// The child of project-stage-bench.ts (bundled beside image-worker.mjs): stages one folder through
// ProjectService.addPaths and waits for the capacity plan, measuring the event loop of this thread.
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ImageEngine } from '../image/image-engine';
import { ProjectService } from '../project/project-service';
import type { ProjectSnapshot } from '../common/model/project';

const dir = process.argv[2]!;
const engine = new ImageEngine({ script: fileURLToPath(new URL('./image-worker.mjs', import.meta.url)) });
let planned: (s: ProjectSnapshot) => void = () => undefined;
const plan = new Promise<ProjectSnapshot>((r) => (planned = r));
const project = new ProjectService({ engine: () => engine, planDelayMs: 0, onChange: (s) => s.imageBytes !== null && planned(s) });
// Warm the worker up (thread start and module load are not staging).
await engine.plan({ options: {}, sources: [] }).catch(() => undefined);

function measure() {
  const h = monitorEventLoopDelay({ resolution: 5 });
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  // The longest gap between ticks of a 1 ms interval, including the one still open at the end: a
  // synchronous scan blocks the loop throughout, which the histogram (sampled by a timer that never
  // fires while blocked) does not see.
  let last = t0;
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  h.enable();
  return () => {
    h.disable();
    clearInterval(tick);
    maxGap = Math.max(maxGap, performance.now() - last);
    return { maxStallMs: Math.round(maxGap), wallMs: Math.round(performance.now() - t0), loopDelayMaxMs: +(h.max / 1e6).toFixed(1), loopDelayP99Ms: +(h.percentile(99) / 1e6).toFixed(1), busyMs: Math.round(performance.eventLoopUtilization(elu).active) };
  };
}
const load = os.loadavg()[0]!.toFixed(2);
let stop = measure();
const r = await project.addPaths([dir]);
const stage = stop();
stop = measure();
const s = await plan;
const planPhase = stop();
process.stdout.write(`${JSON.stringify({ phase: 'stage', files: r.snapshot.files, load, ...stage })}\n`);
process.stdout.write(`${JSON.stringify({ phase: 'plan', imageBytes: s.imageBytes, ...planPhase })}\n`);
await project.dispose();
await engine.close();
