// Runs INSIDE the QEMU guest (see native-transport.timeout.guest.test.ts): a READ(10) that QEMU's
// I/O throttle holds far longer than its timeoutMs must come back as a TransportError ETIMEDOUT
// bounded by that timeout, and the drive must answer again afterwards. Results go to
// $GM_OUT/results.json; the host judges.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeTransport } from './native-transport';
import { guestOut, signalHost, waitHost } from '../../testing/qemu/guest-signals';

const out = guestOut;
const results: Record<string, unknown> = {};

// READ(10) (MMC-6 §6.15) of 32 blocks from LBA 100.
const read32 = new Uint8Array([0x28, 0, 0, 0, 0, 100, 0, 0, 32, 0]);

async function main() {
  const transport = new NativeTransport();
  const [drive] = await transport.list();
  results.drive = drive;
  for (const [name, address] of [['sr', drive.address], ['sg', drive.sgNode as string]] as const) {
    const dev = await transport.open(address);
    signalHost(`throttle-${name}`);
    await waitHost(`throttled-${name}`);
    // QEMU's throttle lets the first request through and charges its bytes: the second waits
    // (64 KiB at 4 KiB/s ≈ 16 s), far beyond the 3 s timeout.
    const first = await dev.execute({ cdb: read32, direction: 'in', length: 65536, timeoutMs: 3000 });
    const t0 = Date.now();
    let second: unknown;
    try {
      const r = await dev.execute({ cdb: read32, direction: 'in', length: 65536, timeoutMs: 3000 });
      second = { ok: true, status: r.status };
    } catch (err) {
      const e = err as { name?: string; errno?: unknown; syscall?: string; disconnected?: boolean };
      second = { name: e.name, errno: e.errno, syscall: e.syscall, disconnected: e.disconnected };
    }
    const elapsedMs = Date.now() - t0;
    signalHost(`unthrottle-${name}`);
    await waitHost(`unthrottled-${name}`);
    // After the error handler aborted the command the drive answers again (a unit attention for
    // the reset may come first).
    const after: number[] = [];
    for (let i = 0; i < 3; i++) after.push((await dev.execute({ cdb: new Uint8Array(6), direction: 'none', timeoutMs: 10_000 })).status);
    results[name] = { firstStatus: first.status, second, elapsedMs, after };
    await dev.close();
  }
}

main()
  .then(() => writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1)))
  .catch((err: unknown) => {
    results.fatal = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err);
    writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
    process.exitCode = 1;
  });
