// GET CONFIGURATION (MMC-6 §6.6) and the features a burner needs (MMC-6 §5.3).
import { cdb, checkField, put16, ResponseView } from '../bytes';
import { cmdIn, type MmcCommand } from '../command';
import { Op } from '../opcodes';
import { profileName } from '../profiles';
import type { MediaProfileName } from '../../common/model/drive';

/** Feature codes (MMC-6). */
export const Feature = {
  PROFILE_LIST: 0x0000,
  CORE: 0x0001,
  MORPHING: 0x0002,
  REMOVABLE_MEDIUM: 0x0003,
  WRITE_PROTECT: 0x0004,
  RANDOM_READABLE: 0x0010,
  MULTI_READ: 0x001d,
  CD_READ: 0x001e,
  DVD_READ: 0x001f,
  RANDOM_WRITABLE: 0x0020,
  INCREMENTAL_STREAMING_WRITABLE: 0x0021,
  FORMATTABLE: 0x0023,
  HARDWARE_DEFECT_MANAGEMENT: 0x0024,
  WRITE_ONCE: 0x0025,
  RESTRICTED_OVERWRITE: 0x0026,
  CD_RW_CAV_WRITE: 0x0027,
  MRW: 0x0028,
  ENHANCED_DEFECT_REPORTING: 0x0029,
  DVD_PLUS_RW: 0x002a,
  DVD_PLUS_R: 0x002b,
  RIGID_RESTRICTED_OVERWRITE: 0x002c,
  CD_TRACK_AT_ONCE: 0x002d,
  CD_MASTERING: 0x002e,
  DVD_MINUS_R_RW_WRITE: 0x002f,
  LAYER_JUMP_RECORDING: 0x0033,
  CD_RW_MEDIA_WRITE_SUPPORT: 0x0037,
  BD_R_POW: 0x0038,
  DVD_PLUS_RW_DL: 0x003a,
  DVD_PLUS_R_DL: 0x003b,
  BD_READ: 0x0040,
  BD_WRITE: 0x0041,
  POWER_MANAGEMENT: 0x0100,
  TIMEOUT: 0x0105,
  REAL_TIME_STREAMING: 0x0107,
  DRIVE_SERIAL_NUMBER: 0x0108,
} as const;

export type RequestType = 'all' | 'current' | 'one';

export function buildGetConfiguration(opts: { rt?: RequestType; startingFeature?: number; allocationLength?: number } = {}): MmcCommand {
  const alloc = opts.allocationLength ?? 0xfff8;
  checkField('allocationLength', alloc, 16);
  const start = checkField('startingFeature', opts.startingFeature ?? 0, 16);
  const b = cdb(10, Op.GET_CONFIGURATION);
  b[1] = { all: 0, current: 1, one: 2 }[opts.rt ?? 'all'];
  put16(b, 2, start);
  put16(b, 7, alloc);
  return cmdIn(b, alloc);
}

export interface FeatureDescriptor {
  code: number;
  version: number;
  persistent: boolean;
  current: boolean;
  /** The feature-dependent bytes after the 4-byte header. */
  data: Uint8Array;
}

export interface ProfileEntry {
  number: number;
  name: MediaProfileName;
  current: boolean;
}

/** Decoded fields of the features a burner branches on; absent features are undefined. */
export interface FeatureSummary {
  /** Core (0001h, §5.3.2): physical interface standard (1 SCSI, 2 ATAPI, 7 Serial ATAPI, 8 USB …). */
  core?: { physicalInterface: number };
  /** Random Readable (0010h, §5.3.5): logical block size, blocking (blocks per ECC unit). */
  randomReadable?: { blockSize: number; blocking: number };
  removable?: { loadingMechanism: number; eject: boolean; lock: boolean; preventJumper: boolean };
  incrementalStreaming?: { dataBlockTypes: number; bufferUnderrunFree: boolean; linkSizes: number[] };
  cdTao?: { bufferUnderrunFree: boolean; testWrite: boolean; cdRw: boolean; rwSubcode: boolean; dataBlockTypes: number };
  cdMastering?: { bufferUnderrunFree: boolean; sao: boolean; rawMultiSession: boolean; raw: boolean; testWrite: boolean; cdRw: boolean; maxCueSheetLength: number };
  dvdMinusRWrite?: { bufferUnderrunFree: boolean; dualLayer: boolean; testWrite: boolean; dvdRw: boolean };
  dvdPlusRw?: { write: boolean; closeOnly: boolean; quickStart: boolean };
  dvdPlusR?: { write: boolean };
  dvdPlusRDl?: { write: boolean };
  bdWrite?: { svnr: boolean };
  formattable?: { renosa: boolean; expand: boolean; qcert: boolean; cert: boolean; rrm: boolean };
  realTimeStreaming?: { readBufferCapacityBlock: boolean; setCdSpeed: boolean; mode2a: boolean; writeSpeedPerformance: boolean; streamWriting: boolean };
  randomWritable?: { lastLba: number; blockSize: number };
}

export interface Configuration {
  currentProfile: number;
  currentProfileName: MediaProfileName;
  profiles: ProfileEntry[];
  features: Map<number, FeatureDescriptor>;
  summary: FeatureSummary;
}

