// GET EVENT STATUS NOTIFICATION (MMC-6 §6.7), polled, media class (§6.7.2.5).
import { cdb, checkField, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';

/** Notification class request bits: bit 4 = media. */
export const NotificationClass = { OPERATIONAL: 0x02, POWER: 0x04, EXTERNAL: 0x08, MEDIA: 0x10, MULTI_HOST: 0x20, BUSY: 0x40 } as const;

export function buildGetEventStatusNotification(classRequest: number = NotificationClass.MEDIA, allocationLength = 8): MmcCommand {
  checkField('classRequest', classRequest, 8);
  checkField('allocationLength', allocationLength, 16);
  const b = cdb(10, Op.GET_EVENT_STATUS_NOTIFICATION);
  b[1] = 0x01; // Polled: asynchronous operation is not supported by any transport we have
  b[4] = classRequest;
  put16(b, 7, allocationLength);
  return cmdIn(b, allocationLength);
}

export type MediaEvent = 'none' | 'eject-request' | 'new-media' | 'media-removal' | 'media-changed' | 'bg-format-completed' | 'bg-format-restarted' | 'reserved';
const MEDIA_EVENTS: MediaEvent[] = ['none', 'eject-request', 'new-media', 'media-removal', 'media-changed', 'bg-format-completed', 'bg-format-restarted'];

export interface EventStatus {
  /** No Event Available: the drive has nothing of the requested classes. */
  nea: boolean;
  notificationClass: number;
  supportedClasses: number;
  media?: { event: MediaEvent; present: boolean; trayOpen: boolean };
}

export function parseGetEventStatusNotification(data: Uint8Array): EventStatus {
  const v = new ResponseView('GET EVENT STATUS NOTIFICATION', data);
  v.need(4, 'event header');
  const b2 = v.u8(2);
  const res: EventStatus = { nea: (b2 & 0x80) !== 0, notificationClass: b2 & 0x07, supportedClasses: v.u8(3) };
  // Class 4 = media; the media descriptor follows the 4-byte header.
  if (!res.nea && res.notificationClass === 4 && v.length >= 6 && v.u16(0) >= 2) {
    res.media = { event: MEDIA_EVENTS[v.u8(4) & 0x0f] ?? 'reserved', present: v.bit(5, 1), trayOpen: v.bit(5, 0) };
  }
  return res;
}
