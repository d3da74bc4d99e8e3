// The `glassmaster` executable (out/main/cli.js). For `glassmaster image … -o OUT` the image
// engine's worker starts before anything else loads (early-image-engine.ts: the worker's own
// start-up then overlaps the command line's), and the build runs without loading the other
// commands (image-build-entry.ts); every other command line, and a build's arguments that do not
// parse, go to cli/main.ts as always.
import { buildsImage, startImageEngineEarly } from './early-image-engine';

const argv = process.argv.slice(2);
if (buildsImage(argv)) {
  startImageEngineEarly();
  const { runImageBuildOnly } = await import('./image-build-entry');
  const code = await runImageBuildOnly(argv);
  // As cli/main.ts ends a command: at once, with the command's code.
  if (code !== undefined) process.exit(code);
}
await import('./main');
