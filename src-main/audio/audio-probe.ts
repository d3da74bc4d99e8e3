// What probing an audio file tells an audio project before it is decoded (worker task `probe`).
import type { AudioTags } from './audio-tags';
import type { AudioFormat } from './decode';

export interface AudioProbe {
  format: AudioFormat;
  /** Stereo sample frames at 44.1 kHz (what the decoded track will hold; exact for FLAC/WAV/AIFF). */
  samples: number;
  sampleRate: number;
  channels: number;
  tags: AudioTags;
}
