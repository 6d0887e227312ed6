// The OKX simulator speaks OKX's protocol: acks, errors, ping/pong, chained and checksummed books, limits, REST.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { okxChecksum } from '../../sdk/index.ts';
import { testConfig } from '../../sdk/testing/index.ts';
import plugin from './index.ts';
import sim from './sim.ts';
import type { OkxSimHandle } from './sim-protocol.ts';

type Msg = Record<string, unknown> | string;

/** A raw client of the simulator that keeps every frame. */
class Raw {
  readonly frames: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  closed: Promise<number>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const t = data.toString('utf8');
      const m: Msg = t.startsWith('{') ? (JSON.parse(t) as Record<string, unknown>) : t;
      this.frames.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
    this.closed = new Promise((r) => ws.on('close', (code) => r(code)));
  }
  static open(url: string): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new Raw(ws)));
      ws.once('error', reject);
    });
  }
  next(pred: (m: Msg) => boolean, timeoutMs = 10_000): Promise<Msg> {
    const have = this.frames.find(pred);
    if (have !== undefined) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  }
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }
  close(): void {
    this.ws.terminate();
  }
}

const isObj = (m: Msg): m is Record<string, unknown> => typeof m === 'object';
const onChannel = (channel: string, action?: string) => (m: Msg) =>
  isObj(m) && (m.arg as { channel?: string } | undefined)?.channel === channel && !m.event && (action === undefined || m.action === action);

