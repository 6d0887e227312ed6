// The served replay: the usual gateway (kernel, hub, HTTP app) with a replay source instead of exchange workers, so
// an unchanged client runs against history. The exchanges and their subscriptions come from the recordings.

import type { Config } from '../kernel/config.ts';
import { parseConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import type { Logger } from '../kernel/log.ts';
import { fixtureConfig } from '../sdk/fixture/format.ts';
import type { Chain } from '../sdk/fixture/read.ts';
import { ReplaySource } from './source.ts';
import type { SourceOptions } from './source.ts';

/** The configuration a served replay runs with: the file's server settings, the recordings' exchanges, no infrastructure. */
export function replayConfig(chains: Chain[], base: Config, server: { host?: string; port?: number }): Config {
  const exchanges: Record<string, Record<string, unknown>> = {};
  let depth = 0;
  for (const chain of chains) {
    for (const f of chain.files) {
      const c = fixtureConfig(chain.exchange, f.header?.config);
      depth = Math.max(depth, c.depth);
      const ex = (exchanges[chain.exchange] ??= { ...c.options, url: c.url, ...(c.restUrl ? { restUrl: c.restUrl } : {}), symbols: [], channels: [] });
      for (const s of c.symbols) if (!(ex.symbols as string[]).includes(s)) (ex.symbols as string[]).push(s);
      for (const t of c.channels) if (!(ex.channels as string[]).includes(t)) (ex.channels as string[]).push(t);
    }
  }
  return parseConfig(
    {
      server: { ...base.server, ...(server.host ? { host: server.host } : {}), ...(server.port !== undefined ? { port: server.port } : {}) },
      log: base.log,
      orderbook: { depth: depth || base.orderbook.depth },
      exchanges,
    },
    'replay',
  );
}

export async function serveReplay(chains: Chain[], config: Config, opts: SourceOptions & { log: Logger }): Promise<{ kernel: Kernel; source: ReplaySource }> {
  const source = new ReplaySource(chains, opts);
  const kernel = new Kernel({ config, log: opts.log, source, pluginsDir: opts.pluginsDir });
  await kernel.start();
  return { kernel, source };
}
