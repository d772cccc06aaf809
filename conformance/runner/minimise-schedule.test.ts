import { describe, expect, it } from 'vitest';
import type { ClauseId } from 'continuum-contract';
import type { Finding } from '../core/finding.js';
import { generateRun } from '../core/seeded-random.js';
import { PROJECTOR_PROPERTIES } from '../properties/catalog.js';
import { scheduleArbitrary } from '../streams/schedule-arbitrary.js';
import type { Schedule, ScheduleMessage, ScheduleStep } from '../streams/schedule.js';
import { scheduleMessages } from '../streams/schedule.js';
import {
  applyReduction,
  formatReduction,
  minimiseSchedule,
  parseMinimisedPath,
} from './minimise-schedule.js';

const T = 'cktenant0x';
const A = 'ckagent0x';

interface Event {
  id: string;
  episode?: string;
  payload?: Record<string, unknown>;
}

function event({ id, episode = 'E1', payload }: Event): Record<string, unknown> {
  return {
    event_id: id,
    event_type: 'episode.updated',
    tenant_id: T,
    agent_id: A,
    episode_id: episode,
    source_ts: '2026-01-01T00:00:00Z',
    schema_version: 1,
    payload: payload ?? {
      content_ref: `continuum://${T}/episodes/${episode}`,
      summary: `long summary of ${id} \u00e9\u{1f600}`,
      tags: ['alpha', 'beta'],
      metadata: { k: 'v', ck_body: 'marker' },
    },
  };
}

const publish = (e: Record<string, unknown>, msgId = `${T}:${A}:${String(e.event_id)}`): ScheduleStep => ({
  op: 'publish',
  message: { kind: 'valid', subject: `continuum.episode.v1.${T}.${A}`, msgId, data: JSON.stringify(e) },
});

const bad = (n: number): ScheduleStep => ({
  op: 'publish',
  message: {
    kind: 'invalid',
    subject: `continuum.episode.v1.${T}.${A}`,
    data: `{bad ${n}`,
    expectClause: 'CT-3.json',
  },
});

const canary = publish(
  event({ id: 'CANARY', payload: { content_ref: 'x:y', tags: ['canary'], metadata: {} } }),
);

/** n events on episodes E0..E3, then the canary and a settle. */
function schedule(n: number, extra: ScheduleStep[] = []): Schedule {
  const steps: ScheduleStep[] = Array.from({ length: n }, (_, i) =>
    publish(event({ id: `ID${String(i).padStart(2, '0')}`, episode: `E${i % 4}` })),
  );
  return { property: 'test', steps: [...steps, ...extra, canary, { op: 'settle' }] };
}

const ids = (s: Schedule): string[] =>
  scheduleMessages(s).flatMap((m) => {
    try {
      return [String((JSON.parse(m.data) as { event_id: string }).event_id)];
    } catch {
      return [m.data];
    }
  });

const finding = (clauseId: ClauseId): Finding => ({ clauseId, message: 'fake' });

/** A fake target: records every schedule it ran and how many ran at once. */
function fakeTarget(fails: (s: Schedule) => ClauseId[]) {
  const ran: Schedule[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    ran,
    fails: (s: Schedule) => fails(s).length > 0,
    maxInFlight: () => maxInFlight,
    execute: async (s: Schedule) => {
      ran.push(s);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return { findings: fails(s).map(finding) };
    },
  };
}

/** The invariants every candidate keeps (see minimise-schedule.ts). */
function expectInvariants(candidate: Schedule, start: Schedule): void {
  const ops = (s: Schedule, op: string) => s.steps.filter((x) => x.op === op).length;
  expect(ops(candidate, 'crash')).toBe(ops(start, 'crash'));
  expect(candidate.steps.at(-1)?.op).toBe('settle');
  const firstSettle = candidate.steps.findIndex((s) => s.op === 'settle');
  const before = candidate.steps.slice(0, firstSettle);
  const lastBefore = before.filter((s) => s.op === 'publish').at(-1);
  const startCanary = start.steps
    .slice(
      0,
      start.steps.findIndex((s) => s.op === 'settle'),
    )
    .filter((s) => s.op === 'publish')
    .at(-1);
  expect(lastBefore).toBe(startCanary);
  const delivered = new Set(
    before.flatMap((s) => (s.op === 'publish' && s.message.kind === 'valid' ? [keyOf(s.message)] : [])),
  );
  for (const s of candidate.steps.slice(firstSettle))
    if (s.op === 'publish' && s.message.kind === 'valid') expect(delivered.has(keyOf(s.message))).toBe(true);
}

const keyOf = (m: ScheduleMessage): string => {
  const e = JSON.parse(m.data) as { tenant_id: string; agent_id: string; event_id: string };
  return `${e.tenant_id}/${e.agent_id}/${e.event_id}`;
};

const options = { target: ['CT-4.guard'] as ClauseId[], budget: 60, width: 8, deadline: Date.now() + 60_000 };

