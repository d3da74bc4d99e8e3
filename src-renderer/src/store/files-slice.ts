// The host file pane: places and one folder listing at a time, fetched from main (files.*), with a
// multi-selection of host paths the user can add to the project.
import type { StateCreator } from 'zustand';
import type { GlassmasterClient } from '../../../src-main/common/ipc/contract';
import type { HostListing, HostPlace, HostSort } from '../../../src-main/common/model/host-files';
import type { AppState } from './use-app-store';
import { toUiError } from './errors';

export interface FilesSlice {
  places: HostPlace[];
  listing: HostListing | undefined;
  showHidden: boolean;
  sort: HostSort;
  descending: boolean;
  /** Selected host paths in the listing. */
  hostSelection: string[];
  /** Where a shift-click extends from. */
  hostAnchor: string | undefined;
  loadPlaces(): Promise<void>;
  openFolder(path: string): Promise<void>;
  setShowHidden(show: boolean): Promise<void>;
  setSort(sort: HostSort, descending?: boolean): Promise<void>;
  selectHost(path: string, mode?: 'single' | 'toggle' | 'range'): void;
}

export const createFilesSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], FilesSlice> =>
  (set, get) => {
    const list = async (path: string) => {
      try {
        const { showHidden, sort, descending } = get();
        const listing = await client.invoke('files.list', { path, showHidden, sort, descending });
        set((s) => ({ listing, hostSelection: s.listing?.path === listing.path ? s.hostSelection.filter((p) => listing.entries.some((e) => e.path === p)) : [], hostAnchor: undefined }));
      } catch (err) {
        get().showError(toUiError(err));
      }
    };
    return {
      places: [],
      listing: undefined,
      showHidden: false,
      sort: 'name',
      descending: false,
      hostSelection: [],
      hostAnchor: undefined,
      async loadPlaces() {
        try {
          const places = await client.invoke('files.places', {});
          set({ places });
          if (!get().listing && places[0]) await list(places[0].path);
        } catch (err) {
          get().showError(toUiError(err));
        }
      },
      openFolder: (path) => list(path),
      async setShowHidden(showHidden) {
        set({ showHidden });
        const l = get().listing;
        if (l) await list(l.path);
      },
      async setSort(sort, descending = false) {
        set({ sort, descending });
        const l = get().listing;
        if (l) await list(l.path);
      },
      selectHost(path, mode = 'single') {
        const { hostSelection, hostAnchor, listing } = get();
        if (mode === 'toggle') {
          set({ hostSelection: hostSelection.includes(path) ? hostSelection.filter((p) => p !== path) : [...hostSelection, path], hostAnchor: path });
        } else if (mode === 'range' && hostAnchor && listing) {
          const paths = listing.entries.map((e) => e.path);
          const [a, b] = [paths.indexOf(hostAnchor), paths.indexOf(path)].sort((x, y) => x - y);
          set({ hostSelection: a < 0 ? [path] : paths.slice(a, b + 1) });
        } else {
          set({ hostSelection: [path], hostAnchor: path });
        }
      },
    };
  };
