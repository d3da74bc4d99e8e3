// Issue 13, "Outputs that destroy what they should not": `glassmaster image -o OUT` attacked as a
// careless user and a hostile neighbour would. Each case once destroyed something (a device node
// replaced by a file with exit 0, a symlink replaced, a source overwritten, the previous session
// replaced, a planted OUT.partial link followed, the image holding its own .partial, a partial left
// behind on SIGTERM/SIGHUP). The checks are on the file system itself (lstat, bytes), and the
// images are read back with xorriso.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { ImageEngine } from '../image/image-engine';
import { runImageCommand } from './image-build';
import { ExitCode } from '../common/exit-codes';
import { mktemp, sha256File } from '../image/test-support/peers';
import { requireTools } from '../testing/peer-tools';
import { cliMain } from './test-support';

const script = tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url)));
const DATE = '2024-03-04T05:06:07Z';
const ok = requireTools('xorriso');
const isRoot = process.getuid?.() === 0;
/**
 * Loop devices are a kernel facility, not a tool: a container without them (no /dev/loop-control, or
 * `losetup -f` finds none) cannot run the block-device case, in CI or not; it is skipped with the reason.
 */
const loopDevices = ((): boolean => {
  if (!isRoot) return false;
  try {
    execFileSync('losetup', ['-f'], { stdio: 'pipe' });
    return true;
  } catch (e) {
    console.warn(`[skip] image --to-device on a loop device: no usable loop device here (${(e as Error).message.split('\n')[0]})`);
    return false;
  }
})();

let tmp: string;
let src: string;
let engine: ImageEngine;

async function image(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  const code = await runImageCommand(['--date', DATE, '-q', ...argv], { stdout: new PassThrough(), stderr, engine });
  return { code, stderr: text };
}

