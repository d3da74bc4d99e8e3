// image/output-file.ts rule by rule, on the real file system (the attacks through each command are
// in cli/output-safety.test.ts, read/read-output-safety.test.ts, audio/author-output-safety.test.ts
// and project/project-output-safety.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { mktemp } from './test-support/peers';
import { checkStagedTree, holdPartial, openOutput, outputGuard, partialNameFor, planOutput, removeLivePartialsSync } from './output-file';
import { StagingTree } from './staging/staging-tree';

let tmp: string;
const p = (...n: string[]) => path.join(tmp, ...n);
beforeAll(() => {
  tmp = mktemp('gm-output-file-');
  fs.writeFileSync(p('input.bin'), 'input');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('planOutput', () => {
  it('refuses an input by device and inode (the path itself, a hard link, a link to it)', async () => {
    await expect(planOutput(p('input.bin'), { inputs: [p('input.bin')] })).rejects.toMatchObject({ code: 'UNSAFE_OUTPUT', details: { reason: 'input' } });
    fs.linkSync(p('input.bin'), p('hard.bin'));
    await expect(planOutput(p('hard.bin'), { inputs: [p('input.bin')] })).rejects.toMatchObject({ details: { reason: 'input', input: p('input.bin') } });
    fs.symlinkSync('input.bin', p('to-input.bin'));
    await expect(planOutput(p('to-input.bin'), { inputs: [p('input.bin')] })).rejects.toMatchObject({ details: { reason: 'input' } });
    // Not an input: planned, nothing created yet.
    const plan = await planOutput(p('new.iso'), { inputs: [p('input.bin'), undefined, p('missing')] });
    expect(plan).toMatchObject({ kind: 'file', target: p('new.iso') });
    expect(fs.existsSync(plan.partial!)).toBe(false);
  });

  it('refuses a folder, a FIFO, a socket, a link to nothing or a link loop; a missing folder is an IoError', async () => {
    fs.mkdirSync(p('dir'));
    await expect(planOutput(p('dir'))).rejects.toMatchObject({ details: { reason: 'directory' } });
    execFileSync('mkfifo', [p('fifo')]);
    await expect(planOutput(p('fifo'), { fifoHint: 'use -o -' })).rejects.toMatchObject({ details: { reason: 'fifo' }, message: expect.stringContaining('use -o -') });
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(p('sock'), r));
    try {
      await expect(planOutput(p('sock'))).rejects.toMatchObject({ details: { reason: 'socket' } });
    } finally {
      server.close();
    }
    fs.symlinkSync('nowhere/x', p('dangling'));
    await expect(planOutput(p('dangling'))).rejects.toMatchObject({ details: { reason: 'dangling-symlink', linkTarget: 'nowhere/x' } });
    fs.symlinkSync('loop-b', p('loop-a'));
    fs.symlinkSync('loop-a', p('loop-b'));
    await expect(planOutput(p('loop-a'))).rejects.toMatchObject({ details: { reason: 'dangling-symlink' }, message: expect.stringContaining('loops') });
    await expect(planOutput(p('no-such-folder', 'x.iso'))).rejects.toMatchObject({ code: 'IO', details: { errno: 'ENOENT' } });
  });

  it('a device: refused unless in place; in place it is the device itself (no partial)', async () => {
    await expect(planOutput('/dev/null', { deviceHint: 'add --to-device' })).rejects.toMatchObject({ details: { reason: 'device' }, message: expect.stringContaining('--to-device') });
    const plan = await planOutput('/dev/null', { device: 'in-place' });
    expect(plan).toMatchObject({ kind: 'device', target: '/dev/null', device: { block: false } });
    expect(plan.partial).toBeUndefined();
    const out = await openOutput(plan);
    out.reserve(1e12); // a character device has no size to check
    fs.writeSync(out.fd, Buffer.alloc(4096));
    await out.commit();
    expect(fs.lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a partial name is unique, beside the target, and within NAME_MAX for the longest names', () => {
    const long = p('x'.repeat(255));
    const a = partialNameFor(long);
    expect(path.dirname(a)).toBe(tmp);
    expect(Buffer.byteLength(path.basename(a))).toBeLessThanOrEqual(255);
    expect(a).toMatch(/\.[0-9a-f]{16}\.partial$/);
    expect(partialNameFor(p('a.iso'))).not.toBe(partialNameFor(p('a.iso')));
  });
});

describe('OutputFile', () => {
  it('never opens an existing partial name (a planted link at the very name is refused, its target untouched)', async () => {
    fs.writeFileSync(p('victim'), 'precious');
    const plan = await planOutput(p('planted.iso'));
    fs.symlinkSync(p('victim'), plan.partial!);
    await expect(openOutput(plan)).rejects.toMatchObject({ code: 'IO', details: { errno: 'EEXIST' } });
    expect(fs.readFileSync(p('victim'), 'utf8')).toBe('precious');
    expect(fs.existsSync(p('planted.iso'))).toBe(false);
  });

  it('commit renames onto the target; a target turned into a folder meanwhile is not replaced', async () => {
    fs.writeFileSync(p('old.iso'), 'old');
    const out = await openOutput(await planOutput(p('old.iso')));
    fs.writeSync(out.fd, 'new');
    await out.commit({ sync: true });
    expect(fs.readFileSync(p('old.iso'), 'utf8')).toBe('new');
    const raced = await openOutput(await planOutput(p('raced.iso')));
    fs.mkdirSync(p('raced.iso'));
    await expect(raced.commit()).rejects.toMatchObject({ details: { reason: 'changed' } });
    expect(fs.statSync(p('raced.iso')).isDirectory()).toBe(true);
    expect(fs.existsSync(raced.writingTo)).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('old.iso') || n.startsWith('raced.iso'))).toEqual(['old.iso', 'raced.iso']);
  });

  it("existing 'refuse': a file there is refused before anything is written, and one that appears during the write is kept", async () => {
    fs.writeFileSync(p('kept.iso'), 'kept');
    await expect(planOutput(p('kept.iso'), { existing: 'refuse', existingHint: 'add --force to replace it' }))
      .rejects.toMatchObject({ code: 'UNSAFE_OUTPUT', details: { reason: 'exists' }, message: `${p('kept.iso')} already exists: add --force to replace it` });
    // An input named as the output is told as an input, whatever `existing` says.
    await expect(planOutput(p('input.bin'), { inputs: [p('input.bin')], existing: 'refuse' })).rejects.toMatchObject({ details: { reason: 'input' } });
    const late = await openOutput(await planOutput(p('late.iso'), { existing: 'refuse' }));
    fs.writeSync(late.fd, 'new');
    fs.writeFileSync(p('late.iso'), 'someone else');
    await expect(late.commit()).rejects.toMatchObject({ details: { reason: 'exists' } });
    expect(fs.readFileSync(p('late.iso'), 'utf8')).toBe('someone else');
    expect(fs.existsSync(late.writingTo)).toBe(false);
    // Nothing there at the commit: linked into place, the partial gone, one link left.
    const free = await openOutput(await planOutput(p('free.iso'), { existing: 'refuse' }));
    fs.writeSync(free.fd, 'mine');
    await free.commit();
    expect(fs.readFileSync(p('free.iso'), 'utf8')).toBe('mine');
    expect(fs.statSync(p('free.iso')).nlink).toBe(1);
    expect(fs.existsSync(free.writingTo)).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => /^(free|late)\.iso\./.test(n))).toEqual([]);
    // The default replaces.
    const replace = await openOutput(await planOutput(p('kept.iso')));
    fs.writeSync(replace.fd, 'new');
    await replace.commit();
    expect(fs.readFileSync(p('kept.iso'), 'utf8')).toBe('new');
  });

  it('abort removes the partial and is idempotent; held partials go with removeLivePartialsSync', async () => {
    const out = await openOutput(await planOutput(p('aborted.iso')));
    expect(fs.existsSync(out.writingTo)).toBe(true);
    await out.abort();
    await out.abort();
    expect(fs.existsSync(out.writingTo)).toBe(false);
    const plan = await planOutput(p('held.iso'));
    holdPartial(plan);
    fs.writeFileSync(plan.partial!, 'half'); // as another thread would have created it
    removeLivePartialsSync();
    expect(fs.existsSync(plan.partial!)).toBe(false);
  });
});

