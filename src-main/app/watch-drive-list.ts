// Hot-plug: reports the full drive list whenever the set of drive addresses changes (a USB burner
// plugged in, an iSCSI target configured, a virtual recorder created). Listing descriptors is
// cheap; identifying drives (INQUIRY, GET CONFIGURATION) happens only on a change.
import { setTimeout as delay } from 'node:timers/promises';
import type { DriveInfo } from '../common/model/drive';
import type { DriveService } from '../drive/drive-service';
import type { ScsiTransport } from '../transport/transport';

async function addresses(transports: ScsiTransport[]): Promise<string> {
  const lists = await Promise.all(transports.map((t) => t.list().catch(() => [])));
  return lists.flat().map((d) => d.address).sort().join('\n');
}

export async function watchDriveList(transports: ScsiTransport[], drives: DriveService, signal: AbortSignal, onChange: (list: DriveInfo[]) => void, intervalMs = 2000): Promise<void> {
  let known: string | undefined;
  while (!signal.aborted) {
    const current = await addresses(transports);
    if (known !== undefined && current !== known) {
      const list = await drives.list(signal).catch(() => undefined);
      if (list && !signal.aborted) onChange(list);
    }
    known = current;
    await delay(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}
