// Captures tgtd's answers to the MMC commands our parsers decode, as fixtures for mmc/ unit tests.
// Run once (needs Debian `tgt`):  npx tsx src-main/mmc/__fixtures__/capture-tgtd.ts
// Writes tgtd-dvd-plus-r.json next to this file. The sequence walks a blank DVD+R (empty backing
// file) through WRITE(10) of 32 blocks and CLOSE TRACK, after which tgtd reports a DVD-ROM.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTgtd } from '../../testing/tgtd';
import { IscsiTransport } from '../../transport/iscsi/iscsi-transport';
import type { ScsiCommand } from '../../transport/transport';
import { buildInquiry } from '../commands/inquiry';
import { buildTestUnitReady } from '../commands/test-unit-ready';
import { buildGetConfiguration } from '../commands/get-configuration';
import { buildGetEventStatusNotification } from '../commands/get-event-status-notification';
import { buildReadDiscInformation } from '../commands/read-disc-information';
import { buildReadTrackInformation } from '../commands/read-track-information';
import { buildReadCapacity } from '../commands/read-capacity';
import { buildReadTocPmaAtip } from '../commands/read-toc-pma-atip';
import { buildModeSense10 } from '../commands/mode-sense';
import { buildGetPerformance } from '../commands/get-performance';
import { buildReadBufferCapacity } from '../commands/read-buffer-capacity';
import { buildRequestSense } from '../commands/request-sense';
import { buildWrite10 } from '../commands/write';
import { buildSynchronizeCache } from '../commands/synchronize-cache';
import { buildCloseTrack } from '../commands/close-track-session';
import { buildRead10 } from '../commands/read';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function main(): Promise<void> {
  const tgtd = await startTgtd();
  try {
    const url = await tgtd.addTarget('iqn.2026-11.org.glassmaster.test:capture', await tgtd.blankDisc());
    const dev = await new IscsiTransport([], { keepaliveIntervalMs: 0 }).open(url);
    const data = new Uint8Array(32 * 2048).fill(0x5a);
    const seq: Array<[string, ScsiCommand]> = [
      ['tur-after-login', buildTestUnitReady()],
      ['inquiry', buildInquiry(96)],
      ['get-configuration-blank', buildGetConfiguration({ allocationLength: 2048 })],
      ['gesn', buildGetEventStatusNotification()],
      ['read-disc-information-blank', buildReadDiscInformation()],
      ['read-track-information-blank', buildReadTrackInformation({ address: 1 })],
      ['read-capacity-blank', buildReadCapacity()],
      ['mode-sense-2a', buildModeSense10(0x2a, { allocationLength: 252 })],
      ['mode-sense-05', buildModeSense10(0x05, { allocationLength: 252 })],
      ['get-performance-03', buildGetPerformance({ type: 0x03 })],
      ['read-buffer-capacity', buildReadBufferCapacity()],
      ['request-sense', buildRequestSense(18)],
      ['write-10', buildWrite10(0, 32, data)],
      ['synchronize-cache', buildSynchronizeCache()],
      ['close-track', buildCloseTrack(1)],
      ['get-configuration-closed', buildGetConfiguration({ allocationLength: 2048 })],
      ['read-disc-information-closed', buildReadDiscInformation()],
      ['read-track-information-closed', buildReadTrackInformation({ address: 1 })],
      ['read-capacity-closed', buildReadCapacity()],
      ['read-toc-0-closed', buildReadTocPmaAtip({ format: 0, allocationLength: 1024 })],
      ['read-toc-0-msf-closed', buildReadTocPmaAtip({ format: 0, msf: true, allocationLength: 1024 })],
      ['read-toc-1-closed', buildReadTocPmaAtip({ format: 1, allocationLength: 1024 })],
      ['read-10-beyond-closed', buildRead10(32, 1)],
      ['write-10-closed', buildWrite10(32, 1, data.subarray(0, 2048))],
    ];
    const out: Record<string, { cdb: string; status: number; sense: string; data: string }> = {};
    for (const [name, cmd] of seq) {
      const r = await dev.execute(cmd);
      out[name] = { cdb: hex(cmd.cdb), status: r.status, sense: hex(r.sense), data: name.startsWith('read-10') ? '' : hex(r.data) };
    }
    await dev.close();
    const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'tgt'], { encoding: 'utf8' });
    const file = join(import.meta.dirname, 'tgtd-dvd-plus-r.json');
    writeFileSync(file, JSON.stringify({ peer: `tgt ${version} (Debian), iSCSI via src-main/transport/iscsi`, how: 'npx tsx src-main/mmc/__fixtures__/capture-tgtd.ts', responses: out }, null, 1) + '\n');
    console.log(`wrote ${file}`);
  } finally {
    await tgtd.stop();
  }
}

void main();
