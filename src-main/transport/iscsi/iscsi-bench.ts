// Throughput of the iSCSI initiator against tgtd on loopback (a benchmark, not a test):
//   npx tsx src-main/transport/iscsi/iscsi-bench.ts [MiB=128] [blocksPerCommand=512]
// Writes MiB to a blank DVD+R in WRITE(10)s, closes the track, reads it back in READ(10)s.
import { startTgtd } from '../../testing/tgtd';
import { buildTestUnitReady } from '../../mmc/commands/test-unit-ready';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildRead10 } from '../../mmc/commands/read';
import { buildCloseTrack } from '../../mmc/commands/close-track-session';
import { IscsiTransport } from './iscsi-transport';

export interface IscsiBenchResult {
  mib: number;
  blocksPerCommand: number;
  writeMiBs: number;
  readMiBs: number;
}

export async function benchIscsi(mib = 128, blocksPerCommand = 512): Promise<IscsiBenchResult> {
  const tgtd = await startTgtd();
  try {
    const url = await tgtd.addTarget('iqn.2026-11.org.glassmaster.bench:dvd', await tgtd.blankDisc());
    const dev = await new IscsiTransport([], { keepaliveIntervalMs: 0 }).open(url);
    try {
      await dev.execute(buildTestUnitReady()); // consumes the power-on unit attention
      const blocks = mib * 512;
      const buf = Buffer.alloc(blocksPerCommand * 2048, 0x5a);
      const check = (status: number, what: string) => {
        if (status !== 0) throw new Error(`${what} failed with status ${status}`);
      };
      let t0 = performance.now();
      for (let lba = 0; lba < blocks; lba += blocksPerCommand) {
        const n = Math.min(blocksPerCommand, blocks - lba);
        check((await dev.execute(buildWrite10(lba, n, buf.subarray(0, n * 2048)))).status, `WRITE(10) at ${lba}`);
      }
      const writeS = (performance.now() - t0) / 1000;
      check((await dev.execute(buildCloseTrack(1))).status, 'CLOSE TRACK');
      await dev.execute(buildTestUnitReady());
      t0 = performance.now();
      for (let lba = 0; lba < blocks; lba += blocksPerCommand) {
        check((await dev.execute(buildRead10(lba, Math.min(blocksPerCommand, blocks - lba)))).status, `READ(10) at ${lba}`);
      }
      const readS = (performance.now() - t0) / 1000;
      return { mib, blocksPerCommand, writeMiBs: mib / writeS, readMiBs: mib / readS };
    } finally {
      await dev.close();
    }
  } finally {
    await tgtd.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mib, bpc] = process.argv.slice(2).map(Number);
  benchIscsi(mib || undefined, bpc || undefined).then(
    (r) => console.log(`iSCSI→tgtd ${r.mib} MiB, ${r.blocksPerCommand} blocks/command: write ${r.writeMiBs.toFixed(1)} MiB/s, read ${r.readMiBs.toFixed(1)} MiB/s`),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
