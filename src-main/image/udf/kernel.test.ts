// The Linux kernel's udf.ko as an independent reader: one QEMU guest mounts an image of every
// revision (plus a 2.50 mirror, a > 4 GiB file and an AED-chained file) read-only over
// virtio-blk and reports names, types, sizes, modes, owners, times, symlink targets, hidden
// entries and SHA-256 of the contents.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { runInGuest } from '../../testing/qemu-guest';
import { MAX_EXTENT_BYTES, type UdfRevision } from './index';
import { type TestNode, writeUdfTestImage } from './test-image';

const ok = requireTools('qemu-system-x86_64', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function tree(): TestNode {
  let deep: TestNode = { name: 'leaf', data: Buffer.from('deep\n') };
  for (let i = 9; i >= 0; i--) deep = { name: `level${i}`, children: [deep] };
  const many: TestNode[] = [];
  for (let i = 0; i < 60; i++) many.push({ name: `f${i}-${'x'.repeat(i % 50)}`, data: Buffer.from(`file ${i}\n`) });
  return {
    name: '',
    children: [
      { name: 'plain.txt', data: Buffer.from('plain text\n'), mode: 0o640, uid: 1000, gid: 100 },
      { name: 'script.sh', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o4755, uid: 0, gid: 0 },
      { name: 'blocks.bin', data: randomBytes(5 * 2048 + 99) },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: '.secret', data: Buffer.from('hidden\n'), hidden: true },
      { name: 'Ελληνικά', data: Buffer.from('greek\n') },
      { name: '中文文件名', data: Buffer.from('cjk\n') },
      { name: 'emoji😀', data: Buffer.from('emoji\n') },
      { name: 'café-ÿ', data: Buffer.from('8-bit OSTA form: U+00E9, U+00FF\n') },
      { name: 'L'.repeat(200), data: Buffer.from('long\n') },
      { name: 'abs-link', symlinkTarget: '/usr/bin/env' },
      { name: 'rel-link', symlinkTarget: '../many/./f1-x' },
      { name: 'sticky', children: [], mode: 0o1777 },
      // Twenty 100-byte FIDs after the 40-byte parent would leave 8 bytes in the block: the 20th
      // carries a 32-byte Implementation Use (OSTA UDF §2.3.4.4), which readers must skip.
      { name: 'padded', children: Array.from({ length: 24 }, (_, i) => ({ name: `p${String(i).padStart(2, '0')}`.padEnd(61, '_'), data: Buffer.from(`p${i}\n`) })) },
      { name: 'many', children: many },
      deep,
    ],
  };
}

/** What the kernel should list: relative path → type/size/sha (files), type (dirs), target (links). */
function expected(t: TestNode, includeHidden: boolean): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (n: TestNode, prefix: string) => {
    for (const c of n.children ?? []) {
      if (c.hidden && !includeHidden) continue;
      const p = prefix ? `${prefix}/${c.name}` : c.name;
      if (c.children) {
        m.set(p, 'd');
        walk(c, p);
      } else if (c.symlinkTarget !== undefined) m.set(p, `l ${c.symlinkTarget}`);
      else m.set(p, `f ${c.data!.length} ${sha(c.data!)}`);
    }
  };
  walk(t, '');
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * A seeded random tree with awkward names (shell metacharacters, quotes, backslashes, mixed
 * scripts, long names) and random symlink targets; returns the tree and what the kernel should list.
 */
