// Read-back of a disc just written: a burn is reported successful only after this. First the
// layout the drive reports (READ DISC INFORMATION, READ TRACK INFORMATION, READ CAPACITY) against
// the plan; then the chosen level: 'quick' reads the file-system structures (the first 64 sectors:
// system area and volume descriptors; UDF's anchor at 256 and the last sectors) plus windows
// sampled across the written area, 'full' reads every written sector and compares its bytes and
// the SHA-256 of the whole with the source. When the burn hashed what it wrote (`writtenSha256`,
// write-pipeline.ts), 'full' reads only the disc — transfers as large as the drive allows, the next
// READ in flight while a worker thread hashes the last one — and compares digests; only when they
// differ (or a sector is unreadable) is the source opened again from its factory and compared
// sector by sector, so the report names the sectors that differ.
// Also the base of `verify` against folders and manifests (sector → file mapping on top of it).
import { createHash } from 'node:crypto';
import { sharedSha256 } from './sha256-stream';
import { acquireSharedMemory, releaseSharedMemory } from '../common/shared-memory';
import { ScsiError, throwIfAborted } from '../common/errors';
import { addLba, rangeSectors, type LbaRange, type VerifyLevel, type WrittenVerifyReport } from '../common/model/verify';
import { formatRanges } from '../read/owners';
import type { ByteSource } from '../image/byte-source';
import type { Drive } from '../drive/drive';
import { buildRead10, buildRead12 } from '../mmc/commands/read';
import { buildReadCapacity, parseReadCapacity } from '../mmc/commands/read-capacity';
import { buildReadTrackInformation, parseReadTrackInformation } from '../mmc/commands/read-track-information';

/** What was written and what the disc must report now. */
export interface WrittenArea {
  startLba: number;
  sectors: number;
  simulated: boolean;
  expect: { status?: 'appendable' | 'complete'; newSession: boolean; random: boolean };
  /** Disc status and recorded sessions before the burn (simulation: must be unchanged). */
  before: { status: string; sessions: number };
}

export interface VerifyWrittenOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Sectors per READ (default 32). */
  readSectors?: number;
  /** Sampled windows for 'quick' (default 32 windows of 16 sectors). */
  samples?: number;
  /** SHA-256 (hex) of the bytes the burn wrote: 'full' then reads and hashes the disc side only. */
  writtenSha256?: string;
  /** What was written, in words (the source's description), for the report when the source is not opened again. */
  writtenFrom?: string;
}

const READ_SECTORS = 32;
/** Most bytes per READ of the disc-only full read-back (capped by the drive's transfer limit). */
export const FULL_READ_BYTES = 2 * 1024 * 1024;
/** Slots of FULL_READ_BYTES the full read-back reads into and hashes from, round-robin (8 MiB in all for 2 MiB READs). */
const READ_BACK_SLOTS = 4;

/** Sectors per READ for a drive: FULL_READ_BYTES within its transfer limit, 32 (64 KiB) when the limit is unknown. */
export function readSectorsFor(maxTransferBytes: number | undefined): number {
  if (!maxTransferBytes) return READ_SECTORS;
  return Math.max(READ_SECTORS, Math.floor(Math.min(maxTransferBytes, FULL_READ_BYTES) / 2048));
}

export async function verifyWritten(drive: Drive, area: WrittenArea, level: VerifyLevel, openSource: () => Promise<ByteSource>, opts: VerifyWrittenOptions = {}): Promise<WrittenVerifyReport> {
  const t0 = performance.now();
  const problems = await checkLayout(drive, area, opts.signal);
  const report: WrittenVerifyReport = {
    against: 'source', level, reference: 'the source', ok: false, summary: '', layout: { ok: problems.length === 0, problems }, startLba: area.startLba, sectors: area.sectors,
    sectorsChecked: 0, bytesChecked: 0, mismatched: [], unreadable: [], elapsedMs: 0,
  };
  if (level === 'full' && !area.simulated && area.sectors > 0 && opts.writtenSha256) {
    const fast = await hashDiscSide(drive, area, opts);
    if (fast.ok) {
      if (opts.writtenFrom) report.reference = opts.writtenFrom;
      report.sectorsChecked = area.sectors;
      report.expectedSha256 = opts.writtenSha256;
      report.actualSha256 = fast.sha256;
    } else {
      // A difference: name it sector by sector against the source (the rare path).
      opts.onProgress?.(0);
      await compareWindows(drive, area, [{ start: 0, end: area.sectors }], true, openSource, report, opts);
      report.expectedSha256 = opts.writtenSha256;
    }
  } else if (level !== 'none' && !area.simulated && area.sectors > 0) {
    const windows = level === 'full' ? [{ start: 0, end: area.sectors }] : sampleWindows(area.sectors, opts.samples ?? 32, await fileSystemExtents(drive, area, opts.signal));
    await compareWindows(drive, area, windows, level === 'full', openSource, report, opts);
  }
  report.ok = report.layout.ok && report.mismatched.length === 0 && report.unreadable.length === 0;
  report.bytesChecked = report.sectorsChecked * 2048;
  report.summary = writtenSummary(report);
  report.elapsedMs = performance.now() - t0;
  return report;
}

