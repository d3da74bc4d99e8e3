// Host-side tests of the native addon and NativeTransport. This machine has no optical drive, so
// real SG_IO traffic is tested in the QEMU guest (native-transport.guest.test.ts); here we pin the
// addon's loading, enumeration and the error mapping against real syscalls.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidInputError, NotSupportedError, TransportError } from '../../common/errors';
import { inCI, requireTools } from '../../testing/peer-tools';
import { addonCandidates, findPackageRoot, loadNativeAddon, type NativeAddon, type NativeExecuteResult } from './native-addon';
import { NativeDevice, NativeTransport } from './native-transport';

const INQUIRY = new Uint8Array([0x12, 0, 0, 0, 36, 0]);

describe('native addon', () => {
  it('loads and reports the Linux SG backend', () => {
    const info = loadNativeAddon().info();
    expect(info).toEqual({ platform: 'linux', backend: 'sg', napiVersion: 8 });
  });

  it('finds the package root from a bundled location (out/main)', () => {
    const root = findPackageRoot(join(process.cwd(), 'out', 'main'));
    expect(root).toBe(process.cwd());
    const c = addonCandidates(`file://${join(process.cwd(), 'out', 'main', 'index.js')}`);
    expect(c).toContain(join(process.cwd(), 'native', 'build', 'Release', 'glassmaster_native.node'));
  });

  it('in a packaged Electron app (no package root above the module) it looks under resourcesPath', () => {
    const proc = process as NodeJS.Process & { resourcesPath?: string };
    const prev = proc.resourcesPath;
    proc.resourcesPath = '/opt/Glassmaster/resources';
    try {
      // An asar path has no package.json to find on disk: only the resources candidates remain.
      const c = addonCandidates('file:///opt/Glassmaster/resources/app.asar/out/main/index.js');
      expect(c[0]).toBe('/opt/Glassmaster/resources/app.asar.unpacked/native/build/Release/glassmaster_native.node');
    } finally {
      proc.resourcesPath = prev;
    }
  });

  it('an explicit GLASSMASTER_NATIVE_ADDON path is tried first', () => {
    const prev = process.env.GLASSMASTER_NATIVE_ADDON;
    process.env.GLASSMASTER_NATIVE_ADDON = '/opt/elsewhere/glassmaster_native.node';
    try {
      expect(addonCandidates()[0]).toBe('/opt/elsewhere/glassmaster_native.node');
    } finally {
      if (prev === undefined) delete process.env.GLASSMASTER_NATIVE_ADDON;
      else process.env.GLASSMASTER_NATIVE_ADDON = prev;
    }
  });

  it('loads when bundled into a chunk the way electron-vite emits out/main/chunks/*.js (ESM)', { timeout: 60_000 }, async () => {
    // esbuild stands in for electron-vite's bundler: what matters is that the loader, moved into
    // another directory of the package, still finds native/build from its own import.meta.url.
    const { build } = await import('esbuild');
    // Inside the package (so the loader's walk up finds it); .cache may not exist in a fresh clone.
    mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'gm-bundle-'));
    try {
      const outfile = join(dir, 'main', 'chunks', 'native.mjs');
      await build({ entryPoints: [join(process.cwd(), 'src-main/transport/native/native-addon.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
      const bundled = (await import(outfile)) as typeof import('./native-addon');
      expect(bundled.loadNativeAddon().info().backend).toBe('sg');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('list() matches the MMC devices sysfs shows (none on this host)', async () => {
    const drives = await new NativeTransport().list();
    let sysfs: string[];
    try {
      const { readdirSync, readFileSync } = await import('node:fs');
      sysfs = readdirSync('/sys/class/scsi_device').filter(
        (d) => readFileSync(`/sys/class/scsi_device/${d}/device/type`, 'utf8').trim() === '5',
      );
    } catch {
      sysfs = [];
    }
    expect(drives).toHaveLength(sysfs.length);
    for (const d of drives) expect(d.kind).toBe('native');
  });

  it('rejects with structured data, not a formatted string', async () => {
    const err = await loadNativeAddon().open('/nonexistent/sr9', false).catch((e: unknown) => e);
    expect(err).toMatchObject({ errno: 2, code: 'ENOENT', syscall: 'open', notSupported: false });
  });

  it('validates requests in C++ too (bad CDB length, unknown direction)', async () => {
    const addon = loadNativeAddon();
    expect(() => addon.execute(1, { cdb: new Uint8Array(3), direction: 'none' })).toThrow(RangeError);
    expect(() => addon.execute(1, { cdb: INQUIRY, direction: 'sideways' as 'none' })).toThrow(TypeError);
    await expect(addon.execute(12345, { cdb: INQUIRY, direction: 'in', length: 36 })).rejects.toMatchObject({ code: 'EBADF' });
  });
});

describe('NativeTransport errors', () => {
  const transport = new NativeTransport();

  it('opening a missing path → TransportError ENOENT (syscall open)', async () => {
    const err = await transport.open('/dev/sr-does-not-exist').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ errno: 'ENOENT', syscall: 'open', disconnected: false });
  });

  it('opening /dev/null → TransportError ENOTTY: not an SG_IO device', async () => {
    const err = await transport.open('/dev/null').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ errno: 'ENOTTY', syscall: 'ioctl(SG_GET_VERSION_NUM)' });
  });

  it('opening a regular file → TransportError ENOTTY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-native-'));
    const f = join(dir, 'plain.bin');
    writeFileSync(f, Buffer.alloc(4096));
    try {
      await expect(transport.open(f)).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'ENOTTY' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an empty address is the caller’s fault', async () => {
    await expect(transport.open('')).rejects.toBeInstanceOf(InvalidInputError);
  });
});

