// Issue #10: planning the next session of a disc must not hold the calling thread (Electron's main
// process, serve's event loop). A virtual BD-R gets a first session of N files (default 50,000,
// 6 folder levels) through the image engine; then the next session (one new file) is planned and
// produced twice while the stall monitor (stall-monitor.ts) and perf_hooks watch this thread:
//  - "calling thread": the old way, kept as read/disc-session.ts (importDiscSession +
//    planDiscIncrement on this thread);
//  - "image worker": the burn's way now (burn/engine-sources.ts discSessionFactory →
//    ImageEngine.discSessionSource: this thread answers the worker's sector reads and takes chunks).
// Both read the whole increment (what a burn pulls). Prints a table and one JSON line.
// Usage: npm run bench:session -- [--files N]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { BurnService } from '../burn/burn-service';
import { discSessionFactory, engineSourceFactory } from '../burn/engine-sources';
import { DriveService } from '../drive/drive-service';
import type { ByteSource } from '../image/byte-source';
import { ImageEngine } from '../image/image-engine';
import { StagingTree } from '../image/staging/staging-tree';
import { importDiscSession, planDiscIncrement } from '../read/disc-session';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { stallMonitor } from './stall-monitor';

const argv = process.argv.slice(2);
const at = argv.indexOf('--files');
const files = at >= 0 ? Number(argv[at + 1]) : 50_000;

/** N small files in 6 levels of folders (10 per folder at each level until the leaves). */
function corpus(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const parts = [i % 7, Math.floor(i / 7) % 7, Math.floor(i / 49) % 7, Math.floor(i / 343) % 7, Math.floor(i / 2401) % 7].map((x) => `d${x}`);
    const d = join(dir, ...parts);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.txt`), `file ${i}\n`);
  }
}

async function drain(s: ByteSource): Promise<number> {
  let n = 0;
  for (;;) {
    const c = await s.read(512);
    if (!c) return n;
    n += c.length / 2048;
  }
}

async function measure(name: string, run: () => Promise<number>): Promise<Record<string, number | string>> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  const elu = performance.eventLoopUtilization();
  h.enable();
  const stalls = stallMonitor();
  const t0 = performance.now();
  const sectors = await run();
  const wallMs = performance.now() - t0;
  const s = stalls.stop();
  h.disable();
  return { path: name, sectors, wallMs: Math.round(wallMs), loopDelayMaxMs: Math.round(h.max / 1e6), loopBusyMs: Math.round(performance.eventLoopUtilization(elu).active), ...s };
}

const dir = mkdtempSync(join(tmpdir(), 'gm-session-bench-'));
const engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
const vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
try {
  process.stderr.write(`making ${files} files…\n`);
  corpus(join(dir, 'src'), files);
  writeFileSync(join(dir, 'new.txt'), 'the next session\n');
  const address = await vt.create('bd', { media: 'bd-r' });
  vt.recorder('bd').clearUnitAttention();
  const drives = new DriveService({ transports: [vt], drive: { retryDelayMs: 1 }, leaseDir: join(dir, 'leases') });
  const burner = new BurnService({ drives, pollMs: 2, progressIntervalMs: 0 });
  process.stderr.write('burning the first session…\n');
  await burner.burn(address, engineSourceFactory(() => engine, { options: { label: 'BIG' }, sources: [{ dest: '/', hostPath: join(dir, 'src') }] }), { verify: 'none', close: 'session' });
  const media = await drives.media(address);
  const next = { options: { label: 'NEXT', date: '2026-12-05T00:00:00Z' }, sources: [{ dest: '/new.txt', hostPath: join(dir, 'new.txt') }] };
  const rows: Array<Record<string, number | string>> = [];
  const lease = await drives.lease(address, 'read');
  try {
    const signal = new AbortController().signal;
    rows.push(await measure('calling thread (before)', async () => {
      const tree = new StagingTree({ now: new Date(next.options.date) });
      const imported = await importDiscSession(lease.drive, tree);
      tree.addHostPath('/new.txt', join(dir, 'new.txt'));
      const { source } = await planDiscIncrement(tree, imported, { iso9660: true, joliet: true, rockRidge: true, label: 'NEXT' });
      return drain(source);
    }));
    rows.push(await measure('image worker (now)', async () => drain(await discSessionFactory(() => engine, next)({ drive: lease.drive, media, signal }))));
  } finally {
    await lease.release();
  }
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  process.stdout.write(`\nNext session of a disc with ${files} files (load ${load}):\n`);
  process.stdout.write(`${'path'.padEnd(26)} ${'sectors'.padStart(8)} ${'wall ms'.padStart(8)} ${'loop max ms'.padStart(12)} ${'own-CPU stalls>50ms'.padStart(20)} ${'max own-CPU gap ms'.padStart(19)} ${'main CPU ms'.padStart(12)}\n`);
  for (const r of rows) {
    process.stdout.write(`${String(r.path).padEnd(26)} ${String(r.sectors).padStart(8)} ${String(r.wallMs).padStart(8)} ${String(r.loopDelayMaxMs).padStart(12)} ${String(r.cpuStalls50).padStart(20)} ${String(r.cpuStallMaxMs).padStart(19)} ${String(r.mainCpuMs).padStart(12)}\n`);
  }
  process.stdout.write(`${JSON.stringify({ files, load, rows })}\n`);
} finally {
  await engine.close();
  await vt.dispose();
  rmSync(dir, { recursive: true, force: true });
}
