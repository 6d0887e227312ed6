// Runs the universe benchmark's simulators with a gateway subscribed to every market (no clients) for a CPU profile
// of the simulators' side:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-universe-sims.ts [--venues okx,kraken] [--seconds 15]
//        [--interval-ms 100] [--peak 5]

import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger } from '../kernel/log.ts';
import { selectSims, startSimulators } from '../sim/index.ts';
import { Args } from './lib/args.ts';

const args = new Args();
const only = args.string('venues', '').split(',').filter(Boolean);
const names = (await selectSims()).filter((s) => s.name === s.exchange && (!only.length || only.includes(s.name))).map((s) => s.name);
const sims = await startSimulators({ names, seed: 7, intervalMs: args.number('interval-ms', 100), tradesPerStep: 2, activity: 'skewed', peak: args.number('peak', 5) });
const config = parseConfig({
  server: { host: '127.0.0.1', port: 0 },
  log: { level: 'error' },
  exchanges: Object.fromEntries(sims.list.map((s) => [s.exchange, { ...s.config(), symbols: 'all' }])),
});
const kernel = new Kernel({ config, log: createLogger('error'), statsIntervalMs: 1000 });
await kernel.start();
await sleep(5000);
const cpu0 = process.cpuUsage();
const seconds = args.number('seconds', 15);
await sleep(seconds * 1000);
const cpu = process.cpuUsage(cpu0);
console.log(`process CPU ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)} % over ${seconds} s`);
await kernel.close();
await sims.close();
