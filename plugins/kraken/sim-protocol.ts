// The simulated Kraken's WebSocket v2 protocol: status on connect, subscribe/unsubscribe with per-symbol
// acknowledgements or errors, ping → pong, heartbeats, and market steps pushed to each subscriber.

import type { Activity } from '../../sim/market-set.ts';
import type { Peer, Protocol } from '../../sim/sim-server.ts';
import { assetPairsBody, createPair, instrumentSnapshot, type SimPair } from './sim-markets.ts';
import { bookSnapshotFrame, bookUpdateFrame, currentWindow, rfc3339Ms, tickerFrame, tradeFrame, type BookWindow } from './sim-messages.ts';

export interface KrakenPeerState {
  ticker: Set<string>;
  trade: Set<string>;
  /** symbol → subscribed depth */
  book: Map<string, number>;
  instrument: boolean;
  lastSentMs: number;
}

const DEPTHS = new Set([10, 25, 100, 500, 1000]);
const CHANNELS = new Set(['ticker', 'trade', 'book', 'instrument']);

export interface KrakenWorld {
  pairs: Map<string, SimPair>;
  seed: number;
  tradesPerStep: number;
  activity: Activity;
  /** skewed activity's busier-minute factor (SimOptions.peak) */
  peak: number;
  /** market steps so far (skewed activity steps each pair on its own period) */
  steps: number;
  /** book updates still to send with a wrong checksum */
  corruptNext: number;
  connectionIds: number;
}

export function listPair(world: KrakenWorld, symbol: string): void {
  if (!world.pairs.has(symbol)) world.pairs.set(symbol, createPair(symbol, world.seed, world.tradesPerStep, Date.now(), world.activity, world.peak));
}

