// The soak run of the end-to-end benchmark (`npm run bench:soak`, `bench/e2e.ts --soak`): steady load with client
// churn for a long time, memory, handles, timers and event-loop delay sampled over it and judged after a warm-up.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Args } from './args.ts';
import { startAll, stopAll, expectedRate } from './e2e-stack.ts';
import type { Level, Report, Stack } from './e2e-stack.ts';
import { publish, renderSection } from './report.ts';
import type { Table } from './report.ts';
import { judgeSoak, SoakSampler, timeSeries } from './soak-samples.ts';
import { fixed, histMax, histQuantile, si } from './stats.ts';

/**
 * Soak: steady load for a long time with client churn. After a warm-up, RSS and heap may grow by at most 5 %, the
 * counts of handles and timers must not grow (compared at equal client counts), nor the event-loop delay. Documented,
 * not part of `npm run bench`. `--note "..."` adds a line (e.g. what else ran on the machine).
 */
export async function soak(args: Args, out: string): Promise<void> {
  const minutes = args.number('soak-minutes', 30);
  const totalMs = minutes * 60_000;
  const warmMs = args.number('soak-warm-ms', Math.min(300_000, Math.max(45_000, totalMs * 0.2)));
  const sampleMs = args.number('soak-sample-ms', 10_000);
  const churnEveryMs = args.number('churn-every-ms', 2000);
  const churnCount = args.number('churn-count', 5);
  const clients = args.number('soak-clients', 50);
  const note = args.string('note', '');
  const level: Level = { name: 'soak', intervalMs: 10, tradesPerStep: args.number('soak-trades', 7), symbols: 4 };
  const parts: Partial<Stack> = {};
  const sampler = new SoakSampler(() => parts.kernel?.supervisors.reduce((sum, s) => sum + s.workerHeapUsed, 0) ?? 0);
  const t0 = performance.now();
  let churned = 0;
  try {
    // every 10th client measures (and checks sq): all 50 would make the load generator the bottleneck
    Object.assign(parts, await startAll(level, clients, 10));
    sampler.start();
    console.log(`soak: ${minutes} min at ~${si(expectedRate(level))} records/s, ${clients} clients, ${churnCount} replaced every ${churnEveryMs / 1000} s; warm-up ${fixed(warmMs / 1000, 0)} s`);
    let measuring = false;
    let nextSample = 0;
    let nextChurn = churnEveryMs;
    while (performance.now() - t0 < totalMs) {
      await sleep(250);
      sampler.poll();
      const now = performance.now() - t0;
      if (!measuring && now >= warmMs) {
        // latency and loss after warm-up: the exchanges' first (snapshot) messages carry old times
        parts.client!.proc.send({ t: 'measure' });
        measuring = true;
      }
      if (now >= nextChurn) {
        nextChurn += churnEveryMs;
        const r = await parts.client!.ask<{ count: number }>({ t: 'churn', count: churnCount }, 'churned');
        churned += r.count;
      }
      if (now >= nextSample) {
        nextSample += sampleMs;
        const s = sampler.sample();
        console.log(
          `  ${fixed(now / 1000, 0)} s: RSS ${fixed(s.rss / 2 ** 20, 1)} MiB, heap ${fixed(s.heap / 2 ** 20, 1)} MiB, workers' heaps ${fixed(s.workerHeap / 2 ** 20, 1)} MiB, handles ${s.handles}, timers ${s.timers}, ` +
            `loop delay p99 ${fixed(s.eldP99, 1)} ms max ${fixed(s.eldMax, 1)} ms, clients replaced ${churned}`,
        );
      }
    }
    sampler.stop();
    const rep = await parts.client!.ask<Report>({ t: 'report' }, 'report');
    const verdict = judgeSoak(sampler.samples, warmMs);
    const ok = verdict.ok && rep.lost === 0;
    const tables: Table[] = [
      {
        title: `Soak: ${minutes} min, ~${si(rep.frames / clients / (rep.elapsedMs / 1000))} records/s per client, ${clients} clients with ${churned} replaced`,
        head: ['measure', 'after warm-up', 'at the end', 'verdict'],
        rows: [
          ...verdict.rows,
          ['latency p50 / p99 / max (ms), after warm-up', '', `${histQuantile(rep.hist, 0.5)} / ${histQuantile(rep.hist, 0.99)} / ${histMax(rep.hist)}`, ''],
          ['records lost (sq)', '', rep.lost, rep.lost === 0 ? '✓' : '✗'],
        ],
        notes: [
          `Warm-up ${fixed(warmMs / 1000, 0)} s, then a sample every ${sampleMs / 1000} s. ${verdict.notes.join(' ')} Overall: ${ok ? 'pass' : 'FAIL'}.`,
          ...(note ? [note] : []),
        ],
      },
      timeSeries(sampler.samples, Math.max(sampleMs, totalMs / 15), 'Over time (warm-up included)'),
    ];
    const method = `Soak (\`npm run bench:soak\`, or \`node --import tsx bench/e2e.ts --soak --soak-minutes 3\` for a short one): simulators → standalone gateway → ${clients} clients, client churn throughout.`;
    publish(`soak-${minutes}min`, renderSection(`3b. Soak (${minutes} min)`, method, tables), out);
  } finally {
    sampler.stop();
    await stopAll(parts);
  }
}
