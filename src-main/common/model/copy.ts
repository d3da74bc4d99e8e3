// A disc copy (burn/copy-service.ts): its progress and result, shared by IPC (disc.copy) and the CLI (copy).
import type { BurnProgress, BurnResult } from './burn';
import type { DiscProgress, DiscReadReport } from './verify-report';

/** Progress of a copy: the stage, and the read's or burn's own progress event. */
export type CopyProgress =
  | { stage: 'reading'; read: DiscProgress }
  | { stage: 'waiting-for-disc'; message: string }
  | { stage: 'burning'; burn: BurnProgress; session?: { number: number; of: number } };

export interface CopyResult {
  from: string;
  to: string;
  /** 'stream': two drives, the source streamed into the burner; 'image': one drive, through a temporary image. */
  mode: 'stream' | 'image';
  /** One drive: the read of the source to the temporary image (since deleted). */
  read?: DiscReadReport;
  /** The (last) burn; a multisession copy: its last session's. */
  burn: BurnResult;
  /** A multisession source: each session as copied (same addresses as the source's), in order. */
  sessions?: Array<{ number: number; startLba: number; sectors: number; closed: 'session' | 'disc'; burn: BurnResult }>;
}
