// ScsiTransport over iSCSI: each open() is its own session (one TCP connection) to one LUN.
// Addresses: iscsi://[user[:secret]@]host[:port]/IQN/LUN. Credentials may instead be given to the
// constructor, so listed addresses never carry a secret.
import net from 'node:net';
import { InvalidInputError, TransportError } from '../../common/errors';
import type { DriveDescriptor, OpenOptions, ScsiCommand, ScsiDevice, ScsiResult, ScsiTransport } from '../transport';
import { DEFAULT_ISCSI_PORT, formatIscsiAddress, parseIscsiAddress, redactAddress } from './address';
import { IscsiSession, type ChapCredentials, type NegotiatedParams, type SessionOptions, type SessionStats } from './session';

export interface IscsiTransportEntry {
  address: string;
  chap?: ChapCredentials;
}

/** Session tuning shared by every open(); host/port/target come from the address. */
export type IscsiSessionTuning = Omit<SessionOptions, 'host' | 'port' | 'targetName' | 'sessionType' | 'chap'>;

export class IscsiDevice implements ScsiDevice {
  constructor(
    readonly address: string,
    readonly lun: number,
    private readonly session: IscsiSession,
  ) {}

  execute(cmd: ScsiCommand, signal?: AbortSignal): Promise<ScsiResult> {
    return this.session.execute(this.lun, cmd, signal);
  }

  close(): Promise<void> {
    return this.session.close();
  }

  get params(): NegotiatedParams {
    return this.session.params;
  }

  get stats(): SessionStats {
    return this.session.stats;
  }

  get isOpen(): boolean {
    return this.session.isOpen;
  }

  /** NOP-Out/NOP-In round trip in ms. */
  ping(timeoutMs?: number): Promise<number> {
    return this.session.ping(timeoutMs);
  }

  onClose(fn: (err: Error | undefined) => void): void {
    this.session.onClose(fn);
  }
}

export class IscsiTransport implements ScsiTransport {
  readonly kind = 'iscsi' as const;
  private readonly entries = new Map<string, IscsiTransportEntry>();
  private readonly identities = new Map<string, { at: number; descriptor: DriveDescriptor }>();
  /** How long an INQUIRY identity is trusted by list() before logging in again. */
  identityTtlMs = 60_000;

  constructor(
    addresses: Array<string | IscsiTransportEntry> = [],
    private readonly tuning: IscsiSessionTuning = {},
  ) {
    for (const a of addresses) this.add(a);
  }

  /** Adds a configured target LUN (e.g. one found by discover()). Returns its redacted address. */
  add(entry: string | IscsiTransportEntry): string {
    const e = typeof entry === 'string' ? { address: entry } : entry;
    const parsed = parseIscsiAddress(e.address);
    const chap = e.chap ?? (parsed.user !== undefined ? { user: parsed.user, secret: parsed.secret ?? '' } : undefined);
    const key = formatIscsiAddress(parsed);
    this.entries.set(key, { address: key, chap });
    return key;
  }

  /** Whether `address` (any spelling: default port or not) names a configured LUN. Throws InvalidInputError on a malformed address. */
  has(address: string): boolean {
    return this.entries.has(formatIscsiAddress(parseIscsiAddress(address)));
  }

  remove(address: string): boolean {
    const key = formatIscsiAddress(parseIscsiAddress(address));
    this.identities.delete(key);
    return this.entries.delete(key);
  }

