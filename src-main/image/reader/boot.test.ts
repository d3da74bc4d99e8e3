// Boot inspection checked against xorriso's own -report_el_torito / -report_system_area of images
// it made with isolinux (BIOS), a mkfs.vfat ESP image (UEFI) and an isohybrid MBR + GPT.
import { copyFileSync, openSync, readFileSync, writeFileSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../testing/peer-tools';
import { inspectBoot, type BootReport } from './boot';
import { bufferBlockReader } from './block-reader';
import { requireFile, run, tempDir } from './test-fixtures';

const ISOLINUX = '/usr/lib/ISOLINUX/isolinux.bin';
const ISOHDPFX = '/usr/lib/ISOLINUX/isohdpfx.bin';
const ok = requireTools('xorriso', 'mkfs.vfat', 'mmd', 'mcopy') && requireFile(ISOLINUX, 'isolinux') && requireFile(ISOHDPFX, 'isolinux');

/** xorriso prints GUIDs as the 16 raw bytes; UEFI's text form swaps the first three fields. */
function rawGuid(hex: string): string {
  const b = Buffer.from(hex, 'hex');
  const le = (s: number, e: number) => Buffer.from(b.subarray(s, e)).reverse().toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10).toString('hex')}`.toUpperCase();
}

function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

describe.skipIf(!ok)('inspectBoot on xorriso hybrid images', () => {
  const t = tempDir('boot');
  let image: string;
  let report: BootReport;
  let xorrisoReport: string;

  beforeAll(async () => {
    const src = join(t.dir, 'src');
    mkdirSync(src);
    copyFileSync(ISOLINUX, join(src, 'isolinux.bin'));
    writeFileSync(join(src, 'hello.txt'), 'hi\n');
    // A 2880 KiB FAT ESP with \EFI\BOOT\BOOTX64.EFI, as UEFI §13.3.1.3 expects on removable media.
    const esp = join(src, 'efi.img');
    run('mkfs.vfat', ['-C', '-n', 'GMEFI', esp, '2880']);
    run('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT']);
    writeFileSync(join(t.dir, 'bootx64.efi'), 'MZ placeholder');
    run('mcopy', ['-i', esp, join(t.dir, 'bootx64.efi'), '::/EFI/BOOT/BOOTX64.EFI']);
    image = join(t.dir, 'boot.iso');
    run('xorriso', ['-as', 'mkisofs', '-o', image, '-V', 'GMBOOT', '-isohybrid-mbr', ISOHDPFX, '-c', 'boot.cat', '-b', 'isolinux.bin', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '-eltorito-alt-boot', '-e', 'efi.img', '-no-emul-boot', '-isohybrid-gpt-basdat', src]);
    report = await inspectBoot(image);
    xorrisoReport = run('xorriso', ['-indev', image, '-report_el_torito', 'plain', '-report_system_area', 'plain']);
  });
  afterAll(() => t.cleanup());

  it('El Torito entries match xorriso -report_el_torito', () => {
    expect(report.warnings).toEqual([]);
    expect(report.bios && report.uefi && report.hybrid).toBe(true);
    const cat = /El Torito catalog\s*:\s*(\d+)/.exec(xorrisoReport)!;
    expect(report.eltorito!.catalogLba).toBe(+cat[1]);
    expect(report.eltorito!.catalogPath).toBe(/El Torito cat path\s*:\s*(\S+)/.exec(xorrisoReport)![1]);
    expect(report.eltorito!.validation).toMatchObject({ checksumOk: true, keyOk: true });
    const rows = [...xorrisoReport.matchAll(/El Torito boot img :\s+(\d+)\s+(\w+)\s+(\w)\s+(\w+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\d+)\s+(\d+)/g)];
    expect(rows).toHaveLength(2);
    expect(
      report.eltorito!.entries.map((e) => ({ pltf: e.platformId === 0 ? 'BIOS' : e.platformId === 0xef ? 'UEFI' : '?', boot: e.bootable ? 'y' : 'n', emul: e.emulation, seg: e.loadSegment, size: e.loadSize, lba: e.loadRba })),
    ).toEqual(rows.map((m) => ({ pltf: m[2], boot: m[3], emul: m[4], seg: parseInt(m[5], 16), size: +m[7], lba: +m[8] })));
    const paths = [...xorrisoReport.matchAll(/El Torito img path\s*:\s*(\d+)\s+(\S+)/g)].map((m) => m[2]);
    expect(report.eltorito!.entries.map((e) => e.image.isoPath)).toEqual(paths);
    const efi = report.eltorito!.entries.find((e) => e.platformId === 0xef)!;
    expect(efi.image.fat).toMatchObject({ label: 'GMEFI', size: 2880 * 1024, type: 'FAT12' });
    expect(efi.image.efiBootFiles).toEqual(['BOOTX64.EFI']);
  });

  it('MBR and GPT match xorriso -report_system_area', () => {
    const mbrRows = [...xorrisoReport.matchAll(/MBR partition\s*:\s*(\d+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\d+)\s+(\d+)/g)];
    expect(report.mbr!.partitions.map((p) => [p.index, p.bootable, p.type, p.start, p.sectors])).toEqual(mbrRows.map((m) => [+m[1], m[2] === '80', parseInt(m[3], 16), +m[4], +m[5]]));
    const g = report.gpt!;
    expect(g.headerCrcOk && g.entriesCrcOk).toBe(true);
    expect(g.backup).toBe('ok');
    expect(g.diskGuid).toBe(rawGuid(/GPT disk GUID\s*:\s*([0-9a-f]{32})/.exec(xorrisoReport)![1]));
    const range = /GPT lba range\s*:\s*(\d+)\s+(\d+)\s+(\d+)/.exec(xorrisoReport)!;
    expect([g.firstUsableLba, g.lastUsableLba, g.backupLba]).toEqual([+range[1], +range[2], +range[3]]);
    const types = [...xorrisoReport.matchAll(/GPT type GUID\s*:\s*\d+\s+([0-9a-f]{32})/g)].map((m) => rawGuid(m[1]));
    const names = [...xorrisoReport.matchAll(/GPT partname local\s*:\s*\d+\s+(\S+)/g)].map((m) => m[1]);
    const spans = [...xorrisoReport.matchAll(/GPT start and size\s*:\s*\d+\s+(\d+)\s+(\d+)/g)].map((m) => [+m[1], +m[1] + +m[2] - 1]);
    expect(g.partitions.map((p) => p.typeGuid)).toEqual(types);
    expect(g.partitions.map((p) => p.name)).toEqual(names);
    expect(g.partitions.map((p) => [p.firstLba, p.lastLba])).toEqual(spans);
    // -isohybrid-gpt-basdat marks the ESP copy as "Basic data" (UEFI Table 5.7 GUID EBD0A0A2-…).
    expect(g.partitions[1].typeName).toBe('Basic data');
  });

  it('warns when the catalog checksum is wrong', async () => {
    const bad = join(t.dir, 'badcat.iso');
    copyFileSync(image, bad);
    // El Torito §2.1: the 16 words of the validation entry must sum to 0; flip one ID-string byte.
    patch(bad, report.eltorito!.catalogLba * 2048 + 4, Buffer.from([0x5a]));
    const r = await inspectBoot(bad);
    expect(r.warnings).toContain('catalog checksum invalid (validation entry words do not sum to 0)');
  });

  it('warns on a broken GPT header CRC', async () => {
    const bad = join(t.dir, 'badgpt.iso');
    copyFileSync(image, bad);
    patch(bad, 512 + 56, Buffer.from([0xff])); // a disk GUID byte, covered by the header CRC32 (UEFI §5.3.2)
    const r = await inspectBoot(bufferBlockReader(readFileSync(bad)));
    expect(r.gpt!.headerCrcOk).toBe(false);
    expect(r.warnings.some((w) => /GPT header CRC32 invalid/.test(w))).toBe(true);
  });

  it('BIOS-only image: no UEFI entry warning', async () => {
    const bios = join(t.dir, 'bios.iso');
    run('xorriso', ['-as', 'mkisofs', '-o', bios, '-b', 'isolinux.bin', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', join(t.dir, 'src')]);
    const r = await inspectBoot(bios);
    expect(r.bios).toBe(true);
    expect(r.uefi).toBe(false);
    expect(r.warnings).toContain('no UEFI entry: will not boot from optical under UEFI');
    expect(r.mbr).toBeUndefined();
  });

  it('EFI entry pointing at a non-FAT file is flagged', async () => {
    const notFat = join(t.dir, 'notfat.iso');
    run('xorriso', ['-as', 'mkisofs', '-o', notFat, '-e', 'hello.txt', '-no-emul-boot', join(t.dir, 'src')]);
    const r = await inspectBoot(notFat);
    expect(r.uefi).toBe(true);
    expect(r.warnings.some((w) => w.startsWith('EFI entry points to an image that is not a FAT file system'))).toBe(true);
    expect(r.warnings).toContain('no BIOS (platform 0x00) entry: will not boot from optical on legacy BIOS');
  });

  for (const fat of ['12', '16', '32'] as const) {
    it(`lists \\EFI\\BOOT of a FAT${fat} ESP like mtools does, and warns when the default loader is missing`, async () => {
      const dir = join(t.dir, `fat${fat}`);
      mkdirSync(dir);
      const esp = join(dir, 'esp.img');
      // FAT32 needs at least 65525 clusters (FAT spec §3.5): 40 MiB with 512-byte clusters.
      run('mkfs.vfat', ['-C', '-F', fat, ...(fat === '12' ? [] : ['-s', '1']), esp, fat === '32' ? '40960' : fat === '16' ? '8192' : '1440']);
      run('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT']);
      writeFileSync(join(dir, 'x'), 'MZ');
      for (const n of ['BOOTIA32.EFI', 'grub with a long name.cfg']) run('mcopy', ['-i', esp, join(dir, 'x'), `::/EFI/BOOT/${n}`]);
      const iso = join(dir, 'e.iso');
      run('xorriso', ['-as', 'mkisofs', '-o', iso, '-e', 'esp.img', '-no-emul-boot', dir]);
      const r = await inspectBoot(iso);
      const e = r.eltorito!.entries[0];
      expect(e.image.fat?.type).toBe(`FAT${fat}`);
      const theirs = run('mdir', ['-b', '-i', esp, '::/EFI/BOOT']).split('\n').filter(Boolean).map((l) => l.replace(/^.*\//, '').toUpperCase());
      expect([...e.image.efiBootFiles!].sort()).toEqual(theirs.sort());
      expect(r.warnings.some((w) => /default loader/.test(w))).toBe(false);
      run('mdel', ['-i', esp, '::/EFI/BOOT/BOOTIA32.EFI']);
      run('xorriso', ['-as', 'mkisofs', '-o', iso + '2', '-e', 'esp.img', '-no-emul-boot', dir]);
      const r2 = await inspectBoot(iso + '2');
      expect(r2.warnings.some((w) => /no \\EFI\\BOOT\\BOOT<arch>\.EFI default loader/.test(w))).toBe(true);
    });
  }

  it('plain data image: not bootable', async () => {
    const plain = join(t.dir, 'plain.iso');
    run('xorriso', ['-as', 'mkisofs', '-o', plain, join(t.dir, 'src', 'hello.txt')]);
    const r = await inspectBoot(plain);
    expect(r.eltorito).toBeUndefined();
    expect(r.warnings).toEqual(['no El Torito boot record: not bootable from optical media']);
  });
});

describe.skipIf(!ok)('text renderers', () => {
  const t = tempDir('fmt');
  afterAll(() => t.cleanup());
  it('formatListing and formatBootReport name what was found', async () => {
    const { openImage } = await import('./image');
    const { formatListing, formatBootReport } = await import('./format');
    writeFileSync(join(t.dir, 'a.txt'), 'a');
    copyFileSync(ISOLINUX, join(t.dir, 'isolinux.bin'));
    const img = join(t.dir, 'x.iso');
    run('xorriso', ['-as', 'mkisofs', '-J', '-V', 'FMT', '-o', img, '-b', 'isolinux.bin', '-no-emul-boot', '-boot-load-size', '4', t.dir]);
    const info = await openImage(img);
    const text = await formatListing(info);
    await info.close();
    expect(text).toMatch(/File systems: iso9660, rockridge, joliet, eltorito/);
    expect(text).toMatch(/ISO 9660: volume "FMT"/);
    expect(text).toMatch(/-rw-r--r-- +1 .* \/a\.txt @\d+/);
    const boot = formatBootReport(await inspectBoot(img));
    expect(boot).toMatch(/BIOS from optical: yes; UEFI from optical: no/);
    expect(boot).toMatch(/default +yes +x86 BIOS +none +4 +\d+ +\/isolinux\.bin/);
    expect(boot).toMatch(/warning: no UEFI entry/);
    expect(JSON.parse(JSON.stringify(info.toJSON())).facets).toContain('eltorito');
  });
});
