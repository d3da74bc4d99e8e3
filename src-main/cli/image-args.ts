// `glassmaster image` arguments → the options model (common/model/image-options.ts) + sources +
// output. commander does the parsing (so `glassmaster image --help` lists every option with an
// example); the model's zod schema does the checking, the same one the app's IPC uses.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InvalidInputError } from '../common/errors';
import { FILE_SYSTEMS, MAX_SESSION_START_LBA, UDF_REVISIONS, type BootEntry, type FileSystemName, type ImageOptions } from '../common/model/image-options';
import type { HostSource } from '../image/image-spec';
import { parseImageOptions } from '../image/parse-image-options';

export interface ImageCommandArgs {
  /** The output file, or '-' for standard output. */
  output: string;
  options: ImageOptions;
  sources: HostSource[];
  /** Progress and notes as JSON lines on stderr. */
  json: boolean;
  /** No progress line. */
  quiet: boolean;
  /** -o names a block or character device: write the image onto it in place (else refused). */
  toDevice: boolean;
  /** -o names a file that exists: replace it (else refused, nothing written). */
  force: boolean;
}

/** Parses a boot spec (PATH is an image path; hidden=HOSTPATH is placed outside every directory). */
export function parseBootSpec(s: string): BootEntry {
  const m = /^(bios|efi):(.+)$/.exec(s);
  if (!m) throw new InvalidInputError(`bad --boot spec (expected bios:… or efi:…): ${s}`);
  const platform = m[1] as 'bios' | 'efi';
  const [first, ...opts] = m[2].split(',');
  const spec: BootEntry = { platform };
  if (first.startsWith('hidden=')) spec.hiddenHostPath = first.slice(7);
  else spec.isoPath = first;
  for (const o of opts) {
    const [k, v] = o.split('=');
    if (k === 'emul' && (v === 'none' || v === 'floppy' || v === 'hdd')) spec.emulation = v;
    else if (k === 'load-size' && /^\d+$/.test(v ?? '') && Number(v) > 0 && Number(v) <= 0xffff) spec.loadSize = Number(v);
    else if (k === 'info-table' && v === undefined) spec.infoTable = true;
    else throw new InvalidInputError(`bad --boot option ${o} in ${s}`);
  }
  if (platform === 'efi' && spec.emulation && spec.emulation !== 'none') throw new InvalidInputError(`EFI boot images use no emulation: ${s}`);
  return spec;
}

/** A source argument: SRC (into the root) or /DEST=SRC. */
export function parseSource(a: string): HostSource {
  const eq = a.indexOf('=');
  if (a.startsWith('/') && eq > 0) return { dest: a.slice(0, eq), hostPath: a.slice(eq + 1) };
  return { dest: '/', hostPath: a };
}

