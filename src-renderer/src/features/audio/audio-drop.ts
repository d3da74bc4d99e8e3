// Drags into the audio track list: tracks being reordered (ids), host paths from the file pane,
// or files from the OS — Electron: their real paths (webUtils.getPathForFile through the preload);
// browser shell: the bytes streamed into main's stash, then added as tracks (audio.addStashed).
import { useAppStore } from '../../store';
import { hostPathsOf } from '../project/os-drop';

export const AUDIO_TRACKS_MIME = 'application/x-glassmaster-audio-tracks';

export async function dropOsAudioFiles(list: FileList | File[], at?: number): Promise<void> {
  const files = [...list];
  if (!files.length) return;
  const paths = hostPathsOf(files);
  if (paths) await useAppStore.getState().addAudioTracks(paths, at);
  else await useAppStore.getState().uploadAudioFiles(files, at);
}

export function readTrackIds(dt: DataTransfer): number[] | undefined {
  const raw = dt.getData(AUDIO_TRACKS_MIME);
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) && v.every((x) => Number.isInteger(x)) ? (v as number[]) : undefined;
  } catch {
    return undefined;
  }
}
