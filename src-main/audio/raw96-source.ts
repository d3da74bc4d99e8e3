// The blocks a raw Disc-At-Once (RAW-96) burn sends: 2352 bytes of CD-DA followed by 96 bytes of raw
// P-W sub-channel (MMC-6 §7.5.4.5 Data Block Type 3), from the start of the lead-in to the lead-out.
// The host makes all of the sub-channel here, so nothing of it depends on the drive:
// - lead-in: silence; Q is the table of contents (cd/lead-in.ts); R-W carries the CD-TEXT packs,
//   four to a block, cycling (cd/cd-text-packs.ts), as players read them from the lead-in.
// - program: Q mode 1 with track, index (00 in a pause, 01, 02 … at the index points), relative time
//   (counting down to index 01 in a pause, ECMA-130 §22.3.3.4) and absolute time; P set in pauses
//   (§22.3.2). The MCN (Q mode 2) replaces one frame in 100 and each track's ISRC (Q mode 3) another
//   one in 100 inside the track (§22.3.4, §22.3.5: at least once every 100 frames), never at the first
//   frame of a track or an index, so a player sees every index change in mode 1.
// Which Q a sector gets is `programQ()`, pure, so tests decode the stored sub-channel against it.
import { InternalError, InvalidInputError } from '../common/errors';
import { CD_DA_SECTOR_BYTES, LBA_MSF_OFFSET } from '../cd/msf';
import { packPw, qMode1, qMode2Mcn, qMode3Isrc } from '../cd/subchannel';
import { leadInQ, tocPoints, type TocPoint } from '../cd/lead-in';
import { rwOfCdTextPacks } from '../cd/cd-text-packs';
import type { ByteSource } from '../image/byte-source';
import { SequentialSource } from '../image/byte-source/sequential-source';
import type { DiscLayout, TrackPlacement } from './layout';
import { programSource, type AudioBurnPlan } from './audio-plan';

export const RAW96_BLOCK_BYTES = CD_DA_SECTOR_BYTES + 96;
/** Frame (absolute time mod 100) that carries the MCN, and the one that carries a track's ISRC. */
const MCN_SLOT = 25;
const ISRC_SLOT = 75;

export type ProgramQ =
  | { adr: 1; track: number; index: number; relative: number; pause: boolean; control: number }
  | { adr: 2; mcn: string; control: number; pause: boolean }
  | { adr: 3; isrc: string; control: number; pause: boolean };

/** The track whose index 00 … end holds `lba` (track 1's pause starts at LBA −150). */
export function trackAt(layout: DiscLayout, lba: number): TrackPlacement {
  const ts = layout.tracks;
  for (let i = ts.length - 1; i >= 0; i--) if (lba >= (i === 0 ? -LBA_MSF_OFFSET : ts[i].pregapStart)) return ts[i];
  return ts[0];
}

/** What Q a program sector (LBA −150 … lead-out − 1) carries. */
export function programQ(layout: DiscLayout, lba: number): ProgramQ {
  const t = trackAt(layout, lba);
  const pause = lba < t.start;
  const index = pause ? 0 : 1 + t.indexes.filter((x) => x <= lba).length;
  const boundaries = [t.number === 1 ? -LBA_MSF_OFFSET : t.pregapStart, t.start, ...t.indexes];
  const edge = boundaries.includes(lba) || boundaries.includes(lba + 1) || lba + 1 === t.end;
  const slot = (lba + LBA_MSF_OFFSET) % 100;
  if (!edge && layout.mcn && slot === MCN_SLOT) return { adr: 2, mcn: layout.mcn, control: t.control, pause };
  if (!edge && t.isrc && !pause && slot === ISRC_SLOT) return { adr: 3, isrc: t.isrc, control: t.control, pause };
  return { adr: 1, track: t.number, index, relative: pause ? t.start - lba : lba - t.start, pause, control: t.control };
}

/** 96 bytes of raw P-W for a program sector. */
export function programSubchannel(layout: DiscLayout, lba: number): Uint8Array {
  const q = programQ(layout, lba);
  const bytes = q.adr === 2 ? qMode2Mcn(q.control, q.mcn, lba) : q.adr === 3 ? qMode3Isrc(q.control, q.isrc, lba) : qMode1({ control: q.control, track: q.track, index: q.index, relative: q.relative, lba });
  return packPw(q.pause, bytes);
}

class Raw96Source extends SequentialSource {
  readonly description: string;
  private readonly leadInBlocks: number;
  private readonly points: TocPoint[];
  private readonly program: ByteSource;

  constructor(private readonly plan: AudioBurnPlan, readonly leadInLba: number) {
    const leadInBlocks = -LBA_MSF_OFFSET - leadInLba;
    const program = programSource(plan);
    super(RAW96_BLOCK_BYTES, leadInBlocks + program.totalSectors);
    this.leadInBlocks = leadInBlocks;
    this.program = program;
    this.description = `${this.program.description}, raw with sub-channel from the lead-in`;
    this.points = tocPoints(plan.layout.tracks, plan.layout.leadOut);
  }

  protected async produce(sent: number, count: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (sent < this.leadInBlocks) {
      // Yield once: the blocks are made synchronously, and a read must stay pending (the contract
      // refuses a concurrent one) without holding the event loop for the whole chunk.
      await new Promise((r) => setImmediate(r));
      const n = Math.min(count, this.leadInBlocks - sent, 1024);
      const out = new Uint8Array(n * RAW96_BLOCK_BYTES);
      const packs = this.plan.cdTextPacks;
      for (let i = 0; i < n; i++) {
        const k = sent + i;
        const rw = packs.length ? rwOfCdTextPacks([0, 1, 2, 3].map((j) => packs[(k * 4 + j) % packs.length])) : undefined;
        out.set(packPw(false, leadInQ(this.points, k), rw), i * RAW96_BLOCK_BYTES + CD_DA_SECTOR_BYTES);
      }
      return out;
    }
    const main = await this.program.read(count, signal);
    if (!main) throw new InternalError('the CD-DA program ended before its last sector');
    const n = main.length / CD_DA_SECTOR_BYTES;
    const out = new Uint8Array(n * RAW96_BLOCK_BYTES);
    const first = sent - this.leadInBlocks - LBA_MSF_OFFSET;
    for (let i = 0; i < n; i++) {
      out.set(main.subarray(i * CD_DA_SECTOR_BYTES, (i + 1) * CD_DA_SECTOR_BYTES), i * RAW96_BLOCK_BYTES);
      out.set(programSubchannel(this.plan.layout, first + i), i * RAW96_BLOCK_BYTES + CD_DA_SECTOR_BYTES);
    }
    return out;
  }

  protected release(): Promise<void> {
    return this.program.cancel();
  }
}

/** Every block of a raw DAO burn: lead-in from `leadInLba` (the ATIP lead-in start), then LBA −150 to the lead-out. */
export function raw96Source(plan: AudioBurnPlan, leadInLba: number): ByteSource {
  if (!Number.isInteger(leadInLba) || leadInLba >= -LBA_MSF_OFFSET) throw new InvalidInputError(`the lead-in starts before LBA −150, not at ${leadInLba}`);
  return new Raw96Source(plan, leadInLba);
}
