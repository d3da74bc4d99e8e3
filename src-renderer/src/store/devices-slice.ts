import type { StateCreator } from 'zustand';
import type { DriveInfo, MediaInfo } from '../../../src-main/common/model/drive';
import type { GlassmasterClient } from '../../../src-main/common/ipc/contract';
import type { AppState } from './use-app-store';
import { isCancel, toUiError } from './errors';
import { t } from '../i18n';

export interface DevicesSlice {
  drives: DriveInfo[];
  drivesLoaded: boolean;
  selectedAddress: string | undefined;
  media: Record<string, MediaInfo>;
  deviceError: string | undefined;
  busy: Record<string, 'eject' | 'load' | 'media' | undefined>;
  loadDrives(): Promise<void>;
  selectDrive(address: string): void;
  refreshMedia(address: string): Promise<void>;
  eject(address: string): Promise<void>;
  load(address: string): Promise<void>;
  applyDrives(drives: DriveInfo[]): void;
  applyMedia(address: string, media: MediaInfo): void;
  /**
   * Adds an iSCSI drive (Electron: main asks the user in a native dialog first). True once the
   * drive is in the list and selected; a declined question is announced, any other failure shown.
   */
  addIscsiDrive(address: string): Promise<boolean>;
}

export const createDevicesSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], DevicesSlice> =>
  (set, get) => {
    const withBusy = async (address: string, what: 'eject' | 'load' | 'media', fn: () => Promise<void>) => {
      set((s) => ({ busy: { ...s.busy, [address]: what }, deviceError: undefined }));
      try {
        await fn();
      } catch (err) {
        set({ deviceError: (err as Error).message });
      } finally {
        set((s) => ({ busy: { ...s.busy, [address]: undefined } }));
      }
    };
    return {
      drives: [],
      drivesLoaded: false,
      selectedAddress: undefined,
      media: {},
      deviceError: undefined,
      busy: {},
      async loadDrives() {
        try {
          get().applyDrives(await client.invoke('devices.list', {}));
        } catch (err) {
          set({ deviceError: (err as Error).message, drivesLoaded: true });
        }
      },
      selectDrive(address) {
        set({ selectedAddress: address });
        if (!get().media[address]) void get().refreshMedia(address);
      },
      refreshMedia: (address) => withBusy(address, 'media', async () => get().applyMedia(address, await client.invoke('devices.media', { address }))),
      eject: (address) => withBusy(address, 'eject', async () => {
        await client.invoke('devices.eject', { address });
        get().applyMedia(address, await client.invoke('devices.media', { address }));
      }),
      load: (address) => withBusy(address, 'load', async () => {
        await client.invoke('devices.load', { address });
        get().applyMedia(address, await client.invoke('devices.media', { address }));
      }),
      applyDrives(drives) {
        const selected = get().selectedAddress;
        const keep = drives.some((d) => d.address === selected);
        set({ drives, drivesLoaded: true, selectedAddress: keep ? selected : drives[0]?.address });
        const now = get().selectedAddress;
        if (now && !get().media[now]) void get().refreshMedia(now);
        // The list names each drive's disc (two recorders are told apart by what they hold), so the
        // others are read too, one after another and quietly: an error there (a drive busy with a
        // job, a tray open) is not the user's concern until they select that drive.
        void (async () => {
          for (const d of drives) {
            if (d.address === now || get().media[d.address]) continue;
            try {
              get().applyMedia(d.address, await client.invoke('devices.media', { address: d.address }));
            } catch {
              /* shown when selected: selectDrive reads it again */
            }
          }
        })();
      },
      applyMedia(address, media) {
        set((s) => ({ media: { ...s.media, [address]: media } }));
      },
      async addIscsiDrive(address) {
        try {
          const added = await client.invoke('devices.addIscsi', { address });
          await get().loadDrives();
          if (get().drives.some((d) => d.address === added.address)) get().selectDrive(added.address);
          get().announce(t('network.added', { address: added.address }));
          return true;
        } catch (err) {
          if (isCancel(err)) get().announce(t('network.declined'));
          else get().showError(toUiError(err));
          return false;
        }
      },
    };
  };