describe('minimiseSchedule', () => {
  it('keeps only the messages the failure needs, in their order, within the budget and the width', async () => {
    const start = schedule(40);
    // Fails while ID07 is published before ID31.
    const target = fakeTarget((s) => {
      const order = ids(s);
      const a = order.indexOf('ID07');
      const b = order.indexOf('ID31');
      return a >= 0 && b > a ? ['CT-4.guard'] : [];
    });
    const result = await minimiseSchedule(start, target.execute, options);
    expect(ids(result.schedule)).toEqual(['ID07', 'ID31', 'CANARY']);
    expect(result.before).toEqual({ messages: 41, steps: 42 });
    expect(result.after).toEqual({ messages: 3, steps: 4 });
    expect(result.outcome?.findings.map((f) => f.clauseId)).toEqual(['CT-4.guard']);
    expect(result.executions).toBe(target.ran.length);
    expect(target.ran.length).toBeLessThanOrEqual(options.budget);
    expect(target.maxInFlight()).toBeLessThanOrEqual(options.width);
    for (const s of target.ran) expectInvariants(s, start);
  });

  it('names its result by a path suffix that rebuilds exactly that schedule from the generated one', async () => {
    const start = schedule(12);
    const target = fakeTarget((s) =>
      scheduleMessages(s).some((m) => m.data.includes('ID05') && m.data.includes('ck_body'))
        ? ['CT-5.no-body']
        : [],
    );
    const result = await minimiseSchedule(start, target.execute, { ...options, target: ['CT-5.no-body'] });
    const reduction = result.reduction;
    expect(reduction).toEqual({ kept: [5], fields: ['metadata.ck_body'] });
    const path = `3${formatReduction(reduction ?? { kept: [] })}`;
    expect(path).toBe('3~5~metadata.ck_body');
    const parsed = parseMinimisedPath(path);
    expect(parsed?.run).toBe('3');
    expect(applyReduction(start, parsed?.reduction ?? { kept: [] })).toEqual(result.schedule);
    expect(parseMinimisedPath('3~5,x')).toBeUndefined();
    expect(parseMinimisedPath('3:1:2')).toEqual({ run: '3:1:2' });
    expect(parseMinimisedPath('3~~')).toEqual({ run: '3', reduction: { kept: [], fields: [] } });
  });

  it('stops at the budget and returns the best failing schedule found so far', async () => {
    const start = schedule(40);
    const target = fakeTarget((s) =>
      ids(s).includes('ID07') && ids(s).includes('ID31') ? ['CT-4.guard'] : [],
    );
    const result = await minimiseSchedule(start, target.execute, { ...options, budget: 5, width: 2 });
    expect(target.ran.length).toBeLessThanOrEqual(5);
    expect(result.executions).toBe(target.ran.length);
    expect(ids(result.schedule)).toEqual(expect.arrayContaining(['ID07', 'ID31', 'CANARY']));
    expect(target.fails(result.schedule)).toBe(true);
  });

  it('accepts only candidates failing on every target clause', async () => {
    const start = schedule(12);
    // Any schedule with ID03 fails CT-4.guard; only with ID09 as well does it fail CT-4.dedup too.
    const target = fakeTarget((s) => {
      const order = ids(s);
      return [
        ...(order.includes('ID03') ? (['CT-4.guard'] as const) : []),
        ...(order.includes('ID03') && order.includes('ID09') ? (['CT-4.dedup'] as const) : []),
      ];
    });
    const both = await minimiseSchedule(start, target.execute, {
      ...options,
      target: ['CT-4.guard', 'CT-4.dedup'],
    });
    expect(ids(both.schedule)).toEqual(['ID03', 'ID09', 'CANARY']);
    const one = await minimiseSchedule(start, target.execute, options);
    expect(ids(one.schedule)).toEqual(['ID03', 'CANARY']);
  });

  it('keeps a redelivery only with its first delivery, and drops a settle left with nothing to observe', async () => {
    const base = event({ id: 'ID05', episode: 'E1' });
    const start = schedule(10, [bad(1), bad(2)]);
    start.steps.push(publish(base, 'redelivered'), publish(event({ id: 'ID08', episode: 'E0' }), 'again'), {
      op: 'settle',
    });
    // Fails while the redelivery of ID05 is published after the first settle.
    const target = fakeTarget((s) => {
      const settle = s.steps.findIndex((x) => x.op === 'settle');
      const late = s.steps.slice(settle).some((x) => x.op === 'publish' && x.message.msgId === 'redelivered');
      return late ? ['CT-4.dedup'] : [];
    });
    const result = await minimiseSchedule(start, target.execute, { ...options, target: ['CT-4.dedup'] });
    expect(result.schedule.steps.map((s) => (s.op === 'publish' ? (s.message.msgId ?? s.op) : s.op))).toEqual(
      [`${T}:${A}:ID05`, `${T}:${A}:CANARY`, 'settle', 'redelivered', 'settle'],
    );
    for (const s of target.ran) expectInvariants(s, start);
    // A candidate without the redelivery phase's messages ends with one settle, not two in a row.
    expect(target.ran.some((s) => s.steps.at(-2)?.op === 'settle')).toBe(false);
  });

  it('shrinks a failure caused by one bad message among many to that message', async () => {
    const start = schedule(
      5,
      Array.from({ length: 37 }, (_, i) => bad(i)),
    );
    const target = fakeTarget((s) =>
      scheduleMessages(s).some((m) => m.data === '{bad 29') ? ['CT-4.dlq'] : [],
    );
    const result = await minimiseSchedule(start, target.execute, { ...options, target: ['CT-4.dlq'] });
    expect(ids(result.schedule)).toEqual(['{bad 29', 'CANARY']);
    expect(result.executions).toBeLessThanOrEqual(30);
  });

  it('simplifies payloads, keeping the one field the failure needs and the envelope as it was', async () => {
    const start = schedule(6);
    const target = fakeTarget((s) =>
      scheduleMessages(s).some((m) => m.data.includes('"ck_body"')) ? ['CT-5.no-body'] : [],
    );
    const result = await minimiseSchedule(start, target.execute, { ...options, target: ['CT-5.no-body'] });
    const [kept, last] = scheduleMessages(result.schedule);
    const e = JSON.parse(kept?.data ?? '{}') as Record<string, unknown>;
    expect(e.payload).toEqual({ content_ref: 'x:y', tags: [], metadata: { ck_body: 'marker' } });
    const original = JSON.parse(
      scheduleMessages(start).find((m) => m.data.includes(`"event_id":"${String(e.event_id)}"`))?.data ??
        '{}',
    ) as Record<string, unknown>;
    expect({ ...e, payload: undefined }).toEqual({ ...original, payload: undefined });
    expect(last).toBe(canary.op === 'publish' ? canary.message : undefined);
  });

  it('simplifies every payload at once when the failure does not depend on them', async () => {
    const start = schedule(6);
    const target = fakeTarget((s) => (ids(s).includes('ID02') ? ['CT-4.guard'] : []));
    const result = await minimiseSchedule(start, target.execute, options);
    const [kept] = scheduleMessages(result.schedule);
    expect((JSON.parse(kept?.data ?? '{}') as { payload: unknown }).payload).toEqual({
      content_ref: 'x:y',
      tags: [],
      metadata: {},
    });
  });

  it('keeps bodies that differed under one event id different', async () => {
    const first = event({ id: 'ID01' });
    const conflicting = {
      ...first,
      payload: { ...(first.payload as object), summary: 'conflicting redelivery' },
    };
    const start: Schedule = {
      property: 'test',
      steps: [publish(first), canary, { op: 'settle' }, publish(conflicting, 'd1'), { op: 'settle' }],
    };
    const bodies = (s: Schedule) =>
      new Set(
        scheduleMessages(s)
          .filter((m) => !m.data.includes('CANARY'))
          .map((m) => JSON.stringify((JSON.parse(m.data) as { payload: unknown }).payload)),
      );
    const target = fakeTarget((s) => (bodies(s).size === 2 ? ['CT-4.dedup'] : []));
    const result = await minimiseSchedule(start, target.execute, { ...options, target: ['CT-4.dedup'] });
    expect(bodies(result.schedule).size).toBe(2);
    for (const body of bodies(result.schedule)) expect(body.length).toBeLessThan(70);
  });

  it('picks the same counterexample at any width', async () => {
    const start = schedule(30);
    const fails = (s: Schedule): ClauseId[] => {
      const order = ids(s);
      return order.includes('ID04') && (order.includes('ID17') || order.includes('ID22'))
        ? ['CT-4.guard']
        : [];
    };
    const wide = await minimiseSchedule(start, fakeTarget(fails).execute, {
      ...options,
      budget: 200,
      width: 8,
    });
    const serial = await minimiseSchedule(start, fakeTarget(fails).execute, {
      ...options,
      budget: 200,
      width: 1,
    });
    expect(ids(wide.schedule)).toEqual(ids(serial.schedule));
  });

  it('on generated schedules of every property, keeps the canary, settles and crashes', async () => {
    for (const def of PROJECTOR_PROPERTIES) {
      for (const run of [0, 5]) {
        const start = generateRun(scheduleArbitrary(def.name, def.profile), 3, run).value;
        // A failure every schedule shows: one message beside the canary is left (ddmin never tries none).
        const target = fakeTarget(() => ['CT-4.consume']);
        const result = await minimiseSchedule(start, target.execute, {
          ...options,
          target: ['CT-4.consume'],
        });
        for (const s of target.ran) expectInvariants(s, start);
        if (result.reduction !== undefined)
          expect(applyReduction(start, result.reduction)).toEqual(result.schedule);
        const messages = scheduleMessages(result.schedule);
        expect(messages.length, def.name).toBeLessThanOrEqual(2);
        const payload = (JSON.parse(messages.at(-1)?.data ?? '{}') as { payload: { tags: string[] } })
          .payload;
        expect(payload.tags, def.name).toEqual(['canary']);
      }
    }
  });
});
