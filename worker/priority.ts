// An exchange worker thread's scheduling priority. When the cores are full, the thread the scheduler runs first
// should be the main thread: it alone writes every client's socket, so while it waits every client waits, where a
// worker that waits delays one venue's frames, which its socket holds meanwhile. A worker therefore raises its own
// niceness (config `exchanges.<id>.nice`; raising one's own needs no privilege) and the main thread stays where it
// is. Only the calling thread changes: on Linux setpriority(2) applied to a thread id affects that thread alone, and
// the id is read from /proc/thread-self. Node and Deno alike (node:os, node:fs).

import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Raises this thread's niceness by `by` (0: nothing to do). Returns what it could not do, for the caller to report
 * once; never throws (a platform without per-thread priorities runs the worker as it is).
 */
export function lowerThisThread(by: number): string | undefined {
  if (by <= 0) return undefined;
  let tid: number;
  try {
    // "<pid>/task/<tid>"
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return `thread priority not changed: no /proc/thread-self on ${process.platform} (nice ${by} ignored)`;
  }
  try {
    setPriority(tid, Math.min(19, getPriority(tid) + by));
    return undefined;
  } catch (err) {
    return `thread priority not changed (nice ${by}): ${(err as Error).message}`;
  }
}
