// Case generation: one seed image, then 1-8 mutations, each either structure-aware (a field of a
// known descriptor set to an interesting value, UDF tag checksum and CRC and GPT CRCs fixed up so
// the reader goes past its integrity checks) or generic (bytes, runs, sectors, truncation).
// Everything is drawn from Prng(caseSeed(runSeed, index)): a case is reproducible from two numbers.
import { crc32 } from 'node:zlib';
import { Prng, caseSeed } from './prng';
import { fixUdfTag, mapStructures, type Structure, type StructureKind, type StructureMap } from './structure-map';
import type { SeedImage } from './writer-seeds';

const S = 2048;

export interface PreparedSeed extends SeedImage {
  map: StructureMap;
}

export function prepareSeeds(seeds: SeedImage[]): PreparedSeed[] {
  return seeds.map((s) => ({ ...s, map: mapStructures(s.bytes) }));
}

export interface FuzzCase {
  index: number;
  seedIndex: number;
  seedName: string;
  bytes: Buffer;
  /** Human-readable list of what was done (for the crash record). */
  mutations: string[];
}

type FieldType = 'u8' | 'le16' | 'be16' | 'both16' | 'le32' | 'be32' | 'both32' | 'le64';
interface Field { at: number; type: FieldType; name: string }

const f = (at: number, type: FieldType, name: string): Field => ({ at, type, name });

// ECMA-119 §8.4 (PVD/SVD; §8.2 boot record 0x47) and the root record inside it (§9.1 at 156).
const VD_FIELDS = [f(0, 'u8', 'type'), f(80, 'both32', 'volume space size'), f(120, 'both16', 'set size'), f(128, 'both16', 'block size'), f(132, 'both32', 'path table size'),
  f(140, 'le32', 'L path table'), f(148, 'be32', 'M path table'), f(156, 'u8', 'root record length'), f(157, 'u8', 'root ext attr length'), f(158, 'both32', 'root extent'),
  f(166, 'both32', 'root size'), f(181, 'u8', 'root flags'), f(188, 'u8', 'root name length'), f(0x47, 'le32', 'boot catalog pointer'), f(88, 'u8', 'escape byte')];
// ECMA-119 §9.1.
const DIRREC_FIELDS = [f(0, 'u8', 'record length'), f(1, 'u8', 'ext attr length'), f(2, 'both32', 'extent'), f(10, 'both32', 'data length'), f(25, 'u8', 'flags'),
  f(26, 'u8', 'unit size'), f(27, 'u8', 'gap size'), f(28, 'both16', 'volume sequence'), f(32, 'u8', 'name length'), f(33, 'u8', 'name byte')];
// SUSP §4 header, then per signature (SUSP §5, RRIP §4.1).
const SUSP_FIELDS: Record<string, Field[]> = {
  '*': [f(2, 'u8', 'length'), f(3, 'u8', 'version')],
  CE: [f(4, 'both32', 'CE block'), f(12, 'both32', 'CE offset'), f(20, 'both32', 'CE length')],
  NM: [f(4, 'u8', 'NM flags'), f(5, 'u8', 'NM name byte')],
  SL: [f(4, 'u8', 'SL flags'), f(5, 'u8', 'component flags'), f(6, 'u8', 'component length'), f(7, 'u8', 'component byte')],
  PX: [f(4, 'both32', 'mode'), f(12, 'both32', 'links'), f(20, 'both32', 'uid')],
  TF: [f(4, 'u8', 'TF flags'), f(5, 'u8', 'TF year')],
  CL: [f(4, 'both32', 'child link')],
  PL: [f(4, 'both32', 'parent link')],
  SP: [f(4, 'u8', 'check byte'), f(6, 'u8', 'LEN_SKP')],
  ER: [f(4, 'u8', 'LEN_ID'), f(5, 'u8', 'LEN_DES'), f(6, 'u8', 'LEN_SRC')],
};
const SUSP_SIGS = ['CE', 'NM', 'SL', 'PX', 'TF', 'CL', 'PL', 'RE', 'ST', 'SP', 'ER', 'PD', 'PN', 'SF', 'ZF'];
// El Torito §2.1-2.5: entry slots of 32 bytes.
const CATALOG_FIELDS = [f(0, 'u8', 'header/indicator'), f(1, 'u8', 'platform/media'), f(2, 'le16', 'count/segment'), f(4, 'u8', 'system type'), f(6, 'le16', 'load size'), f(8, 'le32', 'load RBA'), f(30, 'u8', 'key')];
const CATALOG_HEADERS = [0x01, 0x88, 0x00, 0x90, 0x91, 0x44, 0x55];
// MBR entries at 446 + 16i.
const MBR_FIELDS = [f(0, 'u8', 'boot flag'), f(4, 'u8', 'type'), f(8, 'le32', 'start'), f(12, 'le32', 'sectors')];
// UEFI §5.3.2 header, §5.3.3 entries.
const GPT_HEADER_FIELDS = [f(8, 'le32', 'revision'), f(12, 'le32', 'header size'), f(24, 'le64', 'my LBA'), f(32, 'le64', 'alternate LBA'), f(40, 'le64', 'first usable'),
  f(48, 'le64', 'last usable'), f(72, 'le64', 'entries LBA'), f(80, 'le32', 'entry count'), f(84, 'le32', 'entry size')];
