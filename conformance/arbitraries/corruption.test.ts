import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEpisodeEvent, type ValidationMode } from 'continuum-contract';
import { CORRUPTIONS, corruptedEventArb } from './corruption.js';
import { validEventArb } from './valid-event.js';

const MODES: ValidationMode[] = ['producer', 'consumer'];

describe('valid-event arbitrary', () => {
  for (const size of ['realistic', 'full'] as const) {
    it(`every ${size} event passes decode in both modes`, () => {
      fc.assert(
        fc.property(validEventArb({ size }), (event) => {
          for (const mode of MODES) {
            const result = decodeEpisodeEvent(JSON.stringify(event), mode);
            expect(result.ok ? [] : result.errors).toEqual([]);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('honours the pools, the ts range and the event types', () => {
    const options = {
      tenantIds: ['t1', 't2'],
      agentIds: ['a1'],
      episodeIds: ['01JD3ZTZ0000000000000000AB'],
      minTs: new Date('2026-01-01T00:00:00Z'),
      maxTs: new Date('2026-01-02T00:00:00Z'),
      eventTypes: ['episode.deleted'] as const,
      eventIdKind: 'uuidv7' as const,
    };
    fc.assert(
      fc.property(validEventArb({ ...options, eventTypes: [...options.eventTypes] }), (e) => {
        expect(options.tenantIds).toContain(e.tenant_id);
        expect(e.agent_id).toBe('a1');
        expect(e.episode_id).toBe('01JD3ZTZ0000000000000000AB');
        expect(e.source_ts >= '2026-01-01T00:00:00' && e.source_ts < '2026-01-02T00:00:01').toBe(true);
        expect(e.event_type).toBe('episode.deleted');
        expect(e.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      }),
      { numRuns: 100 },
    );
  });
});

describe('single-field corruptions', () => {
  it('each is rejected with exactly the expected clause (property)', () => {
    fc.assert(
      fc.property(corruptedEventArb({ size: 'full' }), (c) => {
        for (const mode of MODES) {
          const result = decodeEpisodeEvent(c.body, mode);
          if (c.rejectedIn.includes(mode)) {
            expect(result.ok, `${c.kind} (${mode})`).toBe(false);
            if (!result.ok) {
              expect([...new Set(result.errors.map((e) => e.clauseId))], `${c.kind} (${mode})`).toEqual([
                c.clauseId,
              ]);
              // Every violation points at the corrupted field or inside it.
              for (const e of result.errors) {
                expect(e.path === c.path || e.path.startsWith(`${c.path}/`), `${c.kind} path ${e.path}`).toBe(
                  true,
                );
              }
            }
          } else {
            expect(result.ok, `${c.kind} (${mode}) must be tolerated`).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('every kind is exercised against one fixed valid event', () => {
    const [event] = fc.sample(validEventArb({ size: 'full' }), { numRuns: 1, seed: 7 });
    if (event === undefined) throw new Error('no sample');
    for (const corruption of CORRUPTIONS) {
      for (const mode of corruption.rejectedIn) {
        const result = decodeEpisodeEvent(corruption.apply(event), mode);
        expect(result.ok ? [] : [...new Set(result.errors.map((e) => e.clauseId))], corruption.kind).toEqual([
          corruption.clauseId,
        ]);
      }
    }
    expect(new Set(CORRUPTIONS.map((c) => c.kind)).size).toBe(CORRUPTIONS.length);
  });
});
