// The scans an image worker keeps (the project's folders), so the project's tree reaches the
// engine without crossing the thread boundary a second time. The app's project scans a folder in
// the image worker (ImageEngine.scan) and keeps a copy of the nodes on its own thread for the UI;
// when it later plans, preflights or writes, it sends only what it changed (the folders it edited,
// packed) and, for every folder still as scanned, a reference: (scan id, the node's preorder
// index in that scan). Sending the whole tree packed and unpacking it again in the worker cost
// ~0.3 s of CPU and a second full copy of the tree per plan or write (50,000 files).
//
// MUST rules:
//  1. A held node and everything below it are never modified after the scan: a request's tree is
//     read-only to the engine (image-output.ts builds its own root and merges the request's top
//     level into it). A reference renamed by the project resolves to a shallow copy under the new
//     name, sharing the held children.
//  2. A reference this worker cannot resolve (the scan was released, the worker was replaced after
//     a crash or a cancel, or another worker of a larger pool scanned it) fails with a NotFoundError
//     whose details.reason is SCAN_NOT_HELD; the sender then packs its whole tree and asks again
//     (project-service.ts). A reference therefore never changes what is built, only what is sent.
//  3. A scan is held until released (the project releases a scan once none of its nodes is
//     reachable in the project or its undo history: a FinalizationRegistry in project-service.ts).
import { threadId } from 'node:worker_threads';
import { GlassmasterError, NotFoundError } from '../../common/errors';
import type { StagingNode } from './staging-tree';

/** details.reason of the NotFoundError for a reference to a scan this worker does not hold. */
export const SCAN_NOT_HELD = 'scan-not-held';

/** The worker refused a reference to a scan it no longer holds (MUST 2): its id; else undefined. */
export function scanNotHeld(err: unknown): string | undefined {
  const e = err as GlassmasterError | undefined;
  const d = e instanceof GlassmasterError && e.code === 'NOT_FOUND' ? (e.details as { reason?: unknown; scan?: unknown } | undefined) : undefined;
  return d?.reason === SCAN_NOT_HELD && typeof d.scan === 'string' ? d.scan : undefined;
}

export class ScanCache {
  private readonly scans = new Map<string, StagingNode[]>();
  private next = 1;

  /** Keeps a scan's nodes (preorder, as packed); returns its id, unique in the process (the thread's id is part of it). */
  hold(nodes: StagingNode[]): string {
    const id = `${threadId}.${this.next++}`;
    this.scans.set(id, nodes);
    return id;
  }

  /** The held node `index` of `scan` under `name` (MUST 1: a renamed one is a shallow copy). */
  resolve(scan: string, index: number, name: string): StagingNode {
    const node = this.scans.get(scan)?.[index];
    if (!node) throw new NotFoundError(`this image worker does not hold scan ${scan} (node ${index})`, { reason: SCAN_NOT_HELD, scan });
    return node.name === name ? node : { ...node, name };
  }

  release(ids: readonly string[]): void {
    for (const id of ids) this.scans.delete(id);
  }

  /** Scans held (for tests and the README's memory note). */
  get size(): number {
    return this.scans.size;
  }
}
