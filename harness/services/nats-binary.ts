import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { BinaryServer } from './binary-server.js';
import { freePort } from './free-port.js';
import type { NatsConnectOptions } from './connect-nats.js';
import { natsProbe } from './probes.js';

/** `nats-server -js` on a free loopback port, storing JetStream data under `dir/nats`. */
export async function natsBinary(options: {
  binary: string;
  dir: string;
  /** e.g. ['-c', 'tls.conf'] for TLS or auth; the probe then connects with `connect`. */
  extraArgs: readonly string[];
  connect: NatsConnectOptions;
  readyTimeoutMs: number;
  logger: Logger;
}): Promise<BinaryServer> {
  const port = await freePort();
  const storeDir = path.join(options.dir, 'nats');
  await mkdir(storeDir, { recursive: true });
  const url = `nats://127.0.0.1:${port}`;
  return new BinaryServer({
    service: 'nats',
    url,
    port,
    spec: {
      name: 'nats-server',
      command: options.binary,
      args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...options.extraArgs],
      stopSignal: 'SIGTERM',
      exitSignal: 'SIGKILL',
      logger: options.logger,
    },
    probe: natsProbe(url, options.connect, true),
    readyTimeoutMs: options.readyTimeoutMs,
  });
}
