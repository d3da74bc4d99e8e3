// Multisession layout of an image file. A disc has a TOC; an image file does not, so sessions are
// found from the ISO 9660 volume descriptors each session writes at its start+16 (ECMA-119 §6.2.1,
// §8.1) and the volume space size each one records (§8.4.8), which covers all earlier sessions too.
import type { BlockReader } from './block-reader';
import { asciiField } from './bytes';
import type { SessionInfo, SessionLayout } from './types';

/** xorriso/growisofs align session starts to 16 or 32 sectors; CD sessions add ~11400 sectors of lead-out/lead-in. */
const ALIGN = 16;
const MAX_GAP = 12_000;
const MAX_SESSIONS = 256;

async function pvdAt(reader: BlockReader, start: number): Promise<{ size: number; volumeId: string } | undefined> {
  if (start + 17 > reader.sectorCount) return undefined;
  let b: Buffer;
  try {
    b = await reader.read(start + 16, 1);
  } catch (e) {
    // On a disc the probe may land on sectors never recorded (the lead-out/lead-in between CD
    // sessions, the padding after a DVD±R/BD-R session): the drive's read error means "no session here".
    if ((e as { code?: string }).code === 'SCSI') return undefined;
    throw e;
  }
  if (b[0] !== 1 || b.toString('latin1', 1, 6) !== 'CD001') return undefined;
  return { size: b.readUInt32LE(80), volumeId: asciiField(b, 40, 32) };
}

/**
 * Lists sessions by following the chain "session at S covers up to its volume space size V; the next
 * one starts at the first aligned sector ≥ V with a PVD whose V' > V". `knownStart` (a TOC's last
 * session start) is added when the scan does not reach it.
 */
export async function listSessions(reader: BlockReader, knownStart?: number): Promise<SessionLayout> {
  let sessions = await chainFrom(reader, 0);
  // xorriso on overwriteable media and files starts session 1 at sector 32 and rewrites the
  // descriptors at 16 after every commit to mirror the newest session. A chain from 32 that ends
  // where the mirror ends is the real session list.
  if (sessions.length === 1) {
    const alt = await chainFrom(reader, 32);
    if (alt.length > 0 && alt[alt.length - 1].end === sessions[0].end) sessions = alt;
  }
  if (knownStart !== undefined && !sessions.some((s) => s.start === knownStart)) {
    const p = await pvdAt(reader, knownStart);
    if (p) sessions.push({ start: knownStart, end: sessionEnd(knownStart, p.size) - 1, volumeId: p.volumeId });
    sessions.sort((a, b) => a.start - b.start);
  }
  const last = sessions[sessions.length - 1];
  const lastEnd = last ? last.end : -1;
  return {
    sessions,
    lastSessionStart: last ? last.start : 0,
    lastSessionEnd: lastEnd,
    nextWritableAddress: Math.ceil((lastEnd + 1) / 32) * 32,
  };
}

/**
 * ECMA-119 §8.4.8 makes the volume space size absolute (it covers earlier sessions). libisoburn's
 * per-session descriptor copies on overwriteable media and `-C` session images record only the
 * session's own size instead; a size not beyond the start can only mean that.
 */
function sessionEnd(start: number, size: number): number {
  return size > start ? size : start + size;
}

async function chainFrom(reader: BlockReader, first: number): Promise<SessionInfo[]> {
  const sessions: SessionInfo[] = [];
  let start = first;
  let pvd = await pvdAt(reader, first);
  while (pvd && sessions.length < MAX_SESSIONS) {
    const end = sessionEnd(start, pvd.size);
    sessions.push({ start, end: end - 1, volumeId: pvd.volumeId });
    let next: { start: number; pvd: { size: number; volumeId: string } } | undefined;
    for (let c = Math.ceil(end / ALIGN) * ALIGN; c <= end + MAX_GAP && c + 17 <= reader.sectorCount; c += ALIGN) {
      const p = await pvdAt(reader, c);
      if (p && p.size > 0) {
        next = { start: c, pvd: p };
        break;
      }
    }
    if (!next) break;
    start = next.start;
    pvd = next.pvd;
  }
  return sessions;
}
