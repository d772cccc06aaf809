import { jetstreamManager } from '@nats-io/jetstream';
import { ensureDurableConsumer } from '../../harness/durable-consumer.js';
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
  await ensureDurableConsumer(await jetstreamManager(nc), { ackWaitMs: TEST_ACK_WAIT_MS });
  await nc.close();
  return services;
}
