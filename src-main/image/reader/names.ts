// Names read from media become host paths (--import stages them, `read` writes them), so every
// facet's reader checks them in one place: a name that could climb out of its directory or that
// no file system can hold is refused, and names repeated within a directory are made unique.
import { InvalidImageError } from '../../common/errors';

/**
 * MUST refuse (InvalidImageError naming the facet and directory) an entry name that is empty, "."
 * or "..", or holds "/" or NUL: RRIP §4.1.4 NM and UDF FIDs (ECMA-167 4/14.4) carry arbitrary
 * bytes, and such a name staged for another session or written to disk would be a path, not a name.
 */
export function checkEntryName(name: string, facet: string, dir: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new InvalidImageError(`${facet}: entry name ${JSON.stringify(name)} in ${dir} is not a valid file name`, { facet, dir, name });
  }
}

/**
 * One directory's names: the first entry keeps its name, a repeat becomes `name~2`, `name~3` …
 * (the first of those not taken), with a warning. ISO 9660 versions (`A.TXT;1`, `A.TXT;2`) and
 * hostile NM entries both repeat names; one tree node per name keeps lookups and imports exact.
 */
export class DirectoryNames {
  private readonly taken = new Set<string>();
  private renamed = 0;

  constructor(
    private readonly facet: string,
    private readonly dir: string,
    private readonly warnings: string[] | undefined,
  ) {}

  claim(name: string): string {
    let unique = name;
    for (let k = 2; this.taken.has(unique); k++) unique = `${name}~${k}`;
    this.taken.add(unique);
    if (unique !== name && this.renamed++ < 3) this.warnings?.push(`${this.facet}: ${this.dir} holds the name ${JSON.stringify(name)} more than once; listed as ${JSON.stringify(unique)}`);
    return unique;
  }
}
