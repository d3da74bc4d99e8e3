// The one IPC contract between the main-process services and the renderer, carried over Electron
// IPC and over the browser shell's WebSocket alike. Requests are validated at the boundary with
// these schemas; responses and events are typed only (main is the trusted side).
//
// The renderer imports this file with `import type` only. Raw CDBs and arbitrary host paths are not
// expressible here by design: drives are named by address, files reach a project only through
// user-chosen dialogs or drops.
import { z } from 'zod';
import { WINDOWS_DRIVE_ADDRESS_SOURCE } from '../drive-address';
import { AppImageOptionsSchema, type AppImageOptions } from '../model/image-options';
import type { DriveInfo, MediaInfo } from '../model/drive';
import type { ImageProgress, ProjectEditResult, ProjectOpenResult, ProjectPage, ProjectSnapshot, RecentProject } from '../model/project';
import type { HostListing, HostPlace } from '../model/host-files';
import type { GlassmasterErrorJSON } from '../errors';
import type { BurnProgress, BurnResult, EraseProgress } from '../model/burn';
import type { DiscVerifyReport } from '../model/verify';
import type { CopyResult } from '../model/copy';
import type { DiscProgress, DiscReadReport } from '../model/verify-report';
import type { AudioBurnResult } from '../model/audio-burn';
import type { AudioBurnPlanView, AudioOpenResult, AudioPreview, AudioProjectSnapshot } from '../model/audio-project';
import type { BootInspection, PreflightReportView } from '../model/project-checks';
import type { DiscFilesView } from '../model/disc-files';

/** '/dev/sr0', '/dev/sg1', 'iscsi://host[:port]/iqn…/lun', 'virtual:NAME', Windows '\\.\D:', '\\.\CdRom0' or 'D:' (common/drive-address.ts). */
export const DriveAddress = z
  .string()
  .max(512)
  .regex(new RegExp(`^(?:/dev/(sr|sg|scd)\\d{1,3}|iscsi://[^\\s]+/\\d{1,5}|virtual:[A-Za-z0-9._-]{1,64}|${WINDOWS_DRIVE_ADDRESS_SOURCE})$`), 'not a drive address');

const Empty = z.object({}).strict();

/** Burn options over IPC (common/model/burn.ts BurnOptions); main checks the rest (burn-service validateBurnOptions). */
export const BurnOptionsSchema = z
  .object({
    speed: z.union([z.literal('max'), z.number().positive().max(1_000_000)]).optional(),
    speedX: z.number().positive().max(100).optional(),
    close: z.enum(['session', 'disc']).optional(),
    simulate: z.boolean().optional(),
    burnFree: z.boolean().optional(),
    verify: z.enum(['none', 'quick', 'full']).optional(),
    copies: z.number().int().min(1).max(99).optional(),
    eject: z.boolean().optional(),
    writeMode: z.enum(['auto', 'tao', 'sao', 'dao', 'incremental']).optional(),
    layerBreak: z.number().int().positive().multipleOf(16).optional(),
    spareAreas: z.boolean().optional(),
  })
  .strict();

/**
 * A host path the renderer names: one main listed in the file pane, or one the user typed for a
 * read/verify/save (the browser shell has no native dialog). Absolute (POSIX or Windows drive),
 * bounded, no control characters or NUL, no '..' component. Main resolves it and refuses what it
 * cannot list or read with a typed error; it never overwrites a file unless asked, and file
 * contents never travel back to the renderer.
 */
export const HostPath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^(\/|[A-Za-z]:[\\/])[^\x00-\x1f]*$/, 'an absolute host path without control characters')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'no ".." in the path');
/** An audio project track's id (audio.* methods). */
const AudioTrackId = z.number().int().positive().max(2 ** 31);
/** CD-TEXT strings; the character set (ISO 8859-1) is checked by the service. */
const AudioCdText = z.string().max(160).regex(/^[^\x00-\x1f]*$/, 'no control characters');
const AudioCdTextSchema = z
  .object({ title: AudioCdText.optional(), performer: AudioCdText.optional(), songwriter: AudioCdText.optional(), composer: AudioCdText.optional(), arranger: AudioCdText.optional(), message: AudioCdText.optional() })
  .strict();
