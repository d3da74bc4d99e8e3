// The contract suite against tgtd over our iSCSI initiator with a blank DVD+R, using the documented
// readOpenTrack switch (tgtd 1.0.85 cannot read an open track). Kept here, next to the suite, so a
// change to the suite is checked against an independent implementation at once.
import { describe } from 'vitest';
import { describeTransportContract } from './transport-contract';
import { requireTools } from '../../testing/peer-tools';
import { startTgtd } from '../../testing/tgtd';
import { IscsiTransport } from '../iscsi/iscsi-transport';

describe.skipIf(!requireTools('tgtd', 'tgtadm'))('tgtd', () => {
  describeTransportContract('iscsi → tgtd (blank DVD+R)', async () => {
    const tgtd = await startTgtd();
    const address = await tgtd.addTarget('iqn.2026-11.org.glassmaster.test:contract-blank', await tgtd.blankDisc());
    return { transport: new IscsiTransport([address], { keepaliveIntervalMs: 0 }), address, cleanup: () => tgtd.stop() };
  }, { blankDvdPlusR: true, readOpenTrack: false });
});
