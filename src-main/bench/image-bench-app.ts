// The app's path as a standalone process, for the benchmark: what the Electron main process does
// when the user writes an image (ImageEngine.writeFile called from the main thread), while
// perf_hooks measures how long that thread's event loop is held up (a stall the UI would feel).
// `--project` stages the tree as ProjectService.addPaths does today (a synchronous scan on the
// calling thread) instead of handing the host paths to the engine's worker.
// Prints one JSON line: { loopDelayMaxMs, loopDelayP99Ms, bytes }.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ImageEngine } from '../image/image-engine';
import { ProjectService } from '../project/project-service';
import { parseImageArgs } from '../cli/image-args';

const argv = process.argv.slice(2);
const viaProject = argv.includes('--project');
const args = parseImageArgs(argv.filter((a) => a !== '--project'));
const engine = new ImageEngine({ script: fileURLToPath(new URL('./image-worker.mjs', import.meta.url)) });
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
let bytes: number;
if (viaProject) {
  const project = new ProjectService({ engine: () => engine });
  project.addPaths(args.sources.map((s) => s.hostPath));
  const { label, ...rest } = args.options;
  project.setImageOptions(rest as Parameters<ProjectService['setImageOptions']>[0]);
  if (label) project.setLabel(label);
  ({ bytes } = await project.writeImage(args.output, new AbortController().signal));
} else {
  ({ bytes } = await engine.writeFile({ options: args.options, sources: args.sources }, args.output));
}
h.disable();
await engine.close();
process.stdout.write(`${JSON.stringify({ loopDelayMaxMs: h.max / 1e6, loopDelayP99Ms: h.percentile(99) / 1e6, bytes })}\n`);