  /**
   * The configured LUNs that answer INQUIRY as an MMC device (SPC-4 §6.4.2: vendor at byte 8,
   * product at 16, revision at 32). An unreachable target is left out rather than failing the whole list.
   * The app polls list() every few seconds: a full login is done once per `identityTtlMs`;
   * in between, a TCP connect to the portal is enough to say the drive is still there.
   */
  async list(): Promise<DriveDescriptor[]> {
    const now = Date.now();
    const probe = async (e: IscsiTransportEntry): Promise<DriveDescriptor | undefined> => {
      const cached = this.identities.get(e.address);
      if (cached && now - cached.at < this.identityTtlMs) {
        const a = parseIscsiAddress(e.address);
        if (await portalAnswers(a.host, a.port, Math.min(2000, this.tuning.connectTimeoutMs ?? 2000))) return cached.descriptor;
        this.identities.delete(e.address);
        return undefined;
      }
      let dev: IscsiDevice | undefined;
      try {
        dev = await this.open(e.address);
        const r = await dev.execute({ cdb: Uint8Array.of(0x12, 0, 0, 0, 36, 0), direction: 'in', length: 36, timeoutMs: 5000 });
        // SPC-4 §6.4.2 byte 0: qualifier 000b (a unit is connected) and type 05h (CD/DVD/BD).
        // LUN 0 of a target is often a controller, and an absent LUN answers qualifier 011b.
        if (r.status !== 0 || r.data.length < 36 || r.data[0] !== 0x05) return undefined;
        const ascii = (a: number, b: number) => r.data.subarray(a, b).toString('latin1').trim();
        const descriptor: DriveDescriptor = { address: e.address, vendor: ascii(8, 16), model: ascii(16, 32), revision: ascii(32, 36), kind: 'iscsi' };
        this.identities.set(e.address, { at: now, descriptor });
        return descriptor;
      } catch {
        this.identities.delete(e.address);
        return undefined;
      } finally {
        await dev?.close();
      }
    };
    // In parallel, so one unreachable portal costs one connect timeout, not one per entry.
    const found = await Promise.all([...this.entries.values()].map(probe));
    return found.filter((d): d is DriveDescriptor => d !== undefined);
  }

  /** Logs in to the target of `address` and returns the LUN as a device. `exclusive` is not enforced (iSCSI has no open-exclusive; that would need PERSISTENT RESERVE). */
  async open(address: string, _opts: OpenOptions = {}): Promise<IscsiDevice> {
    const a = parseIscsiAddress(address);
    const key = formatIscsiAddress(a);
    const configured = this.entries.get(key)?.chap;
    // Credentials in the address win; a configured mutual secret still applies.
    const chap = a.user !== undefined ? { user: a.user, secret: a.secret ?? '', mutual: configured?.mutual } : configured;
    const session = await IscsiSession.open({ ...this.tuning, host: a.host, port: a.port, targetName: a.targetName, sessionType: 'Normal', chap });
    return new IscsiDevice(redactAddress(key), a.lun, session);
  }
}

/** TCP connect and close: is anything listening on the portal? */
function portalAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export interface DiscoveredTarget {
  targetName: string;
  portals: Array<{ host: string; port: number; tpgt?: number }>;
}

/** `host[:port]` or `[v6]:port` → host and port. */
export function parsePortal(portal: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(portal.trim());
  if (!m) throw new InvalidInputError(`not an iSCSI portal (host[:port]): ${portal}`);
  const port = m[2] === undefined ? DEFAULT_ISCSI_PORT : Number(m[2]);
  if (port < 1 || port > 65535) throw new InvalidInputError(`bad port in portal: ${portal}`);
  return { host: m[1].startsWith('[') ? m[1].slice(1, -1) : m[1], port };
}

/**
 * SendTargets discovery (RFC 7143 §13.3): a Discovery session, `SendTargets=All`,
 * then logout. Each TargetName is followed by its TargetAddress=host:port,tpgt lines.
 */
export async function discover(portal: string, opts: IscsiSessionTuning & { chap?: ChapCredentials } = {}): Promise<DiscoveredTarget[]> {
  const { host, port } = parsePortal(portal);
  const session = await IscsiSession.open({ ...opts, host, port, sessionType: 'Discovery' });
  try {
    const pairs = await session.text([['SendTargets', 'All']]);
    const targets: DiscoveredTarget[] = [];
    for (const [k, v] of pairs) {
      if (k === 'TargetName') targets.push({ targetName: v, portals: [] });
      else if (k === 'TargetAddress') {
        const cur = targets[targets.length - 1];
        if (!cur) throw new TransportError('SendTargets answer has a TargetAddress before any TargetName', { errno: 'EPROTO' });
        const [addr, tpgt] = v.split(',');
        const p = parsePortal(addr);
        cur.portals.push({ ...p, tpgt: tpgt === undefined ? undefined : Number(tpgt) });
      }
    }
    return targets;
  } finally {
    await session.close();
  }
}

