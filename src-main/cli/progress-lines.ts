// Progress on stderr, the one way the CLI's jobs show it (burn, erase, format, read, verify, copy,
// audio and cue burns): an updating line on a terminal, else at most one line a second within a
// stage, so a log stays readable. What a throttle drops is only ever an intermediate state: when
// the stage changes, or the job ends, the newest event not shown yet is printed first. Without that
// a fast write printed "Writing 0%" and then "Closing", and a user could not tell whether every
// sector had been sent.
// --json output does not come through here: every event is its own JSON line (the callers').

export interface ProgressLines<P> {
  update(p: P): void;
  /** Prints the last event if it was held back, and ends a terminal's updating line. */
  end(): void;
}

export interface ProgressLinesOptions<P> {
  /** Events with the same stage may be thinned out; a new stage is always shown. */
  stage(p: P): string;
  format(p: P): string;
  /** Redraw one line in place (default: whether stderr is a terminal). */
  tty?: boolean;
  /** Shortest time between two lines of one stage (default: 100 ms on a terminal, 1 s in a log). */
  intervalMs?: number;
  /** Where lines go (default: stderr). */
  write?(s: string): void;
  /** The clock, in ms (tests). */
  now?(): number;
}

/** Shortest time between two lines of one stage: a redraw on a terminal, a new line in a log. */
const TTY_MS = 100;
const LOG_MS = 1000;

export function progressLines<P>(o: ProgressLinesOptions<P>): ProgressLines<P> {
  const tty = o.tty ?? process.stderr.isTTY === true;
  const write = o.write ?? ((s: string) => void process.stderr.write(s));
  const now = o.now ?? Date.now;
  let lastAt = 0;
  let lastStage: string | undefined;
  let held: P | undefined;
  let open = false;
  const show = (p: P) => {
    const line = o.format(p);
    if (tty) {
      write(`\r\x1b[2K${line}`);
      open = true;
    } else write(`${line}\n`);
  };
  return {
    update(p) {
      const stage = o.stage(p);
      const t = now();
      if (stage === lastStage && t - lastAt < (o.intervalMs ?? (tty ? TTY_MS : LOG_MS))) {
        held = p;
        return;
      }
      if (held !== undefined && stage !== lastStage) show(held);
      held = undefined;
      lastAt = t;
      lastStage = stage;
      show(p);
    },
    end() {
      if (held !== undefined) show(held);
      held = undefined;
      if (open) write('\n');
      open = false;
    },
  };
}
