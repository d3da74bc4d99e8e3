// The shared ScsiTransport contract suite against NativeTransport on real kernel drivers: the suite
// runs here on the host, every command goes through the guest's SG_IO (startGuestTransport). One
// guest boot serves both drives: tgtd's blank DVD+R over iSCSI and QEMU's scsi-cd with an ISO.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTransportContract } from '../contract/transport-contract';
import { requireTools } from '../../testing/peer-tools';
import { startGuestTransport, type GuestTransportSession } from '../../testing/qemu/guest-transport';
import { startTgtd, type Tgtd } from '../../testing/tgtd';

const ok = requireTools('qemu-system-x86_64', 'tgtd', 'tgtadm', 'xorriso', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');

interface Shared {
  session: GuestTransportSession;
  tgtd: Tgtd;
  work: string;
}
let shared: Promise<Shared> | undefined;

function acquire(): Promise<Shared> {
  shared ??= (async () => {
    const work = mkdtempSync(join(tmpdir(), 'gm-native-contract-'));
    mkdirSync(join(work, 'tree'));
    writeFileSync(join(work, 'tree', 'HELLO.TXT'), 'contract\n');
    const iso = join(work, 'disc.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, join(work, 'tree')], { stdio: 'pipe' });
    const tgtd = await startTgtd();
    const iscsiCd = await tgtd.addTarget('iqn.2026-11.org.glassmaster:native-contract', await tgtd.blankDisc());
    const session = await startGuestTransport({ iscsiCd, scsiCd: { file: iso } });
    return { session, tgtd, work };
  })();
  return shared;
}

async function setupFor(pick: 'tgt' | 'qemu') {
  const s = await acquire();
  const drives = await s.session.transport.list();
  const drive = drives.find((d) => (pick === 'qemu' ? d.vendor === 'QEMU' : d.vendor !== 'QEMU'));
  if (!drive) throw new Error(`no ${pick} drive in the guest: ${JSON.stringify(drives)}`);
  // The guest outlives each suite; the file's afterAll stops it once.
  return { transport: s.session.transport, address: drive.address, cleanup: async () => undefined };
}

describe.skipIf(!ok)('native transport in the QEMU guest', () => {
  // Boot here, with room for a first-run kernel download and a loaded CI machine, rather than in
  // the contract suite's own beforeAll (default hook timeout).
  beforeAll(() => acquire().then(() => undefined), 400_000);
  afterAll(async () => {
    if (!shared) return;
    const s = await shared;
    const result = await s.session.stop();
    await s.tgtd.stop();
    rmSync(s.work, { recursive: true, force: true });
    rmSync(result.outDir, { recursive: true, force: true });
  });
  // readOpenTrack: false is tgtd's documented limit (READ of an open DVD+R track answers 05/21/00
  // until CLOSE TRACK); the read-back after CLOSE TRACK is still checked.
  describeTransportContract('native /dev/srN → tgtd DVD writer (blank DVD+R)', () => setupFor('tgt'), { blankDvdPlusR: true, readOpenTrack: false });
  describeTransportContract('native /dev/srN → QEMU scsi-cd (ISO loaded)', () => setupFor('qemu'));

  it('the session operates the tray: after ejectCd() TEST UNIT READY reports NOT READY, MEDIUM NOT PRESENT', async () => {
    const s = await acquire();
    const { address } = await setupFor('qemu');
    const dev = await s.session.transport.open(address);
    try {
      await s.session.ejectCd();
      const senses: string[] = [];
      // A unit attention (06h) may come first; the steady state is 02/3A (SPC-4 Annex D).
      for (let i = 0; i < 4; i++) {
        const r = await dev.execute({ cdb: new Uint8Array(6), direction: 'none' });
        senses.push(r.status === 0 ? 'GOOD' : Buffer.from(r.sense.subarray(0, 14)).toString('hex'));
        if (r.status === 2 && (r.sense[2] & 0x0f) === 0x02) {
          expect(r.sense[12]).toBe(0x3a);
          return;
        }
      }
      throw new Error(`no 02/3A after eject: ${senses.join(' ')}`);
    } finally {
      await dev.close();
    }
  });
});
