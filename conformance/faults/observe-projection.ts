import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type pg from 'pg';
import { CONTRACT, episodeSubject, PROJECTION_TABLES } from 'continuum-contract';
import { connectNats, type NatsConnectOptions } from '../../harness/services/connect-nats.js';
import type { ObservedRow } from '../target/observation.js';

/** An events-table record of the run's tenant. */
export interface ProjectedEvent {
  event_id: string;
  projectedAtMs: number;
  outcome: string | null;
}

// The same row shape, with the same canonical timestamps, as the conformance observer reads.
const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** event_id -> its record in arqonbus_continuum_projection_events, for one tenant and agent. */
export async function projectedEvents(
  pool: pg.Pool,
  tenantId: string,
  agentId: string,
): Promise<Map<string, ProjectedEvent>> {
  const r = await pool.query<{ event_id: string; ms: string; outcome: string | null }>(
    `SELECT event_id, (extract(epoch FROM projected_at) * 1000)::float8 AS ms, outcome
       FROM ${PROJECTION_TABLES.events} WHERE tenant_id = $1 AND agent_id = $2`,
    [tenantId, agentId],
  );
  return new Map(
    r.rows.map((x) => [
      x.event_id,
      { event_id: x.event_id, projectedAtMs: Number(x.ms), outcome: x.outcome },
    ]),
  );
}

/** How many events of the tenant are recorded (cheap, for recovery polling). */
export async function projectedCount(pool: pg.Pool, tenantId: string, agentId: string): Promise<number> {
  const r = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${PROJECTION_TABLES.events} WHERE tenant_id = $1 AND agent_id = $2`,
    [tenantId, agentId],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** The run's projection rows, as the conformance checks read them (`ObservedRow`). */
export async function projectionRows(
  pool: pg.Pool,
  tenantId: string,
  agentId: string,
): Promise<ObservedRow[]> {
  const r = await pool.query<ObservedRow>(
    `SELECT tenant_id, agent_id, episode_id, event_type, content_ref, summary, tags, embedding_ref, metadata,
            last_event_id, to_char(last_event_ts AT TIME ZONE 'UTC', ${TS}) AS last_event_ts, deleted,
            to_char(updated_at AT TIME ZONE 'UTC', ${TS}) AS updated_at
       FROM ${PROJECTION_TABLES.projection} WHERE tenant_id = $1 AND agent_id = $2`,
    [tenantId, agentId],
  );
  return r.rows;
}

/** event_id -> number of copies stored on the episode stream under the tenant's subject. */
export async function streamCopies(
  natsUrl: string,
  tenantId: string,
  agentId: string,
  connect: NatsConnectOptions = {},
): Promise<Map<string, number>> {
  const nc = await connectNats(natsUrl, connect);
  try {
    const stream = CONTRACT.streams.episodes.name;
    const subject = episodeSubject(tenantId, agentId);
    const info = await (await jetstreamManager(nc)).streams.info(stream, { subjects_filter: subject });
    const expected = info.state.subjects?.[subject] ?? 0;
    const copies = new Map<string, number>();
    if (expected === 0) return copies;
    const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject });
    for (let seen = 0, empty = 0; seen < expected && empty < 5;) {
      const batch = await consumer.fetch({ max_messages: Math.min(1000, expected - seen), expires: 2000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        const id = (m.json<{ event_id?: unknown }>().event_id as string | undefined) ?? `seq:${m.seq}`;
        copies.set(id, (copies.get(id) ?? 0) + 1);
      }
      seen += got;
      empty = got === 0 ? empty + 1 : 0;
    }
    return copies;
  } finally {
    await nc.close();
  }
}