/** What to burn: the open project (streamed by the image engine) or an existing image file (main checks: absolute path of a readable regular file). */
export const BurnSourceSchema = z.discriminatedUnion('kind', [
  /** multisession: add the project to what the disc holds (the next session, read from the disc), instead of a new disc; manifest (default true): write .glassmaster/SHA256SUMS. */
  z.object({ kind: z.literal('project'), multisession: z.boolean().optional(), manifest: z.boolean().optional(), /** multisession: paths of the disc's last session left out of the next one (the CLI's --remove). */ remove: z.array(z.string().min(1).max(4096).regex(/^\/[^\x00]*$/, 'an absolute image path').refine((p) => !p.split('/').includes('..'), "no '..' in an image path")).max(10_000).optional() }).strict(),
  z.object({ kind: z.literal('imageFile'), path: HostPath }).strict(),
]);
/** audio.burn: the audio files in track order (main checks and decodes them; the renderer never reads them), or a CUE sheet. */
/** The same CD-TEXT fields and checks as the audio project's (one definition). */
const AudioText = AudioCdTextSchema.shape;
export const AudioBurnSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('tracks'),
    tracks: z.array(z.object({ path: HostPath, ...AudioText, isrc: z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/).optional(), pregapSeconds: z.number().min(0).max(600).optional(), indexSeconds: z.array(z.number().min(0).max(6000)).max(98).optional(), preEmphasis: z.boolean().optional(), copyPermitted: z.boolean().optional() }).strict()).min(1).max(99),
    gapless: z.boolean().optional(),
    pregapSeconds: z.number().min(0).max(600).optional(),
    hiddenTrack: HostPath.optional(),
    mcn: z.string().regex(/^\d{13}$/).optional(),
    album: z.object(AudioText).strict().optional(),
  }).strict(),
  z.object({ kind: z.literal('cue'), path: HostPath.refine((p) => /\.cue$/i.test(p), 'a .cue file') }).strict(),
  /** The open audio project (audio.*) exactly as edited: CD-TEXT with disc ID, genre and UPC/EAN included. */
  z.object({ kind: z.literal('project') }).strict(),
]);
export const AudioBurnOptionsSchema = z
  .object({
    mode: z.enum(['auto', 'tao', 'sao', 'raw96']).optional(),
    simulate: z.boolean().optional(),
    speedX: z.number().positive().max(100).optional(),
    verify: z.enum(['none', 'full']).optional(),
    close: z.enum(['session', 'disc']).optional(),
    eject: z.boolean().optional(),
    burnFree: z.boolean().optional(),
  })
  .strict();
/** A path inside the project ('/', '/photos/2026'): absolute, no NUL, no '..' segment. */
export const ImagePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^\/[^\x00]*$/, 'an absolute image path')
  .refine((p) => !p.split('/').includes('..'), "no '..' in an image path");
/** One name inside a project folder (new folder, rename). */
export const EntryName = z.string().min(1).max(255).regex(/^[^/\x00]+$/, 'a name without / or NUL').refine((n) => n !== '.' && n !== '..', 'not . or ..');
/** A dropped folder's path relative to its drop ('photos/2026'): names as EntryName, joined by '/'. */
export const StashDir = z
  .string()
  .min(1)
  .max(4096)
  .refine((d) => d.split('/').every((n) => EntryName.safeParse(n).success), 'a relative folder path of names without NUL, "." or ".."');
/** Raw bytes of one upload chunk, base64 (at most 96 KiB decoded: the whole message stays under MAX_MESSAGE_BYTES). */
export const STASH_CHUNK_BYTES = 96 * 1024;

