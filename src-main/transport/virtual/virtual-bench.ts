// Throughput of the virtual recorder through Drive (WRITE(10)/READ(10) of 32-block commands) and
// the cost of media detection. A benchmark, not a test: `npx tsx src-main/transport/virtual/virtual-bench.ts [MiB]`.
import { pathToFileURL } from 'node:url';
import { Drive } from '../../drive/drive';
import { buildRead10 } from '../../mmc/commands/read';
import { buildWrite10 } from '../../mmc/commands/write';
import { virtualFixture } from './testing';

export interface VirtualBenchResult {
  mib: number;
  writeMiBps: number;
  readMiBps: number;
  mediaMs: number;
}

export async function benchVirtualRecorder(mib = 256): Promise<VirtualBenchResult> {
  const f = await virtualFixture('dvd+r', { name: 'bench' });
  try {
    const d = new Drive(f.device);
    const chunk = new Uint8Array(32 * 2048).fill(0x42);
    const blocks = (mib * 1024 * 1024) / 2048;
    let t0 = performance.now();
    for (let lba = 0; lba < blocks; lba += 32) await d.execute(buildWrite10(lba, 32, chunk));
    const writeMs = performance.now() - t0;
    t0 = performance.now();
    for (let lba = 0; lba < blocks; lba += 32) await d.execute(buildRead10(lba, 32));
    const readMs = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < 100; i++) await d.media();
    const mediaMs = (performance.now() - t0) / 100;
    return { mib, writeMiBps: mib / (writeMs / 1000), readMiBps: mib / (readMs / 1000), mediaMs };
  } finally {
    await f.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchVirtualRecorder(Number(process.argv[2] ?? 256));
  console.log(`virtual recorder: write ${r.writeMiBps.toFixed(0)} MiB/s, read ${r.readMiBps.toFixed(0)} MiB/s over ${r.mib} MiB; Drive.media() ${r.mediaMs.toFixed(2)} ms`);
}
