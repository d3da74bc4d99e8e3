// SG_IO timeouts on real kernel drivers. The guest's CD drive sits behind QEMU's LSI 53C895A HBA
// (sym53c8xx driver): virtio-scsi never lets a command time out in the guest. QEMU's I/O throttle
// stalls a READ well past timeoutMs; the kernel's error handler aborts it and NativeTransport must
// report TransportError ETIMEDOUT instead of hanging, leaving the drive usable.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { runInGuest, SCSI_CD_ID, type GuestResult } from '../../testing/qemu-guest';

const ok = requireTools('qemu-system-x86_64', 'xorriso', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');

const THROTTLE_ON = { bps: 4096, bps_rd: 0, bps_wr: 0, iops: 0, iops_rd: 0, iops_wr: 0 };
const THROTTLE_OFF = { bps: 0, bps_rd: 0, bps_wr: 0, iops: 0, iops_rd: 0, iops_wr: 0 };

describe.skipIf(!ok)('NativeTransport timeouts in a QEMU guest (LSI HBA, throttled scsi-cd)', () => {
  const work = mkdtempSync(join(tmpdir(), 'gm-native-timeout-'));
  let run: GuestResult | undefined;
  let r: Record<string, any>;

  beforeAll(async () => {
    mkdirSync(join(work, 'tree'));
    writeFileSync(join(work, 'tree', 'R.BIN'), Buffer.alloc(1_000_000, 0x33));
    const iso = join(work, 'disc.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, join(work, 'tree')], { stdio: 'pipe' });
    run = await runInGuest({
      scsiHba: 'lsi53c895a',
      scsiCd: { file: iso },
      timeoutMs: 240_000,
      script: 'node --import tsx src-main/transport/native/native-guest-timeout-checks.ts',
      monitor: async (m) => {
        for (const name of ['sr', 'sg']) {
          await m.waitForGuest(`throttle-${name}`);
          await m.qmp.execute('block_set_io_throttle', { id: SCSI_CD_ID, ...THROTTLE_ON });
          m.signalGuest(`throttled-${name}`);
          await m.waitForGuest(`unthrottle-${name}`);
          await m.qmp.execute('block_set_io_throttle', { id: SCSI_CD_ID, ...THROTTLE_OFF });
          m.signalGuest(`unthrottled-${name}`);
        }
      },
    });
    r = JSON.parse(readFileSync(join(run.outDir, 'results.json'), 'utf8')) as Record<string, any>;
    if (r.fatal || run.exitCode !== 0) throw new Error(`guest checks failed (exit ${run.exitCode}): ${r.fatal ?? ''}\n${run.stderr}`);
  }, 260_000);

  afterAll(() => {
    if (run) rmSync(run.outDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  for (const node of ['sr', 'sg'] as const) {
    it(`/dev/${node}N: a stalled READ(10) rejects with TransportError ETIMEDOUT, bounded, and the drive recovers`, () => {
      expect(r.drive).toMatchObject({ vendor: 'QEMU' });
      expect(r[node].firstStatus).toBe(0);
      expect(r[node].second).toMatchObject({ name: 'TransportError', errno: 'ETIMEDOUT', syscall: 'ioctl(SG_IO)', disconnected: false });
      // 3 s timeout plus the error handler's abort: well under the ~16 s the throttle would take.
      expect(r[node].elapsedMs).toBeGreaterThanOrEqual(2900);
      expect(r[node].elapsedMs).toBeLessThan(12_000);
      expect(r[node].after.at(-1)).toBe(0);
    });
  }
});
