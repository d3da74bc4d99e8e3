// Hostile and corrupt images: every failure must be an InvalidImageError, in bounded time.
// Directed cases (loops, CE loops, bad CRCs, truncation) plus a seeded fuzz over real images.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidImageError, InvalidInputError, NotFoundError } from '../../common/errors';
import { requireTools } from '../../testing/peer-tools';
import { bufferBlockReader } from './block-reader';
import { inspectBoot } from './boot';
import { openImage } from './image';
import { decodeDirRecord } from './iso9660';
import { makeSourceTree, requireFile, run, tempDir } from './test-fixtures';
import type { TreeNode } from './types';

const ok = requireTools('xorriso', 'genisoimage', 'mkudffs', 'mkfs.vfat') && requireFile('/usr/lib/ISOLINUX/isolinux.bin', 'isolinux');

let rejections = 0;

let exercised = 0;

/**
 * Opens, walks every tree, reads up to a few files and inspects boot; returns the first unexpected
 * error. Every other image is opened with udfDetails, so the raw-field decoding meets hostile bytes too.
 */
async function exercise(img: Buffer): Promise<unknown> {
  try {
    const reader = bufferBlockReader(img);
    try {
      await inspectBoot(reader);
    } catch (err) {
      if (!(err instanceof InvalidImageError)) return err;
    }
    const info = await openImage(reader, { udfDetails: exercised++ % 2 === 1 });
    for (const facet of ['iso9660', 'joliet', 'rockridge', 'udf'] as const) {
      if (facet === 'iso9660' ? !info.facets.includes('iso9660') : !info.facets.includes(facet)) continue;
      let root: TreeNode;
      try {
        root = await info.tree(facet);
      } catch (err) {
        if (err instanceof InvalidImageError) {
          rejections++;
          continue;
        }
        return err;
      }
      const files: string[] = [];
      const walk = (n: TreeNode, p: string) => {
        for (const c of n.children ?? []) {
          if (c.kind === 'file' && files.length < 4) files.push(`${p}/${c.name}`);
          if (c.kind === 'dir') walk(c, `${p}/${c.name}`);
        }
      };
      walk(root, '');
      for (const path of files) {
        try {
          let total = 0;
          for await (const b of info.readFile(facet, path)) total += b.length;
          void total;
        } catch (err) {
          // A mutated name can make lookups ambiguous; everything else must be an image error.
          if (!(err instanceof InvalidImageError || err instanceof NotFoundError || err instanceof InvalidInputError)) return err;
        }
      }
    }
    return undefined;
  } catch (err) {
    if (err instanceof InvalidImageError) {
      rejections++;
      return undefined;
    }
    return err;
  }
}

