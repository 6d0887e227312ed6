// One exchange connection (worker/link.ts) against a real local WebSocket server: stall detection rests on the
// keep-alive (a silent exchange that answers pings stays; one that answers nothing is cut), and frames and REST
// requests leave no faster than the exchange's limits allow.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionPlan, Mapper } from '../../sdk/plugin.ts';
import { Link } from '../../worker/link.ts';
import type { LinkClose, LinkEvents, LinkOptions } from '../../worker/link.ts';
import { RateLimiter } from '../../worker/rate-limiter.ts';
import { waitFor } from '../support/client.ts';
import { startWsExchange } from '../support/ws-exchange.ts';
import type { WsExchange } from '../support/ws-exchange.ts';

/** a link to `url` with its events collected */
function open(url: string, opts: Partial<LinkOptions> & { subscribe?: string[]; mapper?: () => Mapper } = {}) {
  const seen = { opened: 0, closedAt: 0, closed: [] as LinkClose[], counts: {} as Record<string, number>, logs: [] as string[] };
  const plan: ConnectionPlan = {
    name: 'main',
    url,
    subscribe: opts.subscribe ?? [],
    createMapper: opts.mapper ?? (() => ({ onMessage() {} })),
  };
  const events: LinkEvents = {
    opened: () => void seen.opened++,
    draft: () => {},
    rollover: () => {},
    invalidate: () => {},
    closed: (_link, info) => {
      seen.closedAt = Date.now();
      seen.closed.push(info);
    },
    count: (code) => void (seen.counts[code] = (seen.counts[code] ?? 0) + 1),
    log: (_level, msg) => void seen.logs.push(msg),
  };
  const link = new Link(plan, { stallTimeoutMs: opts.stallTimeoutMs ?? 20_000, sendsPerSecond: opts.sendsPerSecond, requestLimit: opts.requestLimit }, events);
  link.start();
  return { link, seen };
}

describe('exchange link', () => {
  const servers: WsExchange[] = [];
  const links: Link[] = [];
  after(async () => {
    await Promise.all(links.map((l) => l.close()));
    await Promise.all(servers.map((s) => s.close()));
  });
  const server = async (opts?: { autoPong?: boolean }) => {
    const s = await startWsExchange(opts);
    servers.push(s);
    return s;
  };

  it('cuts a connection that answers nothing, not even pings, after the stall timeout, and says it stalled', async () => {
    const ex = await server({ autoPong: false });
    const pings: number[] = [];
    ex.onConnection((_n, ws) => ws.on('ping', () => pings.push(Date.now())));
    const { link, seen } = open(ex.url, { stallTimeoutMs: 400 });
    links.push(link);
    await waitFor(() => seen.closed.length === 1, 10_000, 'stall');
    const lived = seen.closedAt - link.openedAt;
    assert.ok(lived >= 400, `cut after ${lived} ms, before the stall timeout`);
    assert.equal(seen.closed[0]!.stalled, true);
    assert.equal(seen.closed[0]!.wasOpen, true);
    assert.equal(seen.counts.STALL, 1);
    assert.ok(pings.length >= 1, 'it probed with a ping before giving up');
  });

  it('keeps a quiet connection whose exchange answers pings: liveness is the keep-alive, not the market', async () => {
    const ex = await server();
    const { link, seen } = open(ex.url, { stallTimeoutMs: 1000 });
    links.push(link);
    await waitFor(() => seen.opened === 1, 10_000, 'open');
    // the absence of a stall is what is tested: three stall periods of market silence (a ping at half of each)
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(seen.closed, []);
    assert.equal(seen.counts.STALL, undefined);
    assert.ok(link.isOpen);
  });

  it('sends its subscription frames in order, no faster than sendsPerSecond', async () => {
    const ex = await server();
    const frames = Array.from({ length: 12 }, (_, i) => `{"sub":${i}}`);
    const { link } = open(ex.url, { subscribe: frames, sendsPerSecond: 5 });
    links.push(link);
    await waitFor(() => ex.received.length === 12, 15_000, 'twelve frames');
    assert.deepEqual(ex.received.map((r) => r.text), frames);
    const first = ex.received[0]!.at;
    // 5 at once, 5 a second later, 2 a second after that
    assert.ok(ex.received.filter((r) => r.at < first + 500).length <= 5, 'more than 5 frames in the first half second');
    const span = ex.received[11]!.at - first;
    assert.ok(span >= 1800, `12 frames at 5/s took only ${span} ms`);
  });

  it('paces the mapper\'s REST requests by the exchange\'s request limit and answers each to its tag', async () => {
    const ex = await server();
    const hits: { at: number; path: string }[] = [];
    const rest = createServer((req, res) => {
      hits.push({ at: Date.now(), path: req.url ?? '' });
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((r) => rest.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(rest.address() as AddressInfo).port}`;
    const answers: string[] = [];
    const { link } = open(ex.url, {
      requestLimit: new RateLimiter([{ count: 2, windowMs: 1000 }]),
      mapper: () => ({
        onMessage(_text, _rtms, out) {
          for (let i = 0; i < 5; i++) out.request(`snap-${i}`, `${base}/depth/${i}`);
        },
        onResponse(tag, res) {
          answers.push(`${tag} ${res.status} ${JSON.parse(res.body).path}`);
        },
      }),
    });
    links.push(link);
    await waitFor(() => ex.sockets.size === 1, 10_000, 'open');
    ex.broadcast('go');
    await waitFor(() => answers.length === 5, 15_000, 'five answers');
    rest.close();
    assert.deepEqual([...answers].sort(), [0, 1, 2, 3, 4].map((i) => `snap-${i} 200 /depth/${i}`));
    hits.sort((a, b) => a.at - b.at);
    // two per second: requests 3-4 a window after 1-2, request 5 a window after 3-4 (less what a loaded machine
    // may add to the first requests, which also open the HTTP connections)
    assert.ok(hits[2]!.at - hits[0]!.at >= 600, `third request ${hits[2]!.at - hits[0]!.at} ms after the first`);
    assert.ok(hits[4]!.at - hits[2]!.at >= 600, `fifth request ${hits[4]!.at - hits[2]!.at} ms after the third`);
  });
});
