// The `glassmaster` executable (out/main/cli.js). For `glassmaster image … -o OUT` the image
// engine's worker starts before the rest of the command line loads (early-image-engine.ts: the
// worker's own start-up then overlaps it); cli/main.ts runs the command as always.
import { buildsImage, startImageEngineEarly } from './early-image-engine';

if (buildsImage(process.argv.slice(2))) startImageEngineEarly();
await import('./main');
