// Issue 13's hostile images, each an attack built in the test (test-support/hostile-images.ts)
// that failed before its fix: memory (one UDF entry named thousands of times), time (overlapping
// directory extents, shared continuation areas), names (Rock Ridge paths and control characters),
// a FIFO or /dev/zero given as a file, an unbounded --start-lba, and the writer's deepest tree.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidImageError, InvalidInputError } from '../../common/errors';
import { ExitCode } from '../../common/exit-codes';
import { escapeName } from '../../common/display-name';
import type { VerifyReport } from '../../common/model/verify';
import { formatVerifyReport } from '../../verify/verify-text';
import { cliMain } from '../../cli/test-support';
import { Drive } from '../../drive/drive';
import { readDiscLayout } from '../../read/disc-layout';
import { driveBlockReader } from '../../read/drive-block-reader';
import { VirtualTransport } from '../../transport/virtual/virtual-transport';
import { imageSpecFor, parseImageOptions } from '../image-spec';
import { importPreviousSession } from '../multisession/multisession';
import { StagingTree } from '../staging/staging-tree';
import { ceEntry, isoSkeleton, jolietNamesImage, nmEntry, overlappingDirectoriesImage, rockRidgeNamesImage, rockRidgeRootSu, sharedEntryUdfImage, writeIsoDirectory, type IsoRecord } from '../test-support/hostile-images';
import { MAX_DIRECTORY_DEPTH } from '../tree-depth';
import { buildImage } from '../writer/write-image';
import { type BlockReader, SECTOR, bufferBlockReader } from './block-reader';
import type { BootReport } from './boot';
import { formatBootReport, formatListing } from './format';
import { openImage } from './image';
import { DEFAULT_LIMITS } from './limits';
import type { TreeFacet, TreeNode } from './types';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gm-hostile-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a command with a deadline: a hang is a result (signal SIGKILL), not a stuck test run. */
function runWithDeadline(args: string[], timeoutMs: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: string }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

const glassmaster = (args: string[], timeoutMs = 30_000) => runWithDeadline(['--import', 'tsx', cliMain, ...args], timeoutMs);

/** A BlockReader that stops the test (not the reader) once it has read `limit` bytes. */
function meteredReader(inner: BlockReader, limit: number): BlockReader & { bytes: number } {
  const r = {
    bytes: 0,
    sectorCount: inner.sectorCount,
    read(lba: number, count: number) {
      r.bytes += count * SECTOR;
      if (r.bytes > limit) return Promise.reject(new Error(`test meter: the reader read more than ${limit} bytes`));
      return inner.read(lba, count);
    },
  };
  return r;
}

async function treeOf(img: Buffer, facet: TreeFacet): Promise<TreeNode> {
  const info = await openImage(bufferBlockReader(img));
  return info.tree(facet);
}

describe('memory: one UDF file entry named by thousands of identifiers', () => {
  it('is refused as a corrupt image within a 256 MB heap (it exhausted the heap: exit 134)', async () => {
    const img = sharedEntryUdfImage(2000);
    expect(img.length).toBeLessThan(1.5 * 1024 * 1024);
    const path = join(tmp, 'shared-entry.udf');
    writeFileSync(path, img);
    const child = fileURLToPath(new URL('./hostile-child.ts', import.meta.url));
    const r = await runWithDeadline(['--max-old-space-size=256', '--import', 'tsx', child, path, 'udf'], 60_000);
    expect({ code: r.code, signal: r.signal, stderr: r.stderr.slice(-300) }).toEqual({ code: 0, signal: null, stderr: '' });
    const result = JSON.parse(r.stdout) as { ok: boolean; name?: string; message?: string; details?: { facet?: string } };
    expect(result).toMatchObject({ ok: false, name: 'InvalidImageError', details: { facet: 'udf' } });
    expect(result.message).toMatch(/udf: the tree holds more than 1000000 entries and extents/);
  }, 90_000);

  it('decodes a shared entry once: its names share one extent list', async () => {
    const root = await treeOf(sharedEntryUdfImage(5, 4), 'udf');
    const files = root.children!;
    expect(files.map((c) => c.name)).toEqual(['f000000', 'f000001', 'f000002', 'f000003', 'f000004']);
    expect(files[0].extents).toHaveLength(4 * 252);
    for (const f of files) expect(f.extents).toBe(files[0].extents);
  });
});

