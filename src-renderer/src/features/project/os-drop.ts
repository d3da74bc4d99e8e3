// Files and folders dropped from the OS file manager. Electron: their real paths through the
// preload (webUtils.getPathForFile; a folder's too), staged like paths from the file pane (main
// validates them). Browser shell: the page has no paths, so the bytes are streamed into main's
// stash; dropped folders are walked with the File and Directory Entries API (readEntries returns
// a folder's children in batches until an empty one) so their structure, empty folders included,
// is kept in the project.
import { useAppStore } from '../../store';
import { t } from '../../i18n';

/** What the drop handler must take synchronously: the entries die with the drop event. */
export interface DropGrab {
  files: File[];
  /** One per dropped item (null where the browser gives no entry). */
  entries: (FileSystemEntry | null)[];
}

export function grabDrop(dt: DataTransfer): DropGrab {
  const entries = [...dt.items].filter((i) => i.kind === 'file').map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null));
  return { files: [...dt.files], entries };
}

export interface WalkedDrop {
  files: { file: File; dir: string }[];
  /** Relative paths of folders with no children. */
  emptyDirs: string[];
  /** Items the browser could not read (permissions, vanished while walking). */
  unreadable: string[];
}

const readBatch = (reader: FileSystemDirectoryReader) => new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

/** Walks dropped entries depth first; `onCount` hears the number of files found so far. */
export async function walkEntries(entries: FileSystemEntry[], onCount?: (files: number) => void): Promise<WalkedDrop> {
  const out: WalkedDrop = { files: [], emptyDirs: [], unreadable: [] };
  const visit = async (entry: FileSystemEntry, dir: string): Promise<void> => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    try {
      if (entry.isFile) {
        out.files.push({ file: await fileOf(entry as FileSystemFileEntry), dir });
        if (out.files.length % 200 === 0) onCount?.(out.files.length);
        return;
      }
      if (!entry.isDirectory) return;
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      const children: FileSystemEntry[] = [];
      for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) children.push(...batch);
      if (children.length === 0) out.emptyDirs.push(rel);
      for (const c of children) await visit(c, rel);
    } catch {
      out.unreadable.push(rel);
    }
  };
  for (const e of entries) await visit(e, '');
  onCount?.(out.files.length);
  return out;
}

/** Electron: the dropped files' real paths (webUtils.getPathForFile via the preload), when it knows every one; else undefined (stream them). */
export function hostPathsOf(files: File[]): string[] | undefined {
  const bridge = window.glassmaster;
  if (!bridge?.pathForFile) return undefined;
  const paths = files.map((f) => bridge.pathForFile(f)).filter((p) => p !== '');
  return paths.length === files.length ? paths : undefined;
}

export async function dropOsFiles(list: FileList | File[], into: string): Promise<void> {
  const files = [...list];
  if (!files.length) return;
  const paths = hostPathsOf(files);
  if (paths) await useAppStore.getState().addHostPaths(paths, into);
  else await useAppStore.getState().uploadFiles(files, into);
}

/** A drop on the project: folders walked and kept as folders; plain files as before. */
export async function dropOsItems(grab: DropGrab, into: string): Promise<void> {
  const entries = grab.entries.filter((e): e is FileSystemEntry => !!e);
  const hasFolder = entries.some((e) => e.isDirectory);
  // Electron gives folders their real path; a drop of plain files needs no walk.
  if (!hasFolder || window.glassmaster?.pathForFile || entries.length !== grab.entries.length) return dropOsFiles(grab.files, into);
  const store = useAppStore.getState();
  const walked = await walkEntries(entries, (count) => store.announce(t('drop.walking', { count })));
  if (walked.unreadable.length) store.showError({ message: t('drop.unreadable', { count: walked.unreadable.length, names: walked.unreadable.slice(0, 5).join(', ') }), code: 'IO', detail: walked.unreadable.join('\n') });
  if (walked.files.length + walked.emptyDirs.length === 0) return;
  await store.uploadTree(walked.files, walked.emptyDirs, into);
}
