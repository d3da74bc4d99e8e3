// The two FLAC decoders every FLAC test runs against (audio/flac-libflac.ts): the system's libFLAC
// through the native addon, and the WASM build used where the addon has no libFLAC. The WASM one is
// chosen with GLASSMASTER_WASM_FLAC=1, which audio workers read when they start: a suite sets it
// before it creates its pool (useFlacBackend) and restores it after.
import { afterAll, beforeAll } from 'vitest';
import { flacBackend } from '../audio/flac-backend';
import { inCI } from './peer-tools';

export type FlacBackendName = 'libflac' | 'wasm';

/** [label, backend] for describe.each. */
export const flacBackendCases: Array<[string, FlacBackendName]> = [
  ['system libFLAC through the addon', 'libflac'],
  ['WASM libFLAC', 'wasm'],
];

/**
 * True when `backend` can run here. The addon's libFLAC is missing only where it was built without
 * libflac-dev: in CI (Debian, .ci/install-debian-tools) that is a failure, elsewhere a printed skip.
 */
export function flacBackendAvailable(backend: FlacBackendName): boolean {
  if (backend === 'wasm') return true;
  const saved = process.env.GLASSMASTER_WASM_FLAC;
  delete process.env.GLASSMASTER_WASM_FLAC;
  const ok = flacBackend() === 'libflac';
  if (saved !== undefined) process.env.GLASSMASTER_WASM_FLAC = saved;
  if (ok) return true;
  const msg = 'the native addon has no libFLAC (build it with libflac-dev installed: apt-get install libflac-dev, then npx node-gyp rebuild --directory native)';
  if (inCI && process.platform === 'linux') throw new Error(`[CI] ${msg}`);
  console.warn(`[skip] ${msg}`);
  return false;
}

/** Selects `backend` for this suite's decodes and the audio workers it starts (set before the suite's pools). */
export function useFlacBackend(backend: FlacBackendName): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.GLASSMASTER_WASM_FLAC;
    if (backend === 'wasm') process.env.GLASSMASTER_WASM_FLAC = '1';
    else delete process.env.GLASSMASTER_WASM_FLAC;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.GLASSMASTER_WASM_FLAC;
    else process.env.GLASSMASTER_WASM_FLAC = saved;
  });
}
