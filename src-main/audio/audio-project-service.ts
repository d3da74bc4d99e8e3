// The audio CD project behind the renderer's audio UI (and the CLI later): a list of tracks made
// from host audio files, their order, pauses, gapless mode, CD-TEXT (prefilled from tags, editable),
// hidden track one audio, ISRC/MCN, the running length against 74/80-minute discs, and writing the
// CUE/BIN (+ TOC, CDT) with the audio author.
//
// MUST rules:
// - host files are named by validated HostPaths (contract.ts) and read only here, in the decoder
//   pool's workers (probe: format from the bytes, length, tags); file contents never go to a client;
// - a file that is not audio Glassmaster decodes is refused when added (InvalidInputError naming it),
//   and nothing of the batch is added;
// - every edit is validated (ISRC CCOOOYYNNNNN, MCN 13 digits, pauses 0–600 s, index points rising,
//   CD-TEXT in ISO 8859-1) before it changes the project; a refused edit changes nothing;
// - the snapshot's summary lays the disc out with the author's own rules (`layoutDisc`), so the
//   minutes shown are the minutes written, and says in words why a project cannot be written yet;
// - writeImage refuses an existing CUE unless told to overwrite, and on any error leaves no partial
//   files (authorAudioImage's rule).
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidInputError } from '../common/errors';
import { SECTORS_PER_SECOND } from '../cd/msf';
import { ISRC_PATTERN } from '../cd/subchannel';
import type { AudioDecoderPool } from './audio-decoder-pool';
import type { AudioDiscSettings, AudioProjectSnapshot, AudioProjectSummary, AudioProjectTrack } from '../common/model/audio-project';
import { titleFromFileName } from './audio-tags';
import { authorAudioImage, type AudioProjectSpec, type AuthorProgress } from './author';
import { CD_TEXT_FIELDS, type CdTextStrings } from './cd-text';

export type { AudioDiscSettings, AudioProjectSnapshot, AudioProjectSummary, AudioProjectTrack };
import { FIRST_PREGAP_SECTORS, layoutDisc, leadOutLimit, type DiscLayout } from './layout';

export type AudioTrackPatch = Partial<Pick<AudioProjectTrack, 'indexSeconds' | 'isrc' | 'preEmphasis' | 'copyPermitted'>> & { text?: CdTextStrings; /** null: the project's default again */ pregapSeconds?: number | null };
export type AudioDiscPatch = Partial<Omit<AudioDiscSettings, 'album' | 'discId' | 'upcEan' | 'genre'>> & { album?: CdTextStrings; mcn?: string; discId?: string; upcEan?: string; genre?: { code: number; text?: string } | null };

/** A track as a project file restores it (audio-project-file.ts): the host file and every edit. */
export interface AudioTrackRestore {
  path: string;
  text: CdTextStrings;
  pregapSeconds?: number;
  indexSeconds?: number[];
  isrc?: string;
  preEmphasis?: boolean;
  copyPermitted?: boolean;
}

const MAX_PAUSE_SECONDS = 600;

function checkText(s: CdTextStrings | undefined, where: string): void {
  for (const f of CD_TEXT_FIELDS) {
    const v = s?.[f];
    if (v === undefined) continue;
    if (v.length > 160) throw new InvalidInputError(`${where} ${f}: at most 160 characters`);
    for (const ch of v) {
      const c = ch.codePointAt(0)!;
      if (c > 0xff || c < 0x20 || (c >= 0x7f && c < 0xa0)) throw new InvalidInputError(`${where} ${f}: "${ch}" is not in ISO 8859-1 (the CD-TEXT character set)`);
    }
  }
}

function checkPause(s: number | undefined, where: string): void {
  if (s === undefined) return;
  if (!Number.isFinite(s) || s < 0 || s > MAX_PAUSE_SECONDS) throw new InvalidInputError(`${where}: a pause is 0–${MAX_PAUSE_SECONDS} seconds`);
}

