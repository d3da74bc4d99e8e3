// iscsi://[user[:secret]@]host[:port]/TARGET-IQN/LUN — the form libiscsi and QEMU use, so an
// address can be pasted between them and Glassmaster.
import { InvalidInputError } from '../../common/errors';

/** IANA-registered iSCSI port, the TargetAddress default (RFC 7143 §13.8). */
export const DEFAULT_ISCSI_PORT = 3260;

export interface IscsiAddress {
  host: string;
  port: number;
  targetName: string;
  lun: number;
  user?: string;
  secret?: string;
}

export function parseIscsiAddress(address: string): IscsiAddress {
  const m = /^iscsi:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[0-9a-fA-F:.]+\]|[^:/[\]]+)(?::(\d{1,5}))?\/([^/]+)\/(\d+)\/?$/.exec(address);
  if (!m) throw new InvalidInputError(`not an iSCSI address (expected iscsi://host[:port]/iqn/lun): ${redactAddress(address)}`);
  const [, user, secret, hostRaw, portRaw, target, lunRaw] = m;
  const port = portRaw === undefined ? DEFAULT_ISCSI_PORT : Number(portRaw);
  const lun = Number(lunRaw);
  if (port < 1 || port > 65535) throw new InvalidInputError(`bad port in iSCSI address: ${port}`);
  if (lun > 0x3fff) throw new InvalidInputError(`LUN ${lun} out of range (0..16383)`);
  const targetName = decodeComponent(target, address);
  // RFC 7143 §4.2.7: iSCSI names are iqn./eui./naa. forms.
  if (!/^(iqn\.|eui\.|naa\.)/i.test(targetName)) throw new InvalidInputError(`not an iSCSI name: ${targetName}`);
  return {
    host: hostRaw.startsWith('[') ? hostRaw.slice(1, -1) : hostRaw,
    port,
    targetName,
    lun,
    user: user === undefined || user === '' ? undefined : decodeComponent(user, address),
    secret: secret === undefined ? undefined : decodeComponent(secret, address),
  };
}

/** decodeURIComponent, with a malformed escape (`%ZZ`, `%C0%AF`) as the caller's InvalidInputError rather than a URIError. */
function decodeComponent(part: string, address: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InvalidInputError(`not an iSCSI address (a bad %-escape): ${redactAddress(address)}`);
  }
}

export function formatIscsiAddress(a: IscsiAddress, opts: { withCredentials?: boolean } = {}): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  const cred =
    opts.withCredentials && a.user !== undefined
      ? `${encodeURIComponent(a.user)}${a.secret === undefined ? '' : `:${encodeURIComponent(a.secret)}`}@`
      : '';
  return `iscsi://${cred}${host}:${a.port}/${a.targetName}/${a.lun}`;
}

/** The address without credentials, for logs, errors and DriveDescriptor.address. */
export function redactAddress(address: string): string {
  return address.replace(/^(iscsi:\/\/)[^@/]*@/, '$1');
}
