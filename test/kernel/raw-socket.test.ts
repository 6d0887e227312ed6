// The fan-out's raw-socket adapter against the real `ws`: it finds the socket ws keeps, frames written through it
// reach a real client intact and in order with ws.send, and it refuses clearly when what it relies on is missing.
// If a ws upgrade breaks this file, kernel/fanout/raw-socket.ts needs attention before the hub's fast path works.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { BINARY, TEXT, wsFrame } from '../../kernel/fanout/peer.ts';
import { frameWriter, rawSocketOf, RawSocketError } from '../../kernel/fanout/raw-socket.ts';
import { waitFor } from '../support/client.ts';

describe('raw-socket adapter (kernel/fanout/raw-socket.ts) on a real ws server', () => {
  const http = createServer();
  let wss: WebSocketServer;
  let url = '';

  before(async () => {
    wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    await new Promise((r) => http.close(r));
  });

  /** a client connected to the server, the server's side of it, and what the client receives */
  async function pair(opts: { perMessageDeflate?: boolean } = {}) {
    const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
    const client = new WebSocket(url, { perMessageDeflate: opts.perMessageDeflate ?? false });
    const got: { data: string; binary: boolean }[] = [];
    client.on('message', (data: Buffer, binary: boolean) => got.push({ data: binary ? data.toString('hex') : data.toString('utf8'), binary }));
    await new Promise((r, j) => client.once('open', r).once('error', j));
    return { client, server: await accepted, got };
  }

  it('finds the socket ws keeps under its connection', async () => {
    const { client, server } = await pair();
    const raw = rawSocketOf(server);
    assert.equal(typeof raw.write, 'function');
    assert.equal((raw as unknown as { remotePort: number }).remotePort, (client as unknown as { _socket: { localPort: number } })._socket.localPort, 'the very socket of this client');
    client.close();
  });

  it('delivers pre-framed text and binary messages, several in one write, intact and after what ws.send queued before', async () => {
    const { client, server, got } = await pair();
    const write = frameWriter(server);
    const long = 'x'.repeat(70_000); // a 64-bit length header
    const mid = JSON.stringify({ ty: 'trade', tp: '1.5', pad: 'y'.repeat(300) }); // a 16-bit length header
    server.send('before');
    write(Buffer.concat([wsFrame('{"a":1}', TEXT), wsFrame(Uint8Array.from([0x81, 0xa1, 0x61, 0x01]), BINARY), wsFrame(mid, TEXT)]));
    write(wsFrame(long, TEXT));
    server.send('after');
    await waitFor(() => got.length === 6, 10_000, 'six messages');
    assert.deepEqual(
      got.map((m) => (m.data.length > 1000 ? { ...m, data: `${m.data.length}` } : m)),
      [
        { data: 'before', binary: false },
        { data: '{"a":1}', binary: false },
        { data: '81a16101', binary: true },
        { data: mid, binary: false },
        { data: `${long.length}`, binary: false },
        { data: 'after', binary: false },
      ],
    );
    assert.equal(got[4]!.data, long);
    client.close();
  });

  it('writes nothing once the connection is closing', async () => {
    const { client, server, got } = await pair();
    const write = frameWriter(server);
    const closed = new Promise((r) => client.once('close', r));
    server.close(1000, 'bye');
    write(wsFrame('late', TEXT));
    await closed;
    assert.deepEqual(got, []);
  });

  it('fails with a clear, coded error when ws keeps no `_socket`', () => {
    const fake = Object.create(WebSocket.prototype) as WebSocket;
    assert.throws(() => rawSocketOf(fake), (err: unknown) => err instanceof RawSocketError && err.code === 'WS_RAW_SOCKET_UNAVAILABLE' && /_socket/.test(err.message));
    const noWrite = Object.assign(Object.create(WebSocket.prototype) as WebSocket, { _socket: {} });
    assert.throws(() => frameWriter(noWrite), RawSocketError);
  });

  it('refuses a connection that negotiated permessage-deflate (its frames cannot be written beside ws)', async () => {
    const deflating = new WebSocketServer({ noServer: true, perMessageDeflate: true });
    const server = createServer();
    server.on('upgrade', (req, socket, head) => deflating.handleUpgrade(req, socket, head, (ws) => deflating.emit('connection', ws)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const accepted = new Promise<WebSocket>((r) => deflating.once('connection', r));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: true });
    await new Promise((r) => client.once('open', r));
    const ws = await accepted;
    assert.match(ws.extensions, /permessage-deflate/);
    assert.throws(() => rawSocketOf(ws), (err: unknown) => err instanceof RawSocketError && /extension/.test(err.message));
    client.terminate();
    deflating.close();
    await new Promise((r) => server.close(r));
  });
});
