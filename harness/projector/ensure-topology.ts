import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { CONTRACT, MIGRATION_SQL } from 'continuum-contract';
import { streamConfig } from '../services/ensure-streams.js';

/**
 * What the projector needs before it starts: the episode and DLQ streams (created when
 * missing, never changed) and the projection tables (the idempotent generated migration).
 * The full provisioning lives in `continuum-kit provision`; this is the projector's minimum.
 */
export async function ensureProjectorTopology(nc: NatsConnection, pool: pg.Pool): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const s of Object.values(CONTRACT.streams)) {
    const exists = await jsm.streams.info(s.name).then(
      () => true,
      () => false,
    );
    if (!exists) await jsm.streams.add(streamConfig(s));
  }
  await pool.query(MIGRATION_SQL);
}
