// IPC handlers of the audio.* methods (contract.ts validates every request) over one
// AudioProjectService; its decoder pool starts on first use and is closed with the services.
import type { RequestOf, ResponseOf } from '../common/ipc/contract';
import type { EventHub } from '../ipc/dispatcher';
import { AudioDecoderPool } from './audio-decoder-pool';
import { AudioProjectService } from './audio-project-service';
import { AudioPreviewer } from './audio-preview';
import { openAudioProject, saveAudioProject } from './audio-project-file';
import type { RecentProject } from '../common/model/project';

type AudioMethod = 'audio.get' | 'audio.addTracks' | 'audio.removeTracks' | 'audio.moveTracks' | 'audio.setTrack' | 'audio.setDisc' | 'audio.setHiddenTrack' | 'audio.clear' | 'audio.writeImage' | 'audio.save' | 'audio.open' | 'audio.preview';
type Handler<M extends AudioMethod> = (params: RequestOf<M>, signal: AbortSignal) => Promise<ResponseOf<M>>;

/** `remember`: the recent-projects list (the project service's), told of every audio save and open. */
export function audioProjectIpc(hub: EventHub, opts: { remember?: (e: RecentProject) => Promise<void> } = {}): { service: AudioProjectService; handlers: { [M in AudioMethod]: Handler<M> }; close(): Promise<void> } {
  let pool: AudioDecoderPool | undefined;
  const getPool = () => (pool ??= new AudioDecoderPool());
  const service = new AudioProjectService(getPool);
  const previewer = new AudioPreviewer(getPool);
  service.onChange((s) => hub.emit('audio.onDidChange', s));
  return {
    service,
    handlers: {
      'audio.get': async () => service.snapshot(),
      'audio.addTracks': ({ paths, at }, signal) => service.addTracks(paths, at, signal),
      'audio.removeTracks': async ({ ids }) => service.removeTracks(ids),
      'audio.moveTracks': async ({ order }) => service.moveTracks(order),
      'audio.setTrack': async ({ id, patch }) => service.setTrack(id, patch),
      'audio.setDisc': async ({ patch }) => service.setDisc(patch),
      'audio.setHiddenTrack': ({ path }, signal) => service.setHiddenTrack(path, signal),
      'audio.clear': async () => service.clear(),
      'audio.writeImage': ({ path, overwrite }, signal) =>
        service.writeImage(path, {
          overwrite,
          signal,
          onProgress: (p) => hub.emit('audio.onProgress', p.phase === 'write' ? p : { phase: p.phase, track: p.track, tracks: p.tracks }),
        }),
      'audio.save': ({ path }) => saveAudioProject(service, path, opts.remember),
      'audio.open': ({ path }, signal) => openAudioProject(service, path, opts.remember, signal),
      'audio.preview': ({ track, before, after }, signal) => previewer.boundary(service, track, { before: before ?? 3, after: after ?? 3 }, signal),
    },
    async close() {
      await previewer.close();
      await pool?.close();
    },
  };
}
