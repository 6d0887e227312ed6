// Live checks of a plugin against its simulator through a real gateway, shared by the plugins' end-to-end tests:
// records equal to the simulator's frames, JSON = msgpack, every key flowing, and the fault-injection checks (drop,
// stall, refused upgrade → reconnect, the subscriptions sent again, data flowing under a new epoch, sq +1 per key).

import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { PluginConfig } from '../../sdk/index.ts';
import { TestClient, waitFor } from './client.ts';
import type { Frame } from './client.ts';
import { startGateway } from './gateway.ts';
import { assertSequences, isRecord } from './streams.ts';

export type LiveGatewayHandle = Awaited<ReturnType<typeof startGateway>>;
export type ConnectionStats = LiveGatewayHandle['kernel']['supervisors'][number]['connections'][number];

/** reconnect quickly and call a connection stalled after 1 s of silence: what fault tests want */
export const FAST_RESILIENCE = { reconnect: { initialDelayMs: 100, maxDelayMs: 3000, multiplier: 2, resetAfterMs: 400 }, stallTimeoutMs: 1000 };

export const ALL_TYPES = ['ticker', 'trade', 'orderbook'] as const;

/** the fault switches of a simulator (sim/sim-types.ts) that the checks use */
export interface FaultySim {
  received(): string[];
  dropAll(): void;
  stall(on: boolean): void;
  rejectUpgrades(status: number | null, retryAfterS?: number, count?: number): void;
}

/** the stats of exchange `id`'s first connection in a gateway */
export function connectionStats(gw: LiveGatewayHandle, id: string): ConnectionStats {
  return gw.kernel.supervisors.find((s) => s.id === id)!.connections[0]!;
}

/** waits until every `type|symbol` pair has a record of exchange `ex` in an epoch newer than `ep` */
export async function waitEveryKey(
  frames: () => Frame[], ex: string, symbols: readonly string[], ep: number, types: readonly string[] = ALL_TYPES, timeoutMs = 20_000,
): Promise<void> {
  const want = symbols.flatMap((cd) => types.map((ty) => `${ty}|${cd}`));
  const fresh = (k: string) => frames().some((f) => f.ex === ex && `${f.ty}|${f.cd}` === k && (f.ep as number) > ep);
  await waitFor(() => want.every(fresh), timeoutMs, `every key of ${ex} in an epoch after ${ep}`);
}