// commander calls these with the raw value; InvalidArgumentError becomes a usage error.
const wrap = <T>(f: (v: string) => T) => (v: string): T => {
  try {
    return f(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const parseFs = wrap((v) => {
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const f of list) if (!(FILE_SYSTEMS as readonly string[]).includes(f)) throw new Error(`unknown file system ${f} (use ${FILE_SYSTEMS.join(', ')})`);
  if (list.length === 0) throw new Error('--fs needs at least one file system');
  return list as FileSystemName[];
});
const parseCount = (what: string, max = Number.MAX_SAFE_INTEGER) => wrap((v) => {
  if (!/^\d+$/.test(v)) throw new Error(`${what} needs a whole number, not ${v}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n > max) throw new Error(`${what} ${v} is too large (at most ${max})`);
  return n;
});
const collectBoot = (v: string, prev: BootEntry[] = []) => [...prev, wrap(parseBootSpec)(v)];

/** Adds the build options to `cmd` (the registered subcommand, or a standalone parser). */
export function addImageBuildOptions(cmd: Command): Command {
  cmd.option('-o, --output <OUT>', 'the image file (written as OUT.<random>.partial, renamed when complete; never one of the inputs; a symbolic link is written through); - for standard output. e.g. -o photos.iso');
  cmd.option('--force', 'replace OUT if it exists (without it an existing file is refused and kept)');
  cmd.option('--to-device', 'with -o naming a block or character device: write the image onto it in place (every byte on it is replaced; refused while mounted or too small). e.g. -o /dev/sdb --to-device');
  return addImageOptionFlags(cmd)
    .option('--import <PREV.iso>', 'append a session to this image (with --start-lba). e.g. --import disc.iso --start-lba 23456')
    .addOption(new Option('--start-lba <N>', 'first sector of the appended session').argParser(parseCount('--start-lba', MAX_SESSION_START_LBA)))
    .option('--json', 'progress and notes as JSON lines on stderr')
    .option('-q, --quiet', 'no progress line')
    .argument('[sources...]', 'SRC (into the root) or /DEST=SRC. e.g. ~/Photos /extra/readme.txt=./README');
}

/**
 * The image options alone (file systems, label, boot, dates, limits): declared once here and used
 * by `glassmaster image` and `glassmaster burn SRC…`, so both take the same flags with the same help.
 */
export function addImageOptionFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--fs <LIST>', 'file systems, comma-separated (default: all four). e.g. --fs iso9660,joliet,rockridge').argParser(parseFs))
    .addOption(new Option('--iso-level <N>', 'ISO 9660 interchange level (default 2, 3 when a file is ≥ 4 GiB). e.g. --iso-level 3').choices(['1', '2', '3']))
    .addOption(new Option('--udf-revision <REV>', 'UDF revision (default 1.02). e.g. --udf-revision 2.50').choices([...UDF_REVISIONS]))
    .option('--udf-metadata-mirror', 'UDF 2.50: record a second copy of the metadata file (the default)')
    .option('--no-udf-metadata-mirror', 'UDF 2.50: share the mirror\'s extents (smaller, no redundancy)')
    .option('--label <NAME>', 'volume label (each file system keeps what its field holds; shortening is reported). e.g. --label "Holiday 2024"')
    .option('--boot <SPEC>', 'El Torito boot entry, repeatable: bios:PATH[,emul=none|floppy|hdd][,load-size=N][,info-table] | efi:PATH | bios:hidden=HOSTPATH | efi:hidden=HOSTPATH. e.g. --boot bios:/isolinux/isolinux.bin,load-size=4,info-table', collectBoot)
    .option('--isohybrid', 'also write an MBR so the image boots from a USB stick (needs --boot). e.g. --isohybrid --isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin')
    .option('--isohybrid-mbr <FILE>', 'MBR boot code for --isohybrid (without it, only EFI boots from a disk). e.g. --isohybrid-mbr isohdpfx.bin')
    .option('--isohybrid-gpt', 'with --isohybrid and an EFI entry: a GPT whose EFI partition is the EFI image')
    .option('--date <ISO8601>', 'fix every date the image makes itself (byte-identical rebuilds). e.g. --date 2024-01-01T00:00:00Z')
    .addOption(new Option('--max-sectors <N>', 'refuse an image over N 2048-byte sectors (the medium\'s capacity). e.g. --max-sectors 359847 (CD-R 80 min)').argParser(parseCount('--max-sectors')))
    .option('--follow-symlinks', 'store what symbolic links point to instead of the links')
    .option('--udf-symlinks', 'record symbolic links in UDF too (off with Rock Ridge: 7-Zip then refuses the UDF volume)');
}

export interface RawImageOpts {
  output?: string; fs?: FileSystemName[]; isoLevel?: string; udfRevision?: string; udfMetadataMirror?: boolean; label?: string;
  boot?: BootEntry[]; isohybrid?: boolean; isohybridMbr?: string; isohybridGpt?: boolean; date?: string; maxSectors?: number;
  followSymlinks?: boolean; udfSymlinks?: boolean; import?: string; startLba?: number; json?: boolean; quiet?: boolean; toDevice?: boolean; force?: boolean;
}

/** commander's values → the checked model. Throws InvalidInputError (exit 2) on a usage mistake. */
export function imageArgsFrom(raw: RawImageOpts, sourceArgs: string[]): ImageCommandArgs {
  if (!raw.output) throw new InvalidInputError('missing -o OUT');
  if (sourceArgs.length === 0 && raw.import === undefined) throw new InvalidInputError('no sources: name the files and folders to put in the image (SRC or /DEST=SRC)');
  if ((raw.import === undefined) !== (raw.startLba === undefined)) throw new InvalidInputError(raw.import === undefined ? '--start-lba needs --import' : '--import needs --start-lba');
  const options = imageOptionsFrom(raw);
  if (raw.toDevice && raw.output === '-') throw new InvalidInputError('--to-device needs -o DEVICE, not standard output');
  return { output: raw.output, options, sources: sourceArgs.map(parseSource), json: !!raw.json, quiet: !!raw.quiet, toDevice: !!raw.toDevice, force: !!raw.force };
}

/** The image-option flags (addImageOptionFlags, plus --import/--start-lba when declared) → the checked model. */
export function imageOptionsFrom(raw: Omit<RawImageOpts, 'output' | 'json' | 'quiet'>): ImageOptions {
  if (raw.udfMetadataMirror !== undefined && raw.udfRevision !== '2.50') {
    throw new InvalidInputError('--udf-metadata-mirror/--no-udf-metadata-mirror need --udf-revision 2.50');
  }
  const hybrid = raw.isohybrid || raw.isohybridMbr !== undefined || raw.isohybridGpt;
  if (hybrid && !raw.boot?.length) throw new InvalidInputError('--isohybrid needs at least one --boot entry');
  if (hybrid && !raw.isohybridMbr && !raw.boot?.some((b) => b.platform === 'efi')) {
    throw new InvalidInputError('--isohybrid without --isohybrid-mbr FILE would write an MBR with no boot code: give --isohybrid-mbr (e.g. /usr/lib/ISOLINUX/isohdpfx.bin) or an --boot efi:… entry');
  }
  if (raw.date !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(raw.date) || Number.isNaN(new Date(raw.date).getTime()))) {
    throw new InvalidInputError(`--date needs an ISO 8601 date, not ${raw.date}`);
  }
  const options = parseImageOptions({
    fs: raw.fs,
    isoLevel: raw.isoLevel === undefined ? undefined : Number(raw.isoLevel),
    udfRevision: raw.udfRevision,
    udfMetadataMirror: raw.udfMetadataMirror,
    label: raw.label,
    date: raw.date,
    boot: raw.boot,
    isohybrid: hybrid ? { mbrTemplate: raw.isohybridMbr, gpt: raw.isohybridGpt || undefined } : undefined,
    maxSectors: raw.maxSectors,
    followSymlinks: raw.followSymlinks || undefined,
    udfSymlinks: raw.udfSymlinks || undefined,
    multisession: raw.import === undefined ? undefined : { importImage: raw.import, startLba: raw.startLba! },
  });
  // Keep the object free of undefined keys: it is compared, stored in project files and hashed.
  for (const k of Object.keys(options) as (keyof ImageOptions)[]) if (options[k] === undefined) delete options[k];
  return options;
}

/** Parses `glassmaster image` build arguments (without the subcommand name). */
export function parseImageArgs(argv: string[]): ImageCommandArgs {
  let result: ImageCommandArgs | undefined;
  const cmd = addImageBuildOptions(new Command('image'))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
    .action((sources: string[], raw: RawImageOpts) => {
      result = imageArgsFrom(raw, sources);
    });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw new InvalidInputError(err.message.replace(/^error: /, ''));
    throw err;
  }
  return result!;
}
