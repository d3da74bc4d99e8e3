// Runtime-neutral model of the compilation being prepared. The renderer sees image paths, names and
// sizes of staged entries, never their host sources; it gets summaries and pages, never the whole
// tree (a project may hold 100,000 entries).
import type { AudioProjectSnapshot } from './audio-project';

export interface ProjectEntry {
  /** Name inside its folder on the disc. */
  name: string;
  /** Absolute image path ('/photos/2026'). */
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  /** Bytes, including everything below a folder. */
  bytes: number;
  /** Files and folders below a folder (0 for a file). */
  descendants: number;
}

export interface ProjectSnapshot {
  label: string;
  /** Sum of staged file sizes. */
  totalBytes: number;
  files: number;
  folders: number;
  /** Size of the image as built (file-system overhead included, from the engine's plan); null while planning or empty. */
  imageBytes: number | null;
  /** Bumped on every change: the renderer re-reads the pages it shows. */
  revision: number;
  canUndo: boolean;
  /** What the last undoable change was ("Add 3 items"). */
  undoLabel?: string;
  /** True while an image is being written or sources are being staged. */
  busy: boolean;
  /** The .glassmaster file the project was last saved to or opened from. */
  file?: string;
  /** Unsaved changes since then. */
  dirty: boolean;
}

/** One page of a project folder's children, in code point order (folders first). */
export interface ProjectPage {
  path: string;
  total: number;
  offset: number;
  entries: ProjectEntry[];
  revision: number;
}

/** Result of an edit that may have renamed entries to keep names unique. */
export interface ProjectEditResult {
  snapshot: ProjectSnapshot;
  /** Entries given another name because the wanted one was taken: shown and announced. */
  renamed: { wanted: string; given: string; path: string }[];
  /** Image paths of what the call added or created. */
  added: string[];
}

export interface ProjectOpenResult extends ProjectEditResult {
  /** Saved sources that changed (size or modification time) since the project was saved. */
  changed: string[];
  /** Saved sources that no longer exist or cannot be read (left out). */
  missing: string[];
  /**
   * Set when the file was an audio CD project: it replaced the audio project (this snapshot), the
   * data project (`snapshot`) is unchanged, and changed/missing name the audio files (host paths).
   */
  audio?: AudioProjectSnapshot;
}

export interface RecentProject {
  path: string;
  label: string;
  savedAt: number;
  /** An audio CD project (absent: a data project). */
  kind?: 'audio';
}

export interface ImageProgress {
  phase: 'planning' | 'writing' | 'done';
  bytesWritten: number;
  totalBytes: number;
}

/** Progress of a browser drop streamed into main's stash. */
export interface StashProgress {
  uploadId: number;
  bytesReceived: number;
}