function writtenSummary(r: WrittenVerifyReport): string {
  const where = `sectors ${r.startLba}–${r.startLba + r.sectors - 1}`;
  if (r.ok) {
    if (r.level === 'none' || r.sectorsChecked === 0) return `The disc's layout matches the plan (${r.sectors} sectors written from sector ${r.startLba}); no sector was read back.`;
    return r.level === 'full'
      ? `The disc matches ${r.reference}: all ${r.sectorsChecked} sectors (${where}) read back, SHA-256 ${r.actualSha256}.`
      : `The disc matches ${r.reference} in the ${r.sectorsChecked} sectors sampled from ${where}.`;
  }
  const parts = [...r.layout.problems];
  if (r.mismatched.length) parts.push(`${rangeSectors(r.mismatched)} sectors differ (${formatRanges(r.mismatched)})`);
  if (r.unreadable.length) parts.push(`${rangeSectors(r.unreadable)} sectors are unreadable (${formatRanges(r.unreadable)})`);
  return `The disc does not match ${r.reference}: ${parts.join('; ')}.`;
}

async function checkLayout(drive: Drive, area: WrittenArea, signal?: AbortSignal): Promise<string[]> {
  const problems: string[] = [];
  const di = await drive.discInformation(signal);
  const sessions = di.discStatus === 'blank' ? 0 : di.lastSessionState === 'empty' ? di.sessions - 1 : di.sessions;
  if (area.simulated) {
    if (di.discStatus !== area.before.status) problems.push(`a test write changed the disc: it is ${di.discStatus}, it was ${area.before.status}`);
    return problems;
  }
  if (area.expect.random) {
    const rc = parseReadCapacity(await drive.query(buildReadCapacity(), { signal }));
    if (rc.blocks < area.startLba + area.sectors) problems.push(`the disc reports ${rc.blocks} readable sectors, fewer than the ${area.startLba + area.sectors} written`);
    return problems;
  }
  if (area.expect.status && di.discStatus !== area.expect.status) problems.push(`the disc is ${di.discStatus}, expected ${area.expect.status}`);
  if (area.expect.newSession && sessions !== area.before.sessions + 1) problems.push(`the disc has ${sessions} closed session(s), expected ${area.before.sessions + 1}`);
  try {
    const ti = parseReadTrackInformation(await drive.query(buildReadTrackInformation({ type: 'lba', address: area.startLba }), { signal }));
    if (ti.startLba !== area.startLba) problems.push(`the written track starts at sector ${ti.startLba}, the plan said ${area.startLba}`);
    if (ti.blank) problems.push(`the track at sector ${area.startLba} is blank`);
    else if (ti.trackSize < area.sectors) problems.push(`the written track holds ${ti.trackSize} sectors, fewer than the ${area.sectors} written`);
  } catch (e) {
    if (!(e instanceof ScsiError)) throw e;
    problems.push(`no track at sector ${area.startLba}: ${e.message}`);
  }
  return problems;
}

/**
 * File-system structures beyond the first 64 sectors, found on the disc itself (relative to the
 * written area): ISO 9660's type L path table and root directory (ECMA-119 §8.4: PVD at sector 16,
 * path table size at byte 132, its location at 140, the root directory record at 156), and UDF's
 * main volume descriptor sequence (ECMA-167 3/10.2: the anchor at 256 points to it at bytes 16–23).
 * Whatever cannot be read or parsed is simply not added (the sampled windows still cover it).
 */
