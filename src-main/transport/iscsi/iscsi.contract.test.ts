// The shared ScsiTransport contract suite, run against our iSCSI initiator and tgtd's DVD writer.
//
// blankDvdPlusR stays off: the contract's "WRITE(10) then READ(10) before CLOSE TRACK" step cannot
// pass on tgtd 1.0.85, which reports an open DVD+R's readable size as 0 and answers that READ with
// 05/21/00 (LBA OUT OF RANGE) until the track is closed. The proper fix is a documented per-backend
// switch in transport-contract.ts (e.g. `readOpenTrack: false`); until then iscsi-tgtd.test.ts
// covers write → backing file → CLOSE TRACK → read-back on tgtd.
import { describe, it } from 'vitest';
import { describeTransportContract } from '../contract/transport-contract';
import { requireTools } from '../../testing/peer-tools';
import { startTgtd } from '../../testing/tgtd';
import { IscsiTransport } from './iscsi-transport';

if (requireTools('tgtd', 'tgtadm')) {
  describeTransportContract('iscsi (tgtd)', async () => {
    const tgtd = await startTgtd();
    const address = await tgtd.addTarget('iqn.2026-11.org.glassmaster.test:contract');
    return { transport: new IscsiTransport([address]), address, cleanup: () => tgtd.stop() };
  });
} else {
  // Outside CI without tgt: shown as skipped (requireTools already said why) rather than "no suite".
  describe.skip('ScsiTransport contract: iscsi (tgtd)', () => it.skip('needs tgtd'));
}
