// The `.glassmaster` project file: JSON with a schema version, the label, the file-system options
// and every staged entry with its host source (size and modification time as saved, so a source
// that changed or vanished since is reported when the project is opened). Validated with zod on
// read: a hand-edited or hostile file gets a typed error, never a half-loaded project.
import { z } from 'zod';
import { AppImageOptionsSchema, type AppImageOptions } from '../common/model/image-options';
import { InvalidInputError } from '../common/errors';

export const PROJECT_FILE_FORMAT = 'glassmaster-project';
export const PROJECT_SCHEMA_VERSION = 1;
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

export function parseProjectFile(text: string, where: string): ProjectFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${where} is not a Glassmaster project (not JSON)`, { path: where });
  }
  const version = (json as { schemaVersion?: unknown })?.schemaVersion;
  if ((json as { format?: unknown })?.format === PROJECT_FILE_FORMAT && typeof version === 'number' && version > PROJECT_SCHEMA_VERSION) {
    throw new InvalidInputError(`${where} was saved by a newer Glassmaster (project schema ${version}; this one reads ${PROJECT_SCHEMA_VERSION})`, { path: where });
  }
  const parsed = ProjectFile.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError(`${where} is not a valid Glassmaster project`, { path: where, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
  }
  return parsed.data;
}
