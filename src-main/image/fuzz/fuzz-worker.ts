// A fuzz worker: prepares the corpus once, then runs the cases the host sends, one at a time, and
// reports each target's outcome, the wall time and the peak of this thread's own memory (V8 heap +
// external buffers, sampled at every sector read and after every target).
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { generateCase, prepareSeeds } from './mutators';
import { plantedTarget } from './planted-target';
import type { FuzzWorkerData, HostMessage, WorkerMessage } from './protocol';
import { exerciseImage, memoryProbe } from './targets';
import { ownThreadStatPath, threadCpuMs } from './thread-cpu';

const data = workerData as FuzzWorkerData;
const corpus = prepareSeeds(data.seeds.map((s) => ({ name: s.name, bytes: Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength) })));
const port = parentPort!;
const statPath = ownThreadStatPath();

let peak = 0;
let current = -1;
let reported = false;
const sample = () => {
  const h = getHeapStatistics();
  const mb = (h.used_heap_size + h.external_memory) / (1024 * 1024);
  if (mb > peak) peak = mb;
  // Over the limit: tell the host at once (it ends this worker) rather than let the case go on.
  if (mb > data.memoryLimitMb && !reported && current >= 0) {
    reported = true;
    port.postMessage({ type: 'over', index: current, peakMb: mb } satisfies WorkerMessage);
  }
};
memoryProbe.sample = sample;

port.on('message', async (m: HostMessage) => {
  const t0 = performance.now();
  const cpu0 = statPath ? threadCpuMs(statPath) : undefined;
  peak = 0;
  reported = false;
  current = -1;
  sample(); // the baseline (earlier cases' garbage) is not this case's
  current = m.index;
  let seedName: string;
  let targets;
  if (m.type === 'bytes') {
    seedName = m.seedName;
    targets = await exerciseImage(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength), { udfDetails: m.index % 2 === 1 });
  } else if (data.kind === 'planted') {
    seedName = 'planted';
    targets = await plantedTarget(m.index);
  } else {
    const c = generateCase(corpus, data.runSeed, m.index);
    seedName = c.seedName;
    targets = await exerciseImage(c.bytes, { udfDetails: m.index % 2 === 1 });
  }
  sample();
  const cpu1 = statPath ? threadCpuMs(statPath) : undefined;
  const cpuMs = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  const msg: WorkerMessage = { type: 'result', index: m.index, seedName, targets, ms: performance.now() - t0, cpuMs, peakMb: peak, overLimit: peak > data.memoryLimitMb };
  port.postMessage(msg);
});
port.postMessage({ type: 'ready', statPath } satisfies WorkerMessage);
