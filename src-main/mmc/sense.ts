// Sense data decoding (SPC-4 §4.5) and the key/ASC/ASCQ → message + disposition table.
// The disposition drives the one retry policy in drive/execute: 'retry' (transient: becoming ready,
// unit attention, aborted command), 'fail' (the command cannot succeed as sent), 'continue' (the
// command completed; the sense is informational, e.g. RECOVERED ERROR).
import { ScsiError, type SenseDisposition } from '../common/errors';
import { rd32 } from './bytes';

export interface SenseData {
  /** 'fixed' (70h/71h, SPC-4 §4.5.3) or 'descriptor' (72h/73h, SPC-4 §4.5.2). */
  format: 'fixed' | 'descriptor';
  /** false for deferred errors (71h/73h): the failure belongs to an earlier command. */
  current: boolean;
  key: number;
  asc: number;
  ascq: number;
  /** INFORMATION field (e.g. the failing LBA) when VALID is set. */
  information?: number;
  /** Sense-key specific bytes (progress indication for NOT READY, field pointer for ILLEGAL REQUEST). */
  progress?: number;
  fieldPointer?: { cdb: boolean; byte: number; bit?: number };
}

export const SenseKey = {
  NO_SENSE: 0x0,
  RECOVERED_ERROR: 0x1,
  NOT_READY: 0x2,
  MEDIUM_ERROR: 0x3,
  HARDWARE_ERROR: 0x4,
  ILLEGAL_REQUEST: 0x5,
  UNIT_ATTENTION: 0x6,
  DATA_PROTECT: 0x7,
  BLANK_CHECK: 0x8,
  VENDOR_SPECIFIC: 0x9,
  COPY_ABORTED: 0xa,
  ABORTED_COMMAND: 0xb,
  VOLUME_OVERFLOW: 0xd,
  MISCOMPARE: 0xe,
  COMPLETED: 0xf,
} as const;

const KEY_NAMES = [
  'no sense', 'recovered error', 'not ready', 'medium error', 'hardware error', 'illegal request',
  'unit attention', 'data protect', 'blank check', 'vendor specific', 'copy aborted', 'aborted command',
  'reserved', 'volume overflow', 'miscompare', 'completed',
];

export function senseKeyName(key: number): string {
  return KEY_NAMES[key & 0x0f];
}

/**
 * Parses fixed or descriptor sense. Returns undefined for absent or unrecognisable sense (so
 * the caller can report "CHECK CONDITION without sense").
 */
export function parseSense(sense: Uint8Array | undefined): SenseData | undefined {
  if (!sense || sense.length < 1) return undefined;
  const code = sense[0] & 0x7f;
  if (code === 0x70 || code === 0x71) {
    // Fixed format: key in byte 2, ASC/ASCQ in bytes 12/13 (SPC-4 fixed format sense data).
    if (sense.length < 3) return undefined;
    const d: SenseData = {
      format: 'fixed',
      current: code === 0x70,
      key: sense[2] & 0x0f,
      asc: sense.length > 12 ? sense[12] : 0,
      ascq: sense.length > 13 ? sense[13] : 0,
    };
    if (sense[0] & 0x80 && sense.length >= 7) d.information = rd32(sense, 3);
    if (sense.length >= 18 && sense[15] & 0x80) decodeKeySpecific(d, sense[15], sense[16], sense[17]);
    return d;
  }
  if (code === 0x72 || code === 0x73) {
    // Descriptor format: key/ASC/ASCQ in bytes 1..3, then descriptors (SPC-4 §4.5.2).
    if (sense.length < 4) return undefined;
    const d: SenseData = { format: 'descriptor', current: code === 0x72, key: sense[1] & 0x0f, asc: sense[2], ascq: sense[3] };
    const end = Math.min(sense.length, 8 + (sense.length > 7 ? sense[7] : 0));
    for (let off = 8; off + 2 <= end; ) {
      const type = sense[off];
      const len = sense[off + 1];
      if (off + 2 + len > end) break;
      if (type === 0x00 && len >= 10) {
        // Information descriptor: 8-byte field; we keep the low 32 bits (an LBA on optical media).
        d.information = rd32(sense, off + 8);
      } else if (type === 0x02 && len >= 6) {
        decodeKeySpecific(d, sense[off + 4], sense[off + 5], sense[off + 6]);
      }
      off += 2 + len;
    }
    return d;
  }
  return undefined;
}