/** iscsi:// addresses of LUN `lun` of every discovered target, using the portal we asked. */
export function discoveredAddresses(portal: string, targets: DiscoveredTarget[], lun = 1): string[] {
  const { host, port } = parsePortal(portal);
  return targets.map((t) => formatIscsiAddress({ host, port, targetName: t.targetName, lun }));
}

/** SAM-5 LUN field → LUN number, for the peripheral (00b) and flat space (01b) methods we use. */
export function decodeLun(b: Uint8Array): number | undefined {
  const method = b[0] >> 6;
  if (method === 0 && (b[0] & 0x3f) === 0) return b[1];
  if (method === 1) return ((b[0] & 0x3f) << 8) | b[1];
  return undefined;
}

/** REPORT LUNS parameter data (SPC-4): LUN LIST LENGTH, 4 reserved bytes, then 8 bytes per LUN. */
export function parseReportLuns(data: Uint8Array): number[] {
  if (data.length < 8) return [];
  const listLength = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
  const out: number[] = [];
  for (let off = 8; off + 8 <= Math.min(data.length, 8 + listLength); off += 8) {
    const lun = decodeLun(data.subarray(off, off + 8));
    if (lun !== undefined) out.push(lun);
  }
  return out;
}

export interface DriveDiscovery {
  /** MMC LUNs found, with addresses ready for IscsiTransport.add()/open(). */
  drives: Array<DriveDescriptor & { targetName: string; lun: number }>;
  /** Targets we could not look into (e.g. CHAP required), so the UI can say why. */
  failures: Array<{ targetName: string; error: Error }>;
}

/**
 * Every optical drive behind a portal: SendTargets, then per target a login, REPORT LUNS and
 * an INQUIRY per LUN; LUNs answering qualifier 000b / type 05h are drives (SPC-4 INQUIRY byte 0).
 */
export async function discoverDrives(portal: string, opts: IscsiSessionTuning & { chap?: ChapCredentials } = {}): Promise<DriveDiscovery> {
  const { host, port } = parsePortal(portal);
  const result: DriveDiscovery = { drives: [], failures: [] };
  for (const t of await discover(portal, opts)) {
    let session: IscsiSession | undefined;
    try {
      session = await IscsiSession.open({ ...opts, host, port, targetName: t.targetName, sessionType: 'Normal' });
      // REPORT LUNS is answered even with a unit attention pending (SPC-4); LUN 0 always exists to ask.
      const rl = await session.execute(0, { cdb: Uint8Array.of(0xa0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x08, 0, 0), direction: 'in', length: 0x808, timeoutMs: 5000 });
      const luns = rl.status === 0 ? parseReportLuns(rl.data) : [0, 1];
      for (const lun of luns) {
        const r = await session.execute(lun, { cdb: Uint8Array.of(0x12, 0, 0, 0, 36, 0), direction: 'in', length: 36, timeoutMs: 5000 });
        if (r.status !== 0 || r.data.length < 36 || r.data[0] !== 0x05) continue;
        const ascii = (a: number, b: number) => r.data.subarray(a, b).toString('latin1').trim();
        const address = formatIscsiAddress({ host, port, targetName: t.targetName, lun });
        result.drives.push({ address, vendor: ascii(8, 16), model: ascii(16, 32), revision: ascii(32, 36), kind: 'iscsi', targetName: t.targetName, lun });
      }
    } catch (err) {
      result.failures.push({ targetName: t.targetName, error: err instanceof Error ? err : new Error(String(err)) });
    } finally {
      await session?.close();
    }
  }
  return result;
}
