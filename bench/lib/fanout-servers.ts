// The two servers the fan-out benchmark compares, fed by the same record source: the gateway's fan-out (Hub +
// startServer, exactly as the kernel wires them) and the naive baseline (a plain `ws` server that JSON.stringify's
// each record and sends it to every client).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { WebSocketServer } from 'ws';
import { BatchBuilder } from '../../boundary/batch.ts';
import { Catalog } from '../../kernel/filter.ts';
import { Hub } from '../../kernel/fanout/hub.ts';
import { startServer } from '../../kernel/fanout/server.ts';
import { createLogger } from '../../kernel/log.ts';
import { Metrics } from '../../kernel/metrics.ts';
import type { MarketRecord } from '../../sdk/model.ts';
import { streamKey } from '../../sdk/model.ts';
import { SnapshotStore } from '../../kernel/store/snapshot-store.ts';

export interface FanoutServer {
  name: string;
  port: number;
  /** hands one turn's records to the server */
  publish(records: MarketRecord[]): void;
  /** clients cut off for being slow (1008) */
  slowCuts(): number;
  close(): Promise<void>;
}

const EXCHANGES = { binance: ['BTC/USDT', 'ETH/USDT', 'XRP/USDT', 'SOL/USDT'], upbit: ['BTC/KRW', 'ETH/KRW', 'XRP/KRW', 'SOL/KRW'], bithumb: ['BTC/KRW', 'ETH/KRW', 'XRP/KRW', 'SOL/KRW'] };

/** the gateway: records arrive as a batch (as from a worker or the bus), go to the store and the hub */
export async function startGatewayFanout(maxBufferedBytes: number): Promise<FanoutServer> {
  const metrics = new Metrics();
  const catalog = new Catalog();
  for (const [ex, symbols] of Object.entries(EXCHANGES)) catalog.set(ex, { symbols, channels: ['ticker', 'trade', 'orderbook'] });
  const store = new SnapshotStore();
  const log = createLogger('error');
  const hub = new Hub({ store, catalog, maxBufferedBytes, metrics, log });
  const server = await startServer({ app: new Hono(), hub, catalog, host: '127.0.0.1', port: 0, log, metrics });
  const slow = /^gateway_client_slow_disconnects_total (\d+)/m;
  return {
    name: 'gateway',
    port: server.port,
    publish(records) {
      const b = new BatchBuilder();
      for (const r of records) b.addRecord(streamKey(r.ex, r.ty, r.cd), r);
      const batch = b.take();
      store.putBatch(batch);
      hub.deliver(batch);
    },
    slowCuts: () => Number(slow.exec(metrics.render())?.[1] ?? 0),
    close: async () => {
      hub.close();
      await server.close();
    },
  };
}

/** the baseline: what one writes first: JSON.stringify each record, ws.send it to every client */
export async function startNaiveFanout(): Promise<FanoutServer> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  return {
    name: 'naive ws',
    port: (http.address() as AddressInfo).port,
    publish(records) {
      for (const r of records) {
        const text = JSON.stringify(r);
        for (const ws of wss.clients) ws.send(text);
      }
    },
    slowCuts: () => 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

/**
 * A steady stream of realistic records: 70 % trades, 20 % tickers, 10 % 15-level books, over 3 exchanges × 4 symbols,
 * stamped with `rtms` = now when published. Paced every `tickMs`, catching up on what is due.
 */
export class RecordSource {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sent = 0;
  private startedMs = 0;
  private readonly sq = new Map<string, number>();
  private readonly keys = Object.entries(EXCHANGES).flatMap(([ex, syms]) => syms.map((cd) => ({ ex, cd })));
  private n = 0;

  constructor(
    private readonly publish: (records: MarketRecord[]) => void,
    private readonly tickMs = 2,
  ) {}

  /** records published since start() */
  get count(): number {
    return this.sent;
  }

  start(ratePerSecond: number): void {
    this.stop();
    this.sent = 0;
    this.startedMs = performance.now();
    const tick = () => {
      const due = Math.floor(((performance.now() - this.startedMs) / 1000) * ratePerSecond) - this.sent;
      if (due > 0) {
        const now = Date.now();
        const records: MarketRecord[] = new Array(Math.min(due, 50_000));
        for (let i = 0; i < records.length; i++) records[i] = this.record(now);
        this.sent += records.length;
        this.publish(records);
      }
      this.timer = setTimeout(tick, this.tickMs);
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** one record of the stream (public for bench/hub-shapes.ts) */
  record(now: number): MarketRecord {
    const k = this.keys[this.n++ % this.keys.length]!;
    const roll = this.n % 10;
    const ty = roll < 7 ? 'trade' : roll < 9 ? 'ticker' : 'orderbook';
    const key = `${k.ex}|${ty}|${k.cd}`;
    const sq = (this.sq.get(key) ?? 0) + 1;
    this.sq.set(key, sq);
    const mc = k.ex === 'binance' ? k.cd.replace('/', '') : k.ex === 'upbit' ? `KRW-${k.cd.split('/')[0]}` : k.cd.replace('/', '_');
    const base = 95000 + (sq % 100) * 0.01;
    const common = { ex: k.ex, cd: k.cd, mc, tms: now - 1 };
    const tail = { rtms: now, ep: 1_736_900_000_000, sq };
    if (ty === 'trade') return { ty, ...common, tp: base, tv: 0.01234, ab: sq % 2 ? 'ASK' : 'BID', sid: String(5_123_456_789 + sq), ...tail };
    if (ty === 'ticker') {
      return { ty, ...common, tp: base, op: 94000.5, hp: 96000.25, lp: 93000.75, pcp: 94100, scp: 912.34, scr: 0.0097, atv24h: 12345.678, atp24h: 1172839506.12, ...tail };
    }
    const obu = Array.from({ length: 15 }, (_, i) => ({ ap: base + 0.01 * (i + 1), as: 0.5 + i * 0.01, bp: base - 0.01 * i, bs: 0.75 + i * 0.01 }));
    return { ty, ...common, obu, tas: 8.55, tbs: 12.3, ...tail };
  }
}
