// The audio CD project as the renderer holds it: main's snapshot (audio/audio-project-service.ts
// keeps the project; every edit is a call, every answer or audio.onDidChange replaces the snapshot),
// the track selection, the writing-mode plan of the selected recorder, the boundary preview, and the
// CUE/BIN write. Nothing here reads a file: tracks are host paths main probes and decodes.
import type { StateCreator } from 'zustand';
import type { EventMap, GlassmasterClient, RequestOf } from '../../../src-main/common/ipc/contract';
import type { AudioBurnPlanView, AudioProjectSnapshot } from '../../../src-main/common/model/audio-project';
import type { MediaInfo } from '../../../src-main/common/model/drive';
import type { AppState } from './use-app-store';
import { sendToStash, type DroppedFile } from './project-slice';
import { isCancel, toUiError } from './errors';
import { t } from '../i18n';

export type AudioTrackPatch = RequestOf<'audio.setTrack'>['patch'];
export type AudioDiscPatch = RequestOf<'audio.setDisc'>['patch'];
export type AudioBurnOptions = NonNullable<RequestOf<'audio.burn'>['options']>;
/** What the minutes meter measures against: a nominal disc or the CD-R in the selected recorder. */
export type MinutesTarget = 74 | 80 | 'disc';

/** CD frames (sectors) a second, and the ATIP/Red Book lead-out rule (audio/layout.ts leadOutLimit). */
export const SECTORS_PER_SECOND = 75;
export function leadOutLimit(minutes: number): number {
  return minutes * 60 * SECTORS_PER_SECOND - 151;
}
/** The loaded CD-R/RW's last possible lead-out start (LBA) from its ATIP "mm:ss:ff", when it is writable for audio. */
export function atipLeadOut(media: MediaInfo | undefined): number | undefined {
  if (!media?.atip || !/^CD-R/.test(media.profile) || media.status !== 'blank') return undefined;
  const m = /^(\d+):(\d+):(\d+)$/.exec(media.atip.leadOutStart);
  if (!m) return undefined;
  return Number(m[1]) * 4500 + Number(m[2]) * 75 + Number(m[3]) - 150;
}

