// The exchange simulators in a process of their own for the end-to-end benchmark, so that building and sending the
// exchanges' frames does not share an event loop with the gateway. Reports its URLs over IPC; `{t:'close'}` stops it.
// `--fx` adds the FX rate simulator (sim/fx-server.ts) and reports its quote URL as `fxUrl`.
//
//   node --import tsx bench/sim-process.ts --interval-ms 10 --trades-per-step 5 [--seed 7] [--fx]

import { startFxSim } from '../sim/fx-server.ts';
import { startSimulators } from '../sim/index.ts';
import { Args } from './lib/args.ts';
import { serveParent } from './lib/sim-ipc.ts';

const args = new Args();
const sims = await startSimulators({
  seed: args.number('seed', 7),
  intervalMs: args.number('interval-ms', 100),
  tradesPerStep: args.number('trades-per-step', 1),
});
// by simulator name ('binance', 'bithumb-legacy', ...): every simulator found by folder
const urls = Object.fromEntries(sims.list.map((s) => [s.name, { url: s.handle.url, restUrl: s.handle.restUrl }]));
const fx = args.flag('fx') ? await startFxSim({}) : undefined;
const all = { close: () => Promise.all([sims.close(), fx?.close()]).then(() => undefined) };
serveParent(all, { urls, ...(fx ? { fxUrl: fx.quoteUrl } : {}) });
