// MMC answers the virtual recorder computes from the disc model alone (read-only commands):
// GET CONFIGURATION, READ DISC/TRACK INFORMATION, READ TOC/PMA/ATIP, READ CAPACITY, READ FORMAT
// CAPACITIES, READ DISC STRUCTURE. Each returns the full response; the transport clips it to the
// allocation length.
import { lbaToMsf, put16, put24, put32, rd16, rd32 } from '../../mmc/bytes';
import { profileFamily } from '../../mmc/profiles';
import { illegal } from './check';
import {
  discStatus, isRandom, isRom, lastSessionState, readCapacityLba, sessionCount, specOf, trackEnd, visibleTracks, type DiscState, type TrackState,
} from './disc-state';
import { CD_ATIP_LEAD_IN, CD_ATIP_LEAD_OUT, CD_RW_ATIP_LEAD_IN } from './media-spec';

// Profiles the virtual drive reports in the Profile List feature (MMC-6 §5.3.1), highest first.
export const DRIVE_PROFILES = [0x43, 0x42, 0x41, 0x40, 0x2b, 0x1b, 0x1a, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10, 0x0a, 0x09, 0x08];

// ---- GET CONFIGURATION (MMC-6 §6.6, features §5.3) ----------------------------------------------

export function features(d: DiscState | undefined): Array<{ code: number; current: boolean; persistent?: boolean; version?: number; data: Uint8Array }> {
  const p = d?.profile ?? 0;
  const fam = profileFamily(p);
  const seqOpen = d !== undefined && !isRandom(d) && !isRom(d) && discStatus(d) !== 'complete';
  const is = (...ps: number[]) => ps.includes(p);
  const bytes = (...v: number[]) => Uint8Array.from(v);
  const profileList = new Uint8Array(DRIVE_PROFILES.length * 4);
  DRIVE_PROFILES.forEach((n, i) => {
    put16(profileList, i * 4, n);
    profileList[i * 4 + 2] = n === p ? 1 : 0;
  });
  const core = new Uint8Array(8);
  put32(core, 0, 0x00000001); // physical interface: SCSI family
  core[4] = 0x03; // DBE, INQ2
  const randomReadable = new Uint8Array(8);
  put32(randomReadable, 0, 2048);
  put16(randomReadable, 4, d ? specOf(d).blocking : 1);
  const randomWritable = new Uint8Array(12);
  if (d) {
    put32(randomWritable, 0, d.capacity - 1);
    put32(randomWritable, 4, 2048);
    put16(randomWritable, 8, specOf(d).blocking);
  }
  // Data Block Types bitmap (MMC-6 §5.3.12): bit n = type n supported; CD: 0 raw, 1–3 raw with P-Q / packed P-W / raw P-W, 8 mode 1, 10 mode 2 form 1, 13 mode 2.
  const cdBlockTypes = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 8) | (1 << 10) | (1 << 13);
  // Feature-dependent byte 0 of the CD features: TAO 47h = BUF, Test Write, CD-RW, R-W Sub-code;
  // Mastering 7Fh = BUF, SAO, Raw MS, Raw, Test Write, CD-RW, R-W (the recorder keeps host R-W, README).
  const incremental = fam === 'cd' ? bytes(cdBlockTypes >> 8, cdBlockTypes & 0xff, 0x01, 1, 7, 0, 0, 0) : bytes(0x01, 0x00, 0x01, 1, 16, 0, 0, 0);
  const maxCue = 0x00ffff;
  return [
    { code: 0x0000, current: true, persistent: true, data: profileList },
    { code: 0x0001, current: true, persistent: true, version: 2, data: core },
    { code: 0x0002, current: true, persistent: true, version: 1, data: bytes(0x02, 0, 0, 0) },
    { code: 0x0003, current: true, persistent: true, version: 2, data: bytes(0x39, 0, 0, 0) }, // tray, Load, Eject, Pvnt Jmpr=0, Lock
    { code: 0x0010, current: d !== undefined, data: randomReadable },
    { code: 0x001d, current: fam === 'cd', data: new Uint8Array(0) },
    { code: 0x001e, current: fam === 'cd', version: 2, data: bytes(0x80, 0, 0, 0) },
    { code: 0x001f, current: fam === 'dvd', version: 2, data: bytes(0x01, 0, 0x01, 0) },
    { code: 0x0020, current: d !== undefined && isRandom(d) && d.formatted, version: 1, data: randomWritable },
    { code: 0x0021, current: seqOpen && is(0x09, 0x0a, 0x11, 0x14, 0x15, 0x41), version: 1, data: incremental },
    { code: 0x0023, current: is(0x12, 0x13, 0x14, 0x1a, 0x41, 0x42, 0x43), data: bytes(0x00, 0, 0, 0, 0x01, 0, 0, 0) },
    { code: 0x0024, current: is(0x12, 0x42, 0x43), data: bytes(0x80, 0, 0, 0) },
    { code: 0x0026, current: is(0x13), data: bytes(0, 0, 0, 0) },
    { code: 0x002a, current: is(0x1a), version: 1, data: bytes(0x01, 0x00, 0, 0) },
    { code: 0x002b, current: is(0x1b), data: bytes(0x01, 0, 0, 0) },
    { code: 0x002d, current: seqOpen && is(0x09, 0x0a), version: 2, data: bytes(0x47, 0, cdBlockTypes >> 8, cdBlockTypes & 0xff) },
    { code: 0x002e, current: seqOpen && is(0x09, 0x0a), version: 1, data: bytes(0x7f, (maxCue >> 16) & 0xff, (maxCue >> 8) & 0xff, maxCue & 0xff) },
    { code: 0x002f, current: seqOpen && is(0x11, 0x14, 0x15), version: 2, data: bytes(0x4e, 0, 0, 0) },
    { code: 0x003b, current: is(0x2b), data: bytes(0x01, 0, 0, 0) },
    { code: 0x0040, current: fam === 'bd', version: 1, data: new Uint8Array(28) },
    { code: 0x0041, current: is(0x41, 0x42, 0x43), version: 1, data: new Uint8Array(24) },
    { code: 0x0100, current: true, persistent: true, data: new Uint8Array(0) },
    { code: 0x0105, current: true, persistent: true, version: 1, data: bytes(0, 0, 0, 0) },
    { code: 0x0107, current: true, version: 3, data: bytes(0x1f, 0, 0, 0) },
  ];
}

