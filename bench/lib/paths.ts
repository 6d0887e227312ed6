// The ways a frame can become an encoded record, each as a function over a list of frames:
// the gateway's own worker path, and the baselines it is measured against.

import { pack } from 'msgpackr';
import { normalizeBookChanges, normalizeTrades } from 'tardis-dev';
import { BatchBuilder } from '../../boundary/batch.ts';
import { RecentRecords } from '../../worker/dedupe.ts';
import { RecordPipeline } from '../../worker/pipeline.ts';
import type { ExchangePlugin, Mapper, Output, PluginConfig } from '../../sdk/plugin.ts';
import { loadPlugin } from '../../plugins/registry.ts';
import type { FrameSet } from './frames.ts';
import { MessageChannel } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { frameLine } from '../../sdk/fixture/format.ts';

/** ns per frame to gzip the frames' recording lines as one stream (zlib level 6, as the recorder's gzip stream) */
export function gzipCost(frames: readonly string[]): number {
  const text = frames.map((f, i) => frameLine(1, RTMS + i, f)).join('');
  gzipSync(text);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    gzipSync(text);
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / frames.length;
}

/** Processes every frame once; returns something derived from the output so nothing can be optimized away. */
export type Path = (frames: readonly string[]) => number;

/** frames handled per event-loop turn in the worker model: each turn's records become one batch */
export const FRAMES_PER_TURN = 32;
const RTMS = Date.UTC(2025, 0, 15, 3, 0, 1);
const EP = RTMS - 1000;

export async function pluginFor(set: FrameSet): Promise<ExchangePlugin> {
  return loadPlugin(set.plugin);
}

export function pluginConfig(set: FrameSet, depth: number): PluginConfig {
  return {
    id: set.plugin,
    url: 'ws://127.0.0.1:9',
    restUrl: 'http://127.0.0.1:9',
    symbols: set.symbols,
    channels: ['ticker', 'trade', 'orderbook'],
    depth,
    options: set.options,
  };
}

/**
 * What a worker does with each frame (worker/link.ts → feed.ts → exchange.ts): the plugin's mapper, the epoch's
 * RecordPipeline, msgpack encoding into the turn's batch; with `dedupe`, also the feed's de-duplication across
 * connection switches (worker/dedupe.ts) between mapper and pipeline. Each pass is a fresh connection epoch (new
 * mapper, pipeline and dedupe state); REST snapshots are answered at once.
 */
/**
 * `record`: also what recording costs. `post` = the exchange worker's share (worker/recorder/client.ts: each frame's
 * text and numbers appended, each turn's texts joined and posted on a real MessagePort); `all` = that plus the recorder thread's work
 * (worker/recorder/recorder.ts: each frame escaped into a line, the turn's lines joined), in this thread; compression is
 * measured apart (gzipCost), as one stream compresses.
 */
export function gatewayPath(plugin: ExchangePlugin, set: FrameSet, depth: number, dedupe = false, record?: 'post' | 'all'): Path {
  // the recorder thread's end: a real port; its messages are read (and dropped) when the benchmark yields
  const channel = record ? new MessageChannel() : undefined;
  channel?.port2.on('message', () => {});
  channel?.port1.unref();
  channel?.port2.unref();
  const config = pluginConfig(set, depth);
  const plan = plugin.connections(config)[0]!;
  return (frames) => {
    const mapper = plan.createMapper();
    const recent = new RecentRecords();
    const pipeline = new RecordPipeline(EP, depth);
    const builder = new BatchBuilder();
    const requests: { tag: string; url: string }[] = [];
    let rtms = RTMS;
    let records = 0;
    let bytes = 0;
    let texts: string[] = [];
    let meta: number[] = [];
    const out: Output = {
      emit(draft) {
        if (dedupe && recent.isRepeat(draft, 1)) return;
        const r = pipeline.accept(draft, rtms);
        if (!r) return;
        builder.addRecord(r.key, r.record);
      },
      request: (tag, url) => requests.push({ tag, url }),
      send() {},
      rollover() {},
    };
    for (let i = 0; i < frames.length; i++) {
      rtms = RTMS + i;
      if (record) {
        texts.push(frames[i]!);
        meta.push(0, 1, rtms, frames[i]!.length);
      }
      try {
        mapper.onMessage(frames[i]!, rtms, out);
      } catch (err) {
        throw new Error(`${set.kind} frame ${i} failed: ${(err as Error).message}`);
      }
      if (requests.length) answer(mapper, requests, set, rtms, out);
      if (i % FRAMES_PER_TURN === FRAMES_PER_TURN - 1 && record) {
        const m = Float64Array.from(meta);
        const joined = texts.join('');
        channel!.port1.postMessage({ t: 'items', texts: joined, meta: m, others: [], bytes: 0 }, [m.buffer as ArrayBuffer]);
        if (record === 'all') {
          const lines: string[] = [];
          for (let k = 0, at = 0; k < meta.length; k += 4) {
            lines.push(frameLine(1, meta[k + 2]!, joined.slice(at, at + meta[k + 3]!)));
            at += meta[k + 3]!;
          }
          bytes += lines.join('').length;
        }
        bytes += joined.length;
        texts = [];
        meta = [];
      }
      if (i % FRAMES_PER_TURN === FRAMES_PER_TURN - 1 && builder.length) {
        const b = builder.take();
        records += b.keys.length;
        bytes += b.buf.length;
      }
    }
    const b = builder.take();
    return records + b.keys.length + bytes + b.buf.length;
  };
}

