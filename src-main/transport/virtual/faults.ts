// Fault injection for the virtual recorder: return a given sense on the Nth matching command, slow
// down or stall commands, or drop the "connection". Rules live in memory only (never persisted).

export type FaultMatch = 'any' | 'write' | 'read' | number;

export interface FaultRule {
  /** Which commands count towards `nth`: every command, WRITE(10/12), READ(10/12)/READ CD, or one opcode. */
  match?: FaultMatch;
  /** 1-based: the rule fires on the nth matching command after it was added. */
  nth?: number;
  /** Keep firing on every matching command from the nth on (default: once). */
  repeat?: boolean;
  /** What happens. 'sense' answers CHECK CONDITION with `sense`; 'delay' runs the command after `delayMs`;
   * 'stall' never answers (the execute rejects at its timeout); 'disconnect' rejects with a TransportError. */
  action?: 'sense' | 'delay' | 'stall' | 'disconnect';
  sense?: [key: number, asc: number, ascq: number];
  delayMs?: number;
  /** Only reads (READ(10/12), READ CD) whose span covers one of these blocks count: a damaged or
   * unreadable sector at a known address (e.g. a CD's run-out blocks answering 03/11/05). */
  lbas?: number[];
}

export interface FiredFault {
  action: NonNullable<FaultRule['action']>;
  sense?: [number, number, number];
  delayMs?: number;
}

const WRITES = new Set([0x2a, 0xaa]);
const READS = new Set([0x28, 0xa8, 0xbe]);

export class FaultInjector {
  private rules: Array<{ rule: FaultRule; seen: number; spent: boolean }> = [];

  add(rule: FaultRule): void {
    if (rule.action === 'sense' || (rule.action === undefined && rule.sense)) {
      if (!rule.sense) throw new RangeError('a sense fault needs sense: [key, asc, ascq]');
    }
    this.rules.push({ rule, seen: 0, spent: false });
  }

  clear(): void {
    this.rules = [];
  }

  get active(): FaultRule[] {
    return this.rules.filter((r) => !r.spent).map((r) => r.rule);
  }

  /** Counts the command against every rule and returns the first rule that fires. */
  next(op: number, read?: { lba: number; blocks: number }): FiredFault | undefined {
    let fired: FiredFault | undefined;
    for (const r of this.rules) {
      if (r.spent) continue;
      const m = r.rule.match ?? 'any';
      const hit = m === 'any' || (m === 'write' && WRITES.has(op)) || (m === 'read' && READS.has(op)) || m === op;
      if (!hit) continue;
      if (r.rule.lbas && !(read && READS.has(op) && r.rule.lbas.some((x) => x >= read.lba && x < read.lba + read.blocks))) continue;
      r.seen++;
      if (r.seen < (r.rule.nth ?? 1)) continue;
      if (!r.rule.repeat) r.spent = true;
      fired ??= { action: r.rule.action ?? (r.rule.sense ? 'sense' : 'delay'), sense: r.rule.sense, delayMs: r.rule.delayMs };
    }
    return fired;
  }
}
