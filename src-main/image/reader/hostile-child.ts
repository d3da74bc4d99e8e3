// Child process of hostile.test.ts: opens one image file under a small heap (the parent passes
// --max-old-space-size) and prints what happened as one JSON line, so a reader that runs out of
// memory is an assertion in the parent (the child dies) instead of a dead test runner.
import { openImage } from './image';
import type { TreeFacet } from './types';

async function main(): Promise<void> {
  const [path, facet] = process.argv.slice(2);
  try {
    const info = await openImage(path);
    try {
      const root = await info.tree(facet as TreeFacet);
      process.stdout.write(`${JSON.stringify({ ok: true, children: root.children?.length ?? 0 })}\n`);
    } finally {
      await info.close();
    }
  } catch (err) {
    const e = err as Error & { code?: string; details?: unknown };
    process.stdout.write(`${JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message, details: e.details })}\n`);
  }
}

void main();
