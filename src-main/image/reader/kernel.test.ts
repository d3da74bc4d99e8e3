// The Linux kernel as an independent reader: a QEMU guest mounts reference images (xorriso RR+Joliet,
// genisoimage UDF bridge, a UDF 2.50 metadata-partition image, a mkudffs VAT image) every way isofs
// and udf allow, lists each view with SHA-256 of every file, and our reader must list the same.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { runInGuest } from '../../testing/qemu-guest';
import { openImage } from './image';
import { makeSourceTree, run, sha256, tempDir } from './test-fixtures';
import type { TreeFacet, TreeNode } from './types';
import { convertToMetadataPartition } from './udf-metadata-fixture';

const ok = requireTools('qemu-system-x86_64', 'xorriso', 'genisoimage', 'mkudffs');

type View = Record<string, string>; // path → "d" | "f <size> <sha256>" | "l <target>"

const LIST = (dev: string, opts: string, out: string) =>
  `mount -t ${opts} ${dev} /run/m && (cd /run/m && find . -mindepth 1 -printf '%y\\t%P\\t%s\\t%l\\n' && find . -type f -print0 | xargs -0 -r sha256sum) > "$GM_OUT/${out}"; umount /run/m`;

function parseKernel(text: string): View {
  const v: View = {};
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}\.\/(.*)$/.exec(line);
    if (m) {
      sums.set(m[2], m[1]);
      continue;
    }
    const [y, p, size, target] = line.split('\t');
    if (!p) continue;
    v[p] = y === 'd' ? 'd' : y === 'l' ? `l ${target}` : `f ${size}`;
  }
  for (const [p, h] of sums) v[p] += ` ${h}`;
  return v;
}

async function ourView(image: string, facet: TreeFacet, nameOf: (n: TreeNode) => string = (n) => n.name): Promise<View> {
  const info = await openImage(image);
  const v: View = {};
  // readFile takes our names; the view is keyed by nameOf.
  const walkNames = async (n: TreeNode, ours: string[], keys: string[]) => {
    for (const c of n.children ?? []) {
      const o = [...ours, c.name];
      const k = [...keys, nameOf(c)];
      const key = k.join('/');
      if (c.kind === 'dir') {
        v[key] = 'd';
        await walkNames(c, o, k);
      } else if (c.kind === 'symlink') v[key] = `l ${c.symlinkTarget}`;
      else {
        const parts: Buffer[] = [];
        for await (const b of info.readFile(facet, o)) parts.push(b);
        v[key] = `f ${c.size} ${sha256(Buffer.concat(parts))}`;
      }
    }
  };
  await walkNames(await info.tree(facet), [], []);
  await info.close();
  return v;
}

