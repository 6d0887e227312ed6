// The gateway as operators run it: a real process, a config file, SIGHUP to reload, SIGTERM to stop.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { startSimulators } from '../../sim/index.ts';
import { waitFor } from '../support/client.ts';
import { spawnGateway } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';

describe('the gateway process', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let gw: GatewayProcess;
  const write = (exchanges: Record<string, unknown>) =>
    writeFileSync(gw.configFile, stringify({ server: { host: '127.0.0.1', port: 0 }, log: { level: 'info' }, exchanges }));

  before(async () => {
    sims = await startSimulators({ seed: 2, intervalMs: 50 });
    gw = await spawnGateway({ exchanges: { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'] } } });
  });

  after(async () => {
    await gw?.kill9();
    await sims?.close();
  });

  it('reloads the config file on SIGHUP, starting a newly listed exchange', async () => {
    write({ upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW', 'ETH/KRW'] }, bithumb: { url: sims.get('bithumb').url, symbols: ['BTC/KRW'] } });
    gw.child.kill('SIGHUP');
    const subs = await waitFor(async () => {
      const s = (await (await fetch(`${gw.http}/api/subscriptions`)).json()) as { exchanges: Record<string, { symbols: string[] }> };
      return s.exchanges.bithumb && s.exchanges.upbit!.symbols.length === 2 ? s : undefined;
    }, 15_000, 'reloaded subscriptions');
    assert.deepEqual(subs!.exchanges.upbit!.symbols, ['BTC/KRW', 'ETH/KRW']);
    await waitFor(async () => {
      const snap = (await (await fetch(`${gw.http}/api/snapshot?exchange=bithumb`)).json()) as unknown[];
      return snap.length > 0;
    }, 15_000, 'bithumb records');
  });

  it('keeps running on SIGHUP with an invalid file, and says why', async () => {
    writeFileSync(gw.configFile, 'server: { port: "x" }\n');
    gw.child.kill('SIGHUP');
    await waitFor(() => /config reload refused.*server\.port/s.test(gw.log()), 10_000, 'refusal logged');
    assert.equal((await fetch(`${gw.http}/health`)).status, 200);
  });

  it('closes exchange sockets and exits 0 on SIGTERM', async () => {
    gw.child.kill('SIGTERM');
    assert.equal(await gw.exited, 0);
    await waitFor(() => sims.get('upbit').connections() === 0 && sims.get('bithumb').connections() === 0, 5000, 'sockets closed');
  });
});
