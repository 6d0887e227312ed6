// A tiny WebSocket server the `feed` test plugin connects to; tests push frames to every connected socket.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';

export interface FeedServer {
  url: string;
  received: string[];
  sockets: Set<WebSocket>;
  connections: number;
  /** the markets `GET /markets` lists (the feed plugin's market list): edit it to list or delist at run time */
  markets: string[];
  /** `GET /markets` requests served */
  marketReads: number;
  push(frame: string): void;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const http = createServer((req, res) => {
    if (req.url !== '/markets') return void res.writeHead(404).end();
    fs.marketReads++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fs.markets.map((s) => ({ s }))));
  });
  const wss = new WebSocketServer({ server: http });
  const fs: FeedServer = {
    url: '',
    received: [],
    sockets: new Set(),
    connections: 0,
    markets: [],
    marketReads: 0,
    push(frame) {
      for (const s of fs.sockets) s.send(frame);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of fs.sockets) s.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
  wss.on('connection', (ws) => {
    fs.connections++;
    fs.sockets.add(ws);
    ws.on('message', (d) => fs.received.push(d.toString()));
    ws.on('close', () => fs.sockets.delete(ws));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  fs.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return fs;
}
