// The data project's checks, run in the image engine's worker (worker/image-worker.ts): preflight
// of the staged tree with the project's options against the target capacity, and the boot
// inspection of a written image. Both read only the tree or the image file, never on the caller's thread.
import { stat } from 'node:fs/promises';
import { GlassmasterError, InternalError, InvalidInputError } from '../common/errors';
import type { ImageOptions } from '../common/model/image-options';
import { imageSpecFor } from './image-spec';
import { preflightOptionsFor } from './preflight/from-options';
import { planImage } from './layout/plan-image';
import { preflight, type PreflightEntry, type PreflightFinding, type PreflightReport } from './preflight';
import { inspectBoot, type BootReport } from './reader/boot';
import type { StagingNode } from './staging/staging-tree';
import { ioErrorFor } from './project-checks-errors';

export interface ProjectPreflightPayload {
  options: ImageOptions;
  /** The target medium's capacity in 2048-byte sectors (the capacity meter's choice). */
  maxSectors?: number;
}

/** A staged tree as preflight's entries (every node below the root, paths as name lists). */
export function preflightEntriesOf(root: StagingNode): PreflightEntry[] {
  const out: PreflightEntry[] = [];
  const stack: [StagingNode, string[]][] = [[root, []]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    for (const c of node.children?.values() ?? []) {
      const p = [...path, c.name];
      out.push({ path: p, kind: c.kind, size: c.kind === 'file' ? c.size : 0, target: c.symlinkTarget });
      if (c.children) stack.push([c, p]);
    }
  }
  return out;
}

/**
 * What each reader will see of the project, grouped (one finding per kind with examples), with
 * the planned size against `maxSectors`. The defaults are the writer's: ISO level 2 raised to 3
 * when a file is 4 GiB or more, UDF 1.02.
 */
export async function preflightProject(root: StagingNode, p: ProjectPreflightPayload): Promise<PreflightReport> {
  const o = p.options;
  const entries = preflightEntriesOf(root);
  const checked = preflightOptionsFor(o, entries);
  let plannedSectors: number | undefined;
  let refusal: GlassmasterError | undefined;
  try {
    // Planned without a limit: the finding says how far over the image is.
    plannedSectors = (await planImage(imageSpecFor({ ...o, maxSectors: undefined }, root))).totalSectors;
  } catch (err) {
    // The writer's refusal of the input (an internal fault is not a finding: it surfaces).
    if (!(err instanceof GlassmasterError) || err instanceof InternalError) throw err;
    refusal = err;
  }
  const report = preflight(entries, {
    ...checked,
    maxSectors: p.maxSectors,
    plannedSectors,
    group: true,
  });
  return refusal ? withRefusal(report, refusal) : report;
}

/**
 * The report with the writer's refusal as an error, unless a rule has reported it already (an
 * error finding on the path the refusal names: the deep folder without Rock Ridge). A preflight
 * that passes is a build that can run.
 */
function withRefusal(report: PreflightReport, err: GlassmasterError): PreflightReport {
  const at = (err.details as { path?: unknown } | undefined)?.path;
  const named = (f: PreflightFinding) => f.path === at || (f.examples ?? []).some((e) => e.path === at);
  if (typeof at === 'string' && report.findings.some((f) => f.severity === 'error' && named(f))) return report;
  const finding: PreflightFinding = {
    code: 'cannot-build',
    severity: 'error',
    path: typeof at === 'string' ? at : undefined,
    affects: ['windows', 'macos', 'linux', 'players'],
    message: `the image cannot be built: ${err.message}`,
    fix: 'change what the message names (the options or the project), then check again',
  };
  return { ...report, ok: false, counts: { ...report.counts, error: report.counts.error + 1 }, findings: [finding, ...report.findings] };
}

/** The boot inspection of an image file (a regular file; its boot records and partition tables only). */
export async function inspectImageBoot(path: string): Promise<BootReport> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw ioErrorFor(path, err);
  }
  if (!st.isFile()) throw new InvalidInputError(`${path} is not an image file`, { path });
  return inspectBoot(path);
}
