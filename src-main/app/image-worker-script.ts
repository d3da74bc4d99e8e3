// The image engine's worker entry: the bundled out/main/image-worker.js in the built app, or the
// TypeScript source through tsx when the services run from sources (tests, `tsx`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageInfo } from './package-info';
import { tsWorkerScript } from '../workers/ts-worker-script';

export function imageWorkerScript(): string | URL {
  const { root } = packageInfo();
  const runningFromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const built = join(root, 'out', 'main', 'image-worker.js');
  if (!runningFromSources && existsSync(built)) return built;
  return tsWorkerScript(join(root, 'src-main', 'image', 'worker', 'image-worker.ts'));
}
