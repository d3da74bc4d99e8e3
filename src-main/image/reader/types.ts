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
  /** UDF with `OpenImageOptions.udfDetails`: the recorded File Entry and FID fields behind the node. */
  udf?: UdfEntryDetails;
  children?: TreeNode[];
}

/** A descriptor's logical address: partition reference (index into the LVD's maps) and block. */
export interface UdfLbAddr {
  partRef: number;
  lbn: number;
}

/**
 * One allocation descriptor as recorded (ECMA-167 4/14.14), before partition mapping. `type`: 0
 * recorded, 1 allocated but not recorded, 2 neither (4/14.14.1.1). Continuations are in `aeds`.
 */
export interface UdfAllocation extends UdfLbAddr {
  type: number;
  length: number;
}

/** The fields of a UDF File Entry or Extended File Entry (ECMA-167 4/14.9, 4/14.17), raw. */
export interface UdfEntryDetails {
  /** Where the entry was read (after indirect entries). */
  icb: UdfLbAddr;
  /** 4/7.2: 2 for NSR02 revisions (UDF < 2.00), 3 for NSR03. */
  tagVersion: number;
  /** 4/7.2.8: the tag's own idea of its logical block (equals `icb.lbn` when well formed). */
  tagLocation: number;
  extended: boolean;
  /** 4/14.6.6: 4 directory, 5 file, 12 symbolic link, 250/251 metadata (mirror) file. */
  fileType: number;
  /** 4/14.6.8: bits 0-2 allocation descriptor type, 6 setuid, 7 setgid, 8 sticky. */
  icbFlags: number;
  /** 2^32 − 1 = not recorded (OSTA UDF §3.3.3.1). */
  uid: number;
  gid: number;
  /** 4/14.9.5 permission bits as recorded. */
  permissions: number;
  linkCount: number;
  informationLength: number;
  logicalBlocksRecorded: number;
  /** 4/14.9.19 (exact below 2^53). */
  uniqueId: number;
  /** Every descriptor in order, the FE's and then each AED's; none for embedded data. */
  allocation: UdfAllocation[];
  /** Allocation extent descriptors followed (4/14.5), with their tag locations. */
  aeds: (UdfLbAddr & { tagLocation: number })[];
  /** The FID that names this node (absent for the root). */
  fid?: UdfFidDetails;
  /** Directories: their parent FID (4/14.4, characteristics bit 3). */
  parentFid?: UdfFidDetails;
}

/** A File Identifier Descriptor's fields (ECMA-167 4/14.4), raw. */
export interface UdfFidDetails {
  tagVersion: number;
  tagLocation: number;
  /** The logical block that holds the FID's tag (what `tagLocation` should be, 4/7.2.8). */
  block: number;
  crcLength: number;
  fileVersion: number;
  /** 4/14.4.3: bit 0 hidden, 1 directory, 2 deleted, 3 parent. */
  characteristics: number;
  icb: UdfLbAddr;
  /** OSTA UDF §2.3.4.3: the low 32 bits of the entry's unique ID, in the ICB's implementation use. */
  uniqueId: number;
  /** Padded length in bytes (4/14.4.9). */
  size: number;
}

/** Volume-level fields behind UdfVolumeInfo, raw (`OpenImageOptions.udfDetails`). */
export interface UdfVolumeDetails {
  /** The volume descriptor sequence that was read (main, else reserve: ECMA-167 3/8.4.2). */
  vdsLba: number;
  /** 3/10.1. */
  primaryVolume: {
    tagIdentifier: number;
    tagVersion: number;
    vdsNumber: number;
    volumeId: string;
    interchangeLevel: number;
    maxInterchangeLevel: number;
    characterSetList: number;
    maxCharacterSetList: number;
    volumeSetId: string;
    recordingTime?: string;
    flags: number;
  };
  /** OSTA UDF §2.1.5.3: the domain identifier suffix's revision word (0x0250). */
  domainRevision: number;
  /** 4/14.1 and its root directory ICB (4/14.1.7). */
  fileSet: UdfLbAddr & { tagLocation: number; rootIcb: UdfLbAddr };
  /** 3/10.10 and OSTA UDF §2.2.6.4 implementation use; revisions as recorded (0x0102). */
  integrity?: { lba: number; tagLocation: number; type: number; nextUniqueId: number; partitions: number; implUseLength: number; numFiles: number; numDirs: number; minReadRevision: number; minWriteRevision: number; maxWriteRevision: number };
  /** UDF 2.50 §2.2.13: the metadata file's and the metadata mirror file's entries. */
  metadataFile?: UdfEntryDetails;
  metadataMirrorFile?: UdfEntryDetails;
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
  partitionMaps: {
    type: string;
    partitionNumber: number;
    metadataFileLocation?: number;
    mirrorFileLocation?: number;
    /** UDF 2.50 §2.2.10: allocation unit size (blocks), alignment unit size (blocks), flags (bit 0: duplicate metadata). */
    allocationUnit?: number;
    alignmentUnit?: number;
    flags?: number;
  }[];
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
  /** With `OpenImageOptions.udfDetails`. */
  details?: UdfVolumeDetails;
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
