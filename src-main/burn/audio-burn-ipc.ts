// The audio.burn IPC method (contract.ts AudioBurnSourceSchema, validated by the dispatcher): main
// decodes the named files (or the CUE sheet's) in a temporary work folder — the renderer never reads
// them — and burns with the AudioBurner; progress goes out as burn.onProgress (job 'burn'). Cancel
// the call to stop it. The work folder is removed whatever happens.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import type { AudioBurnOptionsSchema, AudioBurnSourceSchema } from '../common/ipc/contract';
import type { AudioBurnResult } from '../common/model/audio-burn';
import type { BurnProgress } from '../common/model/burn';
import type { DriveService } from '../drive/drive-service';
import type { AudioBurnPlan } from '../audio/audio-plan';
import { AudioBurner } from './audio-burn';
import type { AudioProjectSpec } from '../audio/author';
import { InvalidInputError, NotSupportedError } from '../common/errors';

export interface AudioBurnRequest {
  address: string;
  source: z.infer<typeof AudioBurnSourceSchema>;
  options: z.infer<typeof AudioBurnOptionsSchema>;
}

/** `projectSpec`: the open audio project's author input (AudioProjectService.spec), for source {kind:'project'}. */
export function audioBurnHandler(drives: DriveService, onProgress: (address: string, p: BurnProgress) => void, projectSpec?: () => AudioProjectSpec): (req: AudioBurnRequest, signal: AbortSignal) => Promise<AudioBurnResult> {
  const burner = new AudioBurner({ drives });
  return async ({ address, source, options }, signal) => {
    const { AudioDecoderPool } = await import('../audio/audio-decoder-pool');
    const workDir = await mkdtemp(join(tmpdir(), 'gm-audio-burn-'));
    const pool = new AudioDecoderPool();
    try {
      let plan: AudioBurnPlan;
      if (source.kind === 'cue') {
        const { cueBurnPlan } = await import('../audio/cue-plan');
        plan = await cueBurnPlan(source.path, workDir, { pool, signal });
      } else if (source.kind === 'project') {
        if (!projectSpec) throw new NotSupportedError('this shell has no audio project');
        const spec = projectSpec();
        if (spec.tracks.length === 0) throw new InvalidInputError('the audio project has no tracks');
        const { prepareAudioDisc } = await import('../audio/author');
        // As below: the loaded disc's ATIP decides whether it fits, not the project's nominal minutes.
        plan = (await prepareAudioDisc({ ...spec, discMinutes: 99 }, workDir, { pool, signal })).plan;
      } else {
        const { prepareAudioDisc } = await import('../audio/author');
        // discMinutes 99: the burner checks the program against the loaded disc's ATIP lead-out.
        plan = (await prepareAudioDisc({ tracks: source.tracks, gapless: source.gapless, pregapSeconds: source.pregapSeconds, hiddenTrack: source.hiddenTrack, mcn: source.mcn, album: source.album, discMinutes: 99 }, workDir, { pool, signal })).plan;
      }
      return await burner.burn(address, plan, options, { signal, onProgress: (p) => onProgress(address, p) });
    } finally {
      await pool.close().catch(() => undefined);
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  };
}
