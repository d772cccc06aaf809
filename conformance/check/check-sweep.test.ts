import { describe, expect, it } from 'vitest';
import type { Schedule, ScheduleMessage } from '../streams/schedule.js';
import type { Observation } from '../target/observation.js';
import type { Execution } from '../target/projector-target.js';
import { checkExecution } from './check-execution.js';

const subject = 'continuum.episode.v1.t0.a0';
const body = JSON.stringify({ event_id: 'x', payload: { content_ref: 'a body, not a reference' } });
const swept: ScheduleMessage = {
  kind: 'invalid',
  subject,
  data: body,
  expectClause: 'CT-3.payload.content_ref',
  label: 'sweep: a body, not a reference',
  credits: ['CT-11.reflex-refs'],
};
const nullBody: ScheduleMessage = { kind: 'invalid', subject, data: 'null', expectClause: 'CT-3.json' };

function execution(messages: ScheduleMessage[], obs: Partial<Observation>): Execution {
  const schedule: Schedule = {
    property: 'bad-input',
    steps: [...messages.map((message) => ({ op: 'publish' as const, message })), { op: 'settle' }],
  };
  return {
    schedule,
    token: 't0',
    tenants: ['t0'],
    observations: [{ rows: [], events: [], dlqRows: [], dlqMessages: [], keys: [], ...obs }],
    publishMs: [],
    firstPublishAt: new Map(),
    events: messages.length,
    crashed: false,
    refused: [],
    deduplicated: [],
  };
}

const dlqRow = (raw: string | null, event: unknown, present: boolean) => ({
  dlq_id: '1',
  reason: 'content_ref is not a reference',
  clause_id: 'CT-3.payload',
  tenant_id: 't0',
  agent_id: 'a0',
  subject,
  raw,
  event,
  event_present: present,
});
const dlqMessage = (data: string) => ({
  subject: 'continuum.episode.dlq.v1.t0.a0',
  data: JSON.stringify({
    dlq_id: '01JD3ZTZ0000000000000000AB',
    reason: 'bad',
    clause_id: 'CT-3.payload',
    stage: 'projector',
    subject,
    tenant_id: 't0',
    agent_id: 'a0',
    queued_at: '2026-01-01T00:00:00.000Z',
    raw: data,
  }),
});

describe('swept bad input', () => {
  it('dead-lettered on table and subject: its clause and its credits are exercised, whatever parent clause the entry names', () => {
    const v = checkExecution(
      execution([swept], { dlqRows: [dlqRow(body, null, false)], dlqMessages: [dlqMessage(body)] }),
    );
    expect(v.violations).toEqual([]);
    expect(v.evidence.get('CT-3.payload.content_ref')).toBe(1);
    expect(v.evidence.get('CT-11.reflex-refs')).toBe(1);
  });

  it('dropped: CT-4.dlq and CT-6.dlq, and neither the clause nor its credits are exercised', () => {
    const v = checkExecution(execution([swept], {}));
    expect(v.violations.map((x) => x.clauseId).sort()).toEqual(['CT-4.dlq', 'CT-6.dlq']);
    expect(v.violations[0]?.message).toContain('sweep: a body, not a reference');
    expect(v.evidence.get('CT-3.payload.content_ref')).toBeUndefined();
    expect(v.evidence.get('CT-11.reflex-refs')).toBeUndefined();
  });

  it('a `null` body stored as jsonb null is found; a row with no event and no raw is not', () => {
    const found = checkExecution(
      execution([nullBody], { dlqRows: [dlqRow(null, null, true)], dlqMessages: [dlqMessage('null')] }),
    );
    expect(found.violations).toEqual([]);
    const missing = checkExecution(
      execution([nullBody], { dlqRows: [dlqRow(null, null, false)], dlqMessages: [dlqMessage('null')] }),
    );
    expect(missing.violations.map((x) => x.clauseId)).toEqual(['CT-4.dlq']);
  });
});
