import { describe, expect, it } from 'vitest';
import type { Schedule } from '../streams/schedule.js';
import type { ObservedEventRecord } from '../target/observation.js';
import { checkEvents } from './check-events.js';
import { scheduleFacts } from './schedule-facts.js';

const subject = 'continuum.episode.v1.t0.a0';
const event = (id: string, ts: string): Record<string, unknown> => ({
  event_id: id,
  event_type: 'episode.updated',
  tenant_id: 't0',
  agent_id: 'a0',
  episode_id: '01JD3ZTZ0000000000000000AB',
  source_ts: ts,
  schema_version: 1,
  payload: { content_ref: 'x:y', tags: [], metadata: {} },
});
const schedule = (...events: Record<string, unknown>[]): Schedule => ({
  property: 't',
  steps: events.map((e) => ({ op: 'publish', message: { kind: 'valid', subject, data: JSON.stringify(e) } })),
});
const record = (e: Record<string, unknown>, outcome: string): ObservedEventRecord => ({
  tenant_id: 't0',
  agent_id: 'a0',
  event_id: String(e.event_id),
  episode_id: String(e.episode_id),
  outcome,
  projected_at: '2026-01-01T00:00:00.000000Z',
});

const newer = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZB', '2026-01-01T00:00:02Z');
const older = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZA', '2026-01-01T00:00:01Z');
const facts = scheduleFacts(schedule(newer, older)); // older arrives second: stale

