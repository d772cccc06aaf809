import { describe, expect, it } from 'vitest';
import { decodeEpisodeEvent } from 'continuum-contract';
import { derivePayloadEdges, PAYLOAD_EDGES } from './spec-edges.js';

const event = (payload: Record<string, unknown>) => ({
  event_id: '01JD3ZTZ000000000000000001',
  event_type: 'episode.updated',
  tenant_id: 't1',
  agent_id: 'a1',
  episode_id: '01JD3ZTZ000000000000000000',
  source_ts: '2026-01-01T00:00:00Z',
  schema_version: 1,
  payload,
});
const typical = { content_ref: 'x:y', summary: 'hello', tags: ['a'], metadata: { k: 1 } };

describe('payload edges derived from the schema', () => {
  it('every edge of the contract schema is a valid event at the bound it names', () => {
    expect(PAYLOAD_EDGES.length).toBeGreaterThan(0);
    for (const e of PAYLOAD_EDGES) {
      const payload = e.apply(typical);
      expect(
        decodeEpisodeEvent(JSON.stringify(event(payload)), 'consumer').ok,
        `${e.constraint} ${e.edge}`,
      ).toBe(true);
    }
    const summary = PAYLOAD_EDGES.find(
      (e) => e.constraint === 'summary.maxLength' && e.edge === 'at-limit-astral',
    );
    const text = summary?.apply(typical).summary as string;
    expect([...text].length).toBe(280);
    expect(text.length).toBeGreaterThan(280); // UTF-16 units
    expect(Buffer.byteLength(text)).toBeGreaterThan(280);
  });

  it('a new bound in a schema gets its edges without hand work', () => {
    const edges = derivePayloadEdges({
      properties: { note: { type: 'string', minLength: 2, maxLength: 9 } },
    });
    expect(edges.map((e) => `${e.constraint} ${e.edge}`)).toEqual([
      'note.maxLength at-limit-multibyte',
      'note.maxLength at-limit-astral',
      'note.maxLength just-inside-astral',
      'note.minLength at-min-astral',
    ]);
    expect([...(edges[0]?.apply({}).note as string)].length).toBe(9);
  });
});