/** The image's paths as xorriso lists them (Rock Ridge names). */
function listing(iso: string): string[] {
  const out = execFileSync('xorriso', ['-indev', iso, '-find', '/', '-exec', 'echo'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  return out.split('\n').filter(Boolean);
}

const partialsIn = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes('.partial'));

beforeAll(() => {
  tmp = mktemp('gm-output-safety-');
  src = path.join(tmp, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'hello.txt'), 'hello');
  fs.writeFileSync(path.join(src, 'data.bin'), Buffer.alloc(300_000, 7));
  engine = new ImageEngine({ script });
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!ok)('glassmaster image -o: what the output may replace', () => {
  it('a device node is refused without --to-device (it stays a device, exit 2); with it, the image is written in place', async () => {
    let node = path.join(tmp, 'null-dev');
    try {
      execFileSync('mknod', [node, 'c', '1', '3']); // another name for /dev/null
    } catch {
      node = '/dev/null'; // not root: the refusal is still what is checked
    }
    const r = await image('-o', node, src);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('--to-device');
    expect(fs.lstatSync(node).isCharacterDevice()).toBe(true);
    const w = await image('--to-device', '-o', node, src);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(ExitCode.OK);
    expect(fs.lstatSync(node).isCharacterDevice()).toBe(true);
    expect(partialsIn(path.dirname(node))).toEqual([]);
  });

  it('a symbolic link is written through: the link stays, its target gets the image', async () => {
    const ref = path.join(tmp, 'ref.iso');
    expect((await image('-o', ref, src)).code).toBe(ExitCode.OK);
    const target = path.join(tmp, 'target.iso');
    fs.writeFileSync(target, 'old');
    const link = path.join(tmp, 'link.iso');
    fs.symlinkSync('target.iso', link);
    // Its target exists: kept without --force (the link too), replaced with it.
    const kept = await image('-o', link, src);
    expect(kept.code).toBe(ExitCode.USAGE);
    expect(kept.stderr).toMatch(/target\.iso \(the target of the symbolic link .*link\.iso\) already exists: add --force to replace it/);
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(await image('--force', '-o', link, src)).toEqual({ code: ExitCode.OK, stderr: '' });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe('target.iso');
    expect(sha256File(target)).toBe(sha256File(ref));
    // A link to nothing is refused: nothing is created where it points.
    const dangling = path.join(tmp, 'dangling.iso');
    fs.symlinkSync('nowhere/made.iso', dangling);
    const d = await image('-o', dangling, src);
    expect(d.code).toBe(ExitCode.USAGE);
    expect(fs.lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'nowhere'))).toBe(false);
  });

  it('an existing image is kept without --force (exit 2, its bytes unchanged, no .partial); --force replaces it', async () => {
    const dir = path.join(tmp, 'again');
    fs.mkdirSync(dir);
    const out = path.join(dir, 'photos.iso');
    expect(await image('-o', out, src)).toEqual({ code: ExitCode.OK, stderr: '' });
    const first = sha256File(out);
    fs.writeFileSync(path.join(src, 'added.txt'), 'a second build differs');
    try {
      const again = await image('-o', out, src);
      expect(again.code).toBe(ExitCode.USAGE);
      expect(again.stderr).toBe(`glassmaster image: ${out} already exists: add --force to replace it\n`);
      expect(sha256File(out)).toBe(first);
      expect(partialsIn(dir)).toEqual([]);
      expect(await image('--force', '-o', out, src)).toEqual({ code: ExitCode.OK, stderr: '' });
      expect(sha256File(out)).not.toBe(first);
      expect(listing(out)).toContain("'/added.txt'");
    } finally {
      fs.rmSync(path.join(src, 'added.txt'));
    }
  });

  it('a source is never the output: a source file, a file inside a source folder, a hard link to one', async () => {
    const hello = path.join(src, 'hello.txt');
    const r = await image('-o', hello, hello);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('input');
    expect(fs.readFileSync(hello, 'utf8')).toBe('hello');
    // An old image inside the folder being imaged would be read into the new one and then replaced.
    const inside = path.join(src, 'data.bin');
    const before = sha256File(inside);
    expect((await image('-o', inside, src)).code).toBe(ExitCode.USAGE);
    expect(sha256File(inside)).toBe(before);
    const hard = path.join(tmp, 'hard-link.bin');
    fs.linkSync(inside, hard);
    expect((await image('-o', hard, src)).code).toBe(ExitCode.USAGE);
    expect(sha256File(inside)).toBe(before);
    fs.rmSync(hard);
    expect(partialsIn(src)).toEqual([]);
  });

  it('--import PREV.iso -o PREV.iso is refused and the previous session stays readable', async () => {
    const prev = path.join(tmp, 'prev.iso');
    expect((await image('-o', prev, src)).code).toBe(ExitCode.OK);
    const sha = sha256File(prev);
    const sectors = fs.statSync(prev).size / 2048;
    const r = await image('--import', prev, '--start-lba', String(sectors + 150), '-o', prev, src);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(sha256File(prev)).toBe(sha);
    expect(listing(prev)).toContain("'/hello.txt'");
  });

  it('the MBR template and a hidden boot image are inputs too', async () => {
    const mbr = path.join(tmp, 'mbr.bin');
    fs.writeFileSync(mbr, Buffer.alloc(432, 0x33));
    const boot = path.join(tmp, 'boot.img');
    fs.writeFileSync(boot, Buffer.alloc(2048, 0x44));
    const r1 = await image('--boot', `bios:hidden=${boot},emul=none`, '--isohybrid', '--isohybrid-mbr', mbr, '-o', mbr, src);
    expect(r1.code).toBe(ExitCode.USAGE);
    expect(fs.readFileSync(mbr).equals(Buffer.alloc(432, 0x33))).toBe(true);
    const r2 = await image('--boot', `bios:hidden=${boot},emul=none`, '-o', boot, src);
    expect(r2.code).toBe(ExitCode.USAGE);
    expect(fs.readFileSync(boot).equals(Buffer.alloc(2048, 0x44))).toBe(true);
  });

  it('an output inside the source folder is written, and the image holds neither it nor its .partial', async () => {
    const dir = path.join(tmp, 'self');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    const out = path.join(dir, 'self.iso');
    expect(await image('-o', out, dir)).toEqual({ code: ExitCode.OK, stderr: '' });
    expect(listing(out).sort()).toEqual(["'/'", "'/a.txt'"]);
    expect(partialsIn(dir)).toEqual([]);
  });

  it('a planted OUT.partial symlink does not redirect the write', async () => {
    const victim = path.join(tmp, 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    const out = path.join(tmp, 'planted.iso');
    fs.symlinkSync(victim, `${out}.partial`);
    expect(await image('-o', out, src)).toEqual({ code: ExitCode.OK, stderr: '' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.lstatSync(out).isFile()).toBe(true);
    expect(listing(out)).toContain("'/hello.txt'");
    expect(fs.readlinkSync(`${out}.partial`)).toBe(victim); // not ours: left alone
  });

  it('a FIFO or a folder as the output is refused and stays what it was', async () => {
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await image('-o', fifo, src);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('-o -');
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    const dir = path.join(tmp, 'a-folder');
    fs.mkdirSync(dir);
    expect((await image('-o', dir, src)).code).toBe(ExitCode.USAGE);
    expect(fs.lstatSync(dir).isDirectory()).toBe(true);
  });
});

describe.skipIf(!ok || !loopDevices)('glassmaster image --to-device on a block device (a loop device)', () => {
  it('writes the image in place (the device stays a device, its first bytes are the image); too small a device is refused untouched', async () => {
    const small = path.join(tmp, 'small.img');
    const big = path.join(tmp, 'big.img');
    fs.writeFileSync(small, Buffer.alloc(64 * 1024, 0xee));
    fs.writeFileSync(big, Buffer.alloc(4 * 1024 * 1024, 0xee));
    const losetup = (f: string) => execFileSync('losetup', ['-f', '--show', f]).toString().trim();
    let smallDev: string | undefined;
    let bigDev: string | undefined;
    let smallNode: string;
    let bigNode: string;
    try {
      smallDev = losetup(small);
      bigDev = losetup(big);
      const ref = path.join(tmp, 'dev-ref.iso');
      // Our own nodes for the loop devices: a regression that replaces a node replaces these, not /dev's.
      const node = (dev: string, name: string) => {
        const st = fs.statSync(dev);
        const p = path.join(tmp, name);
        execFileSync('mknod', [p, 'b', String(Math.floor(st.rdev / 256) & 0xfff), String(st.rdev & 0xff)]);
        return p;
      };
      smallNode = node(smallDev, 'small-node');
      bigNode = node(bigDev, 'big-node');
      expect((await image('-o', ref, src)).code).toBe(ExitCode.OK);
      const refBytes = fs.readFileSync(ref);
      expect((await image('-o', bigNode, src)).code).toBe(ExitCode.USAGE);
      expect(fs.lstatSync(bigNode).isBlockDevice()).toBe(true);
      const w = await image('--to-device', '-o', bigNode, src);
      expect(w).toEqual({ code: ExitCode.OK, stderr: '' });
      expect(fs.lstatSync(bigNode).isBlockDevice()).toBe(true);
      const fd = fs.openSync(bigNode, 'r');
      const back = Buffer.alloc(refBytes.length);
      fs.readSync(fd, back, 0, back.length, 0);
      fs.closeSync(fd);
      expect(back.equals(refBytes)).toBe(true);
      const s = await image('--to-device', '-o', smallNode, src);
      expect(s.code).toBe(ExitCode.USAGE);
      expect(s.stderr).toContain('too small');
      const fd2 = fs.openSync(smallNode, 'r');
      const head = Buffer.alloc(64 * 1024);
      fs.readSync(fd2, head, 0, head.length, 0);
      fs.closeSync(fd2);
      expect(head.equals(Buffer.alloc(64 * 1024, 0xee))).toBe(true);
    } finally {
      for (const d of [smallDev, bigDev]) if (d) execFileSync('losetup', ['-d', d]);
    }
    expect(fs.readFileSync(small).equals(Buffer.alloc(64 * 1024, 0xee))).toBe(true);
  });
});

describe('Ctrl-C, SIGTERM and SIGHUP remove the .partial (a real glassmaster process)', () => {
  for (const [sig, twice] of [['SIGINT', false], ['SIGTERM', false], ['SIGHUP', false], ['SIGTERM', true]] as const) {
    it(`${sig}${twice ? ' twice (the second before the cleanup is done)' : ''}: exit 130, neither the image nor a .partial left`, async () => {
      const dir = path.join(tmp, `sig-${sig}${twice ? '-twice' : ''}`);
      fs.mkdirSync(dir);
      const big = path.join(tmp, `big-${sig}${twice ? '-twice' : ''}.bin`);
      fs.closeSync(fs.openSync(big, 'w'));
      fs.truncateSync(big, 2 * 1024 ** 3); // sparse: read fast, written for real, so the build lasts
      const out = path.join(dir, 'out.iso');
      const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'image', '-q', '--fs', 'iso9660', '-o', out, big], {
        stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GLASSMASTER_STATE_DIR: path.join(tmp, 'state') },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while (partialsIn(dir).length === 0 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
      expect(partialsIn(dir).length, stderr).toBe(1);
      child.kill(sig);
      if (twice) child.kill(sig);
      const code = await exited;
      fs.rmSync(big);
      expect(code, stderr).toBe(ExitCode.CANCELLED);
      expect(fs.readdirSync(dir)).toEqual([]);
    }, 120_000);
  }
});
