// iSCSI PDU encoding and decoding (RFC 7143 §11). Pure: no sockets. The initiator only ever
// encodes initiator opcodes and decodes target opcodes; header and data digests are negotiated
// to None, so a PDU on the wire is BHS (48) + AHS (TotalAHSLength*4) + data segment + pad to 4.
import { TransportError } from '../../common/errors';

/** RFC 7143 §11.2.1: the 6-bit opcode in byte 0. */
export const Opcode = {
  NopOut: 0x00,
  ScsiCommand: 0x01,
  TaskMgmtRequest: 0x02,
  LoginRequest: 0x03,
  TextRequest: 0x04,
  DataOut: 0x05,
  LogoutRequest: 0x06,
  NopIn: 0x20,
  ScsiResponse: 0x21,
  TaskMgmtResponse: 0x22,
  LoginResponse: 0x23,
  TextResponse: 0x24,
  DataIn: 0x25,
  LogoutResponse: 0x26,
  R2T: 0x31,
  AsyncMessage: 0x32,
  Reject: 0x3f,
} as const;

export const BHS_LENGTH = 48;
/** RFC 7143 §11.2.1: 0xffffffff is the reserved tag ("no task", "no transfer"). */
export const RESERVED_TAG = 0xffffffff;
/** DataSegmentLength is 24 bits (RFC 7143 §11.2.1). */
export const MAX_DATA_SEGMENT = 0xffffff;

/** Login stages (RFC 7143 §11.12.3). */
export const Stage = { Security: 0, Operational: 1, FullFeature: 3 } as const;

/** A target broke RFC 7143. `disconnected` when the violation ended the session. */
export function protocolError(message: string, opts: { disconnected?: boolean; cause?: unknown } = {}): TransportError {
  return new TransportError(`iSCSI protocol error: ${message}`, { errno: 'EPROTO', ...opts });
}

export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * SAM-5 LUN encoding (addressing methods 00b and 01b) for the 8-byte LUN field: peripheral device addressing for LUN < 256,
 * flat space addressing (method 01b) up to 16383.
 */
export function encodeLun(lun: number): Buffer {
  const b = Buffer.alloc(8);
  if (!Number.isInteger(lun) || lun < 0 || lun > 0x3fff) throw protocolError(`LUN ${lun} out of range`);
  if (lun < 256) b[1] = lun;
  else {
    b[0] = 0x40 | (lun >> 8);
    b[1] = lun & 0xff;
  }
  return b;
}

/** Header + data segment + zero padding to a 4-byte boundary (RFC 7143 §11.1). */
export function frame(bhs: Buffer, data?: Uint8Array): Buffer {
  const len = data?.length ?? 0;
  if (len > MAX_DATA_SEGMENT) throw protocolError(`data segment of ${len} bytes exceeds 24 bits`);
  bhs.writeUIntBE(len, 5, 3);
  if (len === 0) return bhs;
  const out = Buffer.alloc(BHS_LENGTH + pad4(len));
  bhs.copy(out, 0);
  out.set(data!, BHS_LENGTH);
  return out;
}

function header(opcode: number, immediate: boolean, flags: number): Buffer {
  const b = Buffer.alloc(BHS_LENGTH);
  b[0] = (immediate ? 0x40 : 0) | opcode;
  b[1] = flags;
  return b;
}

// ---------------------------------------------------------------------------------------------
// Initiator PDUs

export interface ScsiCommandFields {
  final: boolean;
  read: boolean;
  write: boolean;
  lun: number;
  itt: number;
  expectedLength: number;
  cmdSN: number;
  expStatSN: number;
  cdb: Uint8Array;
  immediateData?: Uint8Array;
}