function answer(mapper: Mapper, requests: { tag: string; url: string }[], set: FrameSet, rtms: number, out: Output): void {
  for (const { tag, url } of requests.splice(0)) {
    const body = [...(set.responses ?? [])].find(([k]) => url.includes(k))?.[1];
    if (body === undefined) throw new Error(`${set.kind}: no stored answer for ${url}`);
    mapper.onResponse?.(tag, { status: 200, body }, rtms, out);
  }
}

/** Counts records a path produced for a set, to report records per frame. */
export function countRecords(plugin: ExchangePlugin, set: FrameSet, depth: number): number {
  let n = 0;
  const config = pluginConfig(set, depth);
  const mapper = plugin.connections(config)[0]!.createMapper();
  const pipeline = new RecordPipeline(EP, depth);
  const requests: { tag: string; url: string }[] = [];
  const out: Output = {
    emit(draft) {
      if (pipeline.accept(draft, RTMS)) n++;
    },
    request: (tag, url) => requests.push({ tag, url }),
    send() {},
    rollover() {},
  };
  for (const f of set.frames) {
    mapper.onMessage(f, RTMS, out);
    if (requests.length) answer(mapper, requests, set, RTMS, out);
  }
  return n;
}

/** Baseline: JSON.parse alone. */
export const jsonParsePath: Path = (frames) => {
  let n = 0;
  for (let i = 0; i < frames.length; i++) if (JSON.parse(frames[i]!) !== null) n++;
  return n;
};

type Obj = Record<string, any>;
const num = Number;

/** Baseline: JSON.parse, then a plain object with the output fields (no validation), packed by msgpackr's default `pack`. */
export function naivePath(set: FrameSet): Path {
  const cds = new Map<string, string>();
  for (const s of set.symbols) {
    const [b, q] = s.split('/');
    cds.set(`${b}${q}`, s).set(`${q}-${b}`, s).set(`${b}_${q}`, s);
  }
  const ex = set.plugin;
  let sq = 0;
  const head = (ty: string, mc: string, tms: number) => ({ ty, ex, cd: cds.get(mc), mc, tms });
  const tail = { rtms: RTMS, ep: EP };
  const make: (m: Obj) => Obj[] = (() => {
    switch (set.kind) {
      case 'binance trade':
        return ({ data: d }: Obj) => [{ ...head('trade', d.s, d.T), tp: num(d.p), tv: num(d.q), ab: d.m ? 'ASK' : 'BID', sid: String(d.t) }];
      case 'binance ticker':
        return ({ data: d }: Obj) => [
          { ...head('ticker', d.s, d.E), tp: num(d.c), op: num(d.o), hp: num(d.h), lp: num(d.l), pcp: num(d.x), scp: num(d.p), scr: num(d.P) / 100, atv24h: num(d.v), atp24h: num(d.q) },
        ];
      case 'binance depth diff':
        return ({ data: d }: Obj) => [{ ...head('orderbook', d.s, d.E), bids: d.b.map((l: string[]) => [num(l[0]), num(l[1])]), asks: d.a.map((l: string[]) => [num(l[0]), num(l[1])]) }];
      case 'bithumb legacy transaction':
        return ({ content: c }: Obj) =>
          c.list.map((t: Obj) => ({ ...head('trade', t.symbol, Date.parse(t.contDtm.replace(' ', 'T') + '+09:00')), tp: num(t.contPrice), tv: num(t.contQty), ab: t.buySellGb === '1' ? 'ASK' : 'BID' }));
      case 'bithumb legacy ticker':
        return ({ content: c }: Obj) => [
          { ...head('ticker', c.symbol, 0), tp: num(c.closePrice), op: num(c.openPrice), hp: num(c.highPrice), lp: num(c.lowPrice), pcp: num(c.prevClosePrice), scp: num(c.chgAmt), scr: num(c.chgRate) / 100, atv24h: num(c.volume), atp24h: num(c.value) },
        ];
      case 'bithumb legacy orderbookdepth':
        return ({ content: c }: Obj) => [{ ...head('orderbook', c.list[0].symbol, Math.floor(num(c.datetime) / 1000)), levels: c.list.map((l: Obj) => [l.orderType === 'bid', num(l.price), num(l.quantity)]) }];
    }
    // Upbit-format SIMPLE frames (Upbit, Bithumb v1)
    if (set.ty === 'trade') return (m: Obj) => [{ ...head('trade', m.cd, num(m.ttms)), tp: m.tp, tv: m.tv, ab: m.ab, sid: String(m.sid) }];
    if (set.ty === 'ticker') {
      return (m: Obj) => [{ ...head('ticker', m.cd, num(m.tms)), tp: m.tp, op: m.op, hp: m.hp, lp: m.lp, pcp: m.pcp, scp: m.scp, scr: m.scr, atv24h: m.atv24h, atp24h: m.atp24h }];
    }
    return (m: Obj) => {
      let tas = 0;
      let tbs = 0;
      const obu = m.obu.map((u: Obj) => {
        tas += u.as;
        tbs += u.bs;
        return { ap: u.ap, as: u.as, bp: u.bp, bs: u.bs };
      });
      return [{ ...head('orderbook', m.cd.replace(/\.\d+$/, ''), num(m.tms)), obu, tas, tbs }];
    };
  })();
  return (frames) => {
    let bytes = 0;
    for (let i = 0; i < frames.length; i++) {
      for (const r of make(JSON.parse(frames[i]!))) bytes += pack({ ...r, ...tail, sq: ++sq }).length;
    }
    return bytes;
  };
}

