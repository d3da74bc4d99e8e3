// `npm run bench:audio [-- --minutes N] [-- --dir DIR] [-- --no-burn | --burn-only] [-- --trace FILE]`: decodes an album of FLAC and one of MP3
// (generated once with sox, flac and lame: 70 minutes by default, 14 tracks of 5 minutes) to CD-DA
// with Glassmaster's worker pool, and the same files with the reference decoders (flac -d, mpg123,
// lame --decode) run as one process per core, as many cores as the pool has. One table: seconds and
// × realtime. Outputs go to files next to the inputs (as the authoring path writes them) and are
// deleted after each run.
//
// Two measures: wall seconds (× realtime) and CPU seconds (user + system of our process and its
// worker threads, or of the reference decoder processes, from /proc/self/stat's children times):
// on a shared, loaded machine the wall time mostly measures the other jobs, CPU time does not.
// The pool's workers start lazily, so each of them is warmed (started, its TypeScript loaded when
// running from sources, WASM compiled) before the clock starts.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AudioDecoderPool } from '../audio/audio-decoder-pool';
import { prepareAudioDisc } from '../audio/author';
import { AudioBurner } from '../burn/audio-burn';
import type { BurnProgress } from '../common/model/burn';
import { DriveService } from '../drive/drive-service';
import { VirtualTransport } from '../transport/virtual/virtual-transport';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(opt('--minutes') ?? 70);
const base = opt('--dir') ?? join(tmpdir(), 'glassmaster-audio-bench');
const cores = availableParallelism();
const TRACK_MIN = 5;
const tracks = Math.max(1, Math.round(minutes / TRACK_MIN));
const trackSeconds = (minutes * 60) / tracks;

function corpus(): { flac: string[]; mp3: string[] } {
  const dir = join(base, `${minutes}min`);
  mkdirSync(dir, { recursive: true });
  const flac: string[] = [];
  const mp3: string[] = [];
  for (let i = 0; i < tracks; i++) {
    const wav = join(dir, `t${i}.wav`);
    const f = join(dir, `t${i}.flac`);
    const m = join(dir, `t${i}.mp3`);
    if (!existsSync(f) || !existsSync(m)) {
      process.stderr.write(`generating track ${i + 1}/${tracks}…\n`);
      // Music-like content: two tones, a sweep and pink noise, so the codecs do real work.
      execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', wav, 'synth', String(trackSeconds), 'sine', String(200 + 37 * i), 'sine', '100-8000', 'pinknoise', 'remix', '1,3', '2,3', 'vol', '0.4']);
      execFileSync('flac', ['-s', '-f', '-5', wav, '-o', f]);
      execFileSync('lame', ['--quiet', '-V2', wav, m]);
      rmSync(wav);
    }
    flac.push(f);
    mp3.push(m);
  }
  return { flac, mp3 };
}

interface Timing {
  wall: number;
  cpu: number;
}

/** CPU seconds of terminated, waited-for children (cutime + cstime, /proc/self/stat fields 16–17). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100; // fields 16 and 17, in clock ticks (USER_HZ = 100)
}

/** Runs `cmd(file, out)` for every file, `cores` processes at a time. */
async function parallel(files: string[], make: (file: string, out: string) => [string, string[]]): Promise<Timing> {
  const c0 = childrenCpu();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++];
      const out = `${f}.ref.out`;
      const [cmd, a] = make(f, out);
      await new Promise<void>((resolve, reject) => spawn(cmd, a, { stdio: 'ignore' }).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`${cmd} exited ${c}`)))));
      rmSync(out, { force: true });
    }
  };
  await Promise.all(Array.from({ length: cores }, worker));
  return { wall: (performance.now() - t0) / 1000, cpu: childrenCpu() - c0 };
}

async function ours(files: string[]): Promise<Timing> {
  const pool = new AudioDecoderPool({ size: cores });
  try {
    // Every worker started and its decoder's WASM compiled: as many concurrent warm-ups as workers.
    const warm = Array.from({ length: cores }, (_, i) => `${files[0]}.warm${i}.cdda`);
    await Promise.all(warm.map((w) => pool.decodeToFile(files[0], w)));
    for (const w of warm) rmSync(w);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(files.map((f) => pool.decodeToFile(f, `${f}.cdda`)));
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    for (const f of files) rmSync(`${f}.cdda`, { force: true });
    return { wall, cpu: (c.user + c.system) / 1e6 };
  } finally {
    await pool.close();
  }
}

/**
 * An audio CD from the corpus, tracks taking turns FLAC, MP3 and WAV (a WAV made once from the FLAC
 * with flac -d), burned as `glassmaster audio --drive` does it: every track decoded by the pool
 * into the work folder (the cue sheet needs each track's exact length, which an MP3 states only
 * once decoded), then Session-At-Once to the virtual recorder paced at 48× CD (48 × 75 blocks a
 * second, 8,467,200 bytes/s of CD-DA) with the data the CD family's 4 MiB paced buffer holds. Reports
 * the host ring's and the drive buffer's lowest fill after ramp-up (the first 2 s of writing) and
 * before run-out (the last ring's worth, when the source has ended and both drain).
 */
