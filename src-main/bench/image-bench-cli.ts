// The `glassmaster image` command as a standalone process, for the benchmark (bundled to plain JS
// next to the bundled image worker, image-worker.mjs). As the executable's entry (cli/cli-entry.ts):
// the image worker starts first, then the command line loads.
import { fileURLToPath } from 'node:url';
import { startImageEngineEarly } from '../cli/early-image-engine';

startImageEngineEarly(fileURLToPath(new URL('./image-worker.mjs', import.meta.url)));
const { runImageCommand } = await import('../cli/image-build');
process.exitCode = await runImageCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
