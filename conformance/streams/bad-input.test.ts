import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEpisodeEvent } from 'continuum-contract';
import { PROJECTOR_PROPERTIES } from '../properties/catalog.js';
import { badInput, nearMissIds } from './bad-input.js';
import { eventId } from './event-parts.js';
import { scheduleArbitrary } from './schedule-arbitrary.js';
import { scheduleMessages } from './schedule.js';

const event = (event_id: string) => ({
  event_id,
  event_type: 'episode.updated',
  tenant_id: 't1',
  agent_id: 'a1',
  episode_id: '01JD3ZTZ000000000000000000',
  source_ts: '2026-01-01T00:00:00Z',
  schema_version: 1,
  payload: { content_ref: 'x:y', tags: [], metadata: {} },
});

describe('near-miss event ids', () => {
  it('each is rejected as CT-3.envelope.event_id while the id it misses is valid', () => {
    fc.assert(
      fc.property(eventId(), (id) => {
        expect(decodeEpisodeEvent(JSON.stringify(event(id))).ok).toBe(true);
        const misses = nearMissIds(id);
        expect(misses.length).toBe(5);
        for (const m of misses) {
          const r = decodeEpisodeEvent(JSON.stringify(event(m.value)), 'consumer');
          expect(r.ok, `${m.label}: ${m.value}`).toBe(false);
          if (!r.ok) expect(r.errors[0]?.clauseId, m.label).toBe('CT-3.envelope.event_id');
        }
      }),
    );
  });

  it('comes with its valid twin, which the bad-input schedules publish as a valid event', () => {
    const base = {
      ...event('01JD3ZTZ00000000000000000Z'),
      payload: { content_ref: 'x:y', tags: [], metadata: {} },
    };
    const near = fc.sample(badInput(base), { numRuns: 300, seed: 3 }).filter((b) => b.twin !== undefined);
    expect(near.length).toBeGreaterThan(0);
    for (const b of near) {
      const twin = b.twin as NonNullable<typeof b.twin>;
      expect(twin.event_id).not.toBe(base.event_id);
      expect(decodeEpisodeEvent(JSON.stringify(twin)).ok).toBe(true);
      expect(decodeEpisodeEvent(b.data, 'consumer').ok).toBe(false);
    }
    const property = PROJECTOR_PROPERTIES.find((p) => p.name === 'bad-input');
    if (property === undefined) throw new Error('no bad-input property');
    const schedules = fc.sample(scheduleArbitrary('bad-input', property.profile), { numRuns: 30, seed: 7 });
    const twinned = schedules.flatMap((s) => {
      const messages = scheduleMessages(s);
      return messages
        .filter((m) => m.kind === 'invalid' && m.label?.startsWith('near-miss event_id') === true)
        .filter((m) => {
          const twin = JSON.parse(m.data) as { episode_id: string; source_ts: string };
          return messages.some(
            (v) =>
              v.kind === 'valid' && v.data.includes('near-miss twin') && v.data.includes(twin.episode_id),
          );
        });
    });
    expect(twinned.length).toBeGreaterThan(5);
  });
});
