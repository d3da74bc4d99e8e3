// Hand-shaped hostile images: the classes issue 13 found (and the ones around them), made from our
// own writer's images by patching descriptors the way an attacker would, so the fuzzer starts from
// them and mutates around them. Each is small (≤ 4 MiB) and deterministic.
//   udf-shared-fe       hundreds of FIDs naming one FE whose AED chain holds ~30,000 extents
//   iso-wide-dirs       a root of 600 directories, each claiming a ~4 MiB extent (overlapping)
//   rr-hostile-names    Rock Ridge NM names ../../etc/passwd, a/b, ., .., NUL, ESC, newline, duplicates
//   rr-deep             a Rock Ridge tree 300 directories deep (relocated past level 8)
//   iso-loop            a subdirectory whose extent is the root's; udf-loop: a FID naming the root's FE
//   eltorito-anywhere   catalog entries at sector 0xFFFFFFFF, at the PVD, at the catalog; sections of 65,535 entries
//   eltorito-pointer    the boot record's catalog pointer at the last sector; a FAT ESP whose chain loops
//   mbr-gpt-absurd      MBR partitions past 2 TiB, GPT with 8,192 entries, first > last, CRCs made valid
import { crc32 } from 'node:zlib';
import { bufferBlockReader, openImage, type TreeNode } from '../reader';
import { StagingTree } from '../staging/staging-tree';
import { fixUdfTag, mapStructures } from './structure-map';
import { imageBytes, SEED_TIME, smallTree, type SeedImage } from './writer-seeds';
import { tinyEsp } from './fat-image';

const S = 2048;

async function udfNode(img: Buffer, path: string[]): Promise<{ node: TreeNode; partitionStart: number }> {
  const info = await openImage(bufferBlockReader(img), { udfDetails: true });
  let node = await info.tree('udf');
  for (const p of path) node = node.children!.find((c) => c.name === p)!;
  return { node, partitionStart: info.udf!.partitions[0].start };
}

/** issue 13 "Memory": FIDs sharing one file entry with tens of thousands of extents. */
export async function udfSharedFe(fids = 600, aeds = 120): Promise<Buffer> {
  const t = new StagingTree({ now: SEED_TIME });
  t.addBuffer('data', Buffer.alloc(S, 7));
  t.addBuffer('aed', Buffer.alloc(aeds * S));
  for (let i = 0; i < fids; i++) t.addBuffer(`f${String(i).padStart(4, '0')}`, Buffer.alloc(0));
  const img = await imageBytes({ root: t.root, udf: true, udfRevision: '1.02' });
  const { node: data, partitionStart: ps } = await udfNode(img, ['data']);
  const { node: aed } = await udfNode(img, ['aed']);
  const dataLbn = data.udf!.icb.lbn;
  const aedLbn = aed.extents[0].lba - ps;
  const perAed = Math.floor((S - 24) / 8);
  // ECMA-167 4/14.5 AEDs: short_ads of one block each at the data block, the last one chaining on.
  for (let k = 0; k < aeds; k++) {
    const o = (ps + aedLbn + k) * S;
    img.fill(0, o, o + S);
    img.writeUInt16LE(258, o);
    img.writeUInt16LE(2, o + 2);
    img.writeUInt32LE(aedLbn + k, o + 12);
    img.writeUInt32LE(k ? aedLbn + k - 1 : dataLbn, o + 16);
    img.writeUInt32LE(perAed * 8, o + 20);
    for (let i = 0; i < perAed; i++) {
      const chain = i === perAed - 1 && k < aeds - 1;
      img.writeUInt32LE(chain ? ((3 << 30) | S) >>> 0 : S, o + 24 + 8 * i);
      img.writeUInt32LE(chain ? aedLbn + k + 1 : data.extents[0].lba - ps, o + 28 + 8 * i);
    }
    img.writeUInt16LE(24 + perAed * 8 - 16, o + 10);
    fixUdfTag(img, o);
  }
  const extents = aeds * (perAed - 1) + 1;
  // The shared FE (4/14.9): short_ads (ICB flags 0), one descriptor chaining to the first AED.
  const fe = (ps + dataLbn) * S;
  const lEa = img.readUInt32LE(fe + 168);
  img.writeUInt16LE(img.readUInt16LE(fe + 34) & ~7, fe + 34);
  img.writeBigUInt64LE(BigInt(extents * S), fe + 56);
  img.writeUInt32LE(8, fe + 172);
  img.writeUInt32LE(((3 << 30) | S) >>> 0, fe + 176 + lEa);
  img.writeUInt32LE(aedLbn, fe + 180 + lEa);
  img.writeUInt16LE(176 + lEa + 8 - 16, fe + 10);
  fixUdfTag(img, fe);
  // Every f#### FID (4/14.4) now names that FE.
  for (const st of mapStructures(img).byKind.get('udf-tag') ?? []) {
    if (st.id !== 257) continue;
    const nameAt = st.off + 38 + img.readUInt16LE(st.off + 36);
    if (img[st.off + 19] < 2 || img[nameAt + 1] !== 0x66) continue; // "f…" in 8-bit CS0
    img.writeUInt32LE(dataLbn, st.off + 24);
    fixUdfTag(img, st.off);
  }
  return img;
}

