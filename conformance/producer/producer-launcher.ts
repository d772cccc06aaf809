import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { kitCommand, SupervisedChild } from '../../harness/child/index.js';

/** A producer the kit started: its driver endpoint, its log, and how to stop it. */
export interface LaunchedProducer {
  driverUrl: string;
  /** Exit codes of its processes that ended on their own. */
  exited(): { code: number | null; signal: NodeJS.Signals | null }[];
  /** The last lines of its stdout/stderr. */
  logTail(lines?: number): string;
  close(): Promise<void>;
}

/** Starts a producer whose bus is at `natsUrl` (the kit may hand it a bus that is down). */
export type ProducerLauncher = (natsUrl: string) => Promise<LaunchedProducer>;

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

function kitArgv(): string[] {
  const { file, args } = kitCommand([]);
  return [file, ...args];
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

/**
 * A launcher for a producer command template (`--producer-cmd`): `{nats_url}`, `{driver_port}`
 * and `{db}` (a fresh store file) are substituted, shell-quoted, before it runs under `sh -c`.
 */
export function commandLauncher(template: string, env: NodeJS.ProcessEnv = process.env): ProducerLauncher {
  return async (natsUrl) => {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-producer-'));
    const logFile = path.join(dir, 'producer.log');
    const command = template
      .replaceAll('{nats_url}', quote(natsUrl))
      .replaceAll('{driver_port}', String(port))
      .replaceAll('{db}', quote(path.join(dir, 'producer.sqlite')));
    const child = new SupervisedChild({ name: 'producer', command, env, logFile });
    child.start();
    return {
      driverUrl: `http://127.0.0.1:${port}`,
      exited: () => child.unexpectedExits.map((e) => ({ code: e.code, signal: e.signal })),
      logTail: (lines = 20) => child.logTail().slice(-lines).join('\n'),
      close: () => child.close(),
    };
  };
}

/**
 * The reference producer's command template (`continuum-kit ref producer`) for `services`;
 * `cli` is how to run continuum-kit (default: this copy of the kit, from source, dist or the
 * installed package; see harness/child/kit-command.ts).
 */
export function referenceProducerTemplate(
  services: { pgUrl: string; valkeyUrl: string },
  cli: readonly string[] = kitArgv(),
): string {
  return [
    ...cli.map(quote),
    'ref producer --nats {nats_url} --driver-port {driver_port} --db {db} --log-level warn',
    `--pg ${quote(services.pgUrl)} --valkey ${quote(services.valkeyUrl)}`,
  ].join(' ');
}
