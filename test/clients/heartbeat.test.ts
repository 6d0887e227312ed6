// The TypeScript SDK's heartbeat against a server that goes quiet: the client pings a silent connection, drops it
// (close code 4000) when nothing follows the ping in time, and reconnects; a server that answers keeps it open.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { GatewayClient } from '../../clients/typescript/src/index.ts';
import { waitFor } from '../support/client.ts';

async function quietServer(answer: boolean) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  const pings: number[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data) => {
      if (JSON.parse(String(data)).method !== 'ping') return;
      pings.push(Date.now());
      if (answer) ws.send(JSON.stringify({ event: 'pong' }));
    });
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/ws/exchange`, sockets, pings, close: () => new Promise<void>((r) => wss.close(() => r())) };
}

describe('TypeScript SDK heartbeat', () => {
  const clients: GatewayClient[] = [];
  after(() => {
    for (const c of clients) c.close();
  });

  it('pings a quiet connection, drops it with 4000 when nothing follows the ping, and reconnects', { timeout: 30_000 }, async () => {
    const server = await quietServer(false);
    const c = new GatewayClient({ url: server.url, pingIntervalMs: 100, pongTimeoutMs: 300, reconnect: { initialDelayMs: 50, maxDelayMs: 100 } });
    clients.push(c);
    const closes: { code: number; reason: string }[] = [];
    c.on('close', (ev) => closes.push(ev));
    await c.start();
    await waitFor(() => closes.length > 0, 10_000, 'the stalled connection dropped');
    assert.ok(server.pings.length >= 1, 'a ping went out before the drop');
    assert.equal(closes[0]!.code, 4000);
    assert.match(closes[0]!.reason, /no frame within 300 ms of a ping/);
    await waitFor(() => server.sockets.length >= 2, 10_000, 'the reconnect');
    c.close();
    await server.close();
  });

  it('keeps a connection whose pings are answered', { timeout: 30_000 }, async () => {
    const server = await quietServer(true);
    const c = new GatewayClient({ url: server.url, pingIntervalMs: 100, pongTimeoutMs: 300, reconnect: { initialDelayMs: 50, maxDelayMs: 100 } });
    clients.push(c);
    const closes: unknown[] = [];
    c.on('close', (ev) => closes.push(ev));
    await c.start();
    await waitFor(() => server.pings.length >= 4, 10_000, 'four answered pings');
    assert.deepEqual(closes, []);
    assert.equal(server.sockets.length, 1);
    c.close();
    await server.close();
  });
});
