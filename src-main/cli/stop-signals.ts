// Ctrl-C, SIGTERM and SIGHUP (a closed terminal, a service manager) all cancel a CLI job the same
// way: the first one aborts the job's signal, and the job cleans up as it does on any cancel (a
// disc left readable and the drive unlocked, an output's partial removed), then exits 130. A
// second signal before that is done exits at once, after removing every output partial still
// held (image/output-file.ts removeLivePartialsSync), so no half-written file is left behind.
import { removeLivePartialsSync } from '../image/output-file';
import { ExitCode } from '../common/exit-codes';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopSignals {
  signal: AbortSignal;
  dispose(): void;
}

export function stopOnSignals(): StopSignals {
  const ac = new AbortController();
  const onSignal = () => {
    if (!ac.signal.aborted) {
      ac.abort();
      return;
    }
    removeLivePartialsSync();
    process.exit(ExitCode.CANCELLED);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return {
    signal: ac.signal,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
    },
  };
}
