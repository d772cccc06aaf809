import type { Logger } from '../logger.js';
import type { NatsConnectOptions } from './connect-nats.js';
import type { SecureDeployment, SecureNatsRequest } from './secure-nats-service.js';
import type { ServiceName } from './service-error.js';

/** Where a service came from, in resolution order. */
export type Origin = 'flag' | 'env' | 'binary' | 'container';

/** Options for {@link startServices}; every field is optional. */
export interface ServiceOptions {
  /** NATS URL from a flag (`--nats`); wins over the environment. */
  nats?: string;
  /** PostgreSQL URL from a flag (`--pg`). */
  pg?: string;
  /** Valkey/Redis URL from a flag (`--valkey`). */
  valkey?: string;
  /** Credentials and TLS for NATS connections (probes use them; callers pass them to connectNats). */
  natsConnect?: NatsConnectOptions;
  /** Environment read for NATS_URL, DATABASE_URL, VALKEY_URL, PATH, DOCKER_HOST; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Create a `ck_<random>` database on the resolved server, used as `pgUrl`, dropped at stop. */
  freshDatabase?: boolean;
  /** Default: silent. */
  logger?: Logger;
  /** Parent of the temp dir for started servers; default os.tmpdir(). */
  tmpRoot?: string;
  /** Bound on waiting for a started server (or container) to answer; default 30000 ms. */
  readyTimeoutMs?: number;
  /** Bound on waiting for a given URL to answer; default 5000 ms. */
  connectTimeoutMs?: number;
  /**
   * Services whose given URL (flag or environment) is taken without checking that it answers:
   * a client that must start while that service is down (the producer and the bus, CT-6.local-writes).
   */
  unprobed?: readonly ServiceName[];
  /** Which sources may be used, in the fixed order flag, env, binary, container; default all. */
  sources?: readonly Origin[];
  /**
   * Extra arguments for a started nats-server, e.g. `['-c', 'tls.conf']` for TLS or auth (the
   * config must not set the port or store dir). Its readiness probe connects with `natsConnect`.
   */
  natsArgs?: readonly string[];
  /** Dirs searched for `<version>/bin/{initdb,postgres}` before PATH; default ['/usr/lib/postgresql']. */
  postgresRoots?: readonly string[];
  /**
   * Start NATS with `startSecureNats` (generated mTLS certificates or JWTs, each tenant's producer
   * confined to its own subjects) instead of resolving it; needs the `binary` source. A server we
   * did not start cannot be secured by us: with a `nats` flag, NATS_URL (when `env` is a source),
   * `natsArgs` or `natsConnect` this fails with ServiceError `SERVICE_OPTIONS_CONFLICT`.
   */
  secure?: SecureNatsRequest;
}

/**
 * NATS, PostgreSQL and Valkey, resolved and ready. `stop()` (or `await using`) stops only what
 * this layer started and removes its temp dir; it is idempotent.
 *
 * Fault hooks act on servers started here from binaries (same port and data dir across a
 * restart, so URLs stay valid and JetStream state survives; secure NATS keeps its keys and
 * permissions too); on any other origin they throw ServiceError `FAULT_UNSUPPORTED`.
 */
export interface Services extends AsyncDisposable {
  readonly natsUrl: string;
  readonly pgUrl: string;
  readonly valkeyUrl: string;
  /** Pass to connectNats(natsUrl, natsConnect). With `secure`: the unrestricted admin credential. */
  readonly natsConnect: NatsConnectOptions;
  /** With `secure`: the deployment's CA and credentials (admin, projector, one per tenant). */
  readonly secure: SecureDeployment | undefined;
  /**
   * With `secure` and an account per tenant: each tenant account's admin, so that
   * `provision(services)` lays out the streams of every account; else undefined.
   */
  readonly natsAccounts?: readonly NatsConnectOptions[] | undefined;
  readonly origin: Readonly<Record<ServiceName, Origin>>;
  /** The fresh database's name when `freshDatabase` was set. */
  readonly database: string | undefined;
  /** Pids of the servers started here that are running now. */
  readonly pids: Readonly<Partial<Record<ServiceName, number>>>;
  stop(): Promise<void>;
  /** Stops nats-server (SIGTERM, or `signal`: SIGKILL for a crash). */
  stopNats(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and store dir; resolves when JetStream answers. */
  startNats(): Promise<void>;
  /**
   * Terminates other client sessions (pg_terminate_backend) and returns how many: all of them
   * on a server started here, else only those on the fresh database.
   */
  killPostgresConnections(): Promise<number>;
  /** Fast shutdown (SIGINT), or `signal`: SIGQUIT/SIGKILL for a crash. */
  stopPostgres(signal?: NodeJS.Signals): Promise<void>;
  startPostgres(): Promise<void>;
  /** stopPostgres() then startPostgres(). */
  restartPostgres(): Promise<void>;
  /** Stops Valkey; it restarts empty (persistence is off), like a lost cache node. */
  stopValkey(signal?: NodeJS.Signals): Promise<void>;
  startValkey(): Promise<void>;
}
