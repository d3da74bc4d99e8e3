// The `glassmaster` executable (out/main/cli.js). For `glassmaster image … -o OUT` the image
// engine's worker starts before anything else loads (early-image-engine.ts: the worker's own
// start-up then overlaps the command line's), and the build runs without loading the other
// commands (image-build-entry.ts); every other command line, and a build's arguments that do not
// parse, go to cli/main.ts as always.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { buildsImage, startImageEngineEarly } from './early-image-engine';

const argv = process.argv.slice(2);
if (buildsImage(argv)) {
  compileInTheBuildThreads();
  startImageEngineEarly();
  const { runImageBuildOnly } = await import('./image-build-entry');
  const code = await runImageBuildOnly(argv);
  // As cli/main.ts ends a command: at once, with the command's code.
  if (code !== undefined) process.exit(code);
}
await import('./main');

/**
 * On a machine of one or two cores, the build's threads (the image worker and its copying thread,
 * both started after this) compile their optimized code themselves instead of handing it to V8's
 * background compiler threads: the build already keeps two cores busy (planning on one, reading
 * and copying on the other), so background compiles only compete with it for them, and cost more
 * in all. 50,000 small files, rotating rounds of this executable on 2 cores: 2.94 → 2.68 CPU s at
 * the same wall time (1.68 / 1.66 s) on Node 20, and 2.98 → 2.65 CPU s, 1.69 → 1.61 s on Node 24.
 * With more cores the background threads have cores of their own and take that compile time off
 * the planning thread, so nothing changes there. V8 reads the flag when it creates an isolate
 * (its compile dispatcher): this thread keeps its own, the threads started next get none. (A GC
 * flag could not be changed this way: changing one while a collection runs can end the process.)
 */
function compileInTheBuildThreads(): void {
  if (availableParallelism() <= 2) setFlagsFromString('--no-concurrent-recompilation');
}
