// The OKX simulator: public WebSocket v5 (/ws/v5/public: tickers, trades, books, books5; op subscribe/unsubscribe
// with per-arg acks, "ping"/"pong", error events, OKX's limits) and REST (instruments, order book, time).

import { MarketSet, type MarketStep } from '../../sim/market-set.ts';
import type { Market } from '../../sim/market.ts';
import { resolveOptions } from '../../sim/resolve-options.ts';
import { startSimServer, type HttpReply, type Peer, type PeerSet } from '../../sim/sim-server.ts';
import type { SimHandle, SimOptions } from '../../sim/sim-types.ts';
import * as msg from './sim-messages.ts';
import { initialUniverse, instId as idOf, instrumentJson, OKX_RULES, type Instrument } from './sim-universe.ts';

export interface OkxSimOptions extends SimOptions {
  /**
   * Open every `books` subscription with a snapshot message (OKX's behaviour so far). false: updates only, as OKX
   * announced for after the snapshot's retirement; clients then synchronize with GET /api/v5/market/books.
   */
  bookSnapshots?: boolean;
  /** send a real checksum in books messages (default true); false sends 0, as OKX does once the field is retired */
  checksums?: boolean;
}

export type OkxSimHandle = SimHandle & Required<Pick<SimHandle, 'listMarket' | 'delistMarket' | 'corruptChecksum'>>;

const CHANNELS = new Set(['tickers', 'trades', 'books', 'books5']);
/** subscribe/unsubscribe requests per connection per hour */
const OPS_PER_HOUR = 480;
/** connection requests per second per IP */
const CONNECTS_PER_SECOND = 3;
/** a request's JSON may be at most 64 KB */
const MAX_REQUEST_BYTES = 64 * 1024;

interface Sub {
  channel: string;
  instId: string;
  market: Market;
}

interface OkxState {
  connId: string;
  subs: Map<string, Sub>;
  /** times of this connection's subscribe/unsubscribe requests, for the hourly limit */
  ops: number[];
}

const json = (status: number, body: unknown): HttpReply => ({ status, body: JSON.stringify(body) });

