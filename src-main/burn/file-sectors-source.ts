// A run of sectors inside a host file as a burnable, placed data source: a session of a disc read to
// an ISO (a one-drive multisession copy) or a data track of a BIN/CUE (2352-byte raw sectors whose
// 2048 bytes of user data are what the burner writes; the recorder makes sync, header and EDC/ECC
// again, for the same address the same bytes). The ByteSource rules are SequentialSource's.
import type { FileHandle } from 'node:fs/promises';
import { IoError } from '../common/errors';
import { DATA_SECTOR } from '../image/byte-source';
import { SequentialSource } from '../image/byte-source/sequential-source';
import { openInputFile } from '../image/host-input-file';
import type { PlacedByteSource } from './burn-service';

export interface FileSectors {
  /** Where the first sector starts in the file. */
  byteOffset: number;
  sectors: number;
  /** Bytes per sector in the file: 2048 (ISO, MODE1/2048) or 2352 (raw). */
  sectorSize: number;
  /** Where the 2048 bytes of user data start in each sector (0; raw mode 1: 16; raw mode 2 form 1: 24). */
  userDataOffset?: number;
  /** The disc sector the first one must be written at. */
  startLba: number;
  description: string;
}

export async function openFileSectors(path: string, spec: FileSectors): Promise<PlacedByteSource> {
  const { fh, size } = await openInputFile(path, 'image');
  if (size < spec.byteOffset + spec.sectors * spec.sectorSize) {
    await fh.close();
    throw new IoError(`${path} is ${size} bytes; ${spec.description} needs ${spec.byteOffset + spec.sectors * spec.sectorSize}`, { path });
  }
  return new FileSectorsSource(path, fh, spec);
}

class FileSectorsSource extends SequentialSource implements PlacedByteSource {
  readonly description: string;
  readonly startLba: number;

  constructor(private readonly path: string, private readonly fh: FileHandle, private readonly spec: FileSectors) {
    super(DATA_SECTOR, spec.sectors);
    this.startLba = spec.startLba;
    this.description = spec.description;
  }

  protected async produce(first: number, count: number): Promise<Uint8Array> {
    const { sectorSize, userDataOffset = 0 } = this.spec;
    const raw = Buffer.allocUnsafe(count * sectorSize);
    let done = 0;
    while (done < raw.length) {
      const { bytesRead } = await this.fh.read(raw, done, raw.length - done, this.spec.byteOffset + first * sectorSize + done);
      if (bytesRead === 0) throw new IoError(`${this.path} became shorter while it was read`, { path: this.path });
      done += bytesRead;
    }
    if (sectorSize === DATA_SECTOR) return raw;
    const out = Buffer.allocUnsafe(count * DATA_SECTOR);
    for (let i = 0; i < count; i++) raw.copy(out, i * DATA_SECTOR, i * sectorSize + userDataOffset, i * sectorSize + userDataOffset + DATA_SECTOR);
    return out;
  }

  protected async release(): Promise<void> {
    await this.fh.close();
  }
}
