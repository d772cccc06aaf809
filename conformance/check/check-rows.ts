import { isClauseId, type ClauseId, type ModelEvent, type ProjectionRow } from 'continuum-contract';
import { addEvidence } from '../core/finding.js';
import type { CheckOutcome, Finding } from '../core/finding.js';
import type { ObservedDlqRow, ObservedEventRecord, ObservedRow } from '../target/observation.js';
import { deadLettered } from './check-dlq.js';
import { unknownFieldOf } from '../streams/event-spec.js';
import { canonicalJson } from './canonical-json.js';
import { canonicalOr, eventKey, droppedAsEarlierTwin } from './schedule-facts.js';
import type { ScheduleFacts } from './schedule-facts.js';
import { rowSituations } from './row-situations.js';

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

// Ids of bad input may be numbers or other JSON: compare them as text.
const lower = (s: unknown): string => (s === undefined || s === null ? '' : String(s).toLowerCase());

/** The rejected message that could have produced this row or event id, filed under the rule it breaks. */
function rejectedCulprit(
  facts: ScheduleFacts,
  k: { tenant_id: string; agent_id: string; episode_id: string },
  eventId?: string,
): Finding | undefined {
  for (const r of facts.rejected) {
    const p = r.parsed;
    if (p === undefined) continue;
    const sameKey =
      lower(p.tenant_id) === lower(k.tenant_id) &&
      lower(p.agent_id) === lower(k.agent_id) &&
      lower(p.episode_id) === lower(k.episode_id);
    const sameEvent = eventId !== undefined && lower(p.event_id) === lower(eventId);
    if (sameKey && (eventId === undefined || sameEvent)) {
      const expected = r.message.expectClause ?? '';
      const clauseId =
        r.message.kind === 'mismatch' ? 'CT-4.subject-match' : isClauseId(expected) ? expected : 'CT-4.dlq';
      return {
        clauseId,
        message: `a rejected message was projected into ${k.tenant_id}/${k.agent_id}/${k.episode_id}: ${r.message.kind} on ${r.message.subject} (${expected}${r.message.label === undefined ? '' : `, ${r.message.label}`})`,
      };
    }
  }
  return undefined;
}

/** The rows check's input: the schedule's facts, and the final rows and events records. */
export interface RowsInput {
  facts: ScheduleFacts;
  rows: ObservedRow[];
  events: ObservedEventRecord[];
  /** The DLQ rows: a row missing because its valid events were dead-lettered is filed as that. */
  dlqRows?: ObservedDlqRow[];
}

