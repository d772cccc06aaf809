/**
 * The pure projection model (the oracle): what PostgreSQL must hold after a set of events,
 * following asyncapi.yaml `x-event-semantics` and `x-delivery`. No I/O; the reference
 * projector and the conformance kit compare real tables against it.
 */

import { canonicalSourceTs, compareOrderingKey } from './ordering.js';

// Kept for callers that imported it from here first; lib/ordering.ts owns it.
export { canonicalSourceTs };

/** The fields of an episode event the model reads (structurally an `EpisodeEvent`). */
export interface ModelEvent {
  event_id: string;
  event_type: string;
  tenant_id: string;
  agent_id: string;
  episode_id: string;
  source_ts: string;
  payload: {
    content_ref: string;
    summary?: string;
    tags: string[];
    embedding_ref?: string;
    metadata: Record<string, unknown>;
  };
}

/** One row of `arqonbus_continuum_projection` (without `updated_at`, which is wall-clock). */
export interface ProjectionRow {
  tenant_id: string;
  agent_id: string;
  episode_id: string;
  event_type: string;
  content_ref: string;
  summary: string | null;
  tags: string[];
  embedding_ref: string | null;
  metadata: Record<string, unknown>;
  last_event_id: string;
  /** Canonical instant: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fractional digits). */
  last_event_ts: string;
  deleted: boolean;
}

/** The upsert key of a projection row. */
export interface ProjectionKey {
  tenant_id: string;
  agent_id: string;
  episode_id: string;
}

/**
 * What applying one event did: `applied` changed the row (its fields, or its deleted flag);
 * `stale` changed nothing because a greater event is already projected (CT-4.stale);
 * `duplicate` was already seen under its idempotency key (CT-4.dedup).
 */
export type ApplyOutcome = 'applied' | 'stale' | 'duplicate';

function rowKey(t: string, a: string, e: string): string {
  // ids cannot contain NUL, so the join is unambiguous.
  return `${t}\u0000${a}\u0000${e}`;
}

/**
 * In-memory projection following the contract's semantics. Rows are keyed by
 * (tenant_id, agent_id, episode_id); fields are those of the greatest event by ordering key;
 * `deleted` is the OR of every applied `episode.deleted`. The final rows do not depend on
 * arrival order or duplication.
 */
export class ProjectionModel {
  readonly #rows = new Map<string, ProjectionRow>();
  readonly #seen = new Set<string>();

  /** Applies one event and reports what it did. */
  apply(event: ModelEvent): ApplyOutcome {
    const dedupKey = rowKey(event.tenant_id, event.agent_id, event.event_id);
    if (this.#seen.has(dedupKey)) return 'duplicate';
    this.#seen.add(dedupKey);

    const key = rowKey(event.tenant_id, event.agent_id, event.episode_id);
    const ts = canonicalSourceTs(event.source_ts);
    const isDelete = event.event_type === 'episode.deleted';
    const current = this.#rows.get(key);
    if (current === undefined) {
      this.#rows.set(key, toRow(event, ts, isDelete));
      return 'applied';
    }
    const greater =
      compareOrderingKey(
        { source_ts: ts, event_id: event.event_id },
        { source_ts: current.last_event_ts, event_id: current.last_event_id },
      ) > 0;
    if (greater) {
      this.#rows.set(key, toRow(event, ts, current.deleted || isDelete));
      return 'applied';
    }
    if (isDelete && !current.deleted) {
      // An older delete is still final: it sets the flag but leaves the fields (CT-4.delete).
      current.deleted = true;
      return 'applied';
    }
    return 'stale';
  }

  /** Whether an event with this idempotency key has been applied (or seen as stale). */
  has(tenantId: string, agentId: string, eventId: string): boolean {
    return this.#seen.has(rowKey(tenantId, agentId, eventId));
  }

  /** One row, or undefined when no event for the key has been applied. A copy. */
  row(key: ProjectionKey): ProjectionRow | undefined {
    const r = this.#rows.get(rowKey(key.tenant_id, key.agent_id, key.episode_id));
    return r === undefined ? undefined : copyRow(r);
  }

  /** Every row, sorted by (tenant_id, agent_id, episode_id) in byte order. Copies. */
  rows(): ProjectionRow[] {
    return [...this.#rows.values()]
      .map(copyRow)
      .sort(
        (x, y) =>
          byteOrder(x.tenant_id, y.tenant_id) ||
          byteOrder(x.agent_id, y.agent_id) ||
          byteOrder(x.episode_id, y.episode_id),
      );
  }
}

function toRow(e: ModelEvent, ts: string, deleted: boolean): ProjectionRow {
  return {
    tenant_id: e.tenant_id,
    agent_id: e.agent_id,
    episode_id: e.episode_id,
    event_type: e.event_type,
    content_ref: e.payload.content_ref,
    summary: e.payload.summary ?? null,
    tags: [...e.payload.tags],
    embedding_ref: e.payload.embedding_ref ?? null,
    metadata: { ...e.payload.metadata },
    last_event_id: e.event_id,
    last_event_ts: ts,
    deleted,
  };
}

function copyRow(r: ProjectionRow): ProjectionRow {
  return { ...r, tags: [...r.tags], metadata: { ...r.metadata } };
}

function byteOrder(a: string, b: string): number {
  return Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}
