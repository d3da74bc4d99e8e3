// El Torito judged by real firmware: QEMU with SeaBIOS (BIOS, no-emulation isolinux with a boot
// info table; floppy and hard-disk emulation) and with OVMF (UEFI, platform 0xEF ESP image), from
// one catalog holding several entries; isohybrid images booted as a hard disk (USB-stick path).
// Payloads are built here from Debian's isolinux, grub-mkstandalone and mtools.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { requireTools } from '../../testing/peer-tools';
import { runImageCommand } from '../cli-image';
import { mktemp, run } from '../test-support/peers';

const ok = requireTools('qemu-system-x86_64', 'grub-mkstandalone', 'mkfs.vfat', 'mcopy', 'mmd', 'isoinfo') &&
  fs.existsSync('/usr/lib/ISOLINUX/isolinux.bin') && fs.existsSync('/usr/share/ovmf/OVMF.fd');

const OVMF = '/usr/share/ovmf/OVMF.fd';
const okGpt = ok && requireTools('sgdisk', 'udfinfo');

/** Boots QEMU (TCG) and resolves with the serial output once `marker` appears (or rejects). */
function boot(args: string[], marker: string, timeoutMs = 90_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-x86_64', ['-accel', 'tcg', '-m', '256', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`no marker ${marker} within ${timeoutMs} ms; serial:\n${out.slice(-2000)}`)); }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString('latin1');
      if (out.includes(marker)) { clearTimeout(timer); p.kill('SIGKILL'); resolve(out); }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('exit', () => { clearTimeout(timer); if (!out.includes(marker)) reject(new Error(`qemu exited without ${marker}; output:\n${out.slice(-2000)}`)); });
  });
}

/**
 * A 16-bit boot sector that writes `msg` to COM1 (port 0x3F8) and halts:
 * xor ax,ax; mov ds,ax; mov si,0x7C15; mov dx,0x3F8; l: lodsb; or al,al; jz h; out dx,al; jmp l; h: hlt; jmp h
 */
