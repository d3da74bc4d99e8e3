// What is on a disc now, for the burn's result: its sessions (or "grown in place" on overwritable
// media), the files and folders the newest file system shows (read back from the disc through the
// image reader, Rock Ridge > Joliet > ISO 9660 names), and the space left.
import type { DiscContents } from '../common/model/burn';
import type { Drive } from '../drive/drive';
import { importPreviousSession } from '../image/multisession/multisession';
import { StagingTree, walkTree } from '../image/staging/staging-tree';
import { readDiscLayout } from '../read/disc-layout';
import { driveBlockReader } from '../read/drive-block-reader';

export async function describeDisc(drive: Drive, signal?: AbortSignal): Promise<DiscContents> {
  const media = await drive.media(signal);
  const layout = await readDiscLayout(drive, signal);
  const contents: DiscContents = {
    profile: media.profile,
    status: media.status,
    sessions: layout.random ? undefined : layout.sessions.length,
    files: 0,
    folders: 0,
    fileBytes: 0,
    usedBlocks: media.usedBlocks,
    freeBlocks: media.freeBlocks,
  };
  const start = layout.random ? 0 : layout.sessions.at(-1)?.start;
  if (start === undefined) return contents;
  const tree = new StagingTree();
  const imported = await importPreviousSession(tree, driveBlockReader(drive, { sectorCount: layout.end, signal }), { sessionStart: start });
  walkTree(tree.root, (node, parts) => {
    if (parts.length === 0) return;
    if (node.kind === 'dir') contents.folders++;
    else if (node.kind === 'file') {
      contents.files++;
      contents.fileBytes += node.size;
    }
  });
  // Overwritable media report their whole formatted area as used; what the file system spans is what is taken.
  if (layout.random) {
    contents.usedBlocks = imported.lastSessionEnd + 1;
    contents.freeBlocks = Math.max(0, media.capacityBlocks - contents.usedBlocks);
  }
  return contents;
}

/** "2 sessions, 5 files in 3 folders (1.20 MB); 4.69 GB free." */
export function formatDiscContents(c: DiscContents, formatBytes: (n: number) => string): string {
  const where = c.sessions === undefined ? 'one file system (grown in place)' : `${c.sessions} session${c.sessions === 1 ? '' : 's'}`;
  return `On the disc now: ${where}, ${c.files} file${c.files === 1 ? '' : 's'} in ${c.folders} folder${c.folders === 1 ? '' : 's'} (${formatBytes(c.fileBytes)}); ${formatBytes(c.freeBlocks * 2048)} free${c.status === 'complete' ? ', closed' : ''}.`;
}
