// Multisession from the disc: import the last session through the drive, plan the next one at the
// drive's next writable address, write the increment with plain WRITE/CLOSE commands, and let
// xorriso and 7-Zip judge the result (old and new files, right contents).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drive } from '../drive/drive';
import { describeByteSourceContract } from '../image/byte-source/contract';
import type { ByteSource } from '../image/byte-source';
import { StagingTree } from '../image/staging/staging-tree';
import { buildCloseTrackSession } from '../mmc/commands/close-track-session';
import { buildWrite10 } from '../mmc/commands/write';
import { buildModeSelect10, encodeWriteParametersPage } from '../mmc/commands/mode-sense';
import { requireTools } from '../testing/peer-tools';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { importDiscSession, planDiscIncrement } from './disc-session';
import { readDisc } from './read-disc';
import { pattern, writeTree, xorrisoImage } from './test-support';

const ok = requireTools('xorriso', '7z');

/** What a burner does with a data session on DVD+R: WRITE(10) from the NWA, CLOSE TRACK, CLOSE SESSION. */
async function burnSession(drive: Drive, startLba: number, src: ByteSource): Promise<number> {
  let lba = startLba;
  for (;;) {
    const chunk = await src.read(32);
    if (!chunk) break;
    await drive.execute(buildWrite10(lba, chunk.length / 2048, chunk));
    lba += chunk.length / 2048;
  }
  const ti = await drive.discInformation();
  await drive.execute(buildCloseTrackSession(1, ti.lastTrackInLastSession));
  await drive.execute(buildCloseTrackSession(2));
  return lba;
}

