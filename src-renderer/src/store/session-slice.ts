// "Add to a disc" (multisession): what the disc in the chosen recorder holds now, one folder at a
// time (disc.files, read by main through the drive), shown greyed beside the project; which of its
// files the next session leaves out (removed) and which the project replaces (a project entry at
// the same path). The burn is burn.start {kind:'project', multisession:true, remove}.
import type { StateCreator } from 'zustand';
import type { GlassmasterClient } from '../../../src-main/common/ipc/contract';
import type { DiscFileEntry, DiscFilesView } from '../../../src-main/common/model/disc-files';
import type { AppState } from './use-app-store';
import { toUiError } from './errors';
import { t } from '../i18n';

/** How a file of the disc fares in the next session. */
export type DiscEntryFate = 'kept' | 'replaced' | 'removed';

export interface SessionSlice {
  /** The listing on screen (its address and folder), or undefined before the first read. */
  discFiles: DiscFilesView | undefined;
  discFilesLoading: boolean;
  discFilesError: string | undefined;
  /** Paths of the disc the next session leaves out (folders take everything below). */
  discRemoved: string[];
  /** Names in the project folder at the same path as the disc folder on screen (replacements). */
  projectNamesHere: string[];
  /** The drive whose next session this view just burned (the listing is what the disc holds now). */
  discBurnedOn: string | undefined;
  /** A next session was burned on `address`: removals done, the disc read again from its root. */
  sessionBurned(address: string): Promise<void>;
  loadDiscFiles(address: string, path?: string): Promise<void>;
  toggleDiscRemoved(path: string): void;
  resetDiscSession(): void;
  /** The fate of one disc entry: removed (or below a removed folder), replaced by the project, kept. */
  discEntryFate(entry: DiscFileEntry): DiscEntryFate;
  /** Re-reads the project names of the folder on screen (the project changed). */
  refreshProjectNamesHere(): Promise<void>;
}

/** True when `path` is `root` or lies below it. */
export function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

export const createSessionSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], SessionSlice> =>
  (set, get) => {
    // One read of the disc at a time (a second would find the drive leased by the first: DRIVE_BUSY);
    // requests made meanwhile collapse into the newest.
    let chain: Promise<void> = Promise.resolve();
    let latest = 0;
    const projectNames = async (path: string): Promise<string[]> => {
      const names: string[] = [];
      try {
        for (let offset = 0; ; offset += 2000) {
          const page = await client.invoke('project.list', { path, offset, limit: 2000 });
          names.push(...page.entries.map((e) => e.name));
          if (offset + page.entries.length >= page.total || page.entries.length === 0) break;
        }
      } catch {
        // No such folder in the project: nothing here is replaced.
      }
      return names;
    };
    const readFolder = async (address: string, path: string): Promise<void> => {
      const prev = get().discFiles;
      // Another disc or drive: the removals chosen for the old one do not apply.
      if (prev && prev.address !== address) set({ discRemoved: [], discBurnedOn: undefined });
      set({ discFilesLoading: true, discFilesError: undefined });
      try {
        const [view, names] = await Promise.all([client.invoke('disc.files', { address, path }), projectNames(path)]);
        set({ discFiles: view, projectNamesHere: names, discFilesLoading: false });
      } catch (err) {
        const e = toUiError(err);
        set({ discFilesLoading: false, discFilesError: e.message });
        // The folder left the disc (another session burned): back to its root.
        if (e.code === 'NOT_FOUND' && path !== '/') void get().loadDiscFiles(address, '/');
      }
    };
    return {
      discFiles: undefined,
      discFilesLoading: false,
      discFilesError: undefined,
      discRemoved: [],
      projectNamesHere: [],
      discBurnedOn: undefined,
      async sessionBurned(address) {
        set({ discRemoved: [], discBurnedOn: address });
        await get().loadDiscFiles(address, '/');
      },
      loadDiscFiles(address, path = '/') {
        const mine = ++latest;
        chain = chain.then(() => (mine === latest ? readFolder(address, path) : undefined));
        return chain;
      },
      toggleDiscRemoved(path) {
        const removed = get().discRemoved;
        if (removed.includes(path)) {
          set({ discRemoved: removed.filter((p) => p !== path) });
          get().announce(t('session.keptAgain', { path }));
        } else {
          // A folder removed takes the removals below it with it (one entry for the burn).
          set({ discRemoved: [...removed.filter((p) => !isUnder(p, path)), path] });
          get().announce(t('session.willRemove', { path }));
        }
      },
      resetDiscSession() {
        set({ discRemoved: [], discFiles: undefined, discFilesError: undefined, projectNamesHere: [], discBurnedOn: undefined });
      },
      discEntryFate(entry) {
        if (get().discRemoved.some((r) => isUnder(entry.path, r))) return 'removed';
        // A file the project has at the same path replaces it; a folder there is merged (its files stay).
        if (entry.kind !== 'dir' && get().projectNamesHere.includes(entry.name)) return 'replaced';
        return 'kept';
      },
      async refreshProjectNamesHere() {
        const view = get().discFiles;
        if (!view) return;
        const names = await projectNames(view.path);
        if (get().discFiles?.path === view.path) set({ projectNamesHere: names });
      },
    };
  };
