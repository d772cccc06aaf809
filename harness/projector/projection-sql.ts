import { PROJECTION_TABLES } from 'continuum-contract';

/**
 * The projector's SQL. Every statement takes whole batches as unnest() arrays, so a batch costs
 * a handful of round trips whatever its size. The monotonic guard (CT-4.guard, CT-4.tie-break)
 * and the final delete (CT-4.delete) live in UPSERT_ROWS itself, so the table stays correct
 * whatever the application computed and however projectors interleave.
 */

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** Canonical text of a timestamptz column: microseconds, UTC, 'Z'. */
export function canonicalTsSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', ${TS})`;
}

/**
 * Session-level advisory locks on the batch's episode keys, taken in one sorted sweep (no
 * deadlock between projectors). Held across commit and the cache write, so that concurrent
 * projectors on the same episode serialise their outcome accounting and cache writes.
 * $1: text[] of 'tenant/agent/episode' ('/' cannot occur in an id).
 */
export const LOCK_KEYS = `
SELECT pg_advisory_lock(h) FROM (
  SELECT DISTINCT hashtextextended(k, 7203114002) AS h FROM unnest($1::text[]) AS k ORDER BY 1
) AS s`;

/** Releases the locks LOCK_KEYS took. $1 as for LOCK_KEYS. */
export const UNLOCK_KEYS = `
SELECT pg_advisory_unlock(h) FROM (
  SELECT DISTINCT hashtextextended(k, 7203114002) AS h FROM unnest($1::text[]) AS k
) AS s`;

/** Current rows for the batch's keys (read under the advisory locks, so exact). */
export const READ_ROWS = `
SELECT p.tenant_id, p.agent_id, p.episode_id, p.last_event_id,
       ${canonicalTsSql('p.last_event_ts')} AS last_event_ts, p.deleted
FROM ${PROJECTION_TABLES.projection} AS p
JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, agent_id, episode_id)
  USING (tenant_id, agent_id, episode_id)`;

/** Dedup (CT-4.dedup): only events not seen before come back. */
export const INSERT_EVENTS = `
INSERT INTO ${PROJECTION_TABLES.events}
  (tenant_id, agent_id, event_id, episode_id, event_type, source_ts, event, outcome)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[], $7::jsonb[], $8::text[])
ON CONFLICT (tenant_id, agent_id, event_id) DO NOTHING
RETURNING tenant_id, agent_id, event_id`;

/** Records the stale outcome of events INSERT_EVENTS recorded as applied. */
export const MARK_STALE = `
UPDATE ${PROJECTION_TABLES.events} AS e SET outcome = 'stale'
FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, agent_id, event_id)
WHERE e.tenant_id = k.tenant_id AND e.agent_id = k.agent_id AND e.event_id = k.event_id`;

const GREATER = `(excluded.last_event_ts, excluded.last_event_id COLLATE "C")
      > (p.last_event_ts, p.last_event_id COLLATE "C")`;

function guarded(column: string): string {
  return `${column} = CASE WHEN ${GREATER} THEN excluded.${column} ELSE p.${column} END`;
}

/**
 * One row per episode (the batch's greatest fresh event, deleted = OR of its fresh deletes).
 * ON CONFLICT DO UPDATE re-evaluates the WHERE on the latest row version, so the guard holds
 * under concurrent writers even without the advisory locks.
 */
export const UPSERT_ROWS = `
INSERT INTO ${PROJECTION_TABLES.projection} AS p
  (tenant_id, agent_id, episode_id, event_type, content_ref, summary, tags, embedding_ref,
   metadata, last_event_id, last_event_ts, deleted)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::jsonb[], $8::text[], $9::jsonb[], $10::text[], $11::timestamptz[],
                     $12::boolean[])
ON CONFLICT (tenant_id, agent_id, episode_id) DO UPDATE SET
  ${['event_type', 'content_ref', 'summary', 'tags', 'embedding_ref', 'metadata', 'last_event_id', 'last_event_ts'].map(guarded).join(',\n  ')},
  deleted = p.deleted OR excluded.deleted,
  updated_at = now()
WHERE ${GREATER} OR (excluded.deleted AND NOT p.deleted)
RETURNING tenant_id, agent_id, episode_id, content_ref, summary, tags, embedding_ref,
          last_event_id, ${canonicalTsSql('last_event_ts')} AS last_event_ts, deleted`;

/** DLQ rows (CT-6.dlq); dlq_id is derived from the stream sequence, so a redelivery adds nothing. */
export const INSERT_DLQ = `
INSERT INTO ${PROJECTION_TABLES.dlq}
  (dlq_id, reason, event, tenant_id, agent_id, clause_id, subject, raw, queued_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::timestamptz[])
ON CONFLICT (dlq_id) DO NOTHING`;
