// The batch converter: recordings → normalized records as JSON lines, merged in time order across exchanges.
// One chain converts in this thread, straight to the output; several convert in parallel on a piscina pool, each to
// a temporary file, then merge here by the chains' clocks (ties: chain order), which gives the same bytes. This
// thread converts chains too while the pool's threads start (each loads the TypeScript loader first).

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { Chain } from '../sdk/fixture/read.ts';
import { convertChain } from './convert.ts';
import type { ChainStats, RangeOptions } from './convert.ts';
import convertTask from './convert-task.ts';
import type { ConvertTask } from './convert-task.ts';
import type { ConvertDerived } from './derive.ts';
import { LineWriter } from './line-writer.ts';
import { TsvReader } from './tsv-reader.ts';

/** below this much input (compressed bytes), chains convert one after another in this thread */
const POOL_MIN_BYTES = 2 * 1024 * 1024;

export interface ConvertResult {
  chains: ChainStats[];
  records: number;
  frames: number;
  elapsedMs: number;
  threads: number;
}

/**
 * Converts the chains to `outPath` (`-` = stdout). With `derived` (a config with `derived:`), the derived records
 * are computed from the merged stream and written right after the record that produced them (replay/derive.ts).
 */
export async function convertAll(chains: Chain[], range: RangeOptions, outPath: string, threads?: number, derived?: ConvertDerived): Promise<ConvertResult> {
  const t0 = performance.now();
  const out = new Output(LineWriter.open(outPath), derived);
  let stats: ChainStats[];
  let used = 1;
  if (chains.length <= 1) {
    stats = chains.length ? [await convertChain(chains[0]!, range, (clock, json) => out.write(clock, json))] : [];
  } else {
    // a pool thread costs a TypeScript loader start-up (~1 s): worth it only for enough data
    const bytes = chains.reduce((n, c) => n + c.files.reduce((m, f) => m + statSync(f.path).size, 0), 0);
    used = bytes < POOL_MIN_BYTES && threads === undefined ? 1 : Math.max(1, Math.min(chains.length, threads ?? availableParallelism()));
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    // this thread is one of the `used`: the pool has the others
    const pool =
      used > 1
        ? new Piscina<ConvertTask, ChainStats>({
            filename: new URL('./convert-boot.mjs', import.meta.url).href,
            minThreads: used - 1,
            maxThreads: used - 1,
            idleTimeout: 100,
          })
        : undefined;
    try {
      const files = chains.map((_, i) => join(dir, `${i}.tsv`));
      const tasks = chains.map((chain, i) => ({ chain, range, tmpFile: files[i]! }));
      // every thread takes the next chain not yet taken, so a thread still starting takes fewer
      const results = new Array<ChainStats>(tasks.length);
      let next = 0;
      const take = () => (next < tasks.length ? next++ : -1);
      const here = async () => {
        for (let i = take(); i >= 0; i = take()) results[i] = await convertTask(tasks[i]!);
      };
      const there = async () => {
        for (let i = take(); i >= 0; i = take()) results[i] = await pool!.run(tasks[i]!);
      };
      // every side finishes (or fails) before the temporary files go, and the first failure is the error
      const ends = await Promise.allSettled([here(), ...Array.from({ length: used - 1 }, there)]);
      for (const e of ends) if (e.status === 'rejected') throw e.reason;
      stats = results;
      await merge(files, out);
    } finally {
      await pool?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await out.end();
  return {
    chains: stats,
    records: out.lines.lines,
    frames: stats.reduce((s, c) => s + c.frames + c.responses, 0),
    elapsedMs: performance.now() - t0,
    threads: used,
  };
}

/** The output: converted records, each followed by the derived records it gave (when derived is on). */
class Output {
  constructor(
    readonly lines: LineWriter,
    private readonly derived: ConvertDerived | undefined,
  ) {}

  write(clock: number, json: string): Promise<void> | void {
    if (!this.derived) return this.lines.write(json);
    const { before, after } = this.derived.record(clock, json);
    let last: Promise<void> | void = undefined;
    for (const d of before) last = this.lines.write(d) ?? last;
    last = this.lines.write(json) ?? last;
    for (const d of after) last = this.lines.write(d) ?? last;
    return last;
  }

  /** a record's line from a temporary file, as bytes (copied as they are; decoded only for the derived records) */
  writeFrom(r: TsvReader): Promise<void> | void {
    if (this.derived) return this.write(r.clock, r.json());
    return this.lines.writeBytes(r.buf, r.start, r.end);
  }

  async end(): Promise<void> {
    if (this.derived) for (const d of this.derived.end()) await this.lines.write(d);
    await this.lines.end();
  }
}

/**
 * k-way merge of `<clock>\t<json>` files, each already in clock order: the one time-ordered stream of every
 * exchange, which the derived records are computed from.
 */
async function merge(files: string[], out: Output): Promise<void> {
  const heads = files.map((f) => new TsvReader(f));
  await Promise.all(heads.map((h) => h.advance()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (!h.done && (best < 0 || h.clock < heads[best]!.clock)) best = i;
    }
    if (best < 0) return;
    const h = heads[best]!;
    const wait = out.writeFrom(h);
    if (wait) await wait;
    const more = h.advance();
    if (more) await more;
  }
}
