// The universe benchmark's simulators (bench/universe.ts) in a process of their own: every simulator found in a
// plugin folder, or the ones named (one per exchange: a second API of the same exchange, e.g. bithumb-legacy, is
// left out), with skewed activity. bench/universe.ts starts one such process per venue. Reports each exchange's
// config section over IPC; `{t:'close'}` stops it; `{t:'measure'}` starts a window of the process's event-loop delay,
// `{t:'loop'}` answers with it (how late its timers ran: a simulator late to step stamps and sends late).
//
//   node --import tsx bench/universe-sims.ts [--interval-ms 100] [--trades-per-step 2] [--skewed] [--peak 5] [--only a,b]

import { selectSims, startSimulators } from '../sim/index.ts';
import { Args } from './lib/args.ts';
import { LoopDelay } from './lib/loop-delay.ts';
import { serveParent } from './lib/sim-ipc.ts';

const args = new Args();
const only = args.string('only', '').split(',').filter(Boolean);
// one simulator per exchange: the one named like its plugin
const names = (await selectSims()).filter((s) => s.name === s.exchange && (!only.length || only.includes(s.name))).map((s) => s.name);
const sims = await startSimulators({
  names,
  seed: args.number('seed', 7),
  intervalMs: args.number('interval-ms', 100),
  tradesPerStep: args.number('trades-per-step', 2),
  activity: args.flag('skewed') ? 'skewed' : 'uniform',
  peak: args.number('peak', 1),
});
const sections = Object.fromEntries(sims.list.map((s) => [s.exchange, s.config()]));
serveParent(sims, { sections });

const loop = new LoopDelay();
process.on('message', (msg: { t: string }) => {
  if (msg.t === 'measure') loop.start();
  else if (msg.t === 'loop') process.send?.({ t: 'loop', ...loop.read() });
});