export const requestSchemas = {
  'app.info': Empty,
  'devices.list': Empty,
  'devices.media': z.object({ address: DriveAddress }).strict(),
  'devices.eject': z.object({ address: DriveAddress }).strict(),
  'devices.load': z.object({ address: DriveAddress }).strict(),
  /** Adds an iSCSI drive after the user confirms on the host (Electron: a native dialog in main; the browser shell answers NOT_SUPPORTED: add it with `glassmaster drives --add-iscsi`). Credentials are never sent over IPC. */
  'devices.addIscsi': z.object({ address: DriveAddress.refine((a) => a.startsWith('iscsi://') && !/^iscsi:\/\/[^/]*@/.test(a), 'an iscsi:// address without credentials') }).strict(),
  'project.get': Empty,
  /** Main opens the native dialog: the renderer never names a host path. */
  'project.addFromDialog': z.object({ directories: z.boolean() }).strict(),
  'project.remove': z.object({ name: z.string().min(1).max(1024).regex(/^[^/\x00]+$/, 'a top-level name') }).strict(),
  'project.clear': Empty,
  'project.setLabel': z.object({ label: z.string().min(1).max(32).regex(/^[^\x00-\x1f]+$/, 'no control characters') }).strict(),
  /** Main asks where to save, then writes the image (cancel the call to stop it). */
  'project.writeImage': Empty,
  /** The options the next project.writeImage uses (the CLI's model, without host paths). */
  'project.setImageOptions': z.object({ options: AppImageOptionsSchema }).strict(),
  /** Burns, reads back and verifies; cancel the call to stop it (the disc is left readable where the media allows). */
  'burn.start': z.object({ address: DriveAddress, source: BurnSourceSchema, options: BurnOptionsSchema.default({}) }).strict(),
  /** Decodes, lays out and burns an audio CD (TAO/SAO/RAW-96, the mode the drive supports), then reads every sector back. Progress: burn.onProgress. */
  'audio.burn': z.object({ address: DriveAddress, source: AudioBurnSourceSchema, options: AudioBurnOptionsSchema.default({}) }).strict(),
  'drive.erase': z.object({ address: DriveAddress, full: z.boolean().optional() }).strict(),
  'drive.format': z.object({ address: DriveAddress, full: z.boolean().optional(), spareAreas: z.boolean().optional() }).strict(),
  /** Reads the disc to an image: main asks where (dialog), or the path must end in .iso or .cue. */
  'disc.read': z
    .object({
      address: DriveAddress,
      output: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('dialog') }).strict(),
        z.object({ kind: z.literal('path'), path: HostPath.refine((p) => /\.(iso|cue)$/i.test(p), 'an .iso or .cue file') }).strict(),
      ]),
      retries: z.number().int().min(0).max(100).optional(),
    })
    .strict(),
  /** Copies the disc in `from` to a blank disc in `to` (the same drive: read, swap prompt, burn), verified in full by default. */
  'disc.copy': z.object({ from: DriveAddress, to: DriveAddress, options: BurnOptionsSchema.default({}), retries: z.number().int().min(0).max(100).optional() }).strict(),
  /** Verifies the disc against an image file, a folder, or its own .glassmaster/SHA256SUMS. */
  'disc.verify': z
    .object({
      address: DriveAddress,
      against: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('image'), path: HostPath }).strict(),
        z.object({ kind: z.literal('folder'), path: HostPath }).strict(),
        z.object({ kind: z.literal('imageDialog') }).strict(),
        z.object({ kind: z.literal('folderDialog') }).strict(),
        z.object({ kind: z.literal('manifest') }).strict(),
      ]),
      retries: z.number().int().min(0).max(100).optional(),
    })
    .strict(),
  /** The host file pane: places (home, volumes, recent) and folder listings. */
  'files.places': Empty,
  'files.list': z.object({ path: HostPath, showHidden: z.boolean().optional(), sort: z.enum(['name', 'size', 'date']).optional(), descending: z.boolean().optional() }).strict(),
  /** A page of a project folder's children (the renderer never holds the whole tree). */
  'project.list': z.object({ path: ImagePath, offset: z.number().int().nonnegative().max(100_000_000), limit: z.number().int().positive().max(2000) }).strict(),
  /** Stages host files/folders chosen in the file pane (or dropped in Electron) into a project folder. */
  'project.addPaths': z.object({ paths: z.array(HostPath).min(1).max(1000), into: ImagePath }).strict(),
  'project.newFolder': z.object({ parent: ImagePath, name: EntryName }).strict(),
  'project.rename': z.object({ path: ImagePath, name: EntryName }).strict(),
  'project.move': z.object({ paths: z.array(ImagePath).min(1).max(100_000), into: ImagePath }).strict(),
  'project.delete': z.object({ paths: z.array(ImagePath).min(1).max(100_000) }).strict(),
  'project.undo': Empty,
  /** Writes the image to a host path chosen in the file pane (folder must exist; no overwrite unless asked). */
  'project.writeImageTo': z.object({ path: HostPath, overwrite: z.boolean().optional() }).strict(),
  'project.save': z.object({ path: HostPath }).strict(),
  'project.open': z.object({ path: HostPath }).strict(),
  'project.recent': Empty,
  /** The options the next image uses (the options editor's initial state). */
  'project.getImageOptions': Empty,
  /** Preflight of the project with its options against the target capacity (2048-byte sectors), run in a worker. */
  'project.preflight': z.object({ maxSectors: z.number().int().min(1).max(2 ** 31).optional() }).strict(),
  /** The boot inspection report of an image file (e.g. the one just written): boot records and partition tables only. */
  'project.inspectBoot': z.object({ path: HostPath }).strict(),
  /** Browser drops: a file's bytes streamed into main's stash, then staged. */
  'stash.begin': z.object({ name: EntryName, size: z.number().int().nonnegative().max(2 ** 53 - 1), tree: z.number().int().positive().optional(), dir: StashDir.optional() }).strict(),
  'stash.chunk': z.object({ uploadId: z.number().int().positive(), offset: z.number().int().nonnegative(), data: z.base64().max(Math.ceil(STASH_CHUNK_BYTES / 3) * 4) }).strict(),
  'stash.finish': z.object({ uploadIds: z.array(z.number().int().positive()).min(1).max(1000), into: ImagePath }).strict(),
  'stash.cancel': z.object({ uploadId: z.number().int().positive() }).strict(),
  /** The files of the disc's last session at `path` (multisession: shown greyed beside the project; burn/session-files.ts). */
  'disc.files': z.object({ address: DriveAddress, path: ImagePath }).strict(),
  /** Browser folder drops (project/drop-stash.ts): a tree in the stash, its files begun with `tree` + `dir`, empty folders made, then staged as folders. */
  'stash.tree': Empty,
  'stash.mkdir': z.object({ tree: z.number().int().positive(), dirs: z.array(StashDir).min(1).max(10_000) }).strict(),
  'stash.finishTree': z.object({ tree: z.number().int().positive(), uploadIds: z.array(z.number().int().positive()).max(100_000), into: ImagePath }).strict(),
  // --- audio CD project (audio/audio-project-service.ts): host files by validated path, read only in main
  'audio.get': Empty,
  'audio.addTracks': z.object({ paths: z.array(HostPath).min(1).max(99), at: z.number().int().min(0).max(98).optional() }).strict(),
  'audio.removeTracks': z.object({ ids: z.array(AudioTrackId).min(1).max(99) }).strict(),
  'audio.moveTracks': z.object({ order: z.array(AudioTrackId).max(99) }).strict(),
  'audio.setTrack': z
    .object({
      id: AudioTrackId,
      patch: z
        .object({
          text: AudioCdTextSchema.optional(),
          /** null: back to the project's default pause. */
          pregapSeconds: z.number().min(0).max(600).nullable().optional(),
          indexSeconds: z.array(z.number().positive().max(6000)).max(98).optional(),
          isrc: z.string().max(12).regex(/^([A-Z]{2}[A-Z0-9]{3}\d{7})?$/, 'an ISRC CCOOOYYNNNNN, or "" to remove it').optional(),
          preEmphasis: z.boolean().optional(),
          copyPermitted: z.boolean().optional(),
        })
        .strict(),
    })
    .strict(),
  'audio.setDisc': z
    .object({
      patch: z
        .object({
          gapless: z.boolean().optional(),
          pregapSeconds: z.number().min(0).max(600).optional(),
          album: AudioCdTextSchema.optional(),
          mcn: z.string().regex(/^(\d{13})?$/, 'a 13-digit MCN, or "" to remove it').optional(),
          discMinutes: z.union([z.literal(74), z.literal(80), z.literal(90), z.literal(99)]).optional(),
          /** CD-TEXT DISC_ID, GENRE (Red Book code + text; null removes it) and UPC/EAN ("" removes). */
          discId: AudioCdText.optional(),
          genre: z.object({ code: z.number().int().min(0).max(0xffff), text: AudioCdText.optional() }).strict().nullable().optional(),
          upcEan: z.string().regex(/^(\d{13})?$/, 'a 13-digit UPC/EAN, or "" to remove it').optional(),
        })
        .strict(),
    })
    .strict(),
  'audio.setHiddenTrack': z.object({ path: HostPath.nullable() }).strict(),
  'audio.clear': Empty,
  /** Writes NAME.cue + NAME.bin (+ .toc, .cdt); an existing NAME.cue only with overwrite. */
  'audio.writeImage': z.object({ path: HostPath.refine((p) => /\.cue$/i.test(p), 'a .cue file'), overwrite: z.boolean().optional() }).strict(),
  /** Saves the audio project as a .glassmaster file (kind 'audio'); project.open opens either kind. */
  'audio.save': z.object({ path: HostPath }).strict(),
  'audio.open': z.object({ path: HostPath }).strict(),
  /** The seconds around the start of `track` (2…99) as the disc plays them: decoded PCM as a short WAV (audio/audio-preview.ts bounds it). */
  'audio.preview': z.object({ track: z.number().int().min(2).max(99), before: z.number().min(0).max(8).optional(), after: z.number().min(0).max(8).optional() }).strict(),
  /** Per writing mode, what the recorder would do with the project and why; the loaded CD-R's ATIP capacity. Reads only. */
  'audio.planBurn': z.object({ address: DriveAddress }).strict(),
  /** Browser drops into the audio project: stashed uploads (stash.begin/chunk) added as tracks. */
  'audio.addStashed': z.object({ uploadIds: z.array(z.number().int().positive()).min(1).max(99), at: z.number().int().min(0).max(98).optional() }).strict(),
} as const;