function decodeKeySpecific(d: SenseData, b0: number, b1: number, b2: number): void {
  // SPC-4 §4.5.2.4: SKSV set; layout depends on the sense key.
  if (d.key === SenseKey.NOT_READY || d.key === SenseKey.NO_SENSE) {
    d.progress = ((b1 << 8) | b2) / 65536;
  } else if (d.key === SenseKey.ILLEGAL_REQUEST) {
    d.fieldPointer = { cdb: (b0 & 0x40) !== 0, byte: (b1 << 8) | b2, bit: b0 & 0x08 ? b0 & 0x07 : undefined };
  }
}

/** Builds fixed-format sense (used by the virtual recorder and tests). */
export function buildFixedSense(key: number, asc: number, ascq: number, opts: { information?: number; progress?: number } = {}): Uint8Array {
  const s = new Uint8Array(18);
  s[0] = 0x70;
  s[2] = key & 0x0f;
  s[7] = 10; // additional sense length
  if (opts.information !== undefined) {
    s[0] |= 0x80;
    const v = opts.information >>> 0;
    s[3] = v >>> 24;
    s[4] = (v >>> 16) & 0xff;
    s[5] = (v >>> 8) & 0xff;
    s[6] = v & 0xff;
  }
  s[12] = asc;
  s[13] = ascq;
  if (opts.progress !== undefined) {
    const p = Math.max(0, Math.min(0xffff, Math.round(opts.progress * 65536)));
    s[15] = 0x80;
    s[16] = p >>> 8;
    s[17] = p & 0xff;
  }
  return s;
}