/** GET CONFIGURATION answer; `d` is the visible disc (undefined: none or tray open). */
export function getConfiguration(d: DiscState | undefined, c: Uint8Array): Uint8Array {
  const rt = c[1] & 3;
  if (rt === 3) return illegal();
  const start = rd16(c, 2);
  const p = d?.profile ?? 0;
  const parts: Uint8Array[] = [];
  for (const f of features(d)) {
    if (rt === 2 ? f.code !== start : f.code < start) continue;
    if (rt === 1 && !f.current) continue;
    const h = new Uint8Array(4 + f.data.length);
    put16(h, 0, f.code);
    h[2] = ((f.version ?? 0) << 2) | (f.persistent ? 2 : 0) | (f.current ? 1 : 0);
    h[3] = f.data.length;
    h.set(f.data, 4);
    parts.push(h);
  }
  const total = 8 + parts.reduce((n, x) => n + x.length, 0);
  const out = new Uint8Array(total);
  put32(out, 0, total - 4);
  put16(out, 6, p);
  let off = 8;
  for (const x of parts) {
    out.set(x, off);
    off += x.length;
  }
  return out;
}

// ---- disc / track information ----------------------------------------------------------------

export function readDiscInformation(d: DiscState, c: Uint8Array): Uint8Array {
  if ((c[1] & 7) !== 0) return illegal();
  const b = new Uint8Array(34);
  put16(b, 0, 32);
  const status = { blank: 0, appendable: 1, complete: 2 }[discStatus(d)];
  b[2] = (specOf(d).erasable && !isRom(d) ? 0x10 : 0) | (lastSessionState(d) << 2) | status;
  b[3] = 1;
  const sessions = sessionCount(d);
  const tracks = visibleTracks(d);
  const lastSession = sessions;
  const inLast = tracks.filter((t) => t.session === lastSession);
  const firstInLast = inLast.length ? inLast[0].number : tracks.length + 1;
  const lastInLast = inLast.length ? inLast[inLast.length - 1].number : tracks.length + 1;
  b[4] = sessions & 0xff;
  b[5] = firstInLast & 0xff;
  b[6] = lastInLast & 0xff;
  // URU=1; background format status 3 (complete) for formatted DVD+RW/BD-RE (§6.21.3.1.9).
  b[7] = 0x20 | (isRandom(d) && d.formatted && (d.profile === 0x1a || d.profile === 0x43) ? 3 : 0);
  b[8] = 0x00; // CD-DA or CD-ROM
  b[9] = sessions >> 8;
  b[10] = firstInLast >> 8;
  b[11] = lastInLast >> 8;
  if (specOf(d).family === 'cd' && discStatus(d) !== 'complete') {
    // CD-R/RW: lead-in start of the next session and last possible lead-out, as MSF (§6.21.3.1.13).
    const li = d.type === 'cd-rw' ? CD_RW_ATIP_LEAD_IN : CD_ATIP_LEAD_IN;
    b.set([0, li.m, li.s, li.f], 16);
    b.set([0, CD_ATIP_LEAD_OUT.m, CD_ATIP_LEAD_OUT.s, CD_ATIP_LEAD_OUT.f], 20);
  } else {
    put32(b, 16, 0xffffffff);
    put32(b, 20, 0xffffffff);
  }
  return b;
}

