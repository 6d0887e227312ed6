// CPU time of each thread of this process (Linux /proc/self/task), to tell the main thread's share of a benchmark's
// gateway CPU from its worker threads'. Elsewhere the snapshot is empty and the figures come out as NaN.

import { readdirSync, readFileSync } from 'node:fs';

/** clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux) */
const TICKS_PER_S = 100;

/** thread id → user + system CPU time in ms */
export type ThreadTimes = Map<number, number>;

export function threadTimes(): ThreadTimes {
  const out: ThreadTimes = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // fields after the command name (which may hold spaces) in parentheses: utime and stime are the 12th and 13th
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), ((Number(f[11]) + Number(f[12])) / TICKS_PER_S) * 1000);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

/** the main thread's CPU between two snapshots, in % of one core over `elapsedMs` */
export function mainThreadPct(before: ThreadTimes, after: ThreadTimes, elapsedMs: number): number {
  const pid = process.pid;
  const a = after.get(pid);
  const b = before.get(pid);
  return a === undefined || b === undefined ? NaN : ((a - b) / elapsedMs) * 100;
}

/** every thread's CPU between two snapshots, in % of one core, busiest first (threads that started count from 0) */
export function threadPcts(before: ThreadTimes, after: ThreadTimes, elapsedMs: number): { tid: number; pct: number }[] {
  return [...after]
    .map(([tid, ms]) => ({ tid, pct: ((ms - (before.get(tid) ?? 0)) / elapsedMs) * 100 }))
    .sort((x, y) => y.pct - x.pct);
}
