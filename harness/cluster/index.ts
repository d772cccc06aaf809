/** A local multi-node NATS JetStream cluster for fault injection (a node killed mid-run). */
export { startNatsCluster } from './nats-cluster.js';
export type { NatsCluster, NatsClusterOptions } from './nats-cluster.js';
