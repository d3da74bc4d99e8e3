// Test harness for Debian's tgtd (package `tgt`): a third-party iSCSI target whose MMC emulation is
// a DVD writer (tgt doc/README.mmc: empty backing file = blank DVD+R, non-empty = DVD-ROM, offline
// = no disc, CLOSE TRACK morphs DVD+R into DVD-ROM). Each instance gets its own iSCSI port, its
// own control port (socket /var/run/tgtd/socket.N) and its own temp dir, so runs can overlap.
// tgtd runs in the foreground in its own process group; stop() kills the group and cleans up.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { IoError, InvalidInputError } from '../common/errors';

export interface TgtdOptions {
  /** Portal address; default 127.0.0.1. */
  host?: string;
  /** Pass `-d 1` to tgtd (everything it prints is kept in `Tgtd.log`). */
  debug?: boolean;
}

export interface TgtdTargetOptions {
  /** Default 1 (LUN 0 is tgt's controller LUN). */
  lun?: number;
  /** Requires CHAP for this target: the account is created and bound (incoming); `outgoing` is the account the target proves itself with (mutual CHAP). */
  chap?: { user: string; password: string; outgoing?: { user: string; password: string } };
  /** Target iSCSI parameters (`tgtadm --mode target --op update --name K --value V`), e.g. nop_interval, MaxRecvDataSegmentLength, InitialR2T. */
  params?: Record<string, string | number>;
  /** Allowed initiators; default ALL. */
  initiatorAddress?: string;
}

interface TargetInfo {
  tid: number;
  lun: number;
}

