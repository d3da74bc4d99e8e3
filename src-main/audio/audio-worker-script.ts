// The audio worker's entry: the bundled out/main/audio-worker.js in the built app, or the TypeScript
// source through tsx when running from sources (tests, `tsx`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageInfo } from '../app/package-info';
import { tsWorkerScript } from '../workers/ts-worker-script';

export function audioWorkerScript(): string | URL {
  const { root } = packageInfo();
  const runningFromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const built = join(root, 'out', 'main', 'audio-worker.js');
  if (!runningFromSources && existsSync(built)) return built;
  return tsWorkerScript(join(root, 'src-main', 'audio', 'worker', 'audio-worker.ts'));
}
