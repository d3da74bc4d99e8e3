// How the project's tree reaches the image engine (image/staging/scan-cache.ts): folders as the
// worker scanned them go by reference, edited ones packed, and whatever is sent, the image is the
// one the whole tree gives. The engine is the real one (a worker thread); a thin recorder around it
// sees what crosses the thread boundary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ImageEngine } from '../image/image-engine';
import type { ImageRequest } from '../image/image-spec';
import { imageWorkerScript } from '../app/image-worker-script';
import { ProjectService } from './project-service';

const sig = () => new AbortController().signal;
const DATE = '2024-01-01T00:00:00Z';
let dir: string;
let engine: ImageEngine;
const sent: { task: string; count: number; refs: number }[] = [];
const scans: string[] = [];
const released: string[] = [];

/** The engine, recording each request's packed tree (nodes packed, references) and each held scan. */
function recorder(): ImageEngine {
  const note = (task: string, spec: unknown) => {
    const p = (spec as ImageRequest).packedRoot;
    if (p) sent.push({ task, count: p.count, refs: p.refs?.length ?? 0 });
  };
  return new Proxy(engine, {
    get(target, key) {
      if (key === 'plan' || key === 'writeFile' || key === 'preflight') {
        return (spec: unknown, ...rest: unknown[]) => {
          note(key, spec);
          return (target[key] as (...a: unknown[]) => unknown).call(target, spec, ...rest);
        };
      }
      if (key === 'releaseScans') {
        return (ids: string[]) => {
          released.push(...ids);
          return target.releaseScans(ids);
        };
      }
      if (key === 'scan') {
        return async (...a: Parameters<ImageEngine['scan']>) => {
          const r = await target.scan(...a);
          if (r.scan) scans.push(r.scan);
          return r;
        };
      }
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function newProject(planDelayMs = 60_000): ProjectService {
  const e = recorder();
  const p = new ProjectService({ engine: () => e, planDelayMs });
  p.setImageOptions({ date: DATE });
  return p;
}

/** The image of the project's tree sent whole (structured clone of the nodes, no references). */
async function wholeTreeImage(project: ProjectService, out: string): Promise<Buffer> {
  await engine.writeFile(project.imageRequest(), out);
  return readFileSync(out);
}

async function projectImage(project: ProjectService, out: string): Promise<Buffer> {
  await project.writeImage(out, sig());
  return readFileSync(out);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-scan-refs-'));
  // 3 levels of folders, 240 files: more than one packing slice would matter for, few enough to be quick.
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 6; b++) {
      const d = join(dir, 'src', `a${a}`, `b${b}`);
      mkdirSync(d, { recursive: true });
      for (let f = 0; f < 10; f++) writeFileSync(join(d, `f${f}.txt`), `${a}/${b}/${f} `.repeat(1 + f * 40));
    }
  }
  mkdirSync(join(dir, 'more'));
  writeFileSync(join(dir, 'more', 'm.txt'), 'more');
  engine = new ImageEngine({ script: imageWorkerScript() });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the project reaches the image engine', () => {
  it('sends a folder it has not edited by reference, and a write right after adding plans once (the write is the capacity plan)', async () => {
    const project = newProject(150);
    sent.length = 0;
    await project.addPaths([join(dir, 'src')]);
    const out = join(dir, 'first.iso');
    const { bytes } = await project.writeImage(out, sig());
    // Before: the whole tree packed (1 + 1 + 4 + 24 + 240 nodes) for the write, and again for a
    // capacity plan that the write repeated.
    expect(sent).toEqual([{ task: 'writeFile', count: 2, refs: 1 }]);
    expect(project.snapshot().imageBytes).toBe(bytes);
    expect(readFileSync(out).equals(await wholeTreeImage(project, join(dir, 'whole.iso')))).toBe(true);
    // The meter does not plan again after the write.
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.filter((s) => s.task === 'plan')).toEqual([]);
    await project.dispose();
  });

  it('gives the image of the whole tree after every kind of edit and undo, sending only edited folders packed', async () => {
    const project = newProject();
    await project.addPaths([join(dir, 'src'), join(dir, 'more')]);
    // Each step is checked on its own image (a few edits per step keep the test short).
    const edits: [string, () => unknown][] = [
      ['rename a file deep inside, and a folder as scanned', () => {
        project.rename('/src/a1/b2/f3.txt', 'renamed.txt');
        project.rename('/src/a2', 'second');
      }],
      ['move a folder into another scan, and a file to the top', () => {
        project.move(['/src/a3/b1'], '/more');
        project.move(['/src/a0/b0/f0.txt'], '/');
      }],
      ['delete a file and a folder, new folder', () => {
        project.delete(['/src/a0/b5/f9.txt', '/src/a3/b4']);
        project.newFolder('/src/a0', 'new');
      }],
      ['undo the new folder and the delete', () => (project.undo(), project.undo())],
      ['undo the moves', () => (project.undo(), project.undo())],
      ['add into a folder of a scan', () => project.addPaths([join(dir, 'more', 'm.txt')], '/src/a1/b1')],
    ];
    for (const [what, edit] of edits) {
      await edit();
      sent.length = 0;
      const mine = await projectImage(project, join(dir, 'refs.iso'));
      const whole = await wholeTreeImage(project, join(dir, 'whole.iso'));
      expect(mine.equals(whole), what).toBe(true);
      const [write] = sent;
      // Folders never edited went by reference (only the edited path and its siblings are packed).
      expect(write!.refs, what).toBeGreaterThan(0);
      expect(write!.count, what).toBeLessThan(120);
    }
    // A preflight of the same request sees every entry (each one's ISO 9660 name is in capitals).
    const report = await project.preflight(undefined, sig());
    const { files, folders } = project.snapshot();
    expect(report.findings.find((f) => f.code === 'iso-name-changed')?.count).toBe(files + folders);
    await project.dispose();
  });

  it('sends the whole tree when the worker no longer holds a scan (released or lost), and the image is the same', async () => {
    const project = newProject();
    scans.length = 0;
    await project.addPaths([join(dir, 'src')]);
    project.rename('/src/a1/b1/f1.txt', 'x.txt');
    const before = await projectImage(project, join(dir, 'a.iso'));
    await engine.releaseScans([...scans]);
    sent.length = 0;
    const after = await projectImage(project, join(dir, 'b.iso'));
    expect(after.equals(before)).toBe(true);
    // Refused once by reference, then sent whole; from then on whole without asking again.
    expect(sent.map((s) => s.refs > 0)).toEqual([true, false]);
    expect(sent[1]!.count).toBe(1 + 1 + 4 + 24 + 240);
    sent.length = 0;
    await project.writeImage(join(dir, 'c.iso'), sig());
    expect(sent.map((s) => s.refs)).toEqual([0]);
    await project.dispose();
  });

  it('lets the worker drop a scan once the project no longer has it (opened another project: tree and undo history gone)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const project = newProject();
    scans.length = 0;
    released.length = 0;
    await project.addPaths([join(dir, 'src')]);
    project.rename('/src/a0', 'zero');
    const file = join(dir, 'other.glassmaster');
    writeFileSync(file, JSON.stringify({ format: 'glassmaster-project', schemaVersion: 1, label: 'OTHER', options: {}, savedAt: 0, entries: [{ kind: 'dir', path: '/empty' }] }));
    await project.open(file);
    expect(scans).toHaveLength(1);
    // The registry's callback runs some time after a collection finds the scan's top folder gone.
    for (let i = 0; i < 50 && released.length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(released).toEqual(scans);
    await project.dispose();
  });
});