export class AudioProjectService {
  private tracks: AudioProjectTrack[] = [];
  private hidden?: AudioProjectSnapshot['hiddenTrack'];
  private disc: AudioDiscSettings = { gapless: false, pregapSeconds: 2, album: {}, discMinutes: 80 };
  private nextId = 1;
  private file?: string;
  private dirty = false;
  private readonly listeners = new Set<(s: AudioProjectSnapshot) => void>();

  constructor(private readonly pool: () => AudioDecoderPool) {}

  /** Called after every change (the IPC layer turns it into an event). */
  onChange(l: (s: AudioProjectSnapshot) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  snapshot(): AudioProjectSnapshot {
    return structuredClone({ tracks: this.tracks, ...(this.hidden ? { hiddenTrack: this.hidden } : {}), disc: this.disc, summary: this.summary(), ...(this.file ? { file: this.file } : {}), dirty: this.dirty });
  }

  private changed(dirty = true): AudioProjectSnapshot {
    if (dirty) this.dirty = true;
    const s = this.snapshot();
    for (const l of this.listeners) l(s);
    return s;
  }

  /** Probes the files (all in the worker pool) and appends them (or inserts at `at`); all or nothing. */
  async addTracks(paths: string[], at?: number, signal?: AbortSignal): Promise<AudioProjectSnapshot> {
    if (this.tracks.length + paths.length > 99) throw new InvalidInputError(`an audio CD holds at most 99 tracks (${this.tracks.length} + ${paths.length})`);
    const probes = await Promise.all(paths.map((p) => this.pool().probe(p, signal)));
    const added = probes.map((pr, i): AudioProjectTrack => ({
      id: this.nextId++,
      path: paths[i],
      fileName: basename(paths[i]),
      format: pr.format,
      samples: pr.samples,
      sampleRate: pr.sampleRate,
      channels: pr.channels,
      tags: pr.tags,
      text: latin1Only({ title: pr.tags.title ?? titleFromFileName(paths[i]), performer: pr.tags.artist, composer: pr.tags.composer }),
      ...(pr.tags.isrc && ISRC_PATTERN.test(pr.tags.isrc) ? { isrc: pr.tags.isrc } : {}),
    }));
    const wasEmpty = this.tracks.length === 0;
    this.tracks.splice(at === undefined ? this.tracks.length : Math.max(0, Math.min(at, this.tracks.length)), 0, ...added);
    if (wasEmpty && added.length) {
      // The album's title and performer default to the first file's tags (editable).
      const first = probes[0].tags;
      const artists = new Set(probes.map((p) => p.tags.artist));
      this.disc.album = latin1Only({ title: this.disc.album.title ?? first.album, performer: this.disc.album.performer ?? first.albumArtist ?? (artists.size === 1 ? first.artist : undefined), ...this.disc.album });
    }
    return this.changed();
  }

  removeTracks(ids: number[]): AudioProjectSnapshot {
    const unknown = ids.find((id) => !this.tracks.some((t) => t.id === id));
    if (unknown !== undefined) throw new InvalidInputError(`no track with id ${unknown}`);
    this.tracks = this.tracks.filter((t) => !ids.includes(t.id));
    return this.changed();
  }

  /** The new order: every track id exactly once. */
  moveTracks(order: number[]): AudioProjectSnapshot {
    const have = this.tracks.map((t) => t.id).sort((a, b) => a - b);
    if (order.length !== have.length || [...order].sort((a, b) => a - b).some((id, i) => id !== have[i])) throw new InvalidInputError('the new order must name every track exactly once');
    this.tracks = order.map((id) => this.tracks.find((t) => t.id === id)!);
    return this.changed();
  }

  setTrack(id: number, patch: AudioTrackPatch): AudioProjectSnapshot {
    const t = this.tracks.find((x) => x.id === id);
    if (!t) throw new InvalidInputError(`no track with id ${id}`);
    const where = `track ${this.tracks.indexOf(t) + 1}`;
    checkPause(patch.pregapSeconds ?? undefined, `${where} pause`);
    if (patch.isrc !== undefined && patch.isrc !== '' && !ISRC_PATTERN.test(patch.isrc)) throw new InvalidInputError(`${where}: ISRC "${patch.isrc}" is not CCOOOYYNNNNN (country, owner, year, serial)`);
    if (patch.indexSeconds?.some((s, i, a) => !Number.isFinite(s) || s <= (i ? a[i - 1] : 0))) throw new InvalidInputError(`${where}: index points must rise and come after the track start`);
    checkText(patch.text, where);
    if (patch.text) t.text = { ...t.text, ...patch.text };
    for (const k of ['pregapSeconds', 'indexSeconds', 'preEmphasis', 'copyPermitted'] as const) if (k in patch) (t as unknown as Record<string, unknown>)[k] = patch[k] ?? undefined;
    if (t.pregapSeconds === undefined) delete t.pregapSeconds;
    if (patch.isrc !== undefined) t.isrc = patch.isrc || undefined;
    return this.changed();
  }

  setDisc(patch: AudioDiscPatch): AudioProjectSnapshot {
    checkPause(patch.pregapSeconds, 'the default pause');
    if (patch.mcn !== undefined && patch.mcn !== '' && !/^\d{13}$/.test(patch.mcn)) throw new InvalidInputError(`MCN "${patch.mcn}" is not 13 digits (UPC/EAN)`);
    if (patch.upcEan !== undefined && patch.upcEan !== '' && !/^\d{13}$/.test(patch.upcEan)) throw new InvalidInputError(`UPC/EAN "${patch.upcEan}" is not 13 digits`);
    if (patch.genre && (!Number.isInteger(patch.genre.code) || patch.genre.code < 0 || patch.genre.code > 0xffff)) throw new InvalidInputError(`CD-TEXT genre code ${patch.genre.code} is not 0–65535`);
    checkText(patch.album, 'the album');
    checkText({ title: patch.discId, message: patch.genre?.text }, 'the disc ID/genre');
    const { album, mcn, discId, upcEan, genre, ...rest } = patch;
    Object.assign(this.disc, rest);
    if (album) this.disc.album = { ...this.disc.album, ...album };
    if (mcn !== undefined) this.disc.mcn = mcn || undefined;
    if (discId !== undefined) this.disc.discId = discId || undefined;
    if (upcEan !== undefined) this.disc.upcEan = upcEan || undefined;
    if (genre !== undefined) this.disc.genre = genre ? { code: genre.code, ...(genre.text ? { text: genre.text } : {}) } : undefined;
    return this.changed();
  }

  /** Hidden track one audio: a file played in track 1's pause (null removes it). */
  async setHiddenTrack(path: string | null, signal?: AbortSignal): Promise<AudioProjectSnapshot> {
    if (path === null) this.hidden = undefined;
    else {
      const pr = await this.pool().probe(path, signal);
      this.hidden = { path, fileName: basename(path), samples: pr.samples };
    }
    return this.changed();
  }

  clear(): AudioProjectSnapshot {
    this.tracks = [];
    this.hidden = undefined;
    this.disc = { gapless: false, pregapSeconds: 2, album: {}, discMinutes: 80 };
    this.file = undefined;
    this.dirty = false;
    return this.changed(false);
  }

  /** After a save: the file it went to, nothing unsaved. */
  markSaved(file: string): AudioProjectSnapshot {
    this.file = file;
    this.dirty = false;
    return this.changed(false);
  }

  /**
   * Replaces the project with one read from a file (audio-project-file.ts): every track probed
   * again (a file that is no longer audio Glassmaster decodes is left out and named in `unreadable`),
   * every saved edit checked by the same rules as an edit over IPC. All or nothing: on a refused
   * value the project is unchanged.
   */
  async restore(input: { tracks: AudioTrackRestore[]; hiddenTrack?: string; disc: AudioDiscPatch & { album: CdTextStrings }; file: string }, signal?: AbortSignal): Promise<{ snapshot: AudioProjectSnapshot; unreadable: string[] }> {
    if (input.tracks.length > 99) throw new InvalidInputError('an audio CD holds at most 99 tracks');
    const d = input.disc;
    checkPause(d.pregapSeconds, 'the default pause');
    checkText(d.album, 'the album');
    checkText({ title: d.discId, message: d.genre?.text }, 'the disc ID/genre');
    if (d.mcn && !/^\d{13}$/.test(d.mcn)) throw new InvalidInputError(`MCN "${d.mcn}" is not 13 digits (UPC/EAN)`);
    if (d.upcEan && !/^\d{13}$/.test(d.upcEan)) throw new InvalidInputError(`UPC/EAN "${d.upcEan}" is not 13 digits`);
    input.tracks.forEach((t, i) => {
      const where = `track ${i + 1}`;
      checkPause(t.pregapSeconds, `${where} pause`);
      checkText(t.text, where);
      if (t.isrc && !ISRC_PATTERN.test(t.isrc)) throw new InvalidInputError(`${where}: ISRC "${t.isrc}" is not CCOOOYYNNNNN`);
      if (t.indexSeconds?.some((s, k, a) => !Number.isFinite(s) || s <= (k ? a[k - 1] : 0))) throw new InvalidInputError(`${where}: index points must rise and come after the track start`);
    });
    const unreadable: string[] = [];
    const probe = async (path: string) => {
      try {
        return await this.pool().probe(path, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        unreadable.push(path);
        return undefined;
      }
    };
    const probes = await Promise.all(input.tracks.map((t) => probe(t.path)));
    const hiddenProbe = input.hiddenTrack ? await probe(input.hiddenTrack) : undefined;
    const tracks: AudioProjectTrack[] = [];
    input.tracks.forEach((t, i) => {
      const pr = probes[i];
      if (!pr) return;
      tracks.push({
        id: this.nextId++, path: t.path, fileName: basename(t.path), format: pr.format, samples: pr.samples, sampleRate: pr.sampleRate, channels: pr.channels, tags: pr.tags, text: { ...t.text },
        ...(t.pregapSeconds !== undefined ? { pregapSeconds: t.pregapSeconds } : {}), ...(t.indexSeconds ? { indexSeconds: t.indexSeconds } : {}), ...(t.isrc ? { isrc: t.isrc } : {}),
        ...(t.preEmphasis !== undefined ? { preEmphasis: t.preEmphasis } : {}), ...(t.copyPermitted !== undefined ? { copyPermitted: t.copyPermitted } : {}),
      });
    });
    this.tracks = tracks;
    this.hidden = input.hiddenTrack && hiddenProbe ? { path: input.hiddenTrack, fileName: basename(input.hiddenTrack), samples: hiddenProbe.samples } : undefined;
    this.disc = {
      gapless: d.gapless ?? false, pregapSeconds: d.pregapSeconds ?? 2, album: { ...d.album }, discMinutes: d.discMinutes ?? 80,
      ...(d.mcn ? { mcn: d.mcn } : {}), ...(d.discId ? { discId: d.discId } : {}), ...(d.upcEan ? { upcEan: d.upcEan } : {}), ...(d.genre ? { genre: d.genre } : {}),
    };
    this.file = input.file;
    this.dirty = false;
    return { snapshot: this.changed(false), unreadable };
  }

  /** The hidden track's path (for saving). */
  hiddenTrackPath(): string | undefined {
    return this.hidden?.path;
  }

  /** The author's input for this project. */
  spec(): AudioProjectSpec {
    return {
      tracks: this.tracks.map((t) => ({ path: t.path, ...t.text, pregapSeconds: t.pregapSeconds, indexSeconds: t.indexSeconds, isrc: t.isrc, preEmphasis: t.preEmphasis, copyPermitted: t.copyPermitted })),
      gapless: this.disc.gapless,
      pregapSeconds: this.disc.pregapSeconds,
      hiddenTrack: this.hidden?.path,
      mcn: this.disc.mcn,
      album: { ...this.disc.album, ...(this.disc.discId ? { discId: this.disc.discId } : {}), ...(this.disc.genre ? { genre: this.disc.genre } : {}), ...(this.disc.upcEan ? { upcEan: this.disc.upcEan } : {}) },
      // The text is the project's (already prefilled from tags and edited): tags do not override it.
      textFromTags: false,
      discMinutes: this.disc.discMinutes,
    };
  }

  /** Writes CUE/BIN (+ TOC, CDT) at `cuePath`; an existing CUE is refused unless `overwrite`. */
  async writeImage(cuePath: string, opts: { overwrite?: boolean; signal?: AbortSignal; onProgress?: (p: AuthorProgress) => void } = {}): Promise<{ cue: string; bin: string; sectors: number }> {
    if (this.tracks.length === 0) throw new InvalidInputError('the audio project has no tracks');
    if (!opts.overwrite && (await access(cuePath).then(() => true, () => false))) throw new InvalidInputError(`${cuePath} exists; choose another name or allow overwriting`, { path: cuePath });
    const r = await authorAudioImage(this.spec(), cuePath, { pool: this.pool(), signal: opts.signal, onProgress: opts.onProgress });
    return { cue: r.files.cue, bin: r.files.bin, sectors: r.layout.leadOut };
  }

  /**
   * The disc as the author would lay it out from the probed lengths (throws what layoutDisc throws).
   * `samples` replaces the probed lengths (e.g. exact decoded ones for the boundary preview).
   */
  layout(samples?: number[]): DiscLayout {
    const def = this.disc.gapless ? 0 : Math.round(this.disc.pregapSeconds * SECTORS_PER_SECOND);
    return layoutDisc(
      this.tracks.map((t, i) => ({
        samples: samples?.[i] ?? t.samples,
        pregapSectors: t.pregapSeconds !== undefined ? Math.round(t.pregapSeconds * SECTORS_PER_SECOND) : i === 0 ? Math.max(FIRST_PREGAP_SECTORS, def) : def,
        hiddenSamples: i === 0 ? this.hidden?.samples : undefined,
        indexes: t.indexSeconds?.map((s) => Math.round(s * SECTORS_PER_SECOND)),
        isrc: t.isrc,
        preEmphasis: t.preEmphasis,
        copyPermitted: t.copyPermitted,
      })),
      { mcn: this.disc.mcn },
    );
  }

  /** Whether the project carries any CD-TEXT (album or track strings, disc ID, genre, UPC/EAN). */
  hasCdText(): boolean {
    const some = (x: CdTextStrings) => CD_TEXT_FIELDS.some((f) => !!x[f]);
    return some(this.disc.album) || !!this.disc.discId || !!this.disc.genre || !!this.disc.upcEan || this.tracks.some((t) => some(t.text));
  }

  /** The tracks as they are now (paths and probes; the snapshot's copy without the summary). */
  trackList(): readonly AudioProjectTrack[] {
    return this.tracks;
  }

  private summary(): AudioProjectSummary {
    const base: AudioProjectSummary = { tracks: this.tracks.length, fits: { 74: false, 80: false } };
    if (this.tracks.length === 0) return { ...base, problem: 'no tracks' };
    try {
      const layout = this.layout();
      const sectors = layout.leadOut;
      const fits = { 74: sectors <= leadOutLimit(74), 80: sectors <= leadOutLimit(80) };
      const problem = sectors > leadOutLimit(this.disc.discMinutes) ? `the tracks need ${((sectors + 150) / SECTORS_PER_SECOND / 60).toFixed(2)} minutes; a ${this.disc.discMinutes}-minute disc holds ${this.disc.discMinutes}` : undefined;
      return { ...base, sectors, seconds: (sectors + 150) / SECTORS_PER_SECOND, fits, ...(problem ? { problem } : {}) };
    } catch (e) {
      return { ...base, problem: (e as Error).message };
    }
  }
}

/** Tag text that CD-TEXT cannot carry (outside ISO 8859-1) is left for the user to type rather than mangled. */
function latin1Only(s: CdTextStrings): CdTextStrings {
  const out: CdTextStrings = {};
  for (const f of CD_TEXT_FIELDS) {
    const v = s[f]?.trim();
    if (v && [...v].every((ch) => { const c = ch.codePointAt(0)!; return c >= 0x20 && c <= 0xff && !(c >= 0x7f && c < 0xa0); })) out[f] = v.slice(0, 160);
  }
  return out;
}
