// End to end: exchange simulators → plugins in worker threads → gateway → JSON and msgpack clients.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import { assertScoreExplained } from '../support/health-score.ts';
import type { ScoredConnection } from '../support/health-score.ts';
import { assertSequences, isRecord } from '../support/streams.ts';

type Sims = Awaited<ReturnType<typeof startSimulators>>;
const KRW = ['BTC/KRW', 'ETH/KRW'];
const USDT = ['BTC/USDT', 'ETH/USDT'];
const DEPTH = 10;

function assertRecord(r: Frame): void {
  for (const [k, v] of Object.entries(r)) assert.ok(v !== null && v !== undefined, `${k} is ${v}`);
  assert.ok(Number.isInteger(r.tms) && Number.isInteger(r.rtms) && Number.isInteger(r.ep) && Number.isInteger(r.sq));
  assert.equal('event' in r, false);
  if (r.ex === 'binance') assert.equal(r.mc, (r.cd as string).replace('/', ''));
  if (r.ex === 'upbit' || r.ex === 'bithumb') {
    const [base, quote] = (r.cd as string).split('/');
    assert.ok(r.mc === `${quote}-${base}` || r.mc === `${base}_${quote}`, `mc ${r.mc}`);
  }
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
  let sims: Sims;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    sims = await startSimulators({ seed: 7, intervalMs: 50 });
    gw = await startGateway({
      orderbook: { depth: DEPTH },
      exchanges: {
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: USDT },
        upbit: { url: sims.get('upbit').url, restUrl: sims.get('upbit').restUrl, symbols: KRW },
        bithumb: { api: 'v1', url: sims.get('bithumb').url, restUrl: sims.get('bithumb').restUrl, symbols: KRW },
      },
    });
  });

  after(async () => {
    await gw?.kernel.close();
    await sims?.close();
  });

  it('delivers tickers, trades and books from all three exchanges within seconds', async () => {
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    const want = ['binance', 'upbit', 'bithumb'].flatMap((ex) => ['ticker', 'trade', 'orderbook'].map((ty) => `${ex}|${ty}`));
    await waitFor(() => want.every((k) => c.frames.some((f) => `${f.ex}|${f.ty}` === k)), 15_000, 'every exchange and type');
    for (const r of c.frames.filter(isRecord)) assertRecord(r);
    assertSequences(c.frames.filter(isRecord), c);
    await c.close();
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
    const id = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}|${f.ep}|${f.sq}`;
    const byId = new Map(json.frames.filter(isRecord).map((f) => [id(f), f]));
    let compared = 0;
    for (const f of pack.frames.filter(isRecord)) {
      const twin = byId.get(id(f));
      if (!twin) continue;
      assert.deepEqual(f, twin);
      compared++;
    }
    assert.ok(compared >= 200, `compared ${compared}`);
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
    assert.deepEqual(new Set(snap.map((r) => r.ex)), new Set(['binance', 'upbit', 'bithumb']));
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
    for (const ex of ['binance', 'upbit', 'bithumb']) {
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

describe('standalone gateway against the Bithumb legacy simulator', () => {
  let sims: Sims;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    sims = await startSimulators({ seed: 11, intervalMs: 50 });
    gw = await startGateway({
      orderbook: { depth: DEPTH },
      exchanges: { bithumb: { api: 'legacy', url: sims.get('bithumb-legacy').url, restUrl: sims.get('bithumb-legacy').restUrl, symbols: KRW } },
    });
  });

  after(async () => {
    await gw?.kernel.close();
    await sims?.close();
  });

  it('delivers legacy tickers, trades without sid, and books built from diffs', async () => {
    const c = await TestClient.connect(`${gw.ws}?format=msgpack&snapshot=false`);
    await waitFor(() => ['ticker', 'trade', 'orderbook'].every((ty) => c.frames.some((f) => f.ty === ty)), 15_000, 'legacy types');
    const records = c.frames.filter(isRecord);
    for (const r of records) {
      assert.equal(r.ex, 'bithumb');
      assert.match(r.mc as string, /^[A-Z]+_KRW$/);
      assertRecord(r);
      if (r.ty === 'trade') assert.equal('sid' in r, false);
    }
    assertSequences(records, c);
    await c.close();
  });
});
