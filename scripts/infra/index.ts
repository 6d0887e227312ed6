// Real infrastructure for tests and demos (ZooKeeper, Kafka 0.9 behind an ApiVersions proxy, Redis, nginx), each on
// loopback ports of its own, owned by PID and removed by an idempotent close(). See README.md beside this file.

export { InfraError } from './errors.ts';
export type { InfraErrorCode } from './errors.ts';
export { freePort, freePorts } from './free-port.ts';
export { fourLetter, zkMode } from './four-letter.ts';
export type { ZkMode } from './four-letter.ts';
export { startZooKeeper } from './zookeeper.ts';
export type { ZkHandle } from './zookeeper.ts';
export { startZooKeeperEnsemble } from './zookeeper-ensemble.ts';
export type { EnsembleHandle, MemberHandle } from './zookeeper-ensemble.ts';
export { KAFKA_PROBE_TOPIC, startKafka } from './kafka.ts';
export { startKafkaCluster } from './kafka-cluster.ts';
export type { KafkaClusterHandle, KafkaClusterOptions, KafkaMember } from './kafka-cluster.ts';
export type { KafkaHandle, KafkaOptions } from './kafka.ts';
export type { TopicSpec } from './kafka-broker.ts';
export { KAFKA_READY_KEY } from './kafka-readiness.ts';
export { startKafkaProxy } from './kafka-proxy.ts';
export type { KafkaProxy, KafkaProxyOptions } from './kafka-proxy.ts';
export { KAFKA_09_API_VERSIONS } from './kafka-protocol.ts';
export type { ApiVersionRange } from './kafka-protocol.ts';
export { redisCommand, startRedis } from './redis.ts';
export type { RedisHandle } from './redis.ts';
export { nginxConfig, startNginx } from './nginx.ts';
export type { NginxHandle, NginxOptions } from './nginx.ts';
export { prometheusConfig, startPrometheus } from './prometheus.ts';
export type { PrometheusHandle, PrometheusOptions } from './prometheus.ts';