/** issue 13 "Time": a root of hundreds of directories each claiming a large extent. */
export async function isoWideDirs(dirs = 600, mib = 4): Promise<Buffer> {
  const t = new StagingTree({ now: SEED_TIME });
  t.addBuffer('zeros', Buffer.alloc(mib * 1024 * 1024));
  for (let i = 0; i < dirs; i++) t.mkdir(`d${String(i).padStart(3, '0')}`);
  const img = await imageBytes({ root: t.root, iso9660: true, rockRidge: true });
  const pvd = 16 * S;
  const rootLba = img.readUInt32LE(pvd + 158);
  const rootSize = img.readUInt32LE(pvd + 166);
  let zerosLba = 0;
  const records: number[] = [];
  for (let p = rootLba * S; p < rootLba * S + rootSize; ) {
    const len = img[p];
    if (len === 0) {
      p = (Math.floor(p / S) + 1) * S;
      continue;
    }
    const nameLen = img[p + 32];
    const name = img.toString('latin1', p + 33, p + 33 + nameLen);
    if (name.startsWith('ZEROS')) zerosLba = img.readUInt32LE(p + 2);
    else if (img[p + 25] & 2 && nameLen > 1) records.push(p);
    p += len;
  }
  // ECMA-119 §9.1.4: every directory claims (nearly) the whole zero file, each starting a sector later.
  records.forEach((p, i) => {
    const lba = zerosLba + i;
    const size = mib * 1024 * 1024 - dirs * S;
    img.writeUInt32LE(lba, p + 2);
    img.writeUInt32BE(lba, p + 6);
    img.writeUInt32LE(size, p + 10);
    img.writeUInt32BE(size, p + 14);
  });
  return img;
}

/** issue 13 "Names": Rock Ridge names that are paths, dot names, NUL, terminal controls, duplicates. */
export async function rrHostileNames(): Promise<Buffer> {
  const swaps: [string, string][] = [
    ['PH_TRAVERSAL_016', '../../etc/passwd'], ['P3b', 'a/b'], ['Q', '.'], ['QQ', '..'], ['P3n', 'a\0b'],
    ['P4es', '\x1b[2J'], ['P3l', 'x\ny'], ['dup1', 'same'], ['dup2', 'same'], ['DIRDOT', '../../'], ['P5ctl', '\x07\x08\x7f\x9b\r'],
  ];
  const t = new StagingTree({ now: SEED_TIME });
  for (const [ph] of swaps) {
    if (ph === 'DIRDOT') t.addBuffer(`${ph}/inside.txt`, Buffer.from('inside'));
    else t.addBuffer(ph, Buffer.from(`content of ${ph}`));
  }
  t.addSymlink('escape-link', '../../../../etc/shadow');
  const img = await imageBytes({ root: t.root, iso9660: true, rockRidge: true, joliet: true });
  // RRIP §4.1.4: "NM", length 5+n, version 1, flags 0, then the name.
  for (const [ph, hostile] of swaps) {
    const h = Buffer.from(hostile, 'latin1');
    const pattern = Buffer.concat([Buffer.from('NM', 'latin1'), Buffer.from([5 + ph.length, 1, 0]), Buffer.from(ph, 'latin1')]);
    for (let at = img.indexOf(pattern); at >= 0; at = img.indexOf(pattern, at + 1)) {
      h.copy(img, at + 5);
      img[at + 2] = 5 + h.length; // same length or shorter: the rest of the area ends at the next entry
      if (h.length < ph.length) img.fill(0, at + 5 + h.length, at + 5 + ph.length);
    }
  }
  return img;
}

