// Chooses the bus for a config: Kafka when enabled, Redis pub/sub in a cluster without Kafka, in-process otherwise.
// The kernel sees only the Bus it returns.

import { GatewayError } from '../../sdk/errors.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Bus } from './bus.ts';
import { DirectBus } from './direct.ts';
import { KafkaBus } from './kafka.ts';
import { RedisBus } from './redis.ts';

/**
 * `channel` names a second bus beside the records' one (e.g. `private`): its own Kafka topic `<topic>.<channel>` or
 * Redis channel `<channel>:<name>`, logging as `<name>-kafka` / `<name>-redis`.
 */
export function createBus(config: Config, opts: { nodeId: string; log: Logger; channel?: string }): Bus {
  const { nodeId, log, channel } = opts;
  const prefix = channel ? `${channel}-` : '';
  if (config.kafka.enabled) {
    const topic = channel ? `${config.kafka.topic}.${channel}` : config.kafka.topic;
    return new KafkaBus({ ...config.kafka, topic, nodeId, recovery: config.bus, log: log.child(`${prefix}kafka`) });
  }
  if (config.mode === 'cluster') {
    const name = channel ? `${config.redis.channel}:${channel}` : config.redis.channel;
    return new RedisBus(config.redis.url, name, log.child(`${prefix}redis`), nodeId, config.bus);
  }
  return new DirectBus();
}

/** Refuses, before anything starts, a cluster that has no bus between its nodes rather than run without one. */
export function checkBusConfig(config: Config): void {
  if (config.mode === 'cluster' && !config.kafka.enabled && !config.redis.enabled) {
    throw new GatewayError(
      'CONFIG_INVALID',
      'mode: cluster needs kafka.enabled: true or redis.enabled: true (followers receive records through Kafka or Redis pub/sub)',
    );
  }
}
