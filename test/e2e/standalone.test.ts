// End to end: exchange simulators → plugins in worker threads → gateway → JSON and msgpack clients. Every simulator
// found by folder (plugins/<id>/sim.ts) gets the same end-to-end test; the protocol and HTTP checks follow.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discoverSims } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import type { Gateway, SimGateways, SimTarget, Simulators } from '../support/sim-gateways.ts';
import { startSimGateways } from '../support/sim-gateways.ts';
import { assertScoreExplained } from '../support/health-score.ts';
import type { ScoredConnection } from '../support/health-score.ts';
import { assertSequences, isRecord } from '../support/streams.ts';
import { assertSameInBothFormats } from '../support/live.ts';

const DEPTH = 10;
/** every simulator found by folder: the tests are registered per simulator before any starts */
const NAMES = (await discoverSims()).map((s) => s.name);

/** a record as every plugin must deliver it end to end; `mc` is what the plugin itself names the market */
function assertRecord(r: Frame, t: SimTarget): void {
  for (const [k, v] of Object.entries(r)) assert.ok(v !== null && v !== undefined, `${k} is ${v}`);
  assert.ok(Number.isInteger(r.tms) && Number.isInteger(r.rtms) && Number.isInteger(r.ep) && Number.isInteger(r.sq));
  assert.equal('event' in r, false);
  assert.equal(r.ex, t.ex);
  assert.ok(t.symbols.includes(r.cd as string), `cd ${r.cd}`);
  assert.equal(r.mc, t.plugin.marketCode(r.cd as string, t.config), `mc of ${r.cd}`);
  if (r.ty === 'trade') {
    assert.ok((r.tp as number) > 0 && (r.tv as number) > 0);
    assert.ok(r.ab === 'ASK' || r.ab === 'BID');
  }
  if (r.ty === 'ticker') assert.equal(typeof r.tp, 'number');
  if (r.ty === 'orderbook') {
    const obu = r.obu as { ap?: number; as?: number; bp?: number; bs?: number }[];
    assert.ok(obu.length >= 1 && obu.length <= DEPTH, `depth ${obu.length}`);
    assert.ok(obu[0]!.bp! < obu[0]!.ap!, 'crossed book');
    const tas = obu.reduce((s, u) => s + (u.as ?? 0), 0);
    assert.ok(Math.abs(tas - (r.tas as number)) <= 1e-9 * Math.max(1, tas), 'tas is the sum of obu sizes');
  }
}

