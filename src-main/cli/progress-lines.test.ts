// progressLines: thinned within a stage, never losing a stage's last state (a fast burn printed
// "Writing 0%" then "Closing": the 100% line was thrown away by the throttle).
import { describe, expect, it } from 'vitest';
import { progressLines } from './progress-lines';

interface Ev {
  action: string;
  pct: number;
}

function run(tty: boolean, events: Array<[at: number, ev: Ev]>): string {
  let now = 0;
  let out = '';
  const lines = progressLines<Ev>({ stage: (e) => e.action, format: (e) => `${e.action} ${e.pct}%`, tty, now: () => now, write: (s) => (out += s) });
  for (const [at, ev] of events) {
    now = at;
    lines.update(ev);
  }
  lines.end();
  return out;
}

describe('progressLines', () => {
  it('in a log: one line a second within a stage, and the last state of a stage before the next stage', () => {
    const out = run(false, [
      [0, { action: 'writing', pct: 0 }],
      [100, { action: 'writing', pct: 40 }],
      [200, { action: 'writing', pct: 100 }],
      [250, { action: 'closing', pct: 0 }],
      [1300, { action: 'closing', pct: 50 }],
      [1400, { action: 'closing', pct: 90 }],
      [1500, { action: 'done', pct: 100 }],
    ]);
    expect(out).toBe('writing 0%\nwriting 100%\nclosing 0%\nclosing 50%\nclosing 90%\ndone 100%\n');
  });

  it('the last held event is printed at the end (a job that fails or ends inside a stage)', () => {
    expect(run(false, [[0, { action: 'reading', pct: 0 }], [10, { action: 'reading', pct: 7 }]])).toBe('reading 0%\nreading 7%\n');
    expect(run(false, [[0, { action: 'reading', pct: 0 }]])).toBe('reading 0%\n');
  });

  it('on a terminal: one line redrawn in place, ended with a newline', () => {
    const out = run(true, [
      [0, { action: 'writing', pct: 0 }],
      [50, { action: 'writing', pct: 60 }],
      [150, { action: 'writing', pct: 100 }],
      [160, { action: 'closing', pct: 0 }],
    ]);
    expect(out).toBe('\r\x1b[2Kwriting 0%\r\x1b[2Kwriting 100%\r\x1b[2Kclosing 0%\n');
  });
});
