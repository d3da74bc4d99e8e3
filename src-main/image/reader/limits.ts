// What one tree walk may cost, whatever the image says: the reader limits in one place (README
// "Reading hostile images" has the MUST rules). Every facet's walk (ISO 9660, Joliet, Rock Ridge,
// UDF), on an image file or a disc through a drive's BlockReader, charges one TreeBudget.
import { InvalidImageError } from '../../common/errors';
import { MAX_DIRECTORY_DEPTH } from '../tree-depth';
import { SECTOR } from './block-reader';

export interface ReaderLimits {
  /** Largest directory extent read in one piece. */
  maxDirBytes: number;
  /**
   * Tree budget per facet: every entry costs 1 and every extent it lists costs 1 more, so a file
   * entry shared by many names with many extents each is paid for per name (what the tree holds).
   */
  maxNodes: number;
  /** Deepest directory level accepted, the root being 1: the writer's own cap (tree-depth.ts). */
  maxDepth: number;
  /** Directory bytes (and Rock Ridge continuation areas) read per facet walk, in total. */
  maxTreeDirBytes: number;
}

/** 32 MiB: ~500,000 short ISO records; far past what any writer puts in one directory. */
export const MAX_DIRECTORY_BYTES = 32 * 1024 * 1024;
/** One million entries plus extents (~100 bytes each as TreeNode objects: ~100 MB of heap). */
export const MAX_TREE_NODES = 1_000_000;
/**
 * 512 MiB of directories per facet: a million Rock Ridge records of ~300 bytes with their
 * continuation areas fit; reading it from a BD at 10 MB/s takes under a minute.
 */
export const MAX_TREE_DIRECTORY_BYTES = 512 * 1024 * 1024;

export const DEFAULT_LIMITS: ReaderLimits = {
  maxDirBytes: MAX_DIRECTORY_BYTES,
  maxNodes: MAX_TREE_NODES,
  maxDepth: MAX_DIRECTORY_DEPTH,
  maxTreeDirBytes: MAX_TREE_DIRECTORY_BYTES,
};

/**
 * The running cost of one facet's walk. Directory extents may not overlap one read before: each
 * sector of the image is parsed as a directory at most once per facet, so a walk reads at most
 * the image once, plus continuation areas, and at most `maxTreeDirBytes` on any image (a disc
 * has millions of sectors).
 */
export class TreeBudget {
  private units = 0;
  private dirBytes = 0;
  private readonly dirSectors = new Set<number>();
  private readonly maxDirBytes: number;

  /**
   * `sectorCount`: the image's (or disc's) size. Directories that do not overlap fit in it once, and
   * continuation areas once more, so twice the image is the most a well-formed facet needs.
   */
  constructor(
    private readonly facet: string,
    private readonly limits: ReaderLimits,
    sectorCount: number,
  ) {
    this.maxDirBytes = Math.min(limits.maxTreeDirBytes, 2 * sectorCount * SECTOR);
  }

  /** An entry with `extents` extents joins the tree. */
  entry(extents: number, where: string): void {
    this.add(1 + extents, where);
  }

  /** Extents of an entry already charged with entry(0) (known only once its file entry is decoded). */
  extents(count: number, where: string): void {
    this.add(count, where);
  }

  private add(units: number, where: string): void {
    this.units += units;
    if (this.units > this.limits.maxNodes) {
      throw new InvalidImageError(`${this.facet}: the tree holds more than ${this.limits.maxNodes} entries and extents (at ${where})`, { facet: this.facet, limit: this.limits.maxNodes });
    }
  }

  /** A directory extent of `bytes` bytes at sector `lba` is about to be read. Zero-length extents read nothing. */
  directory(lba: number, bytes: number, where: string): void {
    if (bytes <= 0) return;
    this.charge(bytes, where);
    const sectors = Math.ceil(bytes / SECTOR);
    for (let s = lba; s < lba + sectors; s++) {
      if (this.dirSectors.has(s)) {
        throw new InvalidImageError(`${this.facet}: directory ${where} at sector ${lba} (+${sectors}) overlaps a directory already read (sector ${s})`, { facet: this.facet, lba, sector: s });
      }
    }
    for (let s = lba; s < lba + sectors; s++) this.dirSectors.add(s);
  }

  /** Bytes of directory metadata that may legitimately share sectors (SUSP continuation areas, embedded UDF directories). */
  charge(bytes: number, where: string): void {
    this.dirBytes += bytes;
    if (this.dirBytes > this.maxDirBytes) {
      throw new InvalidImageError(`${this.facet}: directories total more than ${this.maxDirBytes} bytes (at ${where})`, { facet: this.facet, limit: this.maxDirBytes });
    }
  }
}
