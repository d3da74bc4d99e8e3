// Runtime-neutral model of the compilation being prepared (the renderer sees names and sizes,
// never host paths).

export interface ProjectEntry {
  /** Name at the top of the disc. */
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  /** Bytes, including everything below a folder. */
  bytes: number;
  /** Files and folders below a folder (0 for a file). */
  descendants: number;
}

export interface ProjectSnapshot {
  label: string;
  entries: ProjectEntry[];
  totalBytes: number;
  /** True while an image is being written. */
  busy: boolean;
}

export interface ImageProgress {
  phase: 'planning' | 'writing' | 'done';
  bytesWritten: number;
  totalBytes: number;
}
