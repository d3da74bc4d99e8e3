// Files dropped from the OS file manager. Electron: their real paths through the preload
// (webUtils.getPathForFile), staged like paths from the file pane (main validates them). Browser
// shell: the page has no paths, so the bytes are streamed into main's stash.
import { useAppStore } from '../../store';

export async function dropOsFiles(list: FileList | File[], into: string): Promise<void> {
  const files = [...list];
  if (!files.length) return;
  const bridge = window.glassmaster;
  if (bridge?.pathForFile) {
    const paths = files.map((f) => bridge.pathForFile(f)).filter((p) => p !== '');
    if (paths.length === files.length) {
      await useAppStore.getState().addHostPaths(paths, into);
      return;
    }
  }
  await useAppStore.getState().uploadFiles(files, into);
}
