// Burn commands: burn (an image file to a disc, read back and verified), erase, format. Progress
// goes to stderr (one updating line on a terminal, a line per second otherwise); with --json, one
// JSON event per line on stdout, the last one the result. Exit codes: 0 burned and verified, 2 bad
// arguments, 3 drive or disc trouble (busy, full, closed, write error), 4 verification failed,
// 5 an unusable image, 130 cancelled (Ctrl-C; the disc is left readable where the media allows).
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Services } from '../app/services';
import { DriveAddress } from '../common/ipc/contract';
import { GlassmasterError, InvalidInputError } from '../common/errors';
import type { BurnOptions, BurnProgress, EraseProgress } from '../common/model/burn';
import { formatBurnProgress, formatEraseProgress } from '../burn/progress-text';
import { imageFileSourceFactory, isDiscImageFile } from '../burn/burn-sources';
import { basename, resolve } from 'node:path';
import { formatBytes } from '../burn/units';
import { addImageOptionFlags, imageOptionsFrom, parseSource, type RawImageOpts } from './image-args';
import { discSessionFactory, engineSourceFactory, type DiscSessionRequest } from '../burn/engine-sources';
import type { ByteSourceFactory } from '../burn/burn-service';
import { formatDiscContents } from '../burn/disc-contents';
import type { VerifyReport } from '../common/model/verify';
import { formatVerifyReport } from '../verify/verify-text';
import { burnSeveral, collectDrives } from './burn-multi';
import { burnCueFromCli, burnTocFromCli } from './audio-burn-command';
import { progressLines, type ProgressLines } from './progress-lines';
import { stopOnSignals } from './stop-signals';

/** A word as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** SRC or /DEST=SRC with SRC made absolute (the engine's worker may run elsewhere than the shell's cwd). */
function resolveSource(a: string): string {
  const eq = a.indexOf('=');
  return a.startsWith('/') && eq > 0 ? `${a.slice(0, eq)}=${resolve(a.slice(eq + 1))}` : resolve(a);
}

/** SRC… as a burnable source: a whole image from the engine, or with --multisession the disc's next session. */
function burnRequestSource(s: Services, request: DiscSessionRequest, multisession: boolean): ByteSourceFactory {
  const description = `${request.sources?.length ?? 0} source${request.sources?.length === 1 ? '' : 's'}`;
  return multisession ? discSessionFactory(() => s.images(), request) : engineSourceFactory(() => s.images(), request, { description, manifest: request.manifest });
}

async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const { createServices } = await import('../app/services');
  const services = await createServices({ shell: 'cli', watch: false });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

function parseAddress(v: string): string {
  if (!DriveAddress.safeParse(v).success) throw new InvalidArgumentError(`'${v}' is not a drive address (/dev/srN, iscsi://HOST[:PORT]/IQN/LUN, virtual:NAME)`);
  return v;
}

/** --speed: "max", "16" or "16x" (× of the medium's 1×), or "5540k" (kB/s as the drive lists them). */
export function parseSpeed(v: string): Pick<BurnOptions, 'speed' | 'speedX'> {
  if (v === 'max') return { speed: 'max' };
  const m = /^(\d+(?:\.\d+)?)(x|×|k|kb|kB)?$/i.exec(v.trim());
  if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError('a speed is "max", a multiple such as 16 or 16x, or kB/s such as 5540k');
  return /^k/i.test(m[2] ?? '') ? { speed: Number(m[1]) } : { speedX: Number(m[1]) };
}

function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return n;
}

/** Progress: a JSON line per event with --json, else progress-lines.ts on stderr. */
function progressPrinter<P extends { action: string }>(format: (p: P) => string, json: boolean): ProgressLines<P> {
  if (json) return { update: (p) => void process.stdout.write(`${JSON.stringify({ type: 'progress', ...p })}\n`), end: () => undefined };
  return progressLines<P>({ stage: (p) => p.action, format });
}

/** A read-back that failed: its report (the same formatter as `glassmaster verify`) before the error line. */
function printFailedVerify(e: unknown): void {
  const report = e instanceof GlassmasterError && e.code === 'VERIFICATION' ? (e.details as { report?: VerifyReport } | undefined)?.report : undefined;
  if (report) process.stdout.write(`${formatVerifyReport(report)}\n`);
}

async function runJob<T>(json: boolean, fn: (signal: AbortSignal) => Promise<T>, describe: (r: T) => string): Promise<void> {
  // Ctrl-C, SIGTERM, SIGHUP cancel (the service then leaves the disc readable and the drive unlocked).
  const cancel = stopOnSignals();
  try {
    const r = await fn(cancel.signal);
    if (json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: true, result: r })}\n`);
    else process.stdout.write(`${describe(r)}\n`);
  } catch (e) {
    if (json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: false, error: GlassmasterError.from(e).toJSON() })}\n`);
    else printFailedVerify(e);
    throw e;
  } finally {
    cancel.dispose();
  }
}

