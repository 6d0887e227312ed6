// One connection plan kept alive (worker/feed.ts) against a real local WebSocket exchange: the make-before-break
// handover (the new connection takes over, the overlap is de-duplicated at the switch, nothing is lost, the first
// book of the new epoch is emitted), reconnect backoff as the feed uses it, and connection attempts paced by the
// exchange's limit.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MarketRecord } from '../../sdk/model.ts';
import type { ConnectionPlan } from '../../sdk/plugin.ts';
import type { ReconnectPolicy } from '../../boundary/worker-protocol.ts';
import { Feed } from '../../worker/feed.ts';
import { RateLimiter } from '../../worker/rate-limiter.ts';
import { waitFor } from '../support/client.ts';
import { startWsExchange } from '../support/ws-exchange.ts';
import type { WsExchange } from '../support/ws-exchange.ts';

const BOOK = [{ ap: 101, as: 1, bp: 99, bs: 2 }];

/** frames: `{"t":<id>}` a trade, `{"book":1}` the (always identical) book */
const plan = (url: string): ConnectionPlan => ({
  name: 'main',
  url,
  subscribe: ['{"subscribe":"all"}'],
  createMapper: () => ({
    onMessage(text, rtms, out) {
      const m = JSON.parse(text) as { t?: number; book?: number };
      if (m.book) out.emit({ ty: 'orderbook', ex: 'x', cd: 'BTC/KRW', mc: 'BTC-KRW', tms: rtms, obu: BOOK.map((u) => ({ ...u })) });
      else out.emit({ ty: 'trade', ex: 'x', cd: 'BTC/KRW', mc: 'BTC-KRW', tms: 1_700_000_000_000 + m.t!, tp: 100, tv: 1, ab: 'BID', sid: String(m.t) });
    },
  }),
});

