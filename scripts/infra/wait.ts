// Polling for readiness that has no event to wait on (a port that starts answering), bounded by a deadline and cut
// short when the process being waited for dies.

import { setTimeout as delay } from 'node:timers/promises';
import { InfraError } from './errors.ts';
import { exitedError } from './owned-process.ts';
import type { OwnedProcess } from './owned-process.ts';

export interface UntilOptions {
  timeoutMs: number;
  /** pause between probes; there is no event to await, so this is the price of polling */
  intervalMs?: number;
  /** stop waiting as soon as this process has exited */
  proc?: OwnedProcess;
}

/** Calls `probe` until it returns a value other than undefined/false; returns that value. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  opts: UntilOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const intervalMs = opts.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    if (opts.proc && !opts.proc.running) throw exitedError(opts.proc, `while waiting for ${what}`);
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const tail = opts.proc ? `\n${opts.proc.output().slice(-4000)}` : '';
      throw new InfraError('INFRA_START_TIMEOUT', `timed out after ${opts.timeoutMs} ms waiting for ${what}${tail}`, {
        cause: lastError,
      });
    }
    await (opts.proc ? Promise.race([delay(intervalMs), opts.proc.exited]) : delay(intervalMs));
  }
}
