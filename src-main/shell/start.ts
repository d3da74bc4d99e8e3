// `npm start`: the Electron app when its binary is installed; otherwise one line saying so and the
// browser shell instead (same UI, same services).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packageInfo } from '../app/package-info';
import { runCli } from '../cli/main';

function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const args = process.argv.slice(2);
const electron = electronBinary();
if (electron) {
  const child = spawn(electron, [packageInfo().root, ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): starting the browser shell instead.');
  void runCli(['serve', ...args]).then((code) => process.exit(code));
}
