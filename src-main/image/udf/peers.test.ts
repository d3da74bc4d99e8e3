// UDF images checked by independent readers: udfinfo (udftools) for the volume structures and
// 7-Zip for the file tree, names, timestamps and contents (SHA-256). Symlinks are left out of the
// 7-Zip trees on purpose: 7-Zip refuses any UDF ICB file type other than directory/file/real-time
// (it fails the whole archive); symlinks are covered by the kernel test and plan.test.ts.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import type { UdfRevision } from './index';
import { TEST_MTIME, type TestNode, writeUdfTestImage } from './test-image';

const ok = requireTools('udfinfo', '7z');
const tmp = mkdtempSync(join(tmpdir(), 'gm-udf-peers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function udfinfo(path: string): Record<string, string> {
  const out = execFileSync('udfinfo', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const kv: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([a-z]+)=(.*)$/.exec(line);
    if (m) kv[m[1]] = m[2];
  }
  return kv;
}

/** `7z l -slt`: one record per item. */
function list7z(path: string): Record<string, string>[] {
  const out = execFileSync('7z', ['l', '-slt', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const body = out.slice(out.indexOf('----------\n') + 11);
  return body
    .split('\n\n')
    .map((rec) => Object.fromEntries(rec.split('\n').filter((l) => l.includes(' = ')).map((l) => [l.slice(0, l.indexOf(' = ')), l.slice(l.indexOf(' = ') + 3)])))
    .filter((r) => r.Path !== undefined);
}

function extract7z(path: string): string {
  const out = join(tmp, `x-${Math.random().toString(36).slice(2)}`);
  mkdirSync(out);
  execFileSync('7z', ['x', '-y', `-o${out}`, path], { stdio: 'ignore' });
  return out;
}

/** Relative path → sha256 (files) or 'dir', for a tree on the host. */
function hostTree(root: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        m.set(relative(root, p), 'dir');
        walk(p);
      } else m.set(relative(root, p), sha(readFileSync(p)));
    }
  };
  walk(root);
  return m;
}

function expectedTree(root: TestNode): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (n: TestNode, prefix: string) => {
    for (const c of n.children ?? []) {
      const p = prefix ? `${prefix}/${c.name}` : c.name;
      if (c.children) {
        m.set(p, 'dir');
        walk(c, p);
      } else m.set(p, sha(c.data ?? Buffer.alloc(0)));
    }
  };
  walk(root, '');
  return m;
}

let seed = 1;
const data = (n: number) => {
  // Deterministic bytes so a failure reproduces.
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    b[i] = seed >>> 24;
  }
  return b;
};

function sampleTree(): TestNode {
  let deep: TestNode = { name: 'leaf.txt', data: Buffer.from('bottom of the tree\n') };
  for (let i = 39; i >= 0; i--) deep = { name: `d${String(i).padStart(2, '0')}`, children: [deep] };
  const many: TestNode[] = [];
  // 300 entries with names of varying length: the directory spans several blocks and FIDs cross
  // block boundaries (allowed by ECMA-167 4/14.4).
  for (let i = 0; i < 300; i++) many.push({ name: `entry-${i}-${'n'.repeat(i % 37)}.dat`, data: data(i % 7) });
  return {
    name: '',
    children: [
      { name: 'hello.txt', data: Buffer.from('hello, UDF\n') },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: 'exact-block.bin', data: data(2048) },
      { name: 'multi-block.bin', data: data(3 * 2048 + 17) },
      { name: 'Ελληνικά.txt', data: Buffer.from('καλημέρα\n') },
      { name: '日本語のファイル.txt', data: data(100) },
      { name: 'emoji-😀🎉.bin', data: data(33) },
      { name: 'café', data: Buffer.from('latin-1 name, 8-bit OSTA form') },
      { name: 'many', children: many },
      { name: 'emptydir', children: [] },
      // Twenty 100-byte FIDs after the 40-byte parent would leave 8 bytes in the block: the 20th
      // carries a 32-byte Implementation Use (OSTA UDF §2.3.4.4), which readers must skip.
      { name: 'padded', children: Array.from({ length: 24 }, (_, i) => ({ name: `p${String(i).padStart(2, '0')}`.padEnd(61, '_'), data: Buffer.from(`p${i}\n`) })) },
      deep,
    ],
  };
}

const REVS: { rev: UdfRevision; mirror?: boolean }[] = [{ rev: '1.02' }, { rev: '1.50' }, { rev: '2.00' }, { rev: '2.01' }, { rev: '2.50' }, { rev: '2.50', mirror: true }];

