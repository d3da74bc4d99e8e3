// Two processes sharing one state directory's stash (the app and `serve`, two `serve`s): the first
// upload of a process used to wipe <stateDir>/stash whole, deleting the other process's dropped
// files (already staged in its project) and its uploads in progress. Each process now owns its own
// subdirectory, and only subdirectories of processes that are gone are cleaned up.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DropStash } from './drop-stash';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-stash-procs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ROOT = resolve(__dirname, '..', '..');

it("one process's first upload leaves another live process's stashed files alone; a dead process's are cleaned", async () => {
  const stashDir = join(dir, 'stash');
  // A process that died long ago left its folder (PID 2^22+1 exceeds Linux's pid_max: never alive).
  mkdirSync(join(stashDir, 'pid-4194305', '1'), { recursive: true });
  writeFileSync(join(stashDir, 'pid-4194305', '1', 'old.txt'), 'old');
  const script = join(dir, 'child.mts');
  writeFileSync(
    script,
    `import { DropStash } from ${JSON.stringify(join(ROOT, 'src-main/project/drop-stash.ts'))};
    const stash = new DropStash({ dir: ${JSON.stringify(stashDir)} });
    const { uploadId } = await stash.begin('theirs.txt', 5);
    await stash.chunk(uploadId, 0, new TextEncoder().encode('hello'));
    console.log(await stash.finish(uploadId));
    // Stay alive (a running app) until the parent is done.
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    const theirs = await new Promise<string>((res, rej) => {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (out.includes('\n')) res(out.trim());
      });
      child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
      child.on('exit', (code) => rej(new Error(`child exited ${code}: ${err}`)));
    });
    expect(existsSync(theirs)).toBe(true);
    const mine = new DropStash({ dir: stashDir });
    const { uploadId } = await mine.begin('mine.txt', 2);
    await mine.chunk(uploadId, 0, Uint8Array.of(1, 2));
    const path = await mine.finish(uploadId);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(theirs), "the other process's staged file").toBe(true);
    expect(existsSync(join(stashDir, 'pid-4194305')), "a dead process's folder").toBe(false);
    await mine.dispose();
    expect(existsSync(theirs), 'after our dispose').toBe(true);
    expect(readdirSync(stashDir)).toEqual([`pid-${child.pid}`]);
  } finally {
    child.stdin.end();
    child.kill();
  }
}, 60_000);
