// `npm run bench:image [-- --quick] [-- --dir DIR] [-- --only 1,3,5] [-- --tools glassmaster,tar] [-- --repeat N] [-- --event-loop]`: builds deterministic corpora
// and images them with Glassmaster, xorriso, genisoimage and tar (the floor: reading every byte
// and writing it once), measuring wall time, CPU, peak RSS (GNU time) and image size.
// Page caches are warm for everyone (each corpus is read once before the runs); outputs go to
// the same file system as the corpus and are deleted after each run. With --repeat N the tools run
// in N interleaved rounds; the table gives each tool's median and best wall time, its median CPU
// (user + system), ratios of medians.
// The app-path rows add their main thread's event-loop delay and its stalls (image-bench-app.ts);
// --event-loop runs only those rows and the idle control.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Corpus { id: number; name: string; build(dir: string): void }
interface Result { tool: string; wall: number; user: number; sys: number; rssMb: number; bytes: number; ok: boolean; note?: string; loopMaxMs?: number; loopP99Ms?: number; loopBusyMs?: number; gaps50?: number; cpuStalls50?: number; cpuStallMaxMs?: number; mainCpuMs?: number }

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dirArg = args.indexOf('--dir');
const base = dirArg >= 0 ? args[dirArg + 1] : path.join(os.tmpdir(), 'glassmaster-bench');
const repeatArg = args.indexOf('--repeat');
const repeat = repeatArg >= 0 ? Math.max(1, Number(args[repeatArg + 1])) : 1;
const onlyArg = args.indexOf('--only');
const eventLoopOnly = args.includes('--event-loop');
const only = onlyArg >= 0 ? args[onlyArg + 1].split(',').map(Number) : undefined;
/** --tools: run only the tools whose name contains one of these words (the tar floor always runs). */
const toolsArg = args.indexOf('--tools');
const toolWords = toolsArg >= 0 ? args[toolsArg + 1].split(',') : undefined;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** xorshift32: the same corpus on every machine. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}

function fill(buf: Buffer, rnd: () => number): void {
  for (let i = 0; i + 4 <= buf.length; i += 4) buf.writeUInt32LE(rnd(), i);
}

const HOSTILE = ['Ünïcödé', '日本語のファイル', 'Ελληνικά', 'with space', 'UPPER', 'upper', 'a;b', 'dots...', 'x'.repeat(150), '😀emoji', 'tab\tname', "quote'"];

/** ~files spread over a 6-level tree (5 levels of directories, files in the leaves). */
function smallFilesTree(dir: string, files: number, hostile: boolean): void {
  const rnd = prng(hostile ? 2 : 1);
  const fan = 4; // 4^5 = 1024 leaf directories
  const leaves: string[] = [];
  const rec = (d: string, depth: number) => {
    if (depth === 5) { leaves.push(d); return; }
    for (let i = 0; i < fan; i++) {
      const name = hostile ? `${HOSTILE[(depth * 4 + i) % HOSTILE.length]}-${i}` : `d${depth}-${i}`;
      const sub = path.join(d, name);
      fs.mkdirSync(sub, { recursive: true });
      rec(sub, depth + 1);
    }
  };
  rec(dir, 0);
  const buf = Buffer.alloc(16384);
  for (let i = 0; i < files; i++) {
    const size = 1024 + (rnd() % (15 * 1024 + 1));
    fill(buf.subarray(0, size), rnd);
    const name = hostile ? `${HOSTILE[i % HOSTILE.length]}-${i}.dat` : `f${i}.dat`;
    fs.writeFileSync(path.join(leaves[i % leaves.length], name), buf.subarray(0, size));
  }
}

