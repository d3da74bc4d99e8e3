// audio.planBurn: what the burner would do with the audio project on the recorder at `address`,
// asked before burning so the burn dialog can show each writing mode with the planner's sentence —
// the same chooseAudioMode (audio-mode.ts) over the same features (GET CONFIGURATION) the burner
// reads, and the capacity of the loaded disc from its ATIP lead-out (the burner's checkCapacity rule).
// Read-only: nothing is written and the drive is not leased (a drive busy with a job says so).
import { GlassmasterError } from '../common/errors';
import type { AudioBurnPlanView } from '../common/model/audio-project';

export type { AudioBurnPlanView };
import type { DriveService } from '../drive/drive-service';
import type { DiscLayout } from '../audio/layout';
import { buildReadTocPmaAtip, parseAtip } from '../mmc/commands/read-toc-pma-atip';
import { profileNumber } from '../mmc/profiles';
import { audioWriteCaps, chooseAudioMode } from './audio-mode';

const CD_R = 0x09;
const CD_RW = 0x0a;

export async function planAudioModes(drives: DriveService, address: string, layout: DiscLayout, hasText: boolean, signal?: AbortSignal): Promise<AudioBurnPlanView> {
  return drives.withDrive(address, async (drive) => {
    const config = await drive.configuration(signal);
    const caps = audioWriteCaps(config);
    const modes = {} as AudioBurnPlanView['modes'];
    for (const m of ['auto', 'tao', 'sao', 'raw96'] as const) {
      try {
        const c = chooseAudioMode(layout, hasText, caps, m);
        modes[m] = { ok: true, mode: c.mode, reason: c.reason, dropped: c.dropped, cdText: c.cdText };
      } catch (e) {
        if (!(e instanceof GlassmasterError)) throw e;
        modes[m] = { ok: false, reason: e.message };
      }
    }
    let atipLeadOut: number | undefined;
    const media = await drive.media(signal);
    const profile = profileNumber(media.profile) ?? 0;
    if (profile === CD_R || profile === CD_RW) {
      try {
        atipLeadOut = parseAtip(await drive.query(buildReadTocPmaAtip({ format: 4, msf: true }), { signal })).lastLeadOutStartLba;
      } catch (e) {
        if (!(e instanceof GlassmasterError)) throw e;
      }
    }
    return { modes, ...(atipLeadOut !== undefined ? { atipLeadOut } : {}), leadOut: layout.leadOut };
  });
}
