// One iSCSI session over one TCP connection (RFC 7143), ErrorRecoveryLevel 0: login (security then
// operational negotiation), SCSI commands with immediate/unsolicited/R2T-solicited Data-Out,
// Data-In reassembly, NOP ping/keepalive, text requests (SendTargets) and logout. A protocol
// violation or a dropped connection ends the session; every pending command then rejects with
// TransportError({ disconnected: true }), so nothing hangs.
import net from 'node:net';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { debuglog } from 'node:util';
import { CancelledError, InvalidInputError, TransportError } from '../../common/errors';
import type { ScsiCommand, ScsiResult } from '../transport';
import {
  PduReader,
  RESERVED_TAG,
  Stage,
  encodeDataOut,
  encodeLoginRequest,
  encodeLogoutRequest,
  encodeNopOut,
  encodeScsiCommand,
  encodeTaskMgmtRequest,
  encodeTextRequest,
  protocolError,
  serialLt,
  withDigests,
  serialLte,
  type LoginResponse,
  type NopIn,
  type TargetPdu,
  type TextResponse,
} from './pdu';
import { chapMd5Response, decodeBinary, decodeText, encodeBinary, encodeText, getKey, type TextPairs } from './text';

// NODE_DEBUG=glassmaster:iscsi for session events; glassmaster:iscsi:pdu for every PDU.
const debug = debuglog('glassmaster:iscsi');
const debugPdu = debuglog('glassmaster:iscsi:pdu');

export interface ChapCredentials {
  user: string;
  secret: string;
  /** Mutual CHAP: the target must prove it knows this secret (RFC 7143 §12.1.3). */
  mutual?: { user?: string; secret: string };
}

export interface SessionOptions {
  host: string;
  port: number;
  /** Required for a Normal session; absent for Discovery. */
  targetName?: string;
  sessionType?: 'Normal' | 'Discovery';
  initiatorName?: string;
  chap?: ChapCredentials;
  connectTimeoutMs?: number;
  /** Bound on each Login/Text/Logout exchange. */
  exchangeTimeoutMs?: number;
  /** What we declare we can receive (RFC 7143 §13.12). */
  maxRecvDataSegmentLength?: number;
  /** Proposals; the target's answers win by the functions of RFC 7143 §13.11, §13.13–§13.14. */
  maxBurstLength?: number;
  firstBurstLength?: number;
  initialR2T?: boolean;
  immediateData?: boolean;
  /** Idle time before a NOP-Out ping; 0 disables keepalive. */
  keepaliveIntervalMs?: number;
  /** A ping not answered within this ends the session as disconnected. */
  nopTimeoutMs?: number;
  /** Used when a command has no timeoutMs. */
  defaultCommandTimeoutMs?: number;
  /**
   * Header and data digest offer, in order of preference (RFC 7143 §13.1). The default
   * 'None,CRC32C' runs without digests but still logs in to a target that requires them.
   */
  digests?: 'None' | 'CRC32C' | 'None,CRC32C' | 'CRC32C,None';
}

/** The operational parameters in force after login. */
export interface NegotiatedParams {
  /** The target's MaxRecvDataSegmentLength: our limit per Data-Out/immediate data segment. */
  maxXmitDataSegmentLength: number;
  maxRecvDataSegmentLength: number;
  maxBurstLength: number;
  firstBurstLength: number;
  initialR2T: boolean;
  immediateData: boolean;
  tsih: number;
  authMethod: 'None' | 'CHAP';
  /** CRC32C digests in force (RFC 7143 §13.1). */
  headerDigest: boolean;
  dataDigest: boolean;
  targetAlias?: string;
  targetPortalGroupTag?: number;
}

/** A login the target refused (RFC 7143 §11.13.5 Status-Class/Status-Detail). */
export class IscsiLoginError extends TransportError {
  readonly statusClass: number;
  readonly statusDetail: number;
  /** For Status-Class 1 (redirection): the TargetAddress to log in to instead. */
  readonly redirect: { host: string; port: number } | undefined;

  constructor(message: string, statusClass: number, statusDetail: number, redirect?: { host: string; port: number }) {
    const errno = statusClass === 2 && (statusDetail === 1 || statusDetail === 2) ? 'EACCES' : statusClass === 2 && (statusDetail === 3 || statusDetail === 4) ? 'ENOENT' : 'EPROTO';
    super(message, { errno, syscall: 'iscsi-login' });
    this.statusClass = statusClass;
    this.statusDetail = statusDetail;
    this.redirect = redirect;
  }
}

const LOGIN_STATUS: Record<number, string> = {
  0x0101: 'target moved temporarily',
  0x0102: 'target moved permanently',
  0x0200: 'initiator error',
  0x0201: 'authentication failure',
  0x0202: 'authorization failure',
  0x0203: 'target not found',
  0x0204: 'target removed',
  0x0205: 'unsupported version',
  0x0206: 'too many connections',
  0x0207: 'missing parameter',
  0x0208: 'cannot include connection in session',
  0x0209: 'session type not supported',
  0x020a: 'session does not exist',
  0x020b: 'invalid request during login',
  0x0300: 'target error',
  0x0301: 'service unavailable',
  0x0302: 'out of resources',
};

