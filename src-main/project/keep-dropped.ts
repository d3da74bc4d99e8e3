// Saving a project that holds files dropped on the browser shell's page. Those files live in main's
// stash (project/drop-stash.ts), which is emptied when Glassmaster starts again: a saved project
// pointing into it would open with its dropped files missing. What a user expects of "Save" is that
// the project opens again with everything it had, so the dropped files are kept with the project:
// copied (hard-linked when the stash and the project share a file system, so no bytes are copied)
// into a folder beside the project file, NAME.files/, at their place in the project, and the saved
// project (and the open one) points at those copies. Files added from the file pane are never copied.
import { copyFile, link, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep, isAbsolute } from 'node:path';
import { ioErrorFor } from './host-files';

/** True when `hostPath` lies inside the stash folder `stashDir`. */
export function inStash(hostPath: string, stashDir: string | undefined): boolean {
  if (!stashDir) return false;
  const rel = relative(stashDir, hostPath);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The folder beside `projectFile` that keeps its dropped files: "trip.glassmaster" → "trip.files". */
export function keptFolder(projectFile: string): string {
  return join(dirname(projectFile), `${basename(projectFile, extname(projectFile))}.files`);
}

/**
 * Keeps one dropped file beside the project: `imagePath` ('/photos/a.jpg') under keptFolder. An
 * existing copy of the same size and age is reused (saving twice copies nothing twice).
 */
export async function keepDroppedFile(projectFile: string, imagePath: string, source: string): Promise<{ path: string; size: number; mtimeMs: number }> {
  const parts = imagePath.split('/').filter(Boolean);
  const dest = join(keptFolder(projectFile), ...parts);
  const src = await stat(source);
  const existing = await stat(dest).catch(() => undefined);
  if (!existing || existing.size !== src.size || existing.mtimeMs < src.mtimeMs) {
    try {
      await mkdir(dirname(dest), { recursive: true });
      await link(source, dest).catch(async (err: NodeJS.ErrnoException) => {
        // Another file system (EXDEV), no hard links (EPERM), or an old copy in the way (EEXIST).
        if (err.code !== 'EXDEV' && err.code !== 'EPERM' && err.code !== 'EEXIST') throw err;
        await copyFile(source, dest);
      });
    } catch (err) {
      throw ioErrorFor(dest, err, 'cannot keep a dropped file with the project');
    }
  }
  const kept = await stat(dest);
  if (!dest.startsWith(keptFolder(projectFile) + sep)) throw new Error('internal: kept file outside its folder');
  return { path: dest, size: kept.size, mtimeMs: kept.mtimeMs };
}