/** "4:05" from seconds; "74:00" for long ones. */
export function formatMinutes(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export interface MinutesMeterState {
  /** Sectors the program uses up to its lead-out start, and the limit. */
  leadOut: number;
  limit: number;
  usedSeconds: number;
  capacitySeconds: number;
  state: 'ok' | 'nearly' | 'over';
}
/** Share of the capacity from which the meter warns (as the data project's). */
export const NEARLY_FULL = 0.95;
export function minutesMeter(snapshot: AudioProjectSnapshot | undefined, limit: number): MinutesMeterState {
  const leadOut = snapshot?.summary.sectors ?? 0;
  const usedSeconds = snapshot?.summary.seconds ?? 0;
  const capacitySeconds = (limit + 151) / SECTORS_PER_SECOND;
  const state = leadOut > limit ? 'over' : leadOut > limit * NEARLY_FULL ? 'nearly' : 'ok';
  return { leadOut, limit, usedSeconds, capacitySeconds, state };
}

export interface AudioPreviewState {
  track: number;
  /** blob: URL of the WAV (decoded PCM main made; no file read here); BoundaryPreview revokes it once its <audio> lets go. */
  url?: string;
  boundarySeconds?: number;
  pauseSeconds?: number;
  pausePlayedSeconds?: number;
  loading: boolean;
}

export type AudioImageProgress = EventMap['audio.onProgress'];

export interface AudioSlice {
  audio: AudioProjectSnapshot | undefined;
  /** Selected track ids, in the order selected. */
  audioSelection: number[];
  audioAnchor: number | undefined;
  /** Files being probed (adds in flight). */
  audioAdding: number;
  minutesTarget: MinutesTarget;
  audioPlan: { address: string; plan?: AudioBurnPlanView; error?: string; loading: boolean } | undefined;
  audioPreview: AudioPreviewState | undefined;
  audioImage: { cue: string; bin: string; sectors: number } | undefined;
  audioImageProgress: AudioImageProgress | undefined;
  loadAudio(): Promise<void>;
  addAudioTracks(paths: string[], at?: number): Promise<boolean>;
  uploadAudioFiles(files: DroppedFile[], at?: number): Promise<void>;
  removeAudioTracks(ids: number[]): Promise<void>;
  /** Moves the tracks `ids` so the first of them lands at index `to` (in the list without them). */
  moveAudioTracks(ids: number[], to: number): Promise<void>;
  /** Alt+Up/Down: the selected tracks one place up (−1) or down (+1). */
  nudgeAudioSelection(delta: -1 | 1): Promise<void>;
  selectAudioTrack(id: number, mode?: 'single' | 'toggle' | 'range'): void;
  setAudioTrack(id: number, patch: AudioTrackPatch): Promise<boolean>;
  setAudioDisc(patch: AudioDiscPatch): Promise<boolean>;
  /** Hidden track one audio: a host file played in track 1's pause (null removes it). */
  setHiddenTrack(path: string | null): Promise<boolean>;
  clearAudio(): Promise<void>;
  setMinutesTarget(target: MinutesTarget): void;
  planAudioBurn(address: string): Promise<void>;
  previewBoundary(track: number): Promise<void>;
  closePreview(): void;
  writeAudioImage(path: string, overwrite?: boolean): Promise<boolean>;
  cancelAudioImage(): void;
  saveAudio(path: string): Promise<boolean>;
  /** Applies an opened audio project (project.open of an audio file, audio.open). */
  applyOpenedAudio(r: { snapshot: AudioProjectSnapshot; changed: string[]; missing: string[] }): void;
  applyAudio(snapshot: AudioProjectSnapshot): void;
  applyAudioProgress(p: AudioImageProgress): void;
}

export const createAudioSlice =
  (client: GlassmasterClient): StateCreator<AppState, [], [], AudioSlice> =>
  (set, get) => {
    let writing: AbortController | undefined;
    let planSeq = 0;
    const fail = (err: unknown) => {
      if (!isCancel(err)) get().showError(toUiError(err));
    };
    /** One edit: main answers with the new snapshot; a refused edit shows main's sentence and changes nothing. */
    const edit = async (call: () => Promise<AudioProjectSnapshot>): Promise<boolean> => {
      try {
        get().applyAudio(await call());
        return true;
      } catch (err) {
        fail(err);
        return false;
      }
    };
    const refreshHostFolder = () => {
      const l = get().listing;
      if (l) void get().openFolder(l.path);
    };
    return {
      audio: undefined,
      audioSelection: [],
      audioAnchor: undefined,
      audioAdding: 0,
      minutesTarget: 80,
      audioPlan: undefined,
      audioPreview: undefined,
      audioImage: undefined,
      audioImageProgress: undefined,
      async loadAudio() {
        try {
          get().applyAudio(await client.invoke('audio.get', {}));
        } catch (err) {
          fail(err);
        }
      },
      async addAudioTracks(paths, at) {
        if (!paths.length) return false;
        set((s) => ({ audioAdding: s.audioAdding + paths.length }));
        try {
          const before = new Set(get().audio?.tracks.map((x) => x.id));
          const snap = await client.invoke('audio.addTracks', { paths, ...(at !== undefined ? { at } : {}) });
          get().applyAudio(snap);
          set({ audioSelection: snap.tracks.filter((x) => !before.has(x.id)).map((x) => x.id) });
          get().announce(t('audio.added', { count: paths.length }));
          return true;
        } catch (err) {
          fail(err);
          return false;
        } finally {
          set((s) => ({ audioAdding: s.audioAdding - paths.length }));
        }
      },
      async uploadAudioFiles(files, at) {
        // The browser shell's OS drop: the bytes go into main's stash (as the data project's drops), then become tracks.
        if (!files.length) return;
        const totalBytes = files.reduce((n, f) => n + f.size, 0);
        set({ upload: { files: files.length, totalBytes, sentBytes: 0 } });
        set((s) => ({ audioAdding: s.audioAdding + files.length }));
        const ids: number[] = [];
        try {
          for (const file of files) await sendToStash(client, file, {}, ids, (n) => set((s) => ({ upload: s.upload && { ...s.upload, sentBytes: s.upload.sentBytes + n } })));
          const before = new Set(get().audio?.tracks.map((x) => x.id));
          const snap = await client.invoke('audio.addStashed', { uploadIds: ids, ...(at !== undefined ? { at } : {}) });
          get().applyAudio(snap);
          set({ audioSelection: snap.tracks.filter((x) => !before.has(x.id)).map((x) => x.id) });
          get().announce(t('audio.added', { count: files.length }));
        } catch (err) {
          for (const uploadId of ids) void client.invoke('stash.cancel', { uploadId }).catch(() => undefined);
          fail(err);
        } finally {
          set((s) => ({ upload: undefined, audioAdding: s.audioAdding - files.length }));
        }
      },
      async removeAudioTracks(ids) {
        if (!ids.length) return;
        if (await edit(() => client.invoke('audio.removeTracks', { ids }))) {
          set((s) => ({ audioSelection: s.audioSelection.filter((id) => !ids.includes(id)) }));
          get().announce(t('audio.removed', { count: ids.length }));
        }
      },
      async moveAudioTracks(ids, to) {
        const tracks = get().audio?.tracks ?? [];
        const moving = tracks.filter((x) => ids.includes(x.id));
        if (!moving.length) return;
        const rest = tracks.filter((x) => !ids.includes(x.id));
        const at = Math.max(0, Math.min(rest.length, to));
        const order = [...rest.slice(0, at), ...moving, ...rest.slice(at)].map((x) => x.id);
        if (order.every((id, i) => id === tracks[i].id)) return;
        if (await edit(() => client.invoke('audio.moveTracks', { order }))) {
          const first = moving[0];
          get().announce(t('audio.moved', { title: first.text.title ?? first.fileName, to: order.indexOf(first.id) + 1 }));
        }
      },
      async nudgeAudioSelection(delta) {
        const tracks = get().audio?.tracks ?? [];
        const sel = get().audioSelection;
        const idx = tracks.map((x, i) => (sel.includes(x.id) ? i : -1)).filter((i) => i >= 0);
        if (!idx.length) return;
        const first = idx[0];
        if ((delta < 0 && first === 0) || (delta > 0 && idx[idx.length - 1] === tracks.length - 1)) return;
        // The selection moves as one block: it lands one place from where its first track was.
        await get().moveAudioTracks(idx.map((i) => tracks[i].id), first + delta);
      },
      selectAudioTrack(id, mode = 'single') {
        const { audioSelection, audioAnchor, audio } = get();
        if (mode === 'toggle') set({ audioSelection: audioSelection.includes(id) ? audioSelection.filter((x) => x !== id) : [...audioSelection, id], audioAnchor: id });
        else if (mode === 'range' && audioAnchor !== undefined && audio) {
          const ids = audio.tracks.map((x) => x.id);
          const [a, b] = [ids.indexOf(audioAnchor), ids.indexOf(id)].sort((x, y) => x - y);
          set({ audioSelection: a < 0 ? [id] : ids.slice(a, b + 1) });
        } else set({ audioSelection: [id], audioAnchor: id });
      },
      setAudioTrack: (id, patch) => edit(() => client.invoke('audio.setTrack', { id, patch })),
      setAudioDisc: (patch) => edit(() => client.invoke('audio.setDisc', { patch })),
      setHiddenTrack: (path) => edit(() => client.invoke('audio.setHiddenTrack', { path })),
      async clearAudio() {
        if (!(await edit(() => client.invoke('audio.clear', {})))) return;
        set({ audioSelection: [], audioPreview: undefined, audioImage: undefined });
      },
      setMinutesTarget(minutesTarget) {
        set({ minutesTarget });
      },
      async planAudioBurn(address) {
        const seq = ++planSeq;
        set({ audioPlan: { address, loading: true } });
        try {
          const plan = await client.invoke('audio.planBurn', { address });
          if (seq === planSeq) set({ audioPlan: { address, plan, loading: false } });
        } catch (err) {
          if (seq === planSeq) set({ audioPlan: { address, error: toUiError(err).message, loading: false } });
        }
      },
      async previewBoundary(track) {
        set({ audioPreview: { track, loading: true } });
        try {
          const p = await client.invoke('audio.preview', { track });
          if (get().audioPreview?.track !== track) return;
          const bytes = Uint8Array.from(atob(p.wav), (c) => c.charCodeAt(0));
          const url = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
          set({ audioPreview: { track, loading: false, url, boundarySeconds: p.boundarySeconds, pauseSeconds: p.pauseSeconds, pausePlayedSeconds: p.pausePlayedSeconds } });
        } catch (err) {
          set({ audioPreview: undefined });
          fail(err);
        }
      },
      closePreview() {
        set({ audioPreview: undefined });
      },
      async writeAudioImage(path, overwrite = false) {
        writing = new AbortController();
        set({ audioImage: undefined, audioImageProgress: undefined });
        try {
          const r = await client.invoke('audio.writeImage', { path, overwrite }, { signal: writing.signal });
          set({ audioImage: r });
          get().announce(t('audio.cueWritten', { cue: r.cue, bin: r.bin, sectors: r.sectors }));
          refreshHostFolder();
          return true;
        } catch (err) {
          if (isCancel(err)) get().announce(t('image.cancelled'));
          else fail(err);
          return false;
        } finally {
          writing = undefined;
          set({ audioImageProgress: undefined });
        }
      },
      cancelAudioImage() {
        writing?.abort();
      },
      async saveAudio(path) {
        try {
          const s = await client.invoke('audio.save', { path });
          get().applyAudio(s);
          get().announce(t('audio.saved', { path: s.file }));
          refreshHostFolder();
          void get().loadRecent();
          return true;
        } catch (err) {
          fail(err);
          return false;
        }
      },
      applyOpenedAudio({ snapshot, changed, missing }) {
        get().applyAudio(snapshot);
        set({ audioSelection: [], audioPreview: undefined, audioImage: undefined });
        const notes = [t('audio.opened', { path: snapshot.file })];
        if (changed.length) notes.push(t('audio.changed', { count: changed.length }));
        if (missing.length) notes.push(t('audio.missing', { count: missing.length }));
        get().announce(notes.join(' '));
        if (changed.length || missing.length) {
          get().showError({ message: notes.slice(1).join(' '), code: 'NOT_FOUND', detail: [...changed.map((p) => `changed: ${p}`), ...missing.map((p) => `missing: ${p}`)].join('\n') });
        }
        get().setView('audio');
      },
      applyAudio(audio) {
        // The selection keeps only tracks that still exist.
        set((s) => ({ audio, audioSelection: s.audioSelection.filter((id) => audio.tracks.some((x) => x.id === id)) }));
      },
      applyAudioProgress(audioImageProgress) {
        set({ audioImageProgress });
      },
    };
  };
