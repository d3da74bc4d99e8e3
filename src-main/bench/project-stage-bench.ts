// `tsx src-main/bench/project-stage-bench.ts DIR [--out JSON]`: what the Electron main process
// feels while the user adds a big folder to the data project. Bundles the image worker, then in a
// child process stages DIR through ProjectService.addPaths (as the `project.addPaths` IPC handler
// does) and waits for the capacity plan, with perf_hooks measuring the main thread's event-loop
// delay (monitorEventLoopDelay, 5 ms resolution) and busy time (eventLoopUtilization().active).
// Prints one JSON line per phase (stage, plan) with the load average at the start.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dir = process.argv[2];
if (!dir) throw new Error('usage: project-stage-bench.ts DIR');
const out = path.join(os.tmpdir(), `gm-stage-bench-${process.pid}`);
const esbuild = (await import('esbuild' as string)) as { buildSync(o: unknown): unknown };
esbuild.buildSync({
  entryPoints: { 'stage-probe': path.join(here, 'project-stage-probe.ts'), 'image-worker': path.join(root, 'src-main/image/worker/image-worker.ts'), 'copy-worker': path.join(root, 'src-main/image/worker/copy-worker.ts') },
  bundle: true, platform: 'node', format: 'esm', target: 'node20', outdir: out, outExtension: { '.js': '.mjs' }, logLevel: 'error',
  banner: { js: "import { createRequire as __gmCreateRequire } from 'node:module'; const require = __gmCreateRequire(import.meta.url);" },
});
process.stdout.write(execFileSync(process.execPath, [path.join(out, 'stage-probe.mjs'), path.resolve(dir)], { encoding: 'utf8' }));
