// The built worker entries (electron.vite.config.ts selfContainedWorkers): each is one file that
// loads no chunk of the main build, the copier's sits beside the image worker's (copyWorkerEntry
// looks for it there), and an image written through the built engine is the same bytes as one
// written through the sources. `npm test` builds before it runs the unit tests; elsewhere, without
// a build, this skips and says so (in CI it fails).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageEngine } from './image-engine';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { mktemp, sha256File } from './test-support/peers';
import { inCI } from '../testing/peer-tools';
import { startWorkerEarly, takeEarlyWorker } from '../workers/early-worker';

const outMain = fileURLToPath(new URL('../../out/main/', import.meta.url));
const WORKERS = ['image-worker', 'copy-worker', 'audio-worker'];
const built = WORKERS.every((w) => fs.existsSync(path.join(outMain, `${w}.js`)));
if (!built) {
  const msg = `no built worker entries in ${outMain}: run npm run build`;
  if (inCI) throw new Error(`[CI] ${msg}`);
  console.warn(`[skip] ${msg}`);
}

describe.skipIf(!built)('built worker entries', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mktemp('gm-built-workers-');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(WORKERS)('%s.js imports no other file of the build', (name) => {
    const code = fs.readFileSync(path.join(outMain, `${name}.js`), 'utf8');
    // Imports of a relative path — `from "./x"`, `import "./x"` (side effects only), `import("./x")` —
    // are what the one-file bundle inlined.
    const relative = [...code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*(["'])(\.{1,2}\/[^"']*)\1/g)].map((m) => m[2]);
    expect(relative).toEqual([]);
  });

  it('writes through the built image worker and its copier the bytes the sources write', async () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(path.join(src, 'docs'), { recursive: true });
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(src, 'docs', `f${i}.txt`), `file ${i}\n`.repeat(i * 100 + 1));
    fs.writeFileSync(path.join(src, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 5, 7));
    const request = { options: { date: '2024-03-04T05:06:07Z' }, sources: [{ dest: '/', hostPath: src }] };
    // The built engine's first thread is one started early, as the executable starts it (cli/early-start.ts).
    const builtScript = path.join(outMain, 'image-worker.js');
    startWorkerEarly(builtScript);
    const engines = {
      built: new ImageEngine({ script: builtScript }).prestart(),
      sources: new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('./worker/image-worker.ts', import.meta.url))) }),
    };
    try {
      expect(takeEarlyWorker(builtScript)).toBeUndefined(); // the engine's pool took it
      const builtIso = path.join(tmp, 'built.iso');
      const sourcesIso = path.join(tmp, 'sources.iso');
      await engines.built.writeFile(request, builtIso);
      await engines.sources.writeFile(request, sourcesIso);
      expect(fs.statSync(builtIso).size).toBeGreaterThan(3 * 1024 * 1024);
      expect(sha256File(builtIso)).toBe(sha256File(sourcesIso));
    } finally {
      await engines.built.close();
      await engines.sources.close();
    }
  });
});
