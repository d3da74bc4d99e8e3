// A scripted iSCSI target for tests of what tgtd will not do on demand: hostile or out-of-order
// PDUs, Reject, Async Message, a closed CmdSN window, a target vanishing mid-login. It logs
// anyone in (no auth) and hands every later PDU to the test's script. Test support only.
import net from 'node:net';
import { BHS_LENGTH, pad4 } from './pdu';
import { encodeText, type TextPairs } from './text';

export interface InitiatorPdu {
  opcode: number;
  immediate: boolean;
  flags: number;
  itt: number;
  cmdSN: number;
  bhs: Buffer;
  data: Buffer;
}

export interface FakeTargetOptions {
  /** Keys of the final (operational) login response. */
  operationalKeys?: TextPairs;
  /** Commands the target admits beyond ExpCmdSN (MaxCmdSN = ExpCmdSN + window - 1). */
  window?: number;
  /** Called for the login request number n (0-based); return 'close' to drop the connection. */
  onLogin?: (n: number) => 'close' | void;
  /** Answer the first login with Status 0x0101 (moved temporarily) and this TargetAddress. */
  redirectTo?: string;
  /** Send the operational login answer in two Login Responses, the first with C=1 (§11.13). */
  splitOperationalAnswer?: boolean;
  /** Every PDU after login. */
  onPdu?: (conn: FakeConnection, pdu: InitiatorPdu) => void;
}

export class FakeConnection {
  statSN = 100;
  expCmdSN = 0;
  maxCmdSN = 0;
  readonly received: InitiatorPdu[] = [];
  private buf = Buffer.alloc(0);
  private logins = 0;
  private loginRest: { data: Buffer; flags: number; tsih: number[] } | undefined;
  /** Login requests as received, for assertions on the login exchange. */
  readonly loginRequests: InitiatorPdu[] = [];
  loggedIn = false;

  constructor(
    readonly socket: net.Socket,
    private readonly opts: FakeTargetOptions,
  ) {
    // Without this, Nagle + the peer's delayed ACK hold small PDUs back ~40 ms.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
  }

  /** A target BHS with StatSN/ExpCmdSN/MaxCmdSN filled in (bytes 24..35, RFC 7143 §11). */
  bhs(opcode: number, flags: number, itt: number, fields: Record<number, number[]> = {}, advanceStatSN = true): Buffer {
    const b = Buffer.alloc(BHS_LENGTH);
    b[0] = opcode;
    b[1] = flags;
    b.writeUInt32BE(itt >>> 0, 16);
    b.writeUInt32BE(this.statSN >>> 0, 24);
    b.writeUInt32BE(this.expCmdSN >>> 0, 28);
    b.writeUInt32BE(this.maxCmdSN >>> 0, 32);
    for (const [off, bytes] of Object.entries(fields)) b.set(bytes, Number(off));
    if (advanceStatSN) this.statSN++;
    return b;
  }

  send(bhs: Buffer, data: Uint8Array = Buffer.alloc(0)): void {
    bhs.writeUIntBE(data.length, 5, 3);
    const out = Buffer.alloc(BHS_LENGTH + pad4(data.length));
    bhs.copy(out);
    out.set(data, BHS_LENGTH);
    if (!this.socket.destroyed) this.socket.write(out);
  }

  /** SCSI Response with GOOD status or CHECK CONDITION + sense (§11.4). */
  respond(itt: number, status = 0, sense?: Uint8Array, residual?: { underflow: number }): void {
    const data = sense ? Buffer.concat([Buffer.from([sense.length >> 8, sense.length & 0xff]), sense]) : undefined;
    const b = this.bhs(0x21, 0x80 | (residual ? 0x02 : 0), itt, { 2: [0, status] });
    if (residual) b.writeUInt32BE(residual.underflow, 44);
    this.send(b, data);
  }