const live = new Set<Tgtd>();
process.once('exit', () => {
  for (const t of live) t.killSync();
});

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new IoError(`${cmd} ${args.join(' ')} failed: ${(stderr || err.message).trim()}`, { syscall: cmd, cause: err }));
      else resolve(stdout);
    });
  });
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Tgtd {
  private readonly targets = new Map<string, TargetInfo>();
  private nextTid = 1;
  private output = '';
  private exited: Promise<void>;
  private hasExited = false;
  /** Set once our tgtd answered on its control socket: only then are /var/run/tgtd/socket.N* ours to delete. */
  private ownsSocket = false;

  private constructor(
    readonly host: string,
    readonly port: number,
    readonly controlPort: number,
    /** Temp dir for backing files; removed by stop(). */
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.hasExited = true;
        resolve();
      }),
    );
    live.add(this);
  }

  /** Starts tgtd on a free port and waits until its portal and control socket answer. */
  static async start(opts: TgtdOptions = {}): Promise<Tgtd> {
    const host = opts.host ?? '127.0.0.1';
    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort(host);
      // tgtd rejects control ports above 32767 ("out of range").
      const controlPort = 1024 + Math.floor(Math.random() * 31000);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'glassmaster-tgtd-'));
      const args = ['-f', '-C', String(controlPort), '--iscsi', `portal=${host}:${port}`];
      if (opts.debug) args.push('-d', '1');
      const child = spawn('tgtd', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const t = new Tgtd(host, port, controlPort, dir, child);
      try {
        await t.waitReady();
        return t;
      } catch (err) {
        lastErr = err;
        await t.stop();
      }
    }
    throw lastErr;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.hasExited) throw new IoError(`tgtd exited during start-up: ${this.output.trim()}`, { syscall: 'tgtd' });
      // tgtd keeps running when its portal cannot bind (another process took the port): detect it.
      if (/unable to bind|failed to create\/bind/.test(this.output)) throw new IoError(`tgtd could not bind ${this.portal}: ${this.output.trim()}`, { syscall: 'bind' });
      try {
        const portals = await this.adm(['--mode', 'portal', '--op', 'show']);
        if (portals.includes(`${this.host}:${this.port}`)) {
          this.ownsSocket = true;
          return;
        }
      } catch {
        // control socket not up yet
      }
      await sleep(50);
    }
    throw new IoError(`tgtd did not come up within 10 s: ${this.output.trim()}`, { syscall: 'tgtd' });
  }

  get portal(): string {
    return `${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything tgtd printed so far. */
  get log(): string {
    return this.output;
  }

  /** tgtadm against this instance's control socket. */
  adm(args: string[]): Promise<string> {
    return run('tgtadm', ['-C', String(this.controlPort), '--lld', 'iscsi', ...args]);
  }

  private info(iqn: string): TargetInfo {
    const t = this.targets.get(iqn);
    if (!t) throw new InvalidInputError(`no such tgtd target: ${iqn}`);
    return t;
  }

  /** An empty file in this instance's temp dir: a blank DVD+R once attached. */
  async blankDisc(name = `blank-${Date.now()}-${Math.random().toString(36).slice(2)}.img`): Promise<string> {
    const p = path.join(this.dir, name);
    await writeFile(p, '');
    return p;
  }

  /** A file holding `content` (or `content` zero bytes): a DVD-ROM once attached. */
  async dataDisc(content: Uint8Array | number, name = `data-${Date.now()}-${Math.random().toString(36).slice(2)}.img`): Promise<string> {
    const p = path.join(this.dir, name);
    await writeFile(p, typeof content === 'number' ? Buffer.alloc(content) : content);
    return p;
  }

  /**
   * Creates target `iqn` with one DVD writer LUN (`--device-type=cd`) backed by `backingFile`
   * (a new blank disc when omitted) and returns its iscsi:// address.
   */
  async addTarget(iqn: string, backingFile?: string, opts: TgtdTargetOptions = {}): Promise<string> {
    if (this.targets.has(iqn)) throw new InvalidInputError(`tgtd target exists: ${iqn}`);
    const tid = this.nextTid++;
    const lun = opts.lun ?? 1;
    const file = path.resolve(backingFile ?? (await this.blankDisc()));
    await this.adm(['--mode', 'target', '--op', 'new', '--tid', String(tid), '--targetname', iqn]);
    await this.adm(['--mode', 'logicalunit', '--op', 'new', '--tid', String(tid), '--lun', String(lun), '--backing-store', file, '--device-type', 'cd']);
    for (const [k, v] of Object.entries(opts.params ?? {})) {
      await this.adm(['--mode', 'target', '--op', 'update', '--tid', String(tid), '--name', k, '--value', String(v)]);
    }
    if (opts.chap) {
      await this.adm(['--mode', 'account', '--op', 'new', '--user', opts.chap.user, '--password', opts.chap.password]);
      await this.adm(['--mode', 'account', '--op', 'bind', '--tid', String(tid), '--user', opts.chap.user]);
      const out = opts.chap.outgoing;
      if (out) {
        await this.adm(['--mode', 'account', '--op', 'new', '--user', out.user, '--password', out.password]);
        await this.adm(['--mode', 'account', '--op', 'bind', '--tid', String(tid), '--user', out.user, '--outgoing']);
      }
    }
    await this.adm(['--mode', 'target', '--op', 'bind', '--tid', String(tid), '--initiator-address', opts.initiatorAddress ?? 'ALL']);
    this.targets.set(iqn, { tid, lun });
    return `iscsi://${this.portal}/${iqn}/${lun}`;
  }

  /** Offline = no disc in the tray (NOT READY, MEDIUM NOT PRESENT); online = the disc is back. */
  async setOnline(iqn: string, online: boolean): Promise<void> {
    const { tid, lun } = this.info(iqn);
    await this.adm(['--mode', 'logicalunit', '--op', 'update', '--tid', String(tid), '--lun', String(lun), '--params', `online=${online ? 1 : 0}`]);
  }

  /**
   * Swaps the disc: the LUN points at `file` and comes (back) online, as a user opening and
   * closing the tray. tgtd refuses a path change while the LUN is online ("invalid request"),
   * so the tray is opened (offline) first.
   */
  async swapMedia(iqn: string, file: string): Promise<void> {
    const { tid, lun } = this.info(iqn);
    await this.setOnline(iqn, false);
    await this.adm(['--mode', 'logicalunit', '--op', 'update', '--tid', String(tid), '--lun', String(lun), '--params', `path=${path.resolve(file)}`]);
  }

  async setTargetParam(iqn: string, name: string, value: string | number): Promise<void> {
    const { tid } = this.info(iqn);
    await this.adm(['--mode', 'target', '--op', 'update', '--tid', String(tid), '--name', name, '--value', String(value)]);
  }

  /** `tgtadm --mode target --op show`: all targets, or the section of one (LUNs, accounts, ACL). */
  async show(iqn?: string): Promise<string> {
    const all = await this.adm(['--mode', 'target', '--op', 'show']);
    if (!iqn) return all;
    const tid = this.info(iqn).tid;
    return all.split(/^(?=Target \d+: )/m).find((sec) => sec.startsWith(`Target ${tid}: `)) ?? '';
  }

  /** The target's iSCSI parameters (`--op show --tid N`) as key → value. */
  async params(iqn: string): Promise<Record<string, string>> {
    const out = await this.adm(['--mode', 'target', '--op', 'show', '--tid', String(this.info(iqn).tid)]);
    return Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }

  /** Initiators logged in to `iqn` now: I_T nexus (session) ids with their connection ids. */
  async sessions(iqn: string): Promise<Array<{ sid: number; initiator: string; cids: number[] }>> {
    const out: Array<{ sid: number; initiator: string; cids: number[] }> = [];
    for (const line of (await this.show(iqn)).split('\n')) {
      let m: RegExpExecArray | null;
      if ((m = /^\s*I_T nexus: (\d+)/.exec(line))) out.push({ sid: Number(m[1]), initiator: '', cids: [] });
      else if ((m = /^\s*Initiator: (\S+)/.exec(line)) && out.length) out[out.length - 1].initiator = m[1];
      else if ((m = /^\s*Connection: (\d+)/.exec(line)) && out.length) out[out.length - 1].cids.push(Number(m[1]));
    }
    return out;
  }

  /** Closes every connection to `iqn` from the target side, as a target reboot or network cut would. */
  async dropConnections(iqn: string): Promise<number> {
    const { tid } = this.info(iqn);
    let n = 0;
    for (const s of await this.sessions(iqn)) {
      for (const cid of s.cids) {
        await this.adm(['--mode', 'conn', '--op', 'delete', '--tid', String(tid), '--sid', String(s.sid), '--cid', String(cid)]);
        n++;
      }
    }
    return n;
  }

  /** Sends `signal` to tgtd's process group without waiting (SIGSTOP freezes the target, SIGCONT resumes it). */
  signal(signal: NodeJS.Signals): void {
    this.signalGroup(signal);
  }

  /** Kills tgtd abruptly (default SIGKILL) without cleaning up: simulates a dropped target. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.signalGroup(signal);
    await this.exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.hasExited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** Synchronous last-resort cleanup, for process exit. */
  killSync(): void {
    this.signalGroup('SIGKILL');
    this.removeSocketFiles();
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  private removeSocketFiles(): void {
    if (!this.ownsSocket) return;
    for (const f of [`socket.${this.controlPort}`, `socket.${this.controlPort}.lock`]) rmSync(path.join('/var/run/tgtd', f), { force: true });
  }

  /** Stops tgtd (process group SIGKILL; its state is all in memory) and removes its files. */
  async stop(): Promise<void> {
    this.signalGroup('SIGKILL');
    await Promise.race([this.exited, sleep(5000)]);
    this.removeSocketFiles();
    await rm(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

export function startTgtd(opts: TgtdOptions = {}): Promise<Tgtd> {
  return Tgtd.start(opts);
}
