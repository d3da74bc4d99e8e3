// Enhanced CD / CD-Extra (Blue Book): session 1 holds the audio (what CD players see: they read only
// the first session), session 2 a data track with a file system (what computers mount). The audio
// session is closed appendable (page 05h Multi-session 11b, the drive writes the lead-in's next-session
// pointer); the data session starts at the next writable address the drive reports, and its image is
// built for that absolute LBA (ImageEngine spec startLba), so its directories point at the right
// sectors; it is written Track-At-Once by the data burner as CD-ROM XA mode 2 form 1 in an XA session
// (Blue Book: the data session of an Enhanced CD is CD-ROM XA) and the disc finalized.
//
// MUST rules: only a blank CD-R/RW; the audio session is SAO, TAO or RAW-96 (asked for by name: the
// host then writes the lead-in itself, with P/Q generated, CD-TEXT in R-W and the mode 5 B0h/C0h
// pointers to the next session, raw96-source.ts); both sessions are read back before success; a
// failure in the data session leaves a playable, appendable audio CD and says so.
import { InvalidMediaError, NotSupportedError } from '../common/errors';
import type { BurnProgress, BurnResult } from '../common/model/burn';
import type { AudioBurnResult } from '../common/model/audio-burn';
import type { DriveService } from '../drive/drive-service';
import { buildReadTrackInformation, INVISIBLE_TRACK, parseReadTrackInformation } from '../mmc/commands/read-track-information';
import type { AudioBurnPlan } from '../audio/audio-plan';
import { AudioBurner, type AudioBurnOptions } from './audio-burn';
import { audioWriteCaps } from './audio-mode';
import type { BurnService, ByteSourceFactory } from './burn-service';

export interface CdExtraResult {
  audio: AudioBurnResult;
  data: BurnResult;
  /** First LBA of the data session (its image was built for it). */
  dataStartLba: number;
}

export async function burnCdExtra(
  deps: { drives: DriveService; burner: BurnService; pollMs?: number; progressIntervalMs?: number },
  address: string,
  plan: AudioBurnPlan,
  /** The data session's image built for its absolute start LBA (e.g. `(lba) => () => engine.source({...spec, startLba: lba})`). */
  dataAt: (startLba: number) => ByteSourceFactory,
  options: Pick<AudioBurnOptions, 'mode' | 'speedX' | 'simulate'> = {},
  hooks: { signal?: AbortSignal; onProgress?: (session: 1 | 2, p: BurnProgress) => void } = {},
): Promise<CdExtraResult> {
  if (options.simulate) throw new NotSupportedError('A CD-Extra cannot be test-written: its second session needs the first one recorded.');
  const audioBurner = new AudioBurner({ drives: deps.drives, pollMs: deps.pollMs, progressIntervalMs: deps.progressIntervalMs });
  let mode: 'sao' | 'tao' | 'raw96';
  {
    const lease = await deps.drives.lease(address, 'burn');
    try {
      const m = await lease.drive.media(hooks.signal);
      if (m.status !== 'blank') throw new InvalidMediaError(`A CD-Extra starts on a blank CD-R/RW; this disc is ${m.status === 'no-disc' ? 'missing' : m.status}.`);
      // RAW-96 only when asked for (and offered); otherwise SAO where the drive has it (even if
      // CD-TEXT must be left out), else TAO.
      const caps = audioWriteCaps(await lease.drive.configuration(hooks.signal));
      if (options.mode === 'raw96' && !caps.raw96) throw new NotSupportedError('This drive does not write raw (RAW-96) Disc-At-Once; choose SAO or TAO for the audio session.');
      mode = options.mode === 'raw96' ? 'raw96' : options.mode === 'tao' || (options.mode !== 'sao' && !caps.sao) ? 'tao' : 'sao';
    } finally {
      await lease.release();
    }
  }
  const audio = await audioBurner.burn(address, plan, { speedX: options.speedX, mode, close: 'session', verify: 'full' }, { signal: hooks.signal, onProgress: (p) => hooks.onProgress?.(1, p) });
  let start: number;
  {
    const lease = await deps.drives.lease(address, 'burn');
    try {
      const ti = parseReadTrackInformation(await lease.drive.query(buildReadTrackInformation({ type: 'track', address: INVISIBLE_TRACK }), { signal: hooks.signal }));
      if (ti.nextWritableAddress === undefined) throw new InvalidMediaError('The audio session was closed without room for a data session.');
      start = ti.nextWritableAddress;
    } finally {
      await lease.release();
    }
  }
  try {
    const data = await deps.burner.burn(address, dataAt(start), { writeMode: 'tao', close: 'disc', verify: 'full', speedX: options.speedX, cdXa: true }, { signal: hooks.signal, onProgress: (p) => hooks.onProgress?.(2, p) });
    return { audio, data, dataStartLba: start };
  } catch (e) {
    if (e instanceof Error) e.message = `${e.message} The audio session (${audio.tracks.length} tracks) was written and verified: the disc plays in CD players.`;
    throw e;
  }
}
