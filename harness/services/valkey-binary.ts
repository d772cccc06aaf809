import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { BinaryServer } from './binary-server.js';
import { freePort } from './free-port.js';
import { valkeyProbe } from './probes.js';

/** `valkey-server` (or `redis-server`) on a free loopback port, with persistence off. */
export async function valkeyBinary(options: {
  binary: string;
  dir: string;
  readyTimeoutMs: number;
  logger: Logger;
}): Promise<BinaryServer> {
  const port = await freePort();
  const dataDir = path.join(options.dir, 'valkey');
  await mkdir(dataDir, { recursive: true });
  const url = `redis://127.0.0.1:${port}`;
  return new BinaryServer({
    service: 'valkey',
    url,
    port,
    spec: {
      name: path.basename(options.binary),
      command: options.binary,
      // Cache and coordination state only: a restart starts empty, like a lost Valkey node.
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dataDir,
      ],
      stopSignal: 'SIGTERM',
      exitSignal: 'SIGKILL',
      logger: options.logger,
    },
    probe: valkeyProbe(url),
    readyTimeoutMs: options.readyTimeoutMs,
  });
}
