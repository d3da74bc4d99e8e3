// The `glassmaster image` command as a standalone process, for the benchmark (bundled to plain JS
// next to the bundled image worker, image-worker.mjs).
import { fileURLToPath } from 'node:url';
import { runImageCommand } from '../cli/image-build';
import { ImageEngine } from '../image/image-engine';

const engine = new ImageEngine({ script: fileURLToPath(new URL('./image-worker.mjs', import.meta.url)) });
const code = await runImageCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, engine });
await engine.close();
process.exitCode = code;