/** issue 13: "the reader refuses the writer's own deep Rock Ridge trees". */
export async function rrDeep(depth = 300): Promise<Buffer> {
  const t = new StagingTree({ now: SEED_TIME });
  t.addBuffer(`${Array.from({ length: depth }, (_, i) => `d${i % 10}`).join('/')}/bottom.txt`, Buffer.from('deep'));
  return imageBytes({ root: t.root, iso9660: true, rockRidge: true, joliet: false });
}

/** Directory loops: ISO 9660 (a subdirectory's extent is the root's) and UDF (a FID naming the root's FE). */
export async function isoLoop(): Promise<Buffer> {
  const img = await imageBytes({ root: smallTree({ deep: 3 }).root, iso9660: true, rockRidge: true, joliet: true });
  for (const svdLba of [16, 17]) {
    const vd = svdLba * S;
    if (img.toString('latin1', vd + 1, vd + 6) !== 'CD001') continue;
    const rootLba = img.readUInt32LE(vd + 158);
    for (let p = rootLba * S; img[p] !== 0; p += img[p]) {
      if (img[p + 25] & 2 && img[p + 32] > 1) {
        const sub = img.readUInt32LE(p + 2);
        // In that subdirectory, a directory record aimed back at the root.
        for (let q = sub * S; img[q] !== 0; q += img[q]) {
          if (img[q + 32] > 1) {
            img.writeUInt32LE(rootLba, q + 2);
            img.writeUInt32BE(rootLba, q + 6);
            img[q + 25] |= 2;
            break;
          }
        }
        break;
      }
    }
  }
  return img;
}

export async function udfLoop(): Promise<Buffer> {
  const t = new StagingTree({ now: SEED_TIME });
  t.addBuffer('a/b/c.txt', Buffer.from('c'));
  t.addBuffer('a/x.txt', Buffer.from('x'));
  const img = await imageBytes({ root: t.root, udf: true, udfRevision: '2.01' });
  const info = await openImage(bufferBlockReader(img), { udfDetails: true });
  const root = await info.tree('udf');
  const b = root.children!.find((c) => c.name === 'a')!.children!.find((c) => c.name === 'b')!;
  for (const st of mapStructures(img).byKind.get('udf-tag') ?? []) {
    if (st.id === 257 && img.readUInt32LE(st.off + 24) === b.udf!.icb.lbn) {
      img.writeUInt32LE(root.udf!.icb.lbn, st.off + 24);
      fixUdfTag(img, st.off);
    }
  }
  return img;
}

async function bootImage(): Promise<Buffer> {
  const t = smallTree({ deep: 2, links: false });
  const bios = Buffer.alloc(4096, 0x90);
  bios[510] = 0x55;
  bios[511] = 0xaa;
  t.addBuffer('boot/bios.img', bios);
  t.addBuffer('boot/efi.img', tinyEsp());
  return imageBytes({
    root: t.root, iso9660: true, rockRidge: true, udf: true,
    boot: [{ platform: 'bios', isoPath: 'boot/bios.img', emulation: 'none', loadSize: 4 }, { platform: 'efi', isoPath: 'boot/efi.img', emulation: 'none' }],
    isohybrid: true, isohybridGpt: true,
  });
}

function fixCatalogChecksum(img: Buffer, cat: number): void {
  img.writeUInt16LE(0, cat + 28);
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + img.readUInt16LE(cat + i)) & 0xffff;
  img.writeUInt16LE((0x10000 - sum) & 0xffff, cat + 28);
}

/** El Torito §2: catalogs pointing anywhere. */
export async function eltoritoAnywhere(): Promise<Buffer> {
  const img = await bootImage();
  const cat = img.readUInt32LE(17 * S + 0x47) * S;
  const entry = (off: number, rba: number, size: number) => {
    img[off] = 0x88;
    img[off + 1] = 0;
    img.writeUInt16LE(size, off + 6);
    img.writeUInt32LE(rba >>> 0, off + 8);
  };
  entry(cat + 32, 0xffffffff, 0xffff); // default entry outside any image
  // §2.4 section header: more headers follow (0x90), 65,535 entries claimed.
  img[cat + 64] = 0x90;
  img[cat + 65] = 0xef;
  img.writeUInt16LE(0xffff, cat + 66);
  entry(cat + 96, 16, 0xffff); // at the PVD
  entry(cat + 128, cat / S, 1); // at the catalog itself
  entry(cat + 160, 0, 0); // at the system area
  for (let i = 6; i < 64; i++) entry(cat + 32 * i, (i * 7919) >>> 0, i); // a full sector of them
  fixCatalogChecksum(img, cat);
  return img;
}