// RFC 7143 §13 defaults, used when the target does not answer a key.
const DEFAULT_MAX_RECV_DSL = 8192;
const DEFAULT_MAX_BURST = 262144;
const DEFAULT_FIRST_BURST = 65536;

/** Keys a target declares without our asking and that need no answer (RFC 7143 §13). */
const DECLARATIVE_KEYS = new Set(['TargetAlias', 'TargetPortalGroupTag', 'TargetAddress', 'MaxRecvDataSegmentLength']);

/** TargetAddress of a redirecting Login Response: `host[:port][,tpgt]`, IPv6 in brackets (§13.8). */
function redirectTarget(resp: LoginResponse): { host: string; port: number } | undefined {
  if (resp.statusClass !== 1) return undefined;
  let addr: string | undefined;
  try {
    addr = getKey(decodeText(resp.data), 'TargetAddress');
  } catch {
    return undefined;
  }
  const m = addr === undefined ? null : /^(\[[0-9a-fA-F:.]+\]|[^:,[\]]+)(?::(\d{1,5}))?(?:,\d+)?$/.exec(addr);
  if (!m) return undefined;
  const port = m[2] === undefined ? 3260 : Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1].startsWith('[') ? m[1].slice(1, -1) : m[1], port };
}

export function defaultInitiatorName(): string {
  // RFC 7143 §4.2.7: iqn names are lower case letters, digits, '-', '.', ':'.
  const host = os.hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'host';
  return `iqn.2026-11.org.glassmaster:${host}`;
}

interface Pending {
  onPdu(pdu: TargetPdu): void;
  fail(err: Error): void;
}

interface Queued {
  send(): void;
  fail(err: Error): void;
}

/** PDU counters, for diagnostics and for tests that must prove which path the data took. */
export interface SessionStats {
  pdusIn: number;
  pdusOut: number;
  dataInPdus: number;
  dataOutPdus: number;
  r2ts: number;
  immediateBytes: number;
  unsolicitedBytes: number;
  solicitedBytes: number;
  /** Target NOP-In pings we answered. */
  nopInAnswered: number;
  pingsSent: number;
}

type State = 'connecting' | 'login' | 'full' | 'closing' | 'dead';

export class IscsiSession {
  private socket!: net.Socket;
  private reader: PduReader;
  private state: State = 'connecting';
  private deadError: Error | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Queued[] = [];
  private itt = randomBytes(4).readUInt32BE(0) & 0x7fffffff;
  private cmdSN = 1;
  private expStatSN = 0;
  private maxCmdSN = 1;
  private lastRx = Date.now();
  private pingInFlight = false;
  private paused = false;
  private txHeaderDigest = false;
  private txDataDigest = false;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private readonly closeListeners: Array<(err: Error | undefined) => void> = [];
  private readonly opts: Required<Omit<SessionOptions, 'targetName' | 'chap'>> & Pick<SessionOptions, 'targetName' | 'chap'>;
  readonly isid: Buffer;
  params!: NegotiatedParams;
  readonly stats: SessionStats = {
    pdusIn: 0,
    pdusOut: 0,
    dataInPdus: 0,
    dataOutPdus: 0,
    r2ts: 0,
    immediateBytes: 0,
    unsolicitedBytes: 0,
    solicitedBytes: 0,
    nopInAnswered: 0,
    pingsSent: 0,
  };

  private constructor(opts: SessionOptions) {
    this.opts = {
      sessionType: 'Normal',
      initiatorName: defaultInitiatorName(),
      connectTimeoutMs: 5000,
      exchangeTimeoutMs: 10000,
      maxRecvDataSegmentLength: 262144,
      maxBurstLength: 1 << 20,
      firstBurstLength: 262144,
      initialR2T: false,
      immediateData: true,
      keepaliveIntervalMs: 15000,
      nopTimeoutMs: 10000,
      defaultCommandTimeoutMs: 30000,
      digests: 'None,CRC32C',
      ...opts,
    };
    if (this.opts.sessionType === 'Normal' && !this.opts.targetName) throw new InvalidInputError('a Normal iSCSI session needs a target name');
    // RFC 7143 §12.1.3: one secret for both directions would let a target reflect our own challenge.
    if (opts.chap?.mutual && opts.chap.mutual.secret === opts.chap.secret) throw new InvalidInputError('mutual CHAP needs a target secret different from the initiator secret');
    // RFC 7143 §11.12.5: ISID type 10b (random): A reserved, B and C random, D qualifier.
    this.isid = Buffer.concat([Buffer.from([0x80]), randomBytes(3), Buffer.from([0, 1])]);
    // During login only the default MaxRecvDataSegmentLength may be assumed by the target (§13.12).
    this.reader = new PduReader(Math.max(DEFAULT_MAX_RECV_DSL, this.opts.maxRecvDataSegmentLength));
  }

