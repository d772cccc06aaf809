import { describe, expect, it } from 'vitest';
import type { Schedule } from '../streams/schedule.js';
import type { ObservedRow } from '../target/observation.js';
import { checkRows } from './check-rows.js';
import { scheduleFacts } from './schedule-facts.js';
import type { ScheduleFacts } from './schedule-facts.js';

const subject = 'continuum.episode.v1.t0.a0';
function event(id: string, ts: string, type = 'episode.updated'): Record<string, unknown> {
  return {
    event_id: id,
    event_type: type,
    tenant_id: 't0',
    agent_id: 'a0',
    episode_id: '01JD3ZTZ0000000000000000AB',
    source_ts: ts,
    schema_version: 1,
    payload: { content_ref: 'x:y', tags: [], metadata: {} },
  };
}
const schedule = (...events: Record<string, unknown>[]): Schedule => ({
  property: 't',
  steps: events.map((e) => ({ op: 'publish', message: { kind: 'valid', subject, data: JSON.stringify(e) } })),
});
function observed(e: Record<string, unknown>, deleted = false): ObservedRow {
  return {
    tenant_id: 't0',
    agent_id: 'a0',
    episode_id: '01JD3ZTZ0000000000000000AB',
    event_type: String(e.event_type),
    content_ref: 'x:y',
    summary: null,
    tags: [],
    embedding_ref: null,
    metadata: {},
    last_event_id: String(e.event_id),
    last_event_ts: String(e.source_ts)
      .replace(/\.(\d+)Z$/, (_, f: string) => `.${f.padEnd(6, '0')}Z`)
      .replace(/:(\d\d)Z$/, ':$1.000000Z'),
    deleted,
    updated_at: '2026-01-01T00:00:00.000000Z',
  };
}

/** The rows check with every valid event recorded in the events table (or none). */
function judge(facts: ScheduleFacts, rows: ObservedRow[], recorded = true) {
  const events = recorded
    ? [...facts.valid.values()].map((e) => ({
        tenant_id: e.tenant_id,
        agent_id: e.agent_id,
        event_id: e.event_id,
        episode_id: e.episode_id,
        outcome: 'applied',
        projected_at: '2026-01-01T00:00:00.000000Z',
      }))
    : [];
  return checkRows({ facts, rows, events }).findings;
}

