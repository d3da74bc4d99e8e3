// Reading a multisession disc to an image (issue #10): sequential media hold unrecorded sectors
// between sessions (a DVD+R session's closure, a BD-R's track padding, a CD's lead-out/lead-in),
// which the drive answers with ILLEGAL REQUEST 21/00. The image keeps every session at its own
// address (so each session's absolute pointers resolve), zeros in the gaps, listed as `gaps`.
// Discs made by our burner's multisession path on the virtual recorder; read back by readDisc;
// checked by xorriso at each session's start and against the recorder's own medium.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burnFixture, disposeFixture } from '../burn/contract/burn-contract';
import { discSessionFactory } from '../burn/engine-sources';
import { Drive } from '../drive/drive';
import { ImageEngine } from '../image/image-engine';
import { requireTools } from '../testing/peer-tools';
import { tsWorkerScript } from '../workers/ts-worker-script';
import { verifyDisc } from '../verify/verify-disc';
import { readDisc } from './read-disc';
import { pattern, writeTree } from './test-support';

const ok = requireTools('xorriso');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!ok)('readDisc: multisession discs with unrecorded gaps between sessions', () => {
  let dir: string;
  let engine: ImageEngine;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gm-read-ms-'));
    engine = new ImageEngine({ script: tsWorkerScript(fileURLToPath(new URL('../image/worker/image-worker.ts', import.meta.url))) });
    writeTree(join(dir, 's1'), { 'one.txt': 'first session', 'blob.bin': pattern(200_000, 5) });
    writeTree(join(dir, 's2'), { 'two.txt': 'second session' });
    writeTree(join(dir, 's3'), { 'three.txt': 'third session', 'one.txt': 'first, replaced' });
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const media of ['dvd+r', 'bd-r', 'dvd-r', 'cd-r'] as const) {
    it(`${media}, three sessions → ISO: every session at its address, the gaps zero and listed; xorriso reads each session`, async () => {
      const f = await burnFixture(media);
      try {
        const session = (name: string) => discSessionFactory(() => engine, { options: { label: name.toUpperCase() }, sources: [{ dest: '/', hostPath: join(dir, name) }] });
        const starts: number[] = [];
        const ends: number[] = [];
        for (const name of ['s1', 's2', 's3']) {
          const r = await f.burner.burn(f.address, session(name), { verify: 'quick', close: 'session', ...(media === 'dvd-r' ? { writeMode: 'incremental' as const } : {}) });
          starts.push(r.copies[0].startLba);
          ends.push(r.copies[0].startLba + r.copies[0].sectors);
        }
        // The sessions are not back to back on the medium: there is something unrecorded between them.
        expect(starts[1]).toBeGreaterThan(ends[0]);

        const out = join(dir, `${media}.iso`);
        const dev = await f.transport.open(f.address);
        let report;
        let verified;
        let changed;
        let changedLba = -1;
        const edited = join(dir, `${media}-edited.iso`);
        try {
          const drive = new Drive(dev, { retryDelayMs: 1 });
          report = await readDisc(drive, { output: out });
          // verify --image against the image just read: the gaps are zeros on both sides, not unreadable sectors.
          verified = await verifyDisc(drive, { against: 'image', image: out });
          // One byte changed in the last session's /three.txt: found in its sector and mapped to the file.
          const copy = readFileSync(out);
          const at = copy.indexOf('third session', starts[2] * 2048);
          copy[at] ^= 0xff;
          writeFileSync(edited, copy);
          changed = await verifyDisc(drive, { against: 'image', image: edited });
          changedLba = Math.floor(at / 2048);
        } finally {
          await dev.close();
        }
        expect(verified).toMatchObject({ ok: true, mismatched: [], unreadable: [] });
        expect(verified.expectedSha256).toBe(sha(readFileSync(out)));
        expect(changed).toMatchObject({ ok: false, mismatched: [{ start: changedLba, end: changedLba + 1 }], unreadable: [] });
        expect(changed.affectedFiles?.map((x) => x.path)).toEqual(['/three.txt']);
        const img = readFileSync(out);
        // Up to the end of the last session, nothing more.
        expect(report.sectors).toBe(ends[2]);
        expect(img.length).toBe(ends[2] * 2048);
        expect(report.bad.unreadableCount).toBe(0);
        expect(report.tracks.map((t) => t.session)).toEqual([1, 2, 3]);
        // The gaps are exactly the sectors between a session's end and the next one's start, zero in the image.
        expect(report.gaps).toEqual([{ start: ends[0], end: starts[1] }, { start: ends[1], end: starts[2] }]);
        for (const g of report.gaps) expect(img.subarray(g.start * 2048, g.end * 2048).every((b) => b === 0)).toBe(true);
        // Every recorded sector is what the recorder holds.
        const raw = readFileSync(f.transport.backingFile(f.name));
        // The recorder keeps a CD's 2352-byte slots with the mode 1 user data first (TAO, data block type 8).
        const slot = media === 'cd-r' ? 2352 : 2048;
        const userData = (lba: number) => raw.subarray(lba * slot, lba * slot + 2048);
        for (let s = 0; s < 3; s++) {
          for (let l = starts[s]; l < ends[s]; l++) if (!img.subarray(l * 2048, (l + 1) * 2048).equals(userData(l))) expect.fail(`sector ${l} differs from the medium`);
        }
        // xorriso: the last session (the newest tree), and the first one still as it was.
        const files = (sb: number) => execFileSync('xorriso', ['-load', 'sbsector', String(sb), '-indev', out, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
          .split('\n').filter((l) => l.startsWith("'")).map((l) => l.slice(1, -1)).sort();
        expect(files(starts[2])).toEqual(['/blob.bin', '/one.txt', '/three.txt', '/two.txt']);
        expect(files(starts[0])).toEqual(['/blob.bin', '/one.txt']);
        const x = execFileSync('xorriso', ['-load', 'sbsector', String(starts[2]), '-indev', out, '-osirrox', 'on', '-extract', '/one.txt', join(dir, `${media}-one.txt`)], { stdio: 'pipe' });
        expect(x).toBeDefined();
        expect(sha(readFileSync(join(dir, `${media}-one.txt`)))).toBe(sha('first, replaced'));
      } finally {
        await disposeFixture(f);
      }
    });
  }
});