describe('time: directories that overlap or repeat', () => {
  it('refuses directory extents overlapping one already read, naming the facet (it parsed dirs² sectors)', async () => {
    const img = overlappingDirectoriesImage(600);
    const reader = meteredReader(bufferBlockReader(img), 4 * img.length);
    const err = await openImage(reader).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidImageError);
    expect((err as InvalidImageError).message).toMatch(/^iso9660: directory \/D1 at sector \d+ \(\+\d+\) overlaps a directory already read/);
    expect((err as InvalidImageError).details).toMatchObject({ facet: 'iso9660' });
    expect(reader.bytes).toBeLessThan(2 * img.length);
  });

  it('charges Rock Ridge continuation areas: records sharing one 60 KiB area cannot multiply it', async () => {
    const rootLba = 18;
    const areaLba = 24;
    const records: IsoRecord[] = [];
    for (let i = 0; i < 40; i++) records.push({ id: Buffer.from(`F${i};1`, 'latin1'), lba: 0, size: 0, systemUse: Buffer.concat([nmEntry(Buffer.from(`f${i}`)), ceEntry(areaLba, 0, 60_000)]) });
    const sectors = areaLba + Math.ceil(60_000 / SECTOR);
    const img = isoSkeleton(sectors, { lba: rootLba, size: 4 * SECTOR });
    writeIsoDirectory(img, rootLba, { size: 4 * SECTOR, parentLba: rootLba, parentSize: 4 * SECTOR, selfSu: rockRidgeRootSu() }, records);
    const reader = meteredReader(bufferBlockReader(img), 8 * img.length);
    const info = await openImage(reader);
    const err = await info.tree('rockridge').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidImageError);
    expect((err as Error).message).toMatch(/^rockridge: directories total more than \d+ bytes/);
  });

  it('stops at the per-facet directory byte budget on an image of any size', async () => {
    const img = overlappingDirectoriesImage(1); // one directory of one sector beside the root
    await expect(openImage(bufferBlockReader(img), { limits: { maxTreeDirBytes: SECTOR } })).rejects.toThrow(/^iso9660: directories total more than 2048 bytes \(at \/D0\)/);
    await expect(openImage(bufferBlockReader(img), { limits: { maxTreeDirBytes: 2 * SECTOR } })).resolves.toBeDefined();
  });
});

describe('names from Rock Ridge NM entries', () => {
  for (const bad of ['../../etc/passwd', 'a/b', '.', '..', 'nul\0byte', '']) {
    it(`refuses ${JSON.stringify(bad)} (it was listed, and --import staged it)`, async () => {
      const img = rockRidgeNamesImage([Buffer.from('ok'), Buffer.from(bad)]);
      await expect(treeOf(img, 'rockridge')).rejects.toThrow(InvalidImageError);
      await expect(treeOf(img, 'rockridge')).rejects.toThrow(/^rockridge: entry name .* in \/ is not a valid file name/);
    });
  }

  it('Joliet and UDF names go through the same checks', async () => {
    await expect(treeOf(jolietNamesImage(['ok', '../up']), 'joliet')).rejects.toThrow(/^joliet: entry name "..\/up" in \/ is not a valid file name/);
    await expect(treeOf(jolietNamesImage(['ok', 'nul\0']), 'joliet')).rejects.toThrow(InvalidImageError);
    expect((await treeOf(jolietNamesImage(['twin', 'twin']), 'joliet')).children!.map((c) => c.name)).toEqual(['twin', 'twin~2']);
    expect((await treeOf(sharedEntryUdfImage(3, 1, () => 'same'), 'udf')).children!.map((c) => c.name)).toEqual(['same', 'same~2', 'same~3']);
    await expect(treeOf(sharedEntryUdfImage(2, 1, (i) => (i ? 'nul\0x' : 'ok')), 'udf')).rejects.toThrow(/^udf: entry name "nul\\u0000x" in \/ is not a valid file name/);
  });

  it('--import refuses the previous session instead of staging ../../etc/passwd', async () => {
    const path = join(tmp, 'climb.iso');
    writeFileSync(path, rockRidgeNamesImage([Buffer.from('../../etc/passwd')]));
    await expect(importPreviousSession(new StagingTree(), path)).rejects.toThrow(InvalidImageError);
  });

  it('makes repeated names unique (name~2, name~3) with a warning', async () => {
    const img = rockRidgeNamesImage([Buffer.from('same'), Buffer.from('same'), Buffer.from('same~2'), Buffer.from('same')]);
    const info = await openImage(bufferBlockReader(img));
    const root = await info.tree('rockridge');
    expect(root.children!.map((c) => c.name)).toEqual(['same', 'same~2', 'same~2~2', 'same~3']);
    expect(info.warnings.some((w) => w.startsWith('rockridge: / holds the name "same" more than once'))).toBe(true);
  });

  it('--list escapes control characters as ls -b does (ESC and newlines were printed raw)', async () => {
    const path = join(tmp, 'ansi.iso');
    writeFileSync(path, rockRidgeNamesImage([Buffer.from('\x1b[2J\x1b[31mred\nfake-line'), Buffer.from('tab\there\\x')]));
    const info = await openImage(path);
    const text = await formatListing(info, { facet: 'rockridge' });
    await info.close();
    expect(text).not.toMatch(/\x1b/);
    expect(text).toContain('/\\033[2J\\033[31mred\\nfake-line');
    expect(text).toContain('/tab\\there\\\\x');
    const cli = await glassmaster(['image', '--list', path]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).not.toMatch(/\x1b/);
    expect(cli.stdout).toContain('red\\nfake-line');
  }, 60_000);

  it('--inspect escapes GPT partition names, boot image paths and warnings', () => {
    const report = {
      source: 'x.iso', bios: true, uefi: false, hybrid: true, warnings: ['odd name "\x1b[2J"'],
      gpt: { diskGuid: 'g', headerCrcOk: true, entriesCrcOk: true, backup: 'ok', partitions: [{ index: 1, typeName: 'EFI System', firstLba: 1, lastLba: 2, name: 'EFI\x1b[31m\nfake', typeGuid: 't' }] },
    } as unknown as BootReport;
    const text = formatBootReport(report);
    expect(text).not.toMatch(/\x1b/);
    expect(text).toContain('"EFI\\033[31m\\nfake"');
    expect(text).toContain('warning: odd name "\\033[2J"');
  });

  it('verify reports escape the paths they quote from the disc', () => {
    const report = {
      against: 'image', ok: false, summary: 'Verification failed: 1 file differs', files: [{ path: '/evil\x1b]0;owned\x07\nok', status: 'different' }],
      mismatched: [], unreadable: [], affectedFiles: [{ path: '/a\rb', kind: 'file', ranges: [{ start: 1, end: 1 }] }],
    } as unknown as VerifyReport;
    const text = formatVerifyReport(report);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f]/);
    expect(text).toContain('/evil\\033]0;owned\\a\\nok');
    expect(text).toContain('file /a\\rb:');
  });

  it('escapeName follows ls -b and escapes bidi overrides', () => {
    expect(escapeName('a\x07\b\f\n\r\t\v\\z')).toBe('a\\a\\b\\f\\n\\r\\t\\v\\\\z');
    expect(escapeName('\x01\x1b\x7f\x9b')).toBe('\\001\\033\\177\\233');
    expect(escapeName('evil\u202etxt.exe')).toBe('evil\\u{202e}txt.exe');
    expect(escapeName('plain name é 日本')).toBe('plain name é 日本');
  });
});

