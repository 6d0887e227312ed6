// msgpack clients get every integer of SPEC §3 as a msgpack integer (int64 beyond 32 bits), never float64: in live
// records, in snapshot records and in control messages (`pong`), through a real gateway and worker thread.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Unpackr } from 'msgpackr';
import WebSocket from 'ws';
import { waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

/** 64-bit integers decode as BigInt, floats as numbers: what the wire held is visible */
const wire = new Unpackr({ useRecords: false, int64AsType: 'bigint' });
const INTEGER_KEYS = ['tms', 'rtms', 'ep', 'sq'];

/** a raw msgpack client that keeps every frame decoded by `wire` */
async function rawClient(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    assert.ok(isBinary, 'msgpack clients get binary frames');
    frames.push(wire.unpack(data) as Record<string, unknown>);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, frames };
}

/** an integer field as it came off the wire: a BigInt above 32 bits, an integer number below, never a fraction */
function assertWireInteger(frame: Record<string, unknown>, key: string): void {
  const v = frame[key];
  if (typeof v === 'bigint') return;
  assert.ok(typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 32, `${key} = ${String(v)} came as float64`);
}

describe('msgpack integers on the wire', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway({ exchanges: { feed: { url: feed.url, symbols: ['BTC/KRW'], channels: ['trade'] } } }, { pluginsDir: TEST_PLUGINS_DIR });
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
  });

  after(async () => {
    await gw?.kernel.close();
    await feed?.close();
  });

  it('sends tms, rtms, ep and sq of live and snapshot records as integers, int64 beyond 32 bits', async () => {
    const live = await rawClient(`${gw.ws}?format=msgpack&snapshot=false`);
    const ts = Date.now();
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 58_250_000, q: 0.5, ts, id: '1' }));
    await waitFor(() => live.frames.some((f) => f.ty === 'trade'), 10_000, 'a live trade');
    const record = live.frames.find((f) => f.ty === 'trade')!;
    for (const k of INTEGER_KEYS) assertWireInteger(record, k);
    assert.equal(record.tms, BigInt(ts), 'tms beyond 32 bits is int64');
    assert.equal(typeof record.rtms, 'bigint');
    assert.equal(typeof record.ep, 'bigint');
    assert.equal(record.tv, 0.5, 'fractions stay floats');

    const late = await rawClient(`${gw.ws}?format=msgpack`);
    await waitFor(() => late.frames.some((f) => f.st === 'SNAPSHOT'), 10_000, 'a snapshot record');
    const snap = late.frames.find((f) => f.st === 'SNAPSHOT')!;
    for (const k of INTEGER_KEYS) assertWireInteger(snap, k);
    assert.equal(snap.tms, BigInt(ts));
    live.ws.close();
    late.ws.close();
  });

  it('answers ping with a pong whose tms is int64', async () => {
    const c = await rawClient(`${gw.ws}?format=msgpack&snapshot=false`);
    c.ws.send(JSON.stringify({ method: 'ping' }));
    await waitFor(() => c.frames.some((f) => f.event === 'pong'), 10_000, 'pong');
    const pong = c.frames.find((f) => f.event === 'pong')!;
    assert.equal(typeof pong.tms, 'bigint');
    c.ws.close();
  });
});
