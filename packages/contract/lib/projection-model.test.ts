import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalSourceTs } from './ordering.js';
import { ProjectionModel, type ModelEvent } from './projection-model.js';

const TYPES = ['episode.created', 'episode.updated', 'episode.summarized', 'episode.deleted'] as const;
const EPISODES = ['01JD3ZTZ0000000000000000AA', '01JD3ZTZ0000000000000000AB'];
// Few distinct instants (with equal instants spelled differently) so ties are common.
const TIMESTAMPS = [
  '2026-11-24T10:00:00Z',
  '2026-11-24T10:00:00.000000Z',
  '2026-11-24T10:00:00.5Z',
  '2026-11-24T10:00:00.500Z',
  '2026-11-24T10:00:00.500001Z',
  '2026-11-24T10:00:01Z',
];

function ulidLike(n: number): string {
  return `01JD3ZV8X3N4Q2W5E6R7T8${n.toString(32).toUpperCase().padStart(4, '0')}`;
}

/** Distinct events (unique event_id per tenant/agent) over a couple of keys. */
const eventsArb = fc
  .array(
    fc.record({
      agent: fc.constantFrom('a1', 'a2'),
      episode: fc.constantFrom(...EPISODES),
      type: fc.constantFrom(...TYPES),
      ts: fc.constantFrom(...TIMESTAMPS),
      summary: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    }),
    { maxLength: 30 },
  )
  .chain((specs) =>
    fc
      .shuffledSubarray([...Array(1000).keys()], { minLength: specs.length, maxLength: specs.length })
      .map((ids) =>
        specs.map((s, i): ModelEvent => ({
          event_id: ulidLike(ids[i] ?? i),
          event_type: s.type,
          tenant_id: 't1',
          agent_id: s.agent,
          episode_id: s.episode,
          source_ts: s.ts,
          payload: {
            content_ref: `continuum://t1/${s.episode}/${i}`,
            ...(s.summary === undefined ? {} : { summary: s.summary }),
            tags: [`n${i}`],
            metadata: { i },
          },
        })),
      ),
  );

function project(events: readonly ModelEvent[]): ProjectionModel {
  const m = new ProjectionModel();
  for (const e of events) m.apply(e);
  return m;
}

describe('ProjectionModel', () => {
  it('final rows do not depend on arrival order or duplication', () => {
    fc.assert(
      fc.property(
        eventsArb.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
            fc.array(fc.nat({ max: Math.max(0, events.length - 1) }), { maxLength: 10 }),
          ),
        ),
        ([events, shuffled, dupIdx]) => {
          const withDups = [...shuffled];
          for (const i of dupIdx) {
            const e = events[i];
            if (e !== undefined) withDups.splice(i % (withDups.length + 1), 0, e);
          }
          expect(project(withDups).rows()).toEqual(project(events).rows());
        },
      ),
    );
  });

  it('a row holds the greatest event and deleted is the OR of deletes', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const m = project(events);
        for (const row of m.rows()) {
          const mine = events.filter((e) => e.agent_id === row.agent_id && e.episode_id === row.episode_id);
          for (const e of mine) {
            const ts = canonicalSourceTs(e.source_ts);
            const notGreater =
              ts < row.last_event_ts || (ts === row.last_event_ts && e.event_id <= row.last_event_id);
            expect(notGreater).toBe(true);
          }
          expect(row.deleted).toBe(mine.some((e) => e.event_type === 'episode.deleted'));
        }
      }),
    );
  });

  it('reports duplicates, and stale for an event not greater than the row', () => {
    const m = new ProjectionModel();
    const base = {
      tenant_id: 't1',
      agent_id: 'a1',
      episode_id: EPISODES[0] ?? '',
      payload: { content_ref: 'continuum://x', tags: [], metadata: {} },
    };
    const newer = {
      ...base,
      event_id: ulidLike(2),
      event_type: 'episode.updated',
      source_ts: '2026-01-01T00:00:02Z',
    };
    const older = {
      ...base,
      event_id: ulidLike(1),
      event_type: 'episode.updated',
      source_ts: '2026-01-01T00:00:01Z',
    };
    expect(m.apply(newer)).toBe('applied');
    expect(m.apply(newer)).toBe('duplicate');
    expect(m.apply(older)).toBe('stale');
    expect(m.row(base)?.last_event_id).toBe(newer.event_id);
  });

  it('an older event after a delete never undoes it; a newer one updates fields but stays deleted', () => {
    const m = new ProjectionModel();
    const base = { tenant_id: 't1', agent_id: 'a1', episode_id: EPISODES[0] ?? '' };
    const p = (ref: string) => ({ content_ref: ref, tags: [], metadata: {} });
    const del = {
      ...base,
      event_id: ulidLike(5),
      event_type: 'episode.deleted',
      source_ts: '2026-01-01T00:00:05Z',
      payload: p('c:del'),
    };
    const old = {
      ...base,
      event_id: ulidLike(4),
      event_type: 'episode.updated',
      source_ts: '2026-01-01T00:00:04Z',
      payload: p('c:old'),
    };
    const nxt = {
      ...base,
      event_id: ulidLike(6),
      event_type: 'episode.updated',
      source_ts: '2026-01-01T00:00:06Z',
      payload: p('c:new'),
    };
    expect(m.apply(del)).toBe('applied');
    expect(m.apply(old)).toBe('stale');
    expect(m.row(base)).toMatchObject({ deleted: true, content_ref: 'c:del', last_event_id: del.event_id });
    expect(m.apply(nxt)).toBe('applied');
    expect(m.row(base)).toMatchObject({ deleted: true, content_ref: 'c:new', event_type: 'episode.updated' });
  });

  it('an older delete arriving late sets deleted without touching the fields', () => {
    const m = new ProjectionModel();
    const base = { tenant_id: 't1', agent_id: 'a1', episode_id: EPISODES[0] ?? '' };
    const p = (ref: string) => ({ content_ref: ref, tags: [], metadata: {} });
    const upd = {
      ...base,
      event_id: ulidLike(9),
      event_type: 'episode.updated',
      source_ts: '2026-01-01T00:00:09Z',
      payload: p('c:upd'),
    };
    const del = {
      ...base,
      event_id: ulidLike(3),
      event_type: 'episode.deleted',
      source_ts: '2026-01-01T00:00:03Z',
      payload: p('c:del'),
    };
    m.apply(upd);
    expect(m.apply(del)).toBe('applied');
    expect(m.row(base)).toMatchObject({ deleted: true, content_ref: 'c:upd', last_event_id: upd.event_id });
  });

  it('equal instants resolve by event_id byte order, whatever the spelling of the instant', () => {
    const base = {
      tenant_id: 't1',
      agent_id: 'a1',
      episode_id: EPISODES[0] ?? '',
      event_type: 'episode.updated',
    };
    const p = (ref: string) => ({ content_ref: ref, tags: [], metadata: {} });
    // '0193...' (UUIDv7) < '01JD...' (ULID) in byte order.
    const a = {
      ...base,
      event_id: '0193591f-6e1a-7cc3-8a41-2b7c9d0e1f22',
      source_ts: '2026-01-01T00:00:00.5Z',
      payload: p('c:a'),
    };
    const b = { ...base, event_id: ulidLike(1), source_ts: '2026-01-01T00:00:00.500000Z', payload: p('c:b') };
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const m = project(order);
      expect(m.row(base)).toMatchObject({
        last_event_id: b.event_id,
        last_event_ts: '2026-01-01T00:00:00.500000Z',
      });
    }
  });
});
