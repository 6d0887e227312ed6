// A cluster for tests: its own ZooKeeper and Kafka (scripts/infra/), the exchange simulators, gateway processes
// (test/support/process.ts) and nginx in front of them; closed in reverse order.

import { startKafka, startNginx, startZooKeeper } from '../../scripts/infra/index.ts';
import { startSimulators } from '../../sim/index.ts';
import { spawnGateway } from './process.ts';
import type { GatewayProcess } from './process.ts';

export interface ClusterInfra {
  zk: Awaited<ReturnType<typeof startZooKeeper>>;
  kafka: Awaited<ReturnType<typeof startKafka>>;
  sims: Awaited<ReturnType<typeof startSimulators>>;
}

export interface Cluster extends ClusterInfra {
  /** the gateway processes, in the order of `nodeIds` (tests may push restarted ones) */
  nodes: GatewayProcess[];
  /** nginx balancing over the nodes */
  lb: Awaited<ReturnType<typeof startNginx>>;
  /** nginx, the nodes, the simulators, Kafka, ZooKeeper; idempotent */
  close(): Promise<void>;
}

export interface ClusterOptions {
  topic: { name: string; partitions: number };
  sims: { seed: number; intervalMs: number };
  nodeIds: string[];
  /** each node's configuration */
  config(nodeId: string, infra: ClusterInfra): Record<string, unknown>;
}

/** Starts everything; if a part fails to start, what did start is closed before the error is thrown. */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const parts: Partial<Cluster> & { nodes: GatewayProcess[] } = { nodes: [] };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await parts.lb?.close();
      await Promise.all(parts.nodes.map((n) => n.stop()));
      await parts.sims?.close();
      await parts.kafka?.close();
      await parts.zk?.close();
    })());
  try {
    parts.zk = await startZooKeeper();
    parts.kafka = await startKafka({ zookeeper: parts.zk.connectString, topics: [o.topic] });
    parts.sims = await startSimulators(o.sims);
    const infra: ClusterInfra = { zk: parts.zk, kafka: parts.kafka, sims: parts.sims };
    for (const id of o.nodeIds) parts.nodes.push(await spawnGateway(o.config(id, infra)));
    parts.lb = await startNginx({ upstreams: parts.nodes.map((n) => `127.0.0.1:${n.port}`) });
    return { ...infra, nodes: parts.nodes, lb: parts.lb, close };
  } catch (err) {
    await close();
    throw err;
  }
}
