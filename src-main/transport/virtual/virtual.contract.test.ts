// The transport contract run against the virtual recorder (blank DVD+R, like tgtd's empty file).
import { describeTransportContract } from '../contract/transport-contract';
import { virtualFixture } from './testing';

describeTransportContract('virtual', async () => {
  const f = await virtualFixture('dvd+r');
  await f.device.close();
  return { transport: f.transport, address: f.address, cleanup: f.cleanup };
}, { blankDvdPlusR: true });

describeTransportContract('virtual (empty drive)', async () => {
  const f = await virtualFixture(null, { name: 'empty' });
  await f.device.close();
  return { transport: f.transport, address: f.address, cleanup: f.cleanup };
});
