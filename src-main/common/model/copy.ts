// A disc copy (burn/copy-service.ts): its progress and result, shared by IPC (disc.copy) and the CLI (copy).
import type { BurnProgress, BurnResult } from './burn';
import type { DiscProgress, DiscReadReport } from './verify-report';

/** Progress of a copy: the stage, and the read's or burn's own progress event. */
export type CopyProgress =
  | { stage: 'reading'; read: DiscProgress }
  | { stage: 'waiting-for-disc'; message: string }
  | { stage: 'burning'; burn: BurnProgress };

export interface CopyResult {
  from: string;
  to: string;
  /** 'stream': two drives, the source streamed into the burner; 'image': one drive, through a temporary image. */
  mode: 'stream' | 'image';
  /** One drive: the read of the source to the temporary image (since deleted). */
  read?: DiscReadReport;
  burn: BurnResult;
}
