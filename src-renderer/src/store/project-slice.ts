import type { StateCreator } from 'zustand';
import type { GlassmasterClient } from '../../../src-main/common/ipc/contract';
import type { ImageProgress, ProjectSnapshot } from '../../../src-main/common/model/project';
import type { AppState } from './use-app-store';

export interface ProjectSlice {
  project: ProjectSnapshot | undefined;
  imageProgress: ImageProgress | undefined;
  projectError: string | undefined;
  lastImage: { bytes: number } | undefined;
  loadProject(): Promise<void>;
  addFromDialog(directories: boolean): Promise<void>;
  removeEntry(name: string): Promise<void>;
  clearProject(): Promise<void>;
  writeImage(): Promise<void>;
  cancelWrite(): void;
  applyProject(snapshot: ProjectSnapshot): void;
  applyImageProgress(progress: ImageProgress): void;
}

export const createProjectSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], ProjectSlice> =>
  (set, get) => {
    let writing: AbortController | undefined;
    const run = async (fn: () => Promise<ProjectSnapshot>) => {
      set({ projectError: undefined });
      try {
        get().applyProject(await fn());
      } catch (err) {
        set({ projectError: (err as Error).message });
      }
    };
    return {
      project: undefined,
      imageProgress: undefined,
      projectError: undefined,
      lastImage: undefined,
      loadProject: () => run(() => client.invoke('project.get', {})),
      addFromDialog: (directories) => run(() => client.invoke('project.addFromDialog', { directories })),
      removeEntry: (name) => run(() => client.invoke('project.remove', { name })),
      clearProject: () => run(() => client.invoke('project.clear', {})),
      async writeImage() {
        writing = new AbortController();
        set({ projectError: undefined, lastImage: undefined, imageProgress: undefined });
        try {
          const written = await client.invoke('project.writeImage', {}, { signal: writing.signal });
          set({ lastImage: written ?? undefined });
        } catch (err) {
          set({ projectError: (err as { code?: string }).code === 'CANCELLED' ? 'Image cancelled: nothing was written.' : (err as Error).message });
        } finally {
          writing = undefined;
          set({ imageProgress: undefined });
        }
      },
      cancelWrite() {
        writing?.abort();
      },
      applyProject(project) {
        set({ project });
      },
      applyImageProgress(imageProgress) {
        set({ imageProgress });
      },
    };
  };
