// The native addon's memory and threading, with real commands held in flight by a test-only
// loopback backend (native/test/device_loopback.cc) compiled with the addon's own sources. The
// attacks: JS detaching (transferring) a data-out buffer while the kernel still reads it, and
// blocking ioctls occupying libuv's 4-thread pool so that fs (and DNS) calls wait behind them.
// SPTI's request arithmetic (native/src/spti_math.h) is compiled and checked with the host g++.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminateInsideNativeCallScript } from '../../testing/addon-terminate-script';
import { inCI, requireTools } from '../../testing/peer-tools';
import type { NativeAddon } from './native-addon';

function nodeHeaders(): string | undefined {
  const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node')];
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found && inCI) throw new Error(`[CI] node headers not found in ${candidates.join(', ')}`);
  return found;
}

const canBuild = requireTools('g++') && nodeHeaders() !== undefined;
const SRC = join(process.cwd(), 'native', 'src');

/** A CDB for the loopback backend: blocks for `ms` (10 ms units), fills 'in' data with `fill`. */
function cdb(ms: number, fill = 0): Uint8Array {
  return Uint8Array.of(0x2a, Math.round(ms / 10), fill, 0, 0, 0, 0, 0, 0, 0);
}

describe.skipIf(!canBuild)('native addon with commands in flight (loopback backend)', () => {
  let dir: string;
  let addon: NativeAddon;
  let handle: number;
  let addonFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-native-loopback-'));
    const out = join(dir, 'glassmaster_native_loopback.node');
    const sources = ['addon.cc', 'execute_worker.cc', 'io_pool.cc', 'file_fill_posix.cc', 'dir_scan_posix.cc', 'tree_read_posix.cc', 'flac_decode.cc'].map((f) => join(SRC, f)).filter(existsSync);
    execFileSync('g++', [
      '-std=c++17', '-shared', '-fPIC', '-O1', '-pthread', '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS',
      `-I${join(process.cwd(), 'node_modules', 'node-addon-api')}`, `-I${nodeHeaders()}`,
      ...sources, join(process.cwd(), 'native', 'test', 'device_loopback.cc'), '-o', out,
    ], { stdio: 'pipe' });
    addonFile = out;
    addon = createRequire(import.meta.url)(out) as NativeAddon;
    handle = await addon.open('/loopback', false);
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a data-out buffer transferred away mid-command: the command sends the bytes it was given', async () => {
    const data = new Uint8Array(65536).fill(0xaa);
    const pending = addon.execute(handle, { cdb: cdb(300), direction: 'out', data, timeoutMs: 10_000 });
    // Detach the caller's buffer while the command runs, and scribble on its new owner.
    const moved = structuredClone(data.buffer, { transfer: [data.buffer] });
    expect(data.byteLength).toBe(0);
    new Uint8Array(moved).fill(0x55);
    const res = await pending;
    const view = new DataView(res.sense.buffer, res.sense.byteOffset, res.sense.byteLength);
    expect(view.getUint32(4, true)).toBe(65536);
    expect(view.getUint32(0, true)).toBe(0xaa * 65536);
  });

  it('an environment torn down with a command in flight neither waits for it nor crashes when it returns', async () => {
    // A worker thread loads the addon, starts a 3 s command and is terminated at once: its addon
    // instance is torn down with the command still blocked on a device thread.
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.file);
      addon.open('/loopback', false).then((h) => {
        addon.execute(h, { cdb: Uint8Array.of(0x2a, 30, 0, 0, 0, 0, 0, 0, 0, 0), direction: 'none', timeoutMs: 10000 });
        parentPort.postMessage('started');
      });`,
      { eval: true, workerData: { file: addonFile } },
    );
    await new Promise((res) => worker.once('message', res));
    const t0 = Date.now();
    await worker.terminate();
    expect(Date.now() - t0).toBeLessThan(2500);
    // Let the orphaned command return into the torn-down environment, then use the addon here.
    await new Promise((r) => setTimeout(r, 3500));
    const res = await addon.execute(handle, { cdb: cdb(10, 7), direction: 'in', length: 16, timeoutMs: 10_000 });
    expect([...res.data]).toEqual(new Array(16).fill(7));
  }, 30_000);

  it('a worker thread that used the addon exits by itself when its work is done', async () => {
    // On the suite's Node, after a device command ran on the pool. The teardown deadlock this guards
    // against showed only under Node 24 (Electron 41's runtime), where this loopback build cannot be
    // compiled here (no Node 24 headers): electron-node-runtime.test.ts runs the real addon there.
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
      const addon = require(workerData.file);
      addon.open('/loopback', false).then((h) => addon.execute(h, { cdb: Uint8Array.of(0x2a, 1, 0, 0, 0, 0, 0, 0, 0, 0), direction: 'none', timeoutMs: 10000 }));`,
      { eval: true, workerData: { file: addonFile } },
    );
    const exited = new Promise<number>((res) => worker.once('exit', res));
    const timedOut = new Promise<string>((res) => setTimeout(() => res('still running after 10 s'), 10_000).unref());
    const outcome = await Promise.race([exited, timedOut]);
    if (typeof outcome === 'string') await worker.terminate();
    expect(outcome).toBe(0);
  }, 30_000);

  it('a worker terminated while it is inside a native call: the process lives on', async () => {
    // The image engine's pool terminates a worker stuck in synchronous work after a cancel's grace
    // period (workers/worker-pool.ts), e.g. mid-scan of a huge folder. Inside scanDir the addon then
    // cannot create its result, node-addon-api turned the refused throw into a C++ exception that
    // nothing caught, and the whole process aborted (SIGABRT; in the app, the Electron main process).
    // Built with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, the call just ends with the thread.
    const script = terminateInsideNativeCallScript(addonFile, dir);
    const r = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, stdout, stderr) => {
        const e = err as (Error & { code?: number; signal?: NodeJS.Signals }) | null;
        resolve({ code: e ? (e.code ?? null) : 0, signal: e?.signal ?? null, stdout, stderr });
      });
    });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('all terminated');
  }, 60_000);

  it('data-in arrives in a buffer of its own, the transferred bytes only', async () => {
    const res = await addon.execute(handle, { cdb: cdb(10, 0x3c), direction: 'in', length: 4096, timeoutMs: 10_000 });
    expect(res.data.byteLength).toBe(4096);
    expect(res.data.every((b) => b === 0x3c)).toBe(true);
    expect(res.data.buffer.byteLength).toBe(4096);
  });

  it('blocking commands do not hold up fs: 4 reads finish while 8 commands are still in flight', async () => {
    const file = join(dir, 'small.txt');
    writeFileSync(file, 'x'.repeat(1000));
    let commandsDone = 0;
    const commands = Array.from({ length: 8 }, () => addon.execute(handle, { cdb: cdb(2500), direction: 'none', timeoutMs: 10_000 }).then(() => commandsDone++));
    const reads = await Promise.all(Array.from({ length: 4 }, () => readFile(file, 'utf8').then((s) => ({ length: s.length, commandsDoneThen: commandsDone }))));
    expect(reads.map((r) => r.length)).toEqual([1000, 1000, 1000, 1000]);
    // Before, the 8 ioctls sat on libuv's 4 threads: the reads waited until commands finished.
    expect(reads.map((r) => r.commandsDoneThen)).toEqual([0, 0, 0, 0]);
    await Promise.all(commands);
    expect(commandsDone).toBe(8);
  }, 30_000);
});

