// A virtual recorder's state.json is read defensively (state-file.ts). The attacks: a corrupt file
// (wrong types, negative or out-of-disc addresses, tracks out of order) used to give internal
// TypeErrors and negative NWAs; a FIFO in its place blocked the whole process in readFileSync, so
// every drive command and `serve` start-up hung. The FIFO cases run in a child process, since a
// blocked read cannot be interrupted from inside the process it blocks.
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GlassmasterError, InvalidInputError, IoError } from '../../common/errors';
import { Drive } from '../../drive/drive';
import { STATE_FILE_MAX_BYTES } from './state-file';
import { VirtualTransport } from './virtual-transport';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-state-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A drive written by the recorder itself (a burned track), then edited by `edit`. */
async function corrupted(edit: (state: any) => unknown): Promise<string> {
  const vt = new VirtualTransport({ stateDir: dir });
  await vt.create('x', { media: 'dvd+r' });
  await vt.dispose();
  const file = join(dir, 'x', 'state.json');
  const state = JSON.parse(readFileSync(file, 'utf8'));
  const replaced = edit(state);
  writeFileSync(file, typeof replaced === 'string' ? replaced : JSON.stringify(replaced ?? state));
  return file;
}

async function openError(): Promise<unknown> {
  const vt = new VirtualTransport({ stateDir: dir });
  try {
    const dev = await vt.open('virtual:x');
    try {
      // Before the fix a corrupt state opened; what it answered shows the damage.
      const media = await new Drive(dev, { retryDelayMs: 1 }).media();
      return { opened: true, nwa: media.nextWritableAddress, free: media.freeBlocks };
    } finally {
      await dev.close();
    }
  } catch (e) {
    return e;
  } finally {
    await vt.dispose();
  }
}

describe('a corrupt state.json is a typed error naming the file and the fault', () => {
  const cases: Array<[string, (s: any) => unknown, RegExp]> = [
    ['tracks is not an array', (s) => void (s.disc.tracks = 'oops'), /disc\.tracks: .*array/],
    ['a negative track start (negative NWA)', (s) => void (s.disc.tracks[0].start = -5000), /disc\.tracks\.0\.start/],
    ['a track past the capacity (NWA outside the disc)', (s) => void (s.disc.tracks[0].start = s.disc.capacity + 100), /past the capacity/],
    ['a negative capacity', (s) => void (s.disc.capacity = -1), /disc\.capacity/],
    ['an unknown media type', (s) => void (s.disc.type = 'floppy'), /disc\.type/],
    [
      'sessions out of order',
      (s) => {
        s.disc.tracks = [
          { number: 1, session: 2, start: 0, recorded: 16, closed: true, audio: false, control: 4, dataMode: 1 },
          { number: 2, session: 1, start: 16, recorded: 0, closed: false, audio: false, control: 4, dataMode: 1 },
        ];
      },
      /session 1, before the previous track's session 2/,
    ],
    [
      'overlapping tracks',
      (s) => {
        s.disc.tracks = [
          { number: 1, session: 1, start: 0, recorded: 64, closed: true, audio: false, control: 4, dataMode: 1 },
          { number: 2, session: 1, start: 32, recorded: 0, closed: false, audio: false, control: 4, dataMode: 1 },
        ];
      },
      /inside the previous track/,
    ],
    ['vendor with control characters', (s) => void (s.vendor = 'EVIL\x1b[2J'), /vendor/],
    ['not JSON', () => '{"version":1,', /not valid JSON/],
    ['a JSON array', () => '[1,2,3]', /expected a JSON object/],
    ['null', () => 'null', /expected a JSON object/],
  ];
  for (const [name, edit, reason] of cases) {
    it(name, async () => {
      const file = await corrupted(edit);
      const err = await openError();
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(reason);
    });
  }

  it('a state the recorder wrote itself, after a burn, still loads', async () => {
    const vt = new VirtualTransport({ stateDir: dir });
    await vt.create('x', { media: 'cd-r' });
    await vt.dispose();
    expect(await openError()).toMatchObject({ opened: true, nwa: 0 });
  });

  it('a file over the size limit is refused without being read', async () => {
    const file = await corrupted(() => undefined);
    truncateSync(file, STATE_FILE_MAX_BYTES + 1);
    const err = await openError();
    expect(err).toBeInstanceOf(IoError);
    expect(err).toMatchObject({ details: { path: file, errno: 'EFBIG' } });
  });

  it('a directory in its place is refused', async () => {
    const file = await corrupted(() => undefined);
    rmSync(file);
    mkdirSync(file);
    const err = await openError();
    expect(err).toBeInstanceOf(IoError);
    expect((err as GlassmasterError).message).toMatch(/is a directory, not a regular file/);
  });
});

