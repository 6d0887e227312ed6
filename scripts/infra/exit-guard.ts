// The one piece of module state: PIDs and temp dirs not yet released, so a test process that exits without closing
// its handles SIGKILLs what it started and removes their dirs. The exit hook exists only while something is held.

import { readdirSync, readFileSync, rmSync } from 'node:fs';

const pids = new Set<number>();
const dirs = new Set<string>();
let hooked = false;

function onExit(): void {
  for (const pid of pids) killTree(pid);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

function sync(): void {
  const wanted = pids.size + dirs.size > 0;
  if (wanted && !hooked) process.on('exit', onExit);
  if (!wanted && hooked) process.off('exit', onExit);
  hooked = wanted;
}

export function holdPid(pid: number): void {
  pids.add(pid);
  sync();
}

export function releasePid(pid: number): void {
  pids.delete(pid);
  sync();
}

export function holdDir(dir: string): void {
  dirs.add(dir);
  sync();
}

export function releaseDir(dir: string): void {
  dirs.delete(dir);
  sync();
}

/** All descendants of pid, read from /proc (synchronously: it also runs inside the exit hook). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields are counted after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we were reading
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Children are collected before the parent dies: once orphaned they can no longer be found by their parent. */
export function killTree(pid: number): void {
  const kids = descendants(pid);
  signal(pid, 'SIGKILL');
  for (const kid of kids) signal(kid, 'SIGKILL');
}
