// decode(encode(x)) for the El Torito and isohybrid structures, decoded by the project's one reader
// (reader/eltorito.ts, reader/partition-table.ts) — the same decoders that inspect any image:
// boot record (§2.0), catalog with validation entry and sections (§2.1-2.4), isohybrid MBR, GPT.
import { describe, expect, it } from 'vitest';
import { bufferBlockReader } from '../reader/block-reader';
import { readBootCatalog } from '../reader/eltorito';
import { decodeMbr, readGpt } from '../reader/partition-table';
import { encodeBootCatalog, encodeBootRecord, PLATFORM_ID, type CatalogEntry } from './boot-catalog';
import { encodeGpt, encodeIsohybridMbr, GPT_TAIL_SECTORS } from './isohybrid';

describe('El Torito boot record and catalog', () => {
  const cases: CatalogEntry[][] = [
    [{ platform: 'bios', mediaType: 0, systemType: 0, sectorCount: 4, loadRba: 40 }],
    [
      { platform: 'bios', mediaType: 2, systemType: 0, sectorCount: 1, loadRba: 41 },
      { platform: 'efi', mediaType: 0, systemType: 0, sectorCount: 0xffff, loadRba: 500 },
      { platform: 'efi', mediaType: 0, systemType: 0, sectorCount: 12, loadRba: 9000 },
      { platform: 'bios', mediaType: 4, systemType: 0x0c, sectorCount: 1, loadRba: 77 },
    ],
  ];
  for (const entries of cases) {
    it(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: the reader finds each with its platform, media, load size and RBA`, async () => {
      const image = Buffer.alloc(9100 * 2048); // every load RBA inside the image
      encodeBootRecord(19).copy(image, 17 * 2048);
      encodeBootCatalog(entries).copy(image, 19 * 2048);
      const cat = await readBootCatalog(bufferBlockReader(image), { lba: 17, type: 0, bytes: image.subarray(17 * 2048, 18 * 2048) });
      expect(cat.warnings).toEqual([]);
      expect(cat.catalogLba).toBe(19);
      expect(cat.validation).toMatchObject({ platformId: PLATFORM_ID[entries[0].platform], checksumOk: true, keyOk: true });
      expect(cat.entries.map((e) => ({ platformId: e.platformId, mediaType: e.mediaType, systemType: e.systemType, loadSize: e.loadSize, loadRba: e.loadRba, bootable: e.bootable })))
        .toEqual(entries.map((e) => ({ platformId: PLATFORM_ID[e.platform], mediaType: e.mediaType, systemType: e.systemType, loadSize: e.sectorCount, loadRba: e.loadRba, bootable: true })));
    });
  }
});

describe('isohybrid MBR and GPT', () => {
  const totalSectors = 5000;
  const input = { totalSectors, efi: { lba: 300, size: 2_000_000 }, biosBootLba: 40, diskId: 0x12345678 };

  it('MBR: a bootable partition over the image and an 0xEF partition that is the EFI image', () => {
    const mbr = decodeMbr(encodeIsohybridMbr(input))!;
    expect(mbr.diskSignature).toBe(0x12345678);
    expect(mbr.protective).toBe(false);
    const efi = mbr.partitions.find((p) => p.type === 0xef)!;
    expect(efi).toMatchObject({ start: 300 * 4, sectors: Math.ceil(2_000_000 / 512) });
    expect(mbr.partitions.some((p) => p.bootable && p.start === 0)).toBe(true);
  });

  it('GPT: protective MBR, valid primary and backup headers, the ESP at the EFI image', async () => {
    const gptInput = { ...input, gpt: true };
    const image = Buffer.alloc(totalSectors * 2048);
    const { primary, backup } = encodeGpt(gptInput);
    Buffer.concat([encodeIsohybridMbr(gptInput), primary]).copy(image, 0);
    backup.copy(image, image.length - backup.length);
    expect(decodeMbr(image.subarray(0, 512))!.protective).toBe(true);
    const gpt = (await readGpt(bufferBlockReader(image)))!;
    expect(gpt).toMatchObject({ blockSize: 512, headerCrcOk: true, backup: 'ok' });
    const esp = gpt.partitions.find((p) => p.typeName.toLowerCase().includes('efi'))!;
    expect(esp).toMatchObject({ firstLba: 300 * 4, lastLba: 300 * 4 + Math.ceil(2_000_000 / 512) - 1 });
    expect(backup.length).toBeLessThanOrEqual(GPT_TAIL_SECTORS * 2048);
  });
});
