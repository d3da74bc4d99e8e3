// Reading a virtual recorder's state.json safely. The file is ours, but it sits in the user's
// config directory where anything can replace it: a hand edit, a half-synced copy, a FIFO or a
// device node. Before this module a corrupt file gave internal TypeErrors and negative NWAs, and a
// FIFO blocked the whole process in readFileSync (every drive command and `serve` start-up hung).
//
// MUST rules:
// - Only a regular file is read, at most STATE_FILE_MAX_BYTES. It is opened with O_NONBLOCK (a
//   FIFO cannot block the open) and checked with fstat on the opened descriptor before any read
//   (no check-then-open race).
// - The content is validated with RecorderStateSchema: types, ranges and the disc model's
//   invariants (tracks numbered 1..n in LBA order without overlap, sessions in order, every recorded
//   or reserved block and the NWA within the capacity, layer 0 within the disc).
// - Every refusal is a typed error naming the file and what is wrong (IoError for the file,
//   InvalidInputError for its content), never a TypeError.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import { InvalidInputError, IoError } from '../../common/errors';
import { MEDIA_TYPE_NAMES, type MediaTypeName } from '../../common/model/drive';
import type { RecorderState } from './disc-state';

/** Far above any real state (a BD-R's 7,927 tracks and its sub-channel ranges take well under 4 MiB). */
export const STATE_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** LBAs are 32-bit in MMC; the recorder never models more than 2^31 - 1 blocks. */
const MAX_BLOCKS = 0x7fff_ffff;
/**
 * The lowest LBA a CD cue sheet can address: the start of the lead-in (MSF 90:00:00 and above map
 * to negative LBAs, MMC-6 §4.2.3.8; the earliest ATIP lead-in start is about -45,000).
 */
const MIN_LBA = -451_350;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const blocks = int(0, MAX_BLOCKS);
const lba = int(MIN_LBA, MAX_BLOCKS);
/** SPC-4 INQUIRY identification: printable ASCII of a bounded length. */
const ascii = (max: number) => z.string().max(max).regex(/^[\x20-\x7e]*$/, 'printable ASCII only');

const TrackSchema = z.object({
  number: int(1, 0xffff),
  session: int(1, 0xffff),
  start: blocks,
  recorded: blocks,
  reserved: blocks.optional(),
  closed: z.boolean(),
  audio: z.boolean(),
  control: int(0, 15),
  dataMode: int(0, 15),
  runOut: int(0, 16).optional(),
  raw: z.boolean().optional(),
  pregap: int(0, 100_000).optional(),
  isrc: z.string().regex(/^[A-Z0-9]{12}$/, 'an ISRC').optional(),
});

const McnSchema = z.string().regex(/^\d{13}$/, 'a 13-digit MCN');
/** The Q a Session-At-Once cue sheet laid out (cd/program-q.ts QProgram). */
const QProgramSchema = z.object({
  tracks: z
    .array(z.object({ number: int(1, 99), pregapStart: lba, start: lba, indexes: z.array(lba).max(98), end: lba, control: int(0, 15), isrc: z.string().regex(/^[A-Z0-9]{12}$/, 'an ISRC').optional() }))
    .min(1)
    .max(99),
  mcn: McnSchema.optional(),
});

const SaoSchema = z.object({
  regions: z
    .array(
      z.object({
        start: lba,
        end: lba,
        blockSize: int(0, 2448),
        track: int(0, 0xffff),
        audio: z.boolean(),
        subSize: z.union([z.literal(16), z.literal(96)]).optional(),
        subKind: z.enum(['pw', 'rw']).optional(),
        leadIn: z.boolean().optional(),
      }),
    )
    .max(1000),
  nwa: lba,
  leadOut: lba,
  trackStarts: z.array(z.object({ track: int(0, 0xffff), start: lba, audio: z.boolean() })).max(1000),
  q: QProgramSchema.optional(),
});

const DiscSchema = z.object({
  type: z.enum(MEDIA_TYPE_NAMES as [MediaTypeName, ...MediaTypeName[]]),
  profile: int(0, 0xffff),
  capacity: blocks,
  formatted: z.boolean(),
  tracks: z.array(TrackSchema).max(10_000),
  closedSessions: int(0, 0xffff),
  finalized: z.boolean(),
  layer0Capacity: blocks.optional(),
  layerBreakFixed: z.boolean().optional(),
  sao: SaoSchema.optional(),
  writeProtected: z.boolean(),
  sub: z.array(z.tuple([lba, lba, z.enum(['pw', 'rw'])])).max(100_000).optional(),
  cdText: z.array(z.string().regex(/^[0-9a-f]{36}$/i, '18 bytes of hex')).max(8 * 256).optional(),
  romOnClose: z.boolean().optional(),
  qPrograms: z.array(QProgramSchema.extend({ leadOut: lba })).max(99).optional(),
  mcn: McnSchema.optional(),
});

const WriteParamsSchema = z.object({
  bufferUnderrunFree: z.boolean(),
  linkSizeValid: z.boolean(),
  testWrite: z.boolean(),
  writeType: z.enum(['packet', 'tao', 'sao', 'raw', 'layer-jump']),
  multiSession: int(0, 3),
  fixedPacket: z.boolean(),
  copy: z.boolean(),
  trackMode: int(0, 15),
  dataBlockType: int(0, 15),
  linkSize: int(0, 255),
  applicationCode: int(0, 63),
  sessionFormat: int(0, 255),
  packetSize: int(0, 0xffff_ffff),
  audioPauseLength: int(0, 0xffff),
  subHeader: z.tuple([int(0, 255), int(0, 255), int(0, 255), int(0, 255)]).optional(),
  mcn: z.string().max(13).optional(),
  isrc: z.string().max(12).optional(),
});