describe.skipIf(!requireTools('g++'))('SPTI request arithmetic (native/src/spti_math.h)', () => {
  it('timeouts round up and saturate, reported lengths are clamped to the buffer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-spti-math-'));
    try {
      const main = join(dir, 'check.cc');
      writeFileSync(
        main,
        `#include <cstdio>
        #include "spti_math.h"
        int main() {
          using namespace gm;
          unsigned values[] = { SptiTimeoutSeconds(0), SptiTimeoutSeconds(1), SptiTimeoutSeconds(1000), SptiTimeoutSeconds(1001),
            SptiTimeoutSeconds(30000), SptiTimeoutSeconds(0xFFFFFC18u), SptiTimeoutSeconds(0xFFFFFC19u), SptiTimeoutSeconds(0xFFFFFFFFu),
            SptiTransferred(2048, 4096), SptiTransferred(2048, 100), SptiTransferred(0, 0xFFFFFFFFu), SptiSenseLength(255, 64), SptiSenseLength(18, 64) };
          for (unsigned v : values) std::printf("%u\\n", v);
        }`,
      );
      const exe = join(dir, 'check');
      execFileSync('g++', ['-std=c++17', '-Wall', '-Wextra', '-Werror', `-I${SRC}`, main, '-o', exe], { stdio: 'pipe' });
      const got = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n').map(Number);
      expect(got).toEqual([1, 1, 1, 2, 30, 86400, 86400, 86400, 2048, 100, 0, 64, 18]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
