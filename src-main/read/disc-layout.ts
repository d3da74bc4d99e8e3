// What of a disc can be read, and where: tracks with their sessions and readable extents, from
// READ DISC INFORMATION + READ TRACK INFORMATION (MMC-6 §6.21, §6.26), falling back to the TOC
// (§6.25, format 0) and then to READ CAPACITY (§6.18) for drives that implement less (QEMU's
// scsi-cd, DVD-ROM drives). The image reader, the disc reader and verify all start here.
import { ScsiError } from '../common/errors';
import type { Drive } from '../drive/drive';
import { buildGetConfiguration, parseGetConfiguration } from '../mmc/commands/get-configuration';
import { buildReadCapacity, parseReadCapacity } from '../mmc/commands/read-capacity';
import { buildReadTocPmaAtip, parseToc } from '../mmc/commands/read-toc-pma-atip';
import { profileFamily, profileRandomWritable } from '../mmc/profiles';

export interface DiscTrack {
  number: number;
  session: number;
  /** First user sector (CD: index 01). */
  start: number;
  /** One past the last sector that holds data (recorded, run-out blocks included on CD TAO data tracks). */
  end: number;
  audio: boolean;
  /** 1 = mode 1, 2 = mode 2 (CD data tracks); 1 elsewhere. */
  dataMode: number;
}

export interface DiscSession {
  number: number;
  /** First sector of the session's first track. */
  start: number;
  /** One past the last recorded sector of the session. */
  end: number;
}

export interface DiscLayout {
  profile: number;
  family: 'cd' | 'dvd' | 'bd' | 'hddvd' | 'other';
  /** Random-writable media (DVD+RW, DVD-RAM, BD-RE, formatted DVD-RW): one track the size of the formatted area. */
  random: boolean;
  /** Disc status from READ DISC INFORMATION ('complete' when the drive did not say). */
  status: 'blank' | 'appendable' | 'complete' | 'other';
  tracks: DiscTrack[];
  sessions: DiscSession[];
  /** One past the last readable sector of the disc (0 on a blank disc). */
  end: number;
  /** Where the next session may be written (sequential media, appendable disc). */
  nextWritableAddress?: number;
}

const isScsi = (e: unknown) => e instanceof ScsiError || (e as { code?: string }).code === 'INVALID_MEDIA';

export async function readDiscLayout(drive: Drive, signal?: AbortSignal): Promise<DiscLayout> {
  let profile = 0;
  try {
    profile = parseGetConfiguration(await drive.query(buildGetConfiguration({ rt: 'current', allocationLength: 8 + 4 + 64 }), { signal })).currentProfile;
  } catch (e) {
    if (!isScsi(e)) throw e;
  }
  const family = profileFamily(profile);
  const random = profileRandomWritable(profile);
  let status: DiscLayout['status'] = 'complete';
  let tracks: DiscTrack[] = [];
  let nextWritableAddress: number | undefined;
  try {
    const di = await drive.discInformation(signal);
    status = di.discStatus;
    for (let n = di.firstTrack || 1; n <= di.lastTrackInLastSession && n <= 0xffff; n++) {
      const ti = await drive.trackInformation(n, signal);
      if (ti.nextWritableAddress !== undefined && !random) nextWritableAddress ??= ti.nextWritableAddress;
      if (ti.blank && !random) continue;
      const end = random
        ? ti.startLba + ti.trackSize
        : ti.nextWritableAddress !== undefined ? ti.nextWritableAddress
        : ti.lastRecordedAddress !== undefined && ti.lastRecordedAddress >= ti.startLba ? ti.lastRecordedAddress + 1
        : ti.startLba + ti.trackSize;
      if (end <= ti.startLba) continue;
      tracks.push({ number: ti.track, session: ti.session, start: ti.startLba, end, audio: (ti.trackMode & 0x04) === 0, dataMode: ti.dataMode === 2 ? 2 : 1 });
    }
  } catch (e) {
    if (!isScsi(e)) throw e;
    tracks = [];
  }
  if (tracks.length === 0 && status !== 'blank') tracks = await tracksFromToc(drive, signal);
  if (tracks.length === 0 && status !== 'blank') {
    // Last resort: one data track over everything READ CAPACITY says is there.
    try {
      const rc = parseReadCapacity(await drive.query(buildReadCapacity(), { signal, retries: 1 }));
      if (rc.blocks > 0) tracks = [{ number: 1, session: 1, start: 0, end: rc.blocks, audio: false, dataMode: 1 }];
    } catch (e) {
      if (!isScsi(e)) throw e;
    }
  }
  if (random && tracks.length === 1) {
    // The formatted area is not what is used: READ CAPACITY's last LBA is (§6.18 on random media
    // still reports the formatted size, so this only narrows when a drive knows better).
    try {
      const rc = parseReadCapacity(await drive.query(buildReadCapacity(), { signal, retries: 1 }));
      if (rc.blocks > 0) tracks[0].end = Math.min(tracks[0].end, tracks[0].start + rc.blocks);
    } catch (e) {
      if (!isScsi(e)) throw e;
    }
  }
  const sessions: DiscSession[] = [];
  for (const t of tracks) {
    const s = sessions.find((x) => x.number === t.session);
    if (s) {
      s.start = Math.min(s.start, t.start);
      s.end = Math.max(s.end, t.end);
    } else sessions.push({ number: t.session, start: t.start, end: t.end });
  }
  sessions.sort((a, b) => a.start - b.start);
  const end = tracks.reduce((m, t) => Math.max(m, t.end), 0);
  const layout: DiscLayout = { profile, family, random, status, tracks, sessions, end };
  if (status === 'appendable' && nextWritableAddress !== undefined) layout.nextWritableAddress = nextWritableAddress;
  return layout;
}

/** READ TOC format 0: track starts, the lead-out ends the last track; sessions unknown (all 1). */
async function tracksFromToc(drive: Drive, signal?: AbortSignal): Promise<DiscTrack[]> {
  try {
    const toc = parseToc(await drive.query(buildReadTocPmaAtip({ format: 0, allocationLength: 0xfffe }), { signal, retries: 1 }));
    const out: DiscTrack[] = [];
    const entries = [...toc.entries].sort((a, b) => a.lba - b.lba);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.track === 0xaa) continue;
      const next = entries[i + 1];
      if (!next || next.lba <= e.lba) continue;
      out.push({ number: e.track, session: 1, start: e.lba, end: next.lba, audio: (e.control & 0x04) === 0, dataMode: 1 });
    }
    return out;
  } catch (e) {
    if (!isScsi(e)) throw e;
    return [];
  }
}
