// Private streams as the kernel sees them: the accounts (keys from the environment), their delivery on this node
// and the relay that carries them between nodes. The kernel calls it from a handful of lines.

import type { Bus } from '../bus/bus.ts';
import { createBus } from '../bus/create.ts';
import type { Config } from '../config.ts';
import type { Hub } from '../fanout/hub.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { ExchangePlugin } from '../../sdk/plugin.ts';
import type { ExchangeSupervisor } from '../supervisor.ts';
import type { ConnectionStats } from '../../boundary/worker-protocol.ts';
import { PrivateAccounts } from './accounts.ts';
import { PrivateDelivery } from './delivery.ts';
import { PrivateRelay } from './relay.ts';
import { parseSealKey } from './seal.ts';

export interface PrivateStreamsOptions {
  config: Config;
  nodeId: string;
  log: Logger;
  metrics: Metrics;
  hub(): Hub | undefined;
  env?: Record<string, string | undefined>;
}

export class PrivateStreams {
  readonly accounts: PrivateAccounts;
  readonly delivery: PrivateDelivery;
  private relay: PrivateRelay | undefined;
  private producing = false;

  constructor(private readonly opts: PrivateStreamsOptions) {
    const env = opts.env ?? process.env;
    this.accounts = new PrivateAccounts(opts.config.private, env, opts.log.child('private'));
    this.delivery = new PrivateDelivery(opts.hub, opts.metrics);
  }

  /**
   * Checks the accounts against the enabled exchanges and, in cluster mode, that the sealing key is set (private
   * records never cross the bus unsealed); then opens the private channel. Throws CONFIG_INVALID naming the key.
   */
  async start(pluginOf: (exchange: string) => ExchangePlugin | undefined): Promise<void> {
    const { config, log } = this.opts;
    this.accounts.check((exchange) => {
      const plugin = pluginOf(exchange);
      return !plugin ? 'is not an enabled exchange' : plugin.privateConnection ? undefined : 'has no private streams (its plugin defines no privateConnection)';
    });
    let cluster: { bus: Bus; key: Buffer } | undefined;
    if (config.mode === 'cluster' && this.accounts.size > 0) {
      const env = this.opts.env ?? process.env;
      const key = parseSealKey(env[config.private.sealKeyEnv], config.private.sealKeyEnv);
      cluster = { bus: createBus(config, { nodeId: this.opts.nodeId, log, channel: 'private' }), key };
    }
    this.relay = new PrivateRelay({ delivery: this.delivery, log: log.child('private'), cluster });
    this.relay.producing = this.producing;
    await this.relay.start();
  }

  /** a private batch from an exchange worker */
  publish(batch: Parameters<PrivateRelay['publish']>[0]): void {
    if (!this.relay) return this.delivery.refuse('not_started');
    this.relay.publish(batch);
  }

  setProducing(on: boolean): void {
    this.producing = on;
    if (this.relay) this.relay.producing = on;
  }

  /** per-account connection figures at scrape time (account ids only, never keys) */
  registerMetrics(supervisors: () => ExchangeSupervisor[]): void {
    const m = this.opts.metrics;
    const each = (value: (c: ConnectionStats) => number) =>
      supervisors().flatMap((s) => s.privateConnections.map((c) => ({ labels: { exchange: s.id, account: c.name.replace(/^private-/, '') }, value: value(c) })));
    m.gauge('gateway_private_connected', '1 while the private connection of the account is open', () => each((c) => (c.state === 'open' ? 1 : 0)));
    m.collectedCounter('gateway_private_reconnects_total', 'Unplanned reconnects of private connections', () => each((c) => c.reconnects));
    m.collectedCounter('gateway_private_errors_total', 'Errors on private connections, by code (HTTP_401 = keys refused)', () =>
      supervisors().flatMap((s) =>
        s.privateConnections.flatMap((c) => Object.entries(c.errors).map(([code, value]) => ({ labels: { exchange: s.id, account: c.name.replace(/^private-/, ''), code }, value }))),
      ),
    );
  }

  health(supervisors: () => ExchangeSupervisor[]): Record<string, unknown> {
    const of = (exchange: string) => supervisors().find((s) => s.id === exchange)?.privateConnections ?? [];
    return { ...(this.relay?.health() ?? { transport: 'none' }), accounts: this.accounts.describe(of) };
  }

  async close(): Promise<void> {
    await this.relay?.close();
  }
}
