// Runtime-neutral model of the host file browser pane (K3b's left pane): main lists folders of the
// host for the renderer; the renderer never reads file contents.

export interface HostPlace {
  /** 'home', 'root', 'volume' (a mounted medium or disk), 'recent' (a folder used before). */
  kind: 'home' | 'root' | 'volume' | 'recent';
  name: string;
  path: string;
}

export interface HostEntry {
  name: string;
  /** Absolute host path. */
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Bytes (files); 0 for folders. */
  size: number;
  mtimeMs: number;
  hidden: boolean;
}

export type HostSort = 'name' | 'size' | 'date';

export interface HostListing {
  path: string;
  /** The folder above, or null at a root. */
  parent: string | null;
  entries: HostEntry[];
  /** More entries than the pane is sent (the first ones in the chosen order are). */
  truncated: boolean;
  total: number;
}
