// What the executable does before anything else loads, for `glassmaster image … -o OUT`: it starts
// the built image worker (workers/early-worker.ts) with nothing but Node's own modules loaded. The
// engine's code (~25 ms of modules) loads meanwhile, and its pool takes that thread
// (early-image-engine.ts). Kept to Node's modules and the early-worker registry: everything this
// file imports loads before the worker can start.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorkerEarly } from '../workers/early-worker';

/**
 * Whether a command line builds an image to a file (`image … -o OUT`, not --help): only then is the
 * worker worth starting before the command line is parsed (a wasted start costs ~0.05 CPU s).
 */
export function buildsImage(argv: readonly string[]): boolean {
  if (argv[0] !== 'image') return false;
  if (argv.some((a) => a === '-h' || a === '--help' || a === '--list' || a === '--inspect' || a === '--preflight')) return false;
  return argv.some((a) => a === '-o' || a === '--output' || a.startsWith('--output=') || (a.startsWith('-o') && a.length > 2));
}

/**
 * Starts the image worker built beside the executable (out/main/image-worker.js, the entry
 * app/image-worker-script.ts names for the built app); from the sources (`entryUrl` a .ts file)
 * nothing starts here and the engine starts its worker as before.
 */
export function startBuiltImageWorker(entryUrl: string): void {
  const entry = fileURLToPath(entryUrl);
  if (entry.endsWith('.ts')) return;
  const worker = join(dirname(entry), 'image-worker.js');
  if (existsSync(worker)) startWorkerEarly(worker);
}