describe('the disc-read path (a drive\'s BlockReader) has the same budgets', () => {
  it('a pressed DVD-ROM with overlapping directories or a climbing name is refused as corrupt', async () => {
    const vt = new VirtualTransport({ stateDir: join(tmp, 'vr') });
    try {
      const cases = [
        { name: 'overlap', img: overlappingDirectoriesImage(100), facet: 'iso9660' as const, message: /^iso9660: directory \/D1 .* overlaps a directory already read/ },
        { name: 'climb', img: rockRidgeNamesImage([Buffer.from('../../etc/passwd')]), facet: 'rockridge' as const, message: /^rockridge: entry name "..\/..\/etc\/passwd"/ },
      ];
      for (const c of cases) {
        const path = join(tmp, `${c.name}.iso`);
        writeFileSync(path, c.img);
        await vt.create(c.name, { media: null });
        await vt.insertPressed(c.name, 'dvd', path);
        vt.recorder(c.name).clearUnitAttention();
        const dev = await vt.open(`virtual:${c.name}`);
        try {
          const drive = new Drive(dev, { retryDelayMs: 1 });
          const layout = await readDiscLayout(drive);
          const err = await openImage(driveBlockReader(drive, { sectorCount: layout.end })).then((info) => info.tree(c.facet)).then(() => undefined, (e: unknown) => e);
          expect(err, c.name).toBeInstanceOf(InvalidImageError);
          expect((err as Error).message).toMatch(c.message);
        } finally {
          await dev.close();
        }
      }
    } finally {
      await vt.dispose();
    }
  }, 60_000);
});

