// Builds (once, then cached) the kernel + initramfs the QEMU guest boots: Debian's own kernel
// package unpacked with dpkg -x (never installed), the modules we need resolved through
// modules.dep, and a busybox-static /init that mounts the host root read-only over 9p and chroots.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync } from 'node:zlib';
import { IoError, NotFoundError } from '../../common/errors';

/**
 * Loaded in dependency order (modules.dep closure). virtio + 9p reach the host root; virtio_scsi,
 * sr_mod, sg give /dev/srN and /dev/sgN; virtio_blk + isofs + udf let tests mount images with the
 * Linux kernel as an independent reader (the host kernel has neither file system); virtio_console
 * carries byte streams between host and guest (serialPorts).
 */
export const GUEST_MODULES = [
  'virtio_pci', '9pnet_virtio', '9p', 'virtio_scsi', 'cdrom', 'sr_mod', 'sg', 'virtio_blk', 'isofs', 'udf', 'crc-itu-t',
  'virtio_console',
];

// Bump when the init script or the layout below changes: it is part of the cache key.
const INIT_VERSION = 4;

export interface GuestImage {
  kernelVersion: string;
  /** What QEMU's -kernel gets: an uncompressed PVH-bootable vmlinux when possible, else the bzImage. */
  vmlinuz: string;
  initrd: string;
}

/**
 * The uncompressed ELF kernel inside a bzImage. Under TCG, decompressing Debian's XZ bzImage takes
 * 6-10 s of every boot; QEMU boots the ELF directly through its PVH entry note (CONFIG_PVH).
 * Returns undefined when the payload is not XZ/gzip or the kernel lacks PVH.
 */
function extractVmlinux(bzImage: string, config: string): Buffer | undefined {
  if (!/^CONFIG_PVH=y$/m.test(config)) return undefined;
  const img = readFileSync(bzImage);
  const xz = img.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  let elf: Buffer | undefined;
  try {
    if (xz >= 0) {
      elf = execFileSync('xz', ['-dc', '--single-stream'], { input: img.subarray(xz), maxBuffer: 512 << 20 });
    } else {
      const gz = img.indexOf(Buffer.from([0x1f, 0x8b, 0x08]));
      if (gz >= 0) elf = gunzipSync(img.subarray(gz), { finishFlush: constants.Z_SYNC_FLUSH });
    }
  } catch {
    return undefined;
  }
  // ELF magic: 7F 'E' 'L' 'F'.
  return elf && elf.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) ? elf : undefined;
}

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'glassmaster') return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function cacheDir(): string {
  return process.env.GLASSMASTER_QEMU_CACHE ?? join(packageRoot(), 'node_modules', '.cache', 'glassmaster-qemu');
}

/** The kernel package Debian's `linux-image-amd64` metapackage points at (or $GLASSMASTER_GUEST_KERNEL). */
let kernelPackageCached: string | undefined;

export function kernelPackage(): string {
  if (process.env.GLASSMASTER_GUEST_KERNEL) return process.env.GLASSMASTER_GUEST_KERNEL;
  if (kernelPackageCached) return kernelPackageCached;
  const out = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
  const m = /Depends:\s*(linux-image-[0-9][^\s]*-amd64)/.exec(out);
  if (!m) throw new NotFoundError('cannot find the Debian kernel package (apt-cache depends linux-image-amd64)', { output: out });
  kernelPackageCached = m[1];
  return m[1];
}