function findTrack(d: DiscState, c: Uint8Array): TrackState {
  const tracks = visibleTracks(d);
  const type = c[1] & 3;
  const addr = rd32(c, 2);
  let t: TrackState | undefined;
  if (type === 0) {
    const lba = addr | 0;
    t = tracks.find((x) => lba >= x.start && lba < trackEnd(d, x));
  } else if (type === 1) {
    if (addr === 0xff) t = tracks.find((x) => !x.closed && x.reserved === undefined) ?? illegal();
    else t = tracks.find((x) => x.number === addr);
  } else if (type === 2) {
    t = tracks.find((x) => x.session === (addr === 0xff ? sessionCount(d) : addr));
  }
  return t ?? illegal();
}

export function readTrackInformation(d: DiscState, c: Uint8Array): Uint8Array {
  const t = findTrack(d, c);
  const b = new Uint8Array(48);
  put16(b, 0, 46);
  b[2] = t.number & 0xff;
  b[3] = t.session & 0xff;
  b[5] = t.control & 0x0f;
  const rnd = isRandom(d);
  const blank = !rnd && t.recorded === 0 && !t.closed;
  const open = !t.closed && (t.reserved === undefined || t.recorded < t.reserved);
  // Packet/Inc: set for incremental recording on CD and DVD-R/-RW; DVD+R and BD-R have no packet
  // writing, and tgtd's DVD+R leaves it clear too.
  const inc = !rnd && !t.audio && (specOf(d).family === 'cd' || [0x11, 0x14, 0x15, 0x16].includes(d.profile));
  // Restricted overwrite DVD-RW reports fixed packets (Packet/Inc and FP set); +RW, RAM and BD-RE
  // leave both clear, as drive references for DVD+RW describe.
  const ro = d.profile === 0x13;
  b[6] = (t.reserved !== undefined ? 0x80 : 0) | (blank || (rnd && !d.formatted) ? 0x40 : 0) | (inc || ro ? 0x20 : 0) | (ro ? 0x10 : 0) | (t.audio ? 0x0f : t.dataMode);
  const nwa = t.start + t.recorded;
  const size = rnd ? d.capacity : t.reserved ?? (t.closed ? t.recorded : d.capacity - t.start);
  b[7] = (open && !rnd ? 0x01 : 0) | (t.recorded > 0 ? 0x02 : 0);
  put32(b, 8, t.start >>> 0);
  put32(b, 12, open && !rnd ? nwa >>> 0 : 0);
  put32(b, 16, rnd ? (d.formatted ? 0 : d.capacity) : open ? Math.max(0, t.start + size - nwa) : 0);
  // Fixed Packet Size / Blocking Factor: the ECC block on DVD (16) and cluster on BD (32), §6.26.3.13.
  put32(b, 20, specOf(d).family === 'cd' ? 0 : specOf(d).blocking);
  put32(b, 24, size);
  put32(b, 28, t.recorded > 0 ? (nwa - 1) >>> 0 : 0);
  b[32] = t.number >> 8;
  b[33] = t.session >> 8;
  return b;
}

// ---- READ TOC/PMA/ATIP (MMC-6 §6.25) ---------------------------------------------------------------

function tocTracks(d: DiscState): TrackState[] {
  // The TOC lists tracks that hold data: closed tracks, and recorded tracks of an open DVD/BD
  // session (drives fabricate a TOC for those, MMC-6 §6.25.2.4). CD open sessions have no TOC yet.
  if (isRandom(d)) return d.formatted ? visibleTracks(d) : [];
  return d.tracks.filter((t) => t.recorded > 0 && (t.closed || t.session <= d.closedSessions || specOf(d).family !== 'cd'));
}