describe('scans and staged trees', () => {
  it('outputGuard skips the partial and refuses the file the output replaces', async () => {
    const dir = p('scan');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    fs.writeFileSync(path.join(dir, 'old.iso'), 'old image');
    const fresh = await openOutput(await planOutput(path.join(dir, 'new.iso')));
    const tree = new StagingTree();
    tree.addHostPath('/', dir, { guard: outputGuard(fresh) });
    expect([...tree.root.children!.keys()].sort()).toEqual(['a.txt', 'old.iso']);
    await fresh.abort();
    const replacing = await openOutput(await planOutput(path.join(dir, 'old.iso')));
    expect(() => new StagingTree().addHostPath('/', dir, { guard: outputGuard(replacing) })).toThrow(/one of the inputs/);
    await replacing.abort();
  });

  it('checkStagedTree finds the replaced file in a staged tree, also through a hard link', async () => {
    const dir = p('staged');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'same-size.bin'), 'xxxx');
    fs.writeFileSync(path.join(dir, 'photo.jpg'), 'jpeg');
    fs.linkSync(path.join(dir, 'photo.jpg'), p('photo-link.jpg'));
    const tree = new StagingTree();
    tree.addHostPath('/', dir);
    await expect(checkStagedTree(await planOutput(p('photo-link.jpg')), tree.root)).rejects.toMatchObject({ details: { reason: 'input' } });
    await expect(checkStagedTree(await planOutput(path.join(dir, 'photo.jpg')), tree.root)).rejects.toMatchObject({ details: { reason: 'input' } });
    await expect(checkStagedTree(await planOutput(p('input.bin')), tree.root)).resolves.toBeUndefined();
  });
});
