// runInGuest(): boots a throwaway Linux guest under QEMU (TCG; KVM hangs on these machines) whose
// root is the host's own file system, read-only over 9p, so the guest runs the host's `node` and
// this checkout. Tests use it where the host kernel cannot help: mounting ISO 9660/UDF images with
// the Linux kernel as an independent reader, and driving real sr/sg devices through SG_IO.
//
// Inside the guest the script runs as root, cwd = the package root, with:
//   $GM_OUT       a directory shared read-write with the host (same path on both sides)
//   $TMPDIR/$HOME a tmpfs (the rest of the tree is read-only)
//   gm_signal N   tells the host monitor callback "N happened" (monitor.waitForGuest(N))
//   gm_wait N     waits for the host's monitor.signalGuest(N)
// Devices: disks → /dev/vda, /dev/vdb … (virtio-blk); iscsiCd → a scsi-generic passthrough of an
// iSCSI LUN (e.g. tgtd's DVD writer) and scsiCd → QEMU's own emulated scsi-cd, both on one
// virtio-scsi bus, seen by the guest kernel as /dev/srN + /dev/sgN.
import { spawn } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InternalError } from '../common/errors';
import { makeOutDir, packageRoot, prepareGuestImage } from './qemu/guest-image';
import { QmpClient, type QmpEvent } from './qemu/qmp';

export { prepareGuestImage } from './qemu/guest-image';
export type { QmpEvent } from './qemu/qmp';

export interface GuestDisk {
  file: string;
  /** Default true: test images are attached read-only. */
  readonly?: boolean;
}

export interface GuestMonitor {
  qmp: QmpClient;
  outDir: string;
  /** Resolves when the guest runs `gm_signal NAME`. */
  waitForGuest(name: string, timeoutMs?: number): Promise<void>;
  /** Releases a guest blocked in `gm_wait NAME`. */
  signalGuest(name: string): void;
  /** The host end of a virtio-serial port named in `serialPorts`. */
  connectSerial(name: string): Promise<Socket>;
  /** Opens the scsiCd tray and removes the disc (as a user pressing eject; ignores the guest's lock). */
  ejectCd(): Promise<void>;
  /** Puts `file` in the scsiCd tray and closes it (QEMU reports the media change to the guest). */
  changeCd(file: string): Promise<void>;
}

export interface RunInGuestOptions {
  /** sh script, run as root in the guest. */
  script: string;
  disks?: GuestDisk[];
  /** iscsi://HOST:PORT/IQN/LUN, passed through with scsi-generic (the guest kernel talks MMC to the target). */
  iscsiCd?: string;
  /** QEMU's emulated MMC drive; no file = empty tray. QMP device id is "gmcd", block node "gmcd-drive". */
  scsiCd?: { file?: string };
  /**
   * QEMU's emulated hard disk (scsi-hd, SCSI id 2) on the same HBA: a non-MMC device (INQUIRY
   * peripheral device type 00h) next to the drives. No sd driver is loaded, so the guest sees it
   * only as /dev/sgN.
   */
  scsiHd?: { file: string };
  /** Runs alongside the guest with a QMP connection (eject, change medium, hot-plug …). */
  monitor?: (m: GuestMonitor) => Promise<void>;
  /** Whole run, boot included. Default 180 s (TCG on a busy 2-core machine). */
  timeoutMs?: number;
  env?: Record<string, string>;
  /**
   * virtio-serial ports: a byte stream per name between the guest (the char device under
   * /sys/class/virtio-ports/<port>/name == NAME, i.e. /dev/<port>) and monitor.connectSerial(NAME).
   */
  serialPorts?: string[];
  /**
   * The SCSI host adapter the CD drives hang off. virtio-scsi (default) never times a command
   * out in the guest (its eh_timed_out keeps resetting the timer), so SG_IO timeouts can only be
   * exercised behind an emulated HBA whose driver uses the normal SCSI error handler.
   */
  scsiHba?: 'virtio-scsi' | 'lsi53c895a';
  memoryMb?: number;
  extraModules?: string[];
}