/** RFC 7143 §11.3: SCSI Command. ATTR = 1 (Simple) in byte 1 bits 0-2; CDB in bytes 32-47. */
export function encodeScsiCommand(f: ScsiCommandFields): Buffer {
  if (f.cdb.length > 16) throw protocolError('CDBs longer than 16 bytes need an extended-CDB AHS');
  const b = header(Opcode.ScsiCommand, false, (f.final ? 0x80 : 0) | (f.read ? 0x40 : 0) | (f.write ? 0x20 : 0) | 0x01);
  encodeLun(f.lun).copy(b, 8);
  b.writeUInt32BE(f.itt, 16);
  b.writeUInt32BE(f.expectedLength, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  b.set(f.cdb, 32);
  return frame(b, f.immediateData);
}

export interface DataOutFields {
  final: boolean;
  lun: number;
  itt: number;
  ttt: number;
  expStatSN: number;
  dataSN: number;
  bufferOffset: number;
  data: Uint8Array;
}

/** RFC 7143 §11.7: SCSI Data-Out. TTT 0xffffffff for unsolicited data (§11.7). */
export function encodeDataOut(f: DataOutFields): Buffer {
  const b = header(Opcode.DataOut, false, f.final ? 0x80 : 0);
  encodeLun(f.lun).copy(b, 8);
  b.writeUInt32BE(f.itt, 16);
  b.writeUInt32BE(f.ttt, 20);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  b.writeUInt32BE(f.dataSN >>> 0, 36);
  b.writeUInt32BE(f.bufferOffset >>> 0, 40);
  return frame(b, f.data);
}

export interface NopOutFields {
  lun?: number;
  itt: number;
  ttt: number;
  cmdSN: number;
  expStatSN: number;
  immediate: boolean;
  data?: Uint8Array;
}

/** RFC 7143 §11.18: NOP-Out (F bit always 1). */
export function encodeNopOut(f: NopOutFields): Buffer {
  const b = header(Opcode.NopOut, f.immediate, 0x80);
  encodeLun(f.lun ?? 0).copy(b, 8);
  b.writeUInt32BE(f.itt, 16);
  b.writeUInt32BE(f.ttt, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return frame(b, f.data);
}

export interface LoginRequestFields {
  transit: boolean;
  cont: boolean;
  csg: number;
  nsg: number;
  isid: Uint8Array;
  tsih: number;
  itt: number;
  cid: number;
  cmdSN: number;
  expStatSN: number;
  data: Uint8Array;
}

/** RFC 7143 §11.12: Login Request, always immediate; Version-max/min 0x00 (§11.12.4). */
export function encodeLoginRequest(f: LoginRequestFields): Buffer {
  const b = header(Opcode.LoginRequest, true, (f.transit ? 0x80 : 0) | (f.cont ? 0x40 : 0) | ((f.csg & 3) << 2) | (f.transit ? f.nsg & 3 : 0));
  b[2] = 0x00;
  b[3] = 0x00;
  if (f.isid.length !== 6) throw protocolError('ISID must be 6 bytes');
  b.set(f.isid, 8);
  b.writeUInt16BE(f.tsih, 14);
  b.writeUInt32BE(f.itt, 16);
  b.writeUInt16BE(f.cid, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return frame(b, f.data);
}

export interface TextRequestFields {
  final: boolean;
  cont: boolean;
  itt: number;
  ttt: number;
  cmdSN: number;
  expStatSN: number;
  immediate: boolean;
  data: Uint8Array;
}

/** RFC 7143 §11.10: Text Request. */
export function encodeTextRequest(f: TextRequestFields): Buffer {
  const b = header(Opcode.TextRequest, f.immediate, (f.final ? 0x80 : 0) | (f.cont ? 0x40 : 0));
  b.writeUInt32BE(f.itt, 16);
  b.writeUInt32BE(f.ttt, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return frame(b, f.data);
}

/** RFC 7143 §11.14: Logout Request; reason 0 = close the session (§11.14.1). */
export function encodeLogoutRequest(f: { itt: number; cmdSN: number; expStatSN: number; immediate: boolean; reason?: number; cid?: number }): Buffer {
  const b = header(Opcode.LogoutRequest, f.immediate, 0x80 | ((f.reason ?? 0) & 0x7f));
  b.writeUInt32BE(f.itt, 16);
  b.writeUInt16BE(f.cid ?? 0, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  return frame(b);
}

/** RFC 7143 §11.5: Task Management Function Request; function 1 = ABORT TASK (§11.5.1). */
export function encodeTaskMgmtRequest(f: { fn: number; lun: number; itt: number; referencedTag: number; cmdSN: number; expStatSN: number; refCmdSN: number }): Buffer {
  const b = header(Opcode.TaskMgmtRequest, true, 0x80 | (f.fn & 0x7f));
  encodeLun(f.lun).copy(b, 8);
  b.writeUInt32BE(f.itt, 16);
  b.writeUInt32BE(f.referencedTag, 20);
  b.writeUInt32BE(f.cmdSN >>> 0, 24);
  b.writeUInt32BE(f.expStatSN >>> 0, 28);
  b.writeUInt32BE(f.refCmdSN >>> 0, 32);
  return frame(b);
}

// ---------------------------------------------------------------------------------------------
// Target PDUs

/** Fields every target-to-initiator PDU except R2T/Data-In-without-status carries at 24..35. */
interface Sequenced {
  itt: number;
  statSN: number;
  expCmdSN: number;
  maxCmdSN: number;
}

export interface NopIn extends Sequenced {
  kind: 'nop-in';
  lun: Buffer;
  ttt: number;
  data: Buffer;
}

export interface ScsiResponse extends Sequenced {
  kind: 'scsi-response';
  /** 0x00 command completed at target, 0x01 target failure (§11.4.3). */
  response: number;
  status: number;
  overflow: boolean;
  underflow: boolean;
  residual: number;
  expDataSN: number;
  sense: Buffer;
}

export interface DataIn extends Sequenced {
  kind: 'data-in';
  final: boolean;
  hasStatus: boolean;
  status: number;
  overflow: boolean;
  underflow: boolean;
  residual: number;
  ttt: number;
  dataSN: number;
  bufferOffset: number;
  data: Buffer;
}

export interface R2T extends Sequenced {
  kind: 'r2t';
  ttt: number;
  r2tSN: number;
  bufferOffset: number;
  desiredLength: number;
}

export interface LoginResponse extends Sequenced {
  kind: 'login-response';
  transit: boolean;
  cont: boolean;
  csg: number;
  nsg: number;
  versionMax: number;
  versionActive: number;
  isid: Buffer;
  tsih: number;
  statusClass: number;
  statusDetail: number;
  data: Buffer;
}

export interface TextResponse extends Sequenced {
  kind: 'text-response';
  final: boolean;
  cont: boolean;
  ttt: number;
  data: Buffer;
}

export interface LogoutResponse extends Sequenced {
  kind: 'logout-response';
  response: number;
  time2Wait: number;
  time2Retain: number;
}

export interface TaskMgmtResponse extends Sequenced {
  kind: 'task-mgmt-response';
  response: number;
}

export interface AsyncMessage extends Sequenced {
  kind: 'async-message';
  event: number;
  parameter1: number;
  parameter2: number;
  parameter3: number;
  data: Buffer;
}

export interface Reject extends Sequenced {
  kind: 'reject';
  reason: number;
  /** ITT of the rejected PDU (from the copy of its header in the data segment, §11.17). */
  rejectedItt: number | undefined;
  rejectedOpcode: number | undefined;
}

export type TargetPdu = NopIn | ScsiResponse | DataIn | R2T | LoginResponse | TextResponse | LogoutResponse | TaskMgmtResponse | AsyncMessage | Reject;

function seq(b: Buffer): Sequenced {
  return { itt: b.readUInt32BE(16), statSN: b.readUInt32BE(24), expCmdSN: b.readUInt32BE(28), maxCmdSN: b.readUInt32BE(32) };
}

/** Decodes one complete PDU (BHS already framed). Throws TransportError EPROTO on malformed input. */
export function decodePdu(bhs: Buffer, data: Buffer): TargetPdu {
  if (bhs.length !== BHS_LENGTH) throw protocolError(`BHS of ${bhs.length} bytes`);
  const opcode = bhs[0] & 0x3f;
  const flags = bhs[1];
  switch (opcode) {
    case Opcode.NopIn:
      return { kind: 'nop-in', ...seq(bhs), lun: Buffer.from(bhs.subarray(8, 16)), ttt: bhs.readUInt32BE(20), data };
    case Opcode.ScsiResponse: {
      // §11.4.7: the data segment is SenseLength (2 bytes) + sense data [+ response data].
      let sense = Buffer.alloc(0);
      if (data.length > 0) {
        if (data.length < 2) throw protocolError('SCSI Response data segment shorter than its SenseLength field');
        const senseLength = data.readUInt16BE(0);
        if (senseLength + 2 > data.length) throw protocolError(`SenseLength ${senseLength} exceeds data segment of ${data.length}`);
        sense = Buffer.from(data.subarray(2, 2 + senseLength));
      }
      return {
        kind: 'scsi-response',
        ...seq(bhs),
        response: bhs[2],
        status: bhs[3],
        overflow: (flags & 0x04) !== 0,
        underflow: (flags & 0x02) !== 0,
        expDataSN: bhs.readUInt32BE(36),
        residual: bhs.readUInt32BE(44),
        sense,
      };
    }
    case Opcode.DataIn: {
      const hasStatus = (flags & 0x01) !== 0;
      // §11.7: S may only be set together with F.
      if (hasStatus && (flags & 0x80) === 0) throw protocolError('Data-In with S bit but without F bit');
      return {
        kind: 'data-in',
        ...seq(bhs),
        final: (flags & 0x80) !== 0,
        hasStatus,
        status: bhs[3],
        overflow: (flags & 0x04) !== 0,
        underflow: (flags & 0x02) !== 0,
        ttt: bhs.readUInt32BE(20),
        dataSN: bhs.readUInt32BE(36),
        bufferOffset: bhs.readUInt32BE(40),
        residual: bhs.readUInt32BE(44),
        data,
      };
    }
    case Opcode.R2T:
      if (data.length !== 0) throw protocolError('R2T with a data segment');
      return {
        kind: 'r2t',
        ...seq(bhs),
        ttt: bhs.readUInt32BE(20),
        r2tSN: bhs.readUInt32BE(36),
        bufferOffset: bhs.readUInt32BE(40),
        desiredLength: bhs.readUInt32BE(44),
      };
    case Opcode.LoginResponse:
      return {
        kind: 'login-response',
        ...seq(bhs),
        transit: (flags & 0x80) !== 0,
        cont: (flags & 0x40) !== 0,
        csg: (flags >> 2) & 3,
        nsg: flags & 3,
        versionMax: bhs[2],
        versionActive: bhs[3],
        isid: Buffer.from(bhs.subarray(8, 14)),
        tsih: bhs.readUInt16BE(14),
        statusClass: bhs[36],
        statusDetail: bhs[37],
        data,
      };
    case Opcode.TextResponse:
      return { kind: 'text-response', ...seq(bhs), final: (flags & 0x80) !== 0, cont: (flags & 0x40) !== 0, ttt: bhs.readUInt32BE(20), data };
    case Opcode.LogoutResponse:
      return { kind: 'logout-response', ...seq(bhs), response: bhs[2], time2Wait: bhs.readUInt16BE(40), time2Retain: bhs.readUInt16BE(42) };
    case Opcode.TaskMgmtResponse:
      return { kind: 'task-mgmt-response', ...seq(bhs), response: bhs[2] };
    case Opcode.AsyncMessage:
      return {
        kind: 'async-message',
        ...seq(bhs),
        event: bhs[36],
        parameter1: bhs.readUInt16BE(38),
        parameter2: bhs.readUInt16BE(40),
        parameter3: bhs.readUInt16BE(42),
        data,
      };
    case Opcode.Reject: {
      const rejected = data.length >= BHS_LENGTH ? data.subarray(0, BHS_LENGTH) : undefined;
      return {
        kind: 'reject',
        ...seq(bhs),
        reason: bhs[2],
        rejectedItt: rejected?.readUInt32BE(16),
        rejectedOpcode: rejected === undefined ? undefined : rejected[0] & 0x3f,
      };
    }
    default:
      throw protocolError(`unexpected opcode 0x${opcode.toString(16).padStart(2, '0')} from target`);
  }
}

/**
 * Reassembles target PDUs from TCP chunks. `maxDataSegmentLength` is what we declared as our
 * MaxRecvDataSegmentLength (§13.12): a target exceeding it is a protocol violation, and the check
 * bounds memory before we buffer a hostile length.
 */
export class PduReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** CRC32C digests in force (RFC 7143 §13.1): switched on after login when negotiated. */
  headerDigest = false;
  dataDigest = false;

  constructor(public maxDataSegmentLength: number) {}

  /** Feeds bytes; returns every PDU now complete. Throws TransportError EPROTO on bad framing. */
  push(chunk: Buffer): TargetPdu[] {
    this.append(chunk);
    const out: TargetPdu[] = [];
    for (let p = this.next(); p; p = this.next()) out.push(p);
    return out;
  }

  append(chunk: Buffer): void {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
  }

  /**
   * Decodes the next complete PDU, or undefined when more bytes are needed. One at a time, so
   * the session can switch digests on right after the final Login Response.
   */
  next(): TargetPdu | undefined {
    if (this.buffered < BHS_LENGTH) return undefined;
    const head = this.peek(BHS_LENGTH);
    const ahsLength = head[4] * 4;
    const dataLength = head.readUIntBE(5, 3);
    if (dataLength > this.maxDataSegmentLength) {
      throw protocolError(`data segment of ${dataLength} bytes exceeds MaxRecvDataSegmentLength ${this.maxDataSegmentLength}`);
    }
    const headerEnd = BHS_LENGTH + ahsLength;
    const hd = this.headerDigest ? 4 : 0;
    const dd = this.dataDigest && dataLength > 0 ? 4 : 0;
    const total = headerEnd + hd + pad4(dataLength) + dd;
    if (this.buffered < total) return undefined;
    const whole = this.take(total);
    // §11.2.3 digests: CRC32C over BHS+AHS, and over data+padding; a mismatch at ERL 0 ends the session.
    if (hd && !whole.subarray(headerEnd, headerEnd + 4).equals(crc32cBytes(whole.subarray(0, headerEnd)))) throw protocolError('header digest mismatch');
    const dataStart = headerEnd + hd;
    if (dd && !whole.subarray(total - 4).equals(crc32cBytes(whole.subarray(dataStart, total - 4)))) throw protocolError('data digest mismatch');
    // AHS (§11.2.2) carries nothing a target sends us in this profile; it is skipped.
    // A view, not a copy: Data-In payloads are copied once, into the command's buffer. Fields a
    // caller keeps (sense) are copied by decodePdu.
    const data = whole.subarray(dataStart, dataStart + dataLength);
    return decodePdu(Buffer.from(whole.subarray(0, BHS_LENGTH)), data);
  }

  /** Bytes of an incomplete PDU still waiting for the rest. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) {
      // Merge only as many chunks as needed, so a large PDU arriving in small pieces stays linear.
      let count = 0;
      let have = 0;
      while (have < n) have += this.chunks[count++].length;
      this.chunks.splice(0, count, Buffer.concat(this.chunks.slice(0, count), have));
    }
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    const head = this.peek(n);
    const first = this.chunks[0];
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return head;
  }
}

/** RFC 1982 serial number arithmetic on 32 bits, as RFC 7143 §4.2.2.1 requires for CmdSN/StatSN. */
export function serialLt(a: number, b: number): boolean {
  a >>>= 0;
  b >>>= 0;
  return a !== b && ((a < b && b - a < 0x80000000) || (a > b && a - b > 0x80000000));
}

export function serialLte(a: number, b: number): boolean {
  return (a >>> 0) === (b >>> 0) || serialLt(a, b);
}

// CRC32C (Castagnoli, generator 0x11EDC6F41; RFC 7143 §13.1), reflected table form.
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The digest as sent on the wire: least significant byte first (RFC 3720 B.4 examples, kept by RFC 7143). */
export function crc32cBytes(data: Uint8Array): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(crc32c(data), 0);
  return b;
}

/** Inserts the header digest after BHS+AHS and appends the data digest of a framed PDU (§11.2). */
export function withDigests(pdu: Buffer, header: boolean, data: boolean): Buffer {
  if (!header && !data) return pdu;
  const headerEnd = BHS_LENGTH + pdu[4] * 4;
  const dataLength = pdu.readUIntBE(5, 3);
  const parts = [pdu.subarray(0, headerEnd)];
  if (header) parts.push(crc32cBytes(parts[0]));
  if (dataLength > 0) {
    const seg = pdu.subarray(headerEnd);
    parts.push(seg);
    if (data) parts.push(crc32cBytes(seg));
  }
  return Buffer.concat(parts);
}
