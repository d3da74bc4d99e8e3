// The Linux kernel as the reader of discs made by `burn --multisession`: a QEMU guest mounts a
// DVD+R with three sessions (isofs at the last session, `sbsector=`, as the sr driver does from the
// TOC) and a BD-RE grown in place twice (isofs and udf at sector 0), and lists every file with its
// SHA-256: old, replaced and new files must be there with the right contents, removed ones gone.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageEngine } from '../image/image-engine';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { requireTools } from '../testing/peer-tools';
import { runInGuest } from '../testing/qemu-guest';
import { pattern, writeTree } from '../read/test-support';
import { burnFixture, disposeFixture, type BurnFixture } from './contract/burn-contract';
import { discSessionFactory } from './engine-sources';

const ok = requireTools('qemu-system-x86_64');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** "sha256  ./path" lines of every file under the mount point → /path → sha256. */
const LIST = (out: string) => `(cd /run/m && find . -type f -print0 | xargs -0 -r sha256sum) > "$GM_OUT/${out}"`;
function parse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}\.\/(.*)$/.exec(line);
    if (m) out[`/${m[2]}`] = m[1];
  }
  return out;
}

describe.skipIf(!ok)('kernel mounts of multisession burns (QEMU guest)', () => {
  let dir: string;
  let engine: ImageEngine;
  const fixtures: BurnFixture[] = [];
  const images: Record<string, { file: string; sbsector: number }> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gm-burn-guest-'));
    engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
    writeTree(join(dir, 'm1'), { 'keep/a.txt': 'old a', 'keep/blob.bin': pattern(150_000, 4), 'replace.txt': 'version 1', 'remove-me.txt': 'bye' });
    writeTree(join(dir, 'm2'), { 'replace.txt': 'version 2', 'new/b.bin': pattern(40_000, 8) });
    writeTree(join(dir, 'm3'), { 'third.txt': 'session three' });
    for (const media of ['dvd+r', 'bd-re'] as const) {
      const f = await burnFixture(media);
      fixtures.push(f);
      const session = (name: string, remove?: string[]) => discSessionFactory(() => engine, { options: {}, sources: [{ dest: '/', hostPath: join(dir, name) }], remove });
      const close = media === 'dvd+r' ? { close: 'session' as const } : {};
      await f.burner.burn(f.address, session('m1'), { verify: 'quick', ...close });
      await f.burner.burn(f.address, session('m2', ['/remove-me.txt']), { verify: 'quick', ...close });
      const r3 = await f.burner.burn(f.address, session('m3'), { verify: 'quick', ...close });
      // A whole number of 2048-byte sectors for the guest's block device (the backing file is sparse and ends at the last write).
      const file = join(dir, `${media}.img`);
      const b = readFileSync(f.transport.backingFile(f.name));
      writeFileSync(file, Buffer.concat([b, Buffer.alloc((64 * 2048) - (b.length % 2048))]));
      images[media] = { file, sbsector: media === 'dvd+r' ? r3.copies[0].startLba : 0 };
    }
  }, 120_000);
  afterAll(async () => {
    await engine.close();
    for (const f of fixtures) await disposeFixture(f);
    rmSync(dir, { recursive: true, force: true });
  });

  it('isofs (last session / grown volume) and udf (grown volume) show old, replaced and new files', { timeout: 400_000 }, async () => {
    const r = await runInGuest({
      disks: [{ file: images['dvd+r'].file }, { file: images['bd-re'].file }],
      script: [
        'mkdir -p /run/m',
        `mount -t iso9660 -o ro,sbsector=${images['dvd+r'].sbsector} /dev/vda /run/m && ${LIST('dvdr-iso.txt')}; umount /run/m`,
        `mount -t iso9660 -o ro /dev/vdb /run/m && ${LIST('bdre-iso.txt')}; umount /run/m`,
        `mount -t udf -o ro /dev/vdb /run/m && ${LIST('bdre-udf.txt')}; umount /run/m`,
        'dmesg | grep -i -E "isofs|udf|iso9660" > "$GM_OUT/dmesg.txt"; exit 0',
      ].join('\n'),
    });
    const read = (f: string) => readFileSync(join(r.outDir, f), 'utf8');
    const want = { '/keep/a.txt': sha('old a'), '/keep/blob.bin': sha(pattern(150_000, 4)), '/replace.txt': sha('version 2'), '/new/b.bin': sha(pattern(40_000, 8)), '/third.txt': sha('session three') };
    try {
      expect(parse(read('dvdr-iso.txt'))).toEqual(want);
      expect(parse(read('bdre-iso.txt'))).toEqual(want);
      expect(parse(read('bdre-udf.txt'))).toEqual(want);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- dmesg:\n${read('dmesg.txt')}\n--- console:\n${r.console.slice(-1500)}`, { cause: err });
    }
  });
});
