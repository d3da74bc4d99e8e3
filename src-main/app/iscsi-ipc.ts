// The iSCSI rule wired for one set of services: the guard around the IPC handlers and
// devices.addIscsi (add a drive only after the user confirms on the host).
import { CancelledError, InvalidInputError, NotSupportedError, type GlassmasterError } from '../common/errors';
import type { Handlers } from '../ipc/dispatcher';
import { RateLimitedLog } from '../ipc/log-limiter';
import type { IscsiTransport } from '../transport/iscsi/iscsi-transport';
import { formatIscsiAddress, parseIscsiAddress, redactAddress } from '../transport/iscsi/address';
import { updateIscsiDrives } from './config';
import { guardIscsiAddresses } from './iscsi-ipc-guard';

export interface IscsiIpcOptions {
  iscsi: IscsiTransport;
  stateDir: string;
  /** The host's own question to the user (Electron: a native dialog); absent in the browser shell. */
  confirm?: (address: string) => Promise<boolean>;
}

export function iscsiIpc(opts: IscsiIpcOptions) {
  // The host's log keeps what the generic IPC answer leaves out, at a bounded rate.
  const log = new RateLimitedLog((line) => console.warn(`[glassmaster] ${line}`));
  return {
    guard: (handlers: Handlers) =>
      guardIscsiAddresses(handlers, {
        isKnown: (address) => opts.iscsi.has(address),
        logFailure: (address: string, err: GlassmasterError) => log.warn('iSCSI failure', `iSCSI drive ${redactAddress(address)}: ${err.message}`),
      }),

    /** devices.addIscsi: validate, ask the user on the host, then add for this run and remember in config.json. */
    async add(address: string): Promise<{ address: string }> {
      if (/^iscsi:\/\/[^/]*@/.test(address)) throw new InvalidInputError('credentials are not accepted over IPC; add a drive that needs CHAP with glassmaster drives --add-iscsi');
      const key = formatIscsiAddress(parseIscsiAddress(address)); // InvalidInputError for anything malformed
      if (opts.iscsi.has(key)) return { address: key };
      if (!opts.confirm) {
        throw new NotSupportedError(`Adding an iSCSI drive needs confirmation on the host: run \`glassmaster drives --add-iscsi ${key}\` there, or start \`glassmaster serve --iscsi ${key}\`.`, { address: key });
      }
      if (!(await opts.confirm(key))) throw new CancelledError('Adding the iSCSI drive was declined.');
      await updateIscsiDrives(opts.stateDir, { add: key });
      opts.iscsi.add(key);
      return { address: key };
    },

    close: () => log.close(),
  };
}
