// Starts every simulator found by folder (plugins/<id>/sim.ts) and gateways wired to them, for the per-exchange
// tests (status, faults, pushback, rollover, end to end): the first gateway takes the first simulator of each
// plugin, a second one the second (Bithumb's legacy API), and so on, since a gateway has one section per exchange.

import { EXCHANGE_KERNEL_KEYS } from '../../kernel/config.ts';
import { loadPlugin } from '../../plugins/registry.ts';
import { fixtureConfig } from '../../sdk/fixture/format.ts';
import type { ExchangePlugin, PluginConfig } from '../../sdk/plugin.ts';
import { startSimulators } from '../../sim/index.ts';
import type { SimHandle } from '../../sim/index.ts';
import { TestClient } from './client.ts';
import { startGateway } from './gateway.ts';

export type Gateway = Awaited<ReturnType<typeof startGateway>>;
export type Simulators = Awaited<ReturnType<typeof startSimulators>>;

export interface SimGatewayOptions {
  seed: number;
  intervalMs: number;
  tradesPerStep?: number;
  /** added to every exchange's config (reconnect, stallTimeoutMs, ...) */
  extra?: Record<string, unknown>;
  /** only these simulators (names, e.g. 'upbit', 'bithumb-legacy'); default every one found */
  names?: readonly string[];
  /** subscribe to the first `symbols` of each simulator's symbols (its config section's); default all of them */
  symbols?: number;
  /** added to every gateway's configuration (orderbook depth, ...) */
  gateway?: Record<string, unknown>;
}

/** one simulator, the gateway wired to it and a client of that gateway */
export interface SimTarget {
  /** the simulator's name: 'binance', 'bithumb-legacy', ... */
  name: string;
  /** the plugin: the records' `ex` */
  ex: string;
  sim: SimHandle;
  gw: Gateway;
  /** a client of `gw`, connected with snapshot=false */
  client: TestClient;
  symbols: string[];
  /** the exchange's config section as given to the gateway */
  section: Record<string, unknown>;
  plugin: ExchangePlugin;
  /** what the plugin is given for `section` (options = the keys the kernel does not read itself) */
  config: PluginConfig;
  /** the plugin's connection plans subscribe by message (not in the URL), so a reconnect sends them again */
  messages: boolean;
  /** connection plans the plugin opens for this section */
  plans: number;
  /** text frames the plugin sends as keep-alive (e.g. OKX's "ping"), not part of its subscription */
  keepAliveFrames: string[];
}

export interface SimGateways {
  sims: Simulators;
  /** every simulator started, in discovery order */
  targets: SimTarget[];
  gateways: Gateway[];
  /** the first gateway and its client */
  main: Gateway;
  mainClient: TestClient;
  /** the target of a simulator; throws for one not started */
  target(name: string): SimTarget;
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
    const sims = await startSimulators({ seed: o.seed, intervalMs: o.intervalMs, tradesPerStep: o.tradesPerStep, names: o.names });
    started.push(sims);
    // gateway k gets the k-th simulator of each plugin
    const groups: (typeof sims.list)[number][][] = [];
    const seen = new Map<string, number>();
    for (const s of sims.list) {
      const k = seen.get(s.exchange) ?? 0;
      seen.set(s.exchange, k + 1);
      (groups[k] ??= []).push(s);
    }
    const targets: SimTarget[] = [];
    const gateways: Gateway[] = [];
    for (const group of groups) {
      const sections = group.map((s) => {
        const section = { ...s.config(), ...o.extra };
        if (o.symbols !== undefined) section.symbols = (section.symbols as string[]).slice(0, o.symbols);
        return section;
      });
      const gw = await startGateway({ ...o.gateway, exchanges: Object.fromEntries(group.map((s, i) => [s.exchange, sections[i]])) });
      started.push(gw.kernel);
      gateways.push(gw);
      const client = await TestClient.connect(`${gw.ws}?snapshot=false`);
      started.push(client);
      for (const [i, s] of group.entries()) {
        const section = sections[i]!;
        const plugin = await loadPlugin(s.exchange);
        const symbols = section.symbols as string[];
        // the plugin's options are the keys the kernel does not read itself (kernel/exchanges.ts)
        const options = Object.fromEntries(Object.entries(section).filter(([k]) => !EXCHANGE_KERNEL_KEYS.has(k)));
        const depth = ((o.gateway?.orderbook as { depth?: number } | undefined)?.depth ?? 15);
        const channels = (section.channels as PluginConfig['channels'] | undefined) ?? [...plugin.channels];
        const url = section.url as string;
        const config = fixtureConfig(s.exchange, { symbols, url, restUrl: section.restUrl as string | undefined, channels, depth, options });
        const plans = plugin.connections(config);
        targets.push({
          name: s.name,
          ex: s.exchange,
          sim: s.handle,
          gw,
          client,
          symbols,
          section,
          plugin,
          config,
          messages: plans.some((p) => p.subscribe.length > 0),
          plans: plans.length,
          keepAliveFrames: plans.flatMap((p) => (p.keepAlive?.frame === undefined ? [] : [p.keepAlive.frame])),
        });
      }
    }
    targets.sort((a, b) => sims.list.findIndex((s) => s.name === a.name) - sims.list.findIndex((s) => s.name === b.name));
    const target = (name: string): SimTarget => {
      const t = targets.find((x) => x.name === name);
      if (!t) throw new Error(`simulator ${name} was not started`);
      return t;
    };
    return { sims, targets, gateways, main: gateways[0]!, mainClient: targets.find((t) => t.gw === gateways[0])!.client, target, close };
  } catch (err) {
    await close();
    throw err;
  }
}
