import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { CONTRACT } from '../../lib/index.js';
import { provision } from '../../harness/provision.js';
import { connectNats, startServices } from '../../harness/services/index.js';
import type { Services } from '../../harness/services/index.js';

/** ack_wait of the durable consumer in test deployments, so a kill -9 is redelivered in seconds. */
export const TEST_ACK_WAIT_MS = 2000;

/**
 * Services for one conformance test file: its own nats-server (so no other durable consumer or
 * traffic), a fresh ck_<random> database on the machine's PostgreSQL, and the shared Redis
 * (runs only read keys under their own fresh tenant ids). Provisioned, and the contract's durable
 * consumer created with a short ack_wait.
 */
export async function startKitEnv(): Promise<Services> {
  const services = await startServices({
    pg: process.env.CK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    valkey: process.env.CK_TEST_VALKEY ?? 'redis://127.0.0.1:6379',
    sources: ['flag', 'binary'],
    freshDatabase: true,
  });
  await provision({ natsUrl: services.natsUrl, pgUrl: services.pgUrl, valkeyUrl: services.valkeyUrl });
  const nc = await connectNats(services.natsUrl);
  const c = CONTRACT.consumer;
  await (
    await jetstreamManager(nc)
  ).consumers.add(CONTRACT.streams.episodes.name, {
    durable_name: c.durable_name,
    filter_subject: c.filter_subject,
    max_ack_pending: c.max_ack_pending,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(TEST_ACK_WAIT_MS),
  });
  await nc.close();
  return services;
}
