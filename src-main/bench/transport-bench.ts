// Transport throughput, side by side with a peer initiator where one exists: our iSCSI initiator
// against tgtd's DVD writer (write, then read back), QEMU's libiscsi initiator (qemu-img) reading
// the same LUN, and the virtual recorder through the Drive layer. A benchmark, not a test:
//   npm run bench:transport [-- MiB]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchIscsi } from '../transport/iscsi/iscsi-bench';
import { benchVirtualRecorder } from '../transport/virtual/virtual-bench';
import { startTgtd } from '../testing/tgtd';
import { hasTool } from '../testing/peer-tools';

const mib = Number(process.argv[2] ?? 128);
const rows: Array<[string, string, string, string]> = [];

const ours = await benchIscsi(mib, 512);
rows.push(['Glassmaster iSCSI → tgtd', `${mib} MiB`, ours.writeMiBs.toFixed(1), ours.readMiBs.toFixed(1)]);

if (hasTool('qemu-img') && hasTool('tgtd')) {
  // QEMU's initiator reads a DVD-ROM LUN of the same size (a written and closed disc).
  const dir = mkdtempSync(join(tmpdir(), 'gm-tbench-'));
  const tgtd = await startTgtd();
  try {
    const disc = join(dir, 'disc.iso');
    execFileSync('truncate', ['-s', `${mib}M`, disc]);
    const url = await tgtd.addTarget('iqn.2026-11.bench:qemu', disc);
    const t0 = process.hrtime.bigint();
    const r = spawnSync('qemu-img', ['convert', '-f', 'raw', '-O', 'raw', url, join(dir, 'out.raw')]);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push(['qemu-img (libiscsi) ← tgtd', `${mib} MiB`, '—', r.status === 0 ? (mib / s).toFixed(1) : `failed: ${String(r.stderr).trim().slice(0, 40)}`]);
  } finally {
    await tgtd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const virtual = await benchVirtualRecorder(Math.max(mib, 256));
rows.push(['virtual recorder (Drive layer)', `${Math.max(mib, 256)} MiB`, virtual.writeMiBps.toFixed(1), virtual.readMiBps.toFixed(1)]);

const head: [string, string, string, string] = ['transport', 'data', 'write MiB/s', 'read MiB/s'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
console.log(`virtual recorder media detection: ${virtual.mediaMs.toFixed(2)} ms per Drive.media()`);