/** Oracle check: the rows of the run's tenants equal the model's rows, each difference filed by its evidence. */
export function checkRows(input: RowsInput): CheckOutcome {
  const { facts } = input;
  const findings: Finding[] = [];
  const recorded = new Set(input.events.map((e) => eventKey(e.tenant_id, e.agent_id, e.event_id)));
  const isRecorded = (e: ModelEvent): boolean => recorded.has(eventKey(e.tenant_id, e.agent_id, e.event_id));
  const expected = new Map(
    facts.model.rows().map((r) => [eventKey(r.tenant_id, r.agent_id, r.episode_id), r]),
  );
  const seen = new Set<string>();
  for (const row of input.rows) {
    const k = eventKey(row.tenant_id, row.agent_id, row.episode_id);
    seen.add(k);
    const model = expected.get(k);
    if (model === undefined) {
      findings.push(
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
    if (diff.length > 0) findings.push(diagnose(facts, model, row, diff, isRecorded));
  }
  for (const [k, model] of expected) {
    if (seen.has(k)) continue;
    const [clauseId, why] = missingRowCause(facts, model, isRecorded, input.dlqRows ?? []);
    findings.push({
      clauseId,
      message: `row ${k} missing ${why} (expected last_event_id ${model.last_event_id})`,
    });
  }
  const evidence = rowSituations(facts);
  addEvidence(evidence, 'CT-4.consume', expected.size);
  addEvidence(evidence, 'CT-4.upsert', expected.size);
  return { findings, evidence };
}

/** The clause a missing row breaks, and why, from what became of its events. */
function missingRowCause(
  facts: ScheduleFacts,
  model: ProjectionRow,
  isRecorded: (e: ModelEvent) => boolean,
  dlqRows: ObservedDlqRow[],
): [ClauseId, string] {
  const events = facts.byKey.get(eventKey(model.tenant_id, model.agent_id, model.episode_id)) ?? [];
  if (events.some(isRecorded))
    return model.deleted
      ? [
          'CT-4.delete',
          'although its delete is recorded: a deleted episode keeps its row, flagged deleted, so that no older event can bring it back',
        ]
      : ['CT-4.upsert', 'although its events are recorded in the events table'];
  const dead = events.find((e) => deadLettered(dlqRows, e));
  if (dead !== undefined) {
    const unknown = unknownFieldOf(dead);
    return unknown === undefined
      ? ['CT-4.dlq', `because its valid event ${dead.event_id} was dead-lettered`]
      : [
          'CT-3.unknown-fields',
          `because its valid event ${dead.event_id} was dead-lettered (it carries an unknown field in its ${unknown}, which consumers must ignore)`,
        ];
  }
  const twin = events.map((e) => droppedAsEarlierTwin(facts, isRecorded, e)).find((o) => o !== undefined);
  if (twin !== undefined)
    return [
      'CT-3.idempotency',
      `and none of its events is recorded, while the same event_id ${twin.event_id} under ${twin.tenant_id}/${twin.agent_id} is: the dedup key must include tenant_id and agent_id`,
    ];
  if (facts.crashed)
    return ['CT-4.ack-after-commit', 'after a kill -9 and restart, and none of its events is recorded'];
  if (facts.hasBadInput) return ['CT-4.dlq', 'after bad input in the stream (consumption must continue)'];
  return ['CT-4.consume', 'and none of its events is recorded'];
}

function diagnose(
  facts: ScheduleFacts,
  model: ProjectionRow,
  row: ObservedRow,
  diff: string[],
  isRecorded: (e: ModelEvent) => boolean,
): Finding {
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
    const winner = events.find((e) => e.event_id === model.last_event_id);
    if (winner !== undefined && !isRecorded(winner)) {
      const twin = droppedAsEarlierTwin(facts, isRecorded, winner);
      if (twin !== undefined)
        return {
          clauseId: 'CT-3.idempotency',
          message: `${detail} (the newest event was never recorded, while the same event_id under ${twin.tenant_id}/${twin.agent_id} is: the dedup key must include tenant_id and agent_id)`,
        };
      return facts.crashed
        ? {
            clauseId: 'CT-4.ack-after-commit',
            message: `${detail} (the newest event was lost across a kill -9: not recorded)`,
          }
        : {
            clauseId: 'CT-3.delivery',
            message: `${detail} (the newest event was never recorded in the events table)`,
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
    return {
      clauseId: 'CT-4.guard',
      message: `${detail} (an older event overwrote a newer one, or the newest never applied)`,
    };
  }
  if (model.deleted !== row.deleted) {
    const deletes = events.filter((e) => e.event_type === 'episode.deleted');
    if (model.deleted && facts.crashed && !deletes.some(isRecorded))
      return {
        clauseId: 'CT-4.ack-after-commit',
        message: `${detail} (the delete was lost across a kill -9: not recorded)`,
      };
    return {
      clauseId: 'CT-4.delete',
      message: `${detail} (${model.deleted ? 'a delete was recorded but the row is not deleted' : 'deleted without a delete event'})`,
    };
  }
  const conflicting =
    facts.conflicts.get(eventKey(model.tenant_id, model.agent_id, model.last_event_id)) ?? [];
  if (conflicting.some((c) => canonicalJson(c.payload.summary ?? null) === canonicalJson(row.summary)))
    return {
      clauseId: 'CT-4.dedup',
      message: `${detail} (a redelivery with a different body under the same idempotency key replaced the first projection, which must stand)`,
    };
  return { clauseId: 'CT-4.upsert', message: `${detail} (row fields do not match its last event)` };
}
