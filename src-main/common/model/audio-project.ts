// An audio CD project as the IPC contract carries it (audio/audio-project-service.ts keeps it).
// Paths are the host files the user chose; their contents stay in main.

/** CD-TEXT strings of the album or a track (ISO 8859-1). */
export interface AudioCdText {
  title?: string;
  performer?: string;
  songwriter?: string;
  composer?: string;
  arranger?: string;
  message?: string;
}

export interface AudioProjectTrack {
  id: number;
  path: string;
  fileName: string;
  /** Recognised from the bytes. */
  format: 'wav' | 'aiff' | 'flac' | 'mp3' | 'vorbis' | 'opus';
  /** Stereo samples at 44.1 kHz. */
  samples: number;
  sampleRate: number;
  channels: number;
  /** As music-metadata read them. */
  tags: { title?: string; artist?: string; album?: string; albumArtist?: string; composer?: string; genre?: string; isrc?: string; track?: number };
  /** CD-TEXT of the track (prefilled from tags / the file name; edits replace it). */
  text: AudioCdText;
  /** Pause before the track in seconds; undefined = the project's default. */
  pregapSeconds?: number;
  indexSeconds?: number[];
  isrc?: string;
  preEmphasis?: boolean;
  copyPermitted?: boolean;
}

export interface AudioDiscSettings {
  gapless: boolean;
  /** Pause before tracks 2… (seconds) when not gapless. */
  pregapSeconds: number;
  album: AudioCdText;
  mcn?: string;
  /** The disc the project is planned for (74 or 80 minutes; 90/99 for overburning). */
  discMinutes: 74 | 80 | 90 | 99;
  /** CD-TEXT DISC_ID (catalogue number, ISO 8859-1). */
  discId?: string;
  /** CD-TEXT GENRE: the Red Book code (cd-text-genres.ts) and an optional text. */
  genre?: { code: number; text?: string };
  /** CD-TEXT UPC/EAN (13 digits); when absent the MCN is used. */
  upcEan?: string;
}

export interface AudioProjectSummary {
  tracks: number;
  /** Sectors of the program area (LBA 0 … lead-out), when the project can be laid out. */
  sectors?: number;
  /** Playing time in seconds including track 1's 2-second pause. */
  seconds?: number;
  fits: { 74: boolean; 80: boolean };
  /** Why the project cannot be written as it stands (too short a track, too long for the disc …). */
  problem?: string;
}

export interface AudioProjectSnapshot {
  tracks: AudioProjectTrack[];
  hiddenTrack?: { path: string; fileName: string; samples: number };
  disc: AudioDiscSettings;
  summary: AudioProjectSummary;
  /** The .glassmaster file the project was last saved to or opened from. */
  file?: string;
  /** Changes since it was saved or opened (or since the first edit of a new project). */
  dirty?: boolean;
}


/** audio.open (and project.open of an audio file): the restored project and what differs from the save. */
export interface AudioOpenResult {
  snapshot: AudioProjectSnapshot;
  /** Track files (host paths) changed since the save: kept, probed again. */
  changed: string[];
  /** Track files gone, unreadable or no longer audio: left out. */
  missing: string[];
}

/** audio.preview: the seconds around a track boundary as the disc plays them (audio/audio-preview.ts). */
export interface AudioPreview {
  /** RIFF/WAVE, PCM 16-bit LE, 2 channels, 44.1 kHz; base64 (the WebSocket carries JSON). */
  wav: string;
  /** Where the later track begins in the WAV (its index 01 sample). */
  boundarySeconds: number;
  /** The pause between the two tracks on the disc (padding + pregap), seconds. */
  pauseSeconds: number;
  /** The pause as the WAV plays it (shorter than pauseSeconds when that is longer than the preview allows). */
  pausePlayedSeconds: number;
  seconds: number;
}

export type AudioWriteModeName = 'tao' | 'sao' | 'raw96';
export type AudioModeOutcome = { ok: true; mode: AudioWriteModeName; reason: string; dropped: string[]; cdText: boolean } | { ok: false; reason: string };

/** audio.planBurn: the burner's choice per requested mode on one recorder, and the loaded disc's capacity. */
export interface AudioBurnPlanView {
  /** Per requested mode: what the burner would choose and why, or why it refuses. */
  modes: Record<'auto' | AudioWriteModeName, AudioModeOutcome>;
  /** The loaded CD-R/RW's last possible lead-out start (ATIP), as an LBA; absent without a recordable CD. */
  atipLeadOut?: number;
  /** The project's lead-out LBA as laid out now. */
  leadOut: number;
}
