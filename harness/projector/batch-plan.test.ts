import { describe, expect, it } from 'vitest';
import { ProjectionModel, type EpisodeEvent } from 'continuum-contract';
import { planBatch, type RowState } from './batch-plan.js';
import { prepareEvent } from './prepared-event.js';

const EP = '01JD3ZTZ0000000000000000AA';
function ev(id: string, ts: string, type: EpisodeEvent['event_type'] = 'episode.updated'): EpisodeEvent {
  return {
    event_id: id,
    event_type: type,
    tenant_id: 't',
    agent_id: 'a',
    episode_id: EP,
    source_ts: ts,
    schema_version: 1,
    payload: { content_ref: `c:${id}`, tags: [], metadata: {} },
  };
}
const id = (n: number) => `01JD3ZV8X3N4Q2W5E6R7T8Y9${String(n).padStart(2, '0')}`;

describe('planBatch', () => {
  it('reports the outcomes the model gives in arrival order, starting from the current row', () => {
    const before = [ev(id(10), '2026-01-01T00:00:10Z')];
    const batch = [
      ev(id(12), '2026-01-01T00:00:12Z'),
      ev(id(11), '2026-01-01T00:00:11Z'), // stale against 12
      ev(id(5), '2026-01-01T00:00:05Z', 'episode.deleted'), // old delete: still applied (sets deleted)
      ev(id(6), '2026-01-01T00:00:06Z', 'episode.deleted'), // already deleted: stale
      ev(id(13), '2026-01-01T00:00:12Z'), // same instant as 12, greater id
    ];
    const model = new ProjectionModel();
    for (const e of before) model.apply(e);
    const current = new Map<string, RowState>([
      [`t/a/${EP}`, { ts: '2026-01-01T00:00:10.000000Z', id: id(10), deleted: false }],
    ]);
    const plan = planBatch(current, batch.map(prepareEvent));
    expect(plan.outcomes).toEqual(batch.map((e) => model.apply(e)));
    expect(plan.upserts).toHaveLength(1);
    expect(plan.upserts[0]?.prepared.event.event_id).toBe(id(13));
    expect(plan.upserts[0]?.deleted).toBe(true);
  });

  it('sends no upsert when every event is stale', () => {
    const current = new Map<string, RowState>([
      [`t/a/${EP}`, { ts: '2026-01-01T00:00:10.000000Z', id: id(10), deleted: true }],
    ]);
    const plan = planBatch(current, [prepareEvent(ev(id(1), '2026-01-01T00:00:01Z', 'episode.deleted'))]);
    expect(plan).toEqual({ outcomes: ['stale'], upserts: [] });
  });
});
