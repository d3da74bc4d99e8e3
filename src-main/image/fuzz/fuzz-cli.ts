// `npm run fuzz -- [--cases N] [--seed S] [--jobs J] [--start K] [--timeout MS] [--memory MB] [--crash-dir DIR]`
// `npm run fuzz -- --replay DIR|IMAGE` · `npm run fuzz -- --seed S --case N [--save FILE]`
// Runs the reader fuzz (README.md), prints a summary table and exits 1 on any crash, hang or
// memory overrun (0 otherwise; 2 on a usage error).
import { readFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCorpus } from './corpus';
import { generateCase, prepareSeeds } from './mutators';
import { FAILURES, OUTCOMES, runFuzz, type RunSummary } from './runner';
import { TARGETS } from './targets';

function usage(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\nusage: npm run fuzz -- [--cases N] [--seed S] [--jobs J] [--start K] [--timeout MS] [--memory MB] [--crash-dir DIR]\n       npm run fuzz -- --replay DIR|IMAGE    npm run fuzz -- --seed S --case N [--save FILE]\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    jobs: { type: 'string', default: String(Math.max(1, cpus().length)) },
    start: { type: 'string', default: '0' },
    timeout: { type: 'string', default: '2000' },
    memory: { type: 'string', default: '256' },
    'crash-dir': { type: 'string', default: 'fuzz-crashes' },
    replay: { type: 'string' },
    case: { type: 'string' },
    save: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
});
const int = (name: string, v: string, min = 0): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) usage(`--${name} wants an integer ≥ ${min}, not ${JSON.stringify(v)}`);
  return n;
};
const seed = int('seed', values.seed!) >>> 0;
const opts = { jobs: int('jobs', values.jobs!, 1), timeoutMs: int('timeout', values.timeout!, 1), memoryMb: int('memory', values.memory!, 16), crashDir: resolve(values['crash-dir']!) };

const pad = (s: string | number, n: number) => String(s).padStart(n);