/** The frame kinds tardis-dev's normalizers read, and the frames they read (Upbit: DEFAULT format only). */
export function tardisSupports(set: FrameSet): boolean {
  return ['binance trade', 'binance depth diff', 'upbit trade', 'upbit orderbook 15'].includes(set.kind) || /^upbit orderbook \d+$/.test(set.kind);
}

/** the frames the tardis path and its twin gateway run read: Upbit DEFAULT, the others as they come */
export function tardisFrames(set: FrameSet): string[] {
  return set.plugin === 'upbit' ? set.defaultFrames! : set.frames;
}

/**
 * Peer baseline: tardis-dev's own normalizers (`normalizeTrades` / `normalizeBookChanges`) on the parsed message,
 * with a `localTimestamp` Date per message as its real-time feeds make, then the same msgpackr `pack` of an object
 * with the output fields. Binance books get the depth snapshot first, as tardis's feed injects it.
 */
export function tardisPath(set: FrameSet): Path {
  const isBook = set.ty === 'orderbook';
  const exchange = set.plugin as 'binance' | 'upbit';
  const snapshots: Obj[] = [];
  if (isBook && exchange === 'binance') {
    for (const [key, body] of set.responses ?? []) {
      const code = key.slice('symbol='.length).toLowerCase();
      snapshots.push({ stream: `${code}@depthSnapshot`, generated: true, data: JSON.parse(body) });
    }
  }
  let sq = 0;
  return (frames) => {
    const start = new Date(RTMS);
    const mapper = isBook ? normalizeBookChanges(exchange, start) : normalizeTrades(exchange, start);
    // tardis mutates the snapshot it is given: hand it a fresh copy each pass
    for (const s of snapshots) for (const _ of mapper.map(structuredClone(s), start) ?? []) void _;
    let bytes = 0;
    for (let i = 0; i < frames.length; i++) {
      const msg = JSON.parse(frames[i]!);
      const local = new Date(RTMS + i);
      if (!mapper.canHandle(msg)) continue;
      for (const r of mapper.map(msg, local) ?? []) {
        const o: Obj =
          r.type === 'trade'
            ? { ty: 'trade', ex: r.exchange, cd: r.symbol, mc: r.symbol, tms: r.timestamp.valueOf(), tp: r.price, tv: r.amount, ab: r.side === 'sell' ? 'ASK' : 'BID', sid: r.id }
            : { ty: 'orderbook', ex: r.exchange, cd: r.symbol, mc: r.symbol, tms: r.timestamp.valueOf(), bids: r.bids, asks: r.asks };
        o.rtms = local.valueOf();
        o.ep = EP;
        o.sq = ++sq;
        bytes += pack(o).length;
      }
    }
    return bytes;
  };
}
