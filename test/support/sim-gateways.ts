// Starts the exchange simulators and gateways wired to them, for the per-exchange tests (status, faults, pushback):
// one gateway for Binance, Upbit and Bithumb v1, optionally a second for Bithumb's legacy API.

import { startSimulators } from '../../sim/index.ts';
import { TestClient } from './client.ts';
import { startGateway } from './gateway.ts';

export type Gateway = Awaited<ReturnType<typeof startGateway>>;
export type Simulators = Awaited<ReturnType<typeof startSimulators>>;

export interface SimGatewayOptions {
  seed: number;
  intervalMs: number;
  /** Binance's symbols */
  usdt: string[];
  /** Upbit's and Bithumb's symbols */
  krw: string[];
  /** added to every exchange's config (reconnect, stallTimeoutMs, ...) */
  extra: Record<string, unknown>;
  /** also start a gateway on the Bithumb legacy simulator */
  legacy?: boolean;
}

export interface SimGateways {
  sims: Simulators;
  main: Gateway;
  /** a client of `main`, connected with snapshot=false */
  mainClient: TestClient;
  legacy?: Gateway;
  legacyClient?: TestClient;
  /** closes the clients, the gateways, then the simulators; idempotent */
  close(): Promise<void>;
}

export async function startSimGateways(o: SimGatewayOptions): Promise<SimGateways> {
  const started: { close(): Promise<void> }[] = [];
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      for (const c of started.reverse()) await c.close();
    })());
  try {
    const sims = await startSimulators({ seed: o.seed, intervalMs: o.intervalMs });
    started.push(sims);
    const main = await startGateway({
      exchanges: {
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: o.usdt, ...o.extra },
        upbit: { url: sims.get('upbit').url, restUrl: sims.get('upbit').restUrl, symbols: o.krw, ...o.extra },
        bithumb: { url: sims.get('bithumb').url, restUrl: sims.get('bithumb').restUrl, symbols: o.krw, ...o.extra },
      },
    });
    started.push(main.kernel);
    const legacy = o.legacy
      ? await startGateway({
          exchanges: {
            bithumb: { api: 'legacy', url: sims.get('bithumb-legacy').url, restUrl: sims.get('bithumb-legacy').restUrl, symbols: o.krw, ...o.extra },
          },
        })
      : undefined;
    if (legacy) started.push(legacy.kernel);
    const mainClient = await TestClient.connect(`${main.ws}?snapshot=false`);
    started.push(mainClient);
    const legacyClient = legacy ? await TestClient.connect(`${legacy.ws}?snapshot=false`) : undefined;
    if (legacyClient) started.push(legacyClient);
    return { sims, main, mainClient, legacy, legacyClient, close };
  } catch (err) {
    await close();
    throw err;
  }
}