async function fileSystemExtents(drive: Drive, area: WrittenArea, signal?: AbortSignal): Promise<LbaRange[]> {
  const out: LbaRange[] = [];
  const add = (start: number, bytes: number) => {
    const rel = start;
    const n = Math.min(Math.ceil(bytes / 2048), 256);
    if (rel >= 0 && n > 0 && rel + n <= area.sectors) out.push({ start: rel, end: rel + n });
  };
  const [pvd] = area.sectors > 16 ? await readDisc(drive, area.startLba + 16, 1, signal) : [null];
  if (pvd && pvd[0] === 1 && Buffer.from(pvd.subarray(1, 6)).toString('latin1') === 'CD001') {
    const v = Buffer.from(pvd.buffer, pvd.byteOffset, 2048);
    // Addresses in a session's file system are absolute on the disc; relative to the written area here.
    add(v.readUInt32LE(140) - area.startLba, v.readUInt32LE(132));
    add(v.readUInt32LE(156 + 2) - area.startLba, v.readUInt32LE(156 + 10));
  }
  const [avdp] = area.sectors > 256 ? await readDisc(drive, area.startLba + 256, 1, signal) : [null];
  if (avdp && avdp[0] === 2 && avdp[1] === 0) {
    const v = Buffer.from(avdp.buffer, avdp.byteOffset, 2048);
    add(v.readUInt32LE(20) - area.startLba, v.readUInt32LE(16));
  }
  return out;
}

