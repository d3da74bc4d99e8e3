// A staged subtree as a few flat arrays and one string, for crossing between threads. A tree of
// 50,000 nodes sent as objects costs the receiving thread one structured-clone pass of ~200,000
// objects (Maps, Dates, sources) in a single task: 0.4-0.8 s on the main thread measured here.
// Packed, it is three typed arrays and one string (each copied as one block), and the
// side that must stay responsive (the Electron main process) packs in slices, yielding to its
// event loop between them (`packTreeSliced`), and keeps what it receives packed, building single
// nodes only when asked (`PackedNodes`: project/folded-tree.ts).
import { Instants } from './instants';
import { InternalError } from '../../common/errors';
import { type StagingKind, type StagingNode, type StagingSource } from './staging-tree';

export interface PackedTree {
  count: number;
  /** 0 file, 1 dir, 2 symlink; index 0 is the subtree's own node. */
  kinds: Uint8Array;
  /** Index of each node's parent (-1 for node 0); parents come before their children (preorder). */
  parents: Int32Array;
  /** Per node NUMS numbers: size, mtime, atime, ctime (ms), mode, uid, gid, hidden (0/1), host source mtimeMs (a folder: 0 when it has a host path; NaN: none). */
  numbers: Float64Array;
  /**
   * Per node two strings as UTF-8 in one buffer (a typed array is copied as one block; a 4 MB
   * string and its split cost the receiving thread hundreds of ms): the name, then the host path
   * or link target. A host path that is the parent's plus "/name" (every file a scan found) is
   * left empty and derived again when unpacked.
   */
  text: Uint8Array;
  /** Start of each string in `text` (2 per node) and the end of the last. */
  offsets: Uint32Array;
  /** Sources other than host files (buffers, previous-session extents), by node index. */
  otherSources: [number, StagingSource][];
  /**
   * Nodes sent by reference (scan-cache.ts): node `index` is node `node` of the scan `scan` that the
   * receiving worker holds, under the name packed here; its descendants are not in the arrays.
   */
  refs?: PackedRef[];
}

/** [packed index, scan id, the node's preorder index in that scan] */
export type PackedRef = [index: number, scan: string, node: number];

/** Where a node can be found in a scan the image worker holds (scan-cache.ts), if anywhere. */
export type RefOf = (node: StagingNode) => { scan: string; node: number } | undefined;
/** The held node of a reference, under the given name (scan-cache.ts ScanCache.resolve). */
export type ResolveRef = (scan: string, node: number, name: string) => StagingNode;

const NUMS = 9;
const KINDS: StagingKind[] = ['file', 'dir', 'symlink'];
/** Nodes handled between two yields to the event loop. */
const SLICE = 1000;

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Calls `visit(node, parentIndex)` for every node in preorder (index order), parents before
 * children; the children of a node `skip` accepts are left out.
 */
function forEachPreorder(root: StagingNode, visit: (node: StagingNode, parent: number) => void, skip?: (node: StagingNode) => boolean): void {
  // Two parallel stacks (no tuple per node); explicit: a deep tree must not overflow the call stack.
  const nodes: StagingNode[] = [root];
  const parents: number[] = [-1];
  let index = 0;
  while (nodes.length) {
    const node = nodes.pop()!;
    const parent = parents.pop()!;
    const me = index++;
    visit(node, parent);
    if (!skip?.(node) && node.children) {
      const kids = [...node.children.values()];
      for (let i = kids.length - 1; i >= 0; i--) {
        nodes.push(kids[i]!);
        parents.push(me);
      }
    }
  }
}

/** The host folder a staged folder was scanned from, as its first host file's parent path says. */
function folderHostPath(dir: StagingNode): string | undefined {
  for (const c of dir.children!.values()) {
    if (c.source?.type !== 'host') continue;
    const suffix = `/${c.name}`;
    return c.source.hostPath.endsWith(suffix) ? c.source.hostPath.slice(0, -suffix.length) : undefined;
  }
  return undefined;
}

function countNodes(root: StagingNode, skip?: (node: StagingNode) => boolean): number {
  let n = 0;
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    n++;
    if (!skip?.(node) && node.children) for (const c of node.children.values()) stack.push(c);
  }
  return n;
}

/** Is `path` exactly `parent + "/" + name` (without building that string for every node)? */
function isChildPath(path: string, parent: string, name: string): boolean {
  return path.length === parent.length + 1 + name.length && path.charCodeAt(parent.length) === 0x2f
    && path.startsWith(parent) && path.endsWith(name);
}

interface Packed {
  tree: PackedTree;
  /** The nodes in packed (preorder) order: what a scan's cache keeps (scan-cache.ts). */
  order: StagingNode[];
}

/**
 * `scanned`: the tree is a scan just made (scan-task.ts), so every host file's path is its folder's
 * plus "/name" by construction and is left out without comparing the strings: the comparison
 * flattened every file's path (the scan builds each as its folder's prefix + the name), ~0.06 s of
 * the scan task's time on 50,000 files.
 */
