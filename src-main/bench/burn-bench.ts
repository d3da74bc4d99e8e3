// Burn throughput next to the peers (issue #10's targets). A benchmark, not a test:
//   npm run bench:burn [-- --quick] [-- --no-guest] [-- --repeat N] [-- --size MiB] [-- --only cp,dd,unlimited,paced,tgtd]
// - a generated source (4 GiB; 1 GiB with --quick) written once to a temporary image file (deleted
//   at the end), burned to a virtual BD-R unlimited (pacing off, full read-back) and at a fixed 16×
//   BD (pacing on), next to `cp` of the same file (GNU cp: copy_file_range, the kernel copies page
//   cache to page cache once) and `dd bs=1M` (read into memory, write from it: the two copies
//   every program that hands bytes to a drive makes, as the burn does); the full verify's time next to
//   `openssl dgst -sha256` of the same image; the ring buffer's lowest fill after ramp-up at 16×;
// - a smaller image (256 MiB; 64 MiB with --quick) to tgtd's DVD+R over our iSCSI initiator, beside
//   growisofs in the QEMU guest (through the guest kernel, iSCSI by QEMU) on a second tgtd target;
// - peak RSS of this process (the virtual recorder runs in it too).
// Runs are interleaved, the rounds in a Williams design (every part follows every other equally
// often), and the table shows medians (and the median of per-round ratios), with the CPU
// seconds (user + system) of each: this process's for the burn rows (its worker threads and the
// virtual recorder included), the child's (GNU time) for cp and openssl. On a shared machine the
// CPU seconds say what the wall-clock seconds cannot.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BurnService } from '../burn/burn-service';
import type { BurnProgress } from '../common/model/burn';
import { DriveService } from '../drive/drive-service';
import { openImageFileSource } from '../image/byte-source/file-source';
import { hasTool } from '../testing/peer-tools';
import { runInGuest } from '../testing/qemu-guest';
import { startTgtd } from '../testing/tgtd';
import { IscsiTransport } from '../transport/iscsi/iscsi-transport';
import { VirtualTransport } from '../transport/virtual/virtual-transport';

