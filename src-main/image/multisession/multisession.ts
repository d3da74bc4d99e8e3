// Placeholder until the multisession builder lands.
import { NotSupportedError } from '../../common/errors';
import type { ImageSpec } from '../layout/plan-image';
import type { WriteOptions } from '../writer/write-image';

export interface MultisessionSpec extends ImageSpec {
  previousImage: string;
  startLba: number;
}

export async function planMultisession(_spec: MultisessionSpec): Promise<{ stream(opts: WriteOptions): AsyncIterable<Buffer> }> {
  throw new NotSupportedError('multisession is not implemented yet');
}