export interface GuestResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Host directory shared with the guest ($GM_OUT); the caller may inspect or delete it. */
  outDir: string;
  /** The guest's serial console (kernel + init messages), for diagnosing failures. */
  console: string;
  /** QMP events seen during the run (DEVICE_TRAY_MOVED …). */
  events: QmpEvent[];
  durationMs: number;
}

export const SCSI_CD_ID = 'gmcd';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function guestScript(outDir: string, opts: RunInGuestOptions): string {
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/run/home',
    TMPDIR: '/run/tmp',
    GM_OUT: outDir,
    ...(process.env.CI ? { CI: process.env.CI } : {}),
    ...opts.env,
  };
  return [
    ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    'gm_signal() { : > "$GM_OUT/$1.guest-signal"; }',
    'gm_wait() { while [ ! -e "$GM_OUT/$1.host-signal" ]; do sleep 0.05; done; }',
    `cd ${shellQuote(packageRoot())}`,
    opts.script,
    '',
  ].join('\n');
}

/** QEMU option values are comma-separated: a literal comma is written twice. */
function q(value: string): string {
  return value.replace(/,/g, ',,');
}

function qemuArgs(outDir: string, image: { vmlinuz: string; initrd: string }, opts: RunInGuestOptions): string[] {
  const args = [
    '-accel', 'tcg', '-cpu', 'max', '-M', 'q35', '-m', String(opts.memoryMb ?? 1024), '-smp', '2',
    '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio',
    '-kernel', image.vmlinuz, '-initrd', image.initrd,
    // scsi_mod.scan=sync: the SCSI scan finishes inside insmod, so /dev/sr0 exists when the script starts.
    '-append', `console=ttyS0 panic=-1 loglevel=4 scsi_mod.scan=sync gm.out=${outDir}`,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${q(outDir)},mount_tag=gmout,security_model=none`,
    '-qmp', `unix:${q(join(outDir, 'qmp.sock'))},server=on,wait=off`,
  ];
  if (opts.iscsiCd || opts.scsiCd || opts.scsiHd) args.push('-device', `${opts.scsiHba === 'lsi53c895a' ? 'lsi53c895a' : 'virtio-scsi-pci'},id=scsi0`);
  // Fixed SCSI ids keep the guest's enumeration order stable: the iSCSI drive first.
  if (opts.iscsiCd) {
    args.push('-drive', `file=${q(opts.iscsiCd)},if=none,id=gmiscsi,format=raw,cache=none`);
    args.push('-device', 'scsi-generic,drive=gmiscsi,bus=scsi0.0,scsi-id=0,lun=0');
  }
  if (opts.scsiCd) {
    const file = opts.scsiCd.file ? `,file=${q(opts.scsiCd.file)},format=raw,readonly=on` : '';
    args.push('-drive', `if=none,id=${SCSI_CD_ID}-drive,media=cdrom${file}`);
    args.push('-device', `scsi-cd,drive=${SCSI_CD_ID}-drive,bus=scsi0.0,scsi-id=1,lun=0,id=${SCSI_CD_ID}`);
  }
  if (opts.scsiHd) {
    args.push('-drive', `if=none,id=gmhd-drive,file=${q(opts.scsiHd.file)},format=raw`);
    args.push('-device', 'scsi-hd,drive=gmhd-drive,bus=scsi0.0,scsi-id=2,lun=0,id=gmhd');
  }
  if (opts.serialPorts?.length) {
    args.push('-device', 'virtio-serial-pci,id=gmserial');
    for (const name of opts.serialPorts) {
      args.push('-chardev', `socket,id=gmchr-${name},path=${q(join(outDir, `${name}.serial`))},server=on,wait=off`);
      args.push('-device', `virtserialport,bus=gmserial.0,chardev=gmchr-${name},name=${name}`);
    }
  }
  (opts.disks ?? []).forEach((d, i) => {
    args.push('-drive', `file=${q(d.file)},if=none,id=gmdisk${i},format=raw,readonly=${d.readonly === false ? 'off' : 'on'}`);
    args.push('-device', `virtio-blk-pci,drive=gmdisk${i}`);
  });
  return args;
}

export async function runInGuest(opts: RunInGuestOptions): Promise<GuestResult> {
  const started = Date.now();
  const image = prepareGuestImage([...(opts.extraModules ?? []), ...(opts.scsiHba === 'lsi53c895a' ? ['sym53c8xx'] : [])]);
  const outDir = makeOutDir();
  writeFileSync(join(outDir, 'script.sh'), guestScript(outDir, opts));
  const timeoutMs = opts.timeoutMs ?? 180_000;

  const child = spawn('qemu-system-x86_64', qemuArgs(outDir, image, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  let consoleText = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (consoleText += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (consoleText += s));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });

  let qmp: QmpClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new InternalError(`guest timed out after ${timeoutMs} ms; console tail:\n${consoleText.slice(-3000)}`));
    }, timeoutMs);
  });
  // Observed through the races below; this only keeps a late timeout from being "unhandled".
  timedOut.catch(() => undefined);
  try {
    qmp = await Promise.race([QmpClient.connect(join(outDir, 'qmp.sock'), 30_000), timedOut]);
    if (opts.monitor) {
      const m: GuestMonitor = {
        qmp,
        outDir,
        waitForGuest: async (name, waitMs = timeoutMs) => {
          const deadline = Date.now() + waitMs;
          while (!existsSync(join(outDir, `${name}.guest-signal`))) {
            if (child.exitCode !== null) {
              const tail = (f: string) => (existsSync(join(outDir, f)) ? readFileSync(join(outDir, f), 'utf8').slice(-3000) : '');
              throw new InternalError(`guest exited before signalling ${name}; stdout:\n${tail('stdout')}\nstderr:\n${tail('stderr')}\nconsole tail:\n${consoleText.slice(-2000)}`);
            }
            if (Date.now() > deadline) throw new InternalError(`guest did not signal ${name} within ${waitMs} ms`);
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        signalGuest: (name) => writeFileSync(join(outDir, `${name}.host-signal`), ''),
        ejectCd: async () => void (await qmp!.execute('eject', { id: SCSI_CD_ID, force: true })),
        changeCd: async (file) =>
          void (await qmp!.execute('blockdev-change-medium', { id: SCSI_CD_ID, filename: file, format: 'raw', 'read-only-mode': 'read-only' })),
        connectSerial: (name) =>
          new Promise<Socket>((resolve, reject) => {
            const s = createConnection(join(outDir, `${name}.serial`), () => resolve(s));
            s.once('error', reject);
          }),
      };
      await Promise.race([opts.monitor(m), timedOut]);
    }
    await Promise.race([exited, timedOut]);
  } catch (err) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    // The caller never learns outDir on failure: remove it unless asked to keep it for debugging.
    if (!process.env.GLASSMASTER_KEEP_GUEST_OUT) rmSync(outDir, { recursive: true, force: true });
    throw err;
  } finally {
    clearTimeout(timer);
    qmp?.close();
    rmSync(join(outDir, 'qmp.sock'), { force: true });
  }

  const read = (f: string) => (existsSync(join(outDir, f)) ? readFileSync(join(outDir, f), 'utf8') : '');
  const code = read('exit-code').trim();
  if (code === '') {
    if (!process.env.GLASSMASTER_KEEP_GUEST_OUT) rmSync(outDir, { recursive: true, force: true });
    throw new InternalError(`guest finished without running the script; console tail:\n${consoleText.slice(-3000)}`);
  }
  return {
    stdout: read('stdout'),
    stderr: read('stderr'),
    exitCode: Number(code),
    outDir,
    console: consoleText,
    events: qmp?.events ?? [],
    durationMs: Date.now() - started,
  };
}
