import { InvalidImageError } from '../../common/errors';
import type { BlockReader } from './block-reader';
import type { ReaderLimits } from './iso9660';
import type { Extent, TreeNode, UdfVolumeInfo } from './types';

export interface UdfVolume {
  info: UdfVolumeInfo;
  tree(): Promise<TreeNode>;
  embeddedData(e: Extent): Promise<Buffer>;
}

export async function openUdf(_reader: BlockReader, _o: { limits: ReaderLimits; nsr?: string }): Promise<UdfVolume> {
  throw new InvalidImageError('UDF reading not implemented yet');
}
