// The served replay's record source: recorded chains merged in time order, run through their plugins, published to
// the kernel at the recording's pace × speed (or as fast as the slowest client reads, at `max`).

import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { BatchBuilder } from '../boundary/batch.ts';
import type { RecordSource } from '../kernel/kernel.ts';
import type { Logger } from '../kernel/log.ts';
import { loadPlugin } from '../plugins/registry.ts';
import type { Line } from '../sdk/fixture/format.ts';
import type { Chain } from '../sdk/fixture/read.ts';
import { clockedLines } from './convert.ts';
import { ReplaySession } from './session.ts';

export interface SourceOptions {
  /** recording time per real time; Infinity = max */
  speed: number;
  start?: number;
  end?: number;
  /** begin when the first client has connected */
  waitClient?: boolean;
  pluginsDir?: string;
  log: Logger;
}

export interface SourceResult {
  records: number;
  frames: number;
  elapsedMs: number;
  /** recording time covered, ms */
  spanMs: number;
}

/** at `max`: wait while a client has more than this unsent */
const MAX_BACKLOG = 1 << 20;
/** lines per turn at `max` (or between two waits) before the batch leaves */
const LINES_PER_TURN = 512;

export class ReplaySource implements RecordSource {
  private stopped = false;
  private running: Promise<SourceResult> | undefined;
  private resolveDone!: (r: SourceResult) => void;
  /** resolves when every chain has been replayed */
  readonly done = new Promise<SourceResult>((r) => (this.resolveDone = r));

  constructor(
    private readonly chains: Chain[],
    private readonly opts: SourceOptions,
  ) {}

  async start(sink: Parameters<RecordSource['start']>[0]): Promise<void> {
    // plugins load before the server reports ready, so a bad recording fails the start
    const plugins = await Promise.all(this.chains.map((c) => loadPlugin(c.exchange, this.opts.pluginsDir)));
    this.running = this.run(sink, plugins);
    this.running.then(this.resolveDone, (err) => this.opts.log.error(`replay failed: ${(err as Error).message}`));
  }

  private async run(sink: Parameters<RecordSource['start']>[0], plugins: Awaited<ReturnType<typeof loadPlugin>>[]): Promise<SourceResult> {
    const { speed, log } = this.opts;
    const start = this.opts.start ?? -Infinity;
    const end = this.opts.end ?? Infinity;
    // one batch at a time, cut where the exchange changes: clients get the records in the converter's order
    const builder = new BatchBuilder();
    let batchExchange = '';
    let records = 0;
    const publish = () => {
      if (builder.length === 0) return;
      records += builder.length;
      sink.publish(batchExchange, builder.take());
    };
    const sessions = this.chains.map(
      (chain, i) =>
        new ReplaySession(plugins[i]!, (key, record) => {
          if (record.rtms < start || record.rtms > end) return;
          if (chain.exchange !== batchExchange) {
            publish();
            batchExchange = chain.exchange;
          }
          builder.addRecord(key, record);
        }),
    );
    if (this.opts.waitClient) {
      log.info('replay: waiting for the first client');
      while (!this.stopped && sink.clients() === 0) await sleep(20);
    }
    const bad = { count: 0 };
    const its = this.chains.map((c) => clockedLines(c, bad));
    const heads: ({ line: Line; clock: number } | undefined)[] = await Promise.all(its.map(async (it) => (await it.next()).value ?? undefined));
    const t0 = performance.now();
    let r0: number | undefined = Number.isFinite(start) ? start : undefined;
    let first = Infinity;
    let last = -Infinity;
    let lines = 0;
    while (!this.stopped) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h && (best < 0 || h.clock < heads[best]!.clock)) best = i;
      }
      if (best < 0) break;
      const { line, clock } = heads[best]!;
      if (clock > end) {
        heads[best] = undefined;
        continue;
      }
      if (Number.isFinite(clock)) {
        r0 ??= clock;
        if (clock >= r0) {
          first = Math.min(first, clock);
          last = Math.max(last, clock);
        }
        if (Number.isFinite(speed) && clock > r0) {
          const wait = t0 + (clock - r0) / speed - performance.now();
          if (wait >= 1) {
            publish();
            await sleep(wait);
          }
        }
      }
      sessions[best]!.line(line);
      heads[best] = (await its[best]!.next()).value ?? undefined;
      if (++lines % LINES_PER_TURN === 0) {
        publish();
        await nextTurn();
        if (!Number.isFinite(speed)) while (!this.stopped && sink.backlogBytes() > MAX_BACKLOG) await sleep(2);
      }
    }
    publish();
    const result = {
      records,
      frames: sessions.reduce((s, x) => s + x.stats.frames + x.stats.responses, 0),
      elapsedMs: performance.now() - t0,
      spanMs: Number.isFinite(first) ? last - first : 0,
    };
    log.info(`replay finished: ${result.records} records from ${result.frames} frames in ${(result.elapsedMs / 1000).toFixed(1)} s (${(result.spanMs / 1000).toFixed(1)} s recorded)`);
    return result;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }
}
