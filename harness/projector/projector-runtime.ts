import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { INBOX_PREFIXES } from '../security/nats-permissions.js';
import { connectNats, type NatsConnectOptions } from '../services/index.js';
import { phaseBehaviour, type PhaseName } from './phase.js';
import { Projector } from './projector.js';
import { ProjectorMetrics } from './projector-metrics.js';

/** Where a projector process connects, and how it runs. */
export interface ProjectorRuntimeOptions {
  natsUrl: string;
  natsConnect: NatsConnectOptions;
  pgUrl: string;
  valkeyUrl: string;
  phase: PhaseName;
  metricsPort: number;
  logger: Logger;
  batchSize?: number;
  maxWaitMs?: number;
}

/** A projector with its own connections and /metrics endpoint; close() releases all of them. */
export interface ProjectorRuntime {
  projector: Projector;
  metrics: ProjectorMetrics;
  nc: NatsConnection;
  pool: pg.Pool;
  metricsUrl: string;
  close(): Promise<void>;
}

/**
 * Connects NATS, PostgreSQL and (in serving phases) Valkey, and builds the projector on them:
 * the wiring `ref projector` and `ref up` share. The projector is built, not started.
 */
export async function createProjectorRuntime(o: ProjectorRuntimeOptions): Promise<ProjectorRuntime> {
  // Its pulls carry every tenant's events: they arrive on an inbox root no tenant may subscribe to.
  const nc = await connectNats(o.natsUrl, {
    inboxPrefix: INBOX_PREFIXES.projector,
    ...o.natsConnect,
    name: 'continuum-projector',
  });
  const pool = new pg.Pool({ connectionString: o.pgUrl, max: 4 });
  pool.on('error', (err) => o.logger.warn({ err }, 'idle PostgreSQL client error'));
  const redis = phaseBehaviour(o.phase).serving
    ? new Redis(o.valkeyUrl, { maxRetriesPerRequest: 2, lazyConnect: false })
    : undefined;
  redis?.on('error', (err) => o.logger.warn({ err }, 'Valkey connection error'));
  const metrics = new ProjectorMetrics();
  const projector = new Projector({
    nc,
    pool,
    ...(redis !== undefined ? { redis } : {}),
    phase: o.phase,
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.maxWaitMs !== undefined ? { maxWaitMs: o.maxWaitMs } : {}),
    metrics,
    logger: o.logger,
  });
  const { server, port } = await metrics.serve(o.metricsPort);
  return {
    projector,
    metrics,
    nc,
    pool,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    async close() {
      server.close();
      await nc.drain().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await redis?.quit().catch(() => undefined);
    },
  };
}
