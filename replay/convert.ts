// The batch converter's core: one chain (one exchange's continuous recording) → normalized records as JSON lines.
// Used in-process for a single chain and by the piscina task (replay/convert-task.ts) for each chain of a directory.

import { loadPlugin } from '../core/registry.ts';
import type { Chain } from '../core/recording/read.ts';
import { readLines } from '../core/recording/read.ts';
import type { Line } from '../core/recording/format.ts';
import { ReplaySession } from './session.ts';
import type { SessionStats } from './session.ts';

export interface RangeOptions {
  /** only records with rtms ≥ start (ms) */
  start?: number;
  /** only records with rtms ≤ end (ms) */
  end?: number;
  pluginsDir?: string;
}

export interface ChainStats extends SessionStats {
  exchange: string;
  files: number;
  /** lines that were not JSON (a part cut short) */
  badLines: number;
}

/**
 * Each line of the chain with the chain's clock: the greatest `rtms` so far. Records are merged across chains by
 * it, which stays in order even if the recording machine's clock stepped back.
 */
export async function* clockedLines(chain: Chain, bad: { count: number }): AsyncGenerator<{ line: Line; clock: number }> {
  let clock = -Infinity;
  for (const f of chain.files) {
    for await (const line of readLines(f.path, bad)) {
      if ('rtms' in line && line.rtms > clock) clock = line.rtms;
      yield { line, clock };
    }
  }
}

/** Runs the chain through its plugin; `write(clock, json)` gets every record in the range, in order. */
export async function convertChain(
  chain: Chain,
  opts: RangeOptions,
  write: (clock: number, json: string) => void | Promise<void>,
): Promise<ChainStats> {
  const plugin = await loadPlugin(chain.exchange, opts.pluginsDir);
  const start = opts.start ?? -Infinity;
  const end = opts.end ?? Infinity;
  let out: string[] = [];
  let clock = 0;
  const session = new ReplaySession(plugin, (_key, record) => {
    if (record.rtms >= start && record.rtms <= end) out.push(JSON.stringify(record));
  });
  const bad = { count: 0 };
  for await (const c of clockedLines(chain, bad)) {
    if (c.clock > end) break;
    clock = c.clock;
    session.line(c.line);
    if (out.length) {
      const lines = out;
      out = [];
      for (const json of lines) {
        const wait = write(clock, json);
        if (wait) await wait;
      }
    }
  }
  return { ...session.stats, exchange: chain.exchange, files: chain.files.length, badLines: bad.count };
}