export function krakenProtocol(world: KrakenWorld, peers: () => Iterable<Peer<KrakenPeerState>>, intervalMs: number): Protocol<KrakenPeerState> {
  /** the window each (symbol, depth) subscribers last saw */
  const windows = new Map<string, BookWindow>();

  const send = (peer: Peer<KrakenPeerState>, text: string): void => {
    peer.send(text);
    peer.state.lastSentMs = Date.now();
  };
  const answer = (peer: Peer<KrakenPeerState>, body: Record<string, unknown>, timeIn: string): void =>
    send(peer, JSON.stringify({ ...body, time_in: timeIn, time_out: rfc3339Ms(Date.now()) }));

  function windowOf(pair: SimPair, depth: number): BookWindow {
    const key = `${pair.symbol}|${depth}`;
    let w = windows.get(key);
    if (!w) windows.set(key, (w = currentWindow(pair, depth)));
    return w;
  }

  function subscribe(peer: Peer<KrakenPeerState>, params: Record<string, unknown>, reqId: unknown, timeIn: string): void {
    const channel = params.channel;
    const base = (extra: Record<string, unknown>) => ({ method: 'subscribe', ...extra, ...(reqId === undefined ? {} : { req_id: reqId }) });
    if (typeof channel !== 'string' || !CHANNELS.has(channel)) {
      return answer(peer, base({ error: `Channel ${String(channel)} not found`, success: false }), timeIn);
    }
    if (channel === 'instrument') {
      peer.state.instrument = true;
      answer(peer, base({ result: { channel, snapshot: params.snapshot !== false }, success: true }), timeIn);
      if (params.snapshot !== false) send(peer, instrumentSnapshot(world.pairs.values()));
      return;
    }
    const depth = params.depth === undefined ? 10 : params.depth;
    if (channel === 'book' && (typeof depth !== 'number' || !DEPTHS.has(depth))) {
      return answer(peer, base({ error: 'EGeneral:Invalid arguments:depth', success: false }), timeIn);
    }
    if (!Array.isArray(params.symbol) || params.symbol.length === 0) {
      return answer(peer, base({ error: 'EGeneral:Invalid arguments:symbol', success: false }), timeIn);
    }
    const snapshot = params.snapshot === undefined ? channel !== 'trade' : params.snapshot === true;
    for (const symbol of params.symbol) {
      const pair = typeof symbol === 'string' ? world.pairs.get(symbol) : undefined;
      if (!pair) {
        answer(peer, base({ error: `Currency pair not supported ${String(symbol)}`, success: false, symbol }), timeIn);
        continue;
      }
      const subs = channel === 'book' ? peer.state.book : peer.state[channel as 'ticker' | 'trade'];
      if (subs.has(pair.symbol)) {
        answer(peer, base({ error: 'Already subscribed', success: false, symbol }), timeIn);
        continue;
      }
      const result: Record<string, unknown> = { channel, snapshot, symbol };
      if (channel === 'book') {
        result.depth = depth;
        peer.state.book.set(pair.symbol, depth as number);
      } else (subs as Set<string>).add(pair.symbol);
      answer(peer, base({ result, success: true }), timeIn);
      if (!snapshot) continue;
      if (channel === 'book') send(peer, bookSnapshotFrame(pair, windowOf(pair, depth as number), Date.now()));
      else if (channel === 'ticker') send(peer, tickerFrame(pair, 'snapshot', Date.now()));
      else send(peer, tradeFrame(pair, [pair.market.lastTrade]).replace('"type":"update"', '"type":"snapshot"'));
    }
  }

  function unsubscribe(peer: Peer<KrakenPeerState>, params: Record<string, unknown>, reqId: unknown, timeIn: string): void {
    const channel = params.channel;
    const base = (extra: Record<string, unknown>) => ({ method: 'unsubscribe', ...extra, ...(reqId === undefined ? {} : { req_id: reqId }) });
    if (channel !== 'ticker' && channel !== 'trade' && channel !== 'book') {
      return answer(peer, base({ error: `Channel ${String(channel)} not found`, success: false }), timeIn);
    }
    for (const symbol of Array.isArray(params.symbol) ? params.symbol : []) {
      const subs = channel === 'book' ? peer.state.book : peer.state[channel];
      if (typeof symbol !== 'string' || !subs.delete(symbol)) {
        answer(peer, base({ error: 'Subscription Not Found', success: false, symbol }), timeIn);
        continue;
      }
      const result: Record<string, unknown> = { channel, symbol };
      if (channel === 'book' && typeof params.depth === 'number') result.depth = params.depth;
      answer(peer, base({ result, success: true }), timeIn);
    }
  }

  function step(nowMs: number): void {
    const live = [...peers()];
    const n = world.steps++;
    const active = new Set<string>();
    for (const p of live) for (const set of [p.state.ticker, p.state.trade, p.state.book.keys()]) for (const s of set) active.add(s);
    for (const symbol of active) {
      const pair = world.pairs.get(symbol);
      if (!pair || (n + pair.phase) % pair.every !== 0) continue;
      const result = pair.market.step(nowMs);
      const trade = result.trades.length > 0 ? tradeFrame(pair, result.trades) : undefined;
      const ticker = result.trades.length > 0 ? tickerFrame(pair, 'update', nowMs) : undefined;
      const updates = new Map<number, string | undefined>();
      for (const peer of live) {
        if (trade && peer.state.trade.has(symbol)) send(peer, trade);
        if (ticker && peer.state.ticker.has(symbol)) send(peer, ticker);
        const depth = peer.state.book.get(symbol);
        if (depth === undefined) continue;
        if (!updates.has(depth)) {
          const before = windowOf(pair, depth);
          const after = currentWindow(pair, depth);
          windows.set(`${symbol}|${depth}`, after);
          const corrupt = world.corruptNext > 0;
          const frame = bookUpdateFrame(pair, before, after, nowMs, corrupt);
          if (frame && corrupt) world.corruptNext--;
          updates.set(depth, frame);
        }
        const frame = updates.get(depth);
        if (frame) send(peer, frame);
      }
    }
    // Windows nobody reads any more would go stale: drop them, a later subscriber starts from the book as it is.
    for (const key of windows.keys()) {
      const [symbol, depth] = key.split('|');
      if (!live.some((p) => p.state.book.get(symbol!) === Number(depth))) windows.delete(key);
    }
  }

  return {
    wsPath: '/v2',
    checkUpgrade: (url) => (url.pathname === '/v2' ? null : { status: 404, body: '{"error":"not found"}' }),
    createState: () => ({ ticker: new Set(), trade: new Set(), book: new Map(), instrument: false, lastSentMs: Date.now() }),
    onOpen(peer) {
      const status = { api_version: 'v2', connection_id: 13_834_774_380_200_032_000 + ++world.connectionIds, system: 'online', version: '2.0.10' };
      send(peer, JSON.stringify({ channel: 'status', data: [status], type: 'update' }));
    },
    onMessage(peer, text) {
      const timeIn = rfc3339Ms(Date.now());
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return answer(peer, { error: 'EGeneral:Invalid arguments', success: false }, timeIn);
      }
      const m = (typeof msg === 'object' && msg !== null ? msg : {}) as Record<string, unknown>;
      const reqId = m.req_id;
      const params = (typeof m.params === 'object' && m.params !== null ? m.params : {}) as Record<string, unknown>;
      if (m.method === 'ping') return answer(peer, { method: 'pong', ...(reqId === undefined ? {} : { req_id: reqId }) }, timeIn);
      if (m.method === 'subscribe') return subscribe(peer, params, reqId, timeIn);
      if (m.method === 'unsubscribe') return unsubscribe(peer, params, reqId, timeIn);
      answer(peer, { error: `Method ${String(m.method).slice(0, 40)} not found`, method: m.method, success: false }, timeIn);
    },
    onHttp(url) {
      if (url.pathname === '/0/public/AssetPairs') return { status: 200, body: assetPairsBody(world.pairs.values()) };
      return undefined;
    },
    timers: [
      { everyMs: intervalMs, run: step },
      {
        // a heartbeat about once a second to a subscribed connection that has had nothing else
        everyMs: 250,
        run(nowMs) {
          for (const p of peers()) {
            const subscribed = p.state.ticker.size + p.state.trade.size + p.state.book.size > 0 || p.state.instrument;
            if (subscribed && nowMs - p.state.lastSentMs >= 1000) send(p, '{"channel":"heartbeat"}');
          }
        },
      },
    ],
  };
}

/** a delisted pair: its subscriptions end (Kraken documents no notice for this) */
export function delistPair(world: KrakenWorld, peers: Iterable<Peer<KrakenPeerState>>, symbol: string): void {
  world.pairs.delete(symbol);
  for (const p of peers) {
    p.state.ticker.delete(symbol);
    p.state.trade.delete(symbol);
    p.state.book.delete(symbol);
  }
}