describe('standalone gateway against the exchange simulators', () => {
  let env: SimGateways | undefined;
  let sims: Simulators;
  let gw: Gateway;
  /** the exchanges of the first gateway (the first simulator of each plugin) */
  let exchanges: string[];

  before(async () => {
    env = await startSimGateways({ seed: 7, intervalMs: 50, gateway: { orderbook: { depth: DEPTH } } });
    ({ sims, main: gw } = env);
    exchanges = env.targets.filter((t) => t.gw === gw).map((t) => t.ex);
  });

  after(async () => {
    await env?.close();
  });

  for (const name of NAMES) {
    it(`${name}: every channel of every symbol arrives, each key's sq steps by one, JSON and msgpack agree`, async () => {
      const t = env!.target(name);
      const json = await TestClient.connect(`${t.gw.ws}?exchange=${t.ex}&snapshot=false`);
      const pack = await TestClient.connect(`${t.gw.ws}?exchange=${t.ex}&format=msgpack&snapshot=false`);
      try {
        const want = t.symbols.flatMap((cd) => t.config.channels.map((ty) => `${ty}|${cd}`));
        const has = (c: TestClient) => want.every((k) => c.frames.some((f) => isRecord(f) && `${f.ty}|${f.cd}` === k));
        await waitFor(() => has(json) && has(pack), 20_000, `${name}: ${want.join(', ')}`);
        await pack.collect(isRecord, 60, 20_000);
      } finally {
        await json.close();
        await pack.close();
      }
      for (const r of json.frames.filter(isRecord)) assertRecord(r, t);
      assertSequences(json.frames.filter(isRecord), json);
      assertSequences(pack.frames.filter(isRecord), pack);
      assertSameInBothFormats(json.frames, pack.frames, 20);
      assert.ok(pack.binary.every(Boolean) && json.binary.every((b) => !b));
    });
  }

  it('delivers Bithumb legacy trades without sid: the legacy feed has no trade id', async () => {
    const t = env!.target('bithumb-legacy');
    const c = await TestClient.connect(`${t.gw.ws}?type=trade&snapshot=false`);
    try {
      const trades = await c.collect((f) => isRecord(f) && f.ty === 'trade', 5, 15_000);
      for (const r of trades) assert.equal('sid' in r, false);
    } finally {
      await c.close();
    }
  });

  it('sent each exchange its subscription in the exchange protocol', () => {
    const upbit = JSON.parse(sims.get('upbit').received().find((m) => m.startsWith('['))!) as Record<string, unknown>[];
    assert.ok(upbit.some((o) => o.type === 'orderbook' && (o.codes as string[]).includes('KRW-BTC.15')));
    assert.ok(upbit.some((o) => o.format === 'SIMPLE'));
    assert.ok(sims.get('bithumb').received().some((m) => m.includes('"trade"')));
    assert.equal(sims.get('binance').connections(), 1);
  });

  it('gives JSON and msgpack clients the same records, each sequence without gaps', async () => {
    const json = await TestClient.connect(`${gw.ws}?snapshot=false`);
    const pack = await TestClient.connect(`${gw.ws}?format=msgpack&snapshot=false`);
    await pack.collect(isRecord, 300, 20_000);
    await json.close();
    await pack.close();
    assertSameInBothFormats(json.frames, pack.frames, 200);
    assert.ok(pack.binary.every(Boolean) && json.binary.every((b) => !b));
    assertSequences(json.frames.filter(isRecord), json);
    assertSequences(pack.frames.filter(isRecord), pack);
  });

  it('sends only what the filter selects, and a snapshot of each matching key first', async () => {
    const c = await TestClient.connect(`${gw.ws}?exchange=upbit&type=trade,ticker&symbol=BTC/KRW`);
    await c.collect((f) => isRecord(f) && f.st === undefined, 20);
    const records = c.frames.filter(isRecord);
    assert.ok(records.every((f) => f.ex === 'upbit' && f.cd === 'BTC/KRW' && (f.ty === 'trade' || f.ty === 'ticker')));
    const snaps = records.filter((f) => f.st === 'SNAPSHOT');
    assert.deepEqual(new Set(snaps.map((f) => f.ty)), new Set(['trade', 'ticker']));
    for (const s of snaps) {
      const firstLive = records.find((f) => f.st === undefined && f.ty === s.ty)!;
      assert.ok(firstLive.ep !== s.ep || (firstLive.sq as number) > (s.sq as number));
    }
    await c.close();
  });

  it('serves the latest records, health, info and metrics over HTTP', async () => {
    const snap = (await (await fetch(`${gw.http}/api/snapshot?type=ticker`)).json()) as Frame[];
    assert.deepEqual(new Set(snap.map((r) => r.ex)), new Set(exchanges));
    assert.ok(snap.every((r) => r.ty === 'ticker' && r.st === 'SNAPSHOT'));
    const bad = await fetch(`${gw.http}/api/snapshot?symbol=nope`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /nope/);
    const info = (await (await fetch(`${gw.http}/ws/info`)).json()) as Frame;
    assert.deepEqual({ ...info, nodeId: 'x' }, { endpoint: '/ws/exchange', formats: ['json', 'msgpack'], mode: 'standalone', role: 'standalone', nodeId: 'x' });
    const health = await fetch(`${gw.http}/health`);
    assert.equal(health.status, 200);
    type Conn = ScoredConnection & { messages: number; messagesPerSecond: number; subscriptions: number; uptimeMs: number };
    type Infra = { exchanges: Record<string, { connected: boolean; healthy: boolean; score: number; connections: Conn[] }> };
    const readInfra = async () => (await (await fetch(`${gw.http}/api/ws/infra-health`)).json()) as Infra;
    // The score's meaning, not a number: a loaded machine may cost a reconnect or an error, and the score must then
    // show it; a connection without any scores 100 (test/support/health-score.ts)
    const infra = await readInfra();
    for (const ex of exchanges) {
      const h = infra.exchanges[ex]!;
      assert.equal(h.connected, true);
      assert.equal(h.healthy, true);
      assert.equal(h.score, Math.min(...h.connections.map((c) => c.score)), 'the exchange scores as its weakest connection');
      for (const c of h.connections) {
        assertScoreExplained(c);
        assert.equal(c.state, 'open');
        assert.ok(c.messages > 0 && c.messagesPerSecond > 0 && c.uptimeMs > 0, JSON.stringify(c));
      }
    }
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    const scored = /gateway_exchange_health_score\{connection="main",exchange="upbit"\} (\d+)/.exec(metrics);
    assert.ok(scored, 'upbit main scored in /metrics');
    // figures read after the scrape only add reconnects and errors: they explain the scraped score too
    assertScoreExplained((await readInfra()).exchanges.upbit!.connections.find((c) => c.name === 'main')!, Number(scored[1]));
    assert.match(metrics, /gateway_records_total\{exchange="upbit"\} \d+/);
    assert.match(metrics, /gateway_exchange_connected\{connection="main",exchange="upbit"\} 1/);
    assert.match(metrics, /gateway_exchange_messages_per_second\{connection="streams-1",exchange="binance"\} [1-9]/);
  });
});