export type Method = keyof typeof requestSchemas;
export type RequestOf<M extends Method> = z.infer<(typeof requestSchemas)[M]>;

export interface AppInfo {
  name: 'Glassmaster';
  version: string;
  /** Which shell hosts the services. */
  shell: 'electron' | 'browser';
  platform: string;
}

export interface ResponseMap {
  'app.info': AppInfo;
  'devices.list': DriveInfo[];
  'devices.media': MediaInfo;
  'devices.eject': null;
  'devices.load': null;
  'devices.addIscsi': { address: string };
  'project.get': ProjectSnapshot;
  'project.addFromDialog': ProjectSnapshot;
  'project.remove': ProjectSnapshot;
  'project.clear': ProjectSnapshot;
  'project.setLabel': ProjectSnapshot;
  /** null when the user cancelled the save dialog. */
  'project.writeImage': { bytes: number } | null;
  'project.setImageOptions': { options: AppImageOptions };
  'burn.start': BurnResult;
  'audio.burn': AudioBurnResult;
  'drive.erase': MediaInfo;
  'drive.format': MediaInfo;
  /** null when the user cancelled the dialog. */
  'disc.read': DiscReadReport | null;
  'disc.verify': DiscVerifyReport | null;
  'disc.copy': CopyResult;
  'files.places': HostPlace[];
  'files.list': HostListing;
  'project.list': ProjectPage;
  'project.addPaths': ProjectEditResult;
  'project.newFolder': ProjectEditResult;
  'project.rename': ProjectEditResult;
  'project.move': ProjectEditResult;
  'project.delete': ProjectSnapshot;
  'project.undo': ProjectSnapshot;
  'project.writeImageTo': { path: string; bytes: number };
  'project.save': ProjectSnapshot;
  'project.open': ProjectOpenResult;
  'project.recent': RecentProject[];
  'project.getImageOptions': { options: AppImageOptions };
  'project.preflight': PreflightReportView;
  'project.inspectBoot': BootInspection;
  'stash.begin': { uploadId: number };
  'stash.chunk': { bytesReceived: number };
  'stash.finish': ProjectEditResult;
  'stash.cancel': null;
  'disc.files': DiscFilesView;
  'stash.tree': { tree: number };
  'stash.mkdir': null;
  'stash.finishTree': ProjectEditResult;
  'audio.get': AudioProjectSnapshot;
  'audio.addTracks': AudioProjectSnapshot;
  'audio.removeTracks': AudioProjectSnapshot;
  'audio.moveTracks': AudioProjectSnapshot;
  'audio.setTrack': AudioProjectSnapshot;
  'audio.setDisc': AudioProjectSnapshot;
  'audio.setHiddenTrack': AudioProjectSnapshot;
  'audio.clear': AudioProjectSnapshot;
  'audio.writeImage': { cue: string; bin: string; sectors: number };
  'audio.save': AudioProjectSnapshot;
  'audio.open': AudioOpenResult;
  'audio.preview': AudioPreview;
  'audio.planBurn': AudioBurnPlanView;
  'audio.addStashed': AudioProjectSnapshot;
}
export type ResponseOf<M extends Method> = ResponseMap[M];

