// Child process for the simulator tests: starts all simulators, uses them, closes them, and must then exit by itself.

import { startSimulators } from '../../sim/index.ts';
import { TestClient } from './ws-client.ts';

const sims = await startSimulators({ intervalMs: 20, pingIntervalMs: 50, idleTimeoutMs: 60_000 });
const binance = await TestClient.open(`${sims.get('binance').url}/stream?streams=btcusdt@trade`);
const upbit = await TestClient.open(sims.get('upbit').url);
upbit.send('[{"ticket":"exit"},{"type":"trade","codes":["KRW-BTC"]}]');
const bithumb = await TestClient.open(sims.get('bithumb').url);
bithumb.send('[{"ticket":"exit"},{"type":"orderbook","codes":["KRW-BTC"]}]');
const legacy = await TestClient.open(sims.get('bithumb-legacy').url);
legacy.send('{"type":"transaction","symbols":["BTC_KRW"]}');
await fetch(`${sims.get('binance').restUrl}/api/v3/depth?symbol=BTCUSDT&limit=5`).then((r) => r.text());
for (const c of [binance, upbit, bithumb, legacy]) await c.next('a frame', () => true);
// Clients are left open on purpose: close() must terminate them and release every timer.
await sims.close();
await sims.close();
await Promise.all([binance, upbit, bithumb, legacy].map((c) => c.closed));
console.log('closed');
