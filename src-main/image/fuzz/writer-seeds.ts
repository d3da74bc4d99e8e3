// Seed images made by our own writer with varied options: the fuzzer mutates real structures the
// readers meet every day (every facet, every UDF revision, El Torito + isohybrid MBR/GPT, RR
// relocation, a second session). Deterministic: fixed dates and contents, so a (seed, case) pair
// names the same bytes on every machine.
import { buildImage } from '../writer/write-image';
import { StagingTree } from '../staging/staging-tree';
import type { ImageSpec, PlanUdf } from '../layout/plan-image';
import { bufferBlockReader } from '../reader/block-reader';
import { importPreviousSession, planMultisession } from '../multisession/multisession';
import { tinyEsp } from './fat-image';

export interface SeedImage {
  /** Stable name: corpus class and options (shown in the summary and crash records). */
  name: string;
  bytes: Buffer;
}

export const SEED_TIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

export async function imageBytes(spec: ImageSpec, opts: { planUdf?: PlanUdf } = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of buildImage({ recordingTime: SEED_TIME, ...spec }, opts)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Deterministic filler: file contents never matter to the readers, only their sizes. */
function content(n: number, salt: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

/** A small tree with the shapes the writer treats specially: long and non-d-character names, empty files, links, nine levels. */
export function smallTree(opts: { deep?: number; links?: boolean; wide?: number } = {}): StagingTree {
  const t = new StagingTree({ now: SEED_TIME });
  t.addBuffer('README.TXT', content(300, 1));
  t.addBuffer('empty', Buffer.alloc(0));
  t.addBuffer('docs/a long name with spaces and ümlauts.txt', content(5000, 2));
  t.addBuffer('docs/.hidden-ish', content(10, 3), { mode: 0o600, uid: 1000, gid: 1000 });
  t.addBuffer('docs/sub/x.bin', content(4096, 4));
  t.addBuffer(`docs/${'L'.repeat(120)}.dat`, content(1, 5));
  t.addBuffer('MiXeD/CaSe.TxT', content(2049, 6));
  const deep = opts.deep ?? 10;
  if (deep > 0) t.addBuffer(`${Array.from({ length: deep }, (_, i) => `d${i}`).join('/')}/leaf.txt`, content(100, 7));
  for (let i = 0; i < (opts.wide ?? 0); i++) t.addBuffer(`wide/f${String(i).padStart(4, '0')}`, content(i % 7, i));
  if (opts.links ?? true) {
    t.addSymlink('link-to-readme', 'README.TXT');
    t.addSymlink('docs/abs-link', '/etc/hostname');
    t.addSymlink('docs/dangling', '../nowhere/at/all');
    t.addSymlink('d0/up', '..');
  }
  return t;
}

/** A 512-byte stand-in for a BIOS boot image (El Torito §2.2 loads it; its bytes are not run here). */
function biosImage(): Buffer {
  const b = content(2048 * 2, 9);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

export async function writerSeeds(): Promise<SeedImage[]> {
  const out: SeedImage[] = [];
  const add = async (name: string, spec: Omit<ImageSpec, 'root'>, tree = smallTree()) => {
    out.push({ name, bytes: await imageBytes({ ...spec, root: tree.root }) });
  };
  await add('writer:iso9660-level1', { iso9660: true, isoLevel: 1, label: 'PLAIN' }, smallTree({ links: false, deep: 6 }));
  await add('writer:iso9660+joliet', { iso9660: true, joliet: true, label: 'JOLIET' }, smallTree({ deep: 7 }));
  await add('writer:rockridge+relocation', { iso9660: true, rockRidge: true, label: 'RR' }, smallTree({ deep: 12 }));
  await add('writer:iso+joliet+rr+udf1.02', { iso9660: true, joliet: true, rockRidge: true, udf: true, udfRevision: '1.02' });
  await add('writer:udf1.50-only', { udf: true, udfRevision: '1.50' });
  await add('writer:udf2.01+iso', { iso9660: true, udf: true, udfRevision: '2.01', udfSymlinks: true }, smallTree({ deep: 7 }));
  await add('writer:udf2.50-metadata-mirror', { udf: true, udfRevision: '2.50', udfMetadataMirror: true });
  await add('writer:iso+udf-wide-dir', { iso9660: true, rockRidge: true, udf: true }, smallTree({ wide: 120, deep: 0 }));

  // El Torito BIOS + UEFI (a FAT ESP with \EFI\BOOT\BOOTX64.EFI) and an isohybrid MBR + GPT.
  const boot = smallTree({ deep: 3 });
  boot.addBuffer('boot/bios.img', biosImage());
  boot.addBuffer('boot/efi.img', tinyEsp());
  await add('writer:eltorito-bios+efi+isohybrid-gpt', {
    iso9660: true, joliet: true, rockRidge: true, udf: true, label: 'BOOT',
    boot: [{ platform: 'bios', isoPath: 'boot/bios.img', emulation: 'none', loadSize: 4, infoTable: true }, { platform: 'efi', isoPath: 'boot/efi.img', emulation: 'none' }],
    isohybrid: true, isohybridGpt: true, isohybridMbrCode: content(432, 11),
  }, boot);

  // Two sessions: the second imports the first (multisession.ts) and adds a file.
  const first = await imageBytes({ root: smallTree({ deep: 2 }).root, iso9660: true, joliet: true, rockRidge: true, label: 'S1' });
  const t2 = new StagingTree({ now: SEED_TIME });
  const imp = await importPreviousSession(t2, bufferBlockReader(first));
  t2.addBuffer('second/new.txt', content(700, 12));
  const ms = await planMultisession({ root: t2.root, iso9660: true, joliet: true, rockRidge: true, recordingTime: SEED_TIME, startLba: imp.nextWritableAddress, previousEnd: imp.lastSessionEnd });
  const parts: Buffer[] = [first, Buffer.alloc((imp.nextWritableAddress * 2048) - first.length)];
  for await (const c of ms.stream({})) parts.push(Buffer.from(c));
  out.push({ name: 'writer:multisession-2', bytes: Buffer.concat(parts) });
  return out;
}
