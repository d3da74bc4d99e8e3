// Disc commands: read (a disc to an ISO or BIN/CUE), verify (a disc against an image, a folder or
// its own SHA256SUMS), ls (the disc's file systems), and `virtual press` (a pressed test disc).
// Progress goes to stderr; with --json, one JSON event per line on stdout and the report last.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Services } from '../app/services';
import { DriveAddress } from '../common/ipc/contract';
import { InvalidInputError } from '../common/errors';
import { ExitCode } from '../common/exit-codes';
import type { DiscProgress, DiscReadReport } from '../common/model/verify-report';
import type { TreeNode } from '../image/reader';
import { DiscService } from '../read/disc-service';
import { formatRanges } from '../read/owners';
import { formatBytes } from '../common/byte-size';
import type { VerifyTarget } from '../verify/verify-disc';
import { escapeName } from '../common/display-name';
import { formatVerifyReport } from '../verify/verify-text';
import { stopOnSignals } from './stop-signals';
import { progressLines } from './progress-lines';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');

function parseAddress(v: string): string {
  if (!DriveAddress.safeParse(v).success) throw new InvalidInputError(`'${v}' is not a drive address (/dev/srN, iscsi://HOST[:PORT]/IQN/LUN, virtual:NAME)`);
  return v;
}

function parseRetries(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('retries is a whole number from 0 to 100');
  return n;
}

async function withDiscs<T>(fn: (discs: DiscService, s: Services, signal: AbortSignal) => Promise<T>): Promise<T> {
  const { createServices } = await import('../app/services');
  const services = await createServices({ shell: 'cli', watch: false });
  // SIGINT, SIGTERM and SIGHUP cancel alike (a read's partials are removed; cli/stop-signals.ts).
  const stop = stopOnSignals();
  try {
    return await fn(new DiscService(services.drives), services, stop.signal);
  } finally {
    stop.dispose();
    await services.close();
  }
}

function formatDiscProgress(p: DiscProgress): string {
  const pct = p.totalSectors ? ` ${((100 * p.sectorsDone) / p.totalSectors).toFixed(1)}%` : '';
  const bad = p.badSectors ? `, ${p.badSectors} unreadable` : '';
  return `${p.operation}: ${p.phase}${pct} (${p.sectorsDone}/${p.totalSectors} sectors, ${formatBytes(p.kBps * 1000)}/s${bad})${p.file ? ` ${p.file}` : ''}`;
}

/** Progress: a JSON line per event with --json; else progress-lines.ts (each phase's last state shown). */
async function withProgress<T>(json: boolean, job: (onProgress: (p: DiscProgress) => void) => Promise<T>): Promise<T> {
  if (json) return job((p) => out(JSON.stringify({ type: 'progress', ...p })));
  const lines = progressLines<DiscProgress>({ stage: (p) => p.phase, format: formatDiscProgress });
  try {
    return await job((p) => lines.update(p));
  } finally {
    lines.end();
  }
}

function formatReadReport(r: DiscReadReport): string {
  const lines = [`Read ${r.sectors} sectors (${r.bytes.toLocaleString('en-US')} bytes) to ${r.files.join(' + ')} in ${(r.elapsedMs / 1000).toFixed(1)} s`, `SHA-256 ${r.sha256}`];
  // A .cue describes an unrecorded pause before a track as PREGAP (silence the burner makes), so those
  // sectors are not in the .bin; in an .iso (and between recorded sectors of a .bin) they are zeros.
  const cue = r.files.some((f) => f.endsWith('.cue'));
  if (r.gaps.length) lines.push(`Unrecorded${cue ? ' (zeros in the .bin, or a PREGAP in the .cue)' : ' (written as zeros)'}: ${formatRanges(r.gaps)}`);
  if (r.bad.recoveredCount) lines.push(`${r.bad.recoveredCount} sectors needed re-reads and then read fine`);
  if (r.bad.unreadableCount) {
    lines.push(`UNREADABLE: ${r.bad.unreadableCount} sectors (${formatRanges(r.bad.unreadable)}), written as zeros`);
    if (r.bad.files === undefined) lines.push('  (the file system could not be read to say which files own them)');
    for (const f of r.bad.files ?? []) lines.push(`  ${f.kind === 'dir' ? 'directory' : 'file'} ${escapeName(f.path)}: ${formatRanges(f.ranges)}`);
  }
  return lines.join('\n');
}

function formatNode(node: TreeNode, path: string): string {
  const line = (n: TreeNode, p: string) => `${n.kind === 'dir' ? 'd' : n.kind === 'symlink' ? 'l' : '-'} ${String(n.size).padStart(12)} ${n.mtime?.slice(0, 19).replace('T', ' ') ?? '-'.padEnd(19)} ${escapeName(p)}${n.kind === 'dir' ? '/' : ''}${n.symlinkTarget !== undefined ? ` -> ${escapeName(n.symlinkTarget)}` : ''}`;
  if (node.kind !== 'dir') return line(node, path);
  const base = path === '/' ? '' : path.replace(/\/$/, '');
  return (node.children ?? []).map((c) => line(c, `${base}/${c.name}`)).join('\n');
}

