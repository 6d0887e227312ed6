// The SDK under a gateway process that is killed (kill -9) and started again on the same port: it reconnects with
// backoff, asks to resume, is told which keys were lost (the new process has no history of them), and streams on.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulators } from '../../sim/index.ts';
import { GatewayClient } from '../../clients/typescript/src/index.ts';
import type { CloseEvent, GapEvent, ResumedEvent, TradeRecord } from '../../clients/typescript/src/index.ts';
import { waitFor } from '../support/client.ts';
import { spawnGateway } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';

describe('SDK against a gateway process restarted under it', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let first: GatewayProcess | undefined;
  let second: GatewayProcess | undefined;
  const config = (port: number) => ({
    server: { host: '127.0.0.1', port },
    exchanges: { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade', 'ticker'], reconnect: { initialDelayMs: 100 } } },
  });

  before(async () => {
    sims = await startSimulators({ seed: 3, intervalMs: 40 });
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
    await sims?.close();
  });

  it('reconnects, resumes, reports the lost keys as gaps, and never delivers a record twice', async () => {
    first = await spawnGateway(config(0));
    const sdk = new GatewayClient({ url: first.ws, format: 'msgpack', reconnect: { initialDelayMs: 100, maxDelayMs: 800 } });
    const trades: TradeRecord[] = [];
    const gaps: GapEvent[] = [];
    const closes: CloseEvent[] = [];
    const resumes: ResumedEvent[] = [];
    sdk.on('trade', (t) => trades.push(t));
    sdk.on('gap', (g) => gaps.push(g));
    sdk.on('close', (c) => closes.push(c));
    sdk.on('resumed', (r) => resumes.push(r));
    try {
      await sdk.start();
      await waitFor(() => trades.filter((t) => t.st !== 'SNAPSHOT').length >= 20 && sdk.latest('upbit', 'BTC/KRW', 'ticker'), 30_000, 'records from the first process');
      const oldEp = sdk.latest('upbit', 'BTC/KRW', 'trade')!.ep;
      await first.kill9();
      await waitFor(() => closes.length >= 2, 20_000, 'failed reconnects while the gateway is down');
      assert.ok(closes.every((c) => c.reconnectInMs !== undefined && c.reconnectInMs <= 800), JSON.stringify(closes));
      second = await spawnGateway(config(first.port));
      await waitFor(() => resumes.length === 1, 30_000, 'a resume on the new process');
      const lost = resumes[0]!.lost.map((k) => `${k.ty} ${k.cd}`).sort();
      assert.ok(lost.includes('trade BTC/KRW') && lost.includes('trade ETH/KRW'), lost.join());
      await waitFor(() => (sdk.latest('upbit', 'BTC/KRW', 'trade')?.ep ?? 0) > oldEp && (sdk.latest('upbit', 'ETH/KRW', 'trade')?.ep ?? 0) > oldEp, 30_000, 'trades of the new epoch');
      const tradeGaps = gaps.filter((g) => g.ty === 'trade');
      assert.ok(tradeGaps.some((g) => g.cd === 'BTC/KRW' && g.reason === 'lost' && g.from.ep === oldEp), JSON.stringify(gaps));
      const ids = trades.map((t) => `${t.cd}|${t.ep}|${t.sq}`);
      assert.equal(new Set(ids).size, ids.length, 'no record delivered twice');
      assert.equal(sdk.status('upbit')?.state, 'up');
    } finally {
      sdk.close();
    }
  });
});