const GPT_ENTRY_FIELDS = [f(0, 'le32', 'type GUID'), f(32, 'le64', 'first LBA'), f(40, 'le64', 'last LBA'), f(56, 'le16', 'name char')];
// FAT BPB (Microsoft FAT 1.03 §3.1-3.3).
const FAT_FIELDS = [f(11, 'le16', 'bytes per sector'), f(13, 'u8', 'sectors per cluster'), f(14, 'le16', 'reserved'), f(16, 'u8', 'FATs'), f(17, 'le16', 'root entries'),
  f(19, 'le16', 'total16'), f(22, 'le16', 'FAT size'), f(32, 'le32', 'total32'), f(36, 'le32', 'FAT32 size'), f(44, 'le32', 'root cluster')];
// ECMA-167 per tag identifier (offsets from the tag).
const UDF_FIELDS: Record<number, Field[]> = {
  2: [f(16, 'le32', 'main VDS length'), f(20, 'le32', 'main VDS'), f(24, 'le32', 'reserve VDS length'), f(28, 'le32', 'reserve VDS')],
  5: [f(22, 'le16', 'partition number'), f(184, 'le32', 'access type'), f(188, 'le32', 'partition start'), f(192, 'le32', 'partition length')],
  6: [f(212, 'le32', 'block size'), f(248, 'le32', 'FSD length'), f(252, 'le32', 'FSD block'), f(256, 'le16', 'FSD partition'), f(264, 'le32', 'map table length'),
    f(268, 'le32', 'map count'), f(432, 'le32', 'LVID length'), f(436, 'le32', 'LVID'), f(440, 'u8', 'map type'), f(441, 'u8', 'map length'), f(444, 'le16', 'map partition'),
    f(480, 'le32', 'type-2 map field'), f(482, 'u8', 'sparing table count'), f(484, 'le32', 'sparing table size'), f(488, 'le32', 'sparing table location')],
  9: [f(28, 'le32', 'integrity type'), f(72, 'le32', 'partitions'), f(76, 'le32', 'impl use length')],
  256: [f(400, 'le32', 'root ICB length'), f(404, 'le32', 'root ICB block'), f(408, 'le16', 'root ICB partition')],
  257: [f(16, 'le16', 'file version'), f(18, 'u8', 'characteristics'), f(19, 'u8', 'L_FI'), f(20, 'le32', 'ICB length'), f(24, 'le32', 'ICB block'), f(28, 'le16', 'ICB partition'),
    f(36, 'le16', 'L_IU'), f(38, 'u8', 'name byte')],
  258: [f(16, 'le32', 'previous AED'), f(20, 'le32', 'L_AD')],
  259: [f(36, 'le32', 'indirect length'), f(40, 'le32', 'indirect block'), f(44, 'le16', 'indirect partition')],
  261: [f(27, 'u8', 'file type'), f(34, 'le16', 'ICB flags'), f(48, 'le16', 'link count'), f(56, 'le64', 'information length'), f(168, 'le32', 'L_EA'), f(172, 'le32', 'L_AD')],
  266: [f(27, 'u8', 'file type'), f(34, 'le16', 'ICB flags'), f(56, 'le64', 'information length'), f(208, 'le32', 'L_EA'), f(212, 'le32', 'L_AD')],
};