/**
 * An addon double whose execute() never settles until released: lets us test close-while-pending
 * and host-status mapping without a drive. The real-device behaviour is covered in the guest.
 */
function fakeAddon(result?: Partial<NativeExecuteResult>): NativeAddon & { release: () => void; closed: number[] } {
  const waiting: (() => void)[] = [];
  const closed: number[] = [];
  const identified = new Set<number>();
  return {
    closed,
    release: () => waiting.splice(0).forEach((f) => f()),
    info: () => ({ platform: 'linux', backend: 'sg', napiVersion: 8 }),
    list: async () => [],
    open: async () => 7,
    close: (h) => (closed.push(h), true),
    // open() asks INQUIRY first (the MMC gate, mmc-device.ts): answered at once as an MMC drive.
    execute: (_h, req) =>
      req.cdb[0] === 0x12 && !identified.has(_h) && identified.add(_h)
        ? Promise.resolve({ status: 0, hostStatus: 0, driverStatus: 0, sense: new Uint8Array(), data: Uint8Array.of(0x05, 0x80, 5, 2), residual: 32, durationMs: 1 })
        : new Promise((resolve) =>
        waiting.push(() =>
          resolve({ status: 0, hostStatus: 0, driverStatus: 0, sense: new Uint8Array(), data: new Uint8Array(), residual: 0, durationMs: 1, ...result }),
        ),
      ),
  };
}