describe.skipIf(!ok)('UDF images read by udfinfo and 7-Zip', () => {
  for (const { rev, mirror } of REVS) {
    it(`UDF ${rev}${mirror ? ' with metadata mirror' : ''}: udfinfo reports the volume, 7-Zip extracts every file intact`, () => {
      const tree = sampleTree();
      const path = join(tmp, `udf-${rev}${mirror ? '-m' : ''}.img`);
      writeUdfTestImage(path, tree, { label: 'GM_UDF_Ω', revision: rev, recordingTime: new Date(Date.UTC(2025, 5, 1, 8, 0, 0)), metadataMirror: mirror });

      const info = udfinfo(path);
      expect(info.udfrev).toBe(rev);
      expect(info.udfwriterev).toBe(rev);
      expect(info.label).toBe('GM_UDF_Ω');
      expect(info.lvid).toBe('GM_UDF_Ω');
      expect(info.integrity).toBe('closed');
      expect(info.accesstype).toBe('readonly');
      expect(info.impid).toBe('*Glassmaster');
      // Root, many, emptydir, padded and d00..d39 = 44 directories; 8 top-level files + 300 + 24 + leaf = 333.
      expect(info.numdirs).toBe('44');
      expect(info.numfiles).toBe('333');

      const listing = list7z(path);
      const hello = listing.find((r) => r.Path === 'hello.txt')!;
      expect(hello.Size).toBe('11');
      // Timestamps survive to the hundred microseconds: 12:34:56.780 UTC (ECMA-167 1/7.3).
      expect(hello.Modified).toBe('2024-05-17 12:34:56.780000');
      expect(TEST_MTIME.getUTCMilliseconds()).toBe(780);

      const out = extract7z(path);
      expect(hostTree(out)).toEqual(expectedTree(tree));
    });
  }

  it('255-byte names (254 Latin-1 or 127 UTF-16 units) list with exact names', () => {
    const long8 = 'L'.repeat(254);
    const long16 = '界'.repeat(126) + 'Z';
    const surrogates = '😀'.repeat(63) + 'Ω'; // 127 units: 63 surrogate pairs + 1
    const tree: TestNode = { name: '', children: [{ name: long8, data: Buffer.from('a') }, { name: long16, data: Buffer.from('b') }, { name: surrogates, data: Buffer.from('c') }] };
    const path = join(tmp, 'long-names.img');
    writeUdfTestImage(path, tree, { label: 'LONG', revision: '2.01', recordingTime: new Date() });
    expect(list7z(path).map((r) => r.Path).sort()).toEqual([long8, long16, surrogates].sort());
  });

  it('longer names (a Linux file name of 171 characters, Greek and Japanese) are cut to fit, unique, and read by 7-Zip with their contents', () => {
    const greek = `ρίζα-日本語-${'x'.repeat(160)}.txt`;
    const twin = `ρίζα-日本語-${'x'.repeat(161)}.txt`;
    const tree: TestNode = { name: '', children: [{ name: greek, data: Buffer.from('first') }, { name: twin, data: Buffer.from('second') }] };
    const path = join(tmp, 'cut-names.img');
    writeUdfTestImage(path, tree, { label: 'CUT', revision: '2.01', recordingTime: new Date() });
    const cut = `ρίζα-日本語-${'x'.repeat(114)}.txt`; // 127 UTF-16 units
    const counted = `ρίζα-日本語-${'x'.repeat(112)}~1.txt`;
    expect(list7z(path).map((r) => r.Path).sort()).toEqual([cut, counted].sort());
    expect(execFileSync('7z', ['x', '-so', path, cut]).toString()).toBe('first');
    expect(execFileSync('7z', ['x', '-so', path, counted]).toString()).toBe('second');
  });

  it('a file larger than 4 GiB: size, head and tail bytes through 7-Zip', () => {
    const size = 4 * 2 ** 30 + 3 * 2 ** 20 + 123; // 5 extents
    const head = randomBytes(4096);
    const tail = randomBytes(4096);
    const path = join(tmp, 'big.img');
    writeUdfTestImage(path, { name: '', children: [{ name: 'big.bin', sparse: { size, head, tail } }, { name: 'after.txt', data: Buffer.from('after') }] }, {
      label: 'BIG',
      revision: '2.50',
      recordingTime: new Date(),
    });
    const rec = list7z(path).find((r) => r.Path === 'big.bin')!;
    expect(rec.Size).toBe(String(size));
    const headOut = execFileSync('sh', ['-c', `7z x -so '${path}' big.bin 2>/dev/null | head -c 4096`], { maxBuffer: 1 << 20 });
    expect(headOut.equals(head)).toBe(true);
    const tailOut = execFileSync('sh', ['-c', `7z x -so '${path}' big.bin | tail -c 4096`], { maxBuffer: 1 << 20 });
    expect(tailOut.equals(tail)).toBe(true);
    expect(execFileSync('7z', ['x', '-so', path, 'after.txt']).toString()).toBe('after');
  }, 180_000);
});
