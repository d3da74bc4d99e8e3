// Where the app's files are (renderer build, addon) and its version, from any entry point: vitest
// on the sources, the bundled out/main/*.js, or a packaged Electron app.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageRoot } from '../transport/native/native-addon';

let cached: { root: string; version: string } | undefined;

export function packageInfo(): { root: string; version: string } {
  if (cached) return cached;
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url))) ?? process.cwd();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return (cached = { root, version });
}

export function rendererDir(): string {
  return join(packageInfo().root, 'out', 'renderer');
}