  /** Connects, logs in and returns a session in Full Feature Phase. */
  static async open(opts: SessionOptions): Promise<IscsiSession> {
    let cur = opts;
    for (let hop = 0; ; hop++) {
      const s = new IscsiSession(cur);
      await s.connect();
      try {
        await s.login();
        return s;
      } catch (err) {
        s.destroy(err instanceof Error ? err : new Error(String(err)));
        // §11.13.5 Status-Class 1: the target moved; TargetAddress says where (§13.8).
        if (err instanceof IscsiLoginError && err.statusClass === 1 && err.redirect && hop < 4) {
          cur = { ...cur, host: err.redirect.host, port: err.redirect.port };
          continue;
        }
        throw err;
      }
    }
  }

  get isOpen(): boolean {
    return this.state === 'full';
  }

  /** Called once when the session ends: undefined after a clean close, the cause otherwise. */
  onClose(fn: (err: Error | undefined) => void): void {
    this.closeListeners.push(fn);
  }

  // ------------------------------------------------------------------------------------------
  // Connection

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: this.opts.host, port: this.opts.port });
      this.socket = sock;
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new TransportError(`iSCSI connect to ${this.opts.host}:${this.opts.port} timed out`, { errno: 'ETIMEDOUT', syscall: 'connect' }));
      }, this.opts.connectTimeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        debug('connected to %s:%d', this.opts.host, this.opts.port);
        sock.setNoDelay(true);
        sock.setKeepAlive(true, 10000);
        this.state = 'login';
        resolve();
      });
      sock.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const te = new TransportError(`iSCSI connection to ${this.opts.host}:${this.opts.port}: ${err.message}`, {
          errno: err.code,
          syscall: err.syscall,
          disconnected: this.state !== 'connecting',
          cause: err,
        });
        if (this.state === 'connecting') {
          this.state = 'dead';
          reject(te);
        } else this.destroy(te);
      });
      sock.on('close', () => {
        if (this.state !== 'dead') this.destroy(new TransportError('iSCSI connection closed by the target', { errno: 'ECONNRESET', disconnected: true }));
      });
      sock.on('data', (chunk: Buffer) => this.onData(chunk));
    });
  }

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    this.reader.append(chunk);
    this.drain();
  }

  /** Decodes and dispatches buffered PDUs, one at a time, until paused or out of bytes. */
  private drain(): void {
    while (!this.paused && this.state !== 'dead') {
      let pdu: TargetPdu | undefined;
      try {
        pdu = this.reader.next();
      } catch (err) {
        // The stream cannot be resynchronised after a framing error: the session is over.
        this.destroy(new TransportError((err as Error).message, { errno: 'EPROTO', disconnected: true, cause: err }));
        return;
      }
      if (!pdu) break;
      debugPdu('<- %s itt=%s', pdu.kind, pdu.itt.toString(16));
      this.stats.pdusIn++;
      if (pdu.kind === 'data-in') this.stats.dataInPdus++;
      else if (pdu.kind === 'r2t') this.stats.r2ts++;
      this.noteSequence(pdu);
      // Digests (if negotiated) start with the PDU after the final Login Response (§13.1):
      // hold decoding until login() has applied the outcome.
      if (pdu.kind === 'login-response' && pdu.transit && pdu.nsg === Stage.FullFeature && pdu.statusClass === 0) this.paused = true;
      this.dispatch(pdu);
    }
    this.pump();
  }

  /** RFC 7143 §4.2.2.1 (CmdSN window) and §4.2.2.2 (StatSN acknowledgement). */
  private noteSequence(pdu: TargetPdu): void {
    const carriesStatus =
      pdu.kind === 'r2t' || (pdu.kind === 'data-in' && !pdu.hasStatus) ? false : pdu.kind === 'nop-in' ? pdu.itt !== RESERVED_TAG : true;
    if (pdu.kind !== 'data-in' || pdu.hasStatus) {
      // R2T and target-initiated NOP-In report the next StatSN without consuming it.
      const next = carriesStatus ? (pdu.statSN + 1) >>> 0 : pdu.statSN;
      if (this.state === 'login' || serialLt(this.expStatSN, next)) this.expStatSN = next;
    }
    // MaxCmdSN < ExpCmdSN - 1 is invalid and MUST be ignored (§4.2.2.1).
    if (serialLte((pdu.expCmdSN - 1) >>> 0, pdu.maxCmdSN) && serialLt(this.maxCmdSN, pdu.maxCmdSN)) this.maxCmdSN = pdu.maxCmdSN;
  }

  private dispatch(pdu: TargetPdu): void {
    switch (pdu.kind) {
      case 'nop-in':
        if (pdu.itt === RESERVED_TAG) {
          // §11.19: a target ping (TTT != 0xffffffff) must be answered by a NOP-Out echoing TTT
          // and data, immediate, ITT 0xffffffff; TTT 0xffffffff means no answer wanted.
          if (pdu.ttt !== RESERVED_TAG) {
            this.stats.nopInAnswered++;
            this.write(encodeNopOut({ itt: RESERVED_TAG, ttt: pdu.ttt, cmdSN: this.cmdSN, expStatSN: this.expStatSN, immediate: true, data: pdu.data }));
          }
          return;
        }
        break;
      case 'async-message':
        // §11.9.1: 1 = logout requested, 2/3 = target drops the connection(s). The drop itself is
        // seen as a socket close; a requested logout is honoured now.
        // Not a CancelledError: the user did not cancel, and a burn cut short must show as failed.
        if (pdu.event === 1) void this.shutdown(new TransportError('iSCSI target requested logout', { errno: 'ECONNRESET', disconnected: true }));
        return;
      case 'reject': {
        const task = pdu.rejectedItt === undefined ? undefined : this.pending.get(pdu.rejectedItt);
        task?.fail(protocolError(`target rejected PDU (opcode 0x${(pdu.rejectedOpcode ?? 0).toString(16)}, reason 0x${pdu.reason.toString(16)})`));
        return;
      }
      default:
        break;
    }
    // Late answers to timed-out tasks find no entry and are dropped.
    this.pending.get(pdu.itt)?.onPdu(pdu);
  }

  private write(buf: Buffer): void {
    if (this.state === 'dead') throw this.deadError ?? new TransportError('iSCSI session is closed', { disconnected: true });
    this.stats.pdusOut++;
    debugPdu('-> opcode=0x%s len=%d', (buf[0] & 0x3f).toString(16), buf.length);
    this.socket.write(withDigests(buf, this.txHeaderDigest, this.txDataDigest));
  }

  private nextItt(): number {
    do this.itt = (this.itt + 1) >>> 0;
    while (this.itt === RESERVED_TAG || this.pending.has(this.itt));
    return this.itt;
  }

  /** Sends queued commands while the CmdSN window is open. */
  private pump(): void {
    while (this.queue.length > 0 && this.state === 'full' && serialLte(this.cmdSN, this.maxCmdSN)) {
      this.queue.shift()!.send();
    }
  }

  /** Ends the session: rejects everything pending with `err`, closes the socket. Idempotent. */
  destroy(err: Error): void {
    if (this.state === 'dead') return;
    debug('session to %s ends (%s): %s', this.opts.targetName ?? this.opts.host, this.state, err.message);
    const clean = this.state === 'closing' && err instanceof CancelledError;
    this.state = 'dead';
    this.deadError = err;
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    for (const q of this.queue.splice(0)) q.fail(err);
    for (const p of [...this.pending.values()]) p.fail(err);
    this.pending.clear();
    this.socket?.destroy();
    for (const fn of this.closeListeners.splice(0)) fn(clean ? undefined : err);
  }

  /** One request, one answer (Login, Text, Logout, NOP, TMF), bounded by exchangeTimeoutMs. */
  private exchange<T extends TargetPdu>(itt: number, pdu: Buffer, kind: T['kind'], timeoutMs = this.opts.exchangeTimeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(itt);
        reject(new TransportError(`iSCSI ${kind} not received within ${timeoutMs} ms`, { errno: 'ETIMEDOUT' }));
      }, timeoutMs);
      timer.unref?.();
      this.pending.set(itt, {
        onPdu: (p) => {
          clearTimeout(timer);
          this.pending.delete(itt);
          if (p.kind === kind) resolve(p as T);
          else reject(protocolError(`expected ${kind}, got ${p.kind}`));
        },
        fail: (e) => {
          clearTimeout(timer);
          this.pending.delete(itt);
          reject(e);
        },
      });
      try {
        this.write(pdu);
      } catch (e) {
        this.pending.get(itt)?.fail(e as Error);
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // Login (RFC 7143 §6.3, §11.12-§11.13)

  private async login(): Promise<void> {
    const itt = this.nextItt();
    const o = this.opts;
    const offers: TextPairs = [['InitiatorName', o.initiatorName]];
    if (o.sessionType === 'Normal') offers.push(['TargetName', o.targetName!]);
    offers.push(['SessionType', o.sessionType]);
    // With mutual CHAP the target must authenticate too: None is not offered, so it cannot be
    // negotiated down (RFC 7143 §12.1.3).
    offers.push(['AuthMethod', o.chap?.mutual ? 'CHAP' : o.chap ? 'CHAP,None' : 'None']);

    let csg: number = Stage.Security;
    let authMethod: 'None' | 'CHAP' | undefined;
    let chapSent = false;
    let mutual: { id: number; challenge: Buffer } | undefined;
    let mutualVerified = false;
    let tsih = 0;
    const targetKeys = new Map<string, string>();
    let out: TextPairs = offers;
    // Without CHAP we can ask to leave the security stage at once; with CHAP only after the response.
    let transit = !o.chap;

    for (let round = 0; round < 32; round++) {
      const nsg = csg === Stage.Security ? Stage.Operational : Stage.FullFeature;
      let resp = await this.exchange<LoginResponse>(
        itt,
        encodeLoginRequest({ transit, cont: false, csg, nsg, isid: this.isid, tsih, itt, cid: 0, cmdSN: this.cmdSN, expStatSN: this.expStatSN, data: encodeText(out) }),
        'login-response',
      );
      // §11.13 C bit: the text continues in further responses, each asked for by an empty request.
      const parts = [resp.data];
      while (resp.cont && resp.statusClass === 0) {
        resp = await this.exchange<LoginResponse>(
          itt,
          encodeLoginRequest({ transit: false, cont: false, csg, nsg, isid: this.isid, tsih, itt, cid: 0, cmdSN: this.cmdSN, expStatSN: this.expStatSN, data: Buffer.alloc(0) }),
          'login-response',
        );
        parts.push(resp.data);
      }
      if (resp.statusClass !== 0) {
        const code = (resp.statusClass << 8) | resp.statusDetail;
        const what = LOGIN_STATUS[code] ?? `status 0x${code.toString(16).padStart(4, '0')}`;
        const hint = code === 0x0201 && !o.chap ? ' (the target requires CHAP: put user:secret@ in the address)' : '';
        throw new IscsiLoginError(`iSCSI login to ${o.targetName ?? o.host} failed: ${what}${hint}`, resp.statusClass, resp.statusDetail, redirectTarget(resp));
      }
      if (resp.versionActive !== 0) throw protocolError(`unsupported iSCSI version ${resp.versionActive}`);
      tsih = resp.tsih;
      const keys = decodeText(Buffer.concat(parts));
      for (const [k, v] of keys) targetKeys.set(k, v);
      out = [];

      if (resp.csg === Stage.Security) {
        const am = getKey(keys, 'AuthMethod');
        if (am !== undefined) {
          if ((am === 'None' && !o.chap?.mutual) || (am === 'CHAP' && o.chap)) authMethod = am;
          else throw new IscsiLoginError(`iSCSI target chose AuthMethod=${am}, which was not offered`, 2, 1);
        }
        if (authMethod === 'CHAP' && !chapSent) {
          const chapA = getKey(keys, 'CHAP_A');
          if (chapA === undefined) {
            // RFC 7143 §12.1.3: the initiator proposes the algorithm list; 5 = MD5.
            out = [['CHAP_A', '5']];
            transit = false;
          } else {
            if (chapA !== '5') throw new IscsiLoginError(`iSCSI target chose CHAP_A=${chapA}; only MD5 (5) is supported`, 2, 1);
            const id = Number(getKey(keys, 'CHAP_I'));
            const challenge = getKey(keys, 'CHAP_C');
            if (!Number.isInteger(id) || id < 0 || id > 255 || challenge === undefined) throw protocolError('CHAP challenge without CHAP_I/CHAP_C');
            const theirChallenge = decodeBinary(challenge);
            out = [
              ['CHAP_N', o.chap!.user],
              ['CHAP_R', encodeBinary(chapMd5Response(id, o.chap!.secret, theirChallenge))],
            ];
            if (o.chap!.mutual) {
              // Our own challenge; never the target's echoed back (§12.1.3 reflection rule).
              let ours: Buffer;
              do ours = randomBytes(16);
              while (ours.equals(theirChallenge));
              mutual = { id: randomBytes(1)[0], challenge: ours };
              out.push(['CHAP_I', String(mutual.id)], ['CHAP_C', encodeBinary(ours)]);
            }
            chapSent = true;
            transit = true;
          }
          continue;
        }
        if (mutual && chapSent && (resp.transit || getKey(keys, 'CHAP_R') !== undefined)) {
          const r = getKey(keys, 'CHAP_R');
          const n = getKey(keys, 'CHAP_N');
          const expected = chapMd5Response(mutual.id, o.chap!.mutual!.secret, mutual.challenge);
          const userOk = o.chap!.mutual!.user === undefined || n === o.chap!.mutual!.user;
          if (r === undefined || !userOk || !decodeBinary(r).equals(expected)) {
            throw new IscsiLoginError(`iSCSI target ${o.targetName ?? o.host} failed mutual CHAP authentication`, 2, 1);
          }
          mutual = undefined;
          mutualVerified = true;
        }
        if (resp.transit && resp.nsg === Stage.Operational) {
          if (o.chap?.mutual && !mutualVerified) throw new IscsiLoginError(`iSCSI target ${o.targetName ?? o.host} skipped mutual CHAP authentication`, 2, 1);
          csg = Stage.Operational;
          out = this.operationalOffers();
          transit = true;
        } else transit = true;
        continue;
      }

      if (resp.csg !== Stage.Operational) throw protocolError(`login response in stage ${resp.csg}`);
      // Keys the target offered on its own need an answer (§6.2); we understand none beyond ours.
      const offered = new Set(this.operationalOffers().map(([k]) => k));
      for (const [k] of keys) if (!offered.has(k) && !DECLARATIVE_KEYS.has(k)) out.push([k, 'NotUnderstood']);
      if (resp.transit && resp.nsg === Stage.FullFeature) {
        this.params = this.resultParams(targetKeys, authMethod ?? 'None', tsih);
        this.maxCmdSN = resp.maxCmdSN;
        this.cmdSN = resp.expCmdSN;
        this.reader.maxDataSegmentLength = this.opts.maxRecvDataSegmentLength;
        this.reader.headerDigest = this.txHeaderDigest = this.params.headerDigest;
        this.reader.dataDigest = this.txDataDigest = this.params.dataDigest;
        debug('logged in to %s: %j', o.targetName ?? o.host, this.params);
        this.state = 'full';
        this.paused = false;
        this.drain();
        this.startKeepalive();
        return;
      }
      transit = true;
    }
    throw protocolError('login did not reach Full Feature Phase');
  }

  private operationalOffers(): TextPairs {
    const o = this.opts;
    const common: TextPairs = [
      ['HeaderDigest', this.opts.digests],
      ['DataDigest', this.opts.digests],
      ['MaxRecvDataSegmentLength', String(o.maxRecvDataSegmentLength)],
      ['DefaultTime2Wait', '0'],
      ['DefaultTime2Retain', '0'],
    ];
    // §13.21: the rest is irrelevant to a Discovery session.
    if (o.sessionType === 'Discovery') return common;
    return [
      ...common,
      ['MaxConnections', '1'],
      ['InitialR2T', o.initialR2T ? 'Yes' : 'No'],
      ['ImmediateData', o.immediateData ? 'Yes' : 'No'],
      ['MaxBurstLength', String(o.maxBurstLength)],
      ['FirstBurstLength', String(Math.min(o.firstBurstLength, o.maxBurstLength))],
      ['MaxOutstandingR2T', '1'],
      ['DataPDUInOrder', 'Yes'],
      ['DataSequenceInOrder', 'Yes'],
      ['ErrorRecoveryLevel', '0'],
    ];
  }

  private resultParams(keys: Map<string, string>, authMethod: 'None' | 'CHAP', tsih: number): NegotiatedParams {
    const o = this.opts;
    const num = (k: string, dflt: number, mine: number) => {
      const v = Number(keys.get(k));
      return Number.isInteger(v) && v > 0 ? Math.min(v, mine) : Math.min(dflt, mine);
    };
    const yes = (k: string, dflt: boolean) => {
      const v = keys.get(k);
      return v === 'Yes' ? true : v === 'No' ? false : dflt;
    };
    // §13.1: the target picks one value from our list; anything else is a negotiation failure.
    const digest = (k: string) => {
      const v = keys.get(k) ?? 'None';
      if (!o.digests.split(',').includes(v)) throw protocolError(`target answered ${k}=${v} to our ${o.digests}`);
      return v === 'CRC32C';
    };
    const targetMrdsl = Number(keys.get('MaxRecvDataSegmentLength'));
    const maxBurstLength = num('MaxBurstLength', DEFAULT_MAX_BURST, o.maxBurstLength);
    const tpgt = Number(keys.get('TargetPortalGroupTag'));
    return {
      maxXmitDataSegmentLength: Number.isInteger(targetMrdsl) && targetMrdsl >= 512 ? Math.min(targetMrdsl, 0xffffff) : DEFAULT_MAX_RECV_DSL,
      maxRecvDataSegmentLength: o.maxRecvDataSegmentLength,
      maxBurstLength,
      firstBurstLength: Math.min(num('FirstBurstLength', DEFAULT_FIRST_BURST, o.firstBurstLength), maxBurstLength),
      // §13.10 InitialR2T: result is OR; §13.11 ImmediateData: result is AND.
      initialR2T: o.initialR2T || yes('InitialR2T', true),
      immediateData: o.immediateData && yes('ImmediateData', true),
      tsih,
      authMethod,
      headerDigest: digest('HeaderDigest'),
      dataDigest: digest('DataDigest'),
      targetAlias: keys.get('TargetAlias'),
      targetPortalGroupTag: Number.isInteger(tpgt) ? tpgt : undefined,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Full Feature Phase

  /** Executes one SCSI command on `lun`. CHECK CONDITION resolves as data; only transport failures reject. */
  execute(lun: number, cmd: ScsiCommand, signal?: AbortSignal): Promise<ScsiResult> {
    return new Promise<ScsiResult>((resolve, reject) => {
      if (this.state !== 'full') return reject(this.deadError ?? new CancelledError('iSCSI session is closed'));
      if (signal?.aborted) return reject(new CancelledError());
      const cdb = cmd.cdb;
      if (cdb.length < 6 || cdb.length > 16) return reject(new InvalidInputError(`CDB length ${cdb.length} not supported (6..16)`));
      const out = cmd.direction === 'out' ? (cmd.data ?? new Uint8Array(0)) : undefined;
      const inLength = cmd.direction === 'in' ? (cmd.length ?? 0) : 0;
      // One command's buffer; far above any MMC transfer, and it keeps Buffer.alloc from throwing.
      const MAX_TRANSFER = 256 * 1024 * 1024;
      if (!Number.isInteger(inLength) || inLength < 0 || inLength > MAX_TRANSFER) return reject(new InvalidInputError(`bad data-in length ${cmd.length}`));
      if (out && out.length > MAX_TRANSFER) return reject(new InvalidInputError(`data-out of ${out.length} bytes exceeds ${MAX_TRANSFER}`));
      const expected = out ? out.length : inLength;
      const timeoutMs = cmd.timeoutMs ?? this.opts.defaultCommandTimeoutMs;
      const started = performance.now();
      const itt = this.nextItt();
      const inBuf = inLength > 0 ? Buffer.alloc(inLength) : undefined;
      let received = 0;
      let nextDataSN = 0;
      let sent = false;
      let cmdSN = 0;
      let done = false;

      const finish = (err: Error | undefined, result?: ScsiResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(itt);
        const qi = this.queue.indexOf(queued);
        if (qi >= 0) this.queue.splice(qi, 1);
        if (err) reject(err);
        else resolve(result!);
      };
      const complete = (status: number, sense: Buffer, underflow: boolean, residualCount: number) => {
        let residual = 0;
        let data = Buffer.alloc(0);
        if (inBuf) {
          // The contract's data is exactly the bytes transferred; trust the residual only as far as
          // bytes actually arrived (§11.4.5 residuals, §11.7 Data-In with status).
          const transferred = Math.min(received, underflow ? Math.max(0, inLength - residualCount) : inLength);
          data = inBuf.subarray(0, transferred);
          residual = inLength - transferred;
        } else if (out) residual = underflow ? residualCount : 0;
        finish(undefined, { status, sense, data, residual, durationMs: performance.now() - started });
      };
      const violation = (msg: string) => {
        // ERL 0 cannot recover a mis-sequenced task (RFC 7143 §7): end the session.
        this.destroy(protocolError(msg, { disconnected: true }));
      };

      const task: Pending = {
        onPdu: (pdu) => {
          switch (pdu.kind) {
            case 'data-in': {
              if (!inBuf) return violation('Data-In for a command without data-in');
              if (pdu.dataSN !== nextDataSN) return violation(`Data-In DataSN ${pdu.dataSN}, expected ${nextDataSN}`);
              nextDataSN++;
              const end = pdu.bufferOffset + pdu.data.length;
              if (end > inLength) return violation(`Data-In at ${pdu.bufferOffset}+${pdu.data.length} beyond ${inLength}`);
              inBuf.set(pdu.data, pdu.bufferOffset);
              if (end > received) received = end;
              // §11.7 phase collapse: status in the final Data-In, no SCSI Response follows.
              if (pdu.hasStatus) complete(pdu.status, Buffer.alloc(0), pdu.underflow, pdu.residual);
              return;
            }
            case 'r2t': {
              if (!out) return violation('R2T for a command without data-out');
              if (pdu.bufferOffset + pdu.desiredLength > out.length || pdu.desiredLength === 0) {
                return violation(`R2T for ${pdu.bufferOffset}+${pdu.desiredLength} outside ${out.length}`);
              }
              this.stats.solicitedBytes += pdu.desiredLength;
              this.sendDataOut(lun, itt, pdu.ttt, out, pdu.bufferOffset, pdu.desiredLength);
              return;
            }
            case 'scsi-response':
              if (pdu.response !== 0) {
                return finish(new TransportError(`iSCSI target failure (response 0x${pdu.response.toString(16)}) for opcode 0x${cdb[0].toString(16)}`, { errno: 'EIO' }));
              }
              return complete(pdu.status, pdu.sense, pdu.underflow, pdu.residual);
            default:
              return violation(`unexpected ${pdu.kind} for a SCSI task`);
          }
        },
        fail: (e) => finish(e),
      };

      const queued: Queued = {
        send: () => {
          if (done) return;
          sent = true;
          cmdSN = this.cmdSN;
          this.cmdSN = (this.cmdSN + 1) >>> 0;
          this.pending.set(itt, task);
          const p = this.params;
          // §13.14: FirstBurstLength bounds immediate plus unsolicited data; §13.10/§13.11 decide
          // which of the two may be used at all.
          let unsolicited = 0;
          let immediate = 0;
          if (out && out.length > 0) {
            unsolicited = Math.min(out.length, p.firstBurstLength, p.initialR2T ? (p.immediateData ? p.maxXmitDataSegmentLength : 0) : Infinity);
            immediate = p.immediateData ? Math.min(unsolicited, p.maxXmitDataSegmentLength) : 0;
          }
          this.socket.cork();
          try {
            this.write(
              encodeScsiCommand({
                final: immediate === unsolicited,
                read: inLength > 0,
                write: !!out && out.length > 0,
                lun,
                itt,
                expectedLength: expected,
                cmdSN,
                expStatSN: this.expStatSN,
                cdb,
                immediateData: immediate > 0 ? out!.subarray(0, immediate) : undefined,
              }),
            );
            this.stats.immediateBytes += immediate;
            this.stats.unsolicitedBytes += unsolicited - immediate;
            if (unsolicited > immediate) this.sendDataOut(lun, itt, RESERVED_TAG, out!, immediate, unsolicited - immediate);
          } finally {
            this.socket.uncork();
          }
        },
        fail: (e) => finish(e),
      };

      const onAbort = () => {
        // Once at the target a command cannot be recalled; it stays bounded by its timeout.
        if (!sent) finish(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        finish(new TransportError(`iSCSI command 0x${cdb[0].toString(16).padStart(2, '0')} timed out after ${timeoutMs} ms`, { errno: 'ETIMEDOUT' }));
        if (sent && this.state === 'full') this.abortTask(lun, itt, cmdSN);
      }, timeoutMs);

      this.queue.push(queued);
      this.pump();
    });
  }

  /** Data-Out PDUs for [offset, offset+length), each at most the target's MaxRecvDataSegmentLength (§11.7). */
  private sendDataOut(lun: number, itt: number, ttt: number, data: Uint8Array, offset: number, length: number): void {
    const mx = this.params.maxXmitDataSegmentLength;
    const end = offset + length;
    let dataSN = 0; // §11.7: DataSN restarts at 0 for every R2T sequence and for unsolicited data.
    this.socket.cork();
    try {
      for (let off = offset; off < end; off += mx) {
        const n = Math.min(mx, end - off);
        this.stats.dataOutPdus++;
        this.write(encodeDataOut({ final: off + n === end, lun, itt, ttt, expStatSN: this.expStatSN, dataSN: dataSN++, bufferOffset: off, data: data.subarray(off, off + n) }));
      }
    } finally {
      this.socket.uncork();
    }
  }

  /** Best-effort ABORT TASK (§11.5.1 function 1) after a timeout; the answer is not awaited. */
  private abortTask(lun: number, referencedTag: number, refCmdSN: number): void {
    debug('ABORT TASK for itt=%s after its timeout', referencedTag.toString(16));
    const itt = this.nextItt();
    this.exchange(itt, encodeTaskMgmtRequest({ fn: 1, lun, itt, referencedTag, cmdSN: this.cmdSN, expStatSN: this.expStatSN, refCmdSN }), 'task-mgmt-response').catch(() => undefined);
  }

  /** NOP-Out ping (§11.18) answered by a NOP-In; resolves with the round trip in ms. */
  async ping(timeoutMs = this.opts.nopTimeoutMs): Promise<number> {
    if (this.state !== 'full') throw this.deadError ?? new CancelledError('iSCSI session is closed');
    const t0 = performance.now();
    const itt = this.nextItt();
    const payload = randomBytes(8);
    this.stats.pingsSent++;
    const resp = await this.exchange<NopIn>(
      itt,
      encodeNopOut({ itt, ttt: RESERVED_TAG, cmdSN: this.cmdSN, expStatSN: this.expStatSN, immediate: true, data: payload }),
      'nop-in',
      timeoutMs,
    );
    if (!resp.data.equals(payload)) throw protocolError('NOP-In did not echo the ping data');
    return performance.now() - t0;
  }

  private startKeepalive(): void {
    const every = this.opts.keepaliveIntervalMs;
    if (!every) return;
    this.keepaliveTimer = setInterval(() => {
      if (this.state !== 'full' || this.pingInFlight || Date.now() - this.lastRx < every) return;
      this.pingInFlight = true;
      this.ping()
        .catch((err: Error) => {
          if (this.state === 'full') {
            this.destroy(new TransportError(`iSCSI target stopped answering NOP-Out: ${err.message}`, { errno: 'ETIMEDOUT', disconnected: true, cause: err }));
          }
        })
        .finally(() => (this.pingInFlight = false));
    }, Math.max(50, Math.min(every, 1000)));
    this.keepaliveTimer.unref();
  }

  /** Text Request/Response exchange (§11.10-§11.11), following C-bit continuations. */
  async text(pairs: TextPairs): Promise<TextPairs> {
    if (this.state !== 'full') throw this.deadError ?? new CancelledError('iSCSI session is closed');
    const itt = this.nextItt();
    let ttt = RESERVED_TAG;
    let data = encodeText(pairs);
    const parts: Buffer[] = [];
    for (let i = 0; i < 1024; i++) {
      const resp = await this.exchange<TextResponse>(
        itt,
        encodeTextRequest({ final: true, cont: false, itt, ttt, cmdSN: this.cmdSN, expStatSN: this.expStatSN, immediate: true, data }),
        'text-response',
      );
      parts.push(resp.data);
      if (resp.final && !resp.cont) return decodeText(Buffer.concat(parts));
      ttt = resp.ttt;
      data = Buffer.alloc(0);
    }
    throw protocolError('text response never ended');
  }

  /**
   * Logout (§11.14) then close the socket. Pending commands reject with CancelledError. Never
   * throws: a target that does not answer the logout is simply disconnected.
   */
  async close(): Promise<void> {
    await this.shutdown(new CancelledError('iSCSI device closed'));
  }

  /** Fails what is pending with `reason`, logs out (bounded to 2 s), closes the socket. */
  private async shutdown(reason: Error): Promise<void> {
    if (this.state === 'dead' || this.state === 'closing') return;
    const wasFull = this.state === 'full';
    this.state = 'closing';
    this.deadError = reason;
    for (const q of this.queue.splice(0)) q.fail(reason);
    for (const p of [...this.pending.values()]) p.fail(reason);
    if (wasFull) {
      const itt = this.nextItt();
      try {
        await this.exchange(itt, encodeLogoutRequest({ itt, cmdSN: this.cmdSN, expStatSN: this.expStatSN, immediate: true }), 'logout-response', 2000);
      } catch {
        // The target vanished or ignored us: closing the socket is all that is left.
      }
    }
    this.socket.end();
    this.destroy(reason);
  }

}
