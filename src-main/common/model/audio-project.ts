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
}