function mediumFiles(dir: string, count: number, total: number): void {
  const rnd = prng(3);
  const avg = total / count;
  const buf = Buffer.alloc(Math.ceil(avg * 2) + 4);
  let left = total;
  for (let i = 0; i < count; i++) {
    const size = i === count - 1 ? left : Math.max(1, Math.min(left - (count - i - 1), Math.floor(avg * (0.5 + (rnd() % 1000) / 1000))));
    left -= size;
    fill(buf.subarray(0, size), rnd);
    const d = path.join(dir, `group${i % 20}`);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `file${i}.bin`), buf.subarray(0, size));
  }
}

function bigFiles(dir: string, sizes: number[]): void {
  fs.mkdirSync(dir, { recursive: true });
  sizes.forEach((size, i) => {
    const fd = fs.openSync(path.join(dir, `big${i}.bin`), 'w');
    fs.ftruncateSync(fd, size); // sparse: reads cost no disk I/O, writes do
    const marker = Buffer.from(`glassmaster big file ${i}`);
    for (let off = 0; off + marker.length < size; off += 256 * 1024 * 1024) fs.writeSync(fd, marker, 0, marker.length, off);
    fs.closeSync(fd);
  });
}

/**
 * One folder of names that collide once mapped to ISO 9660 and Joliet (issue 13: the counter search
 * was quadratic; 20,000 such names took 40–120 s): long names cut to the same identifier, one stem
 * with many extensions, names that differ only in case. Empty files: the naming is what is timed.
 */
function collidingNames(dir: string, count: number): void {
  const d = path.join(dir, 'collide');
  fs.mkdirSync(d, { recursive: true });
  const bits = (i: number) => Array.from({ length: 15 }, (_, b) => ((i >> b) & 1 ? 'A' : 'a')).join('');
  for (let i = 0; i < count; i++) {
    const name = i % 3 === 0 ? `${'a'.repeat(70)}${i}.txt` : i % 3 === 1 ? `readme.txt${i}` : `${bits(i)}.txt`;
    fs.closeSync(fs.openSync(path.join(d, name), 'w'));
  }
}

const GiB = 1024 ** 3;
const corpora: Corpus[] = [
  { id: 1, name: quick ? '5,000 files 1-16 KiB, 6 levels' : '50,000 files 1-16 KiB, 6 levels', build: (d) => smallFilesTree(d, quick ? 5000 : 50000, false) },
  { id: 2, name: quick ? '5,000 hostile names' : '50,000 hostile names', build: (d) => smallFilesTree(d, quick ? 5000 : 50000, true) },
  { id: 3, name: quick ? '200 files 200 MiB' : '2,000 files 2 GiB', build: (d) => mediumFiles(d, quick ? 200 : 2000, quick ? 200 * 1024 ** 2 : 2 * GiB) },
  { id: 4, name: quick ? '4 files 0.6 GiB (sparse)' : '4 files 6 GiB, one 4.5 GiB (sparse)', build: (d) => bigFiles(d, (quick ? [0.45, 0.05, 0.05, 0.05] : [4.5, 0.5, 0.5, 0.5]).map((g) => Math.round(g * GiB))) },
  { id: 5, name: quick ? '5,000 colliding names in one folder' : '20,000 colliding names in one folder', build: (d) => collidingNames(d, quick ? 5000 : 20000) },
];

function ensureCorpus(c: Corpus): string {
  const dir = path.join(base, `${quick ? 'quick' : 'full'}-${c.id}`);
  const stamp = path.join(base, `${quick ? 'quick' : 'full'}-${c.id}.done`);
  if (!fs.existsSync(stamp)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    process.stderr.write(`building corpus ${c.id} (${c.name}) in ${dir} …\n`);
    c.build(dir);
    fs.writeFileSync(stamp, '');
  }
  return dir;
}

/**
 * The two ways Glassmaster is measured: [cli command, app command]. The CLI is the executable users
 * run, `node out/main/cli.js image` (its entry decides what loads before the build starts: a bundle
 * of the image code alone measured ~0.15 s faster than the executable users had), built from this
 * tree first. The app path's harness (image-bench-app.ts: the main process's calls, with the loop
 * monitor) is bundled here so it runs as plain node; its image worker is the built app's own
 * (out/main/image-worker.js), the one the app and the CLI run.
 */
