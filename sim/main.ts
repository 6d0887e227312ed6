// CLI: runs the four simulated exchanges and the FX rate source on consecutive ports until SIGINT or SIGTERM.
// Usage: tsx sim/main.ts [--port-base 18001] [--seed 1] [--interval-ms 100] [--host 127.0.0.1]
//        [--account <accessKey>:<secretKey>]...   (accounts the Upbit and Bithumb private endpoints accept)

import { parseArgs } from 'node:util';
import { startFxSim } from './fx-server.ts';
import { startSimulators } from './index.ts';

const { values } = parseArgs({
  options: {
    'port-base': { type: 'string', default: '18001' },
    seed: { type: 'string' },
    'interval-ms': { type: 'string' },
    host: { type: 'string' },
    account: { type: 'string', multiple: true },
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

const sims = await startSimulators({
  portBase: toNumber('port-base', values['port-base']),
  seed: toNumber('seed', values.seed),
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

for (const [name, sim] of Object.entries({ binance: sims.binance, upbit: sims.upbit, bithumb: sims.bithumb, 'bithumb-legacy': sims.bithumbLegacy })) {
  console.log(`${name.padEnd(15)} url=${sim.url} restUrl=${sim.restUrl}`);
}
// the USD/KRW source of the premium's FX basis, on the port after the four exchanges
const portBase = toNumber('port-base', values['port-base']);
const fx = await startFxSim({ port: portBase === undefined ? 0 : portBase + 4, seed: toNumber('seed', values.seed), host: values.host });
console.log(`${'fx'.padEnd(15)} url=${fx.quoteUrl} path=0.basePrice`);

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