/** A copy of the disc image whose sector 16 descriptors are those of the session at `start` (what a reader that only looks at 16 sees then). */
function lastSessionView(full: string, start: number, out: string): void {
  const b = readFileSync(full);
  let n = 0;
  while (b[(start + 16 + n) * 2048] !== 255) n++;
  b.copy(b, 16 * 2048, (start + 16) * 2048, (start + 17 + n) * 2048);
  writeFileSync(out, b);
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!ok)('multisession from a disc (DVD+R in the virtual recorder)', () => {
  let dir: string;
  let vt: VirtualTransport;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-disc-ms-'));
    writeTree(join(dir, 's1'), { 'keep/a.txt': 'old a', 'keep/blob.bin': pattern(150_000, 4), 'replace.txt': 'version 1', 'remove-me.txt': 'bye' });
    xorrisoImage(join(dir, 's1'), join(dir, 's1.iso'), 'MS');
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    await vt.create('ms', { media: 'dvd+r' });
    vt.recorder('ms').clearUnitAttention();
    const dev = await vt.open('virtual:ms');
    try {
      const { openImageFileSource } = await import('../image/byte-source/file-source');
      await burnSession(new Drive(dev, { retryDelayMs: 1 }), 0, await openImageFileSource(join(dir, 's1.iso')));
    } finally {
      await dev.close();
    }
  });
  afterAll(async () => {
    await vt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends two sessions read from the disc; xorriso and 7-Zip see old and new files with the right contents', async () => {
    const dev = await vt.open('virtual:ms');
    const drive = new Drive(dev, { retryDelayMs: 1 });
    try {
      // Session 2: replace one file, remove one, add one.
      const t2 = new StagingTree();
      const i2 = await importDiscSession(drive, t2);
      expect(i2.facet).toBe('rockridge');
      expect(i2.startLba).toBe((await drive.nextWritableAddress())!);
      t2.addBuffer('/replace.txt', Buffer.from('version 2'));
      t2.remove('/remove-me.txt');
      t2.addBuffer('/new/b.bin', pattern(40_000, 8));
      const p2 = await planDiscIncrement(t2, i2, { iso9660: true, rockRidge: true, joliet: true, label: 'MS2' });
      const end2 = await burnSession(drive, p2.startLba, p2.source);
      expect(end2 - p2.startLba).toBe(p2.source.totalSectors);

      // Session 3 on top of session 2, again only from what the disc says.
      const t3 = new StagingTree();
      const i3 = await importDiscSession(drive, t3);
      expect(i3.sessionStart).toBe(p2.startLba);
      t3.addBuffer('/third.txt', Buffer.from('session three'));
      const p3 = await planDiscIncrement(t3, i3, { iso9660: true, rockRidge: true, joliet: true, label: 'MS3' });
      await burnSession(drive, p3.startLba, p3.source);

      // The whole disc, read back by our reader, judged by xorriso loading the last session.
      const full = join(dir, 'full.iso');
      await readDisc(drive, { output: full });
      const files = execFileSync('xorriso', ['-load', 'sbsector', String(p3.startLba), '-indev', full, '-find', '/', '-type', 'f'], { stdio: 'pipe' }).toString();
      for (const f of ['/keep/a.txt', '/keep/blob.bin', '/replace.txt', '/new/b.bin', '/third.txt']) expect(files).toContain(`'${f}'`);
      expect(files).not.toContain('remove-me');
      const x = join(dir, 'x');
      execFileSync('xorriso', ['-osirrox', 'on', '-load', 'sbsector', String(p3.startLba), '-indev', full, '-extract', '/', x], { stdio: 'pipe' });
      expect(readFileSync(join(x, 'replace.txt'), 'utf8')).toBe('version 2');
      expect(sha(readFileSync(join(x, 'keep/blob.bin')))).toBe(sha(pattern(150_000, 4)));
      expect(sha(readFileSync(join(x, 'new/b.bin')))).toBe(sha(pattern(40_000, 8)));
      expect(readFileSync(join(x, 'third.txt'), 'utf8')).toBe('session three');

      // 7-Zip reads the descriptors at sector 16: give it the last session's there.
      const view = join(dir, 'view.iso');
      lastSessionView(full, p3.startLba, view);
      const y = join(dir, 'y');
      execFileSync('7z', ['x', '-y', `-o${y}`, view], { stdio: 'pipe' });
      expect(readFileSync(join(y, 'keep/a.txt'), 'utf8')).toBe('old a');
      expect(readFileSync(join(y, 'replace.txt'), 'utf8')).toBe('version 2');
      expect(sha(readFileSync(join(y, 'keep/blob.bin')))).toBe(sha(pattern(150_000, 4)));
      expect(readFileSync(join(y, 'third.txt'), 'utf8')).toBe('session three');
      copyFileSync(full, join(dir, 'kernel.iso')); // kept for the guest check below when it runs
    } finally {
      await dev.close();
    }
  });

  it('refuses a closed disc and a blank one in plain words', async () => {
    await vt.create('closed', { media: null });
    await vt.insertPressed('closed', 'dvd', join(dir, 's1.iso'));
    vt.recorder('closed').clearUnitAttention();
    await vt.create('blank', { media: 'dvd+r' });
    vt.recorder('blank').clearUnitAttention();
    for (const [name, msg] of [['closed', /closed: no further session/], ['blank', /blank: there is no session/]] as const) {
      const dev = await vt.open(`virtual:${name}`);
      try {
        await expect(importDiscSession(new Drive(dev, { retryDelayMs: 1 }), new StagingTree())).rejects.toThrow(msg);
      } finally {
        await dev.close();
      }
    }
  });
});

