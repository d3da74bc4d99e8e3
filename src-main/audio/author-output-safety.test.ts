// Issue 13 for `audio -o OUT.cue` (OUT.bin, OUT.toc, OUT.cdt beside it): every one of those files
// goes through image/output-file.ts. Before, a track named like the BIN the CUE implies was
// decoded and then overwritten by the BIN, and a planted OUT.bin.partial symlink redirected the BIN.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../testing/peer-tools';
import { AudioDecoderPool } from './audio-decoder-pool';
import { authorAudioImage } from './author';

const ok = requireTools('sox');

describe.skipIf(!ok)('audio -o: what authoring may replace', () => {
  let dir: string;
  let pool: AudioDecoderPool;
  const p = (n: string) => join(dir, n);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-author-safety-'));
    execFileSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', p('t.wav'), 'synth', '4.2', 'sine', '440', 'vol', '0.3']);
    pool = new AudioDecoderPool({ size: 1 });
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a track that is one of the outputs (NAME.bin beside NAME.cue) is refused and kept', async () => {
    const wav = readFileSync(p('t.wav'));
    writeFileSync(p('album.bin'), wav); // a WAV file named .bin: decoded by its contents
    await expect(authorAudioImage({ tracks: [{ path: p('album.bin') }] }, p('album.cue'), { pool })).rejects.toMatchObject({ code: 'UNSAFE_OUTPUT' });
    expect(readFileSync(p('album.bin')).equals(wav)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('album.') && n !== 'album.bin')).toEqual([]);
  });

  it('a planted OUT.bin.partial symlink does not redirect the BIN; a CUE symlink is written through', async () => {
    writeFileSync(p('victim.txt'), 'precious');
    symlinkSync(p('victim.txt'), p('planted.bin.partial'));
    const r = await authorAudioImage({ tracks: [{ path: p('t.wav') }] }, p('planted.cue'), { pool });
    expect(readFileSync(p('victim.txt'), 'utf8')).toBe('precious');
    expect(lstatSync(p('planted.bin')).isFile()).toBe(true);
    expect(lstatSync(p('planted.bin')).size).toBe(r.layout.leadOut * 2352);
    expect(readlinkSync(p('planted.bin.partial'))).toBe(p('victim.txt'));
    writeFileSync(p('real.cue'), 'old');
    symlinkSync('real.cue', p('linked.cue'));
    await authorAudioImage({ tracks: [{ path: p('t.wav') }] }, p('linked.cue'), { pool });
    expect(lstatSync(p('linked.cue')).isSymbolicLink()).toBe(true);
    expect(readFileSync(p('real.cue'), 'latin1')).toContain('FILE "linked.bin" BINARY');
  });
});
