// Fuzzing: hostile control frames (random and mutated JSON and msgpack, deep nesting, huge arrays, invalid UTF-8)
// and hostile HTTP requests. The gateway must not crash, a witness client must keep receiving every record, and
// every bad input must be counted in metrics. The seed is printed; FUZZ_SEED=<n> replays a run.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';
import { createRng } from '../../sim/prng.ts';
import { encode } from '../../boundary/codec.ts';
import { controlInput, httpInput } from './fuzz-inputs.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_007);
const CONTROL_INPUTS = Number(process.env.FUZZ_CONTROL ?? 600);
const HTTP_INPUTS = Number(process.env.FUZZ_HTTP ?? 300);

/** sum of one metric family's samples, optionally only those whose labels match */
function total(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.end(text));
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
  });
}

function httpCall(port: number, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe(`fuzzing the client protocol and the HTTP API (seed ${SEED})`, () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let witness: TestClient;
  let pushed = 0;

  const push = () => feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 1000 + ++pushed, q: 1, ts: Date.now() }));

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway(
      {
        // the rate limit has its own test; here every hostile frame must reach the parser
        limits: { controlPerSecond: 1e6, controlBurst: 1e6, connectionsPerIp: 1000 },
        exchanges: { feed: { url: feed.url, symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } } },
      },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
    witness = await TestClient.connect(`${gw.ws}?symbol=BTC/KRW&snapshot=false`);
  });

  after(async () => {
    await witness?.close();
    await gw?.kernel.close();
    await feed?.close();
  });

  it('answers every hostile control frame with an error or a close, counts each, and never disturbs another client', async (t) => {
    t.diagnostic(`FUZZ_SEED=${SEED}`);
    const rng = createRng(SEED);
    const before = gw.kernel.metrics.render();
    let errors = 0;
    let cuts = 0;
    let conn: { c: TestClient; format: 'json' | 'msgpack' } | undefined;
    let marker = 0;
    for (let i = 0; i < CONTROL_INPUTS; i++) {
      if (!conn || conn.c.closeCode !== undefined) {
        const format = rng.chance(0.5) ? 'json' : 'msgpack';
        conn = { c: await TestClient.connect(`${gw.ws}?format=${format}&snapshot=false`), format };
      }
      const { c } = conn;
      const input = controlInput(rng);
      const from = c.frames.length;
      if ('text' in input) c.ws.send(input.text);
      else if ('binary' in input) c.ws.send(input.binary, { binary: true });
      else c.ws.send(input.invalidUtf8, { binary: false });
      // a ping after it: its pong proves the frame was handled (answers keep their order); a cut ends the wait
      const id = `m${++marker}`;
      c.ws.send(conn.format === 'json' ? JSON.stringify({ method: 'ping', id }) : encode({ method: 'ping', id }), { binary: conn.format === 'msgpack' });
      await Promise.race([c.next((f: Frame) => f.event === 'pong' && f.id === id, 20_000, from), c.closed()]);
      errors += c.frames.slice(from).filter((f) => f.event === 'error').length;
      if (c.closeCode !== undefined) {
        assert.ok([1007, 1009].includes(c.closeCode), `close code ${c.closeCode} (${c.closeReason}) for input ${JSON.stringify(input).slice(0, 200)}`);
        cuts++;
      }
      if (i % 25 === 0) push();
    }
    await conn?.c.close();
    push();
    const after = gw.kernel.metrics.render();
    t.diagnostic(`${CONTROL_INPUTS} frames: ${errors} error answers, ${cuts} connections cut`);
    assert.ok(errors > CONTROL_INPUTS / 3, 'most hostile frames are answered with an error');
    assert.equal(total(after, 'gateway_client_errors_total') - total(before, 'gateway_client_errors_total'), errors, 'every error answer is counted');
    assert.equal(total(after, 'gateway_client_errors_total', 'code="INTERNAL"'), 0, 'no input reaches an internal error');
    assert.equal(total(after, 'gateway_client_protocol_errors_total') - total(before, 'gateway_client_protocol_errors_total'), cuts, 'every cut connection is counted');
    // the witness got every record, in order, and nothing else
    const got = await witness.collect((f) => f.ty === 'trade', pushed, 30_000);
    const sq = got.map((f) => f.sq as number);
    for (let k = 1; k < sq.length; k++) assert.equal(sq[k], sq[k - 1]! + 1);
    assert.equal(witness.closeCode, undefined);
    assert.ok(!witness.frames.some((f) => f.event === 'error'));
  });

  it('answers every hostile HTTP request without a 5xx, counts each answer, and keeps serving the stream', async (t) => {
    const rng = createRng(SEED ^ 0x5eed);
    const port = gw.kernel.port;
    const before = gw.kernel.metrics.render();
    const statuses = new Map<number, number>();
    for (let i = 0; i < HTTP_INPUTS; i++) {
      const req = httpInput(rng);
      const status = await httpCall(port, req.method, req.path, req.body);
      assert.ok(status < 500, `${req.method} ${req.path.slice(0, 200)} answered ${status}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    // what the HTTP parser refuses before routing
    const raw = ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(100_000) + '\r\n\r\n', 'GET /health HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 'GET /\x00 HTTP/1.1\r\n\r\n'];
    for (const r of raw) assert.match(await rawHttp(port, r), /^HTTP\/1\.1 4\d\d /);
    const after = gw.kernel.metrics.render();
    t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // a request line over the parser's header limit (a huge query) is answered 431 by the parser, before routing
    const parserRefused = statuses.get(431) ?? 0;
    assert.equal(total(after, 'gateway_http_responses_total') - total(before, 'gateway_http_responses_total'), HTTP_INPUTS - parserRefused, 'every answer is counted');
    const bad = [...statuses].filter(([s]) => s >= 400 && s !== 431).reduce((a, [, n]) => a + n, 0);
    let badCounted = 0;
    for (const line of after.split('\n')) {
      const m = /^gateway_http_responses_total\{code="(4\d\d)"\} (\d+)$/.exec(line);
      if (m) badCounted += Number(m[2]) - total(before, 'gateway_http_responses_total', `code="${m[1]}"`);
    }
    assert.equal(badCounted, bad, 'every refused request is counted by its status');
    assert.equal(total(after, 'gateway_http_protocol_errors_total') - total(before, 'gateway_http_protocol_errors_total'), raw.length + parserRefused);
    assert.equal(total(after, 'gateway_http_errors_total'), 0);
    push();
    await witness.collect((f) => f.ty === 'trade', pushed, 30_000);
    assert.equal((await fetch(`${gw.http}/health`)).status, 200);
  });
});
