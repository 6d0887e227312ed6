// The hub's CPU cost per delivery, every client plain against half of them `depth=5&interval=250`, with in-process
// peers (no sockets): what shaping costs the fan-out itself, as CPU time, which holds on a busy machine where
// wall-clock figures do not. Records are routed one batch per event-loop turn, so conflation timers run.
//
//   node --import tsx bench/hub-shapes.ts [--clients 1000] [--records 40000] [--rounds 5]

import { setImmediate as turn } from 'node:timers/promises';
import { BatchBuilder } from '../boundary/batch.ts';
import type { RecordBatch } from '../boundary/batch.ts';
import { Catalog } from '../kernel/filter.ts';
import { Hub } from '../kernel/fanout/hub.ts';
import type { Peer } from '../kernel/fanout/peer.ts';
import { PLAIN, parseShape } from '../kernel/fanout/shape.ts';
import { createLogger } from '../kernel/log.ts';
import { Metrics } from '../kernel/metrics.ts';
import { streamKey } from '../sdk/model.ts';
import { SnapshotStore } from '../kernel/store/snapshot-store.ts';
import { Args } from './lib/args.ts';
import { RecordSource } from './lib/fanout-servers.ts';
import { fixed, si } from './lib/stats.ts';

const args = new Args();
const CLIENTS = args.number('clients', 1000);
const RECORDS = args.number('records', 40_000);
const ROUNDS = args.number('rounds', 5);
const PER_TURN = 20;

function batches(): RecordBatch[] {
  const source = new RecordSource(() => undefined);
  const now = Date.now();
  const out: RecordBatch[] = [];
  for (let i = 0; i < RECORDS / PER_TURN; i++) {
    const b = new BatchBuilder();
    for (let j = 0; j < PER_TURN; j++) {
      const r = source.record(now);
      b.addRecord(streamKey(r.ex, r.ty, r.cd), r);
    }
    out.push(b.take());
  }
  return out;
}

async function measure(mixed: boolean, input: RecordBatch[]): Promise<{ cpuUs: number; deliveries: number }> {
  const catalog = new Catalog();
  for (const ex of ['binance', 'upbit', 'bithumb']) {
    catalog.set(ex, { symbols: ['BTC/USDT', 'ETH/USDT', 'XRP/USDT', 'SOL/USDT', 'BTC/KRW', 'ETH/KRW', 'XRP/KRW', 'SOL/KRW'], channels: ['ticker', 'trade', 'orderbook'] });
  }
  const metrics = new Metrics();
  const hub = new Hub({ store: new SnapshotStore(), catalog, maxBufferedBytes: 1 << 30, metrics, log: createLogger('error'), maxDepth: 15 });
  const shaped = parseShape({ depth: '5', interval: '250' }, 15);
  let bytes = 0;
  for (let i = 0; i < CLIENTS; i++) {
    const peer: Peer = { send: () => undefined, sendFrames: (f) => void (bytes += f.length), bufferedAmount: 0, close() {} };
    hub.connect(peer, { format: i % 2 ? 'msgpack' : 'json', filter: catalog.filter({}), snapshot: false, shape: mixed && (i >> 1) % 2 ? shaped : PLAIN });
  }
  const cpu0 = process.cpuUsage();
  for (const b of input) {
    hub.deliver(b);
    await turn(); // the hub flushes at the end of the turn, as under a live bus
  }
  await new Promise((r) => setTimeout(r, 300)); // the last conflation tick
  const cpu = process.cpuUsage(cpu0);
  const text = metrics.render();
  const count = (f: string) => Number(new RegExp(`gateway_client_frames_total\\{format="${f}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  hub.close();
  void bytes;
  return { cpuUs: cpu.user + cpu.system, deliveries: count('json') + count('msgpack') };
}

const input = batches();
const rate: Record<'plain' | 'mixed', number[]> = { plain: [], mixed: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const kind of ['plain', 'mixed'] as const) {
    const m = await measure(kind === 'mixed', input);
    const perCpuS = m.deliveries / (m.cpuUs / 1e6);
    rate[kind].push(perCpuS);
    console.log(`${kind}: ${si(m.deliveries)} deliveries in ${fixed(m.cpuUs / 1000, 0)} ms CPU = ${si(perCpuS)} deliveries per CPU second`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p = median(rate.plain);
const m = median(rate.mixed);
console.log(`median of ${ROUNDS}: plain ${si(p)}, mixed ${si(m)} deliveries per CPU second: mixed = ${fixed((m / p) * 100, 0)} % of plain`);
