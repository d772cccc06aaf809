import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { CONTRACT } from '../../lib/index.js';
import { connectNats } from '../../harness/services/index.js';
import type { NatsConnectOptions, Services } from '../../harness/services/index.js';
import { ProjectorProcess } from '../target/projector-process.js';

/** How `--target reference` runs the reference projector and producer as children. */
// Reference runs shorten ack_wait so a kill -9 is redelivered in seconds, not 30 s.
export const REFERENCE_ACK_WAIT_MS = 3000;

export function referenceProjectorCmd(): string {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  return [
    process.execPath,
    ...process.execArgv,
    process.argv[1] ?? 'continuum-kit',
    'ref',
    'projector',
    '--metrics-port',
    '0',
    '--log-level',
    'warn',
  ]
    .map(quote)
    .join(' ');
}

export async function shortAckConsumer(natsUrl: string, natsConnect: NatsConnectOptions): Promise<void> {
  const nc = await connectNats(natsUrl, natsConnect);
  try {
    const jsm = await jetstreamManager(nc);
    const c = CONTRACT.consumer;
    await jsm.consumers.add(CONTRACT.streams.episodes.name, {
      durable_name: c.durable_name,
      filter_subject: c.filter_subject,
      max_ack_pending: c.max_ack_pending,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(REFERENCE_ACK_WAIT_MS),
    });
  } finally {
    await nc.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** The reference producer as a child with its driver endpoint on a free loopback port. */
export async function startReferenceProducer(
  services: Services,
): Promise<{ url: string; process: ProjectorProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-ref-producer-'));
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [
    process.execPath,
    ...process.execArgv,
    process.argv[1] ?? 'continuum-kit',
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
  ]
    .map(quote)
    .join(' ');
  const child = new ProjectorProcess({
    command,
    instances: 1,
    env: process.env,
    logFile: path.join(dir, 'producer.log'),
  });
  child.start();
  return { url: `http://127.0.0.1:${port}`, process: child };
}
