// End to end with independent peers on both sides of our initiator: xorriso masters an ISO, our
// iSCSI initiator burns it to tgtd's blank DVD+R, then QEMU's own iSCSI initiator (qemu-img,
// libiscsi) reads the finished disc back and xorriso extracts the files from what it read.
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { startTgtd, type Tgtd } from '../../testing/tgtd';
import { buildTestUnitReady } from '../../mmc/commands/test-unit-ready';
import { buildGetConfiguration, parseGetConfiguration } from '../../mmc/commands/get-configuration';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildCloseTrack } from '../../mmc/commands/close-track-session';
import { parseSense } from '../../mmc/sense';
import { IscsiTransport } from './iscsi-transport';

const ok = requireTools('tgtd', 'tgtadm', 'xorriso', 'qemu-img');
const run = promisify(execFile);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!ok)('burning an ISO over iSCSI, checked by QEMU and xorriso', () => {
  let tgtd: Tgtd;
  let dir: string;

  beforeAll(async () => {
    tgtd = await startTgtd();
    dir = await mkdtemp(path.join(os.tmpdir(), 'glassmaster-iscsi-burn-'));
  });
  afterAll(async () => {
    await tgtd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('xorriso ISO → WRITE(10) + CLOSE TRACK over our initiator → qemu-img reads the same bytes → xorriso extracts the same files', async () => {
    const src = path.join(dir, 'src');
    await mkdir(path.join(src, 'docs'), { recursive: true });
    const files: Record<string, Buffer> = {
      'README.TXT': Buffer.from('Glassmaster iSCSI burn test\n'),
      'docs/big.bin': randomBytes(3 * 1024 * 1024 + 123),
      'docs/empty.dat': Buffer.alloc(0),
    };
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(src, name), content);
    const iso = path.join(dir, 'image.iso');
    await run('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'GM_ISCSI', '-o', iso, src]);
    const image = await readFile(iso);
    expect(image.length % 2048).toBe(0);

    const backing = await tgtd.blankDisc('burn.img');
    const url = await tgtd.addTarget('iqn.2026-11.org.glassmaster.test:burn', backing);
    const dev = await new IscsiTransport([], { keepaliveIntervalMs: 0 }).open(url);
    try {
      for (let i = 0; i < 3 && (await dev.execute(buildTestUnitReady())).status !== 0; i++);
      const cfg = parseGetConfiguration((await dev.execute(buildGetConfiguration({ allocationLength: 2048 }))).data);
      expect(cfg.currentProfile).toBe(0x001b); // blank DVD+R (MMC-6 Table 91)

      // 16 blocks (32 KiB) per WRITE(10), the unit growisofs and cdrecord use on DVD.
      const blocks = image.length / 2048;
      const started = performance.now();
      for (let lba = 0; lba < blocks; lba += 16) {
        const n = Math.min(16, blocks - lba);
        const w = await dev.execute(buildWrite10(lba, n, image.subarray(lba * 2048, (lba + n) * 2048)));
        expect(w.status, `WRITE at ${lba}: ${JSON.stringify(parseSense(w.sense))}`).toBe(0);
      }
      const seconds = (performance.now() - started) / 1000;
      console.info(`[iscsi-burn] ${(image.length / 1048576).toFixed(1)} MiB in ${seconds.toFixed(2)} s (${(image.length / 1048576 / seconds).toFixed(1)} MiB/s)`);
      expect((await dev.execute(buildCloseTrack(1))).status).toBe(0);
    } finally {
      await dev.close();
    }

    // QEMU's iSCSI block driver is an independent initiator reading the finished disc.
    const out = path.join(dir, 'readback.raw');
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'raw', url, out], { timeout: 60_000 });
    const readback = await readFile(out);
    expect(readback.length).toBeGreaterThanOrEqual(image.length);
    expect(sha256(readback.subarray(0, image.length))).toBe(sha256(image));

    // xorriso reads the ISO 9660/Rock Ridge tree from QEMU's copy and extracts every file.
    const ext = path.join(dir, 'extract');
    await run('xorriso', ['-osirrox', 'on', '-indev', out, '-extract', '/', ext]);
    for (const [name, content] of Object.entries(files)) {
      expect(sha256(await readFile(path.join(ext, name))), name).toBe(sha256(content));
    }
    const { stdout } = await run('xorriso', ['-indev', out, '-pvd_info'], { encoding: 'utf8' }).catch((e: { stdout: string }) => e);
    expect(stdout).toContain('GM_ISCSI');
  });
});
