// CLI: runs every simulator found by folder (plugins/<id>/sim.ts) and the FX rate source until SIGINT or SIGTERM.
// Usage: tsx sim/main.ts [--config config.demo.yaml | --port-base <n>] [--seed 1] [--interval-ms 100]
//        [--host 127.0.0.1] [--only <name>]...
//        [--account <accessKey>:<secretKey>]...   (accounts the Upbit and Bithumb private endpoints accept)
//        [--list <file>]                          (also writes the simulators and their config sections as JSON)
//
// Ports: with --config (the default: config.demo.yaml, as `npm run demo` uses it), each simulator the file points an
// exchange at listens on that URL's port, the FX source on derived.fx.url's, the others on free ports. With
// --port-base the FX source is on port-base and the n-th simulator in discovery order (plugin folders by name, then
// the order of a folder's array) on port-base + 1 + n. Output: one line per simulator (`<name> url=... restUrl=...`), the FX line,
// then `ready <count>` (the number of servers listening), which scripts/demo.ts waits for.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { startFxSim } from './fx-server.ts';
import { discoverSims, portsFromConfig, startSimulators } from './index.ts';
import type { PortPlan, PortSource, Simulators } from './index.ts';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    'port-base': { type: 'string' },
    seed: { type: 'string' },
    'interval-ms': { type: 'string' },
    host: { type: 'string' },
    account: { type: 'string', multiple: true },
    only: { type: 'string', multiple: true },
    list: { type: 'string' },
  },
});

function toNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

/** one started simulator (test/sim/discovery.test.ts reads these lines) */
const simLine = (name: string, url: string, restUrl: string): string => `${name.padEnd(15)} url=${url} restUrl=${restUrl}`;

if (values.config && values['port-base']) {
  console.error('give either --config <file> or --port-base <n>');
  process.exit(2);
}
const DEMO_CONFIG = fileURLToPath(new URL('../config.demo.yaml', import.meta.url));
if (!values.config && !values['port-base']) values.config = DEMO_CONFIG;
let plan: PortPlan | undefined;
if (values.config) {
  try {
    plan = portsFromConfig(parse(readFileSync(values.config, 'utf8')) as PortSource, await discoverSims());
  } catch (err) {
    console.error(`--config ${values.config}: ${(err as Error).message}`);
    process.exit(2);
  }
  for (const ex of plan.unserved) console.error(`--config ${values.config}: no simulator serves exchanges.${ex} (a plugin without sim.ts?)`);
}
const portBase = plan ? undefined : toNumber('port-base', values['port-base']);
const seed = toNumber('seed', values.seed);
let sims: Simulators;
try {
  sims = await startSimulators({
    portBase: portBase === undefined ? undefined : portBase + 1,
    ports: plan?.sims,
    names: values.only,
    seed,
    intervalMs: toNumber('interval-ms', values['interval-ms']),
    host: values.host,
    accounts: (values.account ?? []).map((a) => {
      const at = a.indexOf(':');
      if (at <= 0 || at === a.length - 1) {
        console.error('--account must be <accessKey>:<secretKey>');
        process.exit(2);
      }
      return { accessKey: a.slice(0, at), secretKey: a.slice(at + 1) };
    }),
  });
} catch (err) {
  console.error(`simulators failed to start: ${(err as Error).message}`);
  process.exit(1);
}

for (const s of sims.list) console.log(simLine(s.name, s.handle.url, s.handle.restUrl));
// the USD/KRW source of the premium's FX basis
const fx = await startFxSim({ port: plan ? (plan.fx ?? 0) : (portBase ?? 0), seed, host: values.host });
console.log(`${'fx'.padEnd(15)} url=${fx.quoteUrl} path=0.basePrice`);
if (values.list) {
  const list = sims.list.map((s) => ({ name: s.name, exchange: s.exchange, url: s.handle.url, restUrl: s.handle.restUrl, config: s.config() }));
  writeFileSync(values.list, JSON.stringify({ simulators: list, fx: { url: fx.quoteUrl, path: '0.basePrice' } }, null, 1) + '\n');
}
console.log(`ready ${sims.list.length + 1}`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing simulators`);
  // Nothing else holds the event loop, so the process ends once the servers are closed.
  void sims.close();
  void fx.close();
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
