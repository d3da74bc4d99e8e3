// A staged subtree as a few flat arrays and one string, for crossing between threads. A tree of
// 50,000 nodes sent as objects costs the receiving thread one structured-clone pass of ~200,000
// objects (Maps, Dates, sources) in a single task: 0.4-0.8 s on the main thread measured here.
// Packed, it is three typed arrays and one string (each copied as one block), and the
// side that must stay responsive (the Electron main process) packs and unpacks in slices,
// yielding to its event loop between them (`packTreeSliced`, `unpackTreeSliced`).
import { type StagingKind, type StagingNode, type StagingSource } from './staging-tree';

export interface PackedTree {
  count: number;
  /** 0 file, 1 dir, 2 symlink; index 0 is the subtree's own node. */
  kinds: Uint8Array;
  /** Index of each node's parent (-1 for node 0); parents come before their children (preorder). */
  parents: Int32Array;
  /** Per node NUMS numbers: size, mtime, atime, ctime (ms), mode, uid, gid, hidden (0/1), host source mtimeMs (NaN: no host source). */
  numbers: Float64Array;
  /** Per node two strings joined by NUL (no name, host path or link target holds one): name, then host path or link target. */
  strings: string;
  /** Sources other than host files (buffers, previous-session extents), by node index. */
  otherSources: [number, StagingSource][];
}

const NUMS = 9;
const KINDS: StagingKind[] = ['file', 'dir', 'symlink'];
/** Nodes handled between two yields to the event loop. */
const SLICE = 1000;

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

function* preorder(root: StagingNode): Generator<[StagingNode, number]> {
  // An explicit stack: a deep tree must not overflow the call stack.
  const stack: [StagingNode, number][] = [[root, -1]];
  let index = 0;
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    const me = index++;
    yield [node, parent];
    if (node.children) {
      const kids = [...node.children.values()];
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, me]);
    }
  }
}

function countNodes(root: StagingNode): number {
  let n = 0;
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    n++;
    if (node.children) for (const c of node.children.values()) stack.push(c);
  }
  return n;
}

function* packSteps(root: StagingNode): Generator<void, PackedTree> {
  const count = countNodes(root);
  const kinds = new Uint8Array(count);
  const parents = new Int32Array(count);
  const numbers = new Float64Array(count * NUMS);
  const strings: string[] = [];
  const otherSources: [number, StagingSource][] = [];
  let i = 0;
  for (const [n, parent] of preorder(root)) {
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
    numbers[o + 8] = n.source?.type === 'host' ? n.source.mtimeMs : NaN;
    strings.push(n.name, n.source?.type === 'host' ? n.source.hostPath : (n.symlinkTarget ?? ''));
    if (n.source && n.source.type !== 'host') otherSources.push([i, n.source]);
    i++;
    if (i % SLICE === 0) yield;
  }
  return { count, kinds, parents, numbers, strings: strings.join('\0'), otherSources };
}

function* unpackSteps(p: PackedTree): Generator<void, StagingNode> {
  const strs = p.strings.split('\0');
  const nodes: StagingNode[] = new Array(p.count);
  const others = new Map(p.otherSources);
  for (let i = 0; i < p.count; i++) {
    const o = i * NUMS;
    const kind = KINDS[p.kinds[i]!]!;
    const mtime = new Date(p.numbers[o + 1]!);
    const atime = p.numbers[o + 2] === p.numbers[o + 1] ? mtime : new Date(p.numbers[o + 2]!);
    // One literal per node (the packed mode carries the type bits already).
    const node: StagingNode = {
      name: strs[2 * i]!, kind, size: p.numbers[o]!, mtime, atime, ctime: new Date(p.numbers[o + 3]!),
      mode: p.numbers[o + 4]!, uid: p.numbers[o + 5]!, gid: p.numbers[o + 6]!, hidden: p.numbers[o + 7] === 1,
      children: kind === 'dir' ? new Map() : undefined,
    };
    const second = strs[2 * i + 1]!;
    const hostMtime = p.numbers[o + 8]!;
    if (!Number.isNaN(hostMtime)) node.source = { type: 'host', hostPath: second, mtimeMs: hostMtime };
    else if (others.has(i)) node.source = others.get(i);
    if (kind === 'symlink') node.symlinkTarget = second;
    nodes[i] = node;
    const parent = p.parents[i]!;
    if (parent >= 0) nodes[parent]!.children!.set(node.name, node);
    if ((i + 1) % SLICE === 0) yield;
  }
  return nodes[0]!;
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

export const packTree = (root: StagingNode): PackedTree => runSync(packSteps(root));
export const unpackTree = (p: PackedTree): StagingNode => runSync(unpackSteps(p));
/** Packs in slices of a few thousand nodes, yielding to the event loop between them (the main thread's side). */
export const packTreeSliced = (root: StagingNode, signal?: AbortSignal): Promise<PackedTree> => runSliced(packSteps(root), signal);
/** Unpacks in slices, yielding to the event loop between them (the main thread's side). */
export const unpackTreeSliced = (p: PackedTree, signal?: AbortSignal): Promise<StagingNode> => runSliced(unpackSteps(p), signal);