/** Names a hostile image may carry (issue 13): traversal, separators, dot names, NUL, terminal control. */
export const HOSTILE_NAMES = ['../../etc/passwd', 'a/b', '.', '..', 'a\0b', '\x1b[2J\x1b]0;pwned\x07', 'line\nbreak', '', '/', '\\..\\x', 'x'.repeat(255), '\u202eevil', '\ud800'];

class Ctx {
  truncateTo: number | undefined;

  constructor(public img: Buffer, readonly map: StructureMap, readonly rnd: Prng) {}

  get sectors(): number {
    return Math.max(1, Math.ceil(this.img.length / S));
  }

  /** An interesting 32-bit value for a field currently holding `cur`. */
  value32(cur: number): number {
    const r = this.rnd;
    const n = this.sectors;
    const someStructure = () => (this.map.structures.length ? Math.floor(r.pick(this.map.structures).off / S) : 0);
    return r.weighted<() => number>([
      [3, () => r.pick([0, 1, 2, 15, 16, 17, 18, 255, 256, 257, 0x7fff, 0x8000, 0xffff, 0x10000])],
      [3, () => r.pick([0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x1fffffff, 0x3fffffff, 0xc0000000])],
      [3, () => r.pick([n - 1, n, n + 1, n + 16, n * 2]) >>> 0],
      [2, () => (cur + r.pick([1, -1, 2, -2, 2048, -2048])) >>> 0],
      [1, () => (cur * 2) >>> 0],
      [3, () => r.int(n)],
      [3, someStructure],
      [2, () => r.pick([32 * 1024 * 1024, 32 * 1024 * 1024 + 1, 65536, 65537, 2048 * 1000, 0xfffff800])],
      [2, () => r.u32()],
    ])() >>> 0;
  }

  write(off: number, type: FieldType, v: number): void {
    const b = this.img;
    const fits = (n: number) => off >= 0 && off + n <= b.length;
    switch (type) {
      case 'u8': if (fits(1)) b[off] = v & 0xff; break;
      case 'le16': if (fits(2)) b.writeUInt16LE(v & 0xffff, off); break;
      case 'be16': if (fits(2)) b.writeUInt16BE(v & 0xffff, off); break;
      case 'both16':
        if (fits(4)) {
          b.writeUInt16LE(v & 0xffff, off);
          // ECMA-119 §7.2.3: mostly consistent, sometimes not (the reader warns and goes on).
          b.writeUInt16BE(this.rnd.chance(0.9) ? v & 0xffff : this.rnd.int(0x10000), off + 2);
        }
        break;
      case 'le32': if (fits(4)) b.writeUInt32LE(v >>> 0, off); break;
      case 'be32': if (fits(4)) b.writeUInt32BE(v >>> 0, off); break;
      case 'both32':
        if (fits(8)) {
          b.writeUInt32LE(v >>> 0, off);
          b.writeUInt32BE(this.rnd.chance(0.9) ? v >>> 0 : this.rnd.u32(), off + 4);
        }
        break;
      case 'le64':
        if (fits(8)) {
          const hi = this.rnd.weighted([[6, 0], [1, 0xffffffff], [1, 1], [1, this.rnd.u32()]]);
          b.writeUInt32LE(v >>> 0, off);
          b.writeUInt32LE(hi >>> 0, off + 4);
        }
        break;
    }
  }

