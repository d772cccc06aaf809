import { canonicalSourceTs, type EpisodeEvent } from 'continuum-contract';

/** A decoded event ready for the projection statements. */
export interface PreparedEvent {
  event: EpisodeEvent;
  /** source_ts in canonical form (six fractional digits). */
  ts: string;
  /** 'tenant/agent/episode': the upsert key ('/' cannot occur in an id). */
  rowKey: string;
  /** The event's contract fields as stored in the events table's jsonb column. */
  json: string;
}

/**
 * The event's contract fields only: consumers ignore unknown fields (x-unknown-fields), so they
 * are neither checked for storability nor stored, and cannot break the row whatever they hold.
 */
export function contractFields(event: EpisodeEvent): EpisodeEvent {
  const p = event.payload;
  return {
    event_id: event.event_id,
    event_type: event.event_type,
    tenant_id: event.tenant_id,
    agent_id: event.agent_id,
    episode_id: event.episode_id,
    source_ts: event.source_ts,
    schema_version: event.schema_version,
    payload: {
      content_ref: p.content_ref,
      ...(p.summary === undefined ? {} : { summary: p.summary }),
      tags: [...p.tags],
      ...(p.embedding_ref === undefined ? {} : { embedding_ref: p.embedding_ref }),
      metadata: { ...p.metadata },
    },
  };
}

/**
 * Why a schema-valid event still cannot be stored in PostgreSQL, or undefined. Looks at the
 * contract fields only (at most three levels deep), never at unknown fields.
 */
export function unprojectableReason(event: EpisodeEvent): string | undefined {
  // PostgreSQL has no year 0 (1 BC); the schema's pattern allows '0000'.
  if (event.source_ts.startsWith('0000-')) return 'source_ts year 0000 is outside PostgreSQL timestamptz';
  const bad = findUnstorable(contractFields(event), '$');
  return bad === undefined
    ? undefined
    : `${bad}: U+0000 or a lone surrogate, which PostgreSQL text/jsonb cannot store`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function findUnstorable(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return v.includes('\u0000') || LONE_SURROGATE.test(v) ? path : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findUnstorable(v[i], `${path}[${i}]`);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const r = findUnstorable(k, `${path}.<key>`) ?? findUnstorable(x, `${path}.${k}`);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** Prepares a decoded, storable event: its contract fields, as projected and stored. */
export function prepareEvent(decoded: EpisodeEvent): PreparedEvent {
  const event = contractFields(decoded);
  return {
    event,
    ts: canonicalSourceTs(event.source_ts),
    rowKey: `${event.tenant_id}/${event.agent_id}/${event.episode_id}`,
    json: JSON.stringify(event),
  };
}