/** xorshift32: the same seed gives the same mutations on every run and machine. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

describe.skipIf(!ok)('robustness', () => {
  const t = tempDir('robust');
  const images: Record<string, Buffer> = {};

  beforeAll(() => {
    const src = join(t.dir, 'src');
    makeSourceTree(src);
    run('xorriso', ['-as', 'mkisofs', '-J', '-R', '-o', join(t.dir, 'rr.iso'), src]);
    run('genisoimage', ['-quiet', '-udf', '-J', '-R', '-o', join(t.dir, 'udf.iso'), src]);
    execFileSync('mkudffs', ['--new-file', '-b', '2048', '-m', 'bdr', '-r', '2.50', join(t.dir, 'vat.img'), '600'], { stdio: 'ignore' });
    const bsrc = join(t.dir, 'bsrc');
    mkdirSync(bsrc);
    copyFileSync('/usr/lib/ISOLINUX/isolinux.bin', join(bsrc, 'isolinux.bin'));
    run('mkfs.vfat', ['-C', join(bsrc, 'efi.img'), '1440']);
    writeFileSync(join(bsrc, 'a.txt'), 'a');
    run('xorriso', ['-as', 'mkisofs', '-o', join(t.dir, 'boot.iso'), '-isohybrid-mbr', '/usr/lib/ISOLINUX/isohdpfx.bin', '-b', 'isolinux.bin', '-no-emul-boot', '-boot-load-size', '4', '-eltorito-alt-boot', '-e', 'efi.img', '-no-emul-boot', '-isohybrid-gpt-basdat', bsrc]);
    for (const n of ['rr.iso', 'udf.iso', 'vat.img', 'boot.iso']) images[n] = readFileSync(join(t.dir, n));
  });
  afterAll(() => t.cleanup());

  it('the unmutated images parse cleanly (baseline for the fuzz)', async () => {
    for (const [name, img] of Object.entries(images)) expect(await exercise(img), name).toBeUndefined();
  });

  it('a directory pointing back at its ancestor is a loop, not a hang', async () => {
    const img = Buffer.from(images['rr.iso']);
    const rootLba = img.readUInt32LE(16 * 2048 + 156 + 2);
    // Find the first subdirectory record of the root and aim it at the root itself.
    let off = rootLba * 2048;
    for (let p = off; ; ) {
      const rec = decodeDirRecord(img, p)!;
      if ((rec.flags & 2) && rec.nameBytes[0] > 1) {
        off = p;
        break;
      }
      p += rec.recordLength;
    }
    img.writeUInt32LE(rootLba, off + 2);
    img.writeUInt32BE(rootLba, off + 6);
    const info = await openImage(bufferBlockReader(img)).catch((e) => e);
    expect(info).toBeInstanceOf(InvalidImageError);
    expect((info as Error).message).toMatch(/loop/);
  });

  it('a SUSP continuation area pointing at itself is a loop (SUSP §5.1)', async () => {
    const img = Buffer.from(images['rr.iso']);
    const rootLba = img.readUInt32LE(16 * 2048 + 156 + 2);
    const base = rootLba * 2048;
    const dot = decodeDirRecord(img, base)!;
    // Replace the root "." record's first entry after SP with a CE to a sector holding a CE to itself.
    const suOff = base + 34; // "." has a 1-byte name + no padding: system use starts at 34
    expect(img.toString('latin1', suOff, suOff + 2)).toBe('SP');
    const ceAt = suOff + 7;
    const freeLba = img.length / 2048 - 1; // xorriso pads the end with zeros
    const ce = (lba: number) => {
      const b = Buffer.alloc(28);
      b.write('CE', 0, 'latin1');
      b[2] = 28;
      b[3] = 1;
      b.writeUInt32LE(lba, 4);
      b.writeUInt32BE(lba, 8);
      b.writeUInt32LE(0, 12);
      b.writeUInt32BE(0, 16);
      b.writeUInt32LE(28, 20);
      b.writeUInt32BE(28, 24);
      return b;
    };
    expect(dot.recordLength - 34 - 7).toBeGreaterThanOrEqual(28);
    ce(freeLba).copy(img, ceAt);
    ce(freeLba).copy(img, freeLba * 2048);
    const err = await openImage(bufferBlockReader(img)).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidImageError);
    expect((err as Error).message).toMatch(/continuation area loop/);
  });

  it('a bad UDF descriptor CRC is reported, and an ISO bridge still opens', async () => {
    const vat = Buffer.from(images['vat.img']);
    vat[256 * 2048 + 20] ^= 0xff; // AVDP body byte: ECMA-167 3/7.2.6 CRC no longer matches
    const err = await openImage(bufferBlockReader(vat)).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidImageError);
    const bridge = Buffer.from(images['udf.iso']);
    bridge[256 * 2048 + 20] ^= 0xff;
    // genisoimage also writes an AVDP at N-1 (ECMA-167 3/8.4.2.1), so UDF survives the damage.
    const info = await openImage(bufferBlockReader(bridge));
    expect(info.facets).toContain('udf');
    expect(info.udf!.avdpLocations).not.toContain(256);
  });

  it('truncated images fail cleanly at every length', async () => {
    for (const [name, img] of Object.entries(images)) {
      for (const sectors of [0, 1, 16, 17, 18, 19, 20, 24, 40, 257, 300]) {
        const cut = img.subarray(0, Math.min(img.length, sectors * 2048));
        expect(await exercise(cut), `${name} cut at ${sectors}`).toBeUndefined();
      }
    }
  });

  it('seeded fuzz: 1200 mutated images each parse or throw InvalidImageError within the time limit', async () => {
    const rnd = prng(Number(process.env.GM_FUZZ_SEED ?? 0x9e3779b9));
    const PER_CASE_LIMIT_MS = 5000; // a generous safety bound against hangs, not a speed target
    let failures = 0;
    let worst = 0;
    rejections = 0;
    for (const [name, original] of Object.entries(images)) {
      // Aim at metadata: non-zero sectors that hold no file content (descriptors, directories,
      // path tables, SUSP areas, UDF ICBs, catalog, system area), with some hits anywhere.
      const sectors = original.length / 2048;
      const data = new Set<number>();
      const info = await openImage(bufferBlockReader(original));
      for (const facet of ['rockridge', 'udf'] as const) {
        if (!info.facets.includes(facet)) continue;
        const walk = (n: TreeNode) => {
          for (const c of n.children ?? []) {
            if (c.kind === 'file') for (const e of c.extents) for (let k = 0; k < Math.ceil(e.length / 2048); k++) if (!e.sparse && !e.embedded) data.add(e.lba + k);
            walk(c);
          }
        };
        walk(await info.tree(facet));
      }
      const hot: number[] = [];
      for (let k = 0; k < sectors; k++) if (!data.has(k) && original.subarray(k * 2048, (k + 1) * 2048).some((b) => b !== 0)) hot.push(k);
      for (let i = 0; i < Number(process.env.GM_FUZZ_N ?? 300); i++) {
        const img = Buffer.from(original);
        const n = 1 + Math.floor(rnd() * 16);
        for (let k = 0; k < n; k++) {
          const sector = rnd() < 0.9 ? hot[Math.floor(rnd() * hot.length)] : Math.floor(rnd() * sectors);
          const pos = Math.max(0, sector) * 2048 + Math.floor(rnd() * 2048);
          const kind = rnd();
          if (kind < 0.5) img[pos] = Math.floor(rnd() * 256);
          else if (kind < 0.7) img[pos] ^= 1 << Math.floor(rnd() * 8);
          else if (kind < 0.85 && pos + 4 <= img.length) img.writeUInt32LE(Math.floor(rnd() * 2 ** 32), pos);
          else img.fill(rnd() < 0.5 ? 0 : 0xff, pos, Math.min(img.length, pos + 1 + Math.floor(rnd() * 64)));
        }
        const t0 = performance.now();
        const err = await exercise(img);
        const ms = performance.now() - t0;
        worst = Math.max(worst, ms);
        if (err || ms > PER_CASE_LIMIT_MS) {
          failures++;
          if (failures <= 5) console.error(`fuzz ${name} #${i}: ${ms.toFixed(0)} ms`, err);
        }
      }
    }
    const cases = Object.keys(images).length * Number(process.env.GM_FUZZ_N ?? 300);
    console.log(`fuzz: ${cases} cases, ${rejections} InvalidImageError rejections, worst case ${worst.toFixed(1)} ms`);
    expect(failures).toBe(0);
    // The mutations must really hit the parsers: a fair share is rejected, the rest still parses.
    expect(rejections).toBeGreaterThan(cases / 12);
    expect(rejections).toBeLessThan(cases);
  }, 300_000);
});