// ASC/ASCQ texts: SPC-4 Annex D.2 (Table D.2) plus the MMC-6 additions (MMC-6 Annex F, Table F.1).
// Messages are phrased for users of a burner. An ASCQ of -1 matches any ASCQ for that ASC.
const ASC_TABLE: ReadonlyArray<[number, number, string]> = [
  [0x00, 0x00, 'no additional sense information'],
  [0x00, 0x06, 'I/O process terminated'],
  [0x00, 0x11, 'audio play operation in progress'],
  [0x00, 0x12, 'audio play operation paused'],
  [0x00, 0x13, 'audio play operation successfully completed'],
  [0x00, 0x14, 'audio play operation stopped due to error'],
  [0x00, 0x16, 'operation in progress'],
  [0x00, 0x17, 'cleaning requested'],
  [0x01, 0x00, 'no index/sector signal'],
  [0x02, 0x00, 'no seek complete'],
  [0x03, 0x00, 'peripheral device write fault'],
  [0x03, 0x02, 'excessive write errors'],
  [0x04, 0x00, 'drive not ready'],
  [0x04, 0x01, 'drive is becoming ready'],
  [0x04, 0x02, 'drive not ready: initializing command required'],
  [0x04, 0x03, 'drive not ready: manual intervention required'],
  [0x04, 0x04, 'drive not ready: format in progress'],
  [0x04, 0x07, 'drive not ready: operation in progress'],
  [0x04, 0x08, 'drive not ready: long write in progress'],
  [0x04, 0x09, 'drive not ready: self-test in progress'],
  [0x05, 0x00, 'drive does not respond to selection'],
  [0x06, 0x00, 'no reference position found'],
  [0x07, 0x00, 'multiple peripheral devices selected'],
  [0x08, 0x00, 'logical unit communication failure'],
  [0x08, 0x01, 'logical unit communication timeout'],
  [0x08, 0x02, 'logical unit communication parity error'],
  [0x08, 0x03, 'logical unit communication CRC error'],
  [0x09, 0x00, 'track following error'],
  [0x09, 0x01, 'tracking servo failure'],
  [0x09, 0x02, 'focus servo failure'],
  [0x09, 0x03, 'spindle servo failure'],
  [0x09, 0x04, 'head select fault'],
  [0x0a, 0x00, 'error log overflow'],
  [0x0b, 0x00, 'warning'],
  [0x0b, 0x01, 'warning: specified temperature exceeded'],
  [0x0b, 0x02, 'warning: enclosure degraded'],
  [0x0c, 0x00, 'write error'],
  [0x0c, 0x02, 'write error: auto reallocation failed'],
  [0x0c, 0x03, 'write error: recommend reassignment'],
  [0x0c, 0x07, 'write error: recovery needed'],
  [0x0c, 0x08, 'write error: recovery failed'],
  [0x0c, 0x09, 'write error: loss of streaming (buffer under-run)'],
  [0x0c, 0x0a, 'write error: padding blocks added'],
  [0x0e, 0x00, 'invalid information unit'],
  [0x10, 0x00, 'ID CRC or ECC error'],
  [0x11, 0x00, 'unrecovered read error'],
  [0x11, 0x01, 'read retries exhausted'],
  [0x11, 0x02, 'error too long to correct'],
  [0x11, 0x05, 'L-EC uncorrectable error'],
  [0x11, 0x06, 'CIRC unrecovered error'],
  [0x11, 0x0f, 'error reading UPC/EAN number'],
  [0x11, 0x10, 'error reading ISRC number'],
  [0x11, 0x11, 'read error: loss of streaming'],
  [0x14, 0x00, 'recorded entity not found'],
  [0x14, 0x01, 'record not found'],
  [0x15, 0x00, 'random positioning error'],
  [0x15, 0x01, 'mechanical positioning error'],
  [0x15, 0x02, 'positioning error detected by read of medium'],
  [0x17, 0x00, 'recovered data with no error correction applied'],
  [0x17, 0x01, 'recovered data with retries'],
  [0x17, 0x02, 'recovered data with positive head offset'],
  [0x17, 0x03, 'recovered data with negative head offset'],
  [0x17, 0x04, 'recovered data with retries and/or CIRC applied'],
  [0x17, 0x05, 'recovered data using previous sector ID'],
  [0x17, 0x07, 'recovered data without ECC: recommend reassignment'],
  [0x17, 0x08, 'recovered data without ECC: recommend rewrite'],
  [0x17, 0x09, 'recovered data without ECC: data rewritten'],
  [0x18, 0x00, 'recovered data with error correction applied'],
  [0x18, 0x01, 'recovered data with error correction and retries applied'],
  [0x18, 0x02, 'recovered data: data auto-reallocated'],
  [0x18, 0x03, 'recovered data with CIRC'],
  [0x18, 0x04, 'recovered data with L-EC'],
  [0x18, 0x05, 'recovered data: recommend reassignment'],
  [0x18, 0x06, 'recovered data: recommend rewrite'],
  [0x18, 0x08, 'recovered data with linking'],
  [0x1a, 0x00, 'parameter list length error'],
  [0x1b, 0x00, 'synchronous data transfer error'],
  [0x1d, 0x00, 'miscompare during verify operation'],
  [0x20, 0x00, 'invalid command operation code'],
  [0x20, 0x01, 'access denied: initiator pending-enrolled'],
  [0x21, 0x00, 'logical block address out of range'],
  [0x21, 0x01, 'invalid element address'],
  [0x21, 0x02, 'invalid address for write'],
  [0x21, 0x03, 'invalid write crossing layer jump'],
  [0x24, 0x00, 'invalid field in CDB'],
  [0x25, 0x00, 'logical unit not supported'],
  [0x26, 0x00, 'invalid field in parameter list'],
  [0x26, 0x01, 'parameter not supported'],
  [0x26, 0x02, 'parameter value invalid'],
  [0x26, 0x03, 'threshold parameters not supported'],
  [0x27, 0x00, 'disc is write-protected'],
  [0x27, 0x01, 'disc is write-protected by hardware'],
  [0x27, 0x02, 'disc is write-protected by software'],
  [0x27, 0x03, 'associated write protect'],
  [0x27, 0x04, 'persistent write protect'],
  [0x27, 0x05, 'permanent write protect'],
  [0x27, 0x06, 'conditional write protect'],
  [0x28, 0x00, 'disc changed (medium may have changed)'],
  [0x28, 0x01, 'import or export element accessed'],
  [0x28, 0x02, 'format layer may have changed'],
  [0x29, 0x00, 'power on, reset, or bus device reset occurred'],
  [0x29, 0x01, 'power on occurred'],
  [0x29, 0x02, 'SCSI bus reset occurred'],
  [0x29, 0x03, 'bus device reset function occurred'],
  [0x29, 0x04, 'device internal reset'],
  [0x2a, 0x00, 'parameters changed'],
  [0x2a, 0x01, 'mode parameters changed'],
  [0x2a, 0x02, 'log parameters changed'],
  [0x2a, 0x03, 'reservations preempted'],
  [0x2b, 0x00, 'copy cannot execute since host cannot disconnect'],
  [0x2c, 0x00, 'command sequence error'],
  [0x2c, 0x03, 'current program area is not empty'],
  [0x2c, 0x04, 'current program area is empty'],
  [0x2e, 0x00, 'insufficient time for operation'],
  [0x2f, 0x00, 'commands cleared by another initiator'],
  [0x30, 0x00, 'incompatible medium installed'],
  [0x30, 0x01, 'cannot read medium: unknown format'],
  [0x30, 0x02, 'cannot read medium: incompatible format'],
  [0x30, 0x03, 'cleaning cartridge installed'],
  [0x30, 0x04, 'cannot write medium: unknown format'],
  [0x30, 0x05, 'cannot write medium: incompatible format'],
  [0x30, 0x06, 'cannot format medium: incompatible medium'],
  [0x30, 0x07, 'cleaning failure'],
  [0x30, 0x08, 'cannot write: application code mismatch'],
  [0x30, 0x09, 'current session not fixated for append'],
  [0x30, 0x10, 'medium not formatted'],
  [0x30, 0x11, 'incompatible volume type'],
  [0x31, 0x00, 'medium format corrupted'],
  [0x31, 0x01, 'format command failed'],
  [0x31, 0x02, 'zoned formatting failed due to spare linking'],
  [0x32, 0x00, 'no defect spare location available'],
  [0x34, 0x00, 'enclosure failure'],
  [0x35, 0x00, 'enclosure services failure'],
  [0x37, 0x00, 'rounded parameter'],
  [0x39, 0x00, 'saving parameters not supported'],
  [0x3a, 0x00, 'no disc in drive'],
  [0x3a, 0x01, 'no disc in drive (tray closed)'],
  [0x3a, 0x02, 'no disc in drive (tray open)'],
  [0x3a, 0x03, 'no disc in drive (loadable)'],
  [0x3b, 0x0d, 'medium destination element full'],
  [0x3b, 0x0e, 'medium source element empty'],
  [0x3b, 0x0f, 'end of medium reached'],
  [0x3b, 0x11, 'medium magazine not accessible'],
  [0x3b, 0x12, 'medium magazine removed'],
  [0x3b, 0x13, 'medium magazine inserted'],
  [0x3b, 0x14, 'medium magazine locked'],
  [0x3b, 0x15, 'medium magazine unlocked'],
  [0x3b, 0x16, 'mechanical positioning or changer error'],
  [0x3d, 0x00, 'invalid bits in identify message'],
  [0x3e, 0x00, 'logical unit has not self-configured yet'],
  [0x3e, 0x01, 'logical unit failure'],
  [0x3e, 0x02, 'timeout on logical unit'],
  [0x3f, 0x00, 'target operating conditions have changed'],
  [0x3f, 0x01, 'microcode has been changed'],
  [0x3f, 0x02, 'changed operating definition'],
  [0x3f, 0x03, 'inquiry data has changed'],
  [0x3f, 0x0e, 'reported LUNs data has changed'],
  [0x40, -1, 'diagnostic failure on component'],
  [0x43, 0x00, 'message error'],
  [0x44, 0x00, 'internal target failure'],
  [0x45, 0x00, 'select or reselect failure'],
  [0x46, 0x00, 'unsuccessful soft reset'],
  [0x47, 0x00, 'SCSI parity error'],
  [0x47, 0x03, 'information unit CRC error detected'],
  [0x48, 0x00, 'initiator detected error message received'],
  [0x49, 0x00, 'invalid message error'],
  [0x4a, 0x00, 'command phase error'],
  [0x4b, 0x00, 'data phase error'],
  [0x4c, 0x00, 'logical unit failed self-configuration'],
  [0x4e, 0x00, 'overlapped commands attempted'],
  [0x51, 0x00, 'erase failure'],
  [0x51, 0x01, 'erase failure: incomplete erase operation detected'],
  [0x53, 0x00, 'media load or eject failed'],
  [0x53, 0x02, 'medium removal prevented (tray is locked)'],
  [0x55, 0x00, 'system resource failure'],
  [0x57, 0x00, 'unable to recover table-of-contents'],
  [0x5a, 0x00, 'operator request or state change input'],
  [0x5a, 0x01, 'operator medium removal request (eject button pressed)'],
  [0x5a, 0x02, 'operator selected write protect'],
  [0x5a, 0x03, 'operator selected write permit'],
  [0x5b, 0x00, 'log exception'],
  [0x5d, 0x00, 'failure prediction threshold exceeded'],
  [0x5d, 0x01, 'media failure prediction threshold exceeded'],
  [0x5d, 0x02, 'drive failure prediction threshold exceeded'],
  [0x5d, 0x03, 'spare area exhaustion prediction threshold exceeded'],
  [0x5d, 0xff, 'failure prediction threshold exceeded (false)'],
  [0x5e, 0x00, 'low power condition on'],
  [0x5e, 0x01, 'idle condition activated by timer'],
  [0x5e, 0x02, 'standby condition activated by timer'],
  [0x5e, 0x03, 'idle condition activated by command'],
  [0x5e, 0x04, 'standby condition activated by command'],
  [0x63, 0x00, 'end of user area encountered on this track'],
  [0x63, 0x01, 'packet does not fit in available space'],
  [0x64, 0x00, 'illegal mode for this track'],
  [0x64, 0x01, 'invalid packet size'],
  [0x65, 0x00, 'voltage fault'],
  [0x6f, 0x00, 'copy protection key exchange failure: authentication failure'],
  [0x6f, 0x01, 'copy protection key exchange failure: key not present'],
  [0x6f, 0x02, 'copy protection key exchange failure: key not established'],
  [0x6f, 0x03, 'read of scrambled sector without authentication'],
  [0x6f, 0x04, 'media region code is mismatched to logical unit region'],
  [0x6f, 0x05, 'drive region must be permanent / region reset count error'],
  [0x6f, 0x06, 'insufficient block count for binding nonce recording'],
  [0x6f, 0x07, 'conflict in binding nonce recording'],
  [0x72, 0x00, 'session fixation error'],
  [0x72, 0x01, 'session fixation error writing lead-in'],
  [0x72, 0x02, 'session fixation error writing lead-out'],
  [0x72, 0x03, 'session fixation error: incomplete track in session'],
  [0x72, 0x04, 'empty or partially written reserved track'],
  [0x72, 0x05, 'no more track reservations allowed'],
  [0x72, 0x06, 'RMZ extension is not allowed'],
  [0x72, 0x07, 'no more test zone extensions are allowed'],
  [0x73, 0x00, 'CD control error'],
  [0x73, 0x01, 'power calibration area almost full'],
  [0x73, 0x02, 'power calibration area is full'],
  [0x73, 0x03, 'power calibration area error'],
  [0x73, 0x04, 'program memory area update failure'],
  [0x73, 0x05, 'program memory area is full'],
  [0x73, 0x06, 'RMA/PMA is almost full'],
  [0x73, 0x10, 'current power calibration area almost full'],
  [0x73, 0x11, 'current power calibration area is full'],
  [0x73, 0x17, 'RDZ is full'],
  // Further SPC-4 Annex D.2 entries (other device types share the table; kept so any drive's sense reads well).
  [0x04, 0x05, 'drive not ready: rebuild in progress'],
  [0x04, 0x06, 'drive not ready: recalculation in progress'],
  [0x04, 0x0a, 'drive not ready: asymmetric access state transition'],
  [0x04, 0x0b, 'drive not ready: target port in standby state'],
  [0x04, 0x0c, 'drive not ready: target port in unavailable state'],
  [0x04, 0x10, 'drive not ready: auxiliary memory not accessible'],
  [0x04, 0x11, 'drive not ready: notify (enable spinup) required'],
  [0x04, 0x13, 'drive not ready: SA creation in progress'],
  [0x0c, 0x01, 'write error: recovered with auto reallocation'],
  [0x0c, 0x0b, 'write error: auxiliary memory write error'],
  [0x0c, 0x0f, 'write error: defects in error window'],
  [0x10, 0x01, 'logical block guard check failed'],
  [0x10, 0x02, 'logical block application tag check failed'],
  [0x10, 0x03, 'logical block reference tag check failed'],
  [0x11, 0x03, 'multiple read errors'],
  [0x11, 0x04, 'unrecovered read error: auto reallocate failed'],
  [0x11, 0x07, 'data re-synchronization error'],
  [0x11, 0x0a, 'miscorrected error'],
  [0x11, 0x0b, 'unrecovered read error: recommend reassignment'],
  [0x11, 0x0c, 'unrecovered read error: recommend rewrite the data'],
  [0x11, 0x0d, 'de-compression CRC error'],
  [0x11, 0x0e, 'cannot decompress using declared algorithm'],
  [0x11, 0x12, 'auxiliary memory read error'],
  [0x11, 0x13, 'read error: failed retransmission request'],
  [0x12, 0x00, 'address mark not found for ID field'],
  [0x13, 0x00, 'address mark not found for data field'],
  [0x14, 0x05, 'record not found: recommend reassignment'],
  [0x14, 0x06, 'record not found: data auto-reallocated'],
  [0x16, 0x00, 'data synchronization mark error'],
  [0x19, 0x00, 'defect list error'],
  [0x1c, 0x00, 'defect list not found'],
  [0x1f, 0x00, 'partial defect list transfer'],
  [0x20, 0x02, 'access denied: no access rights'],
  [0x20, 0x03, 'access denied: invalid management ID key'],
  [0x20, 0x0b, 'access denied: ACL LUN conflict'],
  [0x24, 0x01, 'CDB decryption error'],
  [0x24, 0x08, 'invalid XCDB'],
  [0x26, 0x04, 'invalid release of persistent reservation'],
  [0x26, 0x05, 'data decryption error'],
  [0x26, 0x06, 'too many target descriptors'],
  [0x26, 0x07, 'unsupported target descriptor type code'],
  [0x26, 0x08, 'too many segment descriptors'],
  [0x26, 0x09, 'unsupported segment descriptor type code'],
  [0x26, 0x0a, 'unexpected inexact segment'],
  [0x26, 0x0b, 'inline data length exceeded'],
  [0x26, 0x0c, 'invalid operation for copy source or destination'],
  [0x26, 0x0d, 'copy segment granularity violation'],
  [0x26, 0x0e, 'invalid parameter while port is enabled'],
  [0x28, 0x03, 'import/export element accessed, medium changed'],
  [0x29, 0x05, 'transceiver mode changed to single-ended'],
  [0x29, 0x06, 'transceiver mode changed to LVD'],
  [0x29, 0x07, 'I_T nexus loss occurred'],
  [0x2a, 0x04, 'reservations released'],
  [0x2a, 0x05, 'registrations preempted'],
  [0x2a, 0x06, 'asymmetric access state changed'],
  [0x2a, 0x07, 'implicit asymmetric access state transition failed'],
  [0x2a, 0x08, 'priority changed'],
  [0x2a, 0x09, 'capacity data has changed'],
  [0x2c, 0x01, 'too many windows specified'],
  [0x2c, 0x02, 'invalid combination of windows specified'],
  [0x2c, 0x05, 'illegal power condition request'],
  [0x2c, 0x07, 'previous busy status'],
  [0x2c, 0x08, 'previous task set full status'],
  [0x2c, 0x09, 'previous reservation conflict status'],
  [0x2f, 0x01, 'commands cleared by power loss notification'],
  [0x2f, 0x02, 'commands cleared by device server'],
  [0x30, 0x0a, 'cleaning request rejected'],
  [0x30, 0x12, 'incompatible volume qualifier'],
  [0x35, 0x01, 'unsupported enclosure function'],
  [0x35, 0x02, 'enclosure services unavailable'],
  [0x35, 0x03, 'enclosure services transfer failure'],
  [0x35, 0x04, 'enclosure services transfer refused'],
  [0x38, 0x07, 'thin provisioning soft threshold reached'],
  [0x3b, 0x17, 'read past end of user object'],
  [0x3e, 0x03, 'logical unit failed self-test'],
  [0x3e, 0x04, 'logical unit unable to update self-test log'],
  [0x3f, 0x04, 'component device attached'],
  [0x3f, 0x05, 'device identifier changed'],
  [0x3f, 0x06, 'redundancy group created or modified'],
  [0x3f, 0x07, 'redundancy group deleted'],
  [0x3f, 0x0f, 'echo buffer overwritten'],
  [0x3f, 0x10, 'medium loadable'],
  [0x3f, 0x11, 'medium auxiliary memory accessible'],
  [0x41, 0x00, 'data path failure'],
  [0x42, 0x00, 'power-on or self-test failure'],
  [0x44, 0x71, 'ATA device failed set features'],
  [0x4b, 0x01, 'invalid target port transfer tag received'],
  [0x4b, 0x02, 'too much write data'],
  [0x4b, 0x03, 'ACK/NAK timeout'],
  [0x4b, 0x04, 'NAK received'],
  [0x4b, 0x05, 'data offset error'],
  [0x4b, 0x06, 'initiator response timeout'],
  [0x4d, -1, 'tagged overlapped commands, task tag'],
  [0x52, 0x00, 'cartridge fault'],
  [0x53, 0x01, 'unload tape failure'],
  [0x55, 0x01, 'system buffer full'],
  [0x55, 0x02, 'insufficient reservation resources'],
  [0x55, 0x03, 'insufficient resources'],
  [0x55, 0x04, 'insufficient registration resources'],
  [0x5c, 0x00, 'RPL status change'],
  [0x5d, 0x10, 'hardware impending failure: general hard drive failure'],
  [0x5e, 0x41, 'power state change to active'],
  [0x5e, 0x42, 'power state change to idle'],
  [0x5e, 0x43, 'power state change to standby'],
  [0x5e, 0x45, 'power state change to sleep'],
  [0x5e, 0x47, 'power state change to device control'],
  [0x60, 0x00, 'lamp failure'],
  [0x61, 0x00, 'video acquisition error'],
  [0x62, 0x00, 'scan head positioning error'],
  [0x66, 0x00, 'automatic document feeder cover up'],
  [0x67, 0x00, 'configuration failure'],
  [0x67, 0x0a, 'set target port groups command failed'],
  [0x68, 0x00, 'logical unit not configured'],
  [0x6a, 0x00, 'informational, refer to log'],
  [0x6b, 0x00, 'state change has occurred'],
  [0x6c, 0x00, 'rebuild failure occurred'],
  [0x6d, 0x00, 'recalculate failure occurred'],
  [0x6e, 0x00, 'command to logical unit failed'],
  [0x70, -1, 'decompression exception short algorithm ID'],
  [0x71, 0x00, 'decompression exception long algorithm ID'],
  [0x74, 0x00, 'security error'],
  [0x74, 0x08, 'digital signature validation failure'],
  [0x74, 0x0c, 'unable to decrypt parameter list'],
  [0x74, 0x71, 'logical unit access not authorized'],
  [0x00, 0x02, 'end-of-partition/medium detected'],
  [0x00, 0x04, 'beginning-of-partition/medium detected'],
  [0x00, 0x05, 'end-of-data detected'],
  [0x00, 0x1d, 'ATA pass through information available'],
  [0x08, 0x04, 'unreachable copy target'],
  [0x0e, 0x01, 'information unit too short'],
  [0x0e, 0x02, 'information unit too long'],
];