describe('okx simulator', () => {
  let h: OkxSimHandle;
  before(async () => {
    h = await sim.start({ seed: 5, intervalMs: 40 });
  });
  after(async () => {
    await h.close();
  });

  it('acknowledges each subscribed arg, answers "ping" with "pong", and reports bad requests as error events', async () => {
    const c = await Raw.open(h.url);
    c.send({ op: 'subscribe', args: [{ channel: 'tickers', instId: 'BTC-USDT' }, { channel: 'trades', instId: 'BTC-USDT' }, { channel: 'tickers', instId: 'NOPE-USDT' }] });
    await c.next((m) => isObj(m) && m.event === 'subscribe' && (m.arg as { channel: string }).channel === 'trades');
    const err = (await c.next((m) => isObj(m) && m.event === 'error')) as Record<string, unknown>;
    assert.equal(err.code, '60018');
    assert.match(String(err.msg), /NOPE-USDT/);
    c.send('ping');
    await c.next((m) => m === 'pong');
    c.send('{"op":"subscribe"');
    await c.next((m) => isObj(m) && m.event === 'error' && m.code === '60012');
    c.send({ op: 'login', args: [] });
    const t = (await c.next(onChannel('tickers'))) as { data: Record<string, string>[] };
    assert.equal(t.data[0]!.instId, 'BTC-USDT');
    assert.match(t.data[0]!.last!, /^[0-9]+\.[0-9]$/);
    const tr = (await c.next(onChannel('trades'))) as { data: Record<string, string>[] };
    assert.ok(['buy', 'sell'].includes(tr.data[0]!.side!));
    c.close();
  });

  it('opens books with a 400-level snapshot, then updates chained by prevSeqId whose checksums verify', async () => {
    const c = await Raw.open(h.url);
    c.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'ETH-USDT' }] });
    const snap = (await c.next(onChannel('books', 'snapshot'))) as { data: { seqId: number; prevSeqId: number; checksum: number; bids: string[][]; asks: string[][] }[] };
    const bids = new Map(snap.data[0]!.bids.map((l) => [l[0]!, l[1]!]));
    const asks = new Map(snap.data[0]!.asks.map((l) => [l[0]!, l[1]!]));
    const cs = () => {
      const side = (m: Map<string, string>, desc: boolean) => [...m].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]))).slice(0, 25);
      return okxChecksum(side(bids, true), side(asks, false));
    };
    assert.equal(snap.data[0]!.prevSeqId, -1);
    assert.equal(cs(), snap.data[0]!.checksum);
    let seq = snap.data[0]!.seqId;
    let n = 0;
    while (n < 10) {
      const u = (await c.next((m) => onChannel('books', 'update')(m) && (m as { data: { prevSeqId: number }[] }).data[0]!.prevSeqId === seq)) as {
        data: { seqId: number; checksum: number; bids: string[][]; asks: string[][] }[];
      };
      const d = u.data[0]!;
      for (const [p, s] of d.bids) s === '0' ? bids.delete(p!) : bids.set(p!, s!);
      for (const [p, s] of d.asks) s === '0' ? asks.delete(p!) : asks.set(p!, s!);
      assert.equal(cs(), d.checksum, 'checksum of the book after the update');
      seq = d.seqId;
      n++;
    }
    h.corruptChecksum();
    const bad = (await c.next((m) => onChannel('books', 'update')(m) && (m as { data: { prevSeqId: number }[] }).data[0]!.prevSeqId >= seq)) as { data: { checksum: number }[] };
    assert.ok(bad.data[0]!.checksum !== 0);
    c.close();
  });

  it('serves the spot instrument list and order books over REST, and lists and delists markets at run time', async () => {
    const res = await fetch(`${h.restUrl}/api/v5/public/instruments?instType=SPOT`);
    const list = plugin.markets!.parse(await res.text());
    assert.ok(list.length >= 200, `${list.length} markets`);
    assert.ok(list.some((m) => m.symbol === 'BTC/USDT' && m.code === 'BTC-USDT'));
    h.listMarket('ZZZ/USDT');
    h.delistMarket('ETH/BTC');
    const after2 = plugin.markets!.parse(await (await fetch(plugin.markets!.url(testConfig('okx', { restUrl: h.restUrl })))).text());
    assert.ok(after2.some((m) => m.symbol === 'ZZZ/USDT'));
    assert.ok(!after2.some((m) => m.symbol === 'ETH/BTC'));
    const book = (await (await fetch(`${h.restUrl}/api/v5/market/books?instId=BTC-USDT&sz=400`)).json()) as { code: string; data: { seqId: number; bids: unknown[] }[] };
    assert.equal(book.code, '0');
    assert.ok(Number.isInteger(book.data[0]!.seqId) && book.data[0]!.bids.length > 25);
    assert.equal((await fetch(`${h.restUrl}/api/v5/market/books?instId=ETH-BTC`)).status, 400);
    assert.equal((await fetch(`${h.restUrl}/api/v5/public/instruments`)).status, 400);
  });

  it('refuses a fourth connection within a second, as OKX limits connections per IP', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // a fresh one-second window: earlier tests connected (no event to await)
    const from = h.upgrades().length;
    const open = await Promise.allSettled([0, 1, 2, 3, 4].map(() => Raw.open(h.url)));
    for (const r of open) if (r.status === 'fulfilled') r.value.close();
    const tries = h.upgrades().slice(from);
    assert.equal(tries.length, 5);
    // at most three accepted in any one second, however slowly a loaded machine spread the attempts
    const accepted = tries.filter((u) => u.status === 101).map((u) => u.atMs);
    for (let i = 3; i < accepted.length; i++) assert.ok(accepted[i]! - accepted[i - 3]! >= 1000, 'four accepted within a second');
    if (tries[4]!.atMs - tries[0]!.atMs < 1000) assert.equal(tries.filter((u) => u.status === 429).length, 2);
  });
});

describe('okx simulator idle timeout', () => {
  it('closes a connection that sent nothing for the idle time, and keeps one that sends "ping"', async () => {
    const h = await sim.start({ seed: 2, intervalMs: 50, idleTimeoutMs: 600 });
    try {
      const quiet = await Raw.open(h.url);
      const pinging = await Raw.open(h.url);
      const timer = setInterval(() => pinging.send('ping'), 150);
      await quiet.closed;
      assert.equal(pinging.ws.readyState, WebSocket.OPEN);
      clearInterval(timer);
      pinging.close();
    } finally {
      await h.close();
    }
  });
});
