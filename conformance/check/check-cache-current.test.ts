import { describe, expect, it } from 'vitest';
import type { ObservedRow } from '../target/observation.js';
import { checkCacheCurrent } from './check-cache-current.js';

const row: ObservedRow = {
  tenant_id: 't0',
  agent_id: 'a0',
  episode_id: 'e0',
  event_type: 'episode.updated',
  content_ref: 'x:y',
  summary: null,
  tags: ['a'],
  embedding_ref: null,
  metadata: {},
  last_event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZB',
  last_event_ts: '2026-01-01T00:00:02.000000Z',
  deleted: false,
  updated_at: '2026-01-01T00:00:03.000000Z',
};
const entry = {
  content_ref: 'x:y',
  tags: ['a'],
  last_event_id: '01JD3ZV8X3N4Q2W5E6R7T8Y9ZB',
  last_event_ts: '2026-01-01T00:00:02Z',
};
const cached = (e: object) => [{ key: 'k', tenantId: 't0', agentId: 'a0', episodeId: 'e0', entry: e }];

describe('checkCacheCurrent', () => {
  it("passes an entry holding its row's current fields (timestamps compared as instants)", () => {
    const r = checkCacheCurrent(cached(entry), [row]);
    expect(r.findings).toEqual([]);
    expect(r.evidence.get('CT-5.cache-current')).toBe(1);
  });
  it('an entry behind its row is CT-5.cache-current', () => {
    const r = checkCacheCurrent(cached({ ...entry, tags: ['old'] }), [row]);
    expect(r.findings.map((f) => f.clauseId)).toEqual(['CT-5.cache-current']);
  });
  it("a deleted episode's entry left in place is CT-5.cache-current; its absence is evidence", () => {
    expect(checkCacheCurrent(cached(entry), [{ ...row, deleted: true }]).findings).toHaveLength(1);
    const absent = checkCacheCurrent([], [{ ...row, deleted: true }]);
    expect(absent.findings).toEqual([]);
    expect(absent.evidence.get('CT-5.cache-current')).toBe(1);
  });
});
