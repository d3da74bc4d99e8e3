// A second session on top of a first: old files keep their recorded extents, new and replaced
// files are written in the new session, removed files disappear. Judged by xorriso loading the
// new session (-load sbsector N) and by the image reader.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { requireTools } from '../../testing/peer-tools';
import { runImageCommand } from '../cli-image';
import { openImage } from '../reader';
import { StagingTree } from '../staging/staging-tree';
import { describeHostTree, mktemp, run } from '../test-support/peers';
import { importPreviousSession, planMultisession } from './multisession';
import { ExitCode } from '../../common/exit-codes';

const ok = requireTools('xorriso');

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (d) => err.push(String(d)));
  const code = await runImageCommand(args, { stdout: new PassThrough(), stderr });
  return { code, stderr: err.join('') };
}

/** Previous image padded to the new session's start, then the new session. */
function append(prev: string, session: string, startLba: number, out: string): void {
  fs.copyFileSync(prev, out);
  fs.truncateSync(out, startLba * 2048);
  fs.appendFileSync(out, fs.readFileSync(session));
}

describe.skipIf(!ok)('multisession', () => {
  let tmp: string;
  let s1: string;
  let img1: string;
  let next: number;

  beforeAll(async () => {
    tmp = mktemp('gm-ms-');
    s1 = path.join(tmp, 's1');
    fs.mkdirSync(path.join(s1, 'keep'), { recursive: true });
    fs.writeFileSync(path.join(s1, 'keep/a.txt'), 'old a');
    fs.writeFileSync(path.join(s1, 'keep/blob.bin'), Buffer.alloc(300_000, 3));
    fs.writeFileSync(path.join(s1, 'replace.txt'), 'version 1');
    fs.writeFileSync(path.join(s1, 'remove-me.txt'), 'bye');
    fs.symlinkSync('keep/a.txt', path.join(s1, 'link'));
    img1 = path.join(tmp, 's1.iso');
    expect((await cli(['-o', img1, '--fs', 'iso9660,joliet,rockridge', s1])).stderr).toBe('');
    const info = await openImage(img1);
    next = info.session.nextWritableAddress;
    await info.close();
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('adds and replaces files through the CLI; old data stays where it was', async () => {
    const s2 = path.join(tmp, 's2');
    fs.mkdirSync(path.join(s2, 'keep'), { recursive: true });
    fs.writeFileSync(path.join(s2, 'replace.txt'), 'version 2');
    fs.writeFileSync(path.join(s2, 'keep/new.txt'), 'new in session 2');
    const part = path.join(tmp, 's2.part');
    expect((await cli(['-o', part, '--import', img1, '--start-lba', String(next), s2])).stderr).toBe('');
    const full = path.join(tmp, 'full.iso');
    append(img1, part, next, full);

    const x = path.join(tmp, 'x');
    run('xorriso', ['-osirrox', 'on', '-load', 'sbsector', String(next), '-indev', full, '-extract', '/', x]);
    const got = describeHostTree(x);
    const expected = describeHostTree(s1);
    expected['/replace.txt'] = describeHostTree(s2)['/replace.txt'];
    expected['/keep/new.txt'] = describeHostTree(s2)['/keep/new.txt'];
    expect(got).toEqual(expected);

    // The reader picks the last session; unchanged files point at session-1 sectors.
    const before = await openImage(img1);
    const after = await openImage(full);
    expect(after.sessionStart).toBe(next);
    const lbaOf = async (i: typeof before, p: string) => (await i.lookup('rockridge', p)).extents[0].lba;
    expect(await lbaOf(after, 'keep/blob.bin')).toBe(await lbaOf(before, 'keep/blob.bin'));
    expect(await lbaOf(after, 'replace.txt')).toBeGreaterThanOrEqual(next);
    await before.close();
    await after.close();
  });

  it('removes files through the staging API', async () => {
    const tree = new StagingTree();
    const prev = await importPreviousSession(tree, img1);
    tree.remove('/remove-me.txt');
    tree.addBuffer('/added.txt', Buffer.from('added'));
    const { stream } = await planMultisession({ root: tree.root, iso9660: true, rockRidge: true, startLba: next, previousEnd: prev.lastSessionEnd });
    const part = path.join(tmp, 'rm.part');
    const fd = fs.openSync(part, 'w');
    for await (const c of stream({})) fs.writeSync(fd, c);
    fs.closeSync(fd);
    const full = path.join(tmp, 'rm.iso');
    append(img1, part, next, full);
    const list = run('xorriso', ['-load', 'sbsector', String(next), '-indev', full, '-find', '/', '-type', 'f']);
    expect(list).toContain("'/added.txt'");
    expect(list).toContain("'/keep/blob.bin'");
    expect(list).not.toContain('remove-me');
  });

  it('refuses a start sector inside the previous session', async () => {
    const r = await cli(['-o', path.join(tmp, 'bad.part'), '--import', img1, '--start-lba', '20', s1]);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('overlaps the previous session');
  });
});
