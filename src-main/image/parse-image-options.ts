// Validation of image options with the one schema (common/model/image-options.ts). Apart from
// image-spec.ts so the image worker, which only maps validated options, does not load zod.
import { InvalidInputError } from '../common/errors';
import { ImageOptionsSchema, type ImageOptions } from '../common/model/image-options';

/** Validates options from anywhere (IPC, a project file, the CLI) with the one schema. */
export function parseImageOptions(raw: unknown): ImageOptions {
  const r = ImageOptionsSchema.safeParse(raw);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new InvalidInputError(`image options: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`, { issues: r.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message })) });
}
