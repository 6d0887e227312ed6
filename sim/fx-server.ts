// The FX simulator: serves the simulated world's USD/KRW rate (sim/world-prices.ts) over HTTP in the shape of
// Dunamu's public quote (`[{"code":"FRX.KRWUSD","basePrice":..}]`, path `0.basePrice`), with a down switch for tests.
//
// GET /v1/forex/recent?codes=FRX.KRWUSD   → 200 [{code, currencyCode, basePrice, timestamp, ...}]
// GET /rate                               → 200 {"rate": ..}   (the simplest shape, path `rate`)

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fxRate } from './world-prices.ts';

export interface FxSimOptions {
  port?: number;
  host?: string;
  seed?: number;
  /** a fixed rate instead of the simulated one (tests) */
  rate?: number;
}

export interface FxSimHandle {
  url: string;
  /** the Dunamu-shaped endpoint; read it with path `0.basePrice` */
  quoteUrl: string;
  port: number;
  requests(): number;
  /** answer 503 (on) or normally again (off) */
  down(on: boolean): void;
  setRate(rate: number | undefined): void;
  /** the rate it serves now */
  rate(): number;
  close(): Promise<void>;
}

export async function startFxSim(opts: FxSimOptions = {}): Promise<FxSimHandle> {
  let fixed = opts.rate;
  let isDown = false;
  let requests = 0;
  const seed = opts.seed ?? 1;
  const rate = () => fixed ?? fxRate(seed, Date.now());
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (isDown) {
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end('{"error":"unavailable"}');
    }
    let body: unknown;
    if (url.pathname === '/v1/forex/recent') {
      const now = Date.now();
      const r = rate();
      body = [
        {
          code: 'FRX.KRWUSD',
          currencyCode: 'USD',
          currencyName: '달러',
          country: '미국',
          name: '미국 (KRW/USD)',
          date: new Date(now).toISOString().slice(0, 10),
          time: new Date(now).toISOString().slice(11, 19),
          basePrice: r,
          openingPrice: r,
          timestamp: now,
        },
      ];
    } else if (url.pathname === '/rate') body = { rate: rate() };
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":"not found"}');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    quoteUrl: `${url}/v1/forex/recent?codes=FRX.KRWUSD`,
    port,
    requests: () => requests,
    down: (on) => (isDown = on),
    setRate: (r) => (fixed = r),
    rate,
    close: () =>
      (closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