  /** Opens the CmdSN window by `n` more commands and tells the initiator with a NOP-In. */
  openWindow(n: number): void {
    this.maxCmdSN = (this.maxCmdSN + n) >>> 0;
    this.send(this.bhs(0x20, 0x80, 0xffffffff, { 20: [0xff, 0xff, 0xff, 0xff] }, false));
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= BHS_LENGTH) {
      const dsl = this.buf.readUIntBE(5, 3);
      const total = BHS_LENGTH + this.buf[4] * 4 + pad4(dsl);
      if (this.buf.length < total) return;
      const bhs = Buffer.from(this.buf.subarray(0, BHS_LENGTH));
      const data = Buffer.from(this.buf.subarray(BHS_LENGTH + bhs[4] * 4, BHS_LENGTH + bhs[4] * 4 + dsl));
      this.buf = this.buf.subarray(total);
      const pdu: InitiatorPdu = {
        opcode: bhs[0] & 0x3f,
        immediate: (bhs[0] & 0x40) !== 0,
        flags: bhs[1],
        itt: bhs.readUInt32BE(16),
        cmdSN: bhs.readUInt32BE(24),
        bhs,
        data,
      };
      this.received.push(pdu);
      // Non-immediate commands consume a CmdSN (§4.2.2.1).
      if (!pdu.immediate && (pdu.opcode === 0x01 || pdu.opcode === 0x04 || pdu.opcode === 0x06)) this.expCmdSN = (pdu.cmdSN + 1) >>> 0;
      if (pdu.opcode === 0x03) this.login(pdu);
      else if (pdu.opcode === 0x06) this.send(this.bhs(0x26, 0x80, pdu.itt));
      else this.opts.onPdu?.(this, pdu);
    }
  }

  private login(pdu: InitiatorPdu): void {
    if (this.opts.onLogin?.(this.logins++) === 'close') {
      this.socket.destroy();
      return;
    }
    if (this.opts.redirectTo !== undefined) {
      this.send(this.bhs(0x23, 0, pdu.itt, { 8: [...pdu.bhs.subarray(8, 14)], 36: [0x01, 0x01] }), encodeText([['TargetAddress', this.opts.redirectTo]]));
      return;
    }
    this.loginRequests.push(pdu);
    if (this.loginRest) {
      const rest = this.loginRest;
      this.loginRest = undefined;
      this.send(this.bhs(0x23, rest.flags, pdu.itt, { 8: [...pdu.bhs.subarray(8, 14)], 14: rest.tsih }), rest.data);
      if (rest.flags & 0x80) this.loggedIn = true;
      return;
    }
    const csg = (pdu.flags >> 2) & 3;
    const nsg = pdu.flags & 3;
    const transit = (pdu.flags & 0x80) !== 0;
    this.expCmdSN = pdu.cmdSN;
    this.maxCmdSN = (pdu.cmdSN + (this.opts.window ?? 32) - 1) >>> 0;
    const final = transit && nsg === 3;
    const keys: TextPairs =
      csg === 0
        ? [['AuthMethod', 'None']]
        : (this.opts.operationalKeys ?? [
            ['HeaderDigest', 'None'],
            ['DataDigest', 'None'],
            ['MaxRecvDataSegmentLength', '8192'],
            ['InitialR2T', 'Yes'],
            ['ImmediateData', 'Yes'],
            ['MaxBurstLength', '262144'],
            ['FirstBurstLength', '65536'],
          ]);
    const flags = (transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0);
    const text = encodeText(keys);
    if (csg === 1 && this.opts.splitOperationalAnswer) {
      // First part with C=1 and T=0; the rest answers the initiator's empty follow-up request.
      const cut = Math.floor(text.length / 2) + 3;
      this.loginRest = { data: text.subarray(cut), flags, tsih: final ? [0, 1] : [0, 0] };
      this.send(this.bhs(0x23, 0x40 | (csg << 2), pdu.itt, { 8: [...pdu.bhs.subarray(8, 14)] }), text.subarray(0, cut));
      return;
    }
    const bhs = this.bhs(0x23, flags, pdu.itt, { 8: [...pdu.bhs.subarray(8, 14)], 14: final ? [0, 1] : [0, 0] });
    this.send(bhs, text);
    if (final) this.loggedIn = true;
  }
}

export class FakeTarget {
  readonly connections: FakeConnection[] = [];

  private readonly server: net.Server;

  private constructor(opts: FakeTargetOptions) {
    this.server = net.createServer((sock) => {
      const c = new FakeConnection(sock, opts);
      this.connections.push(c);
    });
  }

  static async start(opts: FakeTargetOptions = {}): Promise<FakeTarget> {
    const target = new FakeTarget(opts);
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get address(): string {
    return `iscsi://127.0.0.1:${this.port}/iqn.2026-11.org.glassmaster.test:fake/0`;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
