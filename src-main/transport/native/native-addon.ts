// The only module that loads the native addon (native/build/Release/glassmaster_native.node).
// Everything else goes through NativeTransport. The addon is found the same way from the source
// tree (vitest, tsx), from electron-vite's bundled out/main/*.js and from a packaged Electron app.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../../common/errors';
import { honourDevOverrides, type Runtime } from '../../common/runtime';

export interface NativeAddonInfo {
  platform: 'linux' | 'win32' | 'other';
  /** 'sg' (Linux SG_IO), 'spti' (Windows pass-through) or 'none' (null backend). */
  backend: 'sg' | 'spti' | 'none';
  napiVersion: number;
}

export interface NativeDriveEntry {
  /** What open() takes: /dev/srN (or /dev/sgN without a block node), \\.\E: on Windows. */
  path: string;
  blockNode: string;
  sgNode: string;
  vendor: string;
  model: string;
  revision: string;
  /** Linux H:C:T:L; empty elsewhere. */
  busAddress: string;
}

export interface NativeExecuteRequest {
  cdb: Uint8Array;
  direction: 'none' | 'in' | 'out';
  data?: Uint8Array;
  length?: number;
  timeoutMs?: number;
}

export interface NativeExecuteResult {
  status: number;
  /** Linux sg host_status (DID_*), 0 elsewhere. */
  hostStatus: number;
  /** Linux sg driver_status (DRIVER_*), 0 elsewhere. */
  driverStatus: number;
  sense: Uint8Array;
  /** A view of exactly the transferred bytes. */
  data: Uint8Array;
  residual: number;
  durationMs: number;
}

/** How the addon rejects: data, never a preformatted message. */
export interface NativeOsError extends Error {
  /** errno on POSIX, the Win32 error code on Windows, 0 for the null backend. */
  errno: number;
  /** 'ENOENT', 'ERROR_ACCESS_DENIED' …; undefined when the addon has no name for it. */
  code?: string;
  /** 'open', 'ioctl(SG_IO)', 'CreateFile', 'DeviceIoControl(…)' … */
  syscall: string;
  /** The null backend: this OS has no transport yet. */
  notSupported: boolean;
}

export interface NativeAddon {
  info(): NativeAddonInfo;
  list(): Promise<NativeDriveEntry[]>;
  /** Resolves with a handle number. */
  open(path: string, exclusive: boolean): Promise<number>;
  /** Releases the handle (the OS handle closes once in-flight commands return). */
  close(handle: number): boolean;
  execute(handle: number, request: NativeExecuteRequest): Promise<NativeExecuteResult>;
  /**
   * POSIX builds only (native/src/file_fill.h): reads pieces i0 … i1 − 1 (nums: lba, size, mtimeMs
   * each) into buf at lba × 2048 − firstByte, zero-padded; the bytes filled, or −1 − i when piece i
   * is not the file the scan saw. The image writer's copy thread (image/writer/copy-task.ts).
   */
  fillPieces?(buf: Uint8Array, nums: Float64Array, hostPaths: string[], i0: number, i1: number, firstByte: number): number;
  /**
   * POSIX builds only (native/src/dir_scan.h): one directory's entry names in byte order and, per
   * name, 8 numbers as fs.lstatSync (fs.statSync when following links) gives them: mode (−1: that
   * entry's stat failed), size, uid, gid, mtimeMs, ctimeMs, dev, ino. null when the directory cannot
   * be read or holds a name that is not UTF-8. The image scanner (image/staging/staging-tree.ts).
   */
  scanDir?(dirPath: string, followSymlinks: boolean): NativeDirectory | null;
  /**
   * POSIX builds only (native/src/tree_read_posix.cc): a folder tree walked ahead of the scanner by
   * a thread of the addon's own (preorder, children in byte order, links not followed).
   */
  TreeReader?: new (rootPath: string) => NativeTreeReader;
  /**
   * Only in builds that found libFLAC (Linux with libflac-dev; native/src/flac_decode.h): one FLAC
   * stream decoded by the system's libFLAC. The audio workers' FLAC path (audio/flac-libflac.ts).
   */
  FlacDecoder?: NativeFlacDecoderClass;
}

/**
 * One directory as scanDir answers it: every entry name followed by a NUL, in one string (one
 * string crossing from C++ instead of one per name: names.split('\0') has one more element, the
 * empty one after the last NUL), and 8 numbers per entry.
 */
export interface NativeDirectory {
  /** (An array of names from an addon built before the string: staging-tree.ts takes both.) */
  names: string | string[];
  nums: Float64Array;
}

