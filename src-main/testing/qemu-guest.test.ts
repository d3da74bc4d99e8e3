// The QEMU guest harness, tested the way others will use it: one boot that echoes a marker and
// mounts an xorriso-made ISO through virtio-blk with the guest kernel's isofs (an independent
// ISO 9660 reader; the host kernel has none), plus the host/guest signalling used by monitors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools } from './peer-tools';
import { runInGuest } from './qemu-guest';

const ok = requireTools('qemu-system-x86_64', 'xorriso', 'genisoimage', 'apt-get', 'dpkg', 'depmod', 'cpio', 'busybox');

describe.skipIf(!ok)('runInGuest', () => {
  const work = mkdtempSync(join(tmpdir(), 'gm-qemu-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('boots, runs the script as root, mounts ISO 9660 and UDF images read-only and reads a file', { timeout: 240_000 }, async () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'DOCS'), { recursive: true });
    const payload = 'glassmaster was here\n';
    writeFileSync(join(tree, 'DOCS', 'README.TXT'), payload);
    const iso = join(work, 'test.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'GM_TEST', '-o', iso, tree], { stdio: 'pipe' });

    // A UDF 1.02 bridge image from genisoimage: the guest's udf.ko (with its crc-itu-t dependency)
    // must mount it, since UDF images are checked the same way.
    const udf = join(work, 'test-udf.iso');
    execFileSync('genisoimage', ['-quiet', '-udf', '-V', 'GM_UDF', '-o', udf, tree], { stdio: 'pipe' });

    const result = await runInGuest({
      disks: [{ file: iso }, { file: udf }],
      scsiCd: {},
      script: [
        'echo "marker uid=$(id -u) kernel=$(uname -r)"',
        'mkdir -p /run/iso',
        // norock,nojoliet,map=off: the plain ECMA-119 directory with identifiers shown verbatim.
        'mount -t iso9660 -o ro,norock,nojoliet,map=off /dev/vda /run/iso || exit 3',
        'ls /run/iso/DOCS',
        "cat '/run/iso/DOCS/README.TXT;1'",
        // The volume identifier sits at byte offset 40 of the PVD in sector 16 (ECMA-119 §8.4.6).
        'dd if=/dev/vda bs=1 skip=$((16*2048+40)) count=7 2>/dev/null; echo',
        'mkdir -p /run/udf',
        'mount -t udf -o ro /dev/vdb /run/udf || exit 4',
        'cat /run/udf/DOCS/README.TXT',
        'echo written > "$GM_OUT/result.txt"',
        'touch /usr/gm-should-fail 2>/dev/null && echo root-writable || echo root-readonly',
        // scsiCd: {} is QEMU's MMC drive with an empty tray: the sr node exists, reading it fails.
        'cat /sys/class/scsi_device/*/device/model',
        'dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>/dev/null && echo sr0-readable || echo sr0-empty',
        'exit 7',
      ].join('\n'),
    });
    expect(result.exitCode, result.console.slice(-2000)).toBe(7);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^marker uid=0 kernel=\d+\.\d+/);
    // A file identifier is "NAME.EXT;VERSION" (ECMA-119 §7.5.1); map=off shows it unmapped.
    expect(lines[1]).toBe('README.TXT;1');
    expect(lines[2]).toBe(payload.trim());
    expect(lines[3]).toBe('GM_TEST');
    expect(lines[4]).toBe(payload.trim());
    expect(lines[5]).toBe('root-readonly');
    expect(lines[6].trim()).toBe('QEMU CD-ROM');
    expect(lines[7]).toBe('sr0-empty');
    expect(execFileSync('cat', [join(result.outDir, 'result.txt')], { encoding: 'utf8' })).toBe('written\n');
    rmSync(result.outDir, { recursive: true, force: true });
  });
});
