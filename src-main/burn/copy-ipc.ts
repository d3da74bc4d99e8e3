// IPC handler of disc.copy (contract.ts validates the request). Progress goes out on the events the
// UI already follows: the one-drive read as disc.onProgress of the source drive, the burn (and the
// prompt to insert a blank disc, action 'waiting-for-disc') as burn.onProgress of the target drive.
import type { RequestOf, ResponseOf } from '../common/ipc/contract';
import type { BurnProgress } from '../common/model/burn';
import type { EventHub } from '../ipc/dispatcher';
import type { CopyService } from './copy-service';

export function copyHandlers(copier: CopyService, hub: EventHub): { 'disc.copy': (params: RequestOf<'disc.copy'>, signal: AbortSignal) => Promise<ResponseOf<'disc.copy'>> } {
  return {
    'disc.copy': ({ from, to, options, retries }, signal) =>
      copier.copy(from, to, options, { retries }, {
        signal,
        onProgress: (p) => {
          if (p.stage === 'reading') hub.emit('disc.onProgress', { ...p.read, address: from });
          // A multisession copy: which session the burn is writing, in the words the dialog shows.
          else if (p.stage === 'burning') hub.emit('burn.onProgress', { address: to, job: 'burn', progress: p.session ? { ...p.burn, message: `Session ${p.session.number} of ${p.session.of}` } : p.burn });
          else hub.emit('burn.onProgress', { address: to, job: 'burn', progress: waiting(p.message) });
        },
      }),
  };
}

function waiting(message: string): BurnProgress {
  return {
    action: 'waiting-for-disc', copy: 1, copies: 1, sectorsWritten: 0, totalSectors: 0, bytesWritten: 0, totalBytes: 0, speedBytesPerSec: 0,
    averageBytesPerSec: 0, speedX: 0, speedLabel: '', ringFill: 0, elapsedMs: 0, message,
  };
}