describe('checkRows diagnoses each difference with its clause', () => {
  const older = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZA', '2026-01-01T00:00:01Z');
  const newer = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZB', '2026-01-01T00:00:02Z');
  const tieLow = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZC', '2026-01-01T00:00:03.5Z');
  const tieHigh = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZD', '2026-01-01T00:00:03.500Z');

  it('passes rows equal to the model', () => {
    expect(judge(scheduleFacts(schedule(older, newer)), [observed(newer)])).toEqual([]);
  });
  it('an older event winning is CT-4.guard', () => {
    expect(judge(scheduleFacts(schedule(newer, older)), [observed(older)]).map((v) => v.clauseId)).toEqual([
      'CT-4.guard',
    ]);
  });
  it('the lower event_id winning at an equal instant is CT-4.tie-break', () => {
    expect(
      judge(scheduleFacts(schedule(tieHigh, tieLow)), [observed(tieLow)]).map((v) => v.clauseId),
    ).toEqual(['CT-4.tie-break']);
  });
  it('an undone delete is CT-4.delete', () => {
    const del = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZE', '2026-01-01T00:00:00Z', 'episode.deleted');
    expect(
      judge(scheduleFacts(schedule(del, newer)), [observed(newer, false)]).map((v) => v.clauseId),
    ).toEqual(['CT-4.delete']);
  });
  it('a missing row with none of its events recorded is CT-4.consume; with them recorded, CT-4.upsert', () => {
    expect(judge(scheduleFacts(schedule(newer)), [], false).map((v) => v.clauseId)).toEqual(['CT-4.consume']);
    expect(judge(scheduleFacts(schedule(newer)), []).map((v) => v.clauseId)).toEqual(['CT-4.upsert']);
  });
  it('a delete recorded but not applied is CT-4.delete even after a crash', () => {
    const del = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZE', '2026-01-01T00:00:00Z', 'episode.deleted');
    const crashed: Schedule = {
      ...schedule(del, newer),
      steps: [...schedule(del, newer).steps, { op: 'crash' }],
    };
    expect(judge(scheduleFacts(crashed), [observed(newer, false)]).map((v) => v.clauseId)).toEqual([
      'CT-4.delete',
    ]);
    expect(judge(scheduleFacts(crashed), [observed(newer, false)], false).map((v) => v.clauseId)).toEqual([
      'CT-4.ack-after-commit',
    ]);
  });
  it('the newest event never recorded is CT-3.delivery, not the guard', () => {
    const facts = scheduleFacts(schedule(older, newer));
    const events = [
      {
        tenant_id: 't0',
        agent_id: 'a0',
        event_id: String(older.event_id),
        episode_id: String(older.episode_id),
        outcome: 'applied',
        projected_at: '2026-01-01T00:00:00.000000Z',
      },
    ];
    expect(checkRows({ facts, rows: [observed(older)], events }).findings.map((v) => v.clauseId)).toEqual([
      'CT-3.delivery',
    ]);
  });
  it('a deleted episode whose row is gone, its delete recorded, is CT-4.delete (the row is the tombstone)', () => {
    const del = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZE', '2026-01-01T00:00:05Z', 'episode.deleted');
    expect(judge(scheduleFacts(schedule(newer, del)), []).map((v) => v.clauseId)).toEqual(['CT-4.delete']);
  });
  it('a row missing because its valid event was dead-lettered names the DLQ, or the unknown field it carried', () => {
    const dlqRow = (e: Record<string, unknown>) => ({
      dlq_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZZ',
      reason: 'rejected',
      event: e,
      event_present: true,
      raw: JSON.stringify(e),
      subject,
      tenant_id: 't0',
      agent_id: 'a0',
      clause_id: 'CT-4.dlq',
    });
    const judged = (e: Record<string, unknown>) =>
      checkRows({
        facts: scheduleFacts(schedule(e)),
        rows: [],
        events: [],
        dlqRows: [dlqRow(e)],
      }).findings.map((v) => v.clauseId);
    expect(judged(newer)).toEqual(['CT-4.dlq']);
    expect(judged({ ...newer, ck_future_field: 1 })).toEqual(['CT-3.unknown-fields']);
  });
  it("an event dropped as a duplicate of another tenant's same event_id is CT-3.idempotency", () => {
    const other = { ...newer, tenant_id: 't1' };
    const twoTenants: Schedule = {
      property: 't',
      steps: [
        {
          op: 'publish',
          message: { kind: 'valid', subject: 'continuum.episode.v1.t1.a0', data: JSON.stringify(other) },
        },
        ...schedule(newer).steps,
      ],
    };
    const facts = scheduleFacts(twoTenants);
    const recordedOther = [
      {
        tenant_id: 't1',
        agent_id: 'a0',
        event_id: String(newer.event_id),
        episode_id: String(newer.episode_id),
        outcome: 'applied',
        projected_at: '2026-01-01T00:00:00.000000Z',
      },
    ];
    const rowOther = { ...observed(newer), tenant_id: 't1' };
    // Its row is missing altogether, or holds an older event: both name the dedup key.
    expect(
      checkRows({ facts, rows: [rowOther], events: recordedOther }).findings.map((v) => v.clauseId),
    ).toEqual(['CT-3.idempotency']);
    const withOlder = scheduleFacts({
      ...twoTenants,
      steps: [...schedule(older).steps, ...twoTenants.steps],
    });
    const olderRecorded = [
      ...recordedOther,
      { ...recordedOther[0]!, tenant_id: 't0', event_id: String(older.event_id) },
    ];
    expect(
      checkRows({ facts: withOlder, rows: [rowOther, observed(older)], events: olderRecorded }).findings.map(
        (v) => v.clauseId,
      ),
    ).toEqual(['CT-3.idempotency']);
  });
  it('counts the situations it guards: stale arrivals for the guard, equal instants for the tie-break', () => {
    const { evidence } = checkRows({
      facts: scheduleFacts(schedule(tieHigh, tieLow, newer)),
      rows: [],
      events: [],
    });
    expect(evidence.get('CT-4.guard')).toBe(2); // tieLow and newer both arrive after a greater event
    expect(evidence.get('CT-4.tie-break')).toBe(1);
    expect(evidence.get('CT-4.delete')).toBeUndefined();
  });
});
