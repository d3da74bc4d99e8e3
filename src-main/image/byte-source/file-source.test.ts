import { afterAll } from 'vitest';
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeByteSourceContract } from './contract';
import { bufferByteSource, openImageFileSource } from './file-source';

const dir = mkdtempSync(join(tmpdir(), 'gm-bytesource-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = randomBytes(2048 * 300);
const sha256 = createHash('sha256').update(data).digest('hex');
const iso = join(dir, 'x.iso');
writeFileSync(iso, data);

describeByteSourceContract('image file', async () => ({ open: () => openImageFileSource(iso), sha256, sectorSize: 2048, totalSectors: 300 }));
describeByteSourceContract('buffer (CD-DA sectors)', async () => {
  const cd = data.subarray(0, 2352 * 100);
  return { open: async () => bufferByteSource(cd, { sectorSize: 2352 }), sha256: createHash('sha256').update(cd).digest('hex'), sectorSize: 2352, totalSectors: 100 };
});

describe('image file source', () => {
  it('refuses a file that is not whole 2048-byte sectors, and a missing file, with the path named', async () => {
    const odd = join(dir, 'odd.iso');
    writeFileSync(odd, Buffer.alloc(2049));
    await expect(openImageFileSource(odd)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('odd.iso') });
    await expect(openImageFileSource(join(dir, 'missing.iso'))).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('missing.iso') });
  });

  it('a file that shrinks while it is read fails with an IoError naming it', async () => {
    const f = join(dir, 'shrinks.iso');
    writeFileSync(f, data);
    const src = await openImageFileSource(f);
    await src.read(10);
    truncateSync(f, 2048 * 20);
    await expect(src.read(100)).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('shrinks.iso') });
    await expect(src.read(1)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
