// Child processes of the benchmarks (load client, simulators): started with tsx, driven over IPC, stopped by PID.

import { execFileSync, fork } from 'node:child_process';
import { setPriority } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  proc: ChildProcess;
  /** sends a command and resolves with the first message of type `until` */
  ask<T = Record<string, unknown>>(msg: Record<string, unknown>, until: string, timeoutMs?: number): Promise<T>;
  /** resolves with the next message of this type */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** asks it to exit; kills it (by its PID) if it has not within a second */
  stop(): Promise<void>;
}

/** Starts `bench/<script>` in its own Node process with the tsx loader (and `nodeFlags`, e.g. --cpu-prof). */
export function start(script: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: string[] = []): Child {
  const file = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const proc = fork(file, args, { execArgv: [...nodeFlags, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  const waiting: { type: string; resolve: (m: never) => void }[] = [];
  const errors: string[] = [];
  proc.on('message', (m: { t: string; message?: string }) => {
    if (m.t === 'error') {
      if (errors.length < 5) console.error(`${script}: ${m.message}`);
      errors.push(m.message ?? '');
      return;
    }
    const i = waiting.findIndex((w) => w.type === m.t);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m as never);
  });
  const next = <T>(type: string, timeoutMs = 120_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null) => reject(new Error(`${script} exited (${code}) while waiting for "${type}"`));
      proc.once('exit', onExit);
      waiting.push({
        type,
        resolve: (m: T) => {
          clearTimeout(timer);
          proc.off('exit', onExit);
          resolve(m);
        },
      });
    });
  return {
    proc,
    next,
    ask: <T>(msg: Record<string, unknown>, until: string, timeoutMs?: number) => {
      const p = next<T>(until, timeoutMs);
      proc.send(msg);
      return p;
    },
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      try {
        proc.send({ t: 'close' });
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => proc.pid && process.kill(proc.pid, 'SIGKILL'), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Asks the load client to start measuring, waits `ms`, and returns its report with this process's CPU over the
 * window (% of one core).
 */
export async function measureWindow<R>(client: Child, ms: number): Promise<{ rep: R; cpuPct: number }> {
  client.proc.send({ t: 'measure' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const rep = await client.ask<R>({ t: 'report' }, 'report');
  const cpu = process.cpuUsage(cpu0);
  return { rep, cpuPct: ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100 };
}

/**
 * Lowers a started child's scheduling priority to niceness `n` (0 normal, 19 lowest), so that on a shared machine it
 * takes the cores only when the process under test leaves them free. Raising niceness needs no privilege.
 */
export function nice(child: Child, n: number): void {
  if (n > 0 && child.proc.pid) setPriority(child.proc.pid, n);
}

/** SCHED_BATCH for every thread of the child (chrt, util-linux): it keeps its share of the CPU but never preempts the running thread when woken */
export function batchPolicy(child: Child): boolean {
  if (!child.proc.pid) return false;
  try {
    execFileSync('chrt', ['--batch', '--all-tasks', '--pid', '0', String(child.proc.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    // no chrt (util-linux) or not Linux: the process keeps the normal policy
    return false;
  }
}
