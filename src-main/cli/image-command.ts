// `glassmaster image`: build an image, check it first (--preflight), list an image's file systems
// and tree (--list), or inspect its boot records (--inspect). The build options are declared once
// (cli/image-args.ts) and building goes through the image-output service (cli/image-build.ts).
import type { Command } from 'commander';
import { addImageBuildOptions, imageArgsFrom, type ImageCommandArgs } from './image-args';
import { runImageCommand } from './image-build';
import { StagingTree } from '../image/staging/staging-tree';
import { formatBootReport, formatListing, inspectBoot, openImage, type TreeFacet } from '../image/reader';
import { formatPreflight } from '../image/preflight';
import { preflightProject } from '../image/project-checks';
import { InvalidInputError } from '../common/errors';
import { ExitCode } from '../common/exit-codes';
import { stopOnSignals } from './stop-signals';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');

/** The richest names an image offers: Rock Ridge, then UDF, Joliet, plain ISO 9660. */
const FACET_PREFERENCE: TreeFacet[] = ['rockridge', 'udf', 'joliet', 'iso9660'];

async function listImage(path: string, json: boolean): Promise<void> {
  const info = await openImage(path);
  try {
    if (!json) {
      out(await formatListing(info, { tree: true }));
      return;
    }
    const facets: Partial<Record<TreeFacet, unknown>> = {};
    for (const f of FACET_PREFERENCE) if ((info.facets as string[]).includes(f)) facets[f] = await info.tree(f);
    out(JSON.stringify({ ...info.toJSON(), trees: facets }, null, 2));
  } finally {
    await info.close();
  }
}

async function inspectImage(path: string, json: boolean): Promise<void> {
  const report = await inspectBoot(path);
  out(json ? JSON.stringify(report, null, 2) : formatBootReport(report));
}

/** Stages the sources like a build would, and reports what each OS and player will see (the app's preflight, project-checks.ts). */
async function runPreflight(a: ImageCommandArgs, json: boolean): Promise<number> {
  const o = a.options;
  const tree = new StagingTree({ now: o.date === undefined ? undefined : new Date(o.date) });
  for (const s of a.sources) tree.addHostPath(s.dest, s.hostPath, { followSymlinks: o.followSymlinks ?? false });
  const report = await preflightProject(tree.root, { options: o, maxSectors: o.maxSectors });
  out(json ? JSON.stringify(report, null, 2) : formatPreflight(report));
  return report.findings.some((f) => f.severity === 'error') ? ExitCode.USAGE : ExitCode.OK;
}

export function registerImageCommand(program: Command): void {
  const cmd = program
    .command('image')
    .description('build a disc image (ISO 9660/Joliet/Rock Ridge/UDF/El Torito); --preflight, --list IMAGE, --inspect IMAGE')
    .option('--list <IMAGE>', 'list an image\'s file systems and tree. e.g. --list disc.iso --json')
    .option('--inspect <IMAGE>', 'report an image\'s boot records and isohybrid MBR/GPT. e.g. --inspect boot.iso')
    .option('--preflight', 'stage the sources and report what each OS and player will see, without writing. e.g. --preflight ~/Photos');
  addImageBuildOptions(cmd)
    .addHelpText('after', '\nExamples:\n  glassmaster image -o photos.iso --label Photos ~/Photos\n  glassmaster image -o - --fs iso9660,joliet ./dir > dir.iso\n  glassmaster image -o boot.iso --boot bios:/isolinux/isolinux.bin,load-size=4,info-table --isohybrid --isohybrid-mbr isohdpfx.bin ./tree')
    .action(async (sources: string[], raw: Parameters<typeof imageArgsFrom>[0] & { list?: string; inspect?: string; preflight?: boolean }) => {
      const json = !!raw.json;
      if (raw.list !== undefined || raw.inspect !== undefined) {
        if (sources.length || raw.output || (raw.list !== undefined && raw.inspect !== undefined)) throw new InvalidInputError('usage: glassmaster image --list IMAGE | --inspect IMAGE [--json]');
        return raw.list !== undefined ? listImage(raw.list, json) : inspectImage(raw.inspect!, json);
      }
      if (raw.preflight) {
        process.exitCode = await runPreflight(imageArgsFrom({ ...raw, output: raw.output ?? '-' }, sources), json);
        return;
      }
      let args: ImageCommandArgs;
      try {
        args = imageArgsFrom(raw, sources);
      } catch (err) {
        process.stderr.write(`glassmaster image: ${(err as Error).message}\n(glassmaster image --help lists every option)\n`);
        process.exitCode = ExitCode.USAGE;
        return;
      }
      // SIGINT, SIGTERM and SIGHUP cancel alike (the partial is removed; a second one exits at once).
      const stop = stopOnSignals();
      try {
        const code = await runImageCommand(args, { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
        process.exitCode = stop.signal.aborted ? ExitCode.CANCELLED : code;
      } finally {
        stop.dispose();
      }
    });
}
