// The runner's self-test: a target that misbehaves on purpose, chosen by the case number, so a
// test proves the runner really sees a crash, a hang and a memory blow-up (fuzz.test.ts). Never
// used by `npm run fuzz`.
import { InvalidImageError } from '../../common/errors';
import { memoryProbe, type TargetResult } from './targets';

export type PlantedBehaviour = 'ok' | 'typed' | 'crash' | 'hang' | 'memory' | 'external-memory' | 'heap-limit';
export const PLANTED: PlantedBehaviour[] = ['ok', 'typed', 'crash', 'hang', 'memory', 'external-memory', 'heap-limit'];

export async function plantedTarget(index: number): Promise<TargetResult[]> {
  const behaviour = PLANTED[index % PLANTED.length];
  try {
    switch (behaviour) {
      case 'ok':
        return [{ target: 'list', outcome: 'ok' }];
      case 'typed':
        throw new InvalidImageError('planted: a typed image error');
      case 'crash': {
        const node = undefined as unknown as { children: unknown[] };
        return [{ target: 'list', outcome: node.children.length ? 'ok' : 'ok' }]; // TypeError
      }
      case 'hang':
        for (;;) await Promise.resolve(); // never yields to timers: only the watchdog ends it
      case 'memory': {
        // JS objects, sampled as every sector read is: the sampler's limit stops it.
        const hog: number[][] = [];
        for (;;) {
          hog.push(new Array(1_000_000).fill(hog.length + 0.5)); // 8 MB a step
          memoryProbe.sample();
        }
      }
      case 'heap-limit': {
        // JS objects, never sampled: only the worker's resourceLimits (or the watchdog) stop it.
        const hog: number[][] = [];
        for (;;) hog.push(new Array(100_000).fill(hog.length + 0.5));
      }
      case 'external-memory': {
        // Buffers outside the JS heap, sampled as a BlockReader read would be: the sampler's limit.
        const hog: Buffer[] = [];
        for (let i = 0; i < 40; i++) {
          hog.push(Buffer.alloc(10 * 1024 * 1024, 1));
          memoryProbe.sample();
          await Promise.resolve();
        }
        return [{ target: 'list', outcome: hog.length ? 'ok' : 'ok' }];
      }
    }
  } catch (err) {
    const e = err as Error;
    return [{ target: 'list', outcome: err instanceof InvalidImageError ? 'typed' : 'crash', error: { name: e.constructor.name, message: e.message, stack: e.stack } }];
  }
}
