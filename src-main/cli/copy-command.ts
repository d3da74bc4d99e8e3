// glassmaster copy --from D1 --to D2 [burn options]: a disc copied to a blank disc and verified in
// full against the source (burn/copy-service.ts). With one drive (--from D --to D) the disc is read
// to a temporary image, the prompt to insert a blank disc goes to stderr, and the copy continues
// once the drive holds one. Progress on stderr (a line a second); with --json, one JSON event per
// line on stdout and the result last. Exit codes: 0 copied and verified, 2 bad arguments, 3 drive
// or disc trouble (busy, blank source, unreadable sector, no room), 4 the copy does not match,
// 130 cancelled.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DriveAddress } from '../common/ipc/contract';
import { GlassmasterError } from '../common/errors';
import type { BurnOptions } from '../common/model/burn';
import type { CopyProgress, CopyResult } from '../common/model/copy';
import { formatBurnProgress } from '../burn/progress-text';
import { formatBytes } from '../burn/units';
import { formatVerifyReport } from '../verify/verify-text';
import { parseSpeed } from './burn-commands';
import { progressLines, type ProgressLines } from './progress-lines';
import { stopOnSignals } from './stop-signals';

function parseAddress(v: string): string {
  if (!DriveAddress.safeParse(v).success) throw new InvalidArgumentError(`'${v}' is not a drive address (/dev/srN, iscsi://HOST[:PORT]/IQN/LUN, virtual:NAME)`);
  return v;
}

function parseRetries(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('retries is a whole number from 0 to 100');
  return n;
}

type CopyLineProgress = Exclude<CopyProgress, { stage: 'waiting-for-disc' }>;

/** Progress lines (progress-lines.ts) per stage and phase; the swap prompt always on its own line. */
function copyPrinter(json: boolean): ProgressLines<CopyProgress> {
  if (json) return { update: (p) => void process.stdout.write(`${JSON.stringify({ type: 'progress', ...p })}\n`), end: () => undefined };
  const lines = progressLines<CopyLineProgress>({
    stage: (p) => (p.stage === 'reading' ? `read:${p.read.phase}` : `burn:${p.session?.number ?? ''}:${p.burn.action}`),
    format: (p) => {
      if (p.stage !== 'reading') return `${p.session ? `Session ${p.session.number} of ${p.session.of}: ` : ''}${formatBurnProgress(p.burn)}`;
      const r = p.read;
      const pct = r.totalSectors ? ` ${Math.floor((100 * r.sectorsDone) / r.totalSectors)}%` : '';
      return `Reading the source disc: ${r.phase}${pct} (${r.sectorsDone}/${r.totalSectors} sectors, ${formatBytes(r.kBps * 1000)}/s)`;
    },
  });
  return {
    update(p) {
      if (p.stage !== 'waiting-for-disc') return lines.update(p);
      lines.end();
      process.stderr.write(`${p.message}\n`);
    },
    end: () => lines.end(),
  };
}

function describeCopy(r: CopyResult): string {
  const how = r.mode === 'stream' ? `streamed from ${r.from} to ${r.to}` : `through a temporary image in ${r.from}`;
  if (r.sessions) {
    const lines = [`Copied ${r.sessions.length} sessions (${how}), each at the source's sectors:`];
    for (const s of r.sessions) {
      const v = s.burn.copies[0].verify;
      lines.push(`  session ${s.number}: sectors ${s.startLba}–${s.startLba + s.sectors - 1} (${formatBytes(s.sectors * 2048)}), ${s.closed === 'disc' ? 'finalized' : 'closed, appendable'}${v ? `, verify ${v.level}: ${v.ok ? 'matches the source' : 'DIFFERS'}` : ''}`);
    }
    lines.push(r.burn.discState);
    return lines.join('\n');
  }
  const c = r.burn.copies[r.burn.copies.length - 1];
  const lines = [`Copied ${formatBytes(c.sectors * 2048)} (${how}) with ${c.strategy}. ${r.burn.discState}`];
  if (c.verify) lines.push(formatVerifyReport(c.verify));
  return lines.join('\n');
}

export function registerCopyCommand(program: Command): void {
  program
    .command('copy')
    .description('copy a data disc to a blank disc and verify the copy (one drive: read, swap discs, write)')
    .requiredOption('--from <address>', 'the drive holding the disc to copy', parseAddress)
    .requiredOption('--to <address>', 'the drive to write the copy in (the same drive: you are asked to swap discs)', parseAddress)
    .option('--speed <speed>', 'max (default), a multiple like 16 or 16x, or kB/s like 5540k', parseSpeed)
    .addOption(new Option('--close', 'close the (last) session: the copy stays appendable').conflicts('finalize'))
    .addOption(new Option('--finalize', 'finalize the copy (default for one session; a multisession copy ends as the source does)'))
    .addOption(new Option('--verify <level>', 'read the copy back: none, quick or full (default)').choices(['none', 'quick', 'full']).default('full'))
    .option('--eject', 'open the tray when done')
    .option('--no-burn-free', 'turn buffer under-run protection (BURN-Free) off')
    .addOption(new Option('--write-mode <mode>', 'CD: tao or sao; DVD-R/RW: dao or incremental').choices(['auto', 'tao', 'sao', 'dao', 'incremental']))
    .option('--retries <n>', 're-reads of a damaged source sector (default 3)', parseRetries)
    .option('--json', 'one JSON event per line on stdout')
    .addHelpText('after', '\nA disc of several sessions is copied session by session to a blank disc of the same kind (DVD+R to DVD+R, CD-R to CD-R …): each session at the\nsource\'s sectors, closed so the next can follow, the last left appendable or finalized as on the source, each verified against the source.\n\nExamples:\n  glassmaster copy --from /dev/sr0 --to /dev/sr1\n  glassmaster copy --from /dev/sr0 --to /dev/sr0 --speed 8x\n')
    .action(async (o: {
      from: string; to: string; speed?: Pick<BurnOptions, 'speed' | 'speedX'>; close?: boolean; verify: 'none' | 'quick' | 'full'; eject?: boolean; burnFree: boolean;
      writeMode?: BurnOptions['writeMode']; retries?: number; json?: boolean; finalize?: boolean;
    }) => {
      const options: BurnOptions = { ...o.speed, close: o.close ? 'session' : o.finalize ? 'disc' : undefined, verify: o.verify, eject: o.eject, burnFree: o.burnFree, writeMode: o.writeMode };
      const { createServices } = await import('../app/services');
      const services = await createServices({ shell: 'cli', watch: false });
      const ac = stopOnSignals();
      try {
        const printer = copyPrinter(o.json === true);
        const r = await services.copier.copy(o.from, o.to, options, { retries: o.retries }, { signal: ac.signal, onProgress: (p) => printer.update(p) }).finally(() => printer.end());
        process.stdout.write(o.json ? `${JSON.stringify({ type: 'result', ok: true, result: r })}\n` : `${describeCopy(r)}\n`);
      } catch (e) {
        const err = GlassmasterError.from(e);
        if (o.json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: false, error: err.toJSON() })}\n`);
        else if (err.code === 'VERIFICATION' && (err.details as { report?: unknown } | undefined)?.report) {
          process.stdout.write(`${formatVerifyReport((err.details as { report: Parameters<typeof formatVerifyReport>[0] }).report)}\n`);
        }
        throw e;
      } finally {
        ac.dispose();
        await services.close();
      }
    });
}
