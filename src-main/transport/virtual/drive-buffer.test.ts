// The drive buffer's MUST rules (drive-buffer.ts), against real files.
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriveBuffer } from './drive-buffer';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gm-drive-buffer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('DriveBuffer', () => {
  it('copies on put (the host may reuse its memory at once), writes in order across the wrap, and drain() waits for the file', async () => {
    const path = join(dir, 'disc.bin');
    writeFileSync(path, '');
    const fd = openSync(path, 'r+');
    const b = new DriveBuffer(10);
    const host = bytes(6, 1);
    const want = new Uint8Array(30);
    let pos = 0;
    for (let i = 0; i < 5; i++) {
      await b.room(6);
      host.set(bytes(6, i + 1));
      b.put(fd, host, 0, 6, pos);
      want.set(bytes(6, i + 1), pos);
      expect(b.pending).toBeGreaterThanOrEqual(6);
      host.fill(0xee); // the host's memory, reused as soon as put() returned
      pos += 6;
    }
    // A rewrite of bytes 2..5 after they were buffered: the later data wins (order kept).
    await b.room(4);
    b.put(fd, Uint8Array.of(9, 9, 9, 9), 0, 4, 2);
    want.set([9, 9, 9, 9], 2);
    await b.drain();
    expect(b.pending).toBe(0);
    expect(new Uint8Array(readFileSync(path))).toEqual(want);
    b.closeWhenDone(fd);
    expect(() => fstatSync(fd)).toThrow(/EBADF/);
  });

  it('refuses a piece it has no room for; room() waits until the file took enough', async () => {
    const path = join(dir, 'disc.bin');
    writeFileSync(path, '');
    const fd = openSync(path, 'r+');
    const b = new DriveBuffer(8);
    b.put(fd, bytes(8, 3), 0, 8, 0);
    expect(() => b.put(fd, bytes(1, 0), 0, 1, 8)).toThrow(RangeError);
    await b.room(8);
    expect(b.pending).toBe(0);
    b.put(fd, bytes(8, 4), 0, 8, 8);
    b.closeWhenDone(fd); // closed only after this write
    await b.drain();
    expect(() => fstatSync(fd)).toThrow(/EBADF/);
    expect(new Uint8Array(readFileSync(path))).toEqual(Uint8Array.from([...bytes(8, 3), ...bytes(8, 4)]));
  });

  it('a failed file write is kept for the next command and what was buffered after it is dropped', async () => {
    const path = join(dir, 'disc.bin');
    writeFileSync(path, '');
    const ro = openSync(path, 'r'); // writes fail with EBADF
    const b = new DriveBuffer(16);
    b.put(ro, bytes(4, 1), 0, 4, 0);
    b.put(ro, bytes(4, 2), 0, 4, 100); // not adjacent: a second write, dropped with the first's failure
    await b.drain();
    expect(b.pending).toBe(0);
    expect(b.takeError()).toMatchObject({ code: 'EBADF' });
    expect(b.takeError()).toBeUndefined();
    expect(readFileSync(path).length).toBe(0);
    closeSync(ro);
  });
});