  read(off: number, type: FieldType): number {
    const b = this.img;
    if (off < 0 || off + 4 > b.length) return 0;
    return type === 'u8' ? b[off] : type === 'le16' || type === 'both16' ? b.readUInt16LE(off) : type === 'be16' ? b.readUInt16BE(off) : type === 'be32' ? b.readUInt32BE(off) : b.readUInt32LE(off);
  }

  /** Sets one field of `st` from a table; small fields get byte-sized values. */
  field(st: Structure, fields: Field[]): string {
    const fl = this.rnd.pick(fields);
    const off = st.off + fl.at;
    const cur = this.read(off, fl.type);
    let v = this.value32(cur);
    if (fl.type === 'u8') v = this.rnd.chance(0.5) ? this.rnd.int(256) : this.rnd.pick([0, 1, 2, 3, 4, 5, 33, 34, 0x7f, 0x80, 0xfe, 0xff, cur ^ (1 << this.rnd.int(8))]);
    else if (fl.type.endsWith('16')) v = this.rnd.chance(0.5) ? this.rnd.int(0x10000) : this.rnd.pick([0, 1, 0xffff, 0x8000, cur + 1, cur - 1]) & 0xffff;
    this.write(off, fl.type, v);
    return `${st.kind}@${st.off} ${fl.name}=${v}`;
  }

  structure(kind: StructureKind): Structure | undefined {
    const list = this.map.byKind.get(kind);
    return list?.length ? this.rnd.pick(list) : undefined;
  }
}

// ---- structure-aware mutations ------------------------------------------------------------------

function mutateVd(c: Ctx, st: Structure): string {
  return c.field(st, VD_FIELDS);
}

function mutateDirRecord(c: Ctx, st: Structure): string {
  const r = c.rnd;
  const op = r.int(10);
  if (op < 6) return c.field(st, DIRREC_FIELDS);
  if (op < 8) {
    // Aim the extent at another directory's extent (loops, shared and overlapping directories).
    const other = c.structure('dirrec');
    if (!other) return c.field(st, DIRREC_FIELDS);
    const lba = c.img.readUInt32LE(other.off + 2);
    c.write(st.off + 2, 'both32', lba + (r.chance(0.3) ? r.int(3) : 0));
    if (r.chance(0.5)) c.img[st.off + 25] |= 2;
    if (r.chance(0.3)) c.write(st.off + 10, 'both32', r.pick([2048, 4096, 32 * 1024 * 1024, c.img.length]));
    return `dirrec@${st.off} extent -> ${lba} (loop/overlap)`;
  }
  // A hostile name in the ISO identifier itself (names without Rock Ridge).
  const name = Buffer.from(r.pick(HOSTILE_NAMES), 'latin1');
  const room = c.img[st.off + 32];
  name.copy(c.img, st.off + 33, 0, Math.min(room, name.length));
  if (name.length < room && r.chance(0.5)) c.img[st.off + 32] = name.length;
  return `dirrec@${st.off} name=${JSON.stringify(name.toString('latin1'))}`;
}

function mutateSusp(c: Ctx, st: Structure): string {
  const r = c.rnd;
  const sig = c.img.toString('latin1', st.off, st.off + 2);
  const op = r.int(12);
  if (op < 2) {
    const to = r.pick(SUSP_SIGS);
    c.img.write(to, st.off, 'latin1');
    return `susp@${st.off} ${sig}->${to}`;
  }
  if (op < 4 || !SUSP_FIELDS[sig]) return c.field(st, SUSP_FIELDS['*']);
  if (op < 7 && sig === 'NM' && st.len > 5) {
    // RRIP §4.1.4 NM with a hostile name, length adjusted when the name is shorter.
    const name = Buffer.from(r.pick(HOSTILE_NAMES), 'utf8');
    const room = st.len - 5;
    c.img[st.off + 4] = r.chance(0.8) ? 0 : r.int(8);
    name.copy(c.img, st.off + 5, 0, Math.min(room, name.length));
    if (name.length < room) c.img[st.off + 2] = 5 + name.length;
    return `susp@${st.off} NM=${JSON.stringify(name.toString('utf8'))}`;
  }
  if (op < 8 && sig === 'CE') {
    // A continuation area pointing at itself, at another SUSP area, or past the end.
    const other = c.structure('susp') ?? st;
    c.write(st.off + 4, 'both32', Math.floor(other.off / S));
    c.write(st.off + 12, 'both32', r.chance(0.5) ? other.off % S : r.pick([0, 2047, 2048, 4096, 0xffffffff]));
    c.write(st.off + 20, 'both32', r.pick([0, 4, 28, 2048, 4096, 65536, 0xffffffff, r.int(2048)]));
    return `susp@${st.off} CE -> ${other.off}`;
  }
  return c.field(st, SUSP_FIELDS[sig]);
}

