// openImage(): finds the file systems on an image and exposes their trees and file contents.
import { CancelledError, InvalidImageError, InvalidInputError, NotFoundError, throwIfAborted } from '../../common/errors';
import { type BlockReader, type ClosableBlockReader, SECTOR, fileBlockReader } from './block-reader';
import { asciiField } from './bytes';
import { readBootCatalog, type BootCatalog } from './eltorito';
import {
  DEFAULT_LIMITS,
  checkPathTables,
  decodeDirRecord,
  decodeVolumeDescriptor,
  readVolumeDescriptors,
  walkIsoTree,
  type RawDescriptor,
  type ReaderLimits,
  type VolumeDescriptorSet,
} from './iso9660';
import { decodeRockRidge, readSuspEntries } from './rock-ridge';
import { listSessions } from './sessions';
import type { Extent, Facet, ImageInfoJSON, IsoVolumeInfo, RockRidgeInfo, SessionLayout, TreeFacet, TreeNode, UdfVolumeInfo } from './types';
import { openUdf, type UdfVolume } from './udf';

export interface OpenImageOptions {
  /** Read the session whose volume descriptors start at this sector+16 (default: the last session found). */
  sessionStart?: number;
  limits?: Partial<ReaderLimits>;
  signal?: AbortSignal;
  /** UDF: record the raw descriptor fields (TreeNode.udf, UdfVolumeInfo.details); see reader/udf.ts. */
  udfDetails?: boolean;
}

export interface ImageInfo extends ImageInfoJSON {
  /** The directory tree of one facet (cached after the first call). */
  tree(facet: TreeFacet): Promise<TreeNode>;
  /** Finds a node by path ("a/b/c" or components) in a facet's tree. */
  lookup(facet: TreeFacet, path: string | string[]): Promise<TreeNode>;
  /** Streams a file's bytes (extents in order; sparse extents as zeros). */
  readFile(facet: TreeFacet, path: string | string[], opts?: { signal?: AbortSignal }): AsyncIterable<Buffer>;
  /** The El Torito boot catalog, if the image has one. */
  bootCatalog(): Promise<BootCatalog | undefined>;
  /** Raw volume descriptors of the session read (a multisession writer copies and updates them). */
  readonly descriptors: RawDescriptor[];
  readonly reader: BlockReader;
  toJSON(): ImageInfoJSON;
  /** Closes the file when openImage() opened it. */
  close(): Promise<void>;
}

const CHUNK_SECTORS = 64;

export async function openImage(source: string | BlockReader, opts: OpenImageOptions = {}): Promise<ImageInfo> {
  const owned: ClosableBlockReader | undefined = typeof source === 'string' ? await fileBlockReader(source) : undefined;
  const reader: BlockReader = owned ?? (source as BlockReader);
  try {
    return await inspect(reader, typeof source === 'string' ? source : '<block reader>', opts, owned);
  } catch (err) {
    await owned?.close();
    throw err;
  }
}

