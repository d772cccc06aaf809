import os from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { CONTRACT, MIGRATION_SQL, PROJECTION_TABLES } from 'continuum-contract';
import { silentLogger, type Logger } from './logger.js';
import { connectNats, type NatsConnectOptions } from './services/connect-nats.js';
import { ensureStreams, type StreamAction, type StreamSpec } from './services/ensure-streams.js';
import { natsProbe, postgresProbe, valkeyProbe, type Probe } from './services/probes.js';
import { redactUrl } from './services/redact-url.js';
import {
  SERVICE_ERROR_CODES,
  SERVICE_LABELS,
  ServiceError,
  type ServiceName,
} from './services/service-error.js';
import { waitUntilReady } from './services/wait-until-ready.js';

export { connectNats } from './services/connect-nats.js';
export type { NatsConnectOptions } from './services/connect-nats.js';
export type { StreamAction } from './services/ensure-streams.js';

/** Where to provision. A {@link Services} object fits as is: `provision(services)`. */
export interface ProvisionOptions {
  natsUrl: string;
  pgUrl: string;
  /** Only checked to answer (Valkey needs no setup); skipped when absent. */
  valkeyUrl?: string;
  natsConnect?: NatsConnectOptions;
  /**
   * The accounts whose streams to lay out, as connect options of each account's admin (an
   * account per tenant, x-security.accounts); default the one account `natsConnect` reaches.
   */
  natsAccounts?: readonly NatsConnectOptions[] | undefined;
  /** Recorded in the audit row; default the OS user name. */
  actor?: string;
  /** Stream replicas; default the contract's `replicas` (1). Use 3 on a 3-node cluster. */
  replicas?: number;
  /** How long each service may take to answer; default 5000 ms. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/** What {@link provision} created or found. */
export interface ProvisionReport {
  /** Per account laid out; `account` is its admin's connection name when accounts were given. */
  streams: { name: string; action: StreamAction; account?: string }[];
  tables: { name: string; action: 'created' | 'found' }[];
  valkey: 'reachable' | 'not given';
  /** audit_id of the row written to arqonbus_continuum_audit. */
  auditId: string;
}

// Serializes whole provision runs (streams included) against one database; the migration takes
// its own transaction lock too.
const PROVISION_LOCK = 7203114002;
const TABLES = Object.keys(CONTRACT.projection.tables);

async function reachable(service: ServiceName, url: string, probe: Probe, timeoutMs: number): Promise<void> {
  try {
    await waitUntilReady(probe, {
      service,
      description: `${SERVICE_LABELS[service]} at ${redactUrl(url)}`,
      timeoutMs,
    });
  } catch (error) {
    throw new ServiceError(SERVICE_ERROR_CODES.unreachable, (error as Error).message, {
      service,
      cause: error,
    });
  }
}

// userInfo() throws where the uid has no passwd entry (some containers).
function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid:${String(process.getuid?.() ?? 'unknown')}`;
  }
}

async function existingTables(client: pg.Client): Promise<Set<string>> {
  const result = await client.query<{ name: string }>(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)',
    [TABLES],
  );
  return new Set(result.rows.map((row) => row.name));
}

/**
 * Creates or updates the contract's JetStream streams and runs the PostgreSQL migration, then
 * writes an audit row (action 'provision'). Idempotent, and safe to run concurrently (advisory
 * lock). A failed stream step is audited with outcome 'failed' before it is rethrown.
 *
 * @throws ServiceError `SERVICE_UNREACHABLE` when a service does not answer, `PROVISION_FAILED`
 *   when a stream cannot be brought to the contract's config.
 * @example
 * const report = await provision({ natsUrl: 'nats://127.0.0.1:4222', pgUrl: process.env.DATABASE_URL! });
 */
export async function provision(options: ProvisionOptions): Promise<ProvisionReport> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const natsConnect = options.natsConnect ?? {};
  await Promise.all([
    reachable('nats', options.natsUrl, natsProbe(options.natsUrl, natsConnect, false), timeoutMs),
    reachable('pg', options.pgUrl, postgresProbe(options.pgUrl), timeoutMs),
    options.valkeyUrl === undefined
      ? undefined
      : reachable('valkey', options.valkeyUrl, valkeyProbe(options.valkeyUrl), timeoutMs),
  ]);
  const client = new pg.Client({ connectionString: options.pgUrl, connectionTimeoutMillis: timeoutMs });
  await client.connect();
  const params = {
    nats: redactUrl(options.natsUrl),
    pg: redactUrl(options.pgUrl),
    streams: Object.values(CONTRACT.streams).map((stream) => stream.name),
    replicas: options.replicas ?? null,
    spec_hash: CONTRACT.specHash,
  };
  const audit = async (outcome: 'ok' | 'failed', detail: string | null): Promise<string> => {
    const result = await client.query<{ audit_id: string }>(
      `INSERT INTO ${PROJECTION_TABLES.audit} (actor, action, params, outcome, detail)
       VALUES ($1, 'provision', $2, $3, $4) RETURNING audit_id`,
      [options.actor ?? osUser(), JSON.stringify(params), outcome, detail],
    );
    return String(result.rows[0]?.audit_id);
  };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PROVISION_LOCK]);
    const before = await existingTables(client);
    await client.query(MIGRATION_SQL);
    const tables = TABLES.map((name) => ({
      name,
      action: before.has(name) ? ('found' as const) : ('created' as const),
    }));
    let streams: ProvisionReport['streams'];
    try {
      streams = [];
      for (const account of options.natsAccounts ?? [undefined]) {
        const laid = await layOutStreams(options, account, timeoutMs, logger);
        streams.push(...laid.map((s) => (account?.name === undefined ? s : { ...s, account: account.name })));
      }
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : new ServiceError(
              SERVICE_ERROR_CODES.provisionFailed,
              `JetStream at ${params.nats}: ${(error as Error).message}${/not enabled/i.test((error as Error).message) ? ' (start nats-server with -js)' : ''}`,
              {
                service: 'nats',
                cause: error,
              },
            );
      await audit('failed', failure.message.slice(0, 4096));
      throw failure;
    }
    const auditId = await audit('ok', null);
    logger.info({ streams, tables, auditId }, 'provisioned');
    return { streams, tables, valkey: options.valkeyUrl === undefined ? 'not given' : 'reachable', auditId };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PROVISION_LOCK]).catch(() => {});
    await client.end().catch(() => {});
  }
}

/** The contract's streams in one account: `account`'s, or the one `options.natsConnect` reaches. */
async function layOutStreams(
  options: ProvisionOptions,
  account: NatsConnectOptions | undefined,
  timeoutMs: number,
  logger: Logger,
): Promise<{ name: string; action: StreamAction }[]> {
  const connect = account ?? options.natsConnect ?? {};
  const nc = await connectNats(options.natsUrl, { ...connect, name: 'continuum-kit provision' });
  try {
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    const specs: StreamSpec[] = Object.values(CONTRACT.streams);
    return await ensureStreams(jsm, specs, {
      logger,
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
    });
  } finally {
    await nc.close();
  }
}
