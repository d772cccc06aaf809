import { readFile } from 'node:fs/promises';
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';

/** How to authenticate and secure a NATS connection (flags --nats-creds, --nats-tls-*). */
export interface NatsConnectOptions {
  /** A NATS .creds file (JWT + nkey seed) for decentralized auth. */
  credsFile?: string;
  /** Client certificate, key and CA for TLS / mTLS. */
  tls?: { certFile?: string; keyFile?: string; caFile?: string };
  /**
   * Root of the connection's reply inboxes (nats.js `inboxPrefix`): on a secured bus each role has
   * its own, which other tenants may not subscribe to (asyncapi.yaml x-security.inbox_prefixes).
   */
  inboxPrefix?: string;
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** Connect timeout; default 5000 ms. */
  timeoutMs?: number;
  /** Any further nats.js options; applied last. */
  connection?: Omit<NodeConnectionOptions, 'servers'>;
}

/**
 * Connects to `url` (comma-separated for a cluster) with the given credentials and TLS files.
 * The caller owns the connection and must `close()` or `drain()` it.
 */
export async function connectNats(url: string, options: NatsConnectOptions = {}): Promise<NatsConnection> {
  const connectOptions: NodeConnectionOptions = {
    servers: url.split(',').map((server) => server.trim()),
    timeout: options.timeoutMs ?? 5000,
  };
  if (options.name !== undefined) connectOptions.name = options.name;
  if (options.inboxPrefix !== undefined) connectOptions.inboxPrefix = options.inboxPrefix;
  if (options.credsFile !== undefined) {
    connectOptions.authenticator = credsAuthenticator(await readFile(options.credsFile));
  }
  if (options.tls !== undefined) {
    const { certFile, keyFile, caFile } = options.tls;
    connectOptions.tls = {
      ...(certFile === undefined ? {} : { certFile }),
      ...(keyFile === undefined ? {} : { keyFile }),
      ...(caFile === undefined ? {} : { caFile }),
    };
  }
  return connect({ ...connectOptions, ...options.connection });
}
