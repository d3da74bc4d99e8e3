// What the disc in a drive holds now, folder by folder (disc.files): the multisession view shows it
// greyed beside the project of the next session (burn/session-files.ts).
import type { MediaStatus } from './drive';

export interface DiscFileEntry {
  name: string;
  /** Absolute path on the disc ('/photos/beach.jpg'). */
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  /** Bytes of a file (0 for a folder). */
  bytes: number;
}

export interface DiscFilesView {
  address: string;
  /** The drive's media profile and status when listed ('CD-R', 'appendable'). */
  profile: string;
  status: MediaStatus;
  /** True when a next session (or growing the file system in place) can be written. */
  canAdd: boolean;
  /** Sessions on the disc (0 when blank). */
  sessions: number;
  /** The folder listed. */
  path: string;
  /** Its children, folders first, then by name; at most MAX_DISC_ENTRIES. */
  entries: DiscFileEntry[];
  /** Children left out past MAX_DISC_ENTRIES. */
  more: number;
  /** The file system the listing comes from ('rockridge', 'joliet', 'udf', 'iso9660'). */
  facet?: string;
}

/** At most this many children of one folder are sent (the view says how many more there are). */
export const MAX_DISC_ENTRIES = 5000;