function randomTree(seed: number): { tree: TestNode; want: Map<string, string> } {
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const alphabet = [...'aZ0_-. #$%()[]\'"\\:*?<>|', 'é', 'ÿ', 'Ω', 'ж', '漢', '字', '😀', '🎉', 'ß', '٣', 'ก'];
  const name = () => Array.from({ length: 1 + rnd(rnd(4) === 0 ? 80 : 12) }, () => alphabet[rnd(alphabet.length)]).join('');
  const want = new Map<string, string>();
  const mk = (depth: number, prefix: string): TestNode[] => {
    const out: TestNode[] = [];
    const count = rnd(depth > 2 ? 4 : 30);
    for (let i = 0; i < count; i++) {
      const n = name();
      // Linux limits a name to 255 UTF-8 bytes (NAME_MAX), tighter than UDF's 255 OSTA bytes.
      if (n === '.' || n === '..' || want.has(prefix + n) || Buffer.byteLength(n) > 255) continue;
      const p = prefix + n;
      if (rnd(5) === 0 && depth < 5) {
        want.set(p, 'd');
        out.push({ name: n, children: mk(depth + 1, `${p}/`) });
      } else if (rnd(10) === 0) {
        const target = name();
        want.set(p, `l ${target}`);
        out.push({ name: n, symlinkTarget: target });
      } else {
        const data = Buffer.alloc(rnd(3) === 0 ? rnd(9000) : rnd(50));
        for (let j = 0; j < data.length; j++) data[j] = rnd(256);
        want.set(p, `f ${data.length} ${sha(data)}`);
        out.push({ name: n, data });
      }
    }
    return out;
  };
  const tree: TestNode = { name: '', children: mk(0, '') };
  return { tree, want: new Map([...want.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) };
}

/** find -printf "path\ttype\tsize\ttarget" lines, then sha256sum lines → the same shape as expected(). */
function parseReport(text: string): Map<string, string> {
  const lines = text.split('\n').filter(Boolean);
  const sums = new Map<string, string>();
  for (const l of lines) {
    const m = /^([0-9a-f]{64}) {2}\.\/(.*)$/.exec(l);
    if (m) sums.set(m[2], m[1]);
  }
  const out = new Map<string, string>();
  for (const l of lines) {
    if (/^[0-9a-f]{64} {2}\.\//.test(l)) continue;
    const [path, type, size, target] = l.split('\t');
    if (type === 'd') out.set(path, 'd');
    else if (type === 'l') out.set(path, `l ${target}`);
    else out.set(path, `f ${size} ${sums.get(path)}`);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** NUL-separated "path, type, size, target" records, then sha256sum -z records. */
function parseReportZ(list: Buffer, sums: Buffer): Map<string, string> {
  const f = list.toString('utf8').split('\0');
  const h = new Map(
    sums
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((r) => [r.slice(66).replace(/^\.\//, ''), r.slice(0, 64)] as [string, string]),
  );
  const out = new Map<string, string>();
  for (let i = 0; i + 3 < f.length; i += 4) {
    const [path, type, size, target] = f.slice(i, i + 4);
    out.set(path, type === 'd' ? 'd' : type === 'l' ? `l ${target}` : `f ${size} ${h.get(path)}`);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const REVS: { rev: UdfRevision; mirror?: boolean }[] = [{ rev: '1.02' }, { rev: '1.50' }, { rev: '2.00' }, { rev: '2.01' }, { rev: '2.50' }, { rev: '2.50', mirror: true }];

describe.skipIf(!ok)('UDF images mounted by the Linux kernel (udf.ko in a QEMU guest)', () => {
  const work = mkdtempSync(join(tmpdir(), 'gm-udf-kernel-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('lists, reads and stats every revision exactly as recorded', { timeout: 300_000 }, async () => {
    const t = tree();
    const images = REVS.map(({ rev, mirror }, i) => {
      const file = join(work, `k${i}.img`);
      writeUdfTestImage(file, t, { label: `K_${rev}`, revision: rev, recordingTime: new Date(Date.UTC(2025, 0, 1)), metadataMirror: mirror });
      return file;
    });
    // > 4 GiB (5 extents, 2.50 long_ads) and 301 extents through an AED (2.01 short_ads), sparse.
    const bigHead = randomBytes(4096);
    const bigTail = randomBytes(4096);
    const bigSize = 4 * 2 ** 30 + 12345;
    const big = join(work, 'big.img');
    writeUdfTestImage(big, { name: '', children: [{ name: 'big.bin', sparse: { size: bigSize, head: bigHead, tail: bigTail } }] }, { label: 'BIG', revision: '2.50', recordingTime: new Date() });
    const aedSize = 300 * MAX_EXTENT_BYTES + 7;
    const aed = join(work, 'aed.img');
    writeUdfTestImage(aed, { name: '', children: [{ name: 'huge.bin', sparse: { size: aedSize, head: bigHead, tail: bigTail } }] }, { label: 'AED', revision: '2.01', recordingTime: new Date() });
    // The same through two AEDs of long_ads in the metadata partition (UDF 2.50).
    const aed250 = join(work, 'aed250.img');
    writeUdfTestImage(aed250, { name: '', children: [{ name: 'huge.bin', sparse: { size: aedSize, head: bigHead, tail: bigTail } }] }, { label: 'AED250', revision: '2.50', recordingTime: new Date() });

    const fuzz = randomTree(2024);
    const fuzzImg = join(work, 'fuzz.img');
    writeUdfTestImage(fuzzImg, fuzz.tree, { label: 'FUZZ', revision: '2.50', recordingTime: new Date(), metadataMirror: true });
    const devs = 'abcdefghij';
    const script = [
      'export TZ=UTC',
      // Two execs per image (TCG makes every fork expensive): one find for types/sizes/targets, one
      // sha256sum for all regular files.
      "report() { (cd \"$1\" && find . -mindepth 1 -printf '%P\\t%y\\t%s\\t%l\\n' && find . -type f -exec sha256sum {} +); }",
      ...REVS.map((_, i) =>
        [
          `mkdir -p /run/m${i} /run/u${i}`,
          `mount -t udf -o ro /dev/vd${devs[i]} /run/m${i} || echo "mount ${i} failed" >&2`,
          `report /run/m${i} > "$GM_OUT/list-${i}.txt"`,
          `stat -c '%n|%a|%u|%g|%y' /run/m${i}/plain.txt /run/m${i}/script.sh /run/m${i}/sticky > "$GM_OUT/stat-${i}.txt"`,
          // A second mount of the same device would share the first superblock and its options.
          `umount /run/m${i} && mount -t udf -o ro,unhide /dev/vd${devs[i]} /run/u${i} && cat /run/u${i}/.secret > "$GM_OUT/secret-${i}.txt"`,
        ].join('\n'),
      ),
      `mkdir -p /run/big /run/aed /run/aed250`,
      `mount -t udf -o ro /dev/vd${devs[REVS.length]} /run/big && { stat -c %s /run/big/big.bin; head -c 4096 /run/big/big.bin | sha256sum; tail -c 4096 /run/big/big.bin | sha256sum; } > "$GM_OUT/big.txt"`,
      `mount -t udf -o ro /dev/vd${devs[REVS.length + 1]} /run/aed && { stat -c %s /run/aed/huge.bin; head -c 4096 /run/aed/huge.bin | sha256sum; tail -c 4096 /run/aed/huge.bin | sha256sum; } > "$GM_OUT/aed.txt"`,
      `mount -t udf -o ro /dev/vd${devs[REVS.length + 2]} /run/aed250 && { stat -c %s /run/aed250/huge.bin; head -c 4096 /run/aed250/huge.bin | sha256sum; tail -c 4096 /run/aed250/huge.bin | sha256sum; } > "$GM_OUT/aed250.txt"`,
      `mkdir -p /run/fuzz && mount -t udf -o ro /dev/vd${devs[REVS.length + 3]} /run/fuzz && (cd /run/fuzz && find . -mindepth 1 -printf '%P\\0%y\\0%s\\0%l\\0' > "$GM_OUT/fuzz-list" && find . -type f -print0 | xargs -0 -r sha256sum -z > "$GM_OUT/fuzz-sums")`,
      'dmesg | grep -i udf > "$GM_OUT/dmesg.txt"',
      'exit 0',
    ].join('\n');

    const result = await runInGuest({ disks: [...images, big, aed, aed250, fuzzImg].map((file) => ({ file })), script, timeoutMs: 280_000 });
    try {
      expect(result.exitCode, result.console.slice(-3000)).toBe(0);
      expect(result.stderr).toBe('');
      // The kernel probes 512- and 1024-byte blocks first ("No anchor found"); nothing else may complain.
      const dmesg = readFileSync(join(result.outDir, 'dmesg.txt'), 'utf8');
      expect(dmesg.split('\n').filter((l) => l && !/No anchor found|Scanning with blocksize (512|1024) failed|INFO Mounting volume/.test(l))).toEqual([]);
      const read = (n: string) => readFileSync(join(result.outDir, n), 'utf8');
      const want = expected(t, false);
      REVS.forEach((r, i) => {
        const got = parseReport(read(`list-${i}.txt`));
        expect(got, `UDF ${r.rev}${r.mirror ? ' mirror' : ''}`).toEqual(want);
        // Modes come from the UDF permissions plus the ICB setuid/sticky flags (ECMA-167 4/14.9.5,
        // 4/14.6.8); owners from the FE; mtime to the centisecond in UTC.
        expect(read(`stat-${i}.txt`).split('\n').filter(Boolean)).toEqual([
          `/run/m${i}/plain.txt|640|1000|100|2024-05-17 12:34:56.780000000 +0000`,
          `/run/m${i}/script.sh|4755|0|0|2024-05-17 12:34:56.780000000 +0000`,
          expect.stringMatching(new RegExp(`^/run/m${i}/sticky\\|1777\\|`)),
        ]);
        // The hidden entry is absent by default and readable with -o unhide (FID characteristics bit 0).
        expect(read(`secret-${i}.txt`)).toBe('hidden\n');
      });
      const shaLine = (b: Buffer) => `${sha(b)}  -`;
      expect(read('big.txt').split('\n').filter(Boolean)).toEqual([String(bigSize), shaLine(bigHead), shaLine(bigTail)]);
      expect(read('aed.txt').split('\n').filter(Boolean)).toEqual([String(aedSize), shaLine(bigHead), shaLine(bigTail)]);
      expect(read('aed250.txt').split('\n').filter(Boolean)).toEqual([String(aedSize), shaLine(bigHead), shaLine(bigTail)]);
      const fuzzGot = parseReportZ(readFileSync(join(result.outDir, 'fuzz-list')), readFileSync(join(result.outDir, 'fuzz-sums')));
      expect(fuzz.want.size).toBeGreaterThan(100);
      expect(fuzzGot).toEqual(fuzz.want);
    } finally {
      rmSync(result.outDir, { recursive: true, force: true });
    }
  });
});