function printSummary(s: RunSummary, load: [number[], number[]], stopped = false, start = 0): void {
  const out: string[] = [];
  const secs = s.elapsedMs / 1000;
  if (stopped) out.push('', `STOPPED early (signal): the summary covers cases ${start} … ${start + s.cases - 1} only`);
  out.push('', `reader fuzz: seed ${s.seed}, ${s.cases} cases in ${secs.toFixed(1)} s (${(s.cases / secs).toFixed(1)} cases/s), ${opts.jobs} worker(s), corpus ${s.corpusDigest}`);
  if (s.cpuMsTotal) out.push(`worker CPU time ${(s.cpuMsTotal / 1000).toFixed(0)} s, ${(s.cpuMsTotal / s.cases).toFixed(1)} ms a case: ${((s.cpuMsTotal / s.cases) * 100_000 / 1000 / 60 / cpus().length).toFixed(0)} min for 100,000 cases on ${cpus().length} idle CPUs`);
  out.push(`load average ${load[0].map((x) => x.toFixed(1)).join(' ')} at start, ${load[1].map((x) => x.toFixed(1)).join(' ')} at end (${cpus().length} CPUs)`);
  out.push(`slowest passing case: #${s.slowest.index} ${s.slowest.cpuMs !== undefined ? `${s.slowest.cpuMs} ms CPU, ` : ''}${s.slowest.ms.toFixed(0)} ms wall (${s.slowest.seedName}); peak memory of a case ${s.peakMb.toFixed(0)} MB; watchdog/memory overruns not confirmed on rerun: ${s.unconfirmed}`);
  out.push('', `${'outcome'.padEnd(10)}${pad('cases', 9)}`);
  for (const o of OUTCOMES) out.push(`${o.padEnd(10)}${pad(s.outcomes[o], 9)}${FAILURES.has(o) && s.outcomes[o] ? '   <- FAILURE' : ''}`);
  out.push('', `${'target'.padEnd(10)}${pad('ok', 9)}${pad('typed', 9)}${pad('crash', 9)}`);
  for (const t of TARGETS) out.push(`${t.padEnd(10)}${pad(s.byTarget[t].ok, 9)}${pad(s.byTarget[t].typed, 9)}${pad(s.byTarget[t].crash, 9)}`);
  out.push('', `${'seed image'.padEnd(40)}${OUTCOMES.map((o) => pad(o, 8)).join('')}`);
  for (const [name, c] of Object.entries(s.bySeed).sort()) out.push(`${name.padEnd(40)}${OUTCOMES.map((o) => pad(c[o], 8)).join('')}`);
  if (s.failures.length) {
    out.push('', `${s.failures.length} failing case(s), saved under ${opts.crashDir}:`);
    for (const f of s.failures.slice(0, 30)) {
      const t = f.targets.find((x) => x.outcome === 'crash');
      out.push(`  #${f.index} ${f.outcome} ${f.seedName}: ${t ? `${t.target}: ${t.error?.name}: ${t.error?.message.slice(0, 160)}` : f.note}`);
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

const corpus = await buildCorpus();

if (values.replay !== undefined) {
  // A saved failure (its directory) or any image file: run it once under the same watchdog and limits.
  const p = resolve(values.replay);
  const isDir = existsSync(p) && statSync(p).isDirectory();
  const record = isDir && existsSync(join(p, 'case.json')) ? (JSON.parse(readFileSync(join(p, 'case.json'), 'utf8')) as { case: number; seed: number; seedName: string }) : undefined;
  const data = readFileSync(isDir ? join(p, 'image.bin') : p);
  const index = record?.case ?? 0;
  const s = await runFuzz({ ...opts, corpus, seed: record?.seed ?? seed, cases: 1, start: index, bytes: [{ index, seedName: record?.seedName ?? 'replay', data }], crashDir: undefined });
  const r = s.failures[0];
  process.stdout.write(`replay of ${p}: ${r ? r.outcome : s.outcomes.typed ? 'typed' : 'ok'}${r?.note ? ` (${r.note})` : ''}\n`);
  for (const t of r?.targets ?? []) if (t.error) process.stdout.write(`  ${t.target}: ${t.outcome}\n${t.error.stack ?? t.error.message}\n`);
  process.exit(r ? 1 : 0);
}

if (values.case !== undefined) {
  // Regenerates one case from (seed, case number) and runs it: the mutations are printed.
  const index = int('case', values.case);
  const c = generateCase(prepareSeeds(corpus), seed, index);
  process.stdout.write(`case ${seed}:${index} from ${c.seedName} (${c.bytes.length} bytes)\n${c.mutations.map((m) => `  ${m}`).join('\n')}\n`);
  if (values.save) writeFileSync(values.save, c.bytes);
  const s = await runFuzz({ ...opts, corpus, seed, cases: 1, start: index, crashDir: undefined });
  const r = s.failures[0];
  process.stdout.write(`outcome: ${r ? r.outcome : s.outcomes.typed ? 'typed' : 'ok'}${r?.note ? ` (${r.note})` : ''}\n`);
  for (const t of r?.targets ?? []) if (t.error) process.stdout.write(`  ${t.target}: ${t.outcome}\n${t.error.stack ?? t.error.message}\n`);
  process.exit(r ? 1 : 0);
}

const cases = int('cases', values.cases!, 1);
// Ctrl-C / SIGTERM: finish the cases in flight, print the summary of what ran, exit as usual.
const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
const loadStart = loadavg();
const t0 = performance.now();
let lastPrint = 0;
const summary = await runFuzz({
  ...opts, corpus, seed, cases, start: int('start', values.start!), signal: stop.signal,
  onProgress: (done, s) => {
    if (values.quiet || (Date.now() - lastPrint < 10_000 && done !== cases)) return;
    lastPrint = Date.now();
    process.stderr.write(`  ${done}/${cases} cases, ${(done / (s.cases ? (performance.now() - t0) / 1000 : 1)).toFixed(1)}/s; ${OUTCOMES.map((o) => `${o} ${s.outcomes[o]}`).join(', ')}\n`);
  },
});
printSummary(summary, [loadStart, loadavg()], stop.signal.aborted, int('start', values.start!));
process.exit(summary.failures.length ? 1 : stop.signal.aborted ? 3 : 0);
