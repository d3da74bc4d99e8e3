// The `.glassmaster` project file: JSON with a schema version, the label, the file-system options
// and every staged entry with its host source (size and modification time as saved, so a source
// that changed or vanished since is reported when the project is opened). Validated with zod on
// read: a hand-edited or hostile file gets a typed error, never a half-loaded project.
import { z } from 'zod';
import { AppImageOptionsSchema, type AppImageOptions } from '../common/model/image-options';
import { InvalidInputError } from '../common/errors';

export const PROJECT_FILE_FORMAT = 'glassmaster-project';
export const PROJECT_SCHEMA_VERSION = 1;
/**
 * An audio CD project (`kind: 'audio'`) is schema 2: the version says which Glassmaster can read the
 * file, so a data project is still written as 1 (an older Glassmaster opens it) and an older one told
 * an audio project is "saved by a newer Glassmaster" instead of "not a valid project".
 */
export const AUDIO_PROJECT_SCHEMA_VERSION = 2;
/** The newest schema this Glassmaster reads. */
export const NEWEST_PROJECT_SCHEMA_VERSION = AUDIO_PROJECT_SCHEMA_VERSION;
export const PROJECT_FILE_EXTENSION = '.glassmaster';

const ImagePath = z.string().min(2).max(4096).regex(/^\/[^\x00]*$/, 'an absolute image path');

/** The image options of the project: the same model as `glassmaster image` and `project.setImageOptions`. */
export const ProjectFileOptions = AppImageOptionsSchema;
export type ProjectFileOptions = AppImageOptions;

const Entry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dir'), path: ImagePath }).strict(),
  z.object({ kind: z.literal('file'), path: ImagePath, source: z.string().min(1).max(4096), size: z.number().int().nonnegative(), mtimeMs: z.number() }).strict(),
  z.object({ kind: z.literal('symlink'), path: ImagePath, target: z.string().max(4096) }).strict(),
]);
export type ProjectFileEntry = z.infer<typeof Entry>;

export const ProjectFile = z
  .object({
    format: z.literal(PROJECT_FILE_FORMAT),
    schemaVersion: z.literal(PROJECT_SCHEMA_VERSION),
    label: z.string().min(1).max(32),
    options: ProjectFileOptions,
    savedAt: z.number(),
    entries: z.array(Entry).max(10_000_000),
  })
  .strict();
export type ProjectFile = z.infer<typeof ProjectFile>;

/** A host file as saved: its path and size/modification time then (a change is reported on open). */
const HostSource = z.object({ source: z.string().min(1).max(4096), size: z.number().int().nonnegative(), mtimeMs: z.number() }).strict();
/** CD-TEXT strings (the audio service checks ISO 8859-1 on restore, as on an edit). */
const CdString = z.string().max(160).regex(/^[^\x00-\x1f]*$/, 'no control characters');
const CdTextStrings = z.object({ title: CdString, performer: CdString, songwriter: CdString, composer: CdString, arranger: CdString, message: CdString }).partial().strict();
const Pause = z.number().min(0).max(600);

/** The audio CD project (audio/audio-project-service.ts): tracks in order with every edit, and the disc settings. */
export const AudioProjectFile = z
  .object({
    format: z.literal(PROJECT_FILE_FORMAT),
    schemaVersion: z.literal(AUDIO_PROJECT_SCHEMA_VERSION),
    kind: z.literal('audio'),
    savedAt: z.number(),
    disc: z
      .object({
        gapless: z.boolean(),
        pregapSeconds: Pause,
        discMinutes: z.union([z.literal(74), z.literal(80), z.literal(90), z.literal(99)]),
        album: CdTextStrings,
        mcn: z.string().regex(/^\d{13}$/).optional(),
        discId: CdString.optional(),
        genre: z.object({ code: z.number().int().min(0).max(0xffff), text: CdString.optional() }).strict().optional(),
        upcEan: z.string().regex(/^\d{13}$/).optional(),
      })
      .strict(),
    hiddenTrack: HostSource.optional(),
    tracks: z
      .array(
        HostSource.extend({
          text: CdTextStrings,
          pregapSeconds: Pause.optional(),
          indexSeconds: z.array(z.number().positive().max(6000)).max(98).optional(),
          isrc: z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/).optional(),
          preEmphasis: z.boolean().optional(),
          copyPermitted: z.boolean().optional(),
        }).strict(),
      )
      .max(99),
  })
  .strict();
export type AudioProjectFile = z.infer<typeof AudioProjectFile>;

/** A data project file (parseProjectFile refuses an audio one with a sentence saying so). */
export function parseProjectFile(text: string, where: string): ProjectFile {
  const doc = parseAnyProjectFile(text, where);
  if (doc.kind === 'audio') throw new InvalidInputError(`${where} is an audio CD project, not a data project`, { path: where });
  return doc.doc;
}

/** Either kind of `.glassmaster` file: the data project (schema 1) or the audio CD project (schema 2, kind 'audio'). */
export function parseAnyProjectFile(text: string, where: string): { kind: 'data'; doc: ProjectFile } | { kind: 'audio'; doc: AudioProjectFile } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${where} is not a Glassmaster project (not JSON)`, { path: where });
  }
  const version = (json as { schemaVersion?: unknown })?.schemaVersion;
  if ((json as { format?: unknown })?.format === PROJECT_FILE_FORMAT && typeof version === 'number' && version > NEWEST_PROJECT_SCHEMA_VERSION) {
    throw new InvalidInputError(`${where} was saved by a newer Glassmaster (project schema ${version}; this one reads ${NEWEST_PROJECT_SCHEMA_VERSION})`, { path: where });
  }
  const audio = (json as { kind?: unknown })?.kind === 'audio';
  const parsed = audio ? AudioProjectFile.safeParse(json) : ProjectFile.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError(`${where} is not a valid Glassmaster ${audio ? 'audio CD ' : ''}project`, { path: where, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
  }
  return audio ? { kind: 'audio', doc: parsed.data as AudioProjectFile } : { kind: 'data', doc: parsed.data as ProjectFile };
}
