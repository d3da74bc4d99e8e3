// The readability rules, stated as data with their sources. preflight.ts only applies them.

export type FsFacet = 'iso9660' | 'joliet' | 'rockridge' | 'udf';
export type Audience = 'windows' | 'macos' | 'linux' | 'players';

/** ECMA-119 §7.4.1: d-characters are A-Z, 0-9 and "_". */
export const D_CHARACTERS = /^[A-Z0-9_]$/;

export const ISO_NAME_RULES = {
  // ECMA-119 §10.1 (level 1): file name ≤ 8 and extension ≤ 3 d-characters; directory identifier ≤ 8.
  1: { fileName: 8, fileExt: 3, fileTotal: 11, dir: 8 },
  // ECMA-119 §7.5.1/§7.6.3 with §10.2-10.3 (levels 2, 3): name + extension ≤ 30, directory ≤ 31.
  2: { fileName: 30, fileExt: 30, fileTotal: 30, dir: 31 },
  3: { fileName: 30, fileExt: 30, fileTotal: 30, dir: 31 },
} as const;

/** ECMA-119 §6.8.2.1: at most 8 directory levels (root = 1) and a path of at most 255 characters. */
export const ISO_MAX_DEPTH = 8;
export const ISO_MAX_PATH = 255;

/**
 * Joliet specification (Microsoft, 1995) §3.3: a file/directory identifier holds at most 64 UCS-2
 * characters and may not contain U+0000-U+001F, "*", "/", ":", ";", "?" or "\".
 */
export const JOLIET_MAX_CHARS = 64;
export const JOLIET_FORBIDDEN = /[\u0000-\u001f*/:;?\\]/;

/** OSTA UDF 2.60 §2.3.4.4 / §2.3.12: identifiers ≤ 255 bytes of CS0 (so ≤ 254 Latin-1 or 127 UCS-2 characters; the writer's limit, udf/names.ts), paths ≤ 1023 bytes. */
export { UDF_NAME_MAX_BYTES as UDF_MAX_NAME_BYTES } from '../udf/names';
export const UDF_MAX_PATH_BYTES = 1023;

/** Win32 MAX_PATH (Microsoft, "Maximum Path Length Limitation"): drive, path and terminating NUL. */
export const WINDOWS_MAX_PATH = 260;

/** POSIX NAME_MAX as Linux and macOS apply it to Rock Ridge NM names (255 bytes). */
export const RR_MAX_NAME_BYTES = 255;

/** ECMA-119 §9.1.4: one extent's data length is 32-bit; larger files need level 3 multi-extent (§10.3, §6.5.1). */
export const ISO_EXTENT_MAX = 2 ** 32 - 1;
/** Many standalone players (FAT-era firmware, signed 32-bit offsets) stop at 2 GiB. */
export const PLAYER_SAFE_FILE_SIZE = 2 ** 31 - 1;

/** The Win32 namespace compares names case-insensitively, whatever the disc records. */
export const CASE_INSENSITIVE: Audience[] = ['windows'];

/**
 * Which tree each audience reads on a multi-facet disc, best first. Windows' udfs.sys takes a
 * bridge disc before cdfs.sys, which prefers Joliet over plain ISO 9660 and ignores Rock Ridge;
 * Linux (isofs) and macOS (cd9660) use Rock Ridge over Joliet, and UDF first on bridge discs
 * (util-linux blkid probes UDF before ISO 9660). Players: ISO 9660 primary names, UDF on DVD/BD.
 */
export const FACET_PREFERENCE: Record<Audience, FsFacet[]> = {
  windows: ['udf', 'joliet', 'iso9660'],
  macos: ['udf', 'rockridge', 'joliet', 'iso9660'],
  linux: ['udf', 'rockridge', 'joliet', 'iso9660'],
  players: ['udf', 'iso9660'],
};

/**
 * Highest UDF revision each OS reads. Source: mkudffs(8), udftools 2.3, "OPERATING SYSTEMS SUPPORT"
 * table (Windows XP 2.01, Vista+ 2.60; Mac OS X 10.4 2.01, 10.5+ 2.60; Linux 2.6.26+ 2.50 …).
 */
export const UDF_READ_SUPPORT: { audience: Audience; os: string; maxRead: string }[] = [
  { audience: 'windows', os: 'Windows 98/Me', maxRead: '1.02' },
  { audience: 'windows', os: 'Windows 2000', maxRead: '1.50' },
  { audience: 'windows', os: 'Windows XP', maxRead: '2.01' },
  { audience: 'windows', os: 'Windows Vista and later', maxRead: '2.60' },
  { audience: 'macos', os: 'Mac OS X 10.0-10.3', maxRead: '1.50' },
  { audience: 'macos', os: 'Mac OS X 10.4', maxRead: '2.01' },
  { audience: 'macos', os: 'Mac OS X 10.5 and later', maxRead: '2.60' },
  { audience: 'linux', os: 'Linux 2.4.6-2.6.25', maxRead: '2.01' },
  { audience: 'linux', os: 'Linux 2.6.26 and later', maxRead: '2.50' },
];

/** DVD-Video players expect UDF 1.02 (DVD Forum DVD-Video spec); BD players read 2.50 (BD-ROM). Data-disc support beyond that varies. */
export const PLAYER_UDF_MAX = '1.02';

export const UDF_REVISIONS = ['1.02', '1.50', '2.00', '2.01', '2.50', '2.60'];
