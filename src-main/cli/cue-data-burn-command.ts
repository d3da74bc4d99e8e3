// `glassmaster burn --drive D --cue disc.cue` for a data CD's BIN/CUE (MODE1/MODE2 tracks, one
// session or several with REM SESSION, as `glassmaster read -o disc.cue` writes them): each session
// burned Track-At-Once at the sector the sheet's layout gives it, closed so the next can follow, the
// last closed as asked (--close: appendable; default finalized), each verified against the .bin
// (burn/cue-data-burn.ts). Progress on stderr, or JSON lines on stdout with --json (the result last).
import { GlassmasterError, InvalidInputError } from '../common/errors';
import { formatBytes } from '../burn/units';
import { formatBurnProgress } from '../burn/progress-text';
import type { BurnProgress } from '../common/model/burn';
import { progressLines } from './progress-lines';
import { speedX, type AudioBurnCliOptions } from './audio-burn-command';
import { stopOnSignals } from './stop-signals';

export async function burnCueDataFromCli(cuePath: string, o: AudioBurnCliOptions): Promise<void> {
  const { readCueSheet } = await import('../audio/cue-plan');
  const { planCueDataBurn, burnCueData } = await import('../burn/cue-data-burn');
  const { createServices } = await import('../app/services');
  if (o.mode === 'sao' || o.mode === 'raw96') throw new InvalidInputError(`a data CD's BIN/CUE is written Track-At-Once (a session at a time), not --mode ${o.mode}`);
  const sessions = await planCueDataBurn(await readCueSheet(cuePath), cuePath);
  const services = await createServices({ shell: 'cli', watch: false });
  const ac = stopOnSignals();
  type SessionProgress = { session: number; of: number; p: BurnProgress };
  const lines = progressLines<SessionProgress>({ stage: (x) => `${x.session}:${x.p.action}`, format: (x) => `${x.of > 1 ? `Session ${x.session} of ${x.of}: ` : ''}${formatBurnProgress(x.p)}` });
  try {
    const r = await burnCueData({ drives: services.drives, burner: services.burner }, o.drive, sessions, { verify: o.verify ?? 'full', close: o.close ? 'session' : 'disc', simulate: o.simulate, eject: o.eject, speedX: speedX(o.speed) }, {
      signal: ac.signal,
      onProgress: (session, of, p) => {
        if (o.json) return void process.stdout.write(`${JSON.stringify({ type: 'progress', session, sessions: of, ...p })}\n`);
        lines.update({ session, of, p });
      },
    }).finally(() => lines.end());
    if (o.json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: true, result: r })}\n`);
    else {
      for (const s of r.sessions) {
        const v = s.burn.copies[0].verify;
        process.stdout.write(`Session ${s.session}: track ${s.track} at sector ${s.startLba}, ${formatBytes(s.sectors * 2048)}, ${s.closed === 'disc' ? 'finalized' : 'closed, appendable'}${v ? `; verify ${v.level}: ${v.ok ? 'equal to the .bin' : 'DIFFERS'}` : ''}\n`);
      }
      process.stdout.write(`${r.discState}\n`);
    }
  } catch (e) {
    if (o.json) process.stdout.write(`${JSON.stringify({ type: 'result', ok: false, error: GlassmasterError.from(e).toJSON() })}\n`);
    throw e;
  } finally {
    ac.dispose();
    await services.close().catch(() => undefined);
  }
}
