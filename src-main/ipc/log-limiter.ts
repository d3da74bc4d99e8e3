// Log lines a client can cause (refused upgrades, rejected messages, handler failures) go through
// a token bucket per reason: a burst is written, then about one line every few seconds, and what
// was dropped is summed up in one "N more … suppressed" line. Without it 20,000 bad frames wrote
// 1.2 MB to stderr (issue 13). Reasons are fixed strings from our code, never client text, so the
// number of buckets is bounded.

export interface LogLimit {
  /** Lines written at once before limiting starts. */
  burst: number;
  /** Lines per second after the burst (tokens refilled). */
  perSecond: number;
  /** How often suppressed counts are reported, while there are any. */
  reportEveryMs: number;
}

export const DEFAULT_LOG_LIMIT: LogLimit = { burst: 20, perSecond: 1 / 3, reportEveryMs: 30_000 };

interface Bucket {
  tokens: number;
  at: number;
  suppressed: number;
}

export class RateLimitedLog {
  private readonly buckets = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly limit: LogLimit = DEFAULT_LOG_LIMIT,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Writes `line` unless `reason` has used up its budget; then counts it for the next summary. */
  warn(reason: string, line: string): void {
    const t = this.now();
    let b = this.buckets.get(reason);
    if (!b) this.buckets.set(reason, (b = { tokens: this.limit.burst, at: t, suppressed: 0 }));
    b.tokens = Math.min(this.limit.burst, b.tokens + ((t - b.at) / 1000) * this.limit.perSecond);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.write(line);
      return;
    }
    b.suppressed++;
    this.timer ??= setInterval(() => this.flush(), this.limit.reportEveryMs).unref();
  }

  /** Writes one summary line per reason with suppressed lines; stops the timer when there are none. */
  flush(): void {
    let any = false;
    for (const [reason, b] of this.buckets) {
      if (b.suppressed === 0) continue;
      any = true;
      this.write(`${b.suppressed} more "${reason}" log line${b.suppressed === 1 ? '' : 's'} suppressed`);
      b.suppressed = 0;
    }
    if (!any && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  close(): void {
    this.flush();
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