export async function startOkxSim(options: OkxSimOptions = {}): Promise<OkxSimHandle> {
  // OKX closes a connection that has seen no traffic for 30 s; it sends no pings of its own.
  const o = resolveOptions(options, { pingIntervalMs: 0, idleTimeoutMs: 30_000, maxMessagesPerSecond: 0 });
  const bookSnapshots = options.bookSnapshots ?? true;
  const checksums = options.checksums ?? true;
  const markets = new MarketSet(OKX_RULES, o.seed, o.tradesPerStep, o.activity, o.peak);
  const universe = initialUniverse(Date.now());
  /** the listed instrument of an OKX id (BASE-QUOTE) */
  const listedInst = (id: string): Instrument | undefined => {
    const [base, quote, more] = id.split('-');
    return base && quote && more === undefined && id === id.toUpperCase() ? universe.get(base, quote) : undefined;
  };
  const marketOf = (i: Instrument): Market => markets.get(i.base, i.quote);
  let corruptNext = false;
  let nextConn = 1;
  const recentConnects: number[] = [];

  let peerSet: PeerSet<OkxState> | undefined;
  const handle = await startSimServer<OkxState>(o.limits, (set) => {
    peerSet = set;
    const { peers } = set;

    function onStep(nowMs: number): void {
      const steps = new Map<Market, MarketStep>();
      for (const s of markets.stepAll(nowMs).values()) steps.set(s.market, s);
      const frames = new Map<string, string | undefined>();
      const build = (sub: Sub): string | undefined => {
        const key = `${sub.channel}:${sub.instId}`;
        if (frames.has(key)) return frames.get(key);
        const step = steps.get(sub.market)?.step;
        let frame: string | undefined;
        if (step) {
          if (sub.channel === 'tickers') frame = msg.ticker(sub.instId, sub.market, step.tms);
          else if (sub.channel === 'trades') frame = msg.trades(sub.instId, sub.market, step);
          else if (sub.channel === 'books5') frame = msg.books5(sub.instId, sub.market, step.tms);
          else {
            let checksum = checksums ? msg.bookChecksum(sub.market) : 0;
            if (corruptNext) {
              corruptNext = false;
              checksum = (checksum ^ 0x2f1e) | 0 || 1;
            }
            frame = msg.booksUpdate(sub.instId, sub.market, step, checksum);
          }
        }
        frames.set(key, frame);
        return frame;
      };
      for (const peer of peers()) {
        for (const sub of peer.state.subs.values()) {
          // only markets that stepped have news
          if (!steps.has(sub.market)) continue;
          const f = build(sub);
          if (f) peer.send(f);
        }
      }
    }

    const error = (peer: Peer<OkxState>, code: string, text: string) =>
      peer.send(JSON.stringify({ event: 'error', code, msg: text, connId: peer.state.connId }));

    function onMessage(peer: Peer<OkxState>, text: string): void {
      if (text === 'ping') return peer.send('pong');
      if (text.length > MAX_REQUEST_BYTES) return error(peer, '60012', 'Invalid request: request too long');
      let req: unknown;
      try {
        req = JSON.parse(text);
      } catch {
        return error(peer, '60012', `Invalid request: ${text.slice(0, 200)}`);
      }
      const r = req as { op?: unknown; args?: unknown };
      if (typeof req !== 'object' || req === null || Array.isArray(req) || (r.op !== 'subscribe' && r.op !== 'unsubscribe')) {
        return error(peer, '60012', `Invalid request: ${text.slice(0, 200)}`);
      }
      if (!Array.isArray(r.args) || r.args.length === 0) return error(peer, '60012', `Invalid request: ${text.slice(0, 200)}`);
      const now = Date.now();
      peer.state.ops = peer.state.ops.filter((t) => now - t < 3_600_000);
      if (peer.state.ops.length >= OPS_PER_HOUR) return error(peer, '60014', 'Requests too frequent.');
      peer.state.ops.push(now);
      for (const a of r.args) {
        const { channel, instId } = (a ?? {}) as { channel?: unknown; instId?: unknown };
        if (typeof channel !== 'string' || typeof instId !== 'string') {
          error(peer, '60012', `Invalid request: ${JSON.stringify(a).slice(0, 200)}`);
          continue;
        }
        const inst = listedInst(instId);
        if (!CHANNELS.has(channel) || !inst) {
          error(peer, '60018', `Wrong URL or channel:${channel},instId:${instId} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`);
          continue;
        }
        const key = `${channel}:${instId}`;
        const ack = JSON.stringify({ event: r.op, arg: { channel, instId }, connId: peer.state.connId });
        if (r.op === 'unsubscribe') {
          peer.state.subs.delete(key);
          peer.send(ack);
          continue;
        }
        const market = marketOf(inst);
        peer.state.subs.set(key, { channel, instId, market });
        peer.send(ack);
        const tms = Date.now();
        if (channel === 'books' && bookSnapshots) peer.send(msg.booksSnapshot(instId, market, tms, checksums));
        if (channel === 'books5') peer.send(msg.books5(instId, market, tms));
        if (channel === 'tickers') peer.send(msg.ticker(instId, market, tms));
      }
    }

    function onHttp(url: URL, method: string): HttpReply | undefined {
      if (method !== 'GET') return undefined;
      if (url.pathname === '/api/v5/public/time') return json(200, { code: '0', msg: '', data: [{ ts: String(Date.now()) }] });
      if (url.pathname === '/api/v5/public/instruments') {
        const type = url.searchParams.get('instType');
        if (!type) return json(400, { code: '50014', msg: 'Parameter instType can not be empty.', data: [] });
        if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(type)) return json(400, { code: '51000', msg: 'Parameter instType error', data: [] });
        const data = type === 'SPOT' ? universe.all().map((i) => instrumentJson(idOf(i), i)) : [];
        return json(200, { code: '0', msg: '', data });
      }
      if (url.pathname === '/api/v5/market/books') {
        const instId = url.searchParams.get('instId') ?? '';
        const inst = listedInst(instId);
        if (!inst) return json(400, { code: '51001', msg: "Instrument ID, Instrument ID code, or Spread ID doesn't exist.", data: [] });
        const szText = url.searchParams.get('sz') ?? '1';
        if (!/^[0-9]{1,4}$/.test(szText)) return json(400, { code: '51000', msg: 'Parameter sz error', data: [] });
        const sz = Math.min(400, Math.max(1, Number(szText)));
        return { status: 200, body: msg.restBook(marketOf(inst), sz, Date.now()) };
      }
      return undefined;
    }

    return {
      wsPath: '/ws/v5/public',
      checkUpgrade(url) {
        if (url.pathname !== '/ws/v5/public') return json(404, { code: '404', msg: 'Not Found' });
        const now = Date.now();
        while (recentConnects.length && now - recentConnects[0]! >= 1000) recentConnects.shift();
        if (recentConnects.length >= CONNECTS_PER_SECOND) return json(429, { code: '50011', msg: 'Too Many Requests' });
        recentConnects.push(now);
        return null;
      },
      createState: () => ({ connId: (0x1a2b3c00 + nextConn++).toString(16), subs: new Map(), ops: [] }),
      onMessage,
      onHttp,
      timers: [{ everyMs: o.intervalMs, run: onStep }],
    };
  });

  const symbolId = (symbol: string): string => {
    const [base, quote] = symbol.split('/');
    if (!base || !quote) throw new RangeError(`"${symbol}" is not BASE/QUOTE`);
    return `${base}-${quote}`;
  };
  return {
    ...handle,
    listMarket(symbol) {
      const [base, quote] = symbolId(symbol).split('-') as [string, string];
      universe.list(`${base}/${quote}`);
    },
    delistMarket(symbol) {
      const id = symbolId(symbol);
      const [base, quote] = id.split('-') as [string, string];
      universe.delist(`${base}/${quote}`);
      for (const peer of peerSet?.peers() ?? []) for (const [k, s] of peer.state.subs) if (s.instId === id) peer.state.subs.delete(k);
    },
    corruptChecksum() {
      corruptNext = true;
    },
  };
}