function feedTo(url: string, reconnect: ReconnectPolicy, connectLimit = new RateLimiter([{ count: 100, windowMs: 1000 }])) {
  const records: MarketRecord[] = [];
  const logs: string[] = [];
  const feed = new Feed(
    plan(url),
    { exchange: 'x', depth: 15, reconnect, stallTimeoutMs: 20_000, maxConnectionAgeMs: 0, connectLimit, pushbackWindowMs: 1000 },
    { record: (_key, r) => void records.push(r), log: (_level, msg) => void logs.push(msg), changed: () => {}, invalidate: () => {} },
  );
  feed.start();
  /** the delays the feed scheduled before each reconnect, in order */
  const retries = () => logs.flatMap((l) => /retry in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
  return { feed, records, logs, retries };
}

const QUICK: ReconnectPolicy = { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, resetAfterMs: 60_000 };
const trades = (records: MarketRecord[]) => records.filter((r) => r.ty === 'trade');

describe('feed', () => {
  const servers: WsExchange[] = [];
  const feeds: Feed[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  after(async () => {
    for (const t of timers) clearInterval(t);
    await Promise.all(feeds.map((f) => f.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  /**
   * An exchange with one market: a trade every 15 ms to every connection but the muted ones; a new connection first
   * gets the book and the last 5 trades again.
   */
  async function market() {
    const ex = await startWsExchange();
    servers.push(ex);
    let next = 1;
    const sent: number[] = [];
    const closes = new Map<number, { code: number; reason: string }>();
    const muted = new Set<number>();
    ex.onConnection((conn, ws) => {
      ws.once('message', () => {
        ws.send('{"book":1}');
        for (const id of sent.slice(-5)) ws.send(`{"t":${id}}`);
      });
      ws.on('close', (code, reason) => closes.set(conn, { code, reason: reason.toString() }));
    });
    const timer = setInterval(() => {
      if (!ex.sockets.size) return;
      sent.push(next);
      for (const [conn, ws] of ex.sockets) if (!muted.has(conn)) ws.send(`{"t":${next}}`);
      next++;
    }, 15);
    timers.push(timer);
    return { ex, sent, closes, muted, stop: () => clearInterval(timer) };
  }

  /** trade ids step by one from the first to `last`, each once; records of a key never go back an epoch */
  function assertComplete(records: MarketRecord[], last: number): void {
    const ids = trades(records).map((r) => Number(r.sid));
    const first = ids[0]!;
    assert.deepEqual(ids, Array.from({ length: last - first + 1 }, (_, i) => first + i), 'every trade once, in order');
    for (let i = 1; i < records.length; i++) assert.ok(records[i]!.ep >= records[i - 1]!.ep, 'an epoch went back');
  }

  it('hands over to a new connection before closing the old one: nothing lost, the overlap dropped once, a fresh epoch', async () => {
    const m = await market();
    const { feed, records } = feedTo(m.ex.url, QUICK);
    feeds.push(feed);
    await waitFor(() => trades(records).length >= 10, 10_000, 'trades on the first connection');
    const ep1 = records[0]!.ep;
    feed.rollover('test handover');
    // both connections get the same trades for a while; then the old one falls silent (an exchange about to close it
    // may stop streaming on it): what follows reaches the feed only through the replacement's held records
    await waitFor(() => m.ex.received.some((r) => r.conn === 2), 10_000, 'the replacement subscribed');
    const overlapFrom = m.sent.length;
    await waitFor(() => m.sent.length >= overlapFrom + 5, 10_000, 'an overlap');
    m.muted.add(1);
    await waitFor(() => feed.stats.rollovers === 1, 15_000, 'the switch');
    await waitFor(() => m.closes.has(1), 10_000, 'the old connection closed');
    const atSwitch = trades(records).length;
    await waitFor(() => trades(records).length >= atSwitch + 10, 10_000, 'trades on the new connection');
    m.stop();
    const last = m.sent[m.sent.length - 1]!;
    await waitFor(() => trades(records).some((r) => Number(r.sid) === last), 10_000, 'the last trade');

    assertComplete(records, last);
    assert.ok(feed.stats.duplicates >= 10, `${feed.stats.duplicates} repeats dropped: the replayed trades and the overlap pass the de-duplication`);
    assert.deepEqual(m.closes.get(1), { code: 1000, reason: 'replaced by a new connection' });
    assert.equal(m.ex.sockets.size, 1, 'only the new connection is left');
    assert.equal(feed.stats.reconnects, 0, 'a planned handover is not a reconnect');
    // the new epoch starts every key at sq 1, and its first book is published though it equals the last one
    const ep2 = records[records.length - 1]!.ep;
    assert.ok(ep2 > ep1);
    const after2 = records.filter((r) => r.ep === ep2);
    assert.deepEqual(after2.filter((r) => r.ty === 'orderbook').map((r) => r.sq), [1]);
    assert.equal(after2.find((r) => r.ty === 'trade')!.sq, 1);
    for (const ep of [ep1, ep2]) {
      const sq = trades(records.filter((r) => r.ep === ep)).map((r) => r.sq);
      assert.deepEqual(sq, sq.map((_, i) => i + 1), `sq of ep ${ep} steps by one`);
    }
  });

  it('switches at once when the old connection drops during the handover, still losing nothing', async () => {
    const m = await market();
    const { feed, records } = feedTo(m.ex.url, QUICK);
    feeds.push(feed);
    await waitFor(() => trades(records).length >= 10, 10_000, 'trades on the first connection');
    feed.rollover('test handover');
    // the replacement has subscribed (so it is open on the feed's side): the old one dies before the grace ends
    await waitFor(() => m.ex.received.some((r) => r.conn === 2), 10_000, 'the replacement subscribed');
    m.ex.sockets.get(1)!.terminate();
    await waitFor(() => feed.stats.rollovers === 1, 10_000, 'the switch');
    const atSwitch = trades(records).length;
    await waitFor(() => trades(records).length >= atSwitch + 5, 10_000, 'trades on the new connection');
    m.stop();
    const last = m.sent[m.sent.length - 1]!;
    await waitFor(() => trades(records).some((r) => Number(r.sid) === last), 10_000, 'the last trade');
    assertComplete(records, last);
    assert.equal(feed.stats.reconnects, 0);
  });

  describe('reconnect backoff as the feed uses it', () => {
    // steps 100, 500, then the 1000 cap (uncapped: 2500, 12500); ±20 % jitter
    const POLICY: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 5, resetAfterMs: 800 };
    const step = (k: number) => Math.min(POLICY.maxDelayMs, POLICY.initialDelayMs * POLICY.multiplier ** k);
    const within = (delay: number, k: number, what: string) =>
      assert.ok(delay >= step(k) * 0.8 && delay <= step(k) * 1.2, `${what}: ${delay} ms, not within ±20 % of ${step(k)} ms`);

    it('grows each wait by the multiplier up to the cap, keeps counting through a short-lived connection, and starts over after a healthy period', async () => {
      const ex = await startWsExchange();
      servers.push(ex);
      ex.refuse(4);
      const { feed, retries } = feedTo(ex.url, POLICY);
      feeds.push(feed);
      await waitFor(() => ex.sockets.size === 1, 30_000, 'accepted after four refusals');
      // what the feed scheduled: exactly the steps of the policy, each within its jitter
      assert.equal(retries().length, 4);
      retries().forEach((d, k) => within(d, k, `wait ${k + 1}`));
      // and it waited them: each attempt came no sooner than its scheduled delay (a few ms of timer rounding aside)
      const at = ex.attempts.map((a) => a.at);
      for (let k = 1; k < at.length; k++) assert.ok(at[k]! - at[k - 1]! >= retries()[k - 1]! - 5, `attempt ${k + 1} came early`);

      // a connection that drops before resetAfterMs does not reset the backoff: the next wait is still the cap
      ex.sockets.get(1)!.terminate();
      await waitFor(() => retries().length === 5, 10_000, 'the fifth wait');
      within(retries()[4]!, 4, 'after a short-lived connection');

      // one that stays resetAfterMs does: the next wait is the initial delay again
      await waitFor(() => ex.sockets.size === 1, 10_000, 'reconnected');
      const since = Date.now();
      await waitFor(() => Date.now() - since > POLICY.resetAfterMs + 400, 10_000, 'a healthy period');
      for (const ws of ex.sockets.values()) ws.terminate();
      await waitFor(() => retries().length === 6, 10_000, 'the sixth wait');
      within(retries()[5]!, 0, 'after a healthy period');
    });
  });

  it('paces connection attempts by the exchange\'s connection limit, shared by its feeds', async () => {
    const ex = await startWsExchange();
    servers.push(ex);
    const limit = new RateLimiter([{ count: 2, windowMs: 1000 }]);
    for (let i = 0; i < 3; i++) feeds.push(feedTo(ex.url, QUICK, limit).feed);
    await waitFor(() => ex.sockets.size === 3, 15_000, 'three connections');
    const at = ex.attempts.map((a) => a.at).sort((a, b) => a - b);
    assert.ok(at[2]! - at[0]! >= 900, `third attempt ${at[2]! - at[0]!} ms after the first, within one window of two`);
  });
});