function* packSteps(root: StagingNode, refOf?: RefOf, scanned = false): Generator<void, Packed> {
  // A node sent by reference: the worker has it (and all below it) already.
  const refs: PackedRef[] = [];
  const refByNode = new Map<StagingNode, { scan: string; node: number }>();
  const skip = refOf ? (n: StagingNode) => {
    const r = refOf(n);
    if (r) refByNode.set(n, r);
    return r !== undefined;
  } : undefined;
  const count = countNodes(root, skip);
  const kinds = new Uint8Array(count);
  const parents = new Int32Array(count);
  const numbers = new Float64Array(count * NUMS);
  const encoder = new TextEncoder();
  // All strings encoded into one growing buffer (encodeInto): one allocation per doubling, not
  // one Uint8Array per string (100,000 short-lived buffers were most of the packing's GC).
  let text = new Uint8Array(Math.max(1024, count * 24));
  const offsets = new Uint32Array(count * 2 + 1);
  let textLength = 0;
  const hostPaths: string[] = new Array(count);
  const put = (k: number, str: string) => {
    offsets[k] = textLength;
    if (!str) return;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (textLength + str.length * 3 > text.length) {
      const grown = new Uint8Array(Math.max(text.length * 2, textLength + str.length * 3));
      grown.set(text.subarray(0, textLength));
      text = grown;
    }
    textLength += encoder.encodeInto(str, text.subarray(textLength)).written;
  };
  const otherSources: [number, StagingSource][] = [];
  const order: StagingNode[] = new Array(count);
  const orderParents = new Int32Array(count);
  let visited = 0;
  forEachPreorder(root, (n, parent) => {
    order[visited] = n;
    orderParents[visited++] = parent;
  }, skip && ((n) => refByNode.has(n)));
  for (let i = 0; i < count; i++) {
    const n = order[i]!;
    const parent = orderParents[i]!;
    kinds[i] = n.kind === 'file' ? 0 : n.kind === 'dir' ? 1 : 2;
    parents[i] = parent;
    const o = i * NUMS;
    numbers[o] = n.size;
    numbers[o + 1] = n.mtime.getTime();
    numbers[o + 2] = n.atime.getTime();
    numbers[o + 3] = n.ctime.getTime();
    numbers[o + 4] = n.mode;
    numbers[o + 5] = n.uid;
    numbers[o + 6] = n.gid;
    numbers[o + 7] = n.hidden ? 1 : 0;
    numbers[o + 8] = NaN;
    put(2 * i, n.name);
    let second = n.symlinkTarget ?? '';
    // A host file's path, or a folder's (inferred from a file in it: a scanned folder records none),
    // is sent only when it is not the parent's plus "/name".
    // (Not for a node sent by reference: its descendants are not packed, and its children are not read.)
    const ref = refByNode.get(n);
    const hostPath = n.source?.type === 'host' ? n.source.hostPath : !ref && n.children ? folderHostPath(n) : undefined;
    if (hostPath !== undefined) {
      hostPaths[i] = hostPath;
      const parentHost = parent >= 0 ? hostPaths[parent] : undefined;
      second = parentHost !== undefined && ((scanned && n.source?.type === 'host') || isChildPath(hostPath, parentHost, n.name)) ? '' : hostPath;
      numbers[o + 8] = n.source?.type === 'host' ? n.source.mtimeMs : 0;
    }
    put(2 * i + 1, second);
    if (n.source && n.source.type !== 'host') otherSources.push([i, n.source]);
    if (ref) refs.push([i, ref.scan, ref.node]);
    if ((i + 1) % SLICE === 0) yield;
  }
  offsets[count * 2] = textLength;
  const tree: PackedTree = { count, kinds, parents, numbers, text: text.slice(0, textLength), offsets, otherSources };
  if (refs.length) tree.refs = refs;
  return { tree, order };
}

/**
 * Reads single nodes of a packed tree (without references), in any order: the full unpack below
 * builds them all; the project's main thread builds only the folders the UI lists or an edit
 * reaches (project/folded-tree.ts) and answers counts and sizes from the arrays.
 */
export class PackedNodes {
  private readonly text: Buffer;
  private readonly others: Map<number, StagingSource>;
  private ends: Int32Array | undefined;
  private readonly instants = new Instants();

  constructor(readonly packed: PackedTree) {
    // One Buffer view over the text: toString(start, end) decodes in place (no view per string).
    this.text = Buffer.from(packed.text.buffer, packed.text.byteOffset, packed.text.byteLength);
    this.others = new Map(packed.otherSources);
  }

  get count(): number {
    return this.packed.count;
  }

  kind(i: number): StagingKind {
    return KINDS[this.packed.kinds[i]!]!;
  }

  parent(i: number): number {
    return this.packed.parents[i]!;
  }

  /** The node's size in bytes (a file's data, a link's target). */
  size(i: number): number {
    return this.packed.numbers[i * NUMS]!;
  }

  /** String k (2 per node: the name, then the host path or link target). */
  string(k: number): string {
    const o = this.packed.offsets;
    return o[k] === o[k + 1] ? '' : this.text.toString('utf8', o[k]!, o[k + 1]!);
  }

