// Mixed-mode CD (Yellow Book + Red Book, one session): track 1 is a mode 1 data track holding a
// file-system image, the audio follows as tracks 2…, written Session-At-Once from one cue sheet.
// The host sends every block as 2352 bytes: the data track's sectors are framed here (sync, header,
// EDC, P/Q parity: cd/sector.ts) and sent with cue Data Form 11h, the audio as CD-DA (00h).
//
// Layout rules: the data track starts at LBA 0 after the disc's 2-second pause (also mode 1, of
// zeros); the first audio track has a 2-second pause (index 00) after the data track — the
// data-to-audio transition the Red/Yellow Books ask for — and the audio plan's own layout is
// shifted behind it unchanged (its gaps, indexes, ISRCs). CD-TEXT is not written on a mixed-mode
// disc here (its packs would have to be renumbered from track 2); the MCN is kept.
import { CancelledError, InternalError, InvalidInputError } from '../common/errors';
import { CD_DA_SECTOR_BYTES, LBA_MSF_OFFSET, SAMPLES_PER_SECTOR, msfOf } from '../cd/msf';
import { mode1Sector } from '../cd/sector';
import type { CueSheetEntry } from '../mmc/commands/send-cue-sheet';
import type { ByteSource } from '../image/byte-source';
import { SequentialSource } from '../image/byte-source/sequential-source';
import { cdDaSource } from './cdda-source';
import { saoCueSheet, type AudioBurnPlan } from './audio-plan';

export const DATA_TO_AUDIO_PAUSE = 150;

export interface MixedModeDisc {
  /** The audio, shifted behind the data track and renumbered from track 2. */
  audio: AudioBurnPlan;
  /** Sectors (2048 bytes) of the data track. */
  dataSectors: number;
  openData: () => Promise<ByteSource>;
}

/** Moves an audio plan behind a data track of `dataSectors` sectors: tracks 2…, first pause 2 s. */
export function mixedModeDisc(plan: AudioBurnPlan, dataSectors: number, openData: () => Promise<ByteSource>): MixedModeDisc {
  if (!Number.isInteger(dataSectors) || dataSectors < 300) throw new InvalidInputError(`a data track is at least 4 seconds (300 sectors), not ${dataSectors}`);
  if (plan.layout.tracks.length > 98) throw new InvalidInputError('a mixed-mode CD holds at most 98 audio tracks after its data track');
  const first = plan.layout.tracks[0];
  if (first.hiddenSamples > 0) throw new InvalidInputError('hidden track one audio has no place on a mixed-mode CD (track 1 is data)');
  // Audio LBA x (x ≥ −150) goes to dataSectors + 150 + x: the first audio pause is [dataSectors, dataSectors + 150 + first.start).
  const shift = dataSectors + LBA_MSF_OFFSET;
  const tracks = plan.layout.tracks.map((t, i) => ({
    ...t,
    number: t.number + 1,
    pregapStart: i === 0 ? dataSectors : t.pregapStart + shift,
    start: t.start + shift,
    indexes: t.indexes.map((x) => x + shift),
    end: t.end + shift,
    firstSample: t.firstSample + shift * SAMPLES_PER_SECTOR,
  }));
  return {
    audio: {
      layout: { tracks, leadOut: plan.layout.leadOut + shift, mcn: plan.layout.mcn },
      cdTextPacks: [],
      placements: plan.placements.map((p) => ({ ...p, firstSample: p.firstSample + shift * SAMPLES_PER_SECTOR })),
    },
    dataSectors,
    openData,
  };
}

/** The cue sheet: lead-in (data CONTROL), MCN, track 1 mode 1 (11h, host sends whole sectors) from LBA −150, then the audio's entries, lead-out. */
export function mixedCueSheet(disc: MixedModeDisc): CueSheetEntry[] {
  const audio = saoCueSheet(disc.audio);
  const at = (ctlAdr: number, tno: number, index: number, dataForm: number, lba: number): CueSheetEntry => {
    const [min, sec, frame] = msfOf(lba + LBA_MSF_OFFSET);
    return { ctlAdr, tno, index, dataForm, scms: 0, min, sec, frame };
  };
  const leadIn = { ...audio[0], ctlAdr: 0x41, dataForm: 0x14 };
  const mcn = audio.slice(1).filter((e) => e.ctlAdr === 0x02);
  const rest = audio.slice(1).filter((e) => e.ctlAdr !== 0x02);
  return [leadIn, ...mcn, at(0x41, 1, 0, 0x11, -LBA_MSF_OFFSET), at(0x41, 1, 1, 0x11, 0), ...rest];
}

class MixedProgramSource extends SequentialSource {
  readonly description: string;
  private data: ByteSource | undefined;
  private audio: ByteSource | undefined;

  constructor(private readonly disc: MixedModeDisc) {
    super(CD_DA_SECTOR_BYTES, LBA_MSF_OFFSET + disc.audio.layout.leadOut);
    this.description = `mixed-mode CD (data track + ${disc.audio.layout.tracks.length} audio tracks)`;
  }

  protected async produce(sent: number, count: number, signal?: AbortSignal): Promise<Uint8Array> {
    await new Promise((r) => setImmediate(r)); // sectors are framed synchronously: let other work run between chunks
    if (this.isCancelled() || signal?.aborted) throw new CancelledError();
    const lba = sent - LBA_MSF_OFFSET;
    if (lba < 0) {
      // The disc's 2-second pause belongs to the data track: mode 1 sectors of zeros.
      const n = Math.min(count, -lba);
      const out = new Uint8Array(n * CD_DA_SECTOR_BYTES);
      for (let i = 0; i < n; i++) out.set(mode1Sector(lba + i, new Uint8Array(2048)), i * CD_DA_SECTOR_BYTES);
      return out;
    }
    if (lba < this.disc.dataSectors) {
      this.data ??= await this.disc.openData();
      if (this.data.sectorSize !== 2048 || this.data.totalSectors !== this.disc.dataSectors) throw new InternalError('the data track changed size');
      const user = await this.data.read(Math.min(count, this.disc.dataSectors - lba), signal);
      if (!user) throw new InternalError('the data track ended early');
      const n = user.length / 2048;
      const out = new Uint8Array(n * CD_DA_SECTOR_BYTES);
      for (let i = 0; i < n; i++) out.set(mode1Sector(lba + i, user.subarray(i * 2048, (i + 1) * 2048)), i * CD_DA_SECTOR_BYTES);
      return out;
    }
    this.audio ??= cdDaSource(this.description, this.disc.audio.placements, this.disc.dataSectors, this.disc.audio.layout.leadOut);
    const chunk = await this.audio.read(count, signal);
    if (!chunk) throw new InternalError('the audio ended early');
    return chunk;
  }

  protected async release(): Promise<void> {
    await this.data?.cancel();
    await this.audio?.cancel();
  }
}

/** Every block the host sends, 2352 bytes each, from LBA −150 to the lead-out. */
export function mixedProgramSource(disc: MixedModeDisc): ByteSource {
  return new MixedProgramSource(disc);
}