/** The /init of the initramfs. Everything after the chroot runs from the host's read-only root. */
function initScript(modules: string[]): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /newroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in ${modules.join(' ')}; do insmod /modules/$m.ko || echo "gm-init: insmod $m failed"; done
out=$(sed -n 's/.*gm.out=\\([^ ]*\\).*/\\1/p' /proc/cmdline)
# msize: 9p's default 8 KiB messages make node's startup crawl; cache=loose is safe on a read-only export.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /newroot || { echo "gm-init: 9p root failed"; poweroff -f; }
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mount -t tmpfs -o mode=1777 tmpfs /newroot/run
mkdir -p /newroot/run/tmp /newroot/run/home
chmod 1777 /newroot/run/tmp
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 gmout "/newroot$out" || { echo "gm-init: 9p out failed"; poweroff -f; }
echo "gm-init: ready"
chroot /newroot /bin/sh "$out/script.sh" > "/newroot$out/stdout" 2> "/newroot$out/stderr"
echo $? > "/newroot$out/exit-code"
sync
umount "/newroot$out"
echo "gm-init: done"
poweroff -f
`;
}

function moduleClosure(root: string, version: string, wanted: string[]): { name: string; file: string }[] {
  const modDir = join(root, 'lib', 'modules', version);
  const builtin = new Set(
    readFileSync(join(modDir, 'modules.builtin'), 'utf8').split('\n').filter(Boolean).map((p) => p.replace(/^.*\//, '').replace(/\.ko.*$/, '').replace(/-/g, '_')),
  );
  const deps = new Map<string, { file: string; deps: string[] }>();
  for (const line of readFileSync(join(modDir, 'modules.dep'), 'utf8').split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = (p: string) => p.replace(/^.*\//, '').replace(/\.ko.*$/, '').replace(/-/g, '_');
    deps.set(name(m[1]), { file: join(modDir, m[1]), deps: m[2].split(/\s+/).filter(Boolean).map(name) });
  }
  const order: { name: string; file: string }[] = [];
  const seen = new Set<string>();
  const visit = (raw: string) => {
    const n = raw.replace(/-/g, '_');
    if (seen.has(n)) return;
    seen.add(n);
    const e = deps.get(n);
    if (!e) {
      if (builtin.has(n)) return;
      throw new NotFoundError(`kernel module ${raw} not found in ${version}`, { module: raw });
    }
    for (const d of e.deps) visit(d);
    order.push({ name: n, file: e.file });
  };
  wanted.forEach(visit);
  return order;
}

/** Returns the cached kernel/initramfs, building it on first use (~5 s: a 70 MB download + cpio). */
export function prepareGuestImage(extraModules: string[] = []): GuestImage {
  const pkg = kernelPackage();
  const modules = [...GUEST_MODULES, ...extraModules];
  const key = `${pkg}-${createHash('sha256').update(JSON.stringify({ modules, INIT_VERSION })).digest('hex').slice(0, 12)}`;
  const dir = join(cacheDir(), key);
  const image = (d: string) => ({ kernelVersion: pkg.replace(/^linux-image-/, ''), vmlinuz: join(d, 'vmlinuz'), initrd: join(d, 'initrd.cpio.gz') });
  if (existsSync(join(dir, 'initrd.cpio.gz'))) return image(dir);

  // Build in a private directory and rename into place: concurrent test files never see a half
  // built image and never need a lock (the loser of the rename just discards its copy).
  mkdirSync(cacheDir(), { recursive: true });
  const work = join(cacheDir(), `${key}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  try {
    const debDir = join(work, 'deb');
    mkdirSync(debDir);
    execFileSync('apt-get', ['download', pkg], { cwd: debDir, stdio: 'pipe' });
    const deb = readdirSync(debDir).find((f) => f.endsWith('.deb'));
    if (!deb) throw new IoError(`apt-get download ${pkg} produced no .deb`);
    const root = join(work, 'root');
    execFileSync('dpkg', ['-x', join(debDir, deb), root]);
    const version = readdirSync(join(root, 'lib', 'modules'))[0];
    execFileSync('depmod', ['-b', root, version]);

    const initDir = join(work, 'initramfs');
    mkdirSync(join(initDir, 'bin'), { recursive: true });
    mkdirSync(join(initDir, 'modules'));
    copyFileSync('/bin/busybox', join(initDir, 'bin', 'busybox'));
    chmodSync(join(initDir, 'bin', 'busybox'), 0o755);
    const mods = moduleClosure(root, version, modules);
    for (const m of mods) copyFileSync(m.file, join(initDir, 'modules', `${m.name}.ko`));
    writeFileSync(join(initDir, 'init'), initScript(mods.map((m) => m.name)), { mode: 0o755 });
    execFileSync('sh', ['-c', 'find . | cpio -o -H newc --quiet | gzip -1 > ../initrd.cpio.gz'], { cwd: initDir });
    const bzImage = join(root, 'boot', `vmlinuz-${version}`);
    const elf = extractVmlinux(bzImage, readFileSync(join(root, 'boot', `config-${version}`), 'utf8'));
    if (elf) writeFileSync(join(work, 'vmlinuz'), elf);
    else copyFileSync(bzImage, join(work, 'vmlinuz'));
    rmSync(root, { recursive: true, force: true });
    rmSync(debDir, { recursive: true, force: true });
    rmSync(initDir, { recursive: true, force: true });
    try {
      renameSync(work, dir);
    } catch {
      if (!existsSync(join(dir, 'initrd.cpio.gz'))) throw new IoError(`cannot move the guest image into ${dir}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return image(dir);
}

/** A fresh host directory shared writable with the guest (same path on both sides). */
export function makeOutDir(): string {
  const base = join(tmpdir(), `gm-qemu-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(base, { recursive: true });
  return base;
}
