// The image-output service's worker side (run by worker/image-worker.ts, driven by ImageEngine):
// stages the request (host sources scanned here, never on the caller's thread), plans once, and
// then either streams the image in order (a ByteSource's producer: the burner, stdout) or writes a
// file by the fast path: files placed while the scan finds them, their data copied by a second
// thread with positional writes while this one encodes the metadata around them, the output's
// partial renamed to OUT only once complete (output-file.ts: what an output may never be, and how
// it is created and replaced; a device asked for with --to-device is written in place instead).
import * as fs from 'node:fs';
import { InvalidInputError } from '../common/errors';
import { sectorsFor } from './iso9660/encoding';
import { dataStartLba, planImage, type DataPiece, type ImagePlan, type ImageSpec } from './layout/plan-image';
import { childOrder } from './layout/child-order';
import { imageSpecFor, stageSources, type ImageRequest } from './image-spec';
import { checkStagedTree, openOutput, outputGuard, type OutputFile, type OutputPlan } from './output-file';
import { mergeInto, StagingTree, type StagingNode } from './staging/staging-tree';
import { ChunkPool, writeImage, writeImageRanges, type PositionedChunk, type WriteOptions } from './writer/write-image';
import { DataCopier, type CopyStream, type WorkerScript } from './writer/data-copier';

export type ImageWorkerProgress =
  | { phase: 'scanning'; files: number; bytes: number }
  /** The checksum manifest staged in the worker (a burn's), for the caller to pass again (no second hashing). */
  | { phase: 'manifest'; text: string }
  | { phase: 'planned'; totalSectors: number }
  | { phase: 'writing'; bytesWritten: number; totalBytes: number };

export interface OutputContext {
  signal: AbortSignal;
  progress(p: ImageWorkerProgress): void;
}

/** Files per part handed to the copier while the tree is read (small enough to start at once). */
const STREAM_BATCH = 256;
const SCAN_PROGRESS_EVERY = 2048;
/** Pieces per part handed to the copier once the plan has placed them all. */
const PLACED_PART = 2048;
const SECTOR = 2048;

interface Staged {
  tree: StagingTree;
  spec: ImageSpec;
  /** Multisession: the previous session's end (the new one must start after it). */
  previousEnd?: number;
}

function newTree(req: ImageRequest): StagingTree {
  // The tree's own entries (the root, directories a path needs) carry the options' date, so the
  // same options and files give the same bytes whichever way the tree arrived.
  const tree = new StagingTree({ now: req.options.date === undefined ? undefined : new Date(req.options.date) });
  if (req.root) mergeInto(tree.root, req.root);
  return tree;
}

/** Stages everything and maps the options (multisession: the previous tree first, new sources on top). */
async function stage(
  req: ImageRequest, ctx: OutputContext, onFile?: (node: StagingNode, imagePath: string) => void, output?: OutputFile, prepare?: (tree: StagingTree) => Promise<void>,
): Promise<Staged> {
  // A staged tree must not hold the file the output replaces (the scan below checks as it goes).
  if (output && req.root) await checkStagedTree(output.plan, req.root);
  const tree = newTree(req);
  const guard = output ? outputGuard(output) : undefined;
  try {
    let files = 0;
    let bytes = 0;
    const counted = (node: StagingNode, imagePath: string) => {
      files++;
      bytes += node.size;
      if (files % SCAN_PROGRESS_EVERY === 0) ctx.progress({ phase: 'scanning', files, bytes });
      onFile?.(node, imagePath);
    };
    const ms = req.options.multisession;
    if (ms) {
      // Loaded when asked for: the previous session is read with the image reader, which a plain
      // build does not need (the worker starts without it).
      const { importPreviousSession } = await import('./multisession/multisession');
      const prev = await importPreviousSession(tree, ms.importImage);
      stageSources(req, tree, counted, guard);
      const spec = imageSpecFor(req.options, tree.root, { udfRevision: prev.udfRevision });
      return { tree, spec: { ...spec, startLba: ms.startLba }, previousEnd: prev.lastSessionEnd };
    }
    stageSources(req, tree, counted, guard);
    if (prepare) await prepare(tree);
    return { tree, spec: imageSpecFor(req.options, tree.root) };
  } catch (err) {
    await tree.dispose();
    throw err;
  }
}

/**
 * Plans, turning a capacity refusal into one stable number: the layout refuses as soon as the
 * file data alone is over the limit, so its count depends on where it stopped; the full plan
 * without the limit gives the sectors the image really needs.
 */
async function planChecked(s: Staged, opts: Parameters<typeof planImage>[1] = {}): Promise<ImagePlan> {
  try {
    if (s.previousEnd !== undefined) {
      const { planMultisession } = await import('./multisession/multisession');
      return (await planMultisession({ ...s.spec, startLba: s.spec.startLba!, previousEnd: s.previousEnd })).plan;
    }
    return await planImage(s.spec, opts);
  } catch (err) {
    const max = s.spec.maxSectors;
    if (max === undefined || !(err instanceof InvalidInputError) || (err.details as { maxSectors?: number } | undefined)?.maxSectors === undefined) throw err;
    const unlimited: Staged = { ...s, spec: { ...s.spec, maxSectors: undefined } };
    const needed = (await planChecked(unlimited)).totalSectors;
    throw new InvalidInputError(`the image needs ${needed} sectors (${(needed * SECTOR / 1e6).toFixed(1)} MB), more than the capacity limit of ${max} sectors`, { path: '/', totalSectors: needed, maxSectors: max });
  }
}

