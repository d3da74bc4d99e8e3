// Options → ImageSpec: the one mapping from the options model (common/model/image-options.ts) to
// what planImage takes, used by every path that builds an image (ImageEngine in its worker, for
// the app, the CLI and the burner alike). Runs where the files are read: in the image worker.
import type { PackedTree } from './staging/packed-tree';
import { InvalidInputError } from '../common/errors';
import { DEFAULT_FILE_SYSTEMS, ImageOptionsSchema, type FileSystemName, type ImageOptions } from '../common/model/image-options';
import { isoVolumeId } from './iso9660/names';
import type { ImageSpec } from './layout/plan-image';
import type { AddHostOptions, StagingNode, StagingTree } from './staging/staging-tree';
import type { UdfRevision } from './udf';
import { readSmallInputFile } from './host-input-file';

/** A host file or folder to put at `dest` in the image (scanned in the worker). */
export interface HostSource { dest: string; hostPath: string }

/** What the engine builds: options, plus the tree as host sources, a staged tree, or both. */
export interface ImageRequest {
  options: ImageOptions;
  /** Host paths scanned where the image is built (the worker): the CLI's SRC arguments. */
  sources?: HostSource[];
  /** A tree staged already (the app's project, buffers included); `sources` go on top of it. */
  root?: StagingNode;
  /** The same as `root`, packed (staging/packed-tree.ts): what the app's main thread sends, so it never structured-clones a large tree. */
  packedRoot?: PackedTree;
}

/** Validates options from anywhere (IPC, a project file, the CLI) with the one schema. */
export function parseImageOptions(raw: unknown): ImageOptions {
  const r = ImageOptionsSchema.safeParse(raw);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new InvalidInputError(`image options: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`, { issues: r.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message })) });
}

export function fileSystemsOf(o: ImageOptions, previous?: { udfRevision?: UdfRevision }): FileSystemName[] {
  if (o.fs) return o.fs;
  // Appending a session without --fs keeps the previous session's file systems (UDF if it had it).
  if (previous) return previous.udfRevision ? DEFAULT_FILE_SYSTEMS : ['iso9660', 'joliet', 'rockridge'];
  return DEFAULT_FILE_SYSTEMS;
}

/** The spec for a staged root. Reads the isohybrid MBR template (a host file) when one is named. */
export function imageSpecFor(o: ImageOptions, root: StagingNode, previous?: { udfRevision?: UdfRevision }): ImageSpec {
  const fsNames = fileSystemsOf(o, previous);
  let mbr: Buffer | undefined;
  if (o.isohybrid?.mbrTemplate) {
    // 432 bytes of boot code (isohdpfx.bin) up to a whole 512-byte MBR; only the first 432 are used
    // (eltorito/isohybrid.ts). Never read more, whatever the path names (/dev/zero read 3.86 GB).
    mbr = readSmallInputFile(o.isohybrid.mbrTemplate, 'the MBR template', { min: 432, max: 512, expected: '432 (boot code, e.g. isohdpfx.bin) to 512 bytes (a whole MBR)' });
  }
  return {
    root,
    iso9660: fsNames.includes('iso9660'),
    joliet: fsNames.includes('joliet'),
    rockRidge: fsNames.includes('rockridge'),
    udf: fsNames.includes('udf'),
    isoLevel: o.isoLevel,
    udfRevision: o.udfRevision ?? previous?.udfRevision,
    udfMetadataMirror: o.udfMetadataMirror,
    label: o.label,
    boot: (o.boot ?? []).map((b) => ({ ...b })),
    isohybrid: o.isohybrid !== undefined,
    isohybridMbrCode: mbr,
    isohybridGpt: o.isohybrid?.gpt ?? false,
    recordingTime: o.date === undefined ? undefined : new Date(o.date),
    maxSectors: o.maxSectors,
    udfSymlinks: o.udfSymlinks,
  };
}

/** Stages the request's host sources into `tree` (after its root, if any); onFile sees each file found. */
export function stageSources(req: ImageRequest, tree: StagingTree, onFile?: AddHostOptions['onFile']): void {
  for (const s of req.sources ?? []) tree.addHostPath(s.dest, s.hostPath, { followSymlinks: req.options.followSymlinks ?? false, onFile });
}

/**
 * Warnings about the options that the image will not say by itself: a label longer than a file
 * system's field (ECMA-119 §8.4.11: 32 d-characters, upper case; Joliet: 16 UCS-2 characters;
 * UDF dstring[32]: 30 Latin-1 or 15 other characters), an isohybrid MBR without boot code.
 */
export function optionNotes(o: ImageOptions): string[] {
  const notes: string[] = [];
  const fsNames = fileSystemsOf(o);
  const label = o.label;
  if (label !== undefined) {
    const iso = isoVolumeId(label);
    if (fsNames.includes('iso9660') && label.length > 32) notes.push(`label: ISO 9660 records "${iso}" (32 characters at most)`);
    if (fsNames.includes('joliet') && label.length > 16) notes.push(`label: Joliet records "${label.slice(0, 16)}" (16 characters at most)`);
    const udfMax = [...label].every((c) => c.codePointAt(0)! <= 0xff) ? 30 : 15;
    if (fsNames.includes('udf') && label.length > udfMax) notes.push(`label: UDF records "${label.slice(0, udfMax)}" (${udfMax} characters at most for this label)`);
  }
  if (o.isohybrid && !o.isohybrid.mbrTemplate) {
    notes.push('isohybrid: no MBR template: the MBR has no boot code, so only EFI firmware boots the image from a disk (give --isohybrid-mbr isohdpfx.bin for BIOS)');
  }
  return notes;
}
