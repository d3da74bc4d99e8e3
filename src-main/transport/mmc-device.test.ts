// The MMC gate (mmc-device.ts): a node whose INQUIRY is not peripheral device type 05h is never
// opened as a drive, and nothing but INQUIRY is ever sent to it. The attack: eject/load on
// /dev/sgN of a hard disk sends START STOP UNIT and spins it down. Here the "disk" is the virtual
// recorder behind an emulated native addon whose INQUIRY answers type 00h; the real kernel and
// QEMU's scsi-hd are in src-main/drive/drive.guest.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../common/errors';
import { DriveService } from '../drive/drive-service';
import { Op } from '../mmc/opcodes';
import { assertMmcDevice, judgeInquiry } from './mmc-device';
import type { NativeAddon, NativeExecuteResult } from './native/native-addon';
import { NativeTransport } from './native/native-transport';
import type { ScsiDevice } from './transport';
import { VirtualTransport } from './virtual/virtual-transport';

let dir: string;
let vt: VirtualTransport;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-mmc-gate-'));
  vt = new VirtualTransport({ stateDir: dir });
  await vt.create('disk', { media: 'dvd+r' });
});
afterEach(async () => {
  await vt.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A native addon emulated over a virtual recorder: every CDB reaches the recorder, and INQUIRY's
 * byte 0 is rewritten to `byte0` (00h = a disk). Records every opcode sent and every handle closed.
 */
async function emulatedAddon(byte0: number): Promise<NativeAddon & { sent: number[]; closed: number[] }> {
  const devices = new Map<number, ScsiDevice>();
  const sent: number[] = [];
  const closed: number[] = [];
  let next = 1;
  return {
    sent,
    closed,
    info: () => ({ platform: 'linux', backend: 'sg', napiVersion: 8 }),
    list: async () => [],
    open: async () => {
      const h = next++;
      devices.set(h, await vt.open('virtual:disk'));
      return h;
    },
    close: (h) => {
      closed.push(h);
      void devices.get(h)?.close();
      return devices.delete(h);
    },
    execute: async (h, req): Promise<NativeExecuteResult> => {
      sent.push(req.cdb[0]);
      const dev = devices.get(h)!;
      const res = await dev.execute(
        req.direction === 'in' ? { cdb: req.cdb, direction: 'in', length: req.length! } : req.direction === 'out' ? { cdb: req.cdb, direction: 'out', data: req.data! } : { cdb: req.cdb, direction: 'none' },
      );
      const data = new Uint8Array(res.data);
      if (req.cdb[0] === Op.INQUIRY && data.length > 0) data[0] = byte0;
      return { status: res.status, hostStatus: 0, driverStatus: 0, sense: res.sense, data, residual: res.residual, durationMs: res.durationMs };
    },
  };
}

describe('judgeInquiry (SPC-4 §6.6.2 byte 0)', () => {
  it('accepts only qualifier 000b with type 05h', () => {
    expect(judgeInquiry(Uint8Array.of(0x05))).toMatchObject({ isMmc: true, type: 5, qualifier: 0 });
    expect(judgeInquiry(Uint8Array.of(0x00))).toMatchObject({ isMmc: false, type: 0, description: 'a direct-access block device (disk)' });
    expect(judgeInquiry(Uint8Array.of(0x01))).toMatchObject({ isMmc: false, type: 1 });
    // Qualifier 001b/011b: the unit is supported but no device is connected there.
    expect(judgeInquiry(Uint8Array.of(0x25))).toMatchObject({ isMmc: false, qualifier: 1 });
    expect(judgeInquiry(Uint8Array.of(0x7f))).toMatchObject({ isMmc: false, qualifier: 3, type: 0x1f });
    expect(judgeInquiry(new Uint8Array(0))).toMatchObject({ isMmc: false });
  });
});

describe('assertMmcDevice on any transport', () => {
  it('passes the virtual recorder (type 05h) and refuses the same device presenting type 00h', async () => {
    const dev = await vt.open('virtual:disk');
    try {
      await expect(assertMmcDevice(dev, 'virtual:disk')).resolves.toBeUndefined();
      const asDisk: ScsiDevice = {
        address: dev.address,
        close: () => dev.close(),
        execute: async (cmd, signal) => {
          const r = await dev.execute(cmd, signal);
          if (cmd.cdb[0] === Op.INQUIRY) r.data[0] = 0x00;
          return r;
        },
      };
      const err = await assertMmcDevice(asDisk, '/dev/sg1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err).toMatchObject({ details: { address: '/dev/sg1', peripheralType: 0, peripheralQualifier: 0 } });
      expect((err as Error).message).toMatch(/\/dev\/sg1 is not an optical drive: INQUIRY says it is a direct-access block device \(disk\)/);
    } finally {
      await dev.close();
    }
  });
});

describe('NativeTransport.open refuses what is not an MMC drive', () => {
  it('a disk (type 00h): typed error, handle closed, only INQUIRY sent', async () => {
    const addon = await emulatedAddon(0x00);
    const err = await new NativeTransport(addon).open('/dev/sg1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(addon.sent).toEqual([Op.INQUIRY]);
    expect(addon.closed).toEqual([1]);
  });

  it('DriveService eject/load of a disk never sends START STOP UNIT', async () => {
    const addon = await emulatedAddon(0x00);
    const svc = new DriveService({ transports: [new NativeTransport(addon)], drive: { retryDelayMs: 1 } });
    await expect(svc.eject('/dev/sg1')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(svc.load('/dev/sg1')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(svc.lease('/dev/sg1', 'burn')).rejects.toBeInstanceOf(InvalidInputError);
    expect(addon.sent.filter((op) => op !== Op.INQUIRY)).toEqual([]);
    expect(addon.sent).not.toContain(Op.START_STOP_UNIT);
    expect(vt.info('disk').trayOpen).toBe(false);
  });

  it('an MMC drive (type 05h) opens and ejects as before', async () => {
    const addon = await emulatedAddon(0x05);
    const svc = new DriveService({ transports: [new NativeTransport(addon)], drive: { retryDelayMs: 1 } });
    await svc.eject('/dev/sr0');
    expect(addon.sent[0]).toBe(Op.INQUIRY);
    expect(addon.sent).toContain(Op.START_STOP_UNIT);
    expect(vt.info('disk').trayOpen).toBe(true);
  });
});
