// The gate every native open passes: a device node is used as a drive only when its standard
// INQUIRY data says it is one. Without it, any /dev/sgN (a hard disk, a tape, an enclosure) could be
// opened through the drive API and sent START STOP UNIT by eject/load — a disk spun down from the
// renderer or a browser client. Transport-independent: it takes an open ScsiDevice. INQUIRY is an
// SPC command every SCSI device answers, so it is built here without the MMC layer.
import { InvalidInputError } from '../common/errors';
import type { ScsiDevice } from './transport';

/** SPC-4 §6.6.2 peripheral device type 05h: CD/DVD/BD device (MMC). */
export const PERIPHERAL_TYPE_MMC = 0x05;

/** Names of the SPC-4 peripheral device types a user is likely to point at by mistake. */
const TYPE_NAMES: Record<number, string> = {
  0x00: 'a direct-access block device (disk)',
  0x01: 'a sequential-access device (tape)',
  0x03: 'a processor device',
  0x05: 'an MMC drive',
  0x07: 'an optical memory device',
  0x08: 'a media changer',
  0x0c: 'a storage array controller',
  0x0d: 'an enclosure services device',
  0x0e: 'a simplified direct-access device',
  0x1f: 'an unknown or no device',
};

/** What a device's INQUIRY data says it is, and whether that makes it a drive we may drive. */
export interface PeripheralVerdict {
  qualifier: number;
  type: number;
  isMmc: boolean;
  description: string;
}

/**
 * Judges standard INQUIRY data byte 0 (SPC-4 §6.6.2): peripheral qualifier 000b (a device is
 * connected to this logical unit) and peripheral device type 05h. Anything shorter than one byte
 * is no answer and no drive.
 */
export function judgeInquiry(data: Uint8Array): PeripheralVerdict {
  if (data.length < 1) return { qualifier: 7, type: 0x1f, isMmc: false, description: 'a device that returned no INQUIRY data' };
  const qualifier = data[0] >> 5;
  const type = data[0] & 0x1f;
  const description = qualifier !== 0 ? `a logical unit with no device connected (peripheral qualifier ${qualifier})` : (TYPE_NAMES[type] ?? `peripheral device type 0x${type.toString(16).padStart(2, '0')}`);
  return { qualifier, type, isMmc: qualifier === 0 && type === PERIPHERAL_TYPE_MMC, description };
}

/**
 * Sends INQUIRY (36 bytes: the SPC-4 minimum every device returns) and resolves when the device is
 * an MMC drive. Rejects with InvalidInputError (details: address, peripheralType, qualifier) when it
 * is not, or when INQUIRY ends in CHECK CONDITION; transport failures propagate as they are. No
 * other command is sent, whatever the answer.
 */
export async function assertMmcDevice(device: ScsiDevice, address: string, signal?: AbortSignal): Promise<void> {
  // SPC-4 §6.6.1: opcode 12h, EVPD 0, allocation length 36 (bytes 3-4).
  const cdb = Uint8Array.of(0x12, 0, 0, 0, 36, 0);
  const res = await device.execute({ cdb, direction: 'in', length: 36, timeoutMs: 10_000 }, signal);
  if (res.status !== 0) {
    throw new InvalidInputError(`${address} is not an optical drive: it did not answer INQUIRY (SCSI status 0x${res.status.toString(16).padStart(2, '0')})`, { address, scsiStatus: res.status });
  }
  const verdict = judgeInquiry(res.data);
  if (!verdict.isMmc) {
    // T10 vendor identification (bytes 8-15) and product identification (16-31), printable ASCII only.
    const ascii = (from: number, to: number) => Buffer.from(res.data.subarray(from, Math.min(to, res.data.length))).toString('latin1').replace(/[^\x20-\x7e]/g, '').trim();
    const who = [ascii(8, 16), ascii(16, 32)].filter(Boolean).join(' ');
    const named = who ? ` (${who})` : '';
    throw new InvalidInputError(`${address} is not an optical drive: INQUIRY says it is ${verdict.description}${named}; only MMC drives (peripheral device type 05h) are opened`, {
      address,
      peripheralType: verdict.type,
      peripheralQualifier: verdict.qualifier,
    });
  }
}

/** Runs assertMmcDevice and closes the device when it refuses (or fails), so no handle leaks. */
export async function requireMmcDevice<T extends ScsiDevice>(device: T, address: string, signal?: AbortSignal): Promise<T> {
  try {
    await assertMmcDevice(device, address, signal);
    return device;
  } catch (e) {
    await device.close().catch(() => undefined);
    throw e;
  }
}
