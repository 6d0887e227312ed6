// Runs the universe benchmark's simulators as the benchmark does (one process per venue, bench/universe-sims.ts, at
// the venue's step and skewed activity) with a gateway in this process subscribed to every market (no clients), and
// prints each simulator process's CPU over a measured window; `--prof-dir` writes their CPU profiles there.
//
//   node --import tsx bench/profile-universe-sims.ts [--venues okx,kraken] [--seconds 15] [--warm-seconds 5]
//        [--peak 5] [--trades-per-step 2] [--prof-dir /tmp/prof]

import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger } from '../kernel/log.ts';
import { selectSims } from '../sim/index.ts';
import { Args } from './lib/args.ts';
import { start, type Child } from './lib/children.ts';
import { venueRate } from './lib/universe-rates.ts';

const args = new Args();
const only = args.string('venues', '').split(',').filter(Boolean);
const seconds = args.number('seconds', 15);
const profDir = args.string('prof-dir', '');
const venues = (await selectSims()).filter((s) => s.name === s.exchange && (!only.length || only.includes(s.name))).map((s) => s.name);
const procs = new Map<string, Child>();
for (const v of venues) {
  const argv = ['--skewed', '--peak', String(args.number('peak', 5)), '--trades-per-step', String(args.number('trades-per-step', 2))];
  argv.push('--interval-ms', String(venueRate(v).stepMs), '--only', v);
  // only the simulators' processes are profiled, not the gateway's
  procs.set(v, start('universe-sims.ts', argv, {}, profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}/${v}`] : []));
}
let kernel: Kernel | undefined;
try {
  const ready = await Promise.all([...procs.values()].map((c) => c.next<{ sections: Record<string, Record<string, unknown>> }>('ready')));
  const sections = Object.assign({}, ...ready.map((r) => r.sections)) as Record<string, Record<string, unknown>>;
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'error' },
    exchanges: Object.fromEntries(Object.entries(sections).map(([ex, s]) => [ex, { ...s, symbols: 'all' }])),
  });
  kernel = new Kernel({ config, log: createLogger('error'), statsIntervalMs: 1000 });
  await kernel.start();
  await sleep(args.number('warm-seconds', 5) * 1000);
  const stats = () => Promise.all([...procs].map(async ([v, c]) => [v, (await c.ask<{ cpuMs: number }>({ t: 'stats' }, 'stats')).cpuMs] as const));
  const before = new Map(await stats());
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const after = await stats();
  const elapsed = performance.now() - t0;
  let total = 0;
  for (const [v, ms] of after) {
    const pct = ((ms - before.get(v)!) / elapsed) * 100;
    total += pct;
    console.log(`${v.padEnd(8)} ${pct.toFixed(1).padStart(5)} % of one core`);
  }
  console.log(`${'all'.padEnd(8)} ${total.toFixed(1).padStart(5)} % over ${seconds} s${profDir ? `; profiles in ${profDir}/<venue>` : ''}`);
} finally {
  await kernel?.close();
  await Promise.all([...procs.values()].map((c) => c.stop()));
}