export function registerDiscCommands(program: Command): void {
  program
    .command('read')
    .description('read the disc to an image: OUT.iso (data tracks) or OUT.cue + OUT.bin (CD, raw sectors)')
    .requiredOption('--drive <address>', 'drive address', parseAddress)
    .requiredOption('-o, --output <file>', 'image to write (.iso, or .cue for BIN/CUE)')
    .option('--retries <n>', 're-reads of a damaged sector (default 3)', parseRetries)
    .option('--force', 'overwrite an existing output')
    .option('--json', 'progress events and the report as JSON lines')
    .action(async (opts: { drive: string; output: string; retries?: number; force?: boolean; json?: boolean }) => {
      const report = await withProgress(!!opts.json, (onProgress) => withDiscs((d, _s, signal) => d.read(opts.drive, { output: opts.output, force: opts.force, retries: opts.retries, signal, onProgress })));
      out(opts.json ? JSON.stringify({ type: 'report', report }) : formatReadReport(report));
      // The image is written (zeros where sectors stayed unreadable), but the drive could not read it all.
      if (report.bad.unreadableCount) process.exitCode = ExitCode.DEVICE;
    });

  program
    .command('verify')
    .description('check the disc against an image, a folder, or its own .glassmaster/SHA256SUMS (exit code 4 when it differs)')
    .requiredOption('--drive <address>', 'drive address', parseAddress)
    .option('--image <file>', 'the image the disc should hold')
    .option('--dir <folder>', 'the folder whose files the disc should hold')
    .option('--manifest', "the checksums on the disc (.glassmaster/SHA256SUMS)")
    .option('--retries <n>', 're-reads of a damaged sector (default 3)', parseRetries)
    .option('--json', 'progress events and the report as JSON lines')
    .action(async (opts: { drive: string; image?: string; dir?: string; manifest?: boolean; retries?: number; json?: boolean }) => {
      const chosen = [opts.image !== undefined, opts.dir !== undefined, !!opts.manifest].filter(Boolean).length;
      if (chosen !== 1) throw new InvalidInputError('verify needs exactly one of --image FILE, --dir FOLDER, --manifest');
      const target: VerifyTarget = opts.image !== undefined ? { against: 'image', image: opts.image } : opts.dir !== undefined ? { against: 'folder', folder: opts.dir } : { against: 'manifest' };
      const report = await withProgress(!!opts.json, (onProgress) => withDiscs((d, _s, signal) => d.verify(opts.drive, target, { retries: opts.retries, signal, onProgress })));
      out(opts.json ? JSON.stringify({ type: 'report', report }) : formatVerifyReport(report));
      if (!report.ok) process.exitCode = ExitCode.VERIFICATION;
    });

  program
    .command('ls')
    .description("list the files on the disc in a drive (the last session's file system)")
    .requiredOption('--drive <address>', 'drive address', parseAddress)
    .argument('[path]', 'a directory or file on the disc', '/')
    .option('--facet <facet>', 'rockridge, joliet, udf or iso9660 (default: the first of these the disc has)')
    .option('--json', 'print JSON')
    .action(async (path: string, opts: { drive: string; facet?: 'rockridge' | 'joliet' | 'udf' | 'iso9660'; json?: boolean }) => {
      if (opts.facet && !['rockridge', 'joliet', 'udf', 'iso9660'].includes(opts.facet)) throw new InvalidInputError(`unknown facet ${opts.facet}`);
      const listing = await withDiscs((d, _s, signal) => d.list(opts.drive, { path, facet: opts.facet, signal }));
      out(opts.json ? JSON.stringify(listing, null, 2) : formatNode(listing.node, path.startsWith('/') ? path : `/${path}`));
    });

  const virtual = program.commands.find((c) => c.name() === 'virtual');
  virtual
    ?.command('press')
    .argument('<name>', 'recorder name')
    .argument('<image>', 'ISO image the pressed disc holds')
    .option('--as <family>', 'cd, dvd or bd (a CD-ROM, DVD-ROM or BD-ROM)', 'dvd')
    .description('put a pressed (read-only) disc holding IMAGE in a virtual recorder, for read/verify')
    .action(async (name: string, image: string, opts: { as: string }) => {
      if (!['cd', 'dvd', 'bd'].includes(opts.as)) throw new InvalidInputError(`--as must be cd, dvd or bd, not ${opts.as}`);
      await withDiscs((_d, s) => s.virtual.insertPressed(name, opts.as as 'cd' | 'dvd' | 'bd', image));
    });
}
