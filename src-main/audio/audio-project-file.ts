// Saving and opening the audio CD project as a `.glassmaster` file (project/project-file.ts,
// `kind: 'audio'`, schema 2): the track files by host path with their size and modification time
// when saved, every edit (CD-TEXT, pauses, index points, ISRC, flags), and the disc settings.
//
// MUST rules:
// - a save is written beside and renamed: a failed save never leaves a half-written file, and an
//   earlier file of that name stays intact until the new one is complete;
// - an open validates the whole file (zod) and every value by the service's own edit rules before
//   anything changes; a refused file leaves the project as it was;
// - a track whose file changed since the save (size or modification time) is probed again and kept,
//   and named in `changed`; one that vanished, is unreadable or is no longer audio is left out and
//   named in `missing` — the renderer shows both, nothing is silently different;
// - `project.open` takes either kind of file (openProjectFile): an audio file replaces the audio
//   project and leaves the data project alone.
import { constants as fsc } from 'node:fs';
import { access, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidInputError } from '../common/errors';
import type { AudioOpenResult, AudioProjectSnapshot } from '../common/model/audio-project';

export type { AudioOpenResult };
import type { ProjectOpenResult, RecentProject } from '../common/model/project';
import { ioErrorFor } from '../project/host-files';
import { AUDIO_PROJECT_SCHEMA_VERSION, PROJECT_FILE_EXTENSION, PROJECT_FILE_FORMAT, parseAnyProjectFile, type AudioProjectFile } from '../project/project-file';
import type { AudioProjectService } from './audio-project-service';

/** The recent-projects list entry of an audio project. */
function recentEntry(path: string, snapshot: AudioProjectSnapshot, savedAt: number): RecentProject {
  return { path, label: snapshot.disc.album.title || 'Audio CD', savedAt, kind: 'audio' };
}

async function sourceOf(path: string): Promise<{ source: string; size: number; mtimeMs: number }> {
  try {
    const st = await stat(path);
    return { source: path, size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    throw ioErrorFor(path, err, 'cannot save the project: the track file');
  }
}

/** Writes the project to `path` (".glassmaster" added when missing); returns the snapshot with `file` set. */
export async function saveAudioProject(service: AudioProjectService, path: string, remember?: (e: RecentProject) => Promise<void>): Promise<AudioProjectSnapshot> {
  const target = resolve(path.endsWith(PROJECT_FILE_EXTENSION) ? path : path + PROJECT_FILE_EXTENSION);
  try {
    if (!(await stat(dirname(target))).isDirectory()) throw new InvalidInputError(`${dirname(target)} is not a folder`, { path: dirname(target) });
    await access(dirname(target), fsc.W_OK);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw ioErrorFor(dirname(target), err, 'cannot write into');
  }
  const now = service.snapshot();
  const hidden = service.hiddenTrackPath();
  const d = now.disc;
  const doc: AudioProjectFile = {
    format: PROJECT_FILE_FORMAT,
    schemaVersion: AUDIO_PROJECT_SCHEMA_VERSION,
    kind: 'audio',
    savedAt: Date.now(),
    disc: {
      gapless: d.gapless, pregapSeconds: d.pregapSeconds, discMinutes: d.discMinutes, album: d.album,
      ...(d.mcn ? { mcn: d.mcn } : {}), ...(d.discId ? { discId: d.discId } : {}), ...(d.genre ? { genre: d.genre } : {}), ...(d.upcEan ? { upcEan: d.upcEan } : {}),
    },
    ...(hidden ? { hiddenTrack: await sourceOf(hidden) } : {}),
    tracks: await Promise.all(
      now.tracks.map(async (t) => ({
        ...(await sourceOf(t.path)),
        text: t.text,
        ...(t.pregapSeconds !== undefined ? { pregapSeconds: t.pregapSeconds } : {}),
        ...(t.indexSeconds?.length ? { indexSeconds: t.indexSeconds } : {}),
        ...(t.isrc ? { isrc: t.isrc } : {}),
        ...(t.preEmphasis !== undefined ? { preEmphasis: t.preEmphasis } : {}),
        ...(t.copyPermitted !== undefined ? { copyPermitted: t.copyPermitted } : {}),
      })),
    ),
  };
  const partial = `${target}.partial`;
  try {
    await writeFile(partial, JSON.stringify(doc, null, 1));
    await rename(partial, target);
  } catch (err) {
    throw ioErrorFor(target, err, 'cannot save');
  }
  const snapshot = service.markSaved(target);
  await remember?.(recentEntry(target, snapshot, doc.savedAt));
  return snapshot;
}

/** Replaces the audio project with a parsed audio project file. */
export async function restoreAudioProject(service: AudioProjectService, file: string, doc: AudioProjectFile, signal?: AbortSignal): Promise<AudioOpenResult> {
  const changed: string[] = [];
  const missing: string[] = [];
  const present = async (s: { source: string; size: number; mtimeMs: number }): Promise<boolean> => {
    const st = await stat(s.source).catch(() => undefined);
    const readable = st?.isFile() && (await access(s.source, fsc.R_OK).then(() => true, () => false));
    if (!st || !readable) {
      missing.push(s.source);
      return false;
    }
    if (st.size !== s.size || Math.abs(st.mtimeMs - s.mtimeMs) > 1) changed.push(s.source);
    return true;
  };
  const keep = await Promise.all(doc.tracks.map(present));
  const tracks = doc.tracks.filter((_, i) => keep[i]).map((t) => ({ ...t, path: t.source }));
  const hiddenTrack = doc.hiddenTrack && (await present(doc.hiddenTrack)) ? doc.hiddenTrack.source : undefined;
  const { snapshot, unreadable } = await service.restore({ tracks, hiddenTrack, disc: doc.disc, file }, signal);
  for (const p of unreadable) {
    const i = changed.indexOf(p);
    if (i >= 0) changed.splice(i, 1);
    missing.push(p);
  }
  return { snapshot, changed, missing };
}

async function readProjectText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw ioErrorFor(file, err, 'cannot open');
  }
}

/** audio.open: an audio project file (a data project file is refused with a sentence). */
export async function openAudioProject(service: AudioProjectService, path: string, remember?: (e: RecentProject) => Promise<void>, signal?: AbortSignal): Promise<AudioOpenResult> {
  const file = resolve(path);
  const parsed = parseAnyProjectFile(await readProjectText(file), file);
  if (parsed.kind !== 'audio') throw new InvalidInputError(`${file} is a data project, not an audio CD project`, { path: file });
  const r = await restoreAudioProject(service, file, parsed.doc, signal);
  await remember?.(recentEntry(file, r.snapshot, parsed.doc.savedAt));
  return r;
}

/**
 * project.open for either kind: a data project goes to the project service as before; an audio one
 * replaces the audio project, and the answer carries it in `audio` (the data project is unchanged).
 */
export async function openProjectFile(
  path: string,
  data: { open(path: string): Promise<ProjectOpenResult>; snapshot(): ProjectOpenResult['snapshot']; rememberRecent(e: RecentProject): Promise<void> },
  audio: AudioProjectService,
  signal?: AbortSignal,
): Promise<ProjectOpenResult> {
  const file = resolve(path);
  const text = await readProjectText(file);
  const parsed = parseAnyProjectFile(text, file);
  if (parsed.kind === 'data') return data.open(path);
  const r = await restoreAudioProject(audio, file, parsed.doc, signal);
  await data.rememberRecent(recentEntry(file, r.snapshot, parsed.doc.savedAt));
  return { snapshot: data.snapshot(), renamed: [], added: [], changed: r.changed, missing: r.missing, audio: r.snapshot };
}