function mutatePathTable(c: Ctx, st: Structure): string {
  // Walk to a random record of the table (ECMA-119 §9.4) and set one of its fields.
  const le = st.id === 1;
  const records: number[] = [];
  for (let p = st.off; p + 8 <= st.off + st.len && records.length < 4096; ) {
    const n = c.img[p];
    if (n === 0) break;
    records.push(p);
    p += 8 + n + (n & 1);
  }
  const at = records.length ? c.rnd.pick(records) : st.off;
  const fields = [f(0, 'u8', 'name length'), f(1, 'u8', 'ext attr length'), f(2, le ? 'le32' : 'be32', 'extent'), f(6, le ? 'le16' : 'be16', 'parent'), f(8, 'u8', 'name byte')];
  return c.field({ kind: 'pathtable', off: at, len: 8 }, fields);
}

function mutateCatalog(c: Ctx, st: Structure): string {
  const r = c.rnd;
  const slot = st.off + 32 * r.int(r.chance(0.7) ? 4 : 64);
  let what: string;
  if (r.chance(0.3)) {
    c.img[slot] = r.pick(CATALOG_HEADERS);
    what = `catalog slot@${slot} header=${c.img[slot]}`;
  } else what = c.field({ kind: 'catalog', off: slot, len: 32 }, CATALOG_FIELDS);
  if (r.chance(0.7)) {
    // §2.1: the validation entry's 16 words sum to zero; fix the checksum word (bytes 28-29).
    c.img.writeUInt16LE(0, st.off + 28);
    let sum = 0;
    for (let i = 0; i < 32; i += 2) sum = (sum + c.img.readUInt16LE(st.off + i)) & 0xffff;
    c.img.writeUInt16LE((0x10000 - sum) & 0xffff, st.off + 28);
  }
  return what;
}

function mutateMbr(c: Ctx, st: Structure): string {
  return c.field({ kind: 'mbr', off: st.off + 446 + 16 * c.rnd.int(4), len: 16 }, MBR_FIELDS);
}

function fixGpt(c: Ctx): void {
  for (const h of c.map.byKind.get('gpt-header') ?? []) {
    const b = c.img;
    const bs = h.id ?? 512;
    const entries = Number(b.readBigUInt64LE(h.off + 72)) * bs;
    const bytes = b.readUInt32LE(h.off + 80) * b.readUInt32LE(h.off + 84);
    if (entries >= 0 && bytes <= 1 << 20 && entries + bytes <= b.length) b.writeUInt32LE(crc32(b.subarray(entries, entries + bytes)) >>> 0, h.off + 88);
    const size = Math.min(512, Math.max(92, b.readUInt32LE(h.off + 12)));
    if (h.off + size > b.length) continue;
    b.writeUInt32LE(0, h.off + 16);
    b.writeUInt32LE(crc32(b.subarray(h.off, h.off + size)) >>> 0, h.off + 16);
  }
}

function mutateGpt(c: Ctx, st: Structure): string {
  let what: string;
  if (st.kind === 'gpt-header') what = c.field(st, GPT_HEADER_FIELDS);
  else what = c.field({ kind: 'gpt-entries', off: st.off + 128 * c.rnd.int(Math.max(1, Math.floor(st.len / 128))), len: 128 }, GPT_ENTRY_FIELDS);
  if (c.rnd.chance(0.8)) fixGpt(c);
  return what;
}

function mutateFat(c: Ctx, st: Structure): string {
  return c.field(st, FAT_FIELDS);
}

