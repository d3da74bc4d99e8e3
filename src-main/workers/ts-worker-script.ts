// Running from the TypeScript sources (tests, tsx): Node 20 does not apply --import loader hooks
// to a worker's entry module, so TS workers start through a tiny data: URL bootstrap that registers
// tsx and then imports the entry. The built app starts its bundled .js workers directly.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const requireHere = createRequire(import.meta.url);

export function tsWorkerScript(tsPath: string): URL {
  const pkg = requireHere.resolve('tsx/package.json');
  const esmApi = requireHere(pkg).exports['./esm/api'].import.default as string;
  const tsxApi = pathToFileURL(join(dirname(pkg), esmApi)).href;
  const entry = pathToFileURL(tsPath).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
