// The blocks a raw Disc-At-Once (RAW-96) burn sends: 2352 bytes of CD-DA followed by 96 bytes of raw
// P-W sub-channel (MMC-6 §7.5.4.5 Data Block Type 3), from the start of the lead-in to the lead-out.
// The host makes all of the sub-channel here, so nothing of it depends on the drive:
// - lead-in: silence; Q is the table of contents (cd/lead-in.ts); R-W carries the CD-TEXT packs,
//   four to a block, cycling (cd/cd-text-packs.ts), as players read them from the lead-in.
// - program: the Q of cd/program-q.ts (mode 1 positions, MCN and ISRC frames, P in pauses) — the
//   same rule the virtual recorder follows for a Session-At-Once cue sheet, so tests decode the
//   stored sub-channel of either mode against `programQ()`.
import { InternalError, InvalidInputError } from '../common/errors';
import { CD_DA_SECTOR_BYTES, LBA_MSF_OFFSET } from '../cd/msf';
import { packPw } from '../cd/subchannel';
import { programSubchannel } from '../cd/program-q';
import { leadInQ, nextSessionPoints, tocPoints, type NextSession, type TocPoint } from '../cd/lead-in';
import { rwOfCdTextPacks } from '../cd/cd-text-packs';
import type { ByteSource } from '../image/byte-source';
import { SequentialSource } from '../image/byte-source/sequential-source';
import { programSource, type AudioBurnPlan } from './audio-plan';

export const RAW96_BLOCK_BYTES = CD_DA_SECTOR_BYTES + 96;
class Raw96Source extends SequentialSource {
  readonly description: string;
  private readonly leadInBlocks: number;
  private readonly points: TocPoint[];
  private readonly program: ByteSource;

  constructor(private readonly plan: AudioBurnPlan, readonly leadInLba: number, next?: NextSession) {
    const leadInBlocks = -LBA_MSF_OFFSET - leadInLba;
    const program = programSource(plan);
    super(RAW96_BLOCK_BYTES, leadInBlocks + program.totalSectors);
    this.leadInBlocks = leadInBlocks;
    this.program = program;
    this.description = `${this.program.description}, raw with sub-channel from the lead-in`;
    this.points = tocPoints(plan.layout.tracks, plan.layout.leadOut);
    // Closed appendable (CD-Extra's audio session): B0h (and C0h) point past this session.
    if (next) this.points.push(...nextSessionPoints(plan.layout.tracks[plan.layout.tracks.length - 1].control, next));
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

/**
 * Every block of a raw DAO burn: lead-in from `leadInLba` (the ATIP lead-in start), then LBA −150 to
 * the lead-out. `next`: the session is closed appendable, and its lead-in points to the next one.
 */
export function raw96Source(plan: AudioBurnPlan, leadInLba: number, next?: NextSession): ByteSource {
  if (!Number.isInteger(leadInLba) || leadInLba >= -LBA_MSF_OFFSET) throw new InvalidInputError(`the lead-in starts before LBA −150, not at ${leadInLba}`);
  return new Raw96Source(plan, leadInLba, next);
}