export interface EventMap {
  /** The set of drives changed (hot-plug, virtual recorder created). */
  'devices.onDidChange': { drives: DriveInfo[] };
  /** A drive's media changed (insert, eject, burn finished). */
  'devices.onMediaChange': { address: string; media: MediaInfo };
  'project.onDidChange': ProjectSnapshot;
  'project.onProgress': ImageProgress;
  /** Progress of a burn, erase or format job on a drive. */
  'burn.onProgress': { address: string; job: 'burn'; progress: BurnProgress } | { address: string; job: 'erase' | 'format'; progress: EraseProgress };
  /** A job took a drive (job) or gave it back (null): nothing is polled on a busy drive. */
  'devices.onBusyChange': { address: string; job: 'burn' | 'erase' | 'format' | 'verify' | 'read' | null };
  /** Progress of a disc.read or disc.verify on the drive at `address`. */
  'disc.onProgress': DiscProgress & { address: string };
  /** The audio project changed (any audio.* edit). */
  'audio.onDidChange': AudioProjectSnapshot;
  /** Progress of audio.writeImage (decode per track, then writing the BIN). */
  'audio.onProgress': { phase: 'decode' | 'decoded'; track: number; tracks: number } | { phase: 'write'; bytesWritten: number; totalBytes: number };
}
export type EventName = keyof EventMap;
export { eventNames } from './events';

// --- Wire envelopes (WebSocket and Electron IPC) -------------------------------------------------

/** Largest message the browser shell accepts from a client. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export const ClientMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), id: z.number().int().nonnegative(), method: z.string().max(64), params: z.unknown() }).strict(),
  z.object({ kind: z.literal('cancel'), id: z.number().int().nonnegative() }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export type ServerMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number | null; ok: false; error: GlassmasterErrorJSON }
  | { kind: 'event'; event: EventName; payload: unknown };

/** The typed client every renderer-side caller uses (implemented over Electron or WebSocket). */
export interface GlassmasterClient {
  invoke<M extends Method>(method: M, params: RequestOf<M>, opts?: { signal?: AbortSignal }): Promise<ResponseOf<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}