describe('checkEvents', () => {
  it('passes the outcomes the model gives in stream order, and counts the stale event as evidence', () => {
    const r = checkEvents({
      facts,
      events: [record(newer, 'applied'), record(older, 'stale')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(r.findings).toEqual([]);
    expect(r.evidence.get('CT-4.stale')).toBe(1);
    expect(r.evidence.get('CT-3.delivery')).toBe(2);
  });

  it("an event missing while another agent's same event_id is recorded is CT-3.idempotency", () => {
    const twin = { ...newer, agent_id: 'a1' };
    const twoAgents: Schedule = {
      property: 't',
      steps: [
        {
          op: 'publish',
          message: { kind: 'valid', subject: 'continuum.episode.v1.t0.a1', data: JSON.stringify(twin) },
        },
        ...schedule(newer).steps,
      ],
    };
    const r = checkEvents({
      facts: scheduleFacts(twoAgents),
      events: [{ ...record(twin, 'applied'), agent_id: 'a1' }],
      dlqRows: [],
      orderKnown: true,
    });
    expect(r.findings.map((f) => f.clauseId)).toEqual(['CT-3.idempotency']);
  });

  it('a later twin lost while another later twin was recorded is not the dedup key: CT-3.delivery', () => {
    const b = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZF', '2026-01-01T00:00:04Z');
    const inA1 = (e: Record<string, unknown>) => ({ ...e, agent_id: 'a1' });
    const publish = (e: Record<string, unknown>) => ({
      op: 'publish' as const,
      message: {
        kind: 'valid' as const,
        subject: `continuum.episode.v1.t0.${String(e.agent_id)}`,
        data: JSON.stringify(e),
      },
    });
    const r = checkEvents({
      facts: scheduleFacts({ property: 't', steps: [inA1(newer), newer, inA1(b), b].map(publish) }),
      events: [
        { ...record(newer, 'applied'), agent_id: 'a1' },
        { ...record(b, 'applied'), agent_id: 'a1' },
        record(b, 'applied'),
      ],
      dlqRows: [],
      orderKnown: false,
    });
    expect(r.findings.map((f) => f.clauseId)).toEqual(['CT-3.delivery']);
  });

  it('an event recorded applied at an equal instant though its event_id is smaller is CT-4.tie-break', () => {
    const high = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZD', '2026-01-01T00:00:03.5Z');
    const low = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZC', '2026-01-01T00:00:03.500Z');
    const r = checkEvents({
      facts: scheduleFacts(schedule(high, low)),
      events: [record(high, 'applied'), record(low, 'applied')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(r.findings.map((f) => f.clauseId)).toEqual(['CT-4.tie-break']);
  });

  it('a stale event recorded as applied is CT-4.stale', () => {
    const r = checkEvents({
      facts,
      events: [record(newer, 'applied'), record(older, 'applied')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(r.findings.map((f) => f.clauseId)).toEqual(['CT-4.stale']);
  });

  it('a record rewritten by a copy projected again is CT-4.dedup; the same record from one delivery is CT-4.stale', () => {
    const judged = (f: typeof facts, orderKnown: boolean) =>
      checkEvents({
        facts: f,
        events: [record(older, 'stale'), record(newer, 'stale')],
        dlqRows: [],
        orderKnown,
      }).findings.map((x) => x.clauseId);
    // Both were applied on first delivery; the copies met rows holding an equal key and wrote "stale".
    const copied = scheduleFacts(schedule(older, newer, older, newer));
    expect(judged(copied, true)).toEqual(['CT-4.dedup', 'CT-4.dedup']);
    expect(judged(copied, false)).toEqual(['CT-4.dedup']);
    // Delivered once, the newer one was refused though greater than its row: the guard.
    const once = scheduleFacts(schedule(older, newer));
    expect(judged(once, true)).toEqual(['CT-4.stale', 'CT-4.guard']);
    expect(judged(once, false)).toEqual(['CT-4.stale']);
  });

  it('a copied event at a tie with its row stays the tie-break finding; a copied stale event recorded applied stays CT-4.stale', () => {
    const low = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZA', '2026-01-01T00:00:01Z');
    const high = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZB', '2026-01-01T00:00:01.000Z');
    const tie = checkEvents({
      facts: scheduleFacts(schedule(low, high, high)),
      events: [record(low, 'stale'), record(high, 'stale')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(tie.findings.map((f) => f.clauseId)).toEqual(['CT-4.stale', 'CT-4.tie-break']);
    const staleAsApplied = checkEvents({
      facts: scheduleFacts(schedule(newer, older, older)),
      events: [record(newer, 'applied'), record(older, 'applied')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(staleAsApplied.findings.map((f) => f.clauseId)).toEqual(['CT-4.stale']);
  });

  it('without a known order, only the order-free rule holds: the newest event is never stale', () => {
    const free = (outcome: string) =>
      checkEvents({
        facts,
        events: [record(newer, outcome), record(older, 'applied')],
        dlqRows: [],
        orderKnown: false,
      });
    expect(free('applied').findings).toEqual([]);
    expect(free('applied').evidence.get('CT-4.stale')).toBeUndefined();
    expect(free('stale').findings.map((f) => f.clauseId)).toEqual(['CT-4.stale']);
  });

  it('an event neither recorded nor dead-lettered is CT-3.delivery; a stale one missing is CT-4.stale', () => {
    const lostNewest = checkEvents({
      facts,
      events: [record(older, 'stale')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(lostNewest.findings.map((f) => f.clauseId)).toEqual(['CT-3.delivery']);
    const lostStale = checkEvents({
      facts,
      events: [record(newer, 'applied')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(lostStale.findings.map((f) => f.clauseId)).toEqual(['CT-4.stale']);
  });

  it('a stale counter that rose less than the stale events recorded is CT-4.stale', () => {
    const input = {
      facts,
      events: [record(newer, 'applied'), record(older, 'stale')],
      dlqRows: [],
      orderKnown: true,
    };
    expect(checkEvents({ ...input, staleCounted: 1 }).findings).toEqual([]);
    expect(checkEvents({ ...input, staleCounted: 0 }).findings.map((f) => f.clauseId)).toEqual([
      'CT-4.stale',
    ]);
  });

  it('an event greater than its row recorded stale is the comparison broken: CT-4.guard, or CT-4.tie-break at an equal instant', () => {
    const later = event('01JD3ZV8X3N4Q2W5E6R7T8Y9ZC', '2026-01-01T00:00:03Z');
    const byTs = checkEvents({
      facts: scheduleFacts(schedule(newer, later)),
      events: [record(newer, 'applied'), record(later, 'stale')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(byTs.findings.map((f) => f.clauseId)).toEqual(['CT-4.guard']);
    // A ULID and a UUIDv7 at one instant: bytes put the ULID ('G') before the UUID ('a').
    const ulid = event('0189G000000000000000000000', '2026-01-01T00:00:02.000Z');
    const uuid = event('0189a000-0000-7000-8000-000000000000', '2026-01-01T00:00:02Z');
    const byId = checkEvents({
      facts: scheduleFacts(schedule(ulid, uuid)),
      events: [record(ulid, 'applied'), record(uuid, 'stale')],
      dlqRows: [],
      orderKnown: true,
    });
    expect(byId.findings.map((f) => f.clauseId)).toEqual(['CT-4.tie-break']);
  });
});