const ROOT = resolve(__dirname, '..', '..', '..');

/** Runs a TypeScript snippet in a child node (tsx) with a hard timeout; returns its parsed stdout. */
function runChild(source: string, timeoutMs = 30_000): { status: number | null; signal: string | null; out: any; stderr: string } {
  const script = join(dir, 'child.mts');
  writeFileSync(script, source);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  let out: unknown;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    out = undefined;
  }
  return { status: r.status, signal: r.signal, out, stderr: r.stderr };
}

describe('a FIFO as state.json', () => {
  it('hides that drive from list(), fails its open with a typed error, and blocks nothing', async () => {
    const vt = new VirtualTransport({ stateDir: dir });
    await vt.create('good', { media: 'dvd+r' });
    await vt.create('fifo', { media: 'dvd+r' });
    await vt.dispose();
    rmSync(join(dir, 'fifo', 'state.json'));
    execFileSync('mkfifo', [join(dir, 'fifo', 'state.json')]);
    const r = runChild(`
      import { VirtualTransport } from ${JSON.stringify(join(ROOT, 'src-main/transport/virtual/virtual-transport.ts'))};
      const vt = new VirtualTransport({ stateDir: ${JSON.stringify(dir)} });
      const listed = (await vt.list()).map((d) => d.address);
      const problems = vt.problems().map((p) => ({ address: p.address, code: p.error.code }));
      const err = await vt.open('virtual:fifo').then(() => undefined, (e) => ({ name: e.name, code: e.code, message: e.message }));
      console.log(JSON.stringify({ listed, problems, err }));
    `);
    expect(r.signal, `child hung (killed after 30 s); stderr: ${r.stderr}`).toBeNull();
    expect(r.out).toMatchObject({
      listed: ['virtual:good'],
      problems: [{ address: 'virtual:fifo', code: 'IO' }],
      err: { code: 'IO', message: expect.stringMatching(/state\.json is a FIFO, not a regular file/) },
    });
  }, 60_000);

  it('serve start-up (createServices) does not hang: the bad recorder is reported, the others work', async () => {
    const state = join(dir, 'state');
    const vt = new VirtualTransport({ stateDir: join(state, 'virtual') });
    await vt.create('default', { media: 'dvd+r' });
    await vt.create('other', { media: 'cd-r' });
    await vt.dispose();
    rmSync(join(state, 'virtual', 'default', 'state.json'));
    execFileSync('mkfifo', [join(state, 'virtual', 'default', 'state.json')]);
    const r = runChild(`
      import { createServices } from ${JSON.stringify(join(ROOT, 'src-main/app/services.ts'))};
      const warnings: string[] = [];
      console.warn = (m: string) => warnings.push(String(m));
      const svc = await createServices({ shell: 'cli', stateDir: ${JSON.stringify(state)}, watch: false });
      const media = await svc.drives.media('virtual:other');
      const drives = (await svc.virtual.list()).map((d) => d.address);
      await svc.close();
      console.log(JSON.stringify({ drives, status: media.status, warnings }));
    `);
    expect(r.signal, `child hung (killed after 30 s); stderr: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out.drives).toEqual(['virtual:other']);
    expect(r.out.status).toBe('blank');
    expect(r.out.warnings.join('\n')).toMatch(/virtual:default.*FIFO/);
  }, 60_000);
});
