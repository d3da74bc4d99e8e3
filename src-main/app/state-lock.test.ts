// Two processes sharing one state directory. The attack (a careless one): the app and the CLI both
// change the same virtual recorder; each read-modify-write used to overwrite the other's, losing
// changes. Now every user-level change of a recorder runs under its state.json lock (state-lock.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IoError } from '../common/errors';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { withStateLockSync } from './state-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-state-lock-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ROOT = resolve(__dirname, '..', '..');

function child(script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, stderr });
    });
  });
}

describe('two processes changing one virtual recorder', () => {
  it('no change is lost: every tray open/close of both processes is counted', async () => {
    const vt = new VirtualTransport({ stateDir: dir });
    await vt.create('x', { media: 'dvd+r' });
    await vt.dispose();
    const start = (JSON.parse(readFileSync(join(dir, 'x', 'state.json'), 'utf8')) as { generation: number }).generation;
    const rounds = 40;
    const script = join(dir, 'child.mts');
    writeFileSync(
      script,
      `import { VirtualTransport } from ${JSON.stringify(join(ROOT, 'src-main/transport/virtual/virtual-transport.ts'))};
      const vt = new VirtualTransport({ stateDir: ${JSON.stringify(dir)} });
      for (let i = 0; i < ${rounds}; i++) {
        await vt.eject('x');
        await vt.load('x');
      }
      await vt.dispose();`,
    );
    const [a, b] = await Promise.all([child(script), child(script)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const end = JSON.parse(readFileSync(join(dir, 'x', 'state.json'), 'utf8')) as { generation: number; trayOpen: boolean };
    expect(end.generation - start).toBe(2 * 2 * rounds);
    expect(end.trayOpen).toBe(false);
  }, 120_000);
});

describe('withStateLockSync', () => {
  it('a lock left by a dead process is taken over', () => {
    const file = join(dir, 'f.json');
    // PID 2^22+1 exceeds Linux's pid_max limit: never a live process.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 4_194_305, host: hostname(), since: 'then' }));
    expect(withStateLockSync(file, () => 42)).toBe(42);
  });

  it('a live holder makes the caller wait, then fail with a typed error naming it', () => {
    const file = join(dir, 'f.json');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), since: 'now' }));
    const t0 = Date.now();
    let err: unknown;
    try {
      withStateLockSync(file, () => 1, { timeoutMs: 200 });
    } catch (e) {
      err = e;
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toContain(`process ${process.ppid}`);
  });

  it('a lock from another host is never stolen', () => {
    const file = join(dir, 'f.json');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 4_194_305, host: 'elsewhere.example', since: 'then' }));
    expect(() => withStateLockSync(file, () => 1, { timeoutMs: 50 })).toThrow(IoError);
  });

  it('released after the section, also when it throws', () => {
    const file = join(dir, 'f.json');
    expect(() => withStateLockSync(file, () => { throw new Error('boom'); })).toThrow('boom');
    expect(withStateLockSync(file, () => 'again')).toBe('again');
  });
});
