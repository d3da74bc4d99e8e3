// Plain, JSON-serialisable shapes returned by the reader (they cross IPC and `--json` unchanged).

export type Facet = 'iso9660' | 'joliet' | 'rockridge' | 'udf' | 'eltorito';
/** Facets that carry a directory tree. */
export type TreeFacet = 'iso9660' | 'joliet' | 'rockridge' | 'udf';

/** A run of bytes on the image. `lba` is in 2048-byte sectors; `sparse` runs read as zeros (UDF unrecorded). */
export interface Extent {
  lba: number;
  length: number;
  sparse?: boolean;
  /** UDF: data is embedded in the ICB itself (ECMA-167 4/14.6.8 ad type 3); `lba` is the ICB's sector. */
  embedded?: boolean;
}

export interface TreeNode {
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  extents: Extent[];
  /** ISO 8601 UTC. */
  mtime?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  nlink?: number;
  symlinkTarget?: string;
  hidden?: boolean;
  /** ISO 9660: the identifier exactly as recorded (e.g. "README.TXT;1"). */
  isoName?: string;
  children?: TreeNode[];
}

export interface IsoLevelEvidence {
  /** Longest file identifier seen, without ";version". */
  maxNameLength: number;
  /** Every name fits 8.3 d-characters (level 1 rule, ECMA-119 §10.1). */
  all83: boolean;
  /** Names with characters outside the d-character set (ECMA-119 §7.4.1) were found. */
  nonDCharacters: boolean;
  multiExtentFiles: number;
  largestFile: number;
  /** Deepest directory level (root = 1). */
  maxDepth: number;
  /** The lowest interchange level (ECMA-119 §10) all the evidence is compatible with. */
  levelGuess: 1 | 2 | 3;
}

export interface IsoVolumeInfo {
  facet: 'iso9660' | 'joliet';
  descriptorLba: number;
  systemId: string;
  volumeId: string;
  volumeSetId: string;
  publisherId: string;
  dataPreparerId: string;
  applicationId: string;
  volumeSpaceSize: number;
  logicalBlockSize: number;
  pathTableSize: number;
  creationDate?: string;
  modificationDate?: string;
  expirationDate?: string;
  effectiveDate?: string;
  /** Joliet only: UCS-2 level from the escape sequence (%/@ = 1, %/C = 2, %/E = 3). */
  jolietLevel?: 1 | 2 | 3;
  rootLba: number;
  rootSize: number;
  /** iso9660 only, after the tree walk. */
  levelEvidence?: IsoLevelEvidence;
}

export interface RockRidgeInfo {
  /** Extension identifiers from ER entries (e.g. "RRIP_1991A", "IEEE_P1282"). */
  extensions: string[];
  /** SUSP LEN_SKP from the SP entry. */
  skip: number;
}

export interface UdfVolumeInfo {
  facet: 'udf';
  /** e.g. "1.02", "2.50": from the LVD domain identifier suffix (OSTA UDF §2.1.5.3). */
  revision: string;
  /** NSR02 (ECMA-167 2nd ed.) or NSR03 (3rd ed.) from the volume recognition sequence. */
  nsr?: string;
  volumeId: string;
  volumeSetId: string;
  logicalVolumeId: string;
  fileSetId?: string;
  recordingDate?: string;
  logicalBlockSize: number;
  partitions: { number: number; start: number; length: number; accessType: number }[];
  partitionMaps: { type: string; partitionNumber: number; metadataFileLocation?: number; mirrorFileLocation?: number }[];
  avdpLocations: number[];
  /** From the logical volume integrity descriptor (ECMA-167 3/10.10, OSTA UDF §2.2.6.4) or the VAT header. */
  integrity?: 'open' | 'closed';
  numFiles?: number;
  numDirs?: number;
  minReadRevision?: string;
  minWriteRevision?: string;
  maxWriteRevision?: string;
  warnings?: string[];
  applicationId: string;
  implementationId: string;
}

export interface ElToritoSummary {
  catalogLba: number;
  entries: number;
}

export interface SessionInfo {
  /** First sector of the session (its volume descriptors are at start+16). */
  start: number;
  /** Last sector (inclusive) covered by the session's volume space. */
  end: number;
  volumeId: string;
}

export interface SessionLayout {
  sessions: SessionInfo[];
  /** Start of the last (current) session. */
  lastSessionStart: number;
  /** Last sector of the image the last session's volume space covers. */
  lastSessionEnd: number;
  /**
   * Where the next session could start: the end of the volume space rounded up to 32 sectors
   * (64 KiB), the alignment xorriso uses on overwriteable media and files.
   */
  nextWritableAddress: number;
}

export interface ImageInfoJSON {
  source: string;
  sectorCount: number;
  facets: Facet[];
  iso9660?: IsoVolumeInfo;
  joliet?: IsoVolumeInfo;
  rockridge?: RockRidgeInfo;
  udf?: UdfVolumeInfo;
  eltorito?: ElToritoSummary;
  session: SessionLayout;
  /** The session whose descriptors were read (its volume descriptors are at this sector + 16). */
  sessionStart: number;
  /** Non-fatal inconsistencies; tree() walks may append to it (e.g. UDF FID CRC lengths). */
  warnings: string[];
}