async function inspect(reader: BlockReader, label: string, opts: OpenImageOptions, owned: ClosableBlockReader | undefined): Promise<ImageInfo> {
  const limits: ReaderLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const warnings: string[] = [];
  if (reader.sectorCount < 17) throw new InvalidImageError(`image is too small (${reader.sectorCount} sectors) to hold volume descriptors at sector 16`);
  throwIfAborted(opts.signal);

  const session: SessionLayout = await listSessions(reader, opts.sessionStart);
  // Default: the last session found (its descriptors see the whole multisession tree).
  const sessionStart = opts.sessionStart ?? session.lastSessionStart;
  const vds: VolumeDescriptorSet = await readVolumeDescriptors(reader, sessionStart);
  const facets: Facet[] = [];
  const trees = new Map<TreeFacet, Promise<TreeNode>>();
  let iso9660: IsoVolumeInfo | undefined;
  let joliet: IsoVolumeInfo | undefined;
  let rockridge: RockRidgeInfo | undefined;
  let udf: UdfVolumeInfo | undefined;
  let udfVol: UdfVolume | undefined;

  if (vds.primary) {
    iso9660 = decodeVolumeDescriptor(vds.primary, 'iso9660');
    facets.push('iso9660');
    if (iso9660.volumeSpaceSize > reader.sectorCount) warnings.push(`iso9660: volume space size ${iso9660.volumeSpaceSize} exceeds the image's ${reader.sectorCount} sectors (truncated image?)`);
    const walk = await walkIsoTree(reader, { facet: 'iso9660', rootLba: iso9660.rootLba, rootSize: iso9660.rootSize, limits, warnings, signal: opts.signal });
    iso9660.levelEvidence = walk.evidence;
    trees.set('iso9660', Promise.resolve(walk.root));
    warnings.push(...(await checkPathTables(reader, vds.primary, walk.dirs, 'iso9660')));
    rockridge = await detectRockRidge(reader, iso9660);
    if (rockridge) facets.push('rockridge');
  }
  if (vds.joliet) {
    try {
      joliet = decodeVolumeDescriptor(vds.joliet, 'joliet');
      facets.push('joliet');
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
      warnings.push(`joliet: ${err.message}`);
    }
  }
  if (vds.bootRecord && asciiField(vds.bootRecord.bytes, 7, 32) === 'EL TORITO SPECIFICATION') facets.push('eltorito');
  const hasNsr = vds.vrs.some((v) => v === 'NSR02' || v === 'NSR03');
  if (hasNsr || !vds.primary) {
    try {
      udfVol = await openUdf(reader, { limits, nsr: vds.vrs.find((v) => v.startsWith('NSR')), signal: opts.signal, treeWarnings: warnings, details: opts.udfDetails });
      udf = udfVol.info;
      facets.push('udf');
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
      if (!vds.primary) throw err;
      if (hasNsr) warnings.push(`udf: ${err.message}`);
    }
  }
  if (facets.length === 0) throw new InvalidImageError('no ISO 9660 or UDF file system found');

  let catalog: Promise<BootCatalog | undefined> | undefined;
  const bootCatalog = () => {
    catalog ??= vds.bootRecord && facets.includes('eltorito') ? readBootCatalog(reader, vds.bootRecord) : Promise.resolve(undefined);
    return catalog;
  };
  let eltorito: ImageInfoJSON['eltorito'];
  if (facets.includes('eltorito')) {
    try {
      const cat = await bootCatalog();
      if (cat) {
        eltorito = { catalogLba: cat.catalogLba, entries: cat.entries.length };
        warnings.push(...cat.warnings.map((w) => `eltorito: ${w}`));
      }
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
      warnings.push(`eltorito: ${err.message}`);
      catalog = undefined;
    }
  }

  const tree = (facet: TreeFacet): Promise<TreeNode> => {
    if (opts.signal?.aborted) return Promise.reject(new CancelledError());
    let t = trees.get(facet);
    if (!t) {
      if (facet === 'joliet' && joliet) {
        t = walkIsoTree(reader, { facet: 'joliet', rootLba: joliet.rootLba, rootSize: joliet.rootSize, limits, warnings, signal: opts.signal }).then((w) => w.root);
      } else if (facet === 'rockridge' && rockridge && iso9660) {
        t = walkIsoTree(reader, { facet: 'rockridge', rootLba: iso9660.rootLba, rootSize: iso9660.rootSize, limits, suspSkip: rockridge.skip, warnings, signal: opts.signal }).then((w) => w.root);
      } else if (facet === 'udf' && udfVol) {
        t = udfVol.tree();
      } else {
        return Promise.reject(new InvalidInputError(`image has no ${facet} tree`, { facet, facets }));
      }
      trees.set(facet, t);
      t.catch(() => trees.delete(facet));
    }
    return t;
  };

  const lookup = async (facet: TreeFacet, path: string | string[]): Promise<TreeNode> => {
    const parts = (Array.isArray(path) ? path : path.split('/')).filter((p) => p !== '' && p !== '.');
    let node = await tree(facet);
    for (const part of parts) {
      const next = node.children?.find((c) => c.name === part);
      if (!next) throw new NotFoundError(`${facet}: no such file: /${parts.join('/')}`, { facet, path: parts });
      node = next;
    }
    return node;
  };

  async function* readFile(facet: TreeFacet, path: string | string[], o: { signal?: AbortSignal } = {}): AsyncIterable<Buffer> {
    const node = await lookup(facet, path);
    if (node.kind !== 'file') throw new InvalidInputError(`${facet}: /${[path].flat().join('/')} is a ${node.kind}, not a file`);
    for (const e of node.extents) yield* readExtent(e, o.signal);
  }

  async function* readExtent(e: Extent, signal?: AbortSignal): AsyncIterable<Buffer> {
    if (e.embedded) {
      if (!udfVol) throw new InvalidImageError('embedded extent outside UDF');
      yield await udfVol.embeddedData(e);
      return;
    }
    let left = e.length;
    if (e.sparse) {
      while (left > 0) {
        const n = Math.min(left, CHUNK_SECTORS * SECTOR);
        yield Buffer.alloc(n);
        left -= n;
      }
      return;
    }
    const sectors = Math.ceil(e.length / SECTOR);
    if (e.lba < 0 || e.lba + sectors > reader.sectorCount) throw new InvalidImageError(`file extent at sector ${e.lba} (+${sectors}) lies outside the image (${reader.sectorCount} sectors)`, { lba: e.lba });
    for (let s = 0; s < sectors; s += CHUNK_SECTORS) {
      throwIfAborted(signal);
      const n = Math.min(CHUNK_SECTORS, sectors - s);
      const buf = await reader.read(e.lba + s, n);
      const take = Math.min(left, buf.length);
      left -= take;
      yield take === buf.length ? buf : buf.subarray(0, take);
    }
  }

  const json: ImageInfoJSON = { source: label, sectorCount: reader.sectorCount, facets, iso9660, joliet, rockridge, udf, eltorito, session, sessionStart, warnings };
  return {
    ...json,
    descriptors: vds.all,
    reader,
    tree,
    lookup,
    readFile,
    bootCatalog,
    toJSON: () => JSON.parse(JSON.stringify(json)) as ImageInfoJSON,
    close: async () => {
      await owned?.close();
    },
  };
}

/** SUSP §5.3: SP must be the first entry of the root's "." record; RRIP §5 names itself in ER. */
async function detectRockRidge(reader: BlockReader, vol: IsoVolumeInfo): Promise<RockRidgeInfo | undefined> {
  const sector = await reader.read(vol.rootLba, 1);
  const dot = decodeDirRecord(sector, 0, 'root "." record');
  if (!dot || dot.systemUse.length < 7) return undefined;
  const su = dot.systemUse;
  if (su.toString('latin1', 0, 2) !== 'SP' || su[4] !== 0xbe || su[5] !== 0xef) return undefined;
  const attrs = decodeRockRidge(await readSuspEntries(reader, su));
  const rrip = attrs.er.some((e) => /^(RRIP_1991A|IEEE_P1282|IEEE_1282)/.test(e));
  // RRIP 1.09 images may lack ER; PX/NM on the root still identify Rock Ridge.
  if (!rrip && attrs.mode === undefined) return undefined;
  return { extensions: attrs.er, skip: attrs.sp?.skip ?? 0 };
}
