// Drive and DriveService against a real, independent MMC implementation: tgtd's DVD writer over our
// iSCSI initiator. Media detection on a blank DVD+R, after a burn (tgtd morphs it to DVD-ROM), on a
// data disc and with no disc; the watcher's TEST UNIT READY fallback (tgtd has no GESN).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { startTgtd, type Tgtd } from '../testing/tgtd';
import { IscsiTransport } from '../transport/iscsi/iscsi-transport';
import { buildWrite10 } from '../mmc/commands/write';
import { buildCloseTrackSession } from '../mmc/commands/close-track-session';
import { buildSynchronizeCache } from '../mmc/commands/synchronize-cache';
import { Drive, type MediaChange } from './drive';
import { DriveService } from './drive-service';

const ok = requireTools('tgtd', 'tgtadm');
const IQN = (n: string) => `iqn.2026-11.org.glassmaster.test:drive-${n}`;

describe.skipIf(!ok)('Drive against tgtd', () => {
  let tgtd: Tgtd;
  const transport = new IscsiTransport([], { keepaliveIntervalMs: 0 });

  beforeAll(async () => {
    tgtd = await startTgtd();
  });
  afterAll(async () => {
    await tgtd?.stop();
  });

  it('blank DVD+R → write + CLOSE TRACK → complete DVD-ROM of 32 blocks', async () => {
    const url = await tgtd.addTarget(IQN('burn'), await tgtd.blankDisc());
    const dev = await transport.open(url);
    try {
      const d = new Drive(dev, { retryDelayMs: 10 });
      const inq = await d.inquiry();
      expect(inq.peripheralType).toBe(5);
      const blank = await d.media();
      expect(blank).toMatchObject({ profile: 'DVD+R', status: 'blank', sessions: 0, tracks: 0, nextWritableAddress: 0, freeBlocks: 2295104, capacityBlocks: 2295104, erasable: false });
      expect(blank.writeSpeeds).toEqual([3324]); // tgtd's single GET PERFORMANCE descriptor
      // tgtd reports page 05h (mode 1 data blocks) and accepts a speed (SET STREAMING, else SET CD SPEED).
      expect((await d.writeParameters()).dataBlockType).toBe(8);
      await d.setWriteSpeed(3324, 2295103);
      await d.execute(buildWrite10(0, 32, new Uint8Array(32 * 2048).fill(0xa5)));
      await d.execute(buildSynchronizeCache());
      await d.execute(buildCloseTrackSession(1, 1));
      const done = await d.media();
      expect(done).toMatchObject({ profile: 'DVD-ROM', status: 'complete', sessions: 1, tracks: 1, usedBlocks: 32, freeBlocks: 0 });
      expect(done.nextWritableAddress).toBeUndefined();
      const caps = await d.capabilities();
      expect(caps.profiles).toEqual(['DVD-ROM', 'DVD+R']);
      expect(caps.canWriteDvdPlusR).toBe(true);
      expect(caps.canWriteCdR).toBe(false);
    } finally {
      await dev.close();
    }
  });

  it('data disc and no disc (offline LUN)', async () => {
    const iqn = IQN('rom');
    const url = await tgtd.addTarget(iqn, await tgtd.dataDisc(2048 * 100));
    const dev = await transport.open(url);
    try {
      const d = new Drive(dev, { retryDelayMs: 10 });
      expect(await d.media()).toMatchObject({ profile: 'DVD-ROM', status: 'complete', usedBlocks: 100 });
      await tgtd.setOnline(iqn, false);
      expect(await d.media()).toMatchObject({ profile: 'None', status: 'no-disc' });
    } finally {
      await dev.close();
    }
  });

  it('watchMedia falls back to TEST UNIT READY (no GESN) and sees a disc swap', async () => {
    const iqn = IQN('watch');
    const url = await tgtd.addTarget(iqn, await tgtd.blankDisc());
    const dev = await transport.open(url);
    const evs: MediaChange[] = [];
    const ac = new AbortController();
    try {
      const d = new Drive(dev, { retryDelayMs: 10 });
      expect(await d.mediaEvent()).toBeUndefined();
      const watching = d.watchMedia(ac.signal, (e) => evs.push(e), { minIntervalMs: 20, maxIntervalMs: 80 });
      const until = async (n: number) => {
        const t0 = Date.now();
        while (evs.length < n && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 20));
      };
      await until(1);
      await tgtd.setOnline(iqn, false);
      await until(2);
      await tgtd.swapMedia(iqn, await tgtd.dataDisc(2048 * 16));
      await until(3);
      ac.abort();
      await watching;
      // After the swap tgtd answers UNIT ATTENTION 28/00 or simply GOOD: either way a change is seen.
      expect(evs.map((e) => [e.media.profile, e.media.status])).toEqual([['DVD+R', 'blank'], ['None', 'no-disc'], ['DVD-ROM', 'complete']]);
      expect(evs[0].reason).toBe('initial');
      expect(evs[1].reason).toBe('media-removal');
      expect(['new-media', 'changed']).toContain(evs[2].reason);
    } finally {
      ac.abort();
      await dev.close();
    }
  });

  it('DriveService routes iscsi:// addresses to the iSCSI transport', async () => {
    const url = await tgtd.addTarget(IQN('svc'), await tgtd.blankDisc());
    const t = new IscsiTransport([url], { keepaliveIntervalMs: 0 });
    const svc = new DriveService({ transports: [t], drive: { retryDelayMs: 10 } });
    const list = await svc.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ address: url, kind: 'iscsi', vendor: 'IET', model: 'VIRTUAL-CDROM' });
    expect(list[0].capabilities.canWriteDvdPlusR).toBe(true);
    expect((await svc.media(url)).profile).toBe('DVD+R');
  });
});