const TABLE = new Map<number, string>();
for (const [asc, ascq, text] of ASC_TABLE) TABLE.set(ascq < 0 ? (asc << 8) | 0x1ff : (asc << 8) | ascq, text);

/** Human text for an ASC/ASCQ pair; unknown pairs get a generic, still-informative text. */
export function ascText(asc: number, ascq: number): string {
  const exact = TABLE.get((asc << 8) | ascq);
  if (exact) return exact;
  const any = TABLE.get((asc << 8) | 0x1ff);
  if (any) return `${any} ${ascq.toString(16).padStart(2, '0')}h`;
  if (asc >= 0x80 || ascq >= 0x80) return `vendor specific condition (ASC ${hex(asc)}h, ASCQ ${hex(ascq)}h)`;
  return `unknown condition (ASC ${hex(asc)}h, ASCQ ${hex(ascq)}h)`;
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Disposition: what the caller should do. Follows the sense key semantics of SPC-4 §4.5.6, with
 * the NOT READY sub-cases that are transient (MMC-6 §4.1.6 "Long immediate operations").
 */
export function senseDisposition(key: number, asc: number, ascq: number): SenseDisposition {
  switch (key) {
    case SenseKey.NO_SENSE:
    case SenseKey.RECOVERED_ERROR:
    case SenseKey.COMPLETED:
      // 00/00/16 "operation in progress" is a poll answer for immediate operations.
      return 'continue';
    case SenseKey.NOT_READY:
      if (asc === 0x04 && [0x00, 0x01, 0x04, 0x07, 0x08, 0x09].includes(ascq)) return 'retry';
      if (asc === 0x3e && ascq === 0x00) return 'retry';
      return 'fail';
    case SenseKey.UNIT_ATTENTION:
      // Disc changed, reset, mode parameters changed: the command was not executed; resend it.
      return 'retry';
    case SenseKey.ABORTED_COMMAND:
      // Transport-level aborts (parity/CRC, overlapped commands) are transient.
      return 'retry';
    case SenseKey.HARDWARE_ERROR:
      if (asc === 0x08 && ascq === 0x01) return 'retry';
      return 'fail';
    default:
      return 'fail';
  }
}

export interface DecodedSense extends SenseData {
  disposition: SenseDisposition;
  text: string;
}

export function decodeSense(sense: Uint8Array | undefined): DecodedSense | undefined {
  const d = parseSense(sense);
  if (!d) return undefined;
  return { ...d, disposition: senseDisposition(d.key, d.asc, d.ascq), text: ascText(d.asc, d.ascq) };
}

/**
 * CHECK CONDITION → ScsiError. Missing/garbled sense becomes key 0 ASC 0 with a 'fail' disposition
 * (we cannot know it is safe to retry).
 */
export function senseToError(opcode: number, sense: Uint8Array | undefined, status = 0x02): ScsiError {
  const d = decodeSense(sense);
  if (!d) {
    // SAM-5 status codes: BUSY (08h) and TASK SET FULL (28h) are transient; RESERVATION CONFLICT (18h) is not.
    const text = status === 0x08 ? 'drive busy' : status === 0x28 ? 'task set full' : status === 0x18 ? 'reservation conflict' : `status ${hex(status)}h without sense data`;
    return new ScsiError({ opcode, senseKey: 0, asc: 0, ascq: 0, disposition: status === 0x08 || status === 0x28 ? 'retry' : 'fail', text });
  }
  let text = d.text;
  if (d.key !== SenseKey.NO_SENSE && !/^(no disc|disc|drive)/.test(text)) text = `${senseKeyName(d.key)}: ${text}`;
  if (!d.current) text += ' (deferred error from an earlier command)';
  if (d.information !== undefined && (d.key === SenseKey.MEDIUM_ERROR || d.asc === 0x21)) text += ` at LBA ${d.information | 0}`;
  return new ScsiError({ opcode, senseKey: d.key, asc: d.asc, ascq: d.ascq, disposition: d.disposition, text });
}

/** Table size, for coverage tests. */
export function senseTableEntries(): ReadonlyArray<[number, number, string]> {
  return ASC_TABLE;
}