function mutateUdf(c: Ctx, st: Structure): string {
  const r = c.rnd;
  const id = st.id ?? 0;
  const b = c.img;
  let what: string;
  const table = UDF_FIELDS[id];
  const op = r.int(10);
  if ((id === 261 || id === 266 || id === 258) && op < 4) {
    // An allocation descriptor (4/14.14): length with its type bits, block, partition.
    const lEa = id === 258 ? 0 : b.readUInt32LE(st.off + (id === 261 ? 168 : 208));
    const adStart = st.off + (id === 258 ? 24 : id === 261 ? 176 : 216) + Math.min(lEa, S);
    const adType = id === 258 ? r.int(2) : b.readUInt16LE(st.off + 34) & 7;
    const step = adType === 0 ? 8 : adType === 1 ? 16 : 20;
    const at = adStart + step * r.int(4);
    const type = r.pick([0, 0, 1, 2, 3]);
    const len = r.chance(0.5) ? r.pick([0, 1, 2048, 4096, 0x3fffffff, 0x3ffff800]) : c.value32(0) & 0x3fffffff;
    c.write(at, 'le32', ((type << 30) | len) >>> 0);
    c.write(at + 4, 'le32', c.value32(c.read(at + 4, 'le32')));
    if (adType === 1 && r.chance(0.3)) c.write(at + 8, 'le16', r.pick([0, 1, 2, 0xffff]));
    what = `udf tag ${id}@${st.off} AD@${at - st.off} type ${type} length ${len}`;
  } else if (id === 257 && op < 6) {
    // FID name (OSTA CS0: compression ID 8 or 16, then the characters) set to a hostile name.
    const name = r.pick(HOSTILE_NAMES);
    const lFi = b[st.off + 19];
    const nameAt = st.off + 38 + b.readUInt16LE(st.off + 36);
    const wide = r.chance(0.3);
    const bytes = wide ? Buffer.from(name, 'utf16le').swap16() : Buffer.from(name, 'latin1');
    if (lFi > 0 && nameAt + lFi <= b.length) {
      b[nameAt] = r.chance(0.9) ? (wide ? 16 : 8) : r.pick([0, 254, 255]);
      bytes.copy(b, nameAt + 1, 0, Math.min(lFi - 1, bytes.length));
      if (bytes.length + 1 < lFi) b.fill(0, nameAt + 1 + bytes.length, nameAt + lFi);
    }
    what = `udf FID@${st.off} name=${JSON.stringify(name)}`;
  } else if (id === 257 && op < 8) {
    // The FID's ICB aimed at another ICB: shared entries, directory loops.
    const target = c.structure('udf-tag');
    const fe = target ? Math.floor(target.off / S) : 0;
    const start = partitionStartGuess(c);
    c.write(st.off + 24, 'le32', Math.max(0, fe - start));
    if (r.chance(0.5)) b[st.off + 18] |= 2; // directory characteristic
    what = `udf FID@${st.off} ICB -> sector ${fe}`;
  } else if (table && op < 9) {
    what = `udf ${c.field(st, table)}`;
  } else {
    const at = st.off + 16 + r.int(Math.max(1, st.len - 16));
    c.write(at, r.pick(['u8', 'le16', 'le32'] as const), c.value32(0));
    what = `udf tag ${id}@${st.off} byte ${at - st.off}`;
  }
  // Fix the tag so the reader goes on (sometimes not: the checks themselves are fuzzed too).
  if (r.chance(0.93)) fixUdfTag(b, st.off, r.chance(0.95));
  return what;
}

/** The first partition descriptor's start (3/10.5 at 188), for turning sectors into blocks. */
function partitionStartGuess(c: Ctx): number {
  const pd = c.map.byKind.get('udf-tag')?.find((t) => t.id === 5);
  return pd ? c.img.readUInt32LE(pd.off + 188) : 0;
}

