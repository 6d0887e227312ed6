// Recording from the simulators, then replaying: the converter gives the records clients received live, twice the same.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { assertSequences, isRecord } from '../support/streams.ts';
import { expectedCandles } from '../derived/expected-candles.ts';
import { parts, recordingGateway, runCli, tempDir } from './helpers.ts';

const id = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}|${f.ep}|${f.sq}`;

describe('recording the simulators and converting the recording', () => {
  const dir = tempDir('rec-');
  const out = tempDir('rec-out-');
  let live: Frame[] = [];
  let metrics = '';

  before(async () => {
    const run = await recordingGateway(dir);
    try {
      const client = await TestClient.connect(`${run.gw.ws}?snapshot=false`);
      const want = ['binance', 'upbit', 'bithumb'].flatMap((ex) => ['ticker', 'trade', 'orderbook'].map((ty) => `${ex}|${ty}`));
      await waitFor(() => want.every((k) => client.frames.some((f) => `${f.ex}|${f.ty}` === k)), 20_000, 'every exchange and type');
      await client.collect(isRecord, client.frames.length + 300, 20_000);
      await client.close();
      live = client.frames.filter(isRecord);
      metrics = await (await fetch(`${run.gw.http}/metrics`)).text();
    } finally {
      await run.close();
    }
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('writes one gzip JSONL part per exchange, headed by the exchange and its plugin config', () => {
    const found = parts(dir);
    assert.deepEqual(Object.keys(found).sort(), ['binance', 'bithumb', 'upbit']);
    for (const [ex, files] of Object.entries(found)) {
      assert.equal(files.length, 1, `${ex}: ${files}`);
      const lines = gunzipSync(readFileSync(join(dir, ex, files[0]!))).toString().trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines[0].exchange, ex);
      assert.equal(lines[0].config.id, ex);
      assert.ok(lines[0].config.symbols.length > 0);
      assert.equal(lines[0].recording.part, 1);
      assert.ok(lines.some((l) => 'open' in l) && lines.some((l) => 'begin' in l));
      assert.ok(lines.filter((l) => 'frame' in l).length > 20);
      if (ex === 'binance') assert.ok(lines.some((l) => 'response' in l && l.response.tag.startsWith('depth')), 'REST answers recorded');
    }
    assert.match(metrics, /gateway_record_lines_total\{exchange="upbit"\} [1-9]/);
    assert.match(metrics, /gateway_record_dropped_total\{exchange="upbit"\} 0/);
  });

  it('converts the directory into exactly the records the client received live (rtms and ep included)', async () => {
    const file = join(out, 'all.jsonl');
    const r = await runCli('main.ts', ['--from', dir, '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\d+ frames → \d+ records .* frames\/s/);
    const replayed = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Frame);
    assertSequences(replayed, 'start');
    const byId = new Map(replayed.map((f) => [id(f), f]));
    for (const f of live) assert.deepEqual(byId.get(id(f)), f, `live record ${id(f)}`);
    assert.ok(live.length >= 300, `${live.length} live records`);
    // merged in time order across exchanges
    for (let i = 1; i < replayed.length; i++) assert.ok((replayed[i]!.rtms as number) >= (replayed[i - 1]!.rtms as number) - 50);
    assert.deepEqual(new Set(replayed.map((f) => f.ex)), new Set(['binance', 'upbit', 'bithumb']));
  });

  it('gives byte-identical output on a second run, in one thread or on the pool', async () => {
    const a = await runCli('main.ts', ['--from', dir, '--out', join(out, 'a.jsonl')]);
    const b = await runCli('main.ts', ['--from', dir, '--out', join(out, 'b.jsonl'), '--threads', '2']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /2 threads/);
    assert.ok(readFileSync(join(out, 'a.jsonl')).equals(readFileSync(join(out, 'b.jsonl'))));
  });

  it('selects one exchange and a time range by rtms, writing to stdout', async () => {
    const upbit = live.filter((f) => f.ex === 'upbit');
    const from = upbit[Math.floor(upbit.length / 3)]!.rtms as number;
    const to = upbit[Math.floor((2 * upbit.length) / 3)]!.rtms as number;
    const r = await runCli('main.ts', ['--from', dir, '--exchange', 'upbit', '--start', String(from), '--end', new Date(to).toISOString(), '--out', '-']);
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Frame);
    assert.ok(got.length > 0);
    assert.ok(got.every((f) => f.ex === 'upbit' && (f.rtms as number) >= from && (f.rtms as number) <= to));
    const inRange = upbit.filter((f) => (f.rtms as number) >= from && (f.rtms as number) <= to);
    const ids = new Set(got.map(id));
    for (const f of inRange) assert.ok(ids.has(id(f)), `missing ${id(f)}`);
  });

  it('computes the derived records of --config from the converted stream, like live and the same every run', async () => {
    const config = join(out, 'derived.yaml');
    writeFileSync(
      config,
      [
        'exchanges:',
        '  binance: { symbols: [BTC/USDT, ETH/USDT] }',
        '  upbit: { symbols: [BTC/KRW, ETH/KRW] }',
        '  bithumb: { api: v1, symbols: [BTC/KRW] }',
        'derived:',
        '  premium: [{ exchange: bithumb, reference: upbit }]',
        '  candles: { intervals: [1s] }',
      ].join('\n'),
    );
    const a = await runCli('main.ts', ['--from', dir, '--config', config, '--out', join(out, 'derived-a.jsonl')]);
    const b = await runCli('main.ts', ['--from', dir, '--config', config, '--out', join(out, 'derived-b.jsonl'), '--threads', '2']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(readFileSync(join(out, 'derived-a.jsonl')).equals(readFileSync(join(out, 'derived-b.jsonl'))), 'deterministic');
    const lines = readFileSync(join(out, 'derived-a.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Frame);
    // the exchange records are those of the conversion without --config, in the same order
    const p = await runCli('main.ts', ['--from', dir, '--out', join(out, 'plain.jsonl')]);
    assert.equal(p.code, 0, p.stderr);
    const plain = readFileSync(join(out, 'plain.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.filter((f) => f.ty !== 'premium' && f.ty !== 'candle').map((f) => JSON.stringify(f)), plain);
    // premium of the same-quote pair: the ratio of the latest tickers before it
    const latest = new Map<string, Frame>();
    let premiums = 0;
    for (const f of lines) {
      if (f.ty === 'ticker') latest.set(`${f.ex}|${f.cd}`, f);
      if (f.ty !== 'premium') continue;
      premiums++;
      assert.equal(f.ex, 'bithumb');
      assert.equal(f.rex, 'upbit');
      assert.equal(f.tp, latest.get(`bithumb|${f.cd}`)!.tp);
      assert.equal(f.rtp, latest.get(`upbit|${f.rcd}`)!.tp);
      assert.equal(f.pu, (f.tp as number) / (f.rtp as number) - 1);
    }
    assert.ok(premiums > 0, 'premium records');
    // closed 1 s candles against the trades, computed here
    const trades = lines.filter((f) => f.ty === 'trade' && f.ex === 'upbit' && f.cd === 'BTC/KRW');
    const want = expectedCandles(trades.map((t) => ({ p: t.tp as number, q: t.tv as number, ts: t.tms as number })), 1000);
    const closed = lines.filter((f) => f.ty === 'candle' && f.ex === 'upbit' && f.cd === 'BTC/KRW' && f.cl === true);
    assert.ok(closed.length >= 2, `${closed.length} closed candles`);
    for (const c of closed) {
      const w = want.find((x) => x.tms === c.tms);
      assert.ok(w, `a candle at ${c.tms} has trades`);
      assert.deepEqual({ op: c.op, hp: c.hp, lp: c.lp, tp: c.tp, catv: c.catv, catp: c.catp }, { op: w.op, hp: w.hp, lp: w.lp, tp: w.tp, catv: w.catv, catp: w.catp });
    }
  });

  it('refuses bad arguments with a coded error', async () => {
    const r = await runCli('main.ts', ['--from', dir, '--speed', 'fast', '--out', '-']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /REPLAY_ARGS: --speed/);
    const missing = await runCli('main.ts', ['--from', join(dir, 'nope'), '--out', '-']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /REPLAY_INPUT/);
  });
});

describe('recording across make-before-break rollovers', () => {
  it('replays each switch of connection exactly as the live feed made it', async () => {
    const dir = tempDir('roll-');
    const out = tempDir('roll-out-');
    // a connection replaced every 2.5 s: each switch holds the replacement's records, then hands over
    const run = await recordingGateway(dir, {}, 13, { maxConnectionAgeMs: 2500 });
    let live: Frame[];
    try {
      const c = await TestClient.connect(`${run.gw.ws}?exchange=upbit&snapshot=false`);
      await waitFor(() => new Set(c.frames.filter(isRecord).map((f) => f.ep)).size >= 3, 30_000, 'three upbit epochs');
      await c.close();
      live = c.frames.filter(isRecord);
    } finally {
      await run.close();
    }
    try {
      const r = await runCli('main.ts', ['--from', dir, '--exchange', 'upbit', '--out', join(out, 'upbit.jsonl')]);
      assert.equal(r.code, 0, r.stderr);
      const replayed = readFileSync(join(out, 'upbit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Frame);
      assertSequences(replayed, 'start');
      const byId = new Map(replayed.map((f) => [id(f), f]));
      for (const f of live) assert.deepEqual(byId.get(id(f)), f, `live record ${id(f)}`);
      const first = replayed.findIndex((f) => id(f) === id(live[0]!));
      const last = replayed.findIndex((f) => id(f) === id(live[live.length - 1]!));
      assert.deepEqual(replayed.slice(first, last + 1).map(id), live.map(id), 'the same records in the same order, none more');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});

