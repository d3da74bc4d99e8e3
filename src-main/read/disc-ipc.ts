// IPC handlers of disc.read and disc.verify (contract.ts validates the requests): host paths come
// from a native dialog or from the validated path the user typed; progress goes out as
// disc.onProgress events with the drive's address.
import { NotSupportedError } from '../common/errors';
import type { RequestOf, ResponseOf } from '../common/ipc/contract';
import type { EventHub } from '../ipc/dispatcher';
import type { Dialogs } from '../project/dialogs';
import type { VerifyTarget } from '../verify/verify-disc';
import type { DiscService } from './disc-service';

type Handler<M extends 'disc.read' | 'disc.verify'> = (params: RequestOf<M>, signal: AbortSignal) => Promise<ResponseOf<M>>;

export function discHandlers(discs: DiscService, hub: EventHub, dialogs: Dialogs | undefined): { 'disc.read': Handler<'disc.read'>; 'disc.verify': Handler<'disc.verify'> } {
  const needDialogs = (): Dialogs => {
    if (!dialogs) throw new NotSupportedError('choosing a file needs the desktop app; in a browser, type the path');
    return dialogs;
  };
  const progress = (address: string) => (p: Parameters<NonNullable<Parameters<DiscService['read']>[1]['onProgress']>>[0]) => hub.emit('disc.onProgress', { ...p, address });
  return {
    'disc.read': async ({ address, output, retries }, signal) => {
      const path = output.kind === 'path' ? output.path : await needDialogs().chooseImageDestination({ defaultName: 'disc.iso' });
      if (!path) return null;
      // A dialog's own "replace?" question is the user's consent; a typed path never overwrites.
      return discs.read(address, { output: path, force: output.kind === 'dialog', retries, signal, onProgress: progress(address) });
    },
    'disc.verify': async ({ address, against, retries }, signal) => {
      let target: VerifyTarget;
      if (against.kind === 'manifest') target = { against: 'manifest' };
      else if (against.kind === 'image' || against.kind === 'folder') target = against.kind === 'image' ? { against: 'image', image: against.path } : { against: 'folder', folder: against.path };
      else {
        const chosen = await needDialogs().chooseSources({ directories: against.kind === 'folderDialog' });
        if (chosen.length === 0) return null;
        target = against.kind === 'folderDialog' ? { against: 'folder', folder: chosen[0] } : { against: 'image', image: chosen[0] };
      }
      return discs.verify(address, target, { retries, signal, onProgress: progress(address) });
    },
  };
}
