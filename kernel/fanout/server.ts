// Serves the Hono app and the client WebSocket endpoint over node:http + ws (Node 20+ and Deno 2 alike).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Catalog } from '../filter.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { WS_PATH } from './app.ts';
import { MAX_CONTROL_BYTES, parseConnectQuery } from './client-protocol.ts';
import type { Hub } from './hub.ts';
import type { Peer } from './peer.ts';
import { frameWriter } from './raw-socket.ts';
import type { ClientIdentity } from '../security/identity.ts';
import type { Admission, WsGate } from '../security/ws-gate.ts';
import { selectProtocol } from '../security/ws-gate.ts';
import { WsSession } from '../security/ws-session.ts';

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
  /** origin, limits and client auth (core/security); without it every client is admitted anonymously */
  gate?: WsGate;
}): Promise<ServerHandle> {
  const { hub, catalog, log } = opts;
  const server = createAdaptorServer({ fetch: opts.app.fetch, ...(opts.gate ? { serverOptions: opts.gate.serverOptions() } : {}) });
  // Control messages are small; anything far larger is cut by ws (close 1009) before it is buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CONTROL_BYTES * 16, perMessageDeflate: false, handleProtocols: selectProtocol });
  const refused = opts.metrics.counter('gateway_ws_upgrades_refused_total', 'WebSocket upgrades refused, by reason');
  const protocolErrors = opts.metrics.counter('gateway_client_protocol_errors_total', 'Client connections cut for a WebSocket protocol violation (invalid UTF-8, oversized frame, ...), by code');
  const { gate } = opts;
  // requests the HTTP parser cannot read (bad request line, oversized headers) never reach the app: counted here
  const httpProtocolErrors = opts.metrics.counter('gateway_http_protocol_errors_total', 'HTTP requests refused by the parser before routing, by code');
  const refusedSockets = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // once per connection: the rest of an oversized request can raise the error again
    if (refusedSockets.has(socket)) return socket.destroy();
    refusedSockets.add(socket);
    httpProtocolErrors.inc({ code: err.code ?? 'UNKNOWN' });
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((err) => {
      log.warn(`upgrade failed: ${(err as Error).message}`);
      socket.destroy();
    });
  });

  let warned = false;
  function rawFrames(ws: WebSocket): Peer['sendFrames'] {
    try {
      return frameWriter(ws);
    } catch (err) {
      if (!warned) log.warn(`client frames go through ws.send one by one: ${(err as Error).message}`);
      warned = true;
      return undefined;
    }
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) {
      refused.inc({ reason: 'not_found' });
      return refuse(socket, 404, 'Not Found', { error: 'NOT_FOUND', message: `WebSocket endpoint is ${WS_PATH}` });
    }
    const admission: Admission = gate ? await gate.admit(req, url.searchParams) : { ok: true, address: '', pending: false, release: () => {} };
    if (!admission.ok) {
      refused.inc({ reason: admission.reason });
      return refuse(socket, admission.status, admission.text, { error: admission.error, message: admission.message });
    }
    // the connection slot is given back however the socket ends, even if the upgrade never completes
    socket.once('close', admission.release);
    let options;
    try {
      options = parseConnectQuery(url.searchParams, catalog, opts.maxDepth);
      if (gate && !admission.pending) options.filter = gate.guardFilter(options.filter, admission.identity);
    } catch (err) {
      admission.release();
      const forbidden = (err as { code?: string }).code === 'FORBIDDEN';
      refused.inc({ reason: forbidden ? 'forbidden' : 'bad_request' });
      const code = (err as { code?: string }).code ?? 'BAD_REQUEST';
      return refuse(socket, forbidden ? 403 : 400, forbidden ? 'Forbidden' : 'Bad Request', { error: code, message: (err as Error).message });
    }
    if (socket.destroyed) return admission.release();
    const connectOptions = options;
    wss.handleUpgrade(req, socket, head, (ws) => {
      // the hub's ready-made frames go straight to the socket (one write per client per turn, the same buffer for
      // every client: raw-socket.ts); without it, frames go through ws.send one by one
      const sendFrames = rawFrames(ws);
      const peer = (identity: ClientIdentity | undefined): Peer => ({
          identity,
          send: (frame) => ws.send(frame),
          sendFrames,
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          close: (code, reason) => ws.close(code, reason),
      });
      const connect = (identity: ClientIdentity | undefined) =>
        hub.connect(peer(identity), gate && admission.pending ? { ...connectOptions, filter: gate.guardFilter(connectOptions.filter, identity) } : connectOptions);
      const handle = gate
        ? new WsSession(gate, admission, { format: connectOptions.format, send: (f) => ws.send(f), close: (c, r) => ws.close(c, r) }, connect)
        : connect(undefined);
      ws.on('message', (data: Buffer, isBinary: boolean) => handle.message(isBinary ? data : data.toString('utf8')));
      ws.on('close', () => handle.closed());
      ws.on('error', (err) => {
        protocolErrors.inc({ code: (err as { code?: string }).code ?? 'UNKNOWN' });
        log.debug(`client socket error: ${err.message}`);
      });
    });
  }

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