describe('NativeDevice lifecycle', () => {
  it('close() rejects pending executes with CancelledError and releases the handle', async () => {
    const addon = fakeAddon();
    const dev = await new NativeTransport(addon).open('/dev/sg0');
    const pending = dev.execute({ cdb: INQUIRY, direction: 'in', length: 36 });
    await dev.close();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(addon.closed).toEqual([7]);
    addon.release(); // the ioctl returning later changes nothing
    await expect(dev.execute({ cdb: INQUIRY, direction: 'in', length: 36 })).rejects.toMatchObject({ code: 'TRANSPORT', errno: 'EBADF' });
  });

  it('an aborted signal rejects before anything is sent', async () => {
    const addon = fakeAddon();
    let sent = 0;
    const execute = addon.execute;
    addon.execute = (...a) => (sent++, execute(...a));
    const dev = await new NativeTransport(addon).open('/dev/sg0');
    sent = 0; // the MMC gate's INQUIRY at open
    const ac = new AbortController();
    ac.abort();
    await expect(dev.execute({ cdb: INQUIRY, direction: 'in', length: 36 }, ac.signal)).rejects.toBeInstanceOf(CancelledError);
    expect(sent).toBe(0);
  });

  it('maps sg host_status DID_TIME_OUT to TransportError ETIMEDOUT and DID_NO_CONNECT to disconnected', async () => {
    for (const [hostStatus, errno, disconnected] of [[0x03, 'ETIMEDOUT', false], [0x01, 'ENODEV', true]] as const) {
      const addon = fakeAddon({ hostStatus });
      const dev = await new NativeTransport(addon).open('/dev/sg0');
      const p = dev.execute({ cdb: INQUIRY, direction: 'in', length: 36 });
      addon.release();
      await expect(p).rejects.toMatchObject({ code: 'TRANSPORT', errno, disconnected });
    }
  });

  it('CHECK CONDITION is data, not an exception', async () => {
    const sense = new Uint8Array([0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3a, 0]);
    const addon = fakeAddon({ status: 2, driverStatus: 0x08, sense });
    const dev = await new NativeTransport(addon).open('/dev/sg0');
    const p = dev.execute({ cdb: new Uint8Array(6), direction: 'none' });
    addon.release();
    await expect(p).resolves.toMatchObject({ status: 2, sense });
  });

  it('an out-of-range timeout rejected by the addon becomes InvalidInputError, never a sync throw', async () => {
    const addon = loadNativeAddon();
    const dev = new NativeDevice(addon, 999, '/dev/sg-fake');
    const p = dev.execute({ cdb: INQUIRY, direction: 'in', length: 36, timeoutMs: -5 });
    await expect(p).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('exclusive open takes the sibling node too, and releases the first handle if that fails', async () => {
    const addon = fakeAddon();
    addon.list = async () => [{ path: '/dev/sr0', blockNode: '/dev/sr0', sgNode: '/dev/sg0', vendor: 'V', model: 'M', revision: 'R', busAddress: '0:0:0:0' }];
    const opened: [string, boolean][] = [];
    addon.open = async (path, exclusive) => {
      opened.push([path, exclusive]);
      if (path === '/dev/sg0') throw Object.assign(new Error('EBUSY open'), { errno: 16, code: 'EBUSY', syscall: 'open', notSupported: false });
      return 7;
    };
    const err = await new NativeTransport(addon).open('/dev/sr0', { exclusive: true }).catch((e: unknown) => e);
    expect(opened).toEqual([['/dev/sr0', true], ['/dev/sg0', true]]);
    expect(err).toMatchObject({ code: 'TRANSPORT', errno: 'EBUSY', syscall: 'open' });
    expect(addon.closed).toEqual([7]);
  });

  it('rejects malformed commands as InvalidInputError', async () => {
    const dev = await new NativeTransport(fakeAddon()).open('/dev/sg0');
    await expect(dev.execute({ cdb: new Uint8Array(4), direction: 'none' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(dev.execute({ cdb: INQUIRY, direction: 'in' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(dev.execute({ cdb: INQUIRY, direction: 'out' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('watch() reports drives appearing and disappearing', async () => {
    const addon = fakeAddon();
    let drives = [] as Awaited<ReturnType<NativeAddon['list']>>;
    addon.list = async () => drives;
    const changes: unknown[] = [];
    const stop = new NativeTransport(addon).watch((c) => changes.push(c), { intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 20));
    drives = [{ path: '/dev/sr0', blockNode: '/dev/sr0', sgNode: '/dev/sg0', vendor: 'QEMU', model: 'QEMU DVD-ROM', revision: '2.5+', busAddress: '0:0:0:0' }];
    await new Promise((r) => setTimeout(r, 30));
    drives = [];
    await new Promise((r) => setTimeout(r, 30));
    stop();
    expect(changes).toEqual([
      { added: [expect.objectContaining({ address: '/dev/sr0', sgNode: '/dev/sg0' })], removed: [] },
      { added: [], removed: [expect.objectContaining({ address: '/dev/sr0' })] },
    ]);
  });
});

/** Node's C headers: next to the binary (distro and official builds) or in node-gyp's cache. */
function nodeHeaders(): string | undefined {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ];
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found && inCI) throw new Error(`[CI] node headers not found in ${candidates.join(', ')}`);
  return found;
}

const canBuild = requireTools('g++') && nodeHeaders() !== undefined;

describe.skipIf(!canBuild)('null backend (device_dummy.cc, what macOS/BSD builds get)', () => {
  it('builds and loads; list() is empty and open() is NotSupportedError', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-native-dummy-'));
    try {
      const out = join(dir, 'glassmaster_native_dummy.node');
      const src = join(process.cwd(), 'native', 'src');
      execFileSync('g++', [
        '-std=c++17', '-shared', '-fPIC', '-O0', '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS',
        `-I${join(process.cwd(), 'node_modules', 'node-addon-api')}`, `-I${nodeHeaders()}`,
        join(src, 'addon.cc'), join(src, 'execute_worker.cc'), join(src, 'io_pool.cc'), join(src, 'file_fill_posix.cc'), join(src, 'dir_scan_posix.cc'), join(src, 'tree_read_posix.cc'), join(src, 'device_dummy.cc'), join(src, 'flac_decode.cc'), '-pthread', '-o', out,
      ], { stdio: 'pipe' });
      const addon = createRequire(import.meta.url)(out) as NativeAddon;
      expect(addon.info().backend).toBe('none');
      // Built without GM_HAVE_LIBFLAC (as macOS/Windows builds are): no FlacDecoder, so audio workers use the WASM libFLAC.
      expect(addon.FlacDecoder).toBeUndefined();
      const transport = new NativeTransport(addon);
      expect(transport.canAccessDrives()).toBe(false);
      expect(new NativeTransport().canAccessDrives()).toBe(true);
      expect(await transport.list()).toEqual([]);
      const err = await transport.open('/dev/sr0').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotSupportedError);
      expect(err).toMatchObject({ code: 'NOT_SUPPORTED' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!(requireTools('x86_64-w64-mingw32-g++') && nodeHeaders() !== undefined))('Windows backend (spti_win.cc)', () => {
  // It cannot run here, but it must keep compiling against the Windows SDK headers (mingw-w64's
  // winioctl.h / ntddscsi.h) together with the OS-neutral addon files.
  it('compiles for x86_64 Windows with -Wall -Wextra and no warnings', { timeout: 120_000 }, () => {
    const src = join(process.cwd(), 'native', 'src');
    const res = spawnSync('x86_64-w64-mingw32-g++', [
      '-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS', '-DWIN32_LEAN_AND_MEAN', '-DNOMINMAX',
      `-I${join(process.cwd(), 'node_modules', 'node-addon-api')}`, `-I${nodeHeaders()}`,
      join(src, 'spti_win.cc'), join(src, 'addon.cc'), join(src, 'execute_worker.cc'), join(src, 'io_pool.cc'), join(src, 'flac_decode.cc'),
    ], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });
});