export function registerBurnCommands(program: Command): void {
  const burn = program
    .command('burn')
    .description('burn an image file, files and folders (SRC…, streamed through the image engine: no temporary .iso) or an audio CUE sheet to a disc; read it back and verify it')
    .requiredOption('--drive <address>', 'drive address; repeat it to burn to several recorders at once', collectDrives(parseAddress))
    .option('--image <file>', 'the image (.iso) to burn (instead of SRC…)')
    .option('--multisession', 'SRC…: add to what the disc holds (its last session is read from the disc; same paths are replaced) and leave it appendable')
    .option('--remove <path>', 'with --multisession: leave this disc path out of the new session (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--no-manifest', 'SRC…: do not write the checksum manifest .glassmaster/SHA256SUMS (sha256sum -c format; `glassmaster verify --manifest` checks it)')
    .option('--cue <file.cue>', 'a CUE sheet to burn: audio (BINARY, or WAVE/FLAC/… files it names), or a data CD\'s BIN/CUE (one session or several: REM SESSION nn)')
    .addOption(new Option('--toc <file.toc>', 'a cdrdao TOC file of an audio CD to burn (raw or WAVE/FLAC/… FILEs, CD_TEXT, ISRC, CATALOG)').conflicts('cue'))
    .addOption(new Option('--mode <mode>', 'with --cue or --toc: audio write mode tao, sao or raw96 (default: the best the drive supports)').choices(['auto', 'tao', 'sao', 'raw96']))
    .option('--speed <speed>', 'max (default), a multiple like 16 or 16x, or kB/s like 5540k', parseSpeed)
    .addOption(new Option('--close', 'close the session: the disc stays appendable').conflicts('finalize'))
    .addOption(new Option('--finalize', 'finalize the disc: nothing can be added later (default)'))
    .option('--simulate', 'test write: the laser stays off (CD-R/RW, DVD-R/RW)')
    .addOption(new Option('--verify <level>', 'read the disc back: none, quick (structures and samples) or full (default: every sector, as the app, audio and copy do)').choices(['none', 'quick', 'full']).default('full'))
    .option('--copies <n>', 'discs to write one after another (asks for the next blank disc)', parsePositiveInt)
    .option('--eject', 'open the tray when done')
    .option('--no-burn-free', 'turn buffer under-run protection (BURN-Free) off')
    .addOption(new Option('--write-mode <mode>', 'CD: tao or sao; DVD-R/RW: dao or incremental').choices(['auto', 'tao', 'sao', 'dao', 'incremental']))
    .option('--layer-break <sectors>', 'DVD+R DL: sectors on layer 0 (a multiple of 16)', parsePositiveInt)
    .option('--spare-areas', 'BD-R: format with spare areas (defect management) first')
    .option('--json', 'one JSON event per line on stdout');
  addImageOptionFlags(burn)
    .argument('[sources...]', 'SRC (into the root) or /DEST=SRC: burned straight from the image engine. e.g. ~/Photos /extra/readme.txt=./README')
    .addHelpText('after', '\nExamples:\n  glassmaster burn --drive /dev/sr0 --image photos.iso --speed 8x --verify full --eject\n  glassmaster burn --drive /dev/sr0 --label Photos ~/Photos\n  glassmaster burn --drive /dev/sr0 /debian.iso=./debian.iso   (an image as a file on the disc; a lone image SRC is refused)\n  glassmaster burn --drive /dev/sr0 --drive /dev/sr1 --image photos.iso\n  glassmaster burn --drive /dev/sr0 --multisession ~/Photos/2026 --remove /old.txt\n  glassmaster burn --drive /dev/sr0 --cue album.cue --mode sao\n  glassmaster burn --drive /dev/sr0 --cue multisession.cue   (a data CD read with read -o multisession.cue: its sessions again)\n  glassmaster burn --drive /dev/sr0 --toc album.toc\n')
    .action(async (sources: string[], o: RawImageOpts & {
      drive: string[]; image?: string; multisession?: boolean; remove?: string[]; manifest: boolean; speed?: Pick<BurnOptions, 'speed' | 'speedX'>; close?: boolean; finalize?: boolean; simulate?: boolean; verify: 'none' | 'quick' | 'full';
      copies?: number; eject?: boolean; burnFree: boolean; writeMode?: BurnOptions['writeMode']; layerBreak?: number; spareAreas?: boolean; json?: boolean;
      cue?: string; toc?: string; mode?: 'auto' | 'tao' | 'sao' | 'raw96';
    }) => {
      if (o.cue || o.toc) {
        const flag = o.cue ? '--cue FILE.cue' : '--toc FILE.toc';
        if (o.image !== undefined || sources.length || o.drive.length > 1) throw new InvalidInputError(`burn ${flag} alone, to one --drive`);
        // Options a CUE/TOC burn cannot honour are refused, not ignored (before: --speed and --copies were dropped silently).
        if ((o.copies ?? 1) > 1) throw new InvalidInputError(`burn ${flag} writes one disc: --copies is for images and files`);
        if (typeof o.speed?.speed === 'number') throw new InvalidInputError(`burn ${flag}: give the speed as a multiple of CD speed, e.g. --speed 16x`);
        const speed = o.speed?.speedX !== undefined ? `${o.speed.speedX}x` : undefined;
        return (o.cue ? burnCueFromCli : burnTocFromCli)(resolve((o.cue ?? o.toc)!), { drive: o.drive[0], mode: o.mode, simulate: o.simulate, speed, verify: o.verify === 'none' ? 'none' : 'full', close: o.close, eject: o.eject, json: o.json });
      }
      const options: BurnOptions = {
        ...o.speed, close: o.close || (o.multisession && !o.finalize) ? 'session' : 'disc', simulate: o.simulate, verify: o.verify, copies: o.copies, eject: o.eject, burnFree: o.burnFree,
        writeMode: o.writeMode, layerBreak: o.layerBreak, spareAreas: o.spareAreas,
      };
      const image = o.image;
      if (image !== undefined && (sources.length || o.multisession)) throw new InvalidInputError('burn either --image FILE or SRC… (files and folders), not both');
      if (image === undefined && sources.length === 0 && !o.remove?.length) throw new InvalidInputError('nothing to burn: give --image FILE, or files and folders (SRC…)');
      if (o.remove?.length && !o.multisession) throw new InvalidInputError('--remove needs --multisession');
      if (o.multisession && (o.copies ?? 1) > 1) throw new InvalidInputError('--multisession adds to the disc in the drive: one disc at a time (no --copies)');
      // One disc image as the only SRC is nearly always meant as --image: burned as a file, the disc
      // would hold the .iso and not what is in it (the disc K3b and Brasero ask about). Refused with
      // the ways out; the /DEST=SRC form says "this file, as a file".
      if (image === undefined && sources.length === 1 && parseSource(sources[0]).hostPath === sources[0] && (await isDiscImageFile(resolve(sources[0])))) {
        const src = sources[0];
        const asFile = shellWord(`/${basename(src).replace(/=/g, '_')}=${src}`);
        const asImage = o.multisession ? 'an image cannot be added as a session (--multisession takes files and folders)' : `to burn the image itself, use --image ${shellWord(src)}`;
        throw new InvalidInputError(`${src} is a disc image: ${asImage}; to put the file on the disc as it is, name its place: ${asFile}`);
      }
      const imageOptions = image === undefined ? imageOptionsFrom(o) : undefined;
      const fromImage = image === undefined ? undefined : await imageFileSourceFactory(resolve(image)).catch((e) => {
        throw e instanceof GlassmasterError ? e : new InvalidInputError(String(e));
      });
      if (o.drive.length > 1 && o.multisession) throw new InvalidInputError('--multisession adds to the disc in one drive: give one --drive');
      const request = { options: imageOptions!, sources: sources.map((a) => parseSource(resolveSource(a))), remove: o.remove, manifest: o.manifest };
      if (o.drive.length > 1) return withServices((s) => burnSeveral(s, o.drive, fromImage ?? burnRequestSource(s, request, false), options, o.json === true));
      const printer = progressPrinter<BurnProgress>(formatBurnProgress, o.json === true);
      await withServices((s) =>
        runJob(
          o.json === true,
          (signal) => s.burner.burn(o.drive[0], fromImage ?? burnRequestSource(s, request, o.multisession === true), options, { signal, onProgress: (p) => printer.update(p) }).finally(() => printer.end()),
          (r) => {
            const c = r.copies[r.copies.length - 1];
            const v = c.verify && c.verify.level !== 'none' ? `, verified (${c.verify.level}: ${c.verify.sectorsChecked} sectors read back)` : ', disc layout checked';
            return `${c.simulated ? 'Simulated' : 'Burned'} ${formatBytes(c.sectors * 2048)} with ${c.strategy}${r.copies.length > 1 ? ` on ${r.copies.length} discs` : ''}${v}. ${r.discState}${r.disc ? `\n${formatDiscContents(r.disc, formatBytes)}` : ''}`;
          },
        ),
      );
    });

  for (const [name, what, full] of [
    ['erase', 'blank a CD-RW or DVD-RW (quick unless --full)', 'full blank: overwrite the whole disc (slow)'],
    ['format', 'format a DVD+RW, DVD-RW, DVD-RAM, BD-RE, or a blank BD-R with spare areas', 'full format / full certification (slow)'],
  ] as const) {
    const cmd = program
      .command(name)
      .description(what)
      .requiredOption('--drive <address>', 'drive address', parseAddress)
      .option('--full', full)
      .option('--json', 'one JSON event per line on stdout');
    if (name === 'format') cmd.option('--no-spare-areas', 'BD-RE: format without spare areas (no defect management, more space)');
    cmd.action(async (o: { drive: string; full?: boolean; json?: boolean; spareAreas?: boolean }) => {
      const printer = progressPrinter<EraseProgress>(formatEraseProgress, o.json === true);
      await withServices((s) =>
        runJob(
          o.json === true,
          (signal) => s.burner[name](o.drive, { full: o.full, spareAreas: o.spareAreas }, { signal, onProgress: (p) => printer.update(p) }).finally(() => printer.end()),
          (m) => `${name === 'erase' ? 'Erased' : 'Formatted'}: ${m.profile}, ${formatBytes(m.freeBlocks * 2048)} free.`,
        ),
      );
    });
  }
}
