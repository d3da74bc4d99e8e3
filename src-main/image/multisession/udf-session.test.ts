// A second session that carries UDF as well as ISO 9660/Joliet/RR: session 1 (all four facets,
// written by the CLI), then session 2 (one file added, one replaced, one removed) appended at the
// next writable address. Judged on the combined image by independent readers: udfinfo reading the
// last session (--startblock), the Linux kernel's udf.ko in a QEMU guest (mount -o session=N) and
// xorriso (-load sbsector N) for the ISO/RR tree and the files' LBAs.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { runInGuest } from '../../testing/qemu-guest';
import { runImageCommand } from '../cli-image';
import { openImage } from '../reader';
import { StagingTree } from '../staging/staging-tree';
import { describeHostTree, mktemp, run, type TreeInfo } from '../test-support/peers';
import { UDF_VOLUME_REGIONS, type UdfRevision } from '../udf';
import { planImage } from '../layout/plan-image';
import { importPreviousSession, planMultisession } from './multisession';

const ok = requireTools('xorriso', 'udfinfo');
const okGuest = ok && requireTools('qemu-system-x86_64', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function cli(args: string[]): Promise<string> {
  const err: string[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (d) => err.push(String(d)));
  const code = await runImageCommand(args, { stdout: new PassThrough(), stderr });
  if (code !== 0) throw new Error(`image ${args.join(' ')}: ${err.join('')}`);
  return err.join('');
}

interface Case {
  rev: UdfRevision;
  /** A new file large enough to cover start+256, so the anchors go to N-256 and N. */
  bigNew: boolean;
  s1: string;
  img1: string;
  part: string;
  full: string;
  start: number;
  end: number;
  want: TreeInfo;
  blob: Buffer;
}

/** udfinfo's key=value lines plus its start=…, blocks=…, type=… layout lines. */
/** The previous image up to `start`, then the new session's stream: the disc after the append. */
async function appendSession(prevImage: string, start: number, stream: (o: object) => AsyncIterable<Buffer>, full: string): Promise<string> {
  fs.copyFileSync(prevImage, full);
  fs.truncateSync(full, start * 2048);
  const fd = fs.openSync(full, 'a');
  try {
    for await (const b of stream({})) fs.writeSync(fd, b);
  } finally {
    fs.closeSync(fd);
  }
  return full;
}

function udfinfo(image: string, start: number): { kv: Record<string, string>; layout: string[] } {
  const out = run('udfinfo', [`--startblock=${start}`, image]);
  const kv: Record<string, string> = {};
  const layout: string[] = [];
  for (const l of out.split('\n')) {
    if (l.startsWith('start=')) layout.push(l);
    else if (l.includes('=')) kv[l.slice(0, l.indexOf('='))] = l.slice(l.indexOf('=') + 1);
  }
  return { kv, layout };
}

/** xorriso's "File data lba: x , lba , blocks , size , 'path'" per file of the loaded session. */
function xorrisoLbas(image: string, sbsector?: number): Record<string, number> {
  const load = sbsector === undefined ? [] : ['-load', 'sbsector', String(sbsector)];
  const out = run('xorriso', [...load, '-indev', image, '-find', '/', '-type', 'f', '-exec', 'report_lba']);
  const m: Record<string, number> = {};
  for (const l of out.split('\n')) {
    const r = /^File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*\d+\s*,\s*\d+\s*,\s*'(.*)'$/.exec(l);
    if (r) m[r[2]] = Number(r[1]);
  }
  return m;
}

describe.skipIf(!ok)('multisession with UDF', () => {
  let tmp: string;
  const cases: Case[] = [];

  beforeAll(async () => {
    tmp = mktemp('gm-ms-udf-');
    for (const [rev, bigNew] of [['2.01', false], ['2.50', true]] as const) {
      const dir = path.join(tmp, `r${rev}`);
      const s1 = path.join(dir, 's1');
      fs.mkdirSync(path.join(s1, 'keep'), { recursive: true });
      const blob = randomBytes(300_000);
      fs.writeFileSync(path.join(s1, 'keep/a.txt'), 'old a');
      fs.writeFileSync(path.join(s1, 'keep/blob.bin'), blob);
      fs.writeFileSync(path.join(s1, 'replace.txt'), 'version 1');
      fs.writeFileSync(path.join(s1, 'remove-me.txt'), 'bye');
      fs.writeFileSync(path.join(s1, 'empty'), '');
      fs.symlinkSync('keep/a.txt', path.join(s1, 'link'));
      const img1 = path.join(dir, 's1.iso');
      expect(await cli(['-o', img1, '--fs', 'iso9660,joliet,rockridge,udf', '--udf-revision', rev, s1])).toBe('');

      const s2 = path.join(dir, 's2');
      fs.mkdirSync(s2);
      fs.writeFileSync(path.join(s2, 'replace.txt'), 'version 2, longer');
      const tree = new StagingTree();
      const prev = await importPreviousSession(tree, img1);
      // Session 1 had UDF: the importer reports its revision, and the new session keeps it.
      expect(prev.udfRevision).toBe(rev);
      tree.remove('/remove-me.txt');
      tree.addHostPath('/replace.txt', path.join(s2, 'replace.txt'));
      const added = bigNew ? randomBytes(1_000_000) : Buffer.from('new in session 2\n');
      tree.addBuffer('/keep/new.bin', added);
      const start = prev.nextWritableAddress;
      // udf left undefined: the previous session's UDF (and its revision) carries over.
      const { plan, stream } = await planMultisession({
        root: tree.root, iso9660: true, joliet: true, rockRidge: true, previousUdfRevision: prev.udfRevision,
        startLba: start, previousEnd: prev.lastSessionEnd, recordingTime: new Date(Date.UTC(2026, 1, 2, 3, 4, 5)),
      });
      const part = path.join(dir, 's2.part');
      const fd = fs.openSync(part, 'w');
      for await (const c of stream({})) fs.writeSync(fd, c);
      fs.closeSync(fd);
      expect(fs.statSync(part).size).toBe((plan.totalSectors - start) * 2048);
      const full = path.join(dir, 'full.iso');
      fs.copyFileSync(img1, full);
      fs.truncateSync(full, start * 2048);
      fs.appendFileSync(full, fs.readFileSync(part));

      const want = describeHostTree(s1);
      delete want['/remove-me.txt'];
      want['/replace.txt'] = describeHostTree(s2)['/replace.txt'];
      want['/keep/new.bin'] = { type: 'file', size: added.length, sha256: sha(added) };
      cases.push({ rev, bigNew, s1, img1, part, full, start, end: plan.totalSectors - 1, want, blob });
    }
  }, 60_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('udfinfo reads the last session: its VRS, anchors, one partition from LBA 0, the merged counts', () => {
    expect(cases.map((c) => c.rev)).toEqual(['2.01', '2.50']);
    for (const c of cases) {
      const { kv, layout } = udfinfo(c.full, c.start);
      expect(kv.udfrev, c.rev).toBe(c.rev);
      expect(kv.startblock).toBe(String(c.start));
      expect(kv.blocks).toBe(String(c.end + 1));
      expect(kv.integrity).toBe('closed');
      // Merged tree: a.txt, blob.bin, new.bin, replace.txt, empty (the link stays in Rock Ridge:
      // UDF symlinks only on request, see layout/plan-image.ts udfSymlinks).
      expect(kv.numfiles).toBe('5');
      expect(kv.numdirs).toBe('2');
      expect(layout).toContain(`start=0, blocks=${c.end}, type=PSPACE`);
      // The session's VRS follows its ISO descriptors (PVD, Joliet SVD, terminator at start+16…18).
      expect(layout).toContain(`start=${c.start + 16}, blocks=6, type=VRS`);
      const anchors = layout.filter((l) => l.endsWith('type=ANCHOR'));
      expect(anchors).toEqual(
        c.bigNew
          ? [`start=${c.end - 256}, blocks=1, type=ANCHOR`, `start=${c.end}, blocks=1, type=ANCHOR`]
          : [`start=${c.start + 256}, blocks=1, type=ANCHOR`, `start=${c.end}, blocks=1, type=ANCHOR`],
      );
      // Session 1 is still readable as it was (its own anchors, its own partition).
      const old = udfinfo(c.img1, 0);
      expect(old.kv.numfiles).toBe('5');
    }
  });

  it('the CLI appends a third session with --fs …,udf on top of the two; udfinfo and xorriso read it', async () => {
    const c = cases[0];
    const extra = path.join(tmp, 'cli-src');
    fs.mkdirSync(extra);
    fs.writeFileSync(path.join(extra, 'cli.txt'), 'via the CLI');
    const prev = await openImage(c.full);
    const start3 = prev.session.nextWritableAddress;
    expect(prev.sessionStart).toBe(c.start);
    await prev.close();
    const part = path.join(tmp, 'cli.part');
    expect(await cli(['-o', part, '--import', c.full, '--start-lba', String(start3), '--fs', 'iso9660,joliet,rockridge,udf', '--udf-revision', c.rev, extra])).toBe('');
    const full = path.join(tmp, 'cli.iso');
    fs.copyFileSync(c.full, full);
    fs.truncateSync(full, start3 * 2048);
    fs.appendFileSync(full, fs.readFileSync(part));
    const { kv, layout } = udfinfo(full, start3);
    expect(kv.udfrev).toBe(c.rev);
    expect(kv.numfiles).toBe('6'); // session 2's five plus cli.txt
    expect(layout).toContain(`start=${start3 + 256}, blocks=1, type=ANCHOR`);
    expect(layout).toContain(`start=0, blocks=${Number(kv.blocks) - 1}, type=PSPACE`);
    // Session 1 and session 2 extents both stay where they were.
    const s2 = xorrisoLbas(c.full, c.start);
    const s3 = xorrisoLbas(full, start3);
    expect(s3['/keep/blob.bin']).toBe(s2['/keep/blob.bin']);
    expect(s3['/keep/new.bin']).toBe(s2['/keep/new.bin']);
    expect(s3['/cli.txt']).toBeGreaterThan(start3);
  });

  it('keeps start+256 for the anchor whatever the session size around it (udfinfo reads each)', async () => {
    const c = cases[0];
    let crossed = 0;
    for (let k = 200; k <= 262; k += 2) {
      const tree = new StagingTree();
      const prev = await importPreviousSession(tree, c.img1);
      tree.addBuffer('/fill.bin', Buffer.alloc(k * 2048 - 100, 7));
      const start = prev.nextWritableAddress;
      const spec = { root: tree.root, joliet: true, rockRidge: true, udf: true, startLba: start, previousEnd: prev.lastSessionEnd };
      // Where the ISO part of the session ends (file data, then path tables and directories).
      const isoEnd = (await planImage({ ...spec, udf: false }, { reserveAfterDescriptors: UDF_VOLUME_REGIONS.vrs })).totalSectors;
      const { plan, stream } = await planMultisession(spec);
      const full = await appendSession(c.img1, start, stream, path.join(tmp, 'sweep.iso'));
      const n = plan.totalSectors - 1;
      const { kv, layout } = udfinfo(full, start);
      expect(kv.numfiles, `k=${k}`).toBe('6');
      const anchors = layout.filter((l) => l.endsWith('type=ANCHOR')).map((l) => Number(/start=(\d+)/.exec(l)![1]));
      expect(anchors.at(-1)).toBe(n);
      // start+256 unless another piece of the session holds it, else N-256 (ECMA-167 3/8.4.2.1).
      const at = start + 256;
      const covered =
        plan.data.some((d) => d.lba <= at && at < d.lba + Math.ceil(d.size / 2048)) ||
        plan.meta.some((m) => !anchors.includes(m.lba) && m.lba <= at && at < m.lba + ('data' in m ? m.data.length / 2048 : m.sectors));
      expect(anchors[0], `k=${k}`).toBe(covered ? n - 256 : at);
      if (!covered && isoEnd < at && n > at + 1) crossed++;
    }
    // Some sizes put the UDF descriptors after the ISO session across start+256.
    expect(crossed).toBeGreaterThan(0);
  });

  it('adds UDF to a session without Joliet too: the layout leaves room for the VRS after the ISO terminator', async () => {
    const c = cases[0];
    const tree = new StagingTree();
    const prev = await importPreviousSession(tree, c.img1);
    const start = prev.nextWritableAddress;
    const { stream } = await planMultisession({ root: tree.root, iso9660: true, rockRidge: true, udf: true, startLba: start, previousEnd: prev.lastSessionEnd });
    const full = await appendSession(c.img1, start, stream, path.join(tmp, 'nojoliet.iso'));
    // The same tree as session 1, now read through the new session's UDF volume.
    const info = udfinfo(full, start).kv;
    expect(info.numfiles).toBe(udfinfo(c.img1, 0).kv.numfiles);
    expect(info.integrity).toBe('closed');
  });

  it('xorriso reads the merged ISO/RR tree of the last session; old files keep their session-1 LBAs', () => {
    for (const c of cases) {
      const x = path.join(tmp, `x-${c.rev}`);
      run('xorriso', ['-osirrox', 'on', '-load', 'sbsector', String(c.start), '-indev', c.full, '-extract', '/', x]);
      expect(describeHostTree(x), c.rev).toEqual(c.want);
      const before = xorrisoLbas(c.img1);
      const after = xorrisoLbas(c.full, c.start);
      expect(after['/keep/blob.bin']).toBe(before['/keep/blob.bin']);
      expect(after['/keep/a.txt']).toBe(before['/keep/a.txt']);
      expect(after['/replace.txt']).toBeGreaterThan(c.start);
      expect(after['/keep/new.bin']).toBeGreaterThan(c.start);
      // The new session holds no copy of the old data: every reader that gets blob.bin right read
      // it from session 1's sectors.
      expect(fs.readFileSync(c.part).includes(c.blob.subarray(0, 4096))).toBe(false);
    }
  });

  it.skipIf(!okGuest)('the Linux kernel mounts the last session as UDF (session=N) and reads the merged tree', { timeout: 300_000 }, async () => {
    const devs = 'abcdefgh';
    const script = [
      'export TZ=UTC',
      "report() { (cd \"$1\" && find . -mindepth 1 -printf '%P\\t%y\\t%s\\t%l\\n' && find . -type f -exec sha256sum {} +); }",
      ...cases.map((c, i) =>
        [
          `mkdir -p /run/m${i} /run/o${i}`,
          // session= is where the kernel looks for the VRS (session+16) and the first anchor
          // (session+256); without it a disk has no TOC and the kernel would take session 0. It
          // counts in blocks of the size being tried, so bs=2048 (the probe at 512/1024 would look
          // at a quarter/half of the address and warn "No VRS found").
          `mount -t udf -o ro,bs=2048,session=${c.start} /dev/vd${devs[i]} /run/m${i} && report /run/m${i} > "$GM_OUT/list-${i}.txt"`,
          // A second mount of a mounted device would share the first superblock: umount first.
          `umount /run/m${i} && mount -t udf -o ro /dev/vd${devs[i]} /run/o${i} && report /run/o${i} > "$GM_OUT/old-${i}.txt"`,
        ].join('\n'),
      ),
      'dmesg | grep -i udf > "$GM_OUT/dmesg.txt"',
      'exit 0',
    ].join('\n');
    const result = await runInGuest({ disks: cases.map((c) => ({ file: c.full, readonly: true })), script, timeoutMs: 280_000 });
    try {
      expect(result.exitCode, result.console.slice(-3000)).toBe(0);
      expect(result.stderr).toBe('');
      const read = (n: string) => fs.readFileSync(path.join(result.outDir, n), 'utf8');
      const dmesg = read('dmesg.txt');
      expect(dmesg.split('\n').filter((l) => l && !/No anchor found|Scanning with blocksize (512|1024) failed|INFO Mounting volume/.test(l))).toEqual([]);
      cases.forEach((c, i) => {
        expect(parseReport(read(`list-${i}.txt`)), `session 2, UDF ${c.rev}`).toEqual(withoutLinks(c.want));
        // Without session= the kernel still finds session 1's own UDF volume, unchanged.
        const old = describeHostTree(c.s1);
        expect(parseReport(read(`old-${i}.txt`)), `session 1, UDF ${c.rev}`).toEqual(withoutLinks(old));
      });
    } finally {
      fs.rmSync(result.outDir, { recursive: true, force: true });
    }
  });
});

/** The UDF view of a hybrid disc's tree: its links stay in Rock Ridge. */
function withoutLinks(t: TreeInfo): TreeInfo {
  return Object.fromEntries(Object.entries(t).filter(([, e]) => e.type !== 'symlink'));
}

/** find -printf lines + sha256sum lines → the describeHostTree shape. */
function parseReport(text: string): TreeInfo {
  const lines = text.split('\n').filter(Boolean);
  const sums = new Map<string, string>();
  for (const l of lines) {
    const m = /^([0-9a-f]{64}) {2}\.\/(.*)$/.exec(l);
    if (m) sums.set(m[2], m[1]);
  }
  const out: TreeInfo = {};
  for (const l of lines) {
    if (/^[0-9a-f]{64} {2}\.\//.test(l)) continue;
    const [p, type, size, target] = l.split('\t');
    const k = `/${p}`;
    if (type === 'd') out[k] = { type: 'dir' };
    else if (type === 'l') out[k] = { type: 'symlink', target };
    else out[k] = { type: 'file', size: Number(size), sha256: sums.get(p) };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
