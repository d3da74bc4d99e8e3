// Issue 13 for `read -o` (a disc to ISO or BIN/CUE): the output goes through image/output-file.ts
// like every other. Before, a --force read replaced a symbolic link, a device node or a FIFO with
// a file, a read without --force replaced a dangling link, and a planted NAME.partial symlink
// redirected the read's bytes into the file it pointed to.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drive } from '../drive/drive';
import { requireTools } from '../testing/peer-tools';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { readDisc } from './read-disc';
import { writeTree, xorrisoImage } from './test-support';

const ok = requireTools('xorriso');

describe.skipIf(!ok)('read -o: what a read may replace', () => {
  let dir: string;
  let vt: VirtualTransport;
  let iso: Buffer;

  const read = async (output: string, force = false) => {
    const dev = await vt.open('virtual:dvd');
    try {
      return await readDisc(new Drive(dev, { retryDelayMs: 1 }), { output, force });
    } finally {
      await dev.close();
    }
  };
  const partials = () => readdirSync(dir).filter((n) => n.includes('.partial'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-read-safety-'));
    writeTree(join(dir, 'src'), { 'readme.txt': 'a pressed disc\n' });
    xorrisoImage(join(dir, 'src'), join(dir, 'in.iso'));
    iso = readFileSync(join(dir, 'in.iso'));
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    await vt.create('dvd', { media: null });
    await vt.insertPressed('dvd', 'dvd', join(dir, 'in.iso'));
    vt.recorder('dvd').clearUnitAttention();
  });
  afterAll(async () => {
    await vt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--force onto a symbolic link writes through it: the link stays, its target gets the disc', async () => {
    writeFileSync(join(dir, 'old.iso'), 'old');
    symlinkSync('old.iso', join(dir, 'link.iso'));
    await read(join(dir, 'link.iso'), true);
    expect(lstatSync(join(dir, 'link.iso')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'old.iso')).equals(iso)).toBe(true);
  });

  it('a dangling symbolic link is refused (UNSAFE_OUTPUT) and stays', async () => {
    symlinkSync('elsewhere/x.iso', join(dir, 'dangling.iso'));
    await expect(read(join(dir, 'dangling.iso'))).rejects.toMatchObject({ code: 'UNSAFE_OUTPUT' });
    expect(readlinkSync(join(dir, 'dangling.iso'))).toBe('elsewhere/x.iso');
  });

  it('a device node or a FIFO is refused even with --force, and stays what it was', async () => {
    const node = join(dir, 'null-dev');
    let target = node;
    try {
      execFileSync('mknod', [node, 'c', '1', '3']);
    } catch {
      target = '/dev/null';
    }
    await expect(read(target, true)).rejects.toMatchObject({ code: 'UNSAFE_OUTPUT' });
    expect(lstatSync(target).isCharacterDevice()).toBe(true);
    const fifo = join(dir, 'fifo.iso');
    execFileSync('mkfifo', [fifo]);
    await expect(read(fifo, true)).rejects.toMatchObject({ code: 'UNSAFE_OUTPUT' });
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a planted NAME.partial symlink does not redirect the read', async () => {
    writeFileSync(join(dir, 'victim.txt'), 'precious');
    symlinkSync(join(dir, 'victim.txt'), join(dir, 'planted.iso.partial'));
    await read(join(dir, 'planted.iso'));
    expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('precious');
    expect(readFileSync(join(dir, 'planted.iso')).equals(iso)).toBe(true);
    expect(partials()).toEqual(['planted.iso.partial']); // the planted link, left alone
  });
});