export function parseGetConfiguration(data: Uint8Array): Configuration {
  const v = new ResponseView('GET CONFIGURATION', data);
  v.need(8, 'feature header');
  // Data Length counts the bytes after itself (§6.6.2.1); trust only what was transferred.
  const end = v.clip(v.u32(0) + 4);
  const currentProfile = v.u16(6);
  const features = new Map<number, FeatureDescriptor>();
  for (let off = 8; off + 4 <= end; ) {
    const len = v.u8(off + 3);
    if (off + 4 + len > end) break; // truncated descriptor: stop, keep what is complete
    const b2 = v.u8(off + 2);
    const code = v.u16(off);
    if (!features.has(code)) {
      features.set(code, { code, version: (b2 >> 2) & 0x0f, persistent: (b2 & 2) !== 0, current: (b2 & 1) !== 0, data: v.bytes(off + 4, len).slice() });
    }
    off += 4 + len;
  }
  const profiles: ProfileEntry[] = [];
  const pl = features.get(Feature.PROFILE_LIST);
  if (pl) {
    for (let i = 0; i + 4 <= pl.data.length; i += 4) {
      const number = (pl.data[i] << 8) | pl.data[i + 1];
      profiles.push({ number, name: profileName(number), current: (pl.data[i + 2] & 1) !== 0 });
    }
  }
  return { currentProfile, currentProfileName: profileName(currentProfile), profiles, features, summary: summarize(features) };
}

function summarize(features: Map<number, FeatureDescriptor>): FeatureSummary {
  const s: FeatureSummary = {};
  const get = (code: number) => {
    const f = features.get(code);
    return f ? new ResponseView('GET CONFIGURATION', f.data) : undefined;
  };
  const bit = (v: ResponseView, off: number, b: number) => v.has(off) && v.bit(off, b);
  const u8 = (v: ResponseView, off: number) => (v.has(off) ? v.u8(off) : 0);
  const u16 = (v: ResponseView, off: number) => (v.has(off, 2) ? v.u16(off) : 0);
  let f: ResponseView | undefined;
  if ((f = get(Feature.CORE)) && f.has(0, 4)) s.core = { physicalInterface: f.u32(0) };
  if ((f = get(Feature.RANDOM_READABLE)) && f.has(0, 6)) s.randomReadable = { blockSize: f.u32(0), blocking: f.u16(4) };
  // Offsets below are relative to the feature-dependent data (descriptor byte 4 = data byte 0).
  if ((f = get(Feature.REMOVABLE_MEDIUM))) s.removable = { loadingMechanism: u8(f, 0) >> 5, eject: bit(f, 0, 3), preventJumper: bit(f, 0, 2), lock: bit(f, 0, 0) };
  if ((f = get(Feature.INCREMENTAL_STREAMING_WRITABLE))) {
    const n = u8(f, 3);
    const linkSizes: number[] = [];
    for (let i = 0; i < n && f.has(4 + i); i++) linkSizes.push(f.u8(4 + i));
    s.incrementalStreaming = { dataBlockTypes: u16(f, 0), bufferUnderrunFree: bit(f, 2, 0), linkSizes };
  }
  if ((f = get(Feature.CD_TRACK_AT_ONCE))) s.cdTao = { bufferUnderrunFree: bit(f, 0, 6), rwSubcode: bit(f, 0, 0), testWrite: bit(f, 0, 2), cdRw: bit(f, 0, 1), dataBlockTypes: u16(f, 2) };
  if ((f = get(Feature.CD_MASTERING))) {
    s.cdMastering = {
      bufferUnderrunFree: bit(f, 0, 6), sao: bit(f, 0, 5), rawMultiSession: bit(f, 0, 4), raw: bit(f, 0, 3), testWrite: bit(f, 0, 2), cdRw: bit(f, 0, 1),
      maxCueSheetLength: f.has(1, 3) ? f.u24(1) : 0,
    };
  }
  if ((f = get(Feature.DVD_MINUS_R_RW_WRITE))) s.dvdMinusRWrite = { bufferUnderrunFree: bit(f, 0, 6), dualLayer: bit(f, 0, 3), testWrite: bit(f, 0, 2), dvdRw: bit(f, 0, 1) };
  if ((f = get(Feature.DVD_PLUS_RW))) s.dvdPlusRw = { write: bit(f, 0, 0), closeOnly: bit(f, 1, 0), quickStart: bit(f, 1, 1) };
  if ((f = get(Feature.DVD_PLUS_R))) s.dvdPlusR = { write: bit(f, 0, 0) };
  if ((f = get(Feature.DVD_PLUS_R_DL))) s.dvdPlusRDl = { write: bit(f, 0, 0) };
  if ((f = get(Feature.BD_WRITE))) s.bdWrite = { svnr: bit(f, 0, 0) };
  if ((f = get(Feature.FORMATTABLE))) s.formattable = { renosa: bit(f, 0, 3), expand: bit(f, 0, 2), qcert: bit(f, 0, 1), cert: bit(f, 0, 0), rrm: bit(f, 4, 0) };
  if ((f = get(Feature.REAL_TIME_STREAMING))) {
    s.realTimeStreaming = { readBufferCapacityBlock: bit(f, 0, 4), setCdSpeed: bit(f, 0, 3), mode2a: bit(f, 0, 2), writeSpeedPerformance: bit(f, 0, 1), streamWriting: bit(f, 0, 0) };
  }
  if ((f = get(Feature.RANDOM_WRITABLE)) && f.has(0, 8)) s.randomWritable = { lastLba: f.u32(0), blockSize: f.u32(4) };
  return s;
}
