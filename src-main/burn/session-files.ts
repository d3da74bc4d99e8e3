// disc.files: what the disc in a drive holds now, one folder at a time, for the multisession view
// ("add to a disc"): the renderer shows these entries greyed beside the project, marks the ones
// the project replaces (same path) or the user removes, and burns the next session with
// burn.start {kind:'project', multisession:true, remove}. Read through DiscService.list (a 'read'
// lease on the drive, the last session's preferred file system: Rock Ridge, Joliet, UDF, ISO 9660).
// A blank disc or an empty drive is not an error: the view says what a burn would do instead.
import type { RequestOf, ResponseOf } from '../common/ipc/contract';
import { MAX_DISC_ENTRIES, type DiscFileEntry, type DiscFilesView } from '../common/model/disc-files';
import type { MediaInfo } from '../common/model/drive';
import type { DriveService } from '../drive/drive-service';
import type { DiscService } from '../read/disc-service';
import type { TreeNode } from '../image/reader';
import { NotFoundError } from '../common/errors';

/** Random-access media grow their file system in place; a sequential disc takes a next session while appendable. */
export function canAddTo(media: MediaInfo): boolean {
  if (media.writeProtected) return false;
  if (media.status === 'blank' || media.status === 'appendable') return true;
  return media.formatted === true;
}

/** Folders first, then names in code point order (as the project tree sorts). */
export function discEntries(node: TreeNode, path: string): { entries: DiscFileEntry[]; more: number } {
  const base = path === '/' ? '' : path.replace(/\/$/, '');
  const children = [...(node.children ?? [])].sort((a, b) => (a.kind === 'dir') !== (b.kind === 'dir') ? (a.kind === 'dir' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const entries = children.slice(0, MAX_DISC_ENTRIES).map((c) => ({ name: c.name, path: `${base}/${c.name}`, kind: c.kind, bytes: c.kind === 'file' ? c.size : 0 }));
  return { entries, more: Math.max(0, children.length - MAX_DISC_ENTRIES) };
}

export function sessionFilesHandler(drives: DriveService, discs: DiscService): { 'disc.files': (params: RequestOf<'disc.files'>, signal: AbortSignal) => Promise<ResponseOf<'disc.files'>> } {
  return {
    'disc.files': async ({ address, path }, signal) => {
      const media = await drives.media(address, signal);
      const status = media.status;
      const view: DiscFilesView = { address, profile: media.profile, status, canAdd: canAddTo(media), sessions: media.sessions, path, entries: [], more: 0 };
      if (status === 'no-disc' || status === 'blank') return { ...view, sessions: 0 };
      let listing;
      try {
        listing = await discs.list(address, { path, signal });
      } catch (e) {
        // An audio CD left appendable: no files yet; the next session makes it an Enhanced CD.
        if (e instanceof NotFoundError && e.details?.reason === 'audio-only') return view;
        throw e;
      }
      if (listing.node.kind !== 'dir') throw new NotFoundError(`${path} on the disc is not a folder`, { path });
      return { ...view, sessions: listing.layout.sessions.length || media.sessions, facet: listing.facet, ...discEntries(listing.node, path) };
    },
  };
}
