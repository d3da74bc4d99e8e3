// Builds reference trees and images with independent tools (xorriso, genisoimage, mkudffs) for tests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FixtureFile {
  path: string;
  size: number;
  sha256: string;
}

/** Deterministic pseudo-random bytes (xorshift32) so content hashes are stable across runs. */
export function prngBytes(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

export const MTIME = new Date('2024-03-05T06:07:08Z');

/** A source tree exercising the features the readers must handle. */
export function makeSourceTree(root: string): FixtureFile[] {
  const files: FixtureFile[] = [];
  const add = (rel: string, data: Buffer) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, data);
    utimesSync(p, MTIME, MTIME);
    files.push({ path: rel, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  };
  add('readme.txt', Buffer.from('hello glassmaster\n'));
  add('empty.bin', Buffer.alloc(0));
  add('data/random-300k.bin', prngBytes(7, 300_000));
  add('data/exact-2048.bin', prngBytes(8, 2048));
  add('Ünïcødé名前 with spaces.txt', Buffer.from('unicode\n'));
  add('a-very-long-file-name-that-does-not-fit-in-eight-dot-three-or-even-thirty-one.text', Buffer.from('long\n'));
  // Nine levels: deeper than ECMA-119's 8, so Rock Ridge writers relocate (RRIP §4.1.5).
  add('d1/d2/d3/d4/d5/d6/d7/d8/d9/deep.txt', Buffer.from('deep\n'));
  symlinkSync('../readme.txt', join(root, 'data/link-to-readme'));
  symlinkSync('/etc/hostname', join(root, 'abs-link'));
  return files;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `gm-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs a peer tool. A peer killed by a signal is run once more: xorriso 1.5.4 was seen to die with
 * SIGSEGV in its shutdown, after "Writing … completed successfully", on a loaded machine (1 run in
 * several hundred). A non-zero exit status is never retried: that is the peer's verdict.
 */
export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  const once = () => execFileSync(cmd, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  try {
    return once();
  } catch (err) {
    if ((err as { signal?: string | null }).signal) return once();
    throw err;
  }
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function readHostFile(p: string): Buffer {
  return readFileSync(p);
}

/** Like requireTools for data files (e.g. isolinux.bin): throws in CI, skips with a reason elsewhere. */
export function requireFile(path: string, debianPackage: string): boolean {
  if (existsSync(path)) return true;
  const msg = `missing ${path} — install with: apt-get install ${debianPackage}`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`[CI] ${msg}`);
  console.warn(`[skip] ${msg}`);
  return false;
}
