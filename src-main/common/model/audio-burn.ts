// What an audio CD burn answers (audio.burn over IPC, `glassmaster audio --drive --json`, burn/audio-burn.ts).
import type { MediaInfo } from './drive';

export type AudioWriteMode = 'tao' | 'sao' | 'raw96';

export interface AudioBurnResult {
  ok: true;
  mode: AudioWriteMode;
  /** One sentence: why this mode (the drive's features, the project's needs). */
  reason: string;
  /** What of the project the mode could not record (e.g. CD-TEXT in TAO). */
  dropped: string[];
  cdText: boolean;
  simulated: boolean;
  /** Where each track's index 01 was recorded and its sectors up to the next track's pause or the lead-out. */
  tracks: Array<{ number: number; startLba: number; sectors: number }>;
  leadOut: number;
  /** Sectors read back and compared (0 without verify). */
  verifiedSectors: number;
  media: MediaInfo;
  elapsedMs: number;
  discState: string;
}