describe.skipIf(!ok)('multisession from a disc (CD-R: sessions apart by lead-out and lead-in)', () => {
  let dir: string;
  let vt: VirtualTransport;
  afterAll(async () => {
    await vt?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a second session at the NWA after the first lead-out; the ISO read from the disc resolves it for xorriso, and its gap is zeros', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-cd-ms-'));
    writeTree(join(dir, 's1'), { 'one.txt': 'first session', 'data.bin': pattern(60_000, 2) });
    xorrisoImage(join(dir, 's1'), join(dir, 's1.iso'), 'CDMS');
    vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
    await vt.create('cd', { media: 'cd-r' });
    vt.recorder('cd').clearUnitAttention();
    const dev = await vt.open('virtual:cd');
    try {
      const drive = new Drive(dev, { retryDelayMs: 1 });
      // TAO, mode 1 data, multi-session 11b (next session allowed): MMC-6 §7.5.4 Write Parameters.
      await drive.execute(buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', multiSession: 3, dataBlockType: 8, trackMode: 4 })]));
      const { openImageFileSource } = await import('../image/byte-source/file-source');
      await burnSession(drive, 0, await openImageFileSource(join(dir, 's1.iso')));
      const tree = new StagingTree();
      const imp = await importDiscSession(drive, tree);
      // Red/Orange Book: 6750 lead-out + 4500 lead-in + 150 pregap after the first session's end (its 2 run-out blocks included).
      expect(imp.startLba).toBe(imp.layout.sessions[0].end + 6750 + 4500 + 150);
      tree.addBuffer('/two.txt', Buffer.from('second session'));
      const p = await planDiscIncrement(tree, imp, { iso9660: true, rockRidge: true, label: 'CDMS2' });
      await burnSession(drive, p.startLba, p.source);
      const full = join(dir, 'cd.iso');
      const r = await readDisc(drive, { output: full });
      expect(r.tracks.map((t) => t.session)).toEqual([1, 2]);
      expect(r.gaps[0].start).toBe(imp.layout.sessions[0].end - 2); // the run-out, then lead-out/lead-in/pregap
      expect(r.gaps[0].end).toBe(p.startLba);
      const x = join(dir, 'x');
      execFileSync('xorriso', ['-osirrox', 'on', '-load', 'sbsector', String(p.startLba), '-indev', full, '-extract', '/', x], { stdio: 'pipe' });
      expect(readFileSync(join(x, 'one.txt'), 'utf8')).toBe('first session');
      expect(readFileSync(join(x, 'two.txt'), 'utf8')).toBe('second session');
      expect(sha(readFileSync(join(x, 'data.bin')))).toBe(sha(pattern(60_000, 2)));
    } finally {
      await dev.close();
    }
  });
});

describe.skipIf(!ok)('the increment is a ByteSource', () => {
  let dir: string;
  let vt: VirtualTransport;
  describeByteSourceContract('next session planned from a disc', async () => {
    if (!vt) {
      dir = mkdtempSync(join(tmpdir(), 'gm-disc-ms-bs-'));
      writeTree(join(dir, 's1'), { 'a.txt': 'a', 'b.bin': pattern(30_000, 1) });
      xorrisoImage(join(dir, 's1'), join(dir, 's1.iso'));
      vt = new VirtualTransport({ stateDir: join(dir, 'vr') });
      await vt.create('ms', { media: 'dvd+r' });
      vt.recorder('ms').clearUnitAttention();
      const dev = await vt.open('virtual:ms');
      const { openImageFileSource } = await import('../image/byte-source/file-source');
      await burnSession(new Drive(dev, { retryDelayMs: 1 }), 0, await openImageFileSource(join(dir, 's1.iso')));
      await dev.close();
    }
    const fixed = new Date('2026-01-02T03:04:05Z');
    const open = async () => {
      const dev = await vt.open('virtual:ms');
      try {
        const tree = new StagingTree({ now: fixed });
        const imp = await importDiscSession(new Drive(dev, { retryDelayMs: 1 }), tree);
        tree.addBuffer('/c.txt', Buffer.from('c'), { mtime: fixed });
        return (await planDiscIncrement(tree, imp, { iso9660: true, rockRidge: true, recordingTime: fixed })).source;
      } finally {
        await dev.close();
      }
    };
    const first = await open();
    const chunks: Uint8Array[] = [];
    for (let c = await first.read(64); c; c = await first.read(64)) chunks.push(c);
    const all = Buffer.concat(chunks);
    return { open, sha256: sha(all), sectorSize: 2048, totalSectors: all.length / 2048 };
  });
});