/** The catalog pointer at the last sector, and the ESP's FAT chain looping on itself. */
export async function eltoritoPointer(): Promise<Buffer> {
  const img = await bootImage();
  const cat = img.readUInt32LE(17 * S + 0x47) * S;
  // The EFI entry's FAT image: cluster 2 (\EFI) chains to itself (FAT §4), the BPB claims 4 GiB.
  const efiRba = img.readUInt32LE(cat + 64 + 32 + 8);
  const fat = efiRba * S;
  if (img[fat + 510] === 0x55) {
    img.writeUInt32LE(0xffffffff, fat + 32);
    img.writeUInt16LE(0, fat + 19);
    img[fat + 512 + 3] = 0x02;
    img[fat + 512 + 4] = 0xf0;
  }
  // A copy of the catalog in the last sector, and the boot record pointing there (§2.0 offset 0x47).
  const last = Math.floor(img.length / S) - 1;
  img.copy(img, last * S, cat, cat + S);
  img.writeUInt32LE(last, 17 * S + 0x47);
  return img;
}

/** UEFI §5.2-5.3: an MBR and a GPT with absurd entries whose CRCs are nevertheless right. */
export async function mbrGptAbsurd(): Promise<Buffer> {
  const img = await bootImage();
  const entries = [[0x80, 0xee, 0xffffffff, 0xffffffff], [0, 0xef, 0xfffffff0, 0x7fffffff], [0x80, 0x83, 0, 0xffffffff], [0x7f, 0x0c, 1, 0]];
  entries.forEach(([flag, type, start, sectors], i) => {
    const o = 446 + 16 * i;
    img[o] = flag;
    img[o + 4] = type;
    img.writeUInt32LE(start >>> 0, o + 8);
    img.writeUInt32LE(sectors >>> 0, o + 12);
  });
  const h = 512;
  if (img.toString('latin1', h, h + 8) === 'EFI PART') {
    // 8,192 entries of 128 bytes (1 MiB, the reader's limit) from LBA 2, over whatever lies there.
    img.writeBigUInt64LE(2n, h + 72);
    img.writeUInt32LE(8192, h + 80);
    img.writeUInt32LE(128, h + 84);
    img.writeBigUInt64LE(0xffffffffffffffffn, h + 32); // backup header at the end of 64-bit space
    img.writeBigUInt64LE(0xffffffffffffn, h + 48);
    const arr = 2 * 512;
    // Entry 1: first LBA beyond last LBA, name without a terminator.
    img.writeBigUInt64LE(0xfffffffffffffff0n, arr + 32);
    img.writeBigUInt64LE(5n, arr + 40);
    img.fill(0x41, arr + 56, arr + 128);
    img.writeUInt32LE(crc32(img.subarray(arr, arr + 8192 * 128)) >>> 0, h + 88);
    img.writeUInt32LE(0, h + 16);
    img.writeUInt32LE(crc32(img.subarray(h, h + img.readUInt32LE(h + 12))) >>> 0, h + 16);
  }
  return img;
}

export async function hostileSeeds(): Promise<SeedImage[]> {
  return [
    { name: 'hostile:udf-shared-fe', bytes: await udfSharedFe() },
    { name: 'hostile:iso-wide-dirs', bytes: await isoWideDirs() },
    { name: 'hostile:rr-hostile-names', bytes: await rrHostileNames() },
    { name: 'hostile:rr-deep', bytes: await rrDeep() },
    { name: 'hostile:iso-loop', bytes: await isoLoop() },
    { name: 'hostile:udf-loop', bytes: await udfLoop() },
    { name: 'hostile:eltorito-anywhere', bytes: await eltoritoAnywhere() },
    { name: 'hostile:eltorito-pointer', bytes: await eltoritoPointer() },
    { name: 'hostile:mbr-gpt-absurd', bytes: await mbrGptAbsurd() },
  ];
}
