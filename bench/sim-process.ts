// The exchange simulators in a process of their own for the end-to-end benchmark, so that building and sending the
// exchanges' frames does not share an event loop with the gateway. Reports its URLs over IPC; `{t:'close'}` stops it.
//
//   node --import tsx bench/sim-process.ts --interval-ms 10 --trades-per-step 5 [--seed 7]

import { startSimulators } from '../sim/index.ts';
import { Args } from './lib/args.ts';

const args = new Args();
const sims = await startSimulators({
  seed: args.number('seed', 7),
  intervalMs: args.number('interval-ms', 100),
  tradesPerStep: args.number('trades-per-step', 1),
});
// by simulator name ('binance', 'bithumb-legacy', ...): every simulator found by folder
const urls = Object.fromEntries(sims.list.map((s) => [s.name, { url: s.handle.url, restUrl: s.handle.restUrl }]));
const cpu0 = process.cpuUsage();
const t0 = Date.now();
process.on('message', async (msg: { t: string }) => {
  if (msg.t === 'stats') {
    const cpu = process.cpuUsage(cpu0);
    process.send?.({ t: 'stats', cpuPct: ((cpu.user + cpu.system) / 1000 / (Date.now() - t0)) * 100 });
  } else if (msg.t === 'close') {
    await sims.close();
    process.exit(0);
  }
});
process.send?.({ t: 'ready', urls });