describe.skipIf(!ok)('our reader vs the Linux kernel (QEMU guest)', () => {
  const t = tempDir('kernel');
  const img = (n: string) => join(t.dir, n);
  const srcDir = () => join(t.dir, 'src');
  let out: string;
  let r: Awaited<ReturnType<typeof runInGuest>>;

  beforeAll(async () => {
    const src = srcDir();
    makeSourceTree(src);
    run('xorriso', ['-as', 'mkisofs', '-J', '-R', '-o', img('rr.iso'), src]);
    run('genisoimage', ['-quiet', '-udf', '-o', img('bridge.iso'), src]);
    execFileSync('mkudffs', ['--new-file', '-b', '2048', '-m', 'bdr', '-r', '2.50', '--label=VAT', img('vat.img'), '2048'], { stdio: 'ignore' });
    const bridge = readFileSync(img('bridge.iso'));
    const info = await openImage(img('bridge.iso'));
    const dirs: TreeNode[] = [];
    const collect = (n: TreeNode) => {
      dirs.push(n);
      for (const c of n.children ?? []) if (c.kind === 'dir') collect(c);
    };
    collect(await info.tree('udf'));
    await info.close();
    writeFileSync(img('meta.img'), convertToMetadataPartition(bridge, dirs).img);
    // Empty UDF 1.02/1.50/2.01 file systems the guest kernel populates (Linux writes UDF ≤ 2.01).
    for (const rev of ['1.02', '1.50', '2.01']) execFileSync('mkudffs', ['--new-file', '-b', '2048', '-m', 'hd', '-r', rev, img(`rw-${rev}.img`), '4096'], { stdio: 'ignore' });
    // And one whose root uses long_ad, mounted with -o longad so the kernel writes long_ads too.
    execFileSync('mkudffs', ['--new-file', '-b', '2048', '-m', 'hd', '-r', '2.01', '--ad=long', img('rw-long.img'), '4096'], { stdio: 'ignore' });
    r = await runInGuest({
      disks: [
        ...['rr.iso', 'bridge.iso', 'meta.img', 'vat.img'].map((n) => ({ file: img(n) })),
        ...['1.02', '1.50', '2.01', 'long'].map((rev) => ({ file: img(`rw-${rev}.img`), readonly: false })),
      ],
      timeoutMs: 300_000,
      script: [
        'mkdir -p /run/m',
        LIST('/dev/vda', 'iso9660 -o ro', 'rr.txt'),
        // check=strict: Joliet is otherwise matched case-insensitively (environment notes).
        LIST('/dev/vda', 'iso9660 -o ro,norock,check=strict', 'joliet.txt'),
        LIST('/dev/vda', 'iso9660 -o ro,norock,nojoliet,map=off', 'plain.txt'),
        LIST('/dev/vdb', 'udf -o ro', 'bridge-udf.txt'),
        LIST('/dev/vdc', 'udf -o ro', 'meta-udf.txt'),
        LIST('/dev/vdd', 'udf -o ro', 'vat-udf.txt'),
        // Linux as a UDF writer: copy the source tree (symlinks kept) onto each rw image.
        ...['vde', 'vdf', 'vdg'].map((d) => `mount -t udf -o rw /dev/${d} /run/m && cp -a ${src}/. /run/m/ && umount /run/m || echo "write ${d} failed" >&2`),
        `mount -t udf -o rw,longad /dev/vdh /run/m && cp -a ${src}/. /run/m/ && umount /run/m || echo "write vdh failed" >&2`,
        // A sparse file: the kernel records the hole as an unrecorded extent (ECMA-167 4/14.14.1.1);
        // a file of 300 islands needs ~600 descriptors, more than an ICB holds, so the list continues
        // in allocation extent descriptors (4/14.5).
        `mount -t udf -o rw /dev/vdg /run/m && truncate -s 3000000 /run/m/sparse.bin && printf tail >> /run/m/sparse.bin && i=0 && while [ $i -lt 300 ]; do printf x | dd of=/run/m/islands.bin bs=1 seek=$((i*8192)) conv=notrunc 2>/dev/null; i=$((i+1)); done && umount /run/m || echo "sparse failed" >&2`,
        'dmesg | grep -i -E "isofs|udf|iso9660" > "$GM_OUT/dmesg.txt"; exit 0',
      ].join('\n'),
    });
    out = r.outDir;
  }, 400_000);
  afterAll(() => {
    t.cleanup();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const kernel = (f: string) => parseKernel(readFileSync(join(out, f), 'utf8'));

  it('Rock Ridge view', async () => {
    expect(r.exitCode, r.console.slice(-2000)).toBe(0);
    const k = kernel('rr.txt');
    expect(Object.keys(k).length).toBeGreaterThan(10);
    expect(await ourView(img('rr.iso'), 'rockridge')).toEqual(k);
  });

  it('Joliet view', async () => {
    expect(await ourView(img('rr.iso'), 'joliet')).toEqual(kernel('joliet.txt'));
  });

  it('plain ECMA-119 view (identifiers verbatim)', async () => {
    expect(await ourView(img('rr.iso'), 'iso9660', (n) => n.isoName ?? n.name)).toEqual(kernel('plain.txt'));
  });

  it('UDF views: genisoimage bridge, UDF 2.50 metadata partition, mkudffs VAT', async () => {
    const bridge = kernel('bridge-udf.txt');
    expect(Object.keys(bridge).length).toBeGreaterThan(10);
    expect(await ourView(img('bridge.iso'), 'udf')).toEqual(bridge);
    // The kernel mounts the converted image too: the conversion is a valid metadata partition.
    expect(kernel('meta-udf.txt')).toEqual(bridge);
    expect(await ourView(img('meta.img'), 'udf')).toEqual(kernel('meta-udf.txt'));
    expect(await ourView(img('vat.img'), 'udf')).toEqual(kernel('vat-udf.txt'));
  });

  it('UDF written by the Linux kernel (1.02, 1.50, 2.01) reads back as the source tree', async () => {
    expect(r.stderr).not.toMatch(/write .* failed/);
    const expected: View = {};
    const walk = (dir: string, prefix: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = prefix ? `${prefix}/${e.name}` : e.name;
        const full = join(dir, e.name);
        if (e.isSymbolicLink()) expected[p] = `l ${readlinkSync(full)}`;
        else if (e.isDirectory()) {
          expected[p] = 'd';
          walk(full, p);
        } else {
          const data = readFileSync(full);
          expected[p] = `f ${data.length} ${sha256(data)}`;
        }
      }
    };
    walk(srcDir(), '');
    const sparse = Buffer.concat([Buffer.alloc(3_000_000), Buffer.from('tail')]);
    const islands = Buffer.alloc(299 * 8192 + 1);
    for (let i = 0; i < 300; i++) islands[i * 8192] = 0x78;
    for (const rev of ['1.02', '1.50', '2.01']) {
      const want = rev === '2.01' ? { ...expected, 'sparse.bin': `f ${sparse.length} ${sha256(sparse)}`, 'islands.bin': `f ${islands.length} ${sha256(islands)}` } : expected;
      expect(await ourView(img(`rw-${rev}.img`), 'udf'), rev).toEqual(want);
      const info = await openImage(img(`rw-${rev}.img`));
      expect(info.udf!.revision).toBe(rev);
      // Linux leaves a short length on a mid-file extent of islands.bin; we read it as Linux does.
      for (const w of info.warnings) expect(w).toMatch(/islands\.bin has a non-final extent/);
      const kids = (await info.tree('udf')).children!;
      // Small files sit inside their ICB (mkudffs --ad=inicb default): the embedded path is exercised.
      expect(kids.find((c) => c.name === 'readme.txt')?.extents[0]?.embedded).toBe(true);
      if (rev === '2.01') {
        expect(kids.find((c) => c.name === 'sparse.bin')?.extents.some((e) => e.sparse)).toBe(true);
        expect(kids.find((c) => c.name === 'islands.bin')!.extents.length).toBeGreaterThan(300);
        const raw = readFileSync(img('rw-2.01.img'));
        let aeds = 0;
        for (let o = 0; o < raw.length; o += 2048) if (raw.readUInt16LE(o) === 258) aeds++; // AED tag (4/7.2.1)
        expect(aeds).toBeGreaterThan(0);
      }
      await info.close();
    }
    // long_ad (ECMA-167 4/14.14.2): count the (E)FEs whose ICB flags say so, then compare the tree.
    const raw = readFileSync(img('rw-long.img'));
    let longAds = 0;
    for (let o = 0; o < raw.length; o += 2048) {
      const tag = raw.readUInt16LE(o);
      if ((tag === 261 || tag === 266) && (raw.readUInt16LE(o + 34) & 7) === 1) longAds++;
    }
    expect(longAds).toBeGreaterThan(3);
    expect(await ourView(img('rw-long.img'), 'udf')).toEqual(expected);
  });
});
