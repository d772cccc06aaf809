import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../logger.js';
import { BinaryServer } from '../services/binary-server.js';
import { findBinary } from '../services/find-binary.js';
import { freePort } from '../services/free-port.js';
import { natsProbe } from '../services/probes.js';
import { SERVICE_ERROR_CODES, ServiceError } from '../services/service-error.js';

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /** Nodes in the cluster; default 3 (a replicated stream of 3 survives one node down). */
  nodes?: number;
  /** nats-server binary; default the one on PATH. */
  binary?: string;
  /** Parent of the cluster's temp dir; default os.tmpdir(). */
  tmpRoot?: string;
  /** Bound on each node answering JetStream; default 30000 ms. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

/**
 * A JetStream cluster of nats-server processes on free loopback ports, each with its own store
 * dir, so that a node can be killed and restarted with its state (fault injection).
 */
export interface NatsCluster extends AsyncDisposable {
  /** Client URLs, comma-separated: pass to connectNats (it splits them). */
  readonly url: string;
  readonly urls: readonly string[];
  readonly size: number;
  /** Pids of running nodes (undefined for a stopped one). */
  readonly pids: readonly (number | undefined)[];
  /** SIGKILL (default) or SIGTERM node `i`; its store dir stays. */
  killNode(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts node `i` again on the same ports and store; resolves when it answers JetStream. */
  restartNode(i: number): Promise<void>;
  /** True while node `i` runs. */
  running(i: number): boolean;
  stop(): Promise<void>;
}

/**
 * Starts an N-node (default 3) JetStream cluster from the nats-server binary. Streams made with
 * `num_replicas: 3` (provision({ replicas: 3 })) then survive the loss of any one node.
 *
 * @throws ServiceError `SERVICES_UNAVAILABLE` when nats-server is not on PATH;
 *   `SERVICE_NOT_READY` / `SERVICE_EXITED` when a node does not come up (all are stopped).
 * @example
 * await using cluster = await startNatsCluster();
 * const nc = await connectNats(cluster.url);
 * await cluster.killNode(1);
 * await cluster.restartNode(1);
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.nodes ?? 3;
  const logger = options.logger ?? silentLogger;
  const binary = options.binary ?? findBinary('nats-server', process.env);
  if (binary === undefined) {
    throw new ServiceError(
      SERVICE_ERROR_CODES.unavailable,
      'nats-server not found on PATH: cannot start a NATS cluster',
      {
        service: 'nats',
      },
    );
  }
  const dir = await mkdtemp(path.join(options.tmpRoot ?? os.tmpdir(), 'ck-nats-cluster-'));
  const ports = await Promise.all(
    Array.from({ length: size }, async () => [await freePort(), await freePort()] as const),
  );
  const routes = ports.map(([, cluster]) => `nats://127.0.0.1:${cluster}`).join(',');
  const urls = ports.map(([client]) => `nats://127.0.0.1:${client}`);
  const clusterName = `ck_${path
    .basename(dir)
    .slice(-6)
    .replace(/[^A-Za-z0-9]/g, '_')}`;
  const servers: BinaryServer[] = [];
  for (const [i, [client, cluster]] of ports.entries()) {
    const storeDir = path.join(dir, `n${i}`);
    await mkdir(storeDir, { recursive: true });
    servers.push(
      new BinaryServer({
        service: 'nats',
        url: urls[i] as string,
        port: client,
        spec: {
          name: `nats-server n${i}`,
          command: binary,
          // prettier-ignore
          args: ['-js', '-a', '127.0.0.1', '-p', String(client), '-sd', storeDir, '-n', `${clusterName}_n${i}`,
            '--cluster_name', clusterName, '--cluster', `nats://127.0.0.1:${cluster}`, '--routes', routes],
          stopSignal: 'SIGTERM',
          exitSignal: 'SIGKILL',
          logger,
        },
        probe: natsProbe(urls[i] as string, {}, true),
        readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
      }),
    );
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await rm(dir, { recursive: true, force: true });
      logger.info({ dir }, 'nats cluster stopped');
    })());
  // All at once: JetStream answers only once a meta leader has a quorum of nodes.
  const started = await Promise.allSettled(servers.map((s) => s.start()));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  logger.info({ urls }, 'nats cluster ready');
  const node = (i: number): BinaryServer => {
    const s = servers[i];
    if (s === undefined) throw new RangeError(`no node ${i} in a ${size}-node cluster`);
    return s;
  };
  return {
    url: urls.join(','),
    urls,
    size,
    get pids() {
      return servers.map((s) => s.pid);
    },
    killNode: (i, signal = 'SIGKILL') => node(i).stop(signal),
    restartNode: (i) => node(i).start(),
    running: (i) => node(i).running,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
