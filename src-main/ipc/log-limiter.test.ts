import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from './log-limiter';

describe('RateLimitedLog', () => {
  it('writes a burst per reason, then refills over time, and sums up what it dropped', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RateLimitedLog((l) => lines.push(l), { burst: 3, perSecond: 1, reportEveryMs: 60_000 }, () => now);
    for (let i = 0; i < 10; i++) log.warn('bad message', `bad ${i}`);
    log.warn('refused upgrade', 'refused 0'); // another reason has its own budget
    expect(lines).toEqual(['bad 0', 'bad 1', 'bad 2', 'refused 0']);
    now = 2500; // 2.5 tokens back
    for (let i = 10; i < 15; i++) log.warn('bad message', `bad ${i}`);
    expect(lines.slice(4)).toEqual(['bad 10', 'bad 11']);
    log.flush();
    expect(lines.slice(6)).toEqual(['10 more "bad message" log lines suppressed']);
    log.flush(); // nothing new: no line
    expect(lines).toHaveLength(7);
    log.close();
  });
});