async function glassmasterCommands(): Promise<{ cli: string[]; app: string[] }> {
  process.stderr.write('building the app (electron-vite build) …\n');
  execFileSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const esbuild = (await import('esbuild' as string)) as { buildSync(o: unknown): unknown };
  esbuild.buildSync({
    entryPoints: { 'glassmaster-app': path.join(here, 'image-bench-app.ts'), 'image-worker': path.join(root, 'src-main/image/worker/image-worker.ts'), 'copy-worker': path.join(root, 'src-main/image/worker/copy-worker.ts') },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outdir: base, outExtension: { '.js': '.mjs' }, logLevel: 'error',
    // CommonJS dependencies bundled into ESM need a require.
    banner: { js: "import { createRequire as __gmCreateRequire } from 'node:module'; const require = __gmCreateRequire(import.meta.url);" },
  });
  process.env.GLASSMASTER_BENCH_IMAGE_WORKER = path.join(root, 'out/main/image-worker.js');
  return { cli: [process.execPath, path.join(root, 'out/main/cli.js'), 'image'], app: [process.execPath, path.join(base, 'glassmaster-app.mjs')] };
}

interface Tool { name: string; cmd: string[] }
/** best: the fastest run (its RSS the largest of all runs); median: wall time; cpu: median user + system time. */
interface Summary { best: Result; median: number; cpu: number; runs: number }

/**
 * Runs every tool `repeat` times in interleaved rounds (the order reversed every other round), so a
 * noisy spell of the shared machine falls on all tools alike, not on whichever ran in it; dirty
 * pages are flushed before each run so no run pays for the previous one's writeback.
 */
function measureAll(tools: Tool[], outFile: string): Map<string, Summary> {
  const results = new Map<string, Result[]>(tools.map((t) => [t.name, []]));
  const failed = new Map<string, Result>();
  for (let round = 0; round < repeat; round++) {
    const order = round % 2 ? [...tools].reverse() : tools;
    for (const t of order) {
      if (failed.has(t.name)) continue;
      execFileSync('sync');
      const r = measureOnce(t.name, t.cmd, outFile);
      if (r.ok) results.get(t.name)!.push(r);
      else failed.set(t.name, r);
    }
  }
  const out = new Map<string, Summary>();
  for (const t of tools) {
    const rs = results.get(t.name)!;
    if (failed.has(t.name) || rs.length === 0) { out.set(t.name, { best: failed.get(t.name)!, median: NaN, cpu: NaN, runs: 0 }); continue; }
    const walls = rs.map((r) => r.wall).sort((a, b) => a - b);
    const cpus = rs.map((r) => r.user + r.sys).sort((a, b) => a - b);
    const best = rs.reduce((a, b) => (b.wall < a.wall ? b : a));
    const loops = rs.filter((r) => r.loopMaxMs !== undefined);
    out.set(t.name, {
      best: { ...best, rssMb: Math.max(...rs.map((r) => r.rssMb)), loopMaxMs: worst(loops, 'loopMaxMs'), loopP99Ms: worst(loops, 'loopP99Ms'), loopBusyMs: worst(loops, 'loopBusyMs'),
        gaps50: worst(loops, 'gaps50'), cpuStalls50: worst(loops, 'cpuStalls50'), cpuStallMaxMs: worst(loops, 'cpuStallMaxMs'), mainCpuMs: worst(loops, 'mainCpuMs') },
      median: walls[(walls.length - 1) >> 1], cpu: cpus[(cpus.length - 1) >> 1], runs: rs.length,
    });
  }
  return out;
}

/** The worst (largest) of a loop measure over the runs that report it. */
function worst(rs: Result[], key: 'loopMaxMs' | 'loopP99Ms' | 'loopBusyMs' | 'gaps50' | 'cpuStalls50' | 'cpuStallMaxMs' | 'mainCpuMs'): number | undefined {
  const v = rs.map((r) => r[key]).filter((x): x is number => x !== undefined);
  return v.length ? Math.max(...v) : undefined;
}

