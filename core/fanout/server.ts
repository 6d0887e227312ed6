// Serves the Hono app and the client WebSocket endpoint over node:http + ws (Node 20+ and Deno 2 alike).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { WebSocket, WebSocketServer } from 'ws';
import type { Catalog } from '../filter.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { WS_PATH } from './app.ts';
import { MAX_CONTROL_BYTES, parseConnectQuery } from './client-protocol.ts';
import type { Hub } from './hub.ts';

export interface ServerHandle {
  port: number;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, text: string, body: Record<string, unknown>): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

export async function startServer(opts: {
  app: Hono;
  hub: Hub;
  catalog: Catalog;
  host: string;
  port: number;
  log: Logger;
  metrics: Metrics;
  /** orderbook.depth: the most a client's `depth` may be */
  maxDepth?: number;
}): Promise<ServerHandle> {
  const { hub, catalog, log } = opts;
  const server = createAdaptorServer({ fetch: opts.app.fetch });
  // Control messages are small; anything far larger is cut by ws (close 1009) before it is buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CONTROL_BYTES * 16, perMessageDeflate: false });
  const refused = opts.metrics.counter('gateway_ws_upgrades_refused_total', 'WebSocket upgrades refused, by reason');

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      refused.inc({ reason: 'not_found' });
      return refuse(socket, 404, 'Not Found', { error: 'NOT_FOUND', message: `WebSocket endpoint is ${WS_PATH}` });
    }
    let options;
    try {
      options = parseConnectQuery(url.searchParams, catalog, opts.maxDepth);
    } catch (err) {
      refused.inc({ reason: 'bad_request' });
      return refuse(socket, 400, 'Bad Request', { error: 'BAD_REQUEST', message: (err as Error).message });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws keeps the upgraded socket as `_socket`: the hub's ready-made frames are written to it directly (one write
      // per client per turn, the same buffer for every client). Without it, frames go through ws.send one by one.
      const raw = (ws as unknown as { _socket?: Duplex })._socket;
      const handle = hub.connect(
        {
          send: (frame) => ws.send(frame),
          sendFrames:
            raw && typeof raw.write === 'function'
              ? (frames) => {
                  if (ws.readyState === WebSocket.OPEN) raw.write(frames);
                }
              : undefined,
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          close: (code, reason) => ws.close(code, reason),
        },
        options,
      );
      ws.on('message', (data: Buffer, isBinary: boolean) => handle.message(isBinary ? data : data.toString('utf8')));
      ws.on('close', () => handle.closed());
      ws.on('error', (err) => log.debug(`client socket error: ${err.message}`));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      })),
  };
}