async function burn48(flac: string[], mp3: string[]): Promise<string[]> {
  const dir = join(base, `${minutes}min`);
  const tracks = flac.map((f, i) => {
    if (i % 3 === 1) return mp3[i];
    if (i % 3 === 0) return f;
    const wav = f.replace(/\.flac$/, '.wav');
    if (!existsSync(wav)) execFileSync('flac', ['-s', '-f', '-d', f, '-o', wav]);
    return wav;
  });
  const work = mkdtempSync(join(dir, 'burn-'));
  const pool = new AudioDecoderPool({ size: cores });
  const vt = new VirtualTransport({ stateDir: join(work, 'vr'), defaultTimeoutMs: 60_000 });
  try {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { plan } = await prepareAudioDisc({ tracks: tracks.map((path) => ({ path })), discMinutes: 99 }, work, { pool });
    const decodeWall = (performance.now() - t0) / 1000;
    const dc = process.cpuUsage(c0);
    await vt.create('cd', { media: 'cd-r' });
    vt.recorder('cd').clearUnitAttention();
    vt.setPacing('cd', true);
    const drives = new DriveService({ transports: [vt], drive: { retryDelayMs: 5 } });
    const events: BurnProgress[] = [];
    const b0 = process.cpuUsage();
    const r = await new AudioBurner({ drives, pollMs: 20, progressIntervalMs: 100 }).burn('virtual:cd', plan, { mode: 'sao', speedX: 48, verify: 'none' }, { onProgress: (e) => e.action === 'writing' && events.push(e) });
    const bc = process.cpuUsage(b0);
    const writing = events.filter((e) => e.sectorsWritten > 0);
    const w0 = writing[0]?.elapsedMs ?? 0;
    const RING = 32 << 20;
    const steady = writing.filter((e) => e.elapsedMs - w0 > 2000 && (e.totalSectors - e.sectorsWritten) * 2352 > RING + (1 << 20));
    const pct = (xs: number[]) => (xs.length ? `${(100 * Math.min(...xs)).toFixed(0)}%` : 'n/a');
    const low = steady.filter((e) => e.ringFill < 0.5).length / Math.max(1, steady.length);
    if (opt('--trace')) writeFileSync(opt('--trace')!, steady.map((e) => `${((e.elapsedMs - w0) / 1000).toFixed(2)} ${e.ringFill.toFixed(3)} ${(e.driveBufferFill ?? -1).toFixed(3)}`).join('\n'));
    const last = writing[writing.length - 1];
    const writeSeconds = (last.elapsedMs - w0) / 1000;
    const x = (last.sectorsWritten * 2352) / writeSeconds / 176_400;
    return [
      `| audio CD from ${tracks.length} tracks (FLAC, MP3, WAV), ${minutes} min | decode all tracks (pool) | ${decodeWall.toFixed(2)} s | ${((dc.user + dc.system) / 1e6).toFixed(2)} CPU s | |`,
      `| | SAO burn → virtual CD-R paced at 48× | ${writeSeconds.toFixed(2)} s writing (${x.toFixed(1)}×) | ${((bc.user + bc.system) / 1e6).toFixed(2)} CPU s | ring min ${pct(steady.map((e) => e.ringFill))}, drive buffer min ${pct(steady.flatMap((e) => (e.driveBufferFill === undefined ? [] : [e.driveBufferFill])))} after ramp-up, ring below 50% in ${(100 * low).toFixed(1)}% of ${steady.length} samples (every 100 ms); ${r.mode.toUpperCase()} |`,
    ];
  } finally {
    await pool.close();
    await vt.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { flac, mp3 } = corpus();
  const rows: Array<[string, string, Timing]> = [];
  const load0 = loadavg()[0];
  if (args.includes('--burn-only')) {
    for (const r of await burn48(flac, mp3)) console.log(r);
    return;
  }
  rows.push(['FLAC', 'Glassmaster (worker pool)', await ours(flac)]);
  rows.push(['FLAC', 'flac -d', await parallel(flac, (f, o) => ['flac', ['-s', '-f', '-d', f, '-o', o]])]);
  // One file alone: the pool cuts it at frame boundaries into one share per worker (flac-split.ts),
  // `flac -d` decodes it on one core. Same cores; the CPU column says what each used.
  const one = `FLAC, one ${trackSeconds / 60}-min file`;
  rows.push([one, 'Glassmaster (shares on the pool)', await ours(flac.slice(0, 1))]);
  rows.push([one, 'flac -d', await parallel(flac.slice(0, 1), (f, o) => ['flac', ['-s', '-f', '-d', f, '-o', o]])]);
  rows.push(['MP3', 'Glassmaster (worker pool)', await ours(mp3)]);
  rows.push(['MP3', 'mpg123 -w', await parallel(mp3, (f, o) => ['mpg123', ['-q', '-w', o, f]])]);
  rows.push(['MP3', 'lame --decode', await parallel(mp3, (f, o) => ['lame', ['--quiet', '--decode', f, o]])]);
  console.log(`\n${minutes} minutes of audio (${tracks} tracks), ${cores} cores, load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}\n`);
  console.log('| format | decoder | seconds | × realtime | CPU seconds | × realtime per CPU second |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const [fmt, tool, t] of rows) {
    const audioSeconds = fmt.includes('one') ? trackSeconds : minutes * 60;
    console.log(`| ${fmt} | ${tool} | ${t.wall.toFixed(2)} | ${(audioSeconds / t.wall).toFixed(0)}× | ${t.cpu.toFixed(2)} | ${(audioSeconds / t.cpu).toFixed(0)}× |`);
  }
  if (!args.includes('--no-burn')) {
    const l0 = loadavg()[0];
    const rows = await burn48(flac, mp3);
    console.log(`\nBurning at 48× CD (load average ${l0.toFixed(1)} → ${loadavg()[0].toFixed(1)})\n`);
    console.log('| disc | step | time | CPU | buffers |');
    console.log('|---|---|---:|---:|---|');
    for (const r of rows) console.log(r);
  }
  const left = readdirSync(join(base, `${minutes}min`)).filter((f) => f.endsWith('.cdda') || f.endsWith('.out'));
  if (left.length) throw new Error(`bench left files behind: ${left.join(', ')}`);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
