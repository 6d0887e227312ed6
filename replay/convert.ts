// The batch converter's core: one chain (one exchange's continuous recording) → normalized records as JSON lines.
// Used in-process for a single chain and by the piscina task (replay/convert-task.ts) for each chain of a directory.

import { loadPlugin } from '../plugins/registry.ts';
import type { Chain } from '../sdk/fixture/read.ts';
import { readBatches } from '../sdk/fixture/read.ts';
import type { Line } from '../sdk/fixture/format.ts';
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
 * The chain's lines in batches, each line with the chain's clock: the greatest `rtms` so far. Records are merged
 * across chains by it, which stays in order even if the recording machine's clock stepped back.
 */
export async function* clockedBatches(chain: Chain, bad: { count: number }): AsyncGenerator<{ lines: Line[]; clocks: number[] }> {
  let clock = -Infinity;
  for (const f of chain.files) {
    for await (const lines of readBatches(f.path, bad)) {
      const clocks = new Array<number>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if ('rtms' in l && l.rtms > clock) clock = l.rtms;
        clocks[i] = clock;
      }
      yield { lines, clocks };
    }
  }
}

/** The chain's lines one by one, with the chain's clock (see clockedBatches). */
export async function* clockedLines(chain: Chain, bad: { count: number }): AsyncGenerator<{ line: Line; clock: number }> {
  for await (const b of clockedBatches(chain, bad)) for (let i = 0; i < b.lines.length; i++) yield { line: b.lines[i]!, clock: b.clocks[i]! };
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
  // records go out as the session makes them, with no list in between; a write that asks to wait for the disk is
  // waited for after the line that made it
  let clock = -Infinity;
  let wait: Promise<void> | undefined;
  const session = new ReplaySession(plugin, (_key, record) => {
    if (record.rtms < start || record.rtms > end) return;
    const w = write(clock, JSON.stringify(record));
    if (w) wait = w;
  });
  const bad = { count: 0 };
  outer: for await (const b of clockedBatches(chain, bad)) {
    const { lines, clocks } = b;
    for (let i = 0; i < lines.length; i++) {
      clock = clocks[i]!;
      if (clock > end) break outer;
      session.line(lines[i]!);
      if (wait) {
        await wait;
        wait = undefined;
      }
    }
  }
  return { ...session.stats, exchange: chain.exchange, files: chain.files.length, badLines: bad.count };
}