  /** One past the last descendant of each node (preorder: a subtree is one run of indexes). */
  get end(): Int32Array {
    if (!this.ends) {
      const { count, parents } = this.packed;
      const end = new Int32Array(count);
      // Backwards, so every descendant of a node has raised its end before the node passes it up.
      for (let i = count - 1; i >= 0; i--) {
        if (end[i]! < i + 1) end[i] = i + 1;
        const p = parents[i]!;
        if (p >= 0 && end[p]! < end[i]!) end[p] = end[i]!;
      }
      this.ends = end;
    }
    return this.ends;
  }

  /** The indexes of node i's children, in packed (= the scan's, code point) order. */
  *childrenOf(i: number): Generator<number> {
    const end = this.end;
    for (let c = i + 1; c < end[i]!; c = end[c]!) yield c;
  }

  /**
   * Node i with no children yet (a folder gets an empty Map), and its host path: a file's source,
   * or a folder's host folder (`parentHost`: the parent's, from which paths left out are derived).
   */
  node(i: number, parentHost: string | undefined): { node: StagingNode; hostPath: string | undefined } {
    const p = this.packed;
    const o = i * NUMS;
    const kind = KINDS[p.kinds[i]!]!;
    // Equal times share one Date (instants.ts: the tree never mutates them).
    const mtime = this.instants.at(p.numbers[o + 1]!);
    const atime = this.instants.at(p.numbers[o + 2]!);
    const ctime = this.instants.at(p.numbers[o + 3]!);
    // One literal per node (the packed mode carries the type bits already).
    const node: StagingNode = {
      name: this.string(2 * i), kind, size: p.numbers[o]!, mtime, atime, ctime,
      mode: p.numbers[o + 4]!, uid: p.numbers[o + 5]!, gid: p.numbers[o + 6]!, hidden: p.numbers[o + 7] === 1,
      children: kind === 'dir' ? new Map() : undefined,
    };
    const second = this.string(2 * i + 1);
    const hostMtime = p.numbers[o + 8]!;
    let hostPath: string | undefined;
    if (!Number.isNaN(hostMtime)) {
      // Left out when it is the parent's plus "/name" (the packer sends it whole when the parent has none).
      hostPath = second || `${parentHost!}/${node.name}`;
      if (kind !== 'dir') node.source = { type: 'host', hostPath, mtimeMs: hostMtime };
    } else if (this.others.has(i)) node.source = this.others.get(i);
    if (kind === 'symlink') node.symlinkTarget = second;
    return { node, hostPath };
  }
}

function* unpackSteps(p: PackedTree, resolveRef?: ResolveRef): Generator<void, { root: StagingNode }> {
  const reader = new PackedNodes(p);
  const hostPaths: (string | undefined)[] = new Array(p.count);
  const nodes: StagingNode[] = new Array(p.count);
  const refs = new Map(p.refs?.map(([i, scan, node]) => [i, { scan, node }]));
  if (refs.size && !resolveRef) throw new InternalError('a packed tree with references to held scans reached a thread that holds none');
  for (let i = 0; i < p.count; i++) {
    const parent = p.parents[i]!;
    const ref = refs.get(i);
    if (ref) {
      // The held node itself (never modified: see scan-cache.ts); its descendants are not packed.
      const held = resolveRef!(ref.scan, ref.node, reader.string(2 * i));
      nodes[i] = held;
      if (parent >= 0) nodes[parent]!.children!.set(held.name, held);
      continue;
    }
    const { node, hostPath } = reader.node(i, parent >= 0 ? hostPaths[parent] : undefined);
    hostPaths[i] = hostPath;
    nodes[i] = node;
    if (parent >= 0) nodes[parent]!.children!.set(node.name, node);
    if ((i + 1) % SLICE === 0) yield;
  }
  return { root: nodes[0]! };
}

function runSync<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

async function runSliced<T>(steps: Generator<void, T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await yieldToLoop();
    signal?.throwIfAborted();
  }
}

export const packTree = (root: StagingNode): PackedTree => runSync(packSteps(root)).tree;
/** packTree, plus the nodes in packed order (the scan task keeps them: scan-cache.ts); `scanned` as packSteps says. */
export const packTreeOrdered = (root: StagingNode, scanned = false): Packed => runSync(packSteps(root, undefined, scanned));
/** Unpacks; references to held scans (`refs`) are resolved by `resolveRef` (the image worker's ScanCache). */
export const unpackTree = (p: PackedTree, resolveRef?: ResolveRef): StagingNode => runSync(unpackSteps(p, resolveRef)).root;
/**
 * Packs in slices of a few thousand nodes, yielding to the event loop between them (the main
 * thread's side). A node `refOf` places in a held scan goes by reference, without its descendants.
 */
export const packTreeSliced = async (root: StagingNode, signal?: AbortSignal, refOf?: RefOf): Promise<PackedTree> => (await runSliced(packSteps(root, refOf), signal)).tree;
/** Unpacks in slices, yielding to the event loop between them (the main thread's side). */
export const unpackTreeSliced = async (p: PackedTree, signal?: AbortSignal): Promise<StagingNode> => (await runSliced(unpackSteps(p), signal)).root;