export function readToc(d: DiscState, c: Uint8Array): Uint8Array {
  const msf = (c[1] & 2) !== 0;
  const format = c[2] & 0x0f;
  const num = c[6];
  const addr = (b: Uint8Array, off: number, lba: number) => {
    if (msf) {
      const m = lbaToMsf(lba);
      b.set([0, m.m, m.s, m.f], off);
    } else put32(b, off, lba >>> 0);
  };
  const tracks = tocTracks(d);
  const cd = specOf(d).family === 'cd';
  if (format === 0) {
    if (tracks.length === 0) return illegal();
    const last = tracks[tracks.length - 1];
    const sel = num === 0xaa ? [] : tracks.filter((t) => t.number >= Math.max(1, num));
    if (num !== 0xaa && num > last.number) return illegal();
    const b = new Uint8Array(4 + (sel.length + 1) * 8);
    put16(b, 0, b.length - 2);
    b[2] = tracks[0].number;
    b[3] = last.number;
    let off = 4;
    for (const t of sel) {
      b[off + 1] = 0x10 | t.control;
      b[off + 2] = t.number;
      addr(b, off + 4, t.start);
      off += 8;
    }
    b[off + 1] = 0x10 | last.control;
    b[off + 2] = 0xaa;
    addr(b, off + 4, last.start + (last.reserved ?? last.recorded));
    return b;
  }
  if (format === 1) {
    if (tracks.length === 0) return illegal();
    const lastSession = Math.max(...tracks.map((t) => t.session));
    const first = tracks.find((t) => t.session === lastSession)!;
    const b = new Uint8Array(12);
    put16(b, 0, 10);
    b[2] = 1;
    b[3] = lastSession;
    b[5] = 0x10 | first.control;
    b[6] = first.number;
    addr(b, 8, first.start);
    return b;
  }
  // Formats (MMC-6 §6.25.2): 0010b full TOC, 0011b PMA, 0100b ATIP, 0101b CD-TEXT.
  if ((format === 2 || format === 3) && cd) return rawToc(tracks, format);
  if (format === 5 && cd && d.cdText?.length) {
    // CD-TEXT (§6.25.3.8): 4-byte header, then the 18-byte packs read from the lead-in.
    const b = new Uint8Array(4 + d.cdText.length * 18);
    put16(b, 0, b.length - 2);
    d.cdText.forEach((hex, i) => b.set(Buffer.from(hex, 'hex'), 4 + i * 18));
    return b;
  }
  if (format === 4 && cd) {
    if (isRom(d)) return illegal();
    const b = new Uint8Array(28);
    put16(b, 0, 26);
    const li = d.type === 'cd-rw' ? CD_RW_ATIP_LEAD_IN : CD_ATIP_LEAD_IN;
    b[4] = 0x80 | (5 << 4) | 0x01; // bit 7 = 1 (ATIP format), indicative write power 5, reference speed 1
    b[5] = 0x40; // URU
    b[6] = 0x80 | (d.type === 'cd-rw' ? 0x40 : 0); // bit 7 = 1, Disc Type
    b.set([li.m, li.s, li.f], 8);
    b.set([CD_ATIP_LEAD_OUT.m, CD_ATIP_LEAD_OUT.s, CD_ATIP_LEAD_OUT.f], 12);
    return b;
  }
  return illegal();
}

/** Full TOC (format 2) as Q-subcode entries A0/A1/A2 + tracks per session; PMA (format 3) lists tracks only. */
function rawToc(tracks: TrackState[], format: number): Uint8Array {
  const entries: number[][] = [];
  const msfOf = (lba: number) => {
    const m = lbaToMsf(lba);
    return [m.m, m.s, m.f];
  };
  const sessions = [...new Set(tracks.map((t) => t.session))];
  for (const s of sessions) {
    const ts = tracks.filter((t) => t.session === s);
    const first = ts[0];
    const last = ts[ts.length - 1];
    const ctl = (t: TrackState) => (1 << 4) | t.control;
    if (format === 2) {
      // A0 PSEC is the disc (session) type: 00h CD-DA/CD-ROM, 20h CD-ROM XA (a session of mode 2 data tracks).
      const xa = ts.some((t) => !t.audio && t.dataMode === 2);
      entries.push([s, ctl(first), 0, 0xa0, 0, 0, 0, 0, first.number, xa ? 0x20 : 0x00, 0]);
      entries.push([s, ctl(last), 0, 0xa1, 0, 0, 0, 0, last.number, 0, 0]);
      entries.push([s, ctl(last), 0, 0xa2, 0, 0, 0, 0, ...msfOf(last.start + last.recorded)]);
    }
    for (const t of ts) entries.push([s, ctl(t), 0, t.number, 0, 0, 0, 0, ...msfOf(t.start)]);
  }
  const b = new Uint8Array(4 + entries.length * 11);
  put16(b, 0, b.length - 2);
  b[2] = format === 2 ? (sessions[0] ?? 1) : 0;
  b[3] = format === 2 ? (sessions[sessions.length - 1] ?? 1) : 0;
  entries.forEach((e, i) => b.set(e, 4 + i * 11));
  return b;
}