function measureOnce(tool: string, cmd: string[], outFile: string, cwd = root): Result {
  fs.rmSync(outFile, { force: true });
  const timeFile = path.join(base, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', ...cmd], { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  // The app path reports its main thread's event-loop delay as a JSON line on stdout.
  let loop: { loopDelayMaxMs?: number; loopDelayP99Ms?: number; loopBusyMs?: number; gaps50?: number; cpuStalls50?: number; cpuStallMaxMs?: number; mainCpuMs?: number } = {};
  try { loop = JSON.parse(String(r.stdout).trim().split('\n').pop() || '{}'); } catch { /* not the app path */ }
  const [wall, user, sys, rss] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  const okRun = r.status === 0 && fs.existsSync(outFile);
  const bytes = okRun ? fs.statSync(outFile).size : 0;
  fs.rmSync(outFile, { force: true });
  return { tool, wall, user, sys, rssMb: rss / 1024, bytes, ok: okRun, note: okRun ? undefined : String(r.stderr).trim().split('\n').pop(), loopMaxMs: loop.loopDelayMaxMs, loopP99Ms: loop.loopDelayP99Ms, loopBusyMs: loop.loopBusyMs,
    gaps50: loop.gaps50, cpuStalls50: loop.cpuStalls50, cpuStallMaxMs: loop.cpuStallMaxMs, mainCpuMs: loop.mainCpuMs };
}

function warm(dir: string): void {
  execFileSync('sh', ['-c', `find . -type f -print0 | xargs -0 cat > /dev/null`], { cwd: dir });
}

function fmt(n: number, w: number, d = 2): string {
  return n.toFixed(d).padStart(w);
}

async function main(): Promise<void> {
  fs.mkdirSync(base, { recursive: true });
  // The bundles live beside the corpora, outside the package, so the addon loader (which looks in
  // the package root, as the built CLI and app do) is pointed at this tree's build: the image
  // copy thread reads small files through it (native/src/file_fill.h) when it is built.
  const addon = path.join(root, 'native/build/Release/glassmaster_native.node');
  if (!process.env.GLASSMASTER_NATIVE_ADDON && fs.existsSync(addon)) process.env.GLASSMASTER_NATIVE_ADDON = addon;
  const gm = await glassmasterCommands();
  const out = path.join(base, 'out.img');
  const have = (t: string) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;
  if (!have('/usr/bin/time')) throw new Error('GNU time is needed: apt-get install time');
  console.log(`Glassmaster image benchmark${quick ? ' (--quick)' : ''}: ${os.cpus().length} CPUs, node ${process.version}, corpora in ${base}, ${repeat} interleaved round(s), load ${os.loadavg()[0].toFixed(1)}, native addon ${process.env.GLASSMASTER_NATIVE_ADDON ?? 'not built (JavaScript copy path)'}`);
  for (const c of corpora) {
    if (only && !only.includes(c.id)) continue;
    const dir = ensureCorpus(c);
    warm(dir);
    // An unmeasured floor run first: the first big write after warming pays page-cache reclaim,
    // which would otherwise land on whichever tool runs first.
    measureOnce('warm-up', ['tar', '-b', '2048', '-cf', out, '-C', dir, '.'], out);
    const tools: Tool[] = [
      { name: 'glassmaster iso+joliet+rr+udf', cmd: [...gm.cli, '-o', out, '--date', '2024-01-01T00:00:00Z', dir] },
      // The app's call (ImageEngine.writeFile from the main thread), same options: its loop delay is printed.
      { name: 'glassmaster app path (engine)', cmd: [...gm.app, '-o', out, '--date', '2024-01-01T00:00:00Z', dir] },
      // As the app does: ProjectService.addPaths (scanned in the engine's worker), then written by the engine.
      { name: 'glassmaster app path (project)', cmd: [...gm.app, '--project', '-o', out, '--date', '2024-01-01T00:00:00Z', dir] },
      { name: 'glassmaster iso+joliet+rr', cmd: [...gm.cli, '-o', out, '--fs', 'iso9660,joliet,rockridge', '--date', '2024-01-01T00:00:00Z', dir] },
    ];
    if (have('xorriso')) tools.push({ name: 'xorriso -J -R -iso-level 3', cmd: ['xorriso', '-as', 'mkisofs', '-quiet', '-J', '-R', '-iso-level', '3', '-o', out, dir] });
    if (have('genisoimage')) {
      tools.push({ name: 'genisoimage -J -R -iso-level 3', cmd: ['genisoimage', '-quiet', '-J', '-R', '-iso-level', '3', '-o', out, dir] });
      tools.push({ name: 'genisoimage -J -R -iso-level 3 -udf', cmd: ['genisoimage', '-quiet', '-J', '-R', '-iso-level', '3', '-udf', '-o', out, dir] });
    }
    const FLOOR = 'floor: tar -b 2048';
    tools.push({ name: FLOOR, cmd: ['tar', '-b', '2048', '-cf', out, '-C', dir, '.'] });
    // The control for the loop delay: an idle loop for 5 s on the same (shared) machine. Its output
    // is an empty file, so it is listed apart (no image size or ratio).
    tools.push({ name: 'control: idle event loop 5 s', cmd: ['sh', '-c', `${gm.app.map((a) => `'${a}'`).join(' ')} --idle 5 && : > '${out}'`] });
    // --event-loop: only the app paths and the idle control (their main-thread stalls and CPU).
    const picked = toolWords ? tools.filter((t) => t.name === FLOOR || toolWords.some((w) => t.name.includes(w))) : tools;
    const run = eventLoopOnly ? picked.filter((t) => t.name.includes('app path') || t.name.startsWith('control')) : picked;
    const res = measureAll(run, out);
    const floor = res.get(FLOOR) ?? { median: NaN };
    console.log(`\n(${c.id}) ${c.name}`);
    console.log(`${'tool'.padEnd(38)} ${'median s'.padStart(9)} ${'best s'.padStart(7)} ${'MB/s'.padStart(6)} ${'CPU s'.padStart(6)} ${'RSS MB'.padStart(7)} ${'image MB'.padStart(9)} ${'x floor'.padStart(8)}`);
    for (const t of run) {
      const { best: r, median, cpu } = res.get(t.name)!;
      if (!r.ok) { console.log(`${t.name.padEnd(38)} failed: ${r.note ?? ''}`); continue; }
      const mb = r.bytes / 1e6;
      // Ratios compare medians (the best run of each tool may fall in different quiet spells).
      // Loop delay by wall clock (on a loaded machine partly the scheduler's), and stalls of the main
      // thread's own work: gaps between 5 ms timers in which it used > 50 ms of CPU itself.
      const loop = r.loopMaxMs === undefined ? '' : `  main thread (worst run): loop delay max ${r.loopMaxMs.toFixed(1)} ms, p99 ${r.loopP99Ms!.toFixed(1)} ms, `
        + `gaps > 50 ms ${r.gaps50 ?? '?'}, CPU stalls > 50 ms ${r.cpuStalls50 ?? '?'} (max ${r.cpuStallMaxMs ?? '?'} ms), main-thread CPU ${r.mainCpuMs ?? '?'} ms, busy ${r.loopBusyMs!.toFixed(0)} ms`;
      console.log(`${t.name.padEnd(38)} ${fmt(median, 9)} ${fmt(r.wall, 7)} ${fmt(mb / Math.max(median, 0.01), 6, 0)} ${fmt(cpu, 6)} ${fmt(r.rssMb, 7, 0)} ${fmt(mb, 9, 1)} ${fmt(median / Math.max(floor.median, 0.01), 8)}${loop}`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
