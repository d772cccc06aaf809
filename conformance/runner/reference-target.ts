import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  ChildProcessError,
  CHILD_ERROR_CODES,
  kitCommandLine,
  SupervisedChild,
} from '../../harness/child/index.js';
import { ensureDurableConsumer } from '../../harness/durable-consumer.js';
import { connectNats } from '../../harness/services/index.js';
import type { NatsConnectOptions, Services } from '../../harness/services/index.js';
import { freePort } from '../../harness/services/free-port.js';

// The kit's own deployments shorten ack_wait so a kill -9 is redelivered in seconds, not 30 s.
export const KIT_DEPLOYMENT_ACK_WAIT_MS = 2000;

/**
 * ack_wait for the kill -9 runs on the kit's own deployment: each kill waits about this long for
 * redelivery. Those runs are serial and a few tens of messages, so four times the projection lag
 * p95 seen under the concurrent properties leaves a projector ample time to handle what it holds
 * (an ack_wait too short only redelivers, which a correct projector deduplicates).
 */
export function killAckWaitMs(lagP95Ms: number | undefined): number {
  if (lagP95Ms === undefined) return KIT_DEPLOYMENT_ACK_WAIT_MS;
  return Math.min(KIT_DEPLOYMENT_ACK_WAIT_MS, Math.max(500, Math.ceil(4 * lagP95Ms)));
}

/** `continuum-kit ref projector` of this copy of the kit, services from NATS_URL, DATABASE_URL, VALKEY_URL. */
export function referenceProjectorCmd(extra: readonly string[] = []): string {
  return kitCommandLine(['ref', 'projector', '--metrics-port', '0', '--log-level', 'warn', ...extra]);
}

/** Creates the durable consumer with the short ack_wait of the kit's own deployments. */
export async function shortAckConsumer(natsUrl: string, natsConnect: NatsConnectOptions): Promise<void> {
  const nc = await connectNats(natsUrl, natsConnect);
  try {
    await ensureDurableConsumer(await jetstreamManager(nc), { ackWaitMs: KIT_DEPLOYMENT_ACK_WAIT_MS });
  } finally {
    await nc.close();
  }
}

/**
 * The reference producer as a child with its driver endpoint on a free loopback port; resolves
 * once the driver answers.
 *
 * @throws ChildProcessError when the producer exits or its driver does not answer within 30 s.
 */
export async function startReferenceProducer(
  services: Services,
): Promise<{ url: string; process: SupervisedChild }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-ref-producer-'));
  const child = new SupervisedChild({
    name: 'reference producer',
    command: kitCommandLine([
      'ref',
      'producer',
      '--nats',
      services.natsUrl,
      '--pg',
      services.pgUrl,
      '--valkey',
      services.valkeyUrl,
      '--driver-port',
      String(port),
      '--db',
      path.join(dir, 'producer.sqlite'),
      '--log-level',
      'warn',
    ]),
    env: process.env,
    logFile: path.join(dir, 'producer.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  child.start();
  try {
    await child.waitReady(
      async () => (await fetch(`${url}/status`, { signal: AbortSignal.timeout(1000) })).ok,
      30_000,
      `answer on its driver endpoint ${url}`,
    );
  } catch (error) {
    await child.close();
    throw error instanceof ChildProcessError
      ? error
      : new ChildProcessError(CHILD_ERROR_CODES.notReady, String(error), { cause: error });
  }
  return { url, process: child };
}