describe('files that are not image files', () => {
  it('a FIFO given to --list is refused at once (it hung)', async () => {
    const fifo = join(tmp, 'fifo.iso');
    await new Promise<void>((resolve, reject) => execFile('mkfifo', [fifo], (e) => (e ? reject(e) : resolve())));
    const r = await glassmaster(['image', '--list', fifo], 20_000);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: ExitCode.USAGE, signal: null });
    expect(r.stderr).toContain('is not a regular file or block device');
  }, 30_000);

  it('--isohybrid-mbr /dev/zero is refused without reading it (it read 3.86 GB)', async () => {
    const src = join(tmp, 'mbr-src');
    writeFileSync(join(tmp, 'boot.img'), Buffer.alloc(2048));
    await new Promise<void>((resolve) => execFile('mkdir', ['-p', src], () => resolve()));
    writeFileSync(join(src, 'boot.img'), Buffer.alloc(2048));
    const r = await glassmaster(['image', '-o', join(tmp, 'mbr.iso'), '--boot', 'bios:/boot.img,emul=none', '--isohybrid', '--isohybrid-mbr', '/dev/zero', src], 20_000);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: ExitCode.USAGE, signal: null });
    expect(r.stderr).toMatch(/MBR template \/dev\/zero is not a regular file/);
    // A regular file of the wrong size too.
    writeFileSync(join(tmp, 'big.mbr'), Buffer.alloc(4096));
    const big = await glassmaster(['image', '-o', join(tmp, 'mbr.iso'), '--boot', 'bios:/boot.img,emul=none', '--isohybrid', '--isohybrid-mbr', join(tmp, 'big.mbr'), src], 20_000);
    expect(big.code).toBe(ExitCode.USAGE);
    expect(big.stderr).toMatch(/4096 bytes/);
  }, 60_000);

  it('--start-lba past what 32-bit sector addresses hold is a usage error (a RangeError escaped)', async () => {
    const prev = join(tmp, 'prev.iso');
    writeFileSync(prev, rockRidgeNamesImage([Buffer.from('a')]));
    const src = join(tmp, 'lba-src');
    await new Promise<void>((resolve) => execFile('mkdir', ['-p', src], () => resolve()));
    writeFileSync(join(src, 'x'), 'x');
    for (const lba of ['4294967296', '99999999999999999999', '4294967290']) {
      const r = await glassmaster(['image', '-o', join(tmp, 'next.iso'), '--import', prev, '--start-lba', lba, src]);
      expect(r.code).toBe(ExitCode.USAGE);
      expect(r.stderr).toMatch(lba === '4294967290' ? /the image would end at sector 42949\d+ \(starting at 4294967290\), past the 2\^32 sectors/ : /--start-lba \d+ is too large \(at most 4294967295\)/);
      expect(r.stderr).not.toMatch(/RangeError|TypeError/);
    }
  }, 60_000);
});

describe('the writer\'s deepest tree reads back', () => {
  const deepTree = (levels: number) => {
    const t = new StagingTree({ now: new Date(0) });
    const p = Array.from({ length: levels }, (_, i) => `d${i}`).join('/');
    t.mkdir(p);
    t.addBuffer(`${p}/leaf.txt`, Buffer.from('bottom'));
    return t;
  };

  it(`a tree ${MAX_DIRECTORY_DEPTH} levels deep reads in every facet (the reader stopped at 256)`, async () => {
    expect(DEFAULT_LIMITS.maxDepth).toBe(MAX_DIRECTORY_DEPTH);
    const t = deepTree(MAX_DIRECTORY_DEPTH - 1); // the root is level 1
    const parts: Buffer[] = [];
    for await (const c of buildImage(imageSpecFor(parseImageOptions({}), t.root))) parts.push(Buffer.from(c));
    const info = await openImage(bufferBlockReader(Buffer.concat(parts)));
    for (const facet of ['rockridge', 'joliet', 'udf', 'iso9660'] as const) {
      let node = await info.tree(facet);
      let levels = 1;
      while (node.children?.some((c) => c.kind === 'dir')) {
        node = node.children.find((c) => c.kind === 'dir')!;
        levels++;
      }
      if (facet === 'iso9660') expect(levels).toBeLessThanOrEqual(8);
      else {
        expect(levels, facet).toBe(MAX_DIRECTORY_DEPTH);
        const chunks: Buffer[] = [];
        for await (const b of info.readFile(facet, [...Array.from({ length: MAX_DIRECTORY_DEPTH - 1 }, (_, i) => `d${i}`), 'leaf.txt'])) chunks.push(b);
        expect(Buffer.concat(chunks).toString()).toBe('bottom');
      }
    }
  }, 60_000);

  it('one level deeper is refused by the writer with a typed error (it overflowed the stack at 2,000)', async () => {
    const t = deepTree(MAX_DIRECTORY_DEPTH);
    const run = async () => {
      for await (const c of buildImage(imageSpecFor(parseImageOptions({}), t.root))) void c;
    };
    await expect(run()).rejects.toThrow(InvalidInputError);
    await expect(run()).rejects.toThrow(`directory nesting deeper than ${MAX_DIRECTORY_DEPTH} levels`);
    const t2 = deepTree(2000);
    await expect((async () => {
      for await (const c of buildImage(imageSpecFor(parseImageOptions({}), t2.root))) void c;
    })()).rejects.toThrow(InvalidInputError);
  }, 60_000);
});
