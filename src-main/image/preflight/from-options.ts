// The preflight options an image's build options imply, for every caller that checks a tree before
// it is built (`glassmaster image --preflight`, the project's checks): the file systems, and the ISO
// level and UDF revision the writer would pick, so preflight judges the image that would be made.
import type { ImageOptions } from '../../common/model/image-options';
import { fileSystemsOf } from '../image-spec';
import type { PreflightEntry, PreflightOptions } from './preflight';

/** A file of this size or more does not fit one extent's 32-bit length: it needs ISO 9660 level 3 (several extents). */
const FOUR_GIB = 2 ** 32;

/** The writer's defaults: ISO level 2 raised to 3 when a file is 4 GiB or more, UDF 1.02. */
export function preflightOptionsFor(o: ImageOptions, entries: PreflightEntry[]): Pick<PreflightOptions, 'fs' | 'isoLevel' | 'udfRevision' | 'udfSymlinks'> {
  const needsLevel3 = entries.some((e) => e.kind === 'file' && e.size >= FOUR_GIB);
  const fs = fileSystemsOf(o);
  return {
    fs,
    isoLevel: o.isoLevel ?? (needsLevel3 ? 3 : 2),
    udfRevision: o.udfRevision ?? (fs.includes('udf') ? '1.02' : undefined),
    udfSymlinks: o.udfSymlinks,
  };
}
