import { describe, expect, it } from 'vitest';
import type { EpisodeEvent } from 'continuum-contract';
import { prepareEvent, unprojectableReason } from './prepared-event.js';

const base: EpisodeEvent = {
  event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZA',
  event_type: 'episode.updated',
  tenant_id: 't',
  agent_id: 'a',
  episode_id: '01JD3ZTZ0000000000000000AB',
  source_ts: '2026-11-24T10:15:30.5Z',
  schema_version: 1,
  payload: { content_ref: 'c:x', tags: [], metadata: {} },
};

describe('prepared events', () => {
  it('canonicalises source_ts and keys the row by tenant/agent/episode', () => {
    expect(prepareEvent(base)).toMatchObject({
      ts: '2026-11-24T10:15:30.500000Z',
      rowKey: `t/a/${base.episode_id}`,
    });
  });

  it('flags what PostgreSQL cannot store: U+0000, lone surrogates, year 0000', () => {
    expect(unprojectableReason(base)).toBeUndefined();
    expect(
      unprojectableReason({ ...base, payload: { ...base.payload, metadata: { k: 'a\u0000' } } }),
    ).toMatch(/metadata\.k/);
    expect(unprojectableReason({ ...base, payload: { ...base.payload, content_ref: 'c:\ud800' } })).toMatch(
      /content_ref/,
    );
    expect(unprojectableReason({ ...base, source_ts: '0000-01-01T00:00:00Z' })).toMatch(/year 0000/);
    // A well-formed surrogate pair is fine.
    expect(
      unprojectableReason({ ...base, payload: { ...base.payload, summary: '\ud83d\ude00' } }),
    ).toBeUndefined();
  });

  it('ignores unknown fields: neither checked for storability nor stored', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`) as unknown;
    const withUnknown = {
      ...base,
      ck_nul: 'a\u0000b',
      ck_deep: deep,
      payload: { ...base.payload, ck_future: '\ud800' },
    } as EpisodeEvent;
    expect(unprojectableReason(withUnknown)).toBeUndefined();
    const prepared = prepareEvent(withUnknown);
    expect(JSON.parse(prepared.json)).toEqual(base);
    expect(prepared.event).toEqual(base);
  });
});
