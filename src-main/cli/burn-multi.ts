// `glassmaster burn --drive A --drive B … --image F`: the same image to several recorders at once
// (burn/burn-queue.ts). Progress: on a terminal one updating line per drive; otherwise a line per
// drive at most every second, prefixed with the drive; with --json one event per line carrying the
// drive's address, then a result per drive and a summary. The exit code is the worst drive's.
import type { Services } from '../app/services';
import type { BurnOptions, BurnProgress } from '../common/model/burn';
import { formatBurnProgress } from '../burn/progress-text';
import { progressLines } from './progress-lines';
import { burnToDrives, type DriveOutcome } from '../burn/burn-queue';
import type { ByteSourceFactory } from '../burn/burn-service';
import { formatBytes } from '../burn/units';
import { stopOnSignals } from './stop-signals';

/** Repeatable --drive: every value in order. */
export function collectDrives(parse: (v: string) => string): (v: string, prev: string[] | undefined) => string[] {
  return (v, prev) => [...(prev ?? []), parse(v)];
}

function describeOutcome(o: DriveOutcome): string {
  if (!o.ok) return `${o.address}: FAILED (exit code ${o.exitCode}): ${o.error.message}`;
  const c = o.result.copies[o.result.copies.length - 1];
  const v = c.verify && c.verify.level !== 'none' ? `, verified (${c.verify.level})` : ', disc layout checked';
  return `${o.address}: ${c.simulated ? 'simulated' : 'burned'} ${formatBytes(c.sectors * 2048)} with ${c.strategy}${v}. ${o.result.discState}`;
}

/** Burns to every drive; sets process.exitCode to the worst drive's code. */
export async function burnSeveral(services: Services, addresses: string[], open: ByteSourceFactory, options: BurnOptions, json: boolean): Promise<void> {
  const ac = stopOnSignals();
  const tty = process.stderr.isTTY === true && !json;
  const lines = new Map<string, string>(addresses.map((a) => [a, `${a}: waiting`]));
  let drawn = 0;
  const draw = () => {
    // One line per drive, redrawn in place.
    if (drawn) process.stderr.write(`\x1b[${drawn}F`);
    for (const a of addresses) process.stderr.write(`\x1b[2K${lines.get(a)}\n`);
    drawn = addresses.length;
  };
  // Each drive's own progress-lines.ts throttle; on a terminal its line in the block is redrawn.
  const printers = new Map(addresses.map((a) => [a, progressLines<BurnProgress>({
    stage: (p) => p.action,
    format: (p) => `${a}: ${formatBurnProgress(p)}`,
    tty: false,
    intervalMs: tty ? 100 : undefined,
    write: (s) => {
      if (!tty) return void process.stderr.write(s);
      lines.set(a, s.trimEnd());
      draw();
    },
  })]));
  const onProgress = (address: string, p: BurnProgress) => {
    if (json) return void process.stdout.write(`${JSON.stringify({ type: 'progress', address, ...p })}\n`);
    printers.get(address)?.update(p);
  };
  try {
    const r = await burnToDrives(services.burner, addresses, open, options, {
      signal: ac.signal,
      onProgress,
      onDone: (o) => {
        printers.get(o.address)?.end();
        if (json) process.stdout.write(`${JSON.stringify({ type: 'drive-result', ...o })}\n`);
        else if (tty) {
          lines.set(o.address, describeOutcome(o));
          draw();
        }
      },
    });
    if (json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: r.ok, exitCode: r.exitCode, drives: r.drives.map((d) => ({ address: d.address, ok: d.ok, exitCode: d.exitCode })) })}\n`);
    else if (!tty) for (const o of r.drives) process.stdout.write(`${describeOutcome(o)}\n`);
    if (!json) process.stdout.write(`${r.drives.filter((d) => d.ok).length} of ${r.drives.length} discs burned and verified.\n`);
    process.exitCode = r.exitCode;
  } finally {
    ac.dispose();
  }
}