const quick = process.argv.includes('--quick');
const guest = !process.argv.includes('--no-guest');
const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const MiB = 1024 * 1024;
const size = Number(flag('--size') ?? (quick ? 1024 : 4096)) * MiB;
const tgtSize = (quick ? 64 : 256) * MiB;
// Rounds: by default one per row of the Williams design below (at least 3), 2 with --quick.
const repeat = flag('--repeat');
// Parts to run (default all): cp, dd, unlimited (with the full verify and openssl), paced (16× BD), tgtd.
const only = new Set((flag('--only') ?? 'cp,dd,unlimited,paced,tgtd').split(','));
const BD_1X = 4_495_500;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cpuSecs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const hasGnuTime = hasTool('/usr/bin/time');
/** Runs a peer tool; its wall-clock seconds, and its CPU seconds (user + system) when GNU time is there to tell. */
function timed(cmd: string, args: string[]): { wall: number; cpu?: number } {
  const t0 = performance.now();
  const r = hasGnuTime ? spawnSync('/usr/bin/time', ['-f', 'GMCPU %U %S', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const m = /GMCPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : undefined };
}

/**
 * A Williams design for n parts: orders (n of them for even n, 2n for odd) in which every part
 * runs right after every other part the same number of times, and in every position.
 */
function williams(n: number): number[][] {
  const first: number[] = [];
  for (let i = 0, lo = 1, hi = n - 1; i < n; i++) first.push(i === 0 ? 0 : i % 2 ? lo++ : hi--);
  const rows = Array.from({ length: n }, (_, r) => first.map((x) => (x + r) % n));
  return n % 2 ? [...rows, ...rows.map((row) => [...row].reverse())] : rows;
}

/** Wall-clock and CPU seconds of a burn's writing phase: from its first 'writing' event to the next action. */
function writePhase() {
  let start = 0;
  let end = 0;
  let c0 = process.cpuUsage();
  let used = 0;
  return {
    onProgress(p: BurnProgress): void {
      if (p.action === 'writing' && !start) {
        start = performance.now();
        c0 = process.cpuUsage();
      } else if (p.action !== 'writing' && start && !end) {
        end = performance.now();
        used = cpuSecs(process.cpuUsage(c0));
      }
    },
    wall: () => (end - start) / 1000,
    cpu: () => used,
  };
}

/** Writes `bytes` of generated data (a random 1 MiB block, each copy stamped with its index) to `path`. */
function generate(path: string, bytes: number): void {
  const block = randomBytes(MiB);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < bytes / MiB; i++) {
      block.writeUInt32LE(i, 0);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
}

const work = mkdtempSync(join(tmpdir(), 'gm-burn-bench-'));
const load0 = loadavg();
try {
  const image = join(work, 'source.iso');
  generate(image, size);
  const vt = new VirtualTransport({ stateDir: join(work, 'vr') });
  await vt.create('bd', { media: 'bd-r' });
  vt.recorder('bd').clearUnitAttention();
  const drives = new DriveService({ transports: [vt], drive: { retryDelayMs: 5 } });
  const burner = new BurnService({ drives, pollMs: 20, progressIntervalMs: 100 });
  const open = () => openImageFileSource(image);

  const cp: number[] = [];
  const dd: number[] = [];
  const ddCpu: number[] = [];
  const unlimited: number[] = [];
  const unlimitedHashed: number[] = [];
  const verify: number[] = [];
  const openssl: number[] = [];
  const paced: number[] = [];
  // CPU seconds per run, same order.
  const cpCpu: number[] = [];
  const unlimitedCpu: number[] = [];
  const unlimitedHashedCpu: number[] = [];
  const verifyCpu: number[] = [];
  const opensslCpu: number[] = [];
  const pacedCpu: number[] = [];
  const pacedX: number[] = [];
  const ringMin: number[] = [];
  const ringLow: number[] = [];
  const copy = join(work, 'copy.iso');
  // One closure per measured run. On this kind of VM a run's cost depends on what ran just before
  // it (the run after a large free — a deleted copy, a disc replaced by a blank one — is often
  // several times slower: freed memory goes back to the host and is faulted in again; cp of 4 GiB
  // took 1.2 s, or 9 s when it ran first). So the rounds follow a Williams design (every part comes
  // right after every other part equally often), and the table also gives the median of the
  // per-round ratios, which compares runs made side by side.
  const parts: Array<[string, () => Promise<void>]> = [];
  if (only.has('cp')) parts.push(['cp', async () => {
    const t = timed('cp', ['--sparse=never', image, copy]);
    cp.push(t.wall);
    if (t.cpu !== undefined) cpCpu.push(t.cpu);
    rmSync(copy);
  }]);
  if (only.has('dd')) parts.push(['dd', async () => {
    const t = timed('dd', [`if=${image}`, `of=${copy}`, 'bs=1M', 'status=none']);
    dd.push(t.wall);
    if (t.cpu !== undefined) ddCpu.push(t.cpu);
    rmSync(copy);
  }]);
  if (only.has('unlimited')) {
    parts.push(['unlimited, verify full', async () => {
      await vt.insert('bd', 'bd-r');
      vt.recorder('bd').clearUnitAttention();
      vt.setPacing('bd', false);
      // From the first 'writing' event to the next action: includes waiting for the SHA-256 of what
      // was written (the pipeline's digest comes before 'closing').
      const hashed = writePhase();
      let verifyC0: NodeJS.CpuUsage | undefined;
      const u = await burner.burn('virtual:bd', open, { verify: 'full', speed: 'max' }, {
        onProgress: (p) => {
          hashed.onProgress(p);
          if (p.action === 'verifying' && !verifyC0) verifyC0 = process.cpuUsage();
        },
      });
      verifyCpu.push(cpuSecs(process.cpuUsage(verifyC0)));
      unlimitedHashed.push(hashed.wall());
      unlimitedHashedCpu.push(hashed.cpu());
      verify.push(u.copies[0].verify!.elapsedMs / 1000);
    }]);
    // The write path alone (no read-back, so nothing hashed while writing): the issue's "unlimited burn vs cp".
    parts.push(['unlimited', async () => {
      await vt.insert('bd', 'bd-r');
      vt.recorder('bd').clearUnitAttention();
      vt.setPacing('bd', false);
      const plain = writePhase();
      await burner.burn('virtual:bd', open, { verify: 'none', speed: 'max' }, { onProgress: plain.onProgress });
      unlimited.push(plain.wall());
      unlimitedCpu.push(plain.cpu());
    }]);
    parts.push(['openssl', async () => {
      const o = timed('openssl', ['dgst', '-sha256', image]);
      openssl.push(o.wall);
      if (o.cpu !== undefined) opensslCpu.push(o.cpu);
    }]);
  }
  if (only.has('paced')) parts.push(['paced', async () => {
    await vt.insert('bd', 'bd-r');
    vt.recorder('bd').clearUnitAttention();
    vt.setPacing('bd', true);
    const events: BurnProgress[] = [];
    const pc0 = process.cpuUsage();
    const p = await burner.burn('virtual:bd', open, { verify: 'none', speedX: 16 }, { onProgress: (e) => e.action === 'writing' && events.push(e) });
    pacedCpu.push(cpuSecs(process.cpuUsage(pc0)));
    const writing = events.filter((e) => e.sectorsWritten > 0);
    const t0 = writing[0]?.elapsedMs ?? 0;
    // Ramp-up: the first 2 s of writing (the ring fills while the drive buffer does); the run-out:
    // the last ring's worth (32 MiB + one pull), written after the source has ended and the ring drains.
    const steady = writing.filter((e) => e.elapsedMs - t0 > 2000 && (e.totalSectors - e.sectorsWritten) * 2048 > 33 * MiB);
    ringMin.push(Math.min(...steady.map((e) => e.ringFill)));
    // Share of the steady-state progress samples (every 100 ms) with the ring below half.
    ringLow.push(steady.filter((e) => e.ringFill < 0.5).length / Math.max(1, steady.length));
    const last = writing[writing.length - 1];
    paced.push((last.elapsedMs - t0) / 1000);
    pacedX.push(p.copies[0].averageBytesPerSec / BD_1X);
    vt.setPacing('bd', false);
  }]);
  const design = williams(parts.length);
  const runs = repeat ? Number(repeat) : quick ? 2 : Math.max(3, design.length);
  for (let r = 0; r < runs; r++) {
    for (const i of design[r % design.length]) await parts[i][1]();
  }
  await vt.insert('bd', 'bd-r');
  await vt.dispose();
  rmSync(join(work, 'vr'), { recursive: true, force: true });

  // tgtd over our iSCSI initiator, and growisofs in the guest on a second target.
  let tgtEngine: number | undefined;
  let tgtGrowisofs: string | undefined;
  if (only.has('tgtd') && hasTool('tgtd')) {
    const small = join(work, 'small.iso');
    generate(small, tgtSize);
    const tgtd = await startTgtd();
    try {
      const url = await tgtd.addTarget('iqn.2026-12.bench:engine', await tgtd.blankDisc('engine.img'));
      const iscsi = new IscsiTransport([], { keepaliveIntervalMs: 0 });
      const d = new DriveService({ transports: [iscsi], drive: { retryDelayMs: 20 } });
      let w = 0;
      await new BurnService({ drives: d, pollMs: 20 }).burn(url, () => openImageFileSource(small), { verify: 'none' }, { onProgress: (p) => p.action !== 'verifying' && p.action !== 'done' && (w = p.elapsedMs) });
      tgtEngine = w / 1000;
      if (guest && hasTool('qemu-system-x86_64') && hasTool('growisofs')) {
        const url2 = await tgtd.addTarget('iqn.2026-12.bench:growisofs', await tgtd.blankDisc('growisofs.img'));
        const run = await runInGuest({
          iscsiCd: url2,
          timeoutMs: 900_000,
          script: `t0=$(date +%s%N); growisofs -Z /dev/sr0=${small} >/dev/null 2>&1; rc=$?; t1=$(date +%s%N); echo "rc=$rc ms=$(( (t1 - t0) / 1000000 ))"`,
        });
        rmSync(run.outDir, { recursive: true, force: true });
        const m = /rc=(\d+) ms=(\d+)/.exec(run.stdout);
        tgtGrowisofs = m && m[1] === '0' ? (Number(m[2]) / 1000).toFixed(2) : `failed (${run.stdout.trim().slice(0, 60)})`;
      }
    } finally {
      await tgtd.stop();
    }
  }

  const gib = size / 2 ** 30;
  const mbps = (s: number, bytes = size) => `${(bytes / 1e6 / s).toFixed(0)} MB/s`;
  const rows: string[][] = [];
  const pct = (a: number[], b: number[]) => (a.length && b.length ? `${((100 * median(a)) / median(b)).toFixed(0)}%` : '—');
  // Speed of `b` relative to `a`, round by round (the runs of one round were made minutes apart at most).
  const paired = (a: number[], b: number[]) => (a.length && a.length === b.length ? `${(100 * median(a.map((x, i) => x / b[i]))).toFixed(0)}%` : '—');
  const cpu = (xs: number[]) => (xs.length ? median(xs).toFixed(2) : '—');
  if (cp.length) rows.push(['cp (plain file copy)', `${gib} GiB`, median(cp).toFixed(2), cpu(cpCpu), mbps(median(cp)), `baseline; runs ${cp.map((x) => x.toFixed(2)).join(', ')}`]);
  if (dd.length) rows.push(['dd bs=1M (read and write through memory)', `${gib} GiB`, median(dd).toFixed(2), cpu(ddCpu), mbps(median(dd)), `${pct(cp, dd)} of cp (per round ${paired(cp, dd)}); runs ${dd.map((x) => x.toFixed(2)).join(', ')}`]);
  if (unlimited.length) {
    rows.push(['burn → virtual BD-R, unlimited (--verify none)', `${gib} GiB`, median(unlimited).toFixed(2), cpu(unlimitedCpu), mbps(median(unlimited)), `${pct(cp, unlimited)} of cp (target ≥ 90%; per round ${paired(cp, unlimited)})${dd.length ? `, ${pct(dd, unlimited)} of dd (per round ${paired(dd, unlimited)})` : ''}; runs ${unlimited.map((x) => x.toFixed(2)).join(', ')}`]);
    rows.push(['burn → virtual BD-R, unlimited, hashing what it writes (--verify full)', `${gib} GiB`, median(unlimitedHashed).toFixed(2), cpu(unlimitedHashedCpu), mbps(median(unlimitedHashed)), `${pct(cp, unlimitedHashed)} of cp; runs ${unlimitedHashed.map((x) => x.toFixed(2)).join(', ')}`]);
    rows.push(['full verify (disc read-back + SHA-256; the source was hashed while writing)', `${gib} GiB`, median(verify).toFixed(2), cpu(verifyCpu), mbps(median(verify)), `${pct(openssl, verify)} of openssl (target ≥ 90%; per round ${paired(openssl, verify)}); runs ${verify.map((x) => x.toFixed(2)).join(', ')}`]);
    rows.push(['openssl dgst -sha256', `${gib} GiB`, median(openssl).toFixed(2), cpu(opensslCpu), mbps(median(openssl)), `baseline; runs ${openssl.map((x) => x.toFixed(2)).join(', ')}`]);
  }
  if (paced.length) rows.push(['burn → virtual BD-R, 16× BD paced', `${gib} GiB`, median(paced).toFixed(2), cpu(pacedCpu), mbps(median(paced)), `${median(pacedX).toFixed(1)}×; ring min after ramp-up ${(100 * Math.min(...ringMin)).toFixed(0)}% (target ≥ 50%; per run ${ringMin.map((x) => (100 * x).toFixed(0)).join(', ')}%), below 50% in ${(100 * Math.max(...ringLow)).toFixed(1)}% of samples`]);
  if (tgtEngine !== undefined) rows.push(['burn → tgtd DVD+R over our iSCSI (host)', `${tgtSize / MiB} MiB`, tgtEngine.toFixed(2), '—', mbps(tgtEngine, tgtSize), 'no read-back']);
  if (tgtGrowisofs !== undefined) rows.push(['growisofs -Z in the QEMU guest → tgtd DVD+R', `${tgtSize / MiB} MiB`, tgtGrowisofs, '—', /^\d/.test(tgtGrowisofs) ? mbps(Number(tgtGrowisofs), tgtSize) : '—', 'guest kernel under TCG']);
  const head = ['run', 'data', 'seconds (median)', 'CPU s', 'rate', 'vs target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
  const rssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
  console.log(`peak RSS ${rssMb.toFixed(0)} MB (target < 300 MB); ${runs} rounds in a Williams design of ${parts.map((x) => x[0]).join(', ')}${quick ? ' (--quick)' : ''}; load average before ${load0.map((x) => x.toFixed(1)).join(' ')}, after ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