/** native/src/tree_read_posix.cc. */
export interface NativeTreeReader {
  /** scanDir(dirPath, false)'s answer, read ahead (waits for the walk); null when the walk will not reach dirPath. */
  take(dirPath: string): NativeDirectory | null;
  /** Stops the walk and joins its thread. */
  close(): void;
}

/** native/src/flac_decode.cc; what it throws is a NativeFlacFailure. */
export interface NativeFlacDecoder {
  /** Frames written to `out` (0: the stream is over): Int16Array interleaved stereo, or Float32Array planar (left [0, n), right [n, 2n)). */
  read(out: Int16Array | Float32Array): number;
  /** Ends the stream: false when the decoded samples differ from STREAMINFO's MD5 (checked with `md5`). */
  finish(): boolean;
  close(): void;
  readonly samples: number;
}

export type NativeFlacDecoderClass = new (fd: number, head: Uint8Array, from: number, to: number, options: { float: boolean; md5: boolean; expected: number }) => NativeFlacDecoder;

/** What FlacDecoder throws: `lastFrame` is the file offset of the last frame decoded intact (−1: none). */
export interface NativeFlacFailure extends Error {
  kind: 'io' | 'flac' | 'format';
  lastFrame: number;
  /** kind 'flac': libFLAC's error status or decoder state name. */
  status?: string;
  /** kind 'io'. */
  errno?: number;
  position?: number;
  length?: number;
  /** kind 'format': what differs from STREAMINFO. */
  what?: string;
}

export function isNativeOsError(err: unknown): err is NativeOsError {
  return err instanceof Error && typeof (err as NativeOsError).errno === 'number' && typeof (err as NativeOsError).syscall === 'string';
}

const ADDON_FILE = 'glassmaster_native.node';

/** Walks up from `startDir` to the directory whose package.json is named "glassmaster". */
export function findPackageRoot(startDir: string): string | undefined {
  let dir = startDir;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'glassmaster') return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Set by the Electron shell from app.isPackaged before anything loads the addon. */
let packagedApp: boolean | undefined;

/** The Electron shell tells the loader whether it runs packaged (app.isPackaged). */
export function setPackagedApp(isPackaged: boolean): void {
  packagedApp = isPackaged;
}

/**
 * Where this process runs. Inside Electron, without the shell's word, a process not started as
 * `electron path` (process.defaultApp unset) counts as packaged: the safe side.
 */
export function currentRuntime(): Runtime {
  const isElectron = typeof process.versions.electron === 'string';
  const defaultApp = (process as NodeJS.Process & { defaultApp?: boolean }).defaultApp === true;
  return { isElectron, isPackaged: isElectron && (packagedApp ?? !defaultApp) };
}

/**
 * Candidate addon paths, most specific first. GLASSMASTER_NATIVE_ADDON (a development override) is
 * honoured only outside packaged Electron builds: a packaged app loads its own addon, never a .node
 * named by its environment.
 */
export function addonCandidates(moduleUrl: string = import.meta.url, runtime: Runtime = currentRuntime()): string[] {
  const out: string[] = [];
  if (process.env.GLASSMASTER_NATIVE_ADDON && honourDevOverrides(runtime)) out.push(process.env.GLASSMASTER_NATIVE_ADDON);
  const roots: string[] = [];
  const root = moduleUrl.startsWith('file:') ? findPackageRoot(dirname(fileURLToPath(moduleUrl))) : undefined;
  if (root) roots.push(root);
  // Packaged Electron: the .node must live outside the asar archive (asarUnpack).
  const resources = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resources) roots.push(join(resources, 'app.asar.unpacked'), resources);
  for (const r of roots) {
    out.push(join(r, 'native', 'build', 'Release', ADDON_FILE), join(r, 'native', 'build', 'Debug', ADDON_FILE));
  }
  return out;
}

let cached: NativeAddon | undefined;

/** Loads the addon once. Throws InternalError naming every path tried when it is not built. */
export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const tried = addonCandidates();
  for (const file of tried) {
    if (!existsSync(file)) continue;
    try {
      cached = require(file) as NativeAddon;
    } catch (err) {
      // Present but unloadable: built for another OS/arch, or a missing shared library.
      throw new InternalError(`cannot load native addon ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return cached;
  }
  throw new InternalError(`native addon not built (run \`npx node-gyp rebuild --directory native\`); looked in: ${tried.join(', ')}`);
}

/**
 * The addon when it is built and loads, else undefined: for callers with a JavaScript path of
 * their own (the image copy thread), which must work where the addon is absent.
 */
export function loadNativeAddonIfBuilt(): NativeAddon | undefined {
  try {
    return loadNativeAddon();
  } catch {
    return undefined;
  }
}