/** The first 64 sectors, UDF's anchor (256), the last 16, the file-system extents given, and `n` windows of 16 spread evenly (sorted, merged). */
export function sampleWindows(sectors: number, n: number, extents: LbaRange[] = []): LbaRange[] {
  const raw: LbaRange[] = [{ start: 0, end: Math.min(64, sectors) }, { start: Math.max(0, sectors - 16), end: sectors }, ...extents];
  if (sectors > 257) raw.push({ start: 256, end: 257 });
  for (let i = 0; i < n; i++) {
    const s = Math.floor(((sectors - 16) * (i + 0.5)) / n);
    if (s >= 0) raw.push({ start: s, end: Math.min(sectors, s + 16) });
  }
  raw.sort((a, b) => a.start - b.start);
  const out: LbaRange[] = [];
  for (const r of raw) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * The disc side of a full read-back: every written sector read in large transfers (READ(12) when
 * the count does not fit READ(10)) into a few slots of fixed memory (ScsiCommand.into: a transport
 * that can reads straight into them, else the data is copied in), each slot hashed in place by a
 * worker thread for large areas (sharedSha256) while the next READs go on; a slot is read into again
 * only once it is hashed. No buffer per READ, so the read-back's memory stays at its slots (issue
 * #10: peak RSS). The digest is compared with `writtenSha256`. A READ that fails is retried sector
 * by sector; any unreadable sector makes the result not ok.
 */
async function hashDiscSide(drive: Drive, area: WrittenArea, opts: VerifyWrittenOptions): Promise<{ ok: boolean; sha256: string }> {
  const step = opts.readSectors ?? readSectorsFor(drive.maxTransferBytes);
  const slotBytes = step * 2048;
  const memory = acquireSharedMemory(READ_BACK_SLOTS * slotBytes);
  const hasher = sharedSha256(memory, { expectedBytes: area.sectors * 2048 });
  const hashed: Array<Promise<void> | undefined> = new Array(READ_BACK_SLOTS);
  let unreadable = false;
  const readSpan = async (rel: number, into: Uint8Array): Promise<void> => {
    const lba = area.startLba + rel;
    const n = into.byteLength / 2048;
    try {
      const cmd = n > 0xffff ? buildRead12(lba, n) : buildRead10(lba, n);
      const data = await drive.query({ ...cmd, into }, { signal: opts.signal, retries: 2 });
      if (data.length === n * 2048) {
        if (data.buffer !== into.buffer || data.byteOffset !== into.byteOffset) into.set(data);
        return;
      }
    } catch (e) {
      if (!(e instanceof ScsiError)) throw e;
    }
    const got = await readDisc(drive, lba, n, opts.signal);
    got.forEach((g, i) => {
      if (g) into.set(g, i * 2048);
      else unreadable = true;
    });
  };
  try {
    for (let rel = 0, i = 0; rel < area.sectors; rel += step, i++) {
      throwIfAborted(opts.signal);
      const slot = i % READ_BACK_SLOTS;
      await hashed[slot];
      const bytes = Math.min(step, area.sectors - rel) * 2048;
      await readSpan(rel, new Uint8Array(memory, slot * slotBytes, bytes));
      if (unreadable) break;
      const h = hasher.update(slot * slotBytes, bytes);
      h.catch(() => undefined); // awaited when the slot comes round again (or by digest())
      hashed[slot] = h;
      opts.onProgress?.(Math.min(1, (rel + step) / area.sectors));
    }
    if (unreadable) return { ok: false, sha256: '' };
    await Promise.all(hashed);
    const sha256 = await hasher.digest();
    releaseSharedMemory(memory); // every READ answered, every slot hashed (after a failure: left to the collector)
    return { ok: sha256 === opts.writtenSha256, sha256 };
  } finally {
    hasher.close();
  }
}

/** Reads sectors; a failing read is retried sector by sector and the unreadable ones are reported as null. */
async function readDisc(drive: Drive, lba: number, count: number, signal?: AbortSignal): Promise<Array<Uint8Array | null>> {
  const split = (buf: Uint8Array) => Array.from({ length: count }, (_, i) => buf.subarray(i * 2048, (i + 1) * 2048));
  try {
    const data = await drive.query(buildRead10(lba, count), { signal, retries: 2 });
    if (data.length === count * 2048) return split(data);
  } catch (e) {
    if (!(e instanceof ScsiError)) throw e;
  }
  if (count === 1) return [null];
  const out: Array<Uint8Array | null> = [];
  for (let i = 0; i < count; i++) out.push(...(await readDisc(drive, lba + i, 1, signal)));
  return out;
}

async function compareWindows(drive: Drive, area: WrittenArea, windows: LbaRange[], full: boolean, openSource: () => Promise<ByteSource>, report: WrittenVerifyReport, opts: VerifyWrittenOptions): Promise<void> {
  const source = await openSource();
  report.reference = source.description;
  const srcHash = full ? createHash('sha256') : undefined;
  const discHash = full ? createHash('sha256') : undefined;
  const zero = new Uint8Array(2048);
  const total = windows.reduce((n, w) => n + (w.end - w.start), 0);
  const step = opts.readSectors ?? READ_SECTORS;
  try {
    if (source.totalSectors !== area.sectors) report.layout.problems.push(`the source now has ${source.totalSectors} sectors, ${area.sectors} were written`);
    let pos = 0;
    let wi = 0;
    for (;;) {
      throwIfAborted(opts.signal);
      // The ByteSource contract has no seek: the source is read in order, and windows are compared as it passes.
      const chunk = await source.read(512, opts.signal);
      if (!chunk) break;
      const k = chunk.length / 2048;
      srcHash?.update(chunk);
      while (wi < windows.length && windows[wi].start < pos + k) {
        const w = windows[wi];
        const a = Math.max(w.start, pos);
        const b = Math.min(w.end, pos + k, area.sectors);
        for (let s = a; s < b; s += step) {
          const n = Math.min(step, b - s);
          const got = await readDisc(drive, area.startLba + s, n, opts.signal);
          for (let i = 0; i < n; i++) {
            const want = chunk.subarray((s + i - pos) * 2048, (s + i - pos + 1) * 2048);
            const g = got[i];
            discHash?.update(g ?? zero);
            if (g === null) addLba(report.unreadable, area.startLba + s + i);
            else if (!Buffer.from(g.buffer, g.byteOffset, 2048).equals(want)) addLba(report.mismatched, area.startLba + s + i);
          }
          report.sectorsChecked += n;
          opts.onProgress?.(report.sectorsChecked / total);
        }
        if (w.end <= pos + k) wi++;
        else break;
      }
      pos += k;
    }
  } catch (e) {
    await source.cancel();
    throw e;
  }
  if (srcHash && discHash) {
    report.expectedSha256 = srcHash.digest('hex');
    report.actualSha256 = discHash.digest('hex');
  }
}