/** Size in sectors, without producing any byte. */
export async function planRequest(req: ImageRequest, ctx: OutputContext): Promise<{ totalSectors: number; startLba: number }> {
  const s = await stage(req, ctx);
  try {
    const plan = await planChecked(s);
    return { totalSectors: plan.totalSectors, startLba: plan.startLba };
  } finally {
    await s.tree.dispose();
  }
}

/**
 * The image in order, chunk by chunk (each a whole number of sectors): `write` is the consumer's
 * backpressure (it resolves when the consumer has room). Sectors startLba … totalSectors − 1.
 */
export async function streamRequest(
  req: ImageRequest | ImageSpec, ctx: OutputContext, write: (chunk: Uint8Array) => Promise<void>,
  opts: { chunkSize?: number; /** Runs on the staged tree before it is planned (a burn's checksum manifest). */ prepare?: (tree: StagingTree) => Promise<void> } = {},
): Promise<{ totalSectors: number; startLba: number }> {
  if (opts.prepare && 'options' in req && req.options.multisession) throw new InvalidInputError('a tree with an imported session cannot be prepared here');
  const s: Staged = 'options' in req ? await stage(req, ctx, undefined, undefined, opts.prepare) : { tree: new StagingTree(), spec: req };
  try {
    const plan = await planChecked(s);
    ctx.progress({ phase: 'planned', totalSectors: plan.totalSectors - plan.startLba });
    const chunks = writeImage(plan, {
      signal: ctx.signal,
      chunkSize: opts.chunkSize,
      reuseBuffer: false, // chunks are handed over (transferred to the host thread)
      onProgress: (p) => ctx.progress({ phase: 'writing', ...p }),
    });
    for await (const chunk of chunks) await write(chunk);
    return { totalSectors: plan.totalSectors, startLba: plan.startLba };
  } finally {
    await s.tree.dispose();
  }
}

/**
 * Calls `place` for every file of a staged tree in the order the layout places file data
 * (planImage's walk: preorder, children in childOrder's order, a folder's files and subfolders
 * interleaved by name), with its image path. A file without a source is left to the plan, which
 * refuses it.
 */
function placeInLayoutOrder(root: StagingNode, place: (node: StagingNode, imagePath: string) => void): void {
  const order = childOrder();
  // A node staged at two paths is one file to the plan (placed once, at its first path).
  const seen = new Set<StagingNode>();
  // Explicit stacks: a deep tree must not overflow the call stack (the plan checks depth later).
  const dirs: StagingNode[] = [root];
  const prefixes: string[] = [''];
  const at: number[] = [0];
  while (dirs.length > 0) {
    const top = dirs.length - 1;
    const kids = order(dirs[top]);
    if (at[top] >= kids.length) {
      dirs.pop();
      prefixes.pop();
      at.pop();
      continue;
    }
    const c = kids[at[top]++];
    if (c.kind === 'file') {
      if (c.source && !seen.has(c)) {
        seen.add(c);
        place(c, `${prefixes[top]}/${c.name}`);
      }
    } else if (c.kind === 'dir' && c.children) {
      dirs.push(c);
      prefixes.push(`${prefixes[top]}/${c.name}`);
      at.push(0);
    }
  }
}

function writeAll(fd: number, buf: Buffer, pos: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number) => {
      fs.write(fd, buf, off, buf.length - off, pos + off, (err, n) => {
        if (err) reject(err);
        else if (off + n < buf.length) step(off + n);
        else resolve();
      });
    };
    step(0);
  });
}

/**
 * Writes the image to the planned output (output-file.ts: a file through its partial, renamed once
 * complete and removed on any failure; a device in place). `copier` is the copier threads' entry
 * (worker/copy-worker.ts: its copyStream task).
 */