/** asserts that every record both clients got (same exchange, key, epoch and sq) is the same; at least `min` of them */
export function assertSameInBothFormats(json: Frame[], pack: Frame[], min: number): number {
  const id = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}|${f.ep}|${f.sq}`;
  const byId = new Map(json.filter(isRecord).map((f) => [id(f), f]));
  let same = 0;
  for (const f of pack.filter(isRecord)) {
    const twin = byId.get(id(f));
    if (!twin) continue;
    assert.deepEqual(f, twin, id(f));
    same++;
  }
  assert.ok(same >= min, `${same} records compared across JSON and msgpack (want ${min})`);
  return same;
}

/** every book record has at most `depth` levels and an uncrossed top */
export function assertBooksUncrossed(records: Frame[], depth: number): void {
  for (const b of records.filter((f) => f.ty === 'orderbook')) {
    const obu = b.obu as { ap?: number; bp?: number }[];
    assert.ok(obu.length <= depth && obu[0]!.ap! > obu[0]!.bp!, 'uncrossed, at most depth');
  }
}

/**
 * Holds each record to the simulator's frame of the same id (`id(record)` looked up in `sent`; records without one
 * are skipped): `check` asserts the fields. At least `min` records must have been compared.
 */
export function assertEachMatches(
  records: Frame[], sent: Map<string, Frame>, id: (r: Frame) => string, check: (record: Frame, sent: Frame) => void, min: number, what: string,
): number {
  let compared = 0;
  for (const r of records) {
    const s = sent.get(id(r));
    if (!s) continue;
    check(r, s);
    compared++;
  }
  assert.ok(compared >= min, `${compared} ${what} compared (want ${min})`);
  return compared;
}

/** A gateway running one plugin against its simulator, with a JSON client that sees everything. */
export interface LiveGateway {
  id: string;
  gw: LiveGatewayHandle;
  client: TestClient;
  stats(): ConnectionStats;
  /** the records of this exchange the JSON client got */
  mine(): Frame[];
  /** waits until every configured key delivers in an epoch newer than `ep` */
  flowsAfter(ep: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLiveGateway(
  id: string, exchange: Record<string, unknown>, opts: { symbols: readonly string[]; types?: readonly string[]; doc?: Record<string, unknown> },
): Promise<LiveGateway> {
  const gw = await startGateway({ ...opts.doc, exchanges: { [id]: exchange } });
  const client = await TestClient.connect(`${gw.ws}?snapshot=false`);
  const mine = () => client.frames.filter((f) => isRecord(f) && f.ex === id);
  return {
    id,
    gw,
    client,
    stats: () => connectionStats(gw, id),
    mine,
    flowsAfter: (ep) => waitEveryKey(mine, id, opts.symbols, ep, opts.types),
    async close() {
      await client.close();
      await gw.kernel.close();
    },
  };
}

/** What the fault-injection checks need to know about one plugin's live test. */
export interface FaultChecks {
  sim(): FaultySim;
  stats(): ConnectionStats;
  /** waits until data flows again in an epoch newer than `ep` */
  flowsAfter(ep: number): Promise<void>;
  /** the subscription frames that must go out again, given what the simulator received before the fault */
  resent?(before: string[]): Iterable<string>;
  /** the refused upgrade: HTTP status, Retry-After seconds, how many are refused, how many refusals to wait for (1) */
  refuse: { status: number; retryAfterS?: number; times: number; seen?: number; count?: () => number };
  /** how long a stall may take to be noticed (10 s) */
  stallDetectMs?: number;
  /** checks after every recovery (e.g. sq +1 per key) */
  check?(): void;
  /** called before the fault; what it returns is called after the recovery */
  around?(): () => void;
}

/** runs `fault`, then checks the gateway reconnected, sent the subscriptions again and data flows under a new epoch */
export async function assertRecovers(c: FaultChecks, fault: () => void | Promise<void>): Promise<void> {
  await waitFor(() => c.stats().state === 'open', 10_000, 'open');
  const before = { ...c.stats() };
  const received = c.sim().received().length;
  const after = c.around?.();
  await fault();
  await waitFor(() => c.stats().state === 'open' && c.stats().ep > before.ep, 20_000, 'reconnected');
  await c.flowsAfter(before.ep);
  assert.ok(c.stats().reconnects > before.reconnects, 'counted as a reconnect');
  if (c.resent) {
    const again = c.sim().received().slice(received);
    for (const frame of new Set(c.resent(c.sim().received().slice(0, received)))) assert.ok(again.includes(frame), `re-sent ${frame.slice(0, 80)}`);
  }
  after?.();
  c.check?.();
}

/** the fault checks of a LiveGateway: its stats, its keys flowing, sq +1 per key after every recovery */
export function liveFaultChecks(live: () => LiveGateway, sim: () => FaultySim, more: Pick<FaultChecks, 'refuse' | 'resent'> & Partial<FaultChecks>): FaultChecks {
  return {
    sim,
    stats: () => live().stats(),
    flowsAfter: (ep) => live().flowsAfter(ep),
    check: () => assertSequences(live().mine(), live().client),
    ...more,
  };
}

/** the three faults, each as one test: an abrupt drop, a stall, refused upgrades */
export function itRecoversFromFaults(c: FaultChecks): void {
  it('reconnects after an abrupt drop and subscribes everything again under a new epoch', async () => {
    await assertRecovers(c, () => c.sim().dropAll());
  });

  it('replaces a connection that went silent', async () => {
    await assertRecovers(c, async () => {
      const stalls = c.stats().errors.STALL ?? 0;
      c.sim().stall(true);
      await waitFor(() => (c.stats().errors.STALL ?? 0) > stalls, c.stallDetectMs ?? 10_000, 'stall detected');
      c.sim().stall(false);
    });
  });

  const { status, retryAfterS, times, seen = 1 } = c.refuse;
  const refusals = c.refuse.count ?? (() => c.stats().errors[`HTTP_${status}`] ?? 0);
  it(`retries refused upgrades (HTTP ${status}) and streams again once they are accepted`, async () => {
    await assertRecovers(c, async () => {
      const refused = refusals();
      c.sim().rejectUpgrades(status, retryAfterS, times);
      c.sim().dropAll();
      await waitFor(() => refusals() >= refused + seen, 10_000, 'refusals seen');
    });
  });
}

/** checks a malformed frame and an exchange error are counted, data keeps flowing and the connection stays */
export async function assertCountsBadFrames(live: LiveGateway, sim: { sendRaw(text: string): void }, malformed: string, exchangeError: string): Promise<void> {
  const { stats, client } = live;
  await waitFor(() => stats().state === 'open', 10_000, 'open');
  const { reconnects } = stats();
  const bad = stats().errors.BAD_FRAME ?? 0;
  const exch = stats().errors.EXCHANGE_ERROR ?? 0;
  sim.sendRaw(malformed);
  sim.sendRaw(exchangeError);
  await waitFor(() => (stats().errors.BAD_FRAME ?? 0) > bad && (stats().errors.EXCHANGE_ERROR ?? 0) > exch, 5000, 'counted');
  await client.next((f) => f.ex === live.id, 5000, client.frames.length);
  assert.equal(stats().reconnects, reconnects);
}

/**
 * With a market-list subscription: a market that already streams (`streaming`, when given), then `symbol` listed (a listing record
 * with market code `mc`, then data of `type`), then `delist` (default `symbol`) delisted (a delisting record).
 */
export async function assertFollowsListings(
  gw: LiveGatewayHandle, sim: { listMarket(s: string): void; delistMarket(s: string): void },
  o: { id: string; type: string; streaming?: string; symbol: string; mc: string; delist?: string },
): Promise<TestClient> {
  const c = await TestClient.connect(`${gw.ws}?exchange=${o.id}&type=listing,${o.type}&snapshot=false`);
  if (o.streaming) await waitFor(() => c.frames.some((f) => f.ty === o.type && f.cd === o.streaming), 20_000, 'the listed markets stream');
  sim.listMarket(o.symbol);
  const listed = await c.next((f) => f.ty === 'listing' && f.cd === o.symbol, 15_000);
  assert.deepEqual([listed.ex, listed.ls, listed.mc], [o.id, 'listed', o.mc]);
  await c.next((f) => f.ty === o.type && f.cd === o.symbol, 20_000);
  const delist = o.delist ?? o.symbol;
  sim.delistMarket(delist);
  const gone = await c.next((f) => f.ty === 'listing' && f.cd === delist && f.ls === 'delisted', 15_000);
  assert.equal(gone.ex, o.id);
  return c;
}


/** the same, on a gateway of its own that follows the market list (refreshed every 200 ms) of `exchange` for trades */
export async function checkFollowsListings(
  exchange: Record<string, unknown>, sim: { listMarket(s: string): void; delistMarket(s: string): void },
  o: { id: string; streaming?: string; symbol: string; mc: string },
): Promise<void> {
  const gw = await startGateway({ exchanges: { [o.id]: { marketRefreshMs: 200, channels: ['trade'], ...FAST_RESILIENCE, ...exchange } } });
  try {
    await (await assertFollowsListings(gw, sim, { ...o, type: 'trade' })).close();
  } finally {
    await gw.kernel.close();
  }
}

/**
 * Corrupts one book's checksum at the simulator, then expects a resync event for an order book on `client`, the book
 * of that symbol published again after it, and `resubscribed(sent, symbol)` to hold for what the gateway sent since
 * (text frames that look like JSON parsed). Returns the symbol.
 */
export async function assertChecksumResync(
  client: TestClient, sim: { received(): string[]; corruptChecksum(): void }, id: string,
  resubscribed: (sent: any[], symbol: string) => void,
): Promise<string> {
  const n = client.frames.length;
  const received = sim.received().length;
  sim.corruptChecksum();
  const resync = await client.next((f) => f.event === 'resync' && f.exchange === id, 10_000, n);
  assert.equal(resync.type, 'orderbook');
  const symbol = resync.symbol as string;
  await client.next((f) => f.ty === 'orderbook' && f.cd === symbol, 10_000, client.frames.indexOf(resync));
  resubscribed(sim.received().slice(received).map((t) => (t.startsWith('{') ? JSON.parse(t) : t)), symbol);
  return symbol;
}

/**
 * The simulator's REST market list read through the plugin's own parser: at least `min` markets including
 * `includes`; `symbol` listed appears, delisted it is gone and the list is as before. Returns the reader.
 */
export async function assertServesMarketList(
  markets: { url(config: PluginConfig): string; parse(body: string): { symbol: string }[] },
  sim: { url: string; restUrl: string; listMarket(s: string): void; delistMarket(s: string): void },
  o: { id: string; min: number; includes: string; symbol: string },
): Promise<() => Promise<string[]>> {
  const url = markets.url({ id: o.id, url: sim.url, restUrl: sim.restUrl, symbols: [], channels: [], depth: 15, options: {} });
  const list = async () => markets.parse(await (await fetch(url)).text()).map((m) => m.symbol);
  const before = await list();
  assert.ok(before.length >= o.min && before.includes(o.includes), `${before.length} markets`);
  sim.listMarket(o.symbol);
  assert.ok((await list()).includes(o.symbol));
  sim.delistMarket(o.symbol);
  assert.deepEqual(await list(), before);
  return list;
}
