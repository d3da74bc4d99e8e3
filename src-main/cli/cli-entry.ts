// The `glassmaster` executable (out/main/cli.js). For `glassmaster image … -o OUT` the image
// worker starts before anything else loads (early-start.ts), the engine that takes it next
// (early-image-engine.ts: the worker's own start-up then overlaps the command line's), and the
// build runs without loading the other commands (image-build-entry.ts); every other command line,
// and a build's arguments that do not parse, go to cli/main.ts as always.
import { buildsImage, startBuiltImageWorker } from './early-start';

const argv = process.argv.slice(2);
if (buildsImage(argv)) {
  startBuiltImageWorker(import.meta.url);
  const { startImageEngineEarly } = await import('./early-image-engine');
  startImageEngineEarly();
  const { runImageBuildOnly } = await import('./image-build-entry');
  const code = await runImageBuildOnly(argv);
  // As cli/main.ts ends a command: at once, with the command's code.
  if (code !== undefined) process.exit(code);
}
await import('./main');