/** The disc model's invariants, each a reason the file is not a state this recorder can have written. */
function discProblems(d: z.infer<typeof DiscSchema>): string[] {
  const out: string[] = [];
  if (d.layer0Capacity !== undefined && d.layer0Capacity > d.capacity) out.push(`layer0Capacity ${d.layer0Capacity} exceeds the capacity ${d.capacity}`);
  let prevEnd = 0;
  let prevSession = 1;
  d.tracks.forEach((t, i) => {
    const at = `track ${i + 1}`;
    if (t.number !== i + 1) out.push(`${at} is numbered ${t.number} (tracks are numbered 1, 2, … in order)`);
    if (t.session < prevSession) out.push(`${at} is in session ${t.session}, before the previous track's session ${prevSession}`);
    if (t.session > prevSession + 1) out.push(`${at} skips from session ${prevSession} to ${t.session}`);
    const pre = t.pregap ?? 0;
    if (t.start - pre < prevEnd) out.push(`${at} starts at ${t.start}, inside the previous track (which ends at ${prevEnd})`);
    const end = t.start + Math.max(t.recorded, t.reserved ?? 0);
    // The NWA of an open track is start + recorded: it may equal the capacity (a full disc), never pass it.
    if (end > d.capacity) out.push(`${at} ends at ${end}, past the capacity ${d.capacity} (its next writable address would be outside the disc)`);
    if (t.reserved !== undefined && t.recorded > t.reserved) out.push(`${at} recorded ${t.recorded} blocks of the ${t.reserved} reserved`);
    prevEnd = end;
    prevSession = t.session;
  });
  if (d.tracks.length > 0 && d.closedSessions > prevSession) out.push(`closedSessions ${d.closedSessions} exceeds the ${prevSession} sessions the tracks name`);
  if (d.sao) {
    if (d.sao.nwa > d.capacity) out.push(`the SAO next writable address ${d.sao.nwa} is past the capacity ${d.capacity}`);
    if (d.sao.leadOut > d.capacity) out.push(`the SAO lead-out ${d.sao.leadOut} is past the capacity ${d.capacity}`);
    d.sao.regions.forEach((r, i) => {
      if (r.end < r.start) out.push(`SAO region ${i + 1} ends (${r.end}) before it starts (${r.start})`);
    });
  }
  d.sub?.forEach(([a, b], i) => {
    if (b < a) out.push(`sub-channel range ${i + 1} ends (${b}) before it starts (${a})`);
  });
  return out;
}

export const RecorderStateSchema = z
  .object({
    version: z.literal(1),
    vendor: ascii(8),
    product: ascii(16),
    revision: ascii(4),
    trayOpen: z.boolean(),
    locked: z.boolean(),
    disc: DiscSchema.nullable(),
    writeParams: WriteParamsSchema,
    generation: int(0, Number.MAX_SAFE_INTEGER).optional(),
    pacing: z.enum(['paced', 'unlimited']).optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.disc) return;
    for (const message of discProblems(s.disc)) ctx.addIssue({ code: 'custom', path: ['disc'], message });
  });

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  return shown.join('; ') + (issues.length > 5 ? ` (and ${issues.length - 5} more)` : '');
}

/** Validates parsed JSON as a recorder state (missing fields take `defaults`). Throws InvalidInputError naming `path`. */
export function validateRecorderState(json: unknown, path: string, defaults: RecorderState): RecorderState {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError(`${path} is not a virtual recorder state: expected a JSON object`, { path });
  }
  const r = RecorderStateSchema.safeParse({ ...defaults, ...json });
  if (!r.success) {
    throw new InvalidInputError(`${path} is not a valid virtual recorder state: ${describeIssues(r.error.issues)}`, { path, issues: r.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  return r.data as RecorderState;
}

/**
 * Reads a state file: a regular file (checked on the opened descriptor), at most
 * STATE_FILE_MAX_BYTES, opened non-blocking. Throws IoError naming the file otherwise.
 */
export function readStateFileText(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading with no writer would otherwise wait forever.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new IoError(`cannot open ${path}: ${err.code ?? err.message}`, { path, errno: err.code, syscall: 'open', cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a directory' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
      throw new IoError(`${path} is ${kind}, not a regular file: a virtual recorder state must be a regular file`, { path, errno: 'EINVAL', syscall: 'fstat' });
    }
    if (st.size > STATE_FILE_MAX_BYTES) {
      throw new IoError(`${path} is ${st.size} bytes, more than the ${STATE_FILE_MAX_BYTES} a virtual recorder state may have`, { path, errno: 'EFBIG', syscall: 'fstat' });
    }
    // Read at most the limit + 1 bytes, whatever fstat said: the file may grow under us.
    const buf = Buffer.alloc(Math.min(st.size, STATE_FILE_MAX_BYTES) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    if (n === buf.length) throw new IoError(`${path} grew while being read (another process writing it?)`, { path, errno: 'EAGAIN', syscall: 'read' });
    return buf.toString('utf8', 0, n);
  } catch (e) {
    if (e instanceof IoError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new IoError(`cannot read ${path}: ${err.code ?? err.message}`, { path, errno: err.code, syscall: 'read', cause: e });
  } finally {
    closeSync(fd);
  }
}

/** readStateFileText + JSON.parse + validateRecorderState: the one way a state.json is loaded. */
export function loadRecorderState(path: string, defaults: RecorderState): RecorderState {
  const text = readStateFileText(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${path} is not valid JSON: ${(e as Error).message}`, { path });
  }
  return validateRecorderState(json, path, defaults);
}
