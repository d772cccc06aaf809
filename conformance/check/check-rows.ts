import type { ModelEvent, ProjectionRow } from '../../lib/projection-model.js';
import type { ObservedRow } from '../target/observation.js';
import { canonicalJson } from './canonical-json.js';
import { canonicalOr, eventKey } from './schedule-facts.js';
import type { ScheduleFacts } from './schedule-facts.js';
import type { Violation } from './violation.js';

const FIELDS = [
  'event_type',
  'content_ref',
  'summary',
  'tags',
  'embedding_ref',
  'metadata',
  'last_event_id',
  'last_event_ts',
  'deleted',
] as const;

function differences(model: ProjectionRow, row: ObservedRow): string[] {
  return FIELDS.filter((f) => canonicalJson(model[f]) !== canonicalJson(row[f])).map(
    (f) => `${f}: expected ${canonicalJson(model[f])}, found ${canonicalJson(row[f])}`,
  );
}

const lower = (s: unknown): string => (typeof s === 'string' ? s.toLowerCase() : '');

/** The rejected message that could have produced this row or event id, if any. */
function rejectedCulprit(
  facts: ScheduleFacts,
  k: { tenant_id: string; agent_id: string; episode_id: string },
  eventId?: string,
): Violation | undefined {
  for (const r of facts.rejected) {
    const p = r.parsed;
    if (p === undefined) continue;
    const sameKey =
      lower(p.tenant_id) === lower(k.tenant_id) &&
      lower(p.agent_id) === lower(k.agent_id) &&
      lower(p.episode_id) === lower(k.episode_id);
    const sameEvent = eventId !== undefined && lower(p.event_id) === lower(eventId);
    if (sameKey && (eventId === undefined || sameEvent)) {
      const clauseId = r.message.kind === 'mismatch' ? 'CT-4.subject-match' : 'CT-4.dlq';
      return {
        clauseId,
        message: `a rejected message was projected into ${k.tenant_id}/${k.agent_id}/${k.episode_id}: ${r.message.kind} on ${r.message.subject} (${r.message.expectClause ?? ''})`,
      };
    }
  }
  return undefined;
}

/** Oracle check: the rows of the run's tenants equal the model's rows, with a diagnosis per difference. */
export function checkRows(facts: ScheduleFacts, observed: ObservedRow[]): Violation[] {
  const out: Violation[] = [];
  const expected = new Map(
    facts.model.rows().map((r) => [eventKey(r.tenant_id, r.agent_id, r.episode_id), r]),
  );
  const seen = new Set<string>();
  for (const row of observed) {
    const k = eventKey(row.tenant_id, row.agent_id, row.episode_id);
    seen.add(k);
    const model = expected.get(k);
    if (model === undefined) {
      out.push(
        rejectedCulprit(facts, row, row.last_event_id) ??
          rejectedCulprit(facts, row) ?? {
            clauseId: [...facts.byKey.keys()].some((x) => x.endsWith(`/${row.episode_id}`))
              ? 'CT-7.tenant-isolation'
              : 'CT-4.upsert',
            message: `row ${k} exists but no valid event for it was published (last_event_id ${row.last_event_id})`,
          },
      );
      continue;
    }
    const diff = differences(model, row);
    if (diff.length > 0) out.push(diagnose(facts, model, row, diff));
  }
  for (const [k, model] of expected) {
    if (seen.has(k)) continue;
    const clauseId = facts.crashed
      ? 'CT-4.ack-after-commit'
      : facts.hasBadInput
        ? 'CT-4.dlq'
        : 'CT-4.consume';
    const why = facts.crashed
      ? 'after a kill -9 and restart'
      : facts.hasBadInput
        ? 'after bad input in the stream'
        : '';
    out.push({
      clauseId,
      message: `row ${k} missing ${why} (expected last_event_id ${model.last_event_id})`,
    });
  }
  return out;
}

function diagnose(facts: ScheduleFacts, model: ProjectionRow, row: ObservedRow, diff: string[]): Violation {
  const k = eventKey(model.tenant_id, model.agent_id, model.episode_id);
  const detail = `row ${k}: ${diff.join('; ')}`;
  const events = facts.byKey.get(k) ?? [];
  if (row.last_event_id !== model.last_event_id) {
    const culprit = rejectedCulprit(facts, model, row.last_event_id);
    if (culprit !== undefined)
      return { clauseId: culprit.clauseId, message: `${culprit.message}; ${detail}` };
    const own: ModelEvent | undefined = events.find((e) => e.event_id === row.last_event_id);
    if (own === undefined) {
      const elsewhere = [...facts.valid.values()].some((e) => e.event_id === row.last_event_id);
      return {
        clauseId: elsewhere ? 'CT-7.tenant-isolation' : 'CT-4.upsert',
        message: `${detail} (last_event_id is not an event of this row)`,
      };
    }
    const winnerIdShared = [...facts.valid.values()].some(
      (e) =>
        e.event_id === model.last_event_id &&
        (e.tenant_id !== model.tenant_id || e.agent_id !== model.agent_id),
    );
    if (winnerIdShared) {
      return {
        clauseId: 'CT-3.idempotency',
        message: `${detail} (the winning event_id is also used by another tenant/agent: dedup must key on tenant, agent and event_id)`,
      };
    }
    if (canonicalOr(own.source_ts) === model.last_event_ts) {
      return {
        clauseId: 'CT-4.tie-break',
        message: `${detail} (equal source_ts: the greater event_id in byte order must win)`,
      };
    }
    if (facts.crashed)
      return { clauseId: 'CT-4.ack-after-commit', message: `${detail} (after a kill -9 and restart)` };
    return {
      clauseId: 'CT-4.guard',
      message: `${detail} (an older event overwrote a newer one, or the newest never applied)`,
    };
  }
  if (model.deleted !== row.deleted) {
    if (facts.crashed)
      return { clauseId: 'CT-4.ack-after-commit', message: `${detail} (after a kill -9 and restart)` };
    return {
      clauseId: 'CT-4.delete',
      message: `${detail} (${model.deleted ? 'a projected delete was undone' : 'deleted without a delete event'})`,
    };
  }
  return { clauseId: 'CT-4.upsert', message: `${detail} (row fields do not match its last event)` };
}