export async function writeRequestFile(
  req: ImageRequest | ImageSpec, outPlan: OutputPlan, ctx: OutputContext, copierEntry: WorkerScript, opts: { chunkSize?: number } = {},
): Promise<{ bytes: number; totalSectors: number }> {
  const o = 'options' in req ? req.options : undefined;
  const multisession = o?.multisession !== undefined;
  // A device is written only once the image is planned and known to fit: no copy starts earlier.
  const toDevice = outPlan.kind === 'device';
  // Started now so the copier thread's start-up overlaps staging and planning.
  const copier = new DataCopier(copierEntry);
  const pool = new ChunkPool(opts.chunkSize);
  const inflight: Promise<void>[] = [];
  let out: OutputFile | undefined;
  let stream: CopyStream | undefined;
  let staged: Staged | undefined;
  try {
    out = await openOutput(outPlan);
    const fd = out.fd;
    stream = copier.stream(fd, 0, ctx.signal);
    const copyStream = stream;
    // One host source tree and no boot image or capacity limit: each file is placed the moment the
    // scan finds it and copied while the rest of the tree is still read (the scan and the copy
    // overlap, as in tar). Boot images go first and capacity is checked before any copy, so those wait.
    const placeable = o !== undefined && !multisession && !toDevice && !o.boot?.length && o.maxSectors === undefined;
    const stagedRoot = 'root' in req && req.root !== undefined;
    const streamed = placeable && !stagedRoot && (req as ImageRequest).sources?.length === 1;
    // A tree staged before (the app's project): its files are placed, in the layout's order, as
    // soon as it is staged here, so the copy runs while the plan is made (as the CLI's does while
    // it scans) instead of starting only once the plan has placed every file.
    const placedAhead = placeable && stagedRoot && !(req as ImageRequest).sources?.length;
    const nodes: StagingNode[] = [];
    const pieces: DataPiece[] = [];
    let next = 0;
    let startLba = 0;
    let batch: DataPiece[] = [];
    let early: Set<DataPiece> | undefined;
    if (streamed) {
      startLba = next = dataStartLba(imageSpecFor(o, new StagingTree({ now: o.date === undefined ? undefined : new Date(o.date) }).root));
    }
    const place = (node: StagingNode, imagePath: string) => {
      if (node.size === 0) return; // empty files have no data to place
      const piece: DataPiece = { lba: next, size: node.size, source: node.source!, path: imagePath };
      nodes.push(node);
      pieces.push(piece);
      next += sectorsFor(node.size);
      // Only host files are the copier's; the ordered writer writes the others (not in `early`).
      if (piece.source.type !== 'host') return;
      batch.push(piece);
      if (batch.length >= STREAM_BATCH) {
        copyStream.push(batch);
        batch = [];
      }
    };
    staged = o ? await stage(req as ImageRequest, ctx, streamed ? place : undefined, out) : { tree: new StagingTree(), spec: req as ImageSpec };
    if (placedAhead) {
      startLba = next = dataStartLba(staged.spec);
      placeInLayoutOrder(staged.tree.root, place);
    }
    stream.push(batch);
    let plan: ImagePlan;
    if (multisession) {
      // The session's own sectors only (the file is the increment, as `-o` always wrote it).
      plan = await planChecked(staged);
    } else {
      plan = await planChecked(staged, {
        preplaced: streamed || placedAhead ? { nodes, pieces, startLba } : undefined,
        // Any other file data starts copying as soon as it is placed, while the metadata is still encoded.
        onDataPlaced: toDevice ? undefined : ({ pieces: placed }) => {
          early = new Set(placed);
          // In parts, as the scan hands them over: the copier thread then holds one part's paths at a
          // time (50,000 pieces in one message grew its heap from ~15 to ~65 MB: the app project's write).
          const rest = placed.filter((d) => d.lba >= next);
          for (let i = 0; i < rest.length; i += PLACED_PART) copyStream.push(rest.slice(i, i + PLACED_PART));
        },
      });
    }
    const totalBytes = (plan.totalSectors - plan.startLba) * SECTOR;
    out.reserve(totalBytes);
    ctx.progress({ phase: 'planned', totalSectors: plan.totalSectors - plan.startLba });
    const copying = stream.end();
    copying.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    // The plan's pieces are the same objects the copier got (a patched boot image is not among them).
    const skip = early ? (d: DataPiece) => early!.has(d) : undefined;
    let lastProgress = 0;
    const chunks: AsyncIterable<PositionedChunk> = writeImageRanges(plan, { signal: ctx.signal, reuseBuffer: false, pool, skip });
    // One write in flight while the next chunk is produced: overlaps output I/O with reading the
    // sources; concurrent writes to one file only contend in the kernel (measured: 4 in flight
    // cost 3x the system time of tar on a 6 GiB image, 1 in flight ~1.2x).
    for await (const c of chunks) {
      if (inflight.length >= 1) await inflight.shift();
      const data = c.data;
      inflight.push(writeAll(fd, data, c.offset).then(() => pool.give(data)));
      const now = Date.now();
      if (now - lastProgress >= 100) {
        lastProgress = now;
        // Where the ordered writer is: the copier's file data below it is (nearly always) written.
        ctx.progress({ phase: 'writing', bytesWritten: c.offset + data.length, totalBytes });
      }
    }
    await Promise.all(inflight);
    // The metadata is written: this thread copies what the copier has not reached yet.
    await stream.help();
    await copying;
    await out.commit();
    ctx.progress({ phase: 'writing', bytesWritten: totalBytes, totalBytes });
    return { bytes: totalBytes, totalSectors: plan.totalSectors };
  } catch (err) {
    await Promise.allSettled(inflight);
    // The copier threads may still be writing into fd: stop them before it is closed.
    await stream?.cancel();
    await copier.close();
    await out?.abort();
    throw err;
  } finally {
    // Past this point no copier thread touches the file (its stream ended, or was cancelled above):
    // its teardown (a heap of its own to unmap, ~15 ms after 50,000 files) runs while the result
    // goes out, not before it.
    copier.close().catch(() => undefined);
    await staged?.tree.dispose();
  }
}

export type { WriteOptions };
