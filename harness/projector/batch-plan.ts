import type { PreparedEvent } from './prepared-event.js';

/** The guard-relevant state of a projection row. */
export interface RowState {
  ts: string;
  id: string;
  deleted: boolean;
}

/** What one batch will do: an outcome per fresh event and one upsert per touched episode. */
export interface BatchPlan {
  /** In the order of the input events. */
  outcomes: ('applied' | 'stale')[];
  /** Per episode: the greatest fresh event, and whether any fresh event was a delete. */
  upserts: { prepared: PreparedEvent; deleted: boolean }[];
}

function greater(ts: string, id: string, than: RowState): boolean {
  // Canonical timestamps order as instants; ids are ASCII, so '<' is byte order.
  return ts > than.ts || (ts === than.ts && id > than.id);
}

/**
 * Plans a batch of fresh (deduplicated) events against the rows as they stand, applying the
 * events in arrival order with the model's semantics (continuum-contract's ProjectionModel). The
 * outcomes are what a one-event-at-a-time projector would report; the upserts carry the guard
 * inputs the SQL statement enforces again by itself.
 */
export function planBatch(
  current: ReadonlyMap<string, RowState>,
  fresh: readonly PreparedEvent[],
): BatchPlan {
  const state = new Map<string, RowState>();
  const best = new Map<string, { prepared: PreparedEvent; deleted: boolean }>();
  const outcomes: ('applied' | 'stale')[] = [];
  for (const p of fresh) {
    const isDelete = p.event.event_type === 'episode.deleted';
    const s = state.get(p.rowKey) ?? current.get(p.rowKey);
    let applied = false;
    if (s === undefined || greater(p.ts, p.event.event_id, s)) {
      state.set(p.rowKey, { ts: p.ts, id: p.event.event_id, deleted: (s?.deleted ?? false) || isDelete });
      applied = true;
    } else if (isDelete && !s.deleted) {
      state.set(p.rowKey, { ...s, deleted: true });
      applied = true;
    }
    outcomes.push(applied ? 'applied' : 'stale');
    if (!applied) continue;
    const b = best.get(p.rowKey);
    if (b === undefined) best.set(p.rowKey, { prepared: p, deleted: isDelete });
    else {
      const bs = { ts: b.prepared.ts, id: b.prepared.event.event_id, deleted: b.deleted };
      best.set(p.rowKey, {
        prepared: greater(p.ts, p.event.event_id, bs) ? p : b.prepared,
        deleted: b.deleted || isDelete,
      });
    }
  }
  return { outcomes, upserts: [...best.values()] };
}
