// `glassmaster image`: build an image, check it first (--preflight), list an image's file systems
// and tree (--list), or inspect its boot records (--inspect). Building has its own parser
// (image/cli-image.ts), so commander passes the arguments through untouched.
import type { Command } from 'commander';
import { parseImageArgs, runImageCommand } from '../image/cli-image';
import { StagingTree, type StagingNode } from '../image/staging/staging-tree';
import { formatBootReport, formatListing, inspectBoot, openImage, type TreeFacet } from '../image/reader';
import { formatPreflight, preflight, type PreflightEntry } from '../image/preflight';
import { InvalidInputError } from '../common/errors';
import { ExitCode } from '../common/exit-codes';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const FOUR_GIB = 2 ** 32;

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

function preflightEntries(root: StagingNode): PreflightEntry[] {
  const entries: PreflightEntry[] = [];
  const walk = (node: StagingNode, path: string[]) => {
    for (const child of node.children?.values() ?? []) {
      const p = [...path, child.name];
      entries.push({ path: p, kind: child.kind, size: child.size });
      if (child.kind === 'dir') walk(child, p);
    }
  };
  walk(root, []);
  return entries;
}

/** Stages the sources like a build would, and reports what each OS and player will see. */
function runPreflight(args: string[], json: boolean): number {
  const o = parseImageArgs(args.includes('-o') ? args : ['-o', '-', ...args]);
  const tree = new StagingTree({ now: o.date });
  for (const s of o.sources) tree.addHostPath(s.dest, s.hostPath, { followSymlinks: o.followSymlinks });
  const entries = preflightEntries(tree.root);
  const needsLevel3 = entries.some((e) => e.kind === 'file' && e.size >= FOUR_GIB);
  const report = preflight(entries, { fs: o.fs, isoLevel: o.isoLevel ?? (needsLevel3 ? 3 : 2), udfRevision: o.udfRevision ?? (o.fs.includes('udf') ? '1.02' : undefined) });
  out(json ? JSON.stringify(report, null, 2) : formatPreflight(report));
  return report.findings.some((f) => f.severity === 'error') ? ExitCode.USAGE : ExitCode.OK;
}

function takeFlag(args: string[], flag: string): boolean {
  const i = args.indexOf(flag);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

export function registerImageCommand(program: Command): void {
  program
    .command('image')
    .description('build a disc image (ISO 9660/Joliet/Rock Ridge/UDF/El Torito); --preflight, --list IMAGE, --inspect IMAGE')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (raw: string[]) => {
      const args = [...raw];
      const json = takeFlag(args, '--json');
      for (const mode of ['--list', '--inspect'] as const) {
        const i = args.indexOf(mode);
        if (i < 0) continue;
        const path = args[i + 1];
        if (!path || args.length !== 2) throw new InvalidInputError(`usage: glassmaster image ${mode} IMAGE [--json]`);
        return mode === '--list' ? listImage(path, json) : inspectImage(path, json);
      }
      if (takeFlag(args, '--preflight')) {
        process.exitCode = runPreflight(args, json);
        return;
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      try {
        const code = await runImageCommand(args, { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
        process.exitCode = stop.signal.aborted ? ExitCode.CANCELLED : code;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
}
