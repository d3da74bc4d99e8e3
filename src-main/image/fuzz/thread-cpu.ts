// CPU time of one thread (Linux: /proc/<pid>/task/<tid>/stat, utime + stime in clock ticks, proc(5)).
// The watchdog judges a case by the CPU its worker thread spent, not by wall time: on a machine
// shared with other jobs a 300 ms case can take seconds of wall time, and that is no hang.
import { readFileSync, readlinkSync } from 'node:fs';

/** USER_HZ: 100 on every Linux ABI Node supports (sysconf(_SC_CLK_TCK)). */
const TICK_MS = 10;

/** The stat file of the calling thread, or undefined where /proc has no thread-self (not Linux). */
export function ownThreadStatPath(): string | undefined {
  try {
    return `/proc/${readlinkSync('/proc/thread-self')}/stat`;
  } catch {
    return undefined;
  }
}

/** CPU milliseconds the thread has used; undefined when the file is gone (the thread ended). */
export function threadCpuMs(statPath: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(statPath, 'latin1');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
}
