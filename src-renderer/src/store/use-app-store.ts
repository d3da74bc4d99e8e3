// One zustand store joined from slices; actions are plain functions that talk to main through the
// typed client. Main-process state is not mirrored wholesale: only what the UI shows.
import { create } from 'zustand';
import type { GlassmasterClient } from '../../../src-main/common/ipc/contract';
import { createDevicesSlice, type DevicesSlice } from './devices-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { createProjectSlice, type ProjectSlice } from './project-slice';
import { createFilesSlice, type FilesSlice } from './files-slice';
import { createDriveJobSlice, type DriveJobSlice } from './drive-job-slice';
import { createChecksSlice, type ChecksSlice } from './checks-slice';
import { createAudioSlice, type AudioSlice } from './audio-slice';
import { createSessionSlice, type SessionSlice } from './session-slice';

export type AppState = UiSlice & DevicesSlice & ProjectSlice & FilesSlice & DriveJobSlice & ChecksSlice & AudioSlice & SessionSlice;

export function createAppStore(client: GlassmasterClient) {
  const store = create<AppState>()((...a) => ({
    ...createUiSlice(...a),
    ...createDevicesSlice(client)(...a),
    ...createProjectSlice(client)(...a),
    ...createFilesSlice(client)(...a),
    ...createDriveJobSlice(client)(...a),
    ...createChecksSlice(client)(...a),
    ...createAudioSlice(client)(...a),
    ...createSessionSlice(client)(...a),
  }));
  // Live updates from main: hot-plug and media changes, without a reload.
  client.on('devices.onDidChange', ({ drives }) => store.getState().applyDrives(drives));
  client.on('devices.onMediaChange', ({ address, media }) => store.getState().applyMedia(address, media));
  client.on('project.onDidChange', (snapshot) => store.getState().applyProject(snapshot));
  client.on('project.onProgress', (progress) => store.getState().applyImageProgress(progress));
  client.on('burn.onProgress', (event) => store.getState().applyJobProgress(event));
  client.on('disc.onProgress', (event) => store.getState().applyDiscProgress(event));
  client.on('devices.onBusyChange', (event) => store.getState().applyBusy(event));
  client.on('audio.onDidChange', (snapshot) => store.getState().applyAudio(snapshot));
  client.on('audio.onProgress', (p) => store.getState().applyAudioProgress(p));
  return store;
}
