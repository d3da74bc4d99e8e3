// A burn through the virtual recorder checked by independent readers: an ISO made by xorriso is
// written to a virtual CD-R (TAO, two sessions) and DVD+R through Drive, then the recorded tracks
// and the DVD backing file are read back by isoinfo and compared byte for byte with the source.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { Drive } from '../../drive/drive';
import { buildWrite10 } from '../../mmc/commands/write';
import { buildCloseTrackSession } from '../../mmc/commands/close-track-session';
import { buildSynchronizeCache } from '../../mmc/commands/synchronize-cache';
import { buildModeSelect10, encodeWriteParametersPage } from '../../mmc/commands/mode-sense';
import { virtualFixture, type VirtualFixture } from './testing';

const ok = requireTools('xorriso', 'isoinfo');

function makeIso(dir: string, volid: string, files: Record<string, Buffer | string>): Buffer {
  const tree = join(dir, `${volid}-tree`);
  mkdirSync(tree, { recursive: true });
  for (const [f, c] of Object.entries(files)) writeFileSync(join(tree, f), c);
  const iso = join(dir, `${volid}.iso`);
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', volid, '-o', iso, tree], { stdio: 'pipe' });
  return readFileSync(iso);
}

async function burn(d: Drive, iso: Buffer, nwa: number): Promise<void> {
  const blocks = iso.length / 2048;
  for (let i = 0; i < blocks; i += 32) {
    const n = Math.min(32, blocks - i);
    await d.execute(buildWrite10(nwa + i, n, iso.subarray(i * 2048, (i + n) * 2048)));
  }
  await d.execute(buildSynchronizeCache());
}

describe.skipIf(!ok)('virtual burns read back by isoinfo', () => {
  let work: string;
  let iso1: Buffer;
  let iso2: Buffer;
  let f: VirtualFixture | undefined;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'gm-virtual-peers-'));
    iso1 = makeIso(work, 'GM_FIRST', { 'HELLO.TXT': 'hello from session one\n', 'BIG.BIN': Buffer.alloc(200_000, 0x61) });
    iso2 = makeIso(work, 'GM_SECOND', { 'AGAIN.TXT': 'session two\n' });
  });
  afterAll(async () => {
    await f?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('CD-R, two TAO sessions: each exported track is the ISO that was burned', async () => {
    f = await virtualFixture('cd-r');
    const d = new Drive(f.device, { retryDelayMs: 5 });
    await d.execute(buildModeSelect10([encodeWriteParametersPage({ writeType: 'tao', dataBlockType: 8, multiSession: 3 })]));
    await burn(d, iso1, (await d.nextWritableAddress())!);
    await d.execute(buildCloseTrackSession(1, 1));
    await d.execute(buildCloseTrackSession(2));
    const nwa2 = (await d.nextWritableAddress())!;
    // Session 2 starts after the 6750-block lead-out, 4500-block lead-in and a 150-block pregap.
    expect(nwa2).toBe(iso1.length / 2048 + 2 + 6750 + 4500 + 150);
    await burn(d, iso2, nwa2);
    await d.execute(buildCloseTrackSession(1, 2));
    await d.execute(buildCloseTrackSession(2));
    const m = await d.media();
    expect(m).toMatchObject({ status: 'appendable', sessions: 2, tracks: 2 });
    for (const [track, iso, volid] of [[1, iso1, 'GM_FIRST'], [2, iso2, 'GM_SECOND']] as const) {
      const out = join(work, `track${track}.iso`);
      expect(f.transport.exportTrack(f.name, track, out)).toEqual({ blocks: iso.length / 2048, blockSize: 2048 });
      expect(readFileSync(out).equals(iso)).toBe(true);
      const info = execFileSync('isoinfo', ['-d', '-i', out], { encoding: 'utf8' });
      expect(info).toMatch(new RegExp(`Volume id: ${volid}`));
    }
    await f.cleanup();
    f = undefined;
  });

  it('DVD+R: the backing file itself is the burned image, listable by isoinfo', async () => {
    f = await virtualFixture('dvd+r');
    const d = new Drive(f.device, { retryDelayMs: 5 });
    await burn(d, iso1, 0);
    await d.execute(buildCloseTrackSession(1, 1));
    await d.execute(buildCloseTrackSession(6));
    await f.device.close();
    const img = readFileSync(f.transport.backingFile(f.name));
    expect(img.subarray(0, iso1.length).equals(iso1)).toBe(true);
    const listing = execFileSync('isoinfo', ['-l', '-i', f.transport.backingFile(f.name)], { encoding: 'utf8' });
    expect(listing).toContain('HELLO.TXT;1');
    expect(listing).toContain('BIG.BIN;1');
  });
});