function serialBootSector(msg: string): Buffer {
  const b = Buffer.alloc(512);
  Buffer.from([0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x15, 0x7c, 0xba, 0xf8, 0x03, 0xac, 0x08, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8, 0xf4, 0xeb, 0xfd]).copy(b);
  b.write(`${msg}\r\n\0`, 21, 'latin1');
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

async function cli(args: string[]): Promise<void> {
  const err: string[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (d) => err.push(String(d)));
  const code = await runImageCommand(args, { stdout: new PassThrough(), stderr });
  if (code !== 0) throw new Error(err.join(''));
}

describe.skipIf(!ok)('El Torito boot in QEMU (SeaBIOS and OVMF)', () => {
  let tmp: string;
  let tree: string;
  let esp: string;

  beforeAll(() => {
    tmp = mktemp('gm-boot-');
    tree = path.join(tmp, 'tree');
    fs.mkdirSync(path.join(tree, 'isolinux'), { recursive: true });
    fs.copyFileSync('/usr/lib/ISOLINUX/isolinux.bin', path.join(tree, 'isolinux/isolinux.bin'));
    fs.copyFileSync('/usr/lib/syslinux/modules/bios/ldlinux.c32', path.join(tree, 'isolinux/ldlinux.c32'));
    // isolinux finds its config in the ISO 9660 tree via the boot info table (PVD + its own LBA);
    // the marker is the default label it then tries to load, printed on serial after SERIAL.
    fs.writeFileSync(path.join(tree, 'isolinux/isolinux.cfg'), 'SERIAL 0 115200\nDEFAULT GM-BIOS-ISOLINUX-OK\nPROMPT 0\nTIMEOUT 1\n');
    fs.writeFileSync(path.join(tree, 'readme.txt'), 'bootable\n');
    // UEFI payload: GRUB with an embedded config that prints a marker.
    const cfg = path.join(tmp, 'grub.cfg');
    fs.writeFileSync(cfg, 'echo GM-UEFI-GRUB-OK\nsleep 30\n');
    const efi = path.join(tmp, 'BOOTX64.EFI');
    run('grub-mkstandalone', ['-O', 'x86_64-efi', '-o', efi, '--modules=', '--locales=', '--themes=', '--fonts=', `boot/grub/grub.cfg=${cfg}`]);
    esp = path.join(tmp, 'esp.img');
    run('mkfs.vfat', ['-C', esp, String(Math.ceil(fs.statSync(efi).size / 1024) + 512)]);
    run('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT']);
    run('mcopy', ['-i', esp, efi, '::/EFI/BOOT/BOOTX64.EFI']);
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('one catalog with a BIOS isolinux entry and a UEFI entry boots with SeaBIOS and with OVMF', async () => {
    const img = path.join(tmp, 'hybrid.iso');
    fs.copyFileSync(esp, path.join(tree, 'efiboot.img'));
    await cli(['-o', img, '--boot', 'bios:/isolinux/isolinux.bin,load-size=4,info-table', '--boot', 'efi:/efiboot.img', tree]);
    // xorriso decodes the catalog: the default BIOS entry plus a UEFI section entry.
    const d = run('xorriso', ['-indev', img, '-report_el_torito', 'plain']);
    expect(d).toMatch(/El Torito boot img :\s+1\s+BIOS\s+y\s+none\s+0x0000\s+0x00\s+4\s+\d+/);
    expect(d).toMatch(/El Torito boot img :\s+2\s+UEFI\s+y\s+none\s+0x0000\s+0x00\s+\d+\s+\d+/);
    expect(d).toContain('El Torito img path :   1  /isolinux/isolinux.bin');
    await boot(['-cdrom', img, '-boot', 'd'], 'Loading GM-BIOS-ISOLINUX-OK');
    await boot(['-bios', OVMF, '-cdrom', img], 'GM-UEFI-GRUB-OK', 120_000);
  }, 300_000);

  it('hidden boot images (in no directory) boot, and EFI can be the default entry', async () => {
    const img = path.join(tmp, 'hidden.iso');
    const floppy = path.join(tmp, 'floppy.img');
    const f = Buffer.alloc(1474560);
    serialBootSector('GM-FLOPPY-OK').copy(f);
    fs.writeFileSync(floppy, f);
    await cli(['-o', img, '--boot', `efi:hidden=${esp}`, '--boot', `bios:hidden=${floppy},emul=floppy`, path.join(tree, 'readme.txt')]);
    expect(run('isoinfo', ['-R', '-f', '-i', img]).trim()).toBe('/readme.txt');
    await boot(['-bios', OVMF, '-cdrom', img], 'GM-UEFI-GRUB-OK', 120_000);
  }, 300_000);

  it('1.44 MB floppy emulation boots with SeaBIOS', async () => {
    const img = path.join(tmp, 'floppy.iso');
    const floppy = path.join(tmp, 'floppy2.img');
    const f = Buffer.alloc(1474560);
    serialBootSector('GM-FLOPPY-OK').copy(f);
    fs.writeFileSync(floppy, f);
    await cli(['-o', img, '--fs', 'iso9660', '--boot', `bios:hidden=${floppy},emul=floppy`, path.join(tree, 'readme.txt')]);
    await boot(['-cdrom', img, '-boot', 'd'], 'GM-FLOPPY-OK');
  }, 120_000);

  it('hard-disk emulation boots with SeaBIOS', async () => {
    const img = path.join(tmp, 'hdd.iso');
    const hdd = path.join(tmp, 'disk.img');
    const disk = Buffer.alloc(1024 * 1024);
    serialBootSector('GM-HDD-EMUL-OK').copy(disk);
    // One partition (type 0x83) from sector 1, so the catalog's system type is 0x83.
    disk[446 + 4] = 0x83;
    disk.writeUInt32LE(1, 446 + 8);
    disk.writeUInt32LE(2047, 446 + 12);
    fs.writeFileSync(hdd, disk);
    await cli(['-o', img, '--fs', 'iso9660,joliet', '--boot', `bios:hidden=${hdd},emul=hdd`, path.join(tree, 'readme.txt')]);
    await boot(['-cdrom', img, '-boot', 'd'], 'GM-HDD-EMUL-OK');
  }, 120_000);

  it('isohybrid: the same image boots from a hard disk (USB path) with SeaBIOS (isohdpfx MBR) and OVMF (0xEF partition)', async () => {
    const img = path.join(tmp, 'usb.iso');
    fs.copyFileSync(esp, path.join(tree, 'efiboot.img'));
    await cli(['-o', img, '--boot', 'bios:/isolinux/isolinux.bin,load-size=4,info-table', '--boot', 'efi:/efiboot.img',
      '--isohybrid-mbr', '/usr/lib/ISOLINUX/isohdpfx.bin', tree]);
    const mbr = Buffer.alloc(512);
    const fd = fs.openSync(img, 'r');
    fs.readSync(fd, mbr, 0, 512, 0);
    fs.closeSync(fd);
    expect(mbr.readUInt16LE(510)).toBe(0xaa55);
    expect(mbr[446 + 16 + 4]).toBe(0xef);
    await boot(['-drive', `file=${img},format=raw,if=ide,snapshot=on`], 'Loading GM-BIOS-ISOLINUX-OK');
    await boot(['-bios', OVMF, '-drive', `file=${img},format=raw,if=ide,snapshot=on`], 'GM-UEFI-GRUB-OK', 120_000);
  }, 300_000);

  it.skipIf(!okGpt)('isohybrid with GPT: sgdisk finds a valid GPT whose ESP is the EFI image; UDF anchors at 256 and N-256; boots from disk', async () => {
    const img = path.join(tmp, 'gpt.iso');
    await cli(['-o', img, '--boot', 'bios:/isolinux/isolinux.bin,load-size=4,info-table', '--boot', `efi:hidden=${esp}`,
      '--isohybrid-mbr', '/usr/lib/ISOLINUX/isohdpfx.bin', '--isohybrid-gpt', tree]);
    // sgdisk checks both headers, both entry arrays and their CRC32s (UEFI spec §5.3).
    expect(run('sgdisk', ['-v', img])).toContain('No problems found');
    const parts = run('sgdisk', ['-p', img]);
    expect(parts).toMatch(/^\s+1\s+\d+\s+\d+\s+.*EF00\s+EFI System$/m);
    const total = fs.statSync(img).size / 2048;
    const udf = run('udfinfo', [img]);
    expect(udf).toContain('start=256, blocks=1, type=ANCHOR');
    expect(udf).toContain(`start=${total - 1 - 256}, blocks=1, type=ANCHOR`);
    await boot(['-bios', OVMF, '-drive', `file=${img},format=raw,if=ide,snapshot=on`], 'GM-UEFI-GRUB-OK', 120_000);
    await boot(['-drive', `file=${img},format=raw,if=ide,snapshot=on`], 'Loading GM-BIOS-ISOLINUX-OK');
  }, 300_000);
});