const STRUCTURE_MUTATORS: [StructureKind, number, (c: Ctx, st: Structure) => string][] = [
  ['vd', 2, mutateVd],
  ['dirrec', 5, mutateDirRecord],
  ['susp', 5, mutateSusp],
  ['pathtable', 1, mutatePathTable],
  ['catalog', 3, mutateCatalog],
  ['mbr', 2, mutateMbr],
  ['gpt-header', 2, mutateGpt],
  ['gpt-entries', 1, mutateGpt],
  ['fat', 1, mutateFat],
  ['udf-tag', 7, mutateUdf],
];

function mutateStructure(c: Ctx): string | undefined {
  const available = STRUCTURE_MUTATORS.filter(([k]) => c.map.byKind.get(k)?.length);
  if (!available.length) return undefined;
  const [kind, , fn] = c.rnd.weighted(available.map((m) => [m[1], m] as const));
  return fn(c, c.structure(kind)!);
}

// ---- generic mutations -------------------------------------------------------------------------

function mutateGeneric(c: Ctx): string {
  const r = c.rnd;
  const hot = c.map.hotSectors;
  const sector = hot.length && r.chance(0.8) ? r.pick(hot) : r.int(c.sectors);
  const pos = Math.min(c.img.length - 1, sector * S + r.int(S));
  const op = r.int(100);
  if (op < 30) {
    c.img[pos] ^= 1 << r.int(8);
    return `flip bit @${pos}`;
  }
  if (op < 50) {
    c.img[pos] = r.int(256);
    return `byte @${pos}`;
  }
  if (op < 65) {
    c.write(pos & ~3, 'le32', c.value32(c.read(pos & ~3, 'le32')));
    return `u32 @${pos & ~3}`;
  }
  if (op < 75) {
    const n = 1 + r.int(r.chance(0.8) ? 64 : 2048);
    c.img.fill(r.pick([0, 0xff, r.int(256)]), pos, Math.min(c.img.length, pos + n));
    return `fill ${n} @${pos}`;
  }
  if (op < 85) {
    // Copy one sector over another: duplicated descriptors, directories where data was.
    const from = r.chance(0.7) && hot.length ? r.pick(hot) : r.int(c.sectors);
    c.img.copy(c.img, sector * S, from * S, Math.min(c.img.length, from * S + S));
    return `copy sector ${from} -> ${sector}`;
  }
  if (op < 93) {
    // Applied after the other mutations (their offsets are the seed's).
    const keep = r.chance(0.5) ? r.int(c.sectors + 1) * S : r.int(c.img.length + 1);
    c.truncateTo = Math.min(c.truncateTo ?? keep, keep);
    return `truncate to ${keep}`;
  }
  const extra = r.pick([1, 2, 16, 256, 1 + r.int(600)]);
  c.img = Buffer.concat([c.img, Buffer.alloc(extra * S, r.chance(0.7) ? 0 : r.int(256))]);
  return `extend by ${extra} sectors`;
}

/** Case `index` of run `runSeed` over the prepared corpus. */
export function generateCase(corpus: PreparedSeed[], runSeed: number, index: number): FuzzCase {
  const r = new Prng(caseSeed(runSeed, index));
  const seedIndex = r.int(corpus.length);
  const seed = corpus[seedIndex];
  const c = new Ctx(Buffer.from(seed.bytes), seed.map, r);
  const mutations: string[] = [];
  // A few cases run the seed as it is: the hostile seeds themselves must be handled.
  if (!r.chance(0.03)) {
    const n = r.weighted([[4, 1], [3, 2], [2, 3], [1, 4], [1, 6], [1, 8]]);
    for (let k = 0; k < n; k++) {
      try {
        const m = r.chance(0.7) ? mutateStructure(c) : undefined;
        mutations.push(m ?? mutateGeneric(c));
      } catch (err) {
        // A field of a structure that ends at the image's end: nothing written past it.
        if (!(err instanceof RangeError)) throw err;
        mutations.push('(field past the end: skipped)');
      }
    }
    if (c.truncateTo !== undefined) c.img = c.img.subarray(0, c.truncateTo);
  }
  return { index, seedIndex, seedName: seed.name, bytes: c.img, mutations };
}
