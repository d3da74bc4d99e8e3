// What an audio CD says beyond its TOC, for BIN/CUE: index points, ISRC and MCN from the Q
// sub-channel of every sector read (READ CD with formatted Q, MMC-6 §6.19, Sub-channel Data
// Selection 010b), and CD-TEXT from the lead-in (READ TOC format 0101b, §6.25.3.8).
import { ScsiError } from '../common/errors';
import { decodeQ } from '../cd/q-decode';
import type { Drive } from '../drive/drive';
import { buildReadTocPmaAtip, parseCdTextPacks } from '../mmc/commands/read-toc-pma-atip';
import { cdTextPackValid } from '../cd/cd-text-packs';

/**
 * The CD-TEXT packs of the disc (only packs with a valid CRC, duplicates dropped), or [] when the
 * drive has none or cannot read them. Some drives answer format 0101b on a disc without CD-TEXT
 * with other data (the virtual recorder answers ATIP), which the CRC check filters out.
 */
export async function readCdTextPacks(drive: Drive, signal?: AbortSignal): Promise<Uint8Array[]> {
  try {
    const data = await drive.query(buildReadTocPmaAtip({ format: 5, allocationLength: 0xfffe }), { signal, retries: 1 });
    const seen = new Set<string>();
    return parseCdTextPacks(data).filter((p) => {
      const k = Buffer.from(p).toString('hex');
      if (!cdTextPackValid(p) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  } catch (e) {
    if (e instanceof ScsiError || (e as { code?: string }).code === 'INVALID_MEDIA') return [];
    throw e;
  }
}

/**
 * Collects the Q frames of the sectors read, in any order, and answers where each track's index
 * points are (LBAs), its ISRC, and the disc's MCN.
 *
 * MUST rules:
 * - only frames that decode (CRC valid, BCD digits, `decodeQ`) count;
 * - index 01 of a track is the LBA its mode 1 frames name (LBA − relative time), so a mode 2/3 frame
 *   or an unreadable sector at the very start of the track does not move it; other index points are
 *   the first sector whose frame names them;
 * - ISRC frames (mode 3) belong to the track of the nearest mode 1 frame before them; an ISRC or MCN
 *   is reported when at least two frames agree (one corrupt-but-CRC-valid frame is not enough).
 */
export class QTimeline {
  private readonly pos = new Map<number, { track: number; index: number; relative: number }>();
  private readonly isrcAt: Array<{ lba: number; isrc: string }> = [];
  private readonly mcnVotes = new Map<string, number>();
  private readonly controls = new Map<number, number>();
  frames = 0;

  add(lba: number, q: Uint8Array): void {
    const d = decodeQ(q, lba);
    if (!d) return;
    this.frames++;
    if (d.adr === 1) {
      if (d.lba === lba && d.track !== 0xaa) {
        this.pos.set(lba, { track: d.track, index: d.index, relative: d.relative });
        if (d.index >= 1) this.controls.set(d.track, d.control);
      }
    } else if (d.adr === 2) this.mcnVotes.set(d.mcn, (this.mcnVotes.get(d.mcn) ?? 0) + 1);
    else this.isrcAt.push({ lba, isrc: d.isrc });
  }

  /** True when at least one position frame was seen (the drive returns Q). */
  get hasPositions(): boolean {
    return this.pos.size > 0;
  }

  /** track → index → first LBA. */
  indexPoints(): Map<number, Map<number, number>> {
    const out = new Map<number, Map<number, number>>();
    for (const lba of [...this.pos.keys()].sort((a, b) => a - b)) {
      const p = this.pos.get(lba)!;
      let t = out.get(p.track);
      if (!t) out.set(p.track, (t = new Map()));
      const at = p.index === 1 ? lba - p.relative : lba;
      if (!t.has(p.index)) t.set(p.index, at);
    }
    return out;
  }

  /** ISRC per track number. */
  isrcs(): Map<number, string> {
    const sorted = [...this.pos.keys()].sort((a, b) => a - b);
    const votes = new Map<number, Map<string, number>>();
    for (const { lba, isrc } of this.isrcAt) {
      // The nearest position frame before the ISRC frame says whose track it is.
      let lo = 0;
      let hi = sorted.length - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < lba) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (best < 0) continue;
      const track = this.pos.get(sorted[best])!.track;
      const v = votes.get(track) ?? new Map<string, number>();
      v.set(isrc, (v.get(isrc) ?? 0) + 1);
      votes.set(track, v);
    }
    const out = new Map<number, string>();
    for (const [track, v] of votes) {
      const [isrc, n] = [...v].sort((a, b) => b[1] - a[1])[0];
      if (n >= 2) out.set(track, isrc);
    }
    return out;
  }

  /** The CONTROL nibble of a track's program frames (copy permitted, pre-emphasis …). */
  control(track: number): number | undefined {
    return this.controls.get(track);
  }

  mcn(): string | undefined {
    const best = [...this.mcnVotes].sort((a, b) => b[1] - a[1])[0];
    return best && best[1] >= 2 && !/^0+$/.test(best[0]) ? best[0] : undefined;
  }
}