export function readCapacity(d: DiscState): Uint8Array {
  const b = new Uint8Array(8);
  put32(b, 0, Math.max(0, readCapacityLba(d)));
  put32(b, 4, 2048);
  return b;
}

export function readFormatCapacities(d: DiscState): Uint8Array {
  const spec = specOf(d);
  const list: Array<[number, number, number]> = [];
  if (d.type === 'dvd+rw') list.push([spec.capacity, 0x26, 0]);
  if (d.type === 'dvd-rw') list.push([spec.capacity, 0x00, 16], [spec.capacity, 0x15, 16], [spec.capacity, 0x13, 16]);
  if (d.type === 'bd-re') list.push([spec.formattedCapacity!, 0x30, spec.capacity - spec.formattedCapacity!], [spec.capacity, 0x31, 0]);
  if (d.type === 'bd-r' && discStatus(d) === 'blank') list.push([spec.formattedCapacity!, 0x32, spec.capacity - spec.formattedCapacity!]);
  if (d.type === 'dvd-ram') list.push([spec.formattedCapacity!, 0x00, 2048]);
  const b = new Uint8Array(12 + list.length * 8);
  b[3] = 8 + list.length * 8;
  const formatted = isRandom(d) && d.formatted;
  put32(b, 4, formatted ? d.capacity : spec.capacity);
  b[8] = formatted ? 0x02 : 0x01;
  put24(b, 9, 2048);
  list.forEach(([blocks, type, dep], i) => {
    put32(b, 12 + i * 8, blocks);
    b[16 + i * 8] = type << 2;
    put24(b, 17 + i * 8, dep);
  });
  return b;
}

// ---- READ DISC STRUCTURE (MMC-6 §6.22) / SEND DISC STRUCTURE for DVD layer information ------------------------

export function readDiscStructure(d: DiscState, c: Uint8Array): Uint8Array {
  const format = c[7];
  const fam = specOf(d).family;
  if (fam !== 'dvd' || c[1] & 0x0f) return illegal();
  const layers = d.layer0Capacity ? 2 : 1;
  if (format === 0x00) {
    // Physical format information (DVD: 2048 bytes after the 4-byte header).
    const b = new Uint8Array(4 + 2048);
    put16(b, 0, 2050);
    const book = { 'dvd-r': 2, 'dvd-rw': 3, 'dvd-ram': 1, 'dvd+rw': 9, 'dvd+r': 10, 'dvd+r-dl': 14, 'dvd-r-dl': 2 } as Record<string, number>;
    b[4] = ((isRom(d) ? 0 : book[d.type] ?? 0) << 4) | 0x01;
    b[5] = 0x0f; // 120 mm, max rate not specified
    b[6] = ((layers - 1) << 5) | (d.layer0Capacity ? 0x10 : 0) | (d.type === 'dvd-ram' ? 0x04 : d.type.includes('r') && !d.type.includes('rw') ? 0x02 : 0x04);
    put32(b, 8, 0x30000); // start PSN of the data area
    put32(b, 12, 0x30000 + d.capacity - 1);
    if (d.layer0Capacity) put32(b, 16, 0x30000 + d.layer0Capacity - 1);
    return b;
  }
  if (format === 0x20 && layers === 2) {
    // Layer boundary information (§6.22.3.12): Init status + L0 data zone capacity.
    const b = new Uint8Array(12);
    put16(b, 0, 10);
    b[4] = d.layerBreakFixed ? 0x00 : 0x80;
    put32(b, 8, d.layer0Capacity!);
    return b;
  }
  return illegal();
}
