// Runs the gateway's fan-out at one rate for a CPU profile of the server side (clients in their own process):
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-fanout.ts [--clients 1000] [--rate 100] [--seconds 10]

import { setTimeout as sleep } from 'node:timers/promises';
import { Args } from './lib/args.ts';
import { start } from './lib/children.ts';
import { RecordSource, startGatewayFanout } from './lib/fanout-servers.ts';
import { histQuantile, si } from './lib/stats.ts';

const args = new Args();
const clients = args.number('clients', 1000);
const rate = args.number('rate', 100);
const server = await startGatewayFanout(4 * 1024 * 1024);
const client = start('load-client.ts', ['--port', String(server.port), '--clients', String(clients)]);
await client.next('ready');
const source = new RecordSource((r) => server.publish(r));
source.start(rate);
await sleep(1000);
client.proc.send({ t: 'measure' });
await sleep(args.number('seconds', 10) * 1000);
const rep = await client.ask<{ frames: number; elapsedMs: number; hist: number[] }>({ t: 'report' }, 'report');
source.stop();
console.log(`${clients} clients @ ${rate} rec/s: ${si(rep.frames / (rep.elapsedMs / 1000))} deliveries/s, p99 ${histQuantile(rep.hist, 0.99)} ms`);
await client.stop();
await server.close();
