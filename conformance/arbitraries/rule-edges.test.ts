import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOrderingKey, validateEpisodeEvent } from 'continuum-contract';
import { collationTrapIds, instantPool, spellInstant } from '../streams/event-parts.js';
import { PROJECTOR_PROPERTIES } from '../properties/catalog.js';
import { scheduleArbitrary } from '../streams/schedule-arbitrary.js';
import { scheduleMessages } from '../streams/schedule.js';
import { edgeNotes } from './edge-note.js';
import { deriveOrderingComponents, RULE_EDGES, ruleEdgeLabels } from './rule-edges.js';

const event = (event_id: string, source_ts: string, event_type = 'episode.updated', summary = 's') => ({
  event_id,
  event_type,
  tenant_id: 't1',
  agent_id: 'a1',
  episode_id: '01JD3ZTZ000000000000000000',
  source_ts,
  schema_version: 1,
  payload: { content_ref: 'x:y', summary, tags: [], metadata: {} },
});
const bytes = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('collation-trap ids', () => {
  it('are valid event ids whose byte order differs from a locale or punctuation-skipping collation', () => {
    const locale = new Intl.Collator('en');
    const skipping = new Intl.Collator('en', { ignorePunctuation: true });
    fc.assert(
      fc.property(collationTrapIds(), ([caseUlid, caseUuid, hyphenUuid, hyphenUlid]) => {
        for (const id of [caseUlid, caseUuid, hyphenUuid, hyphenUlid] as string[])
          expect(validateEpisodeEvent(event(id, '2026-01-01T00:00:00Z')).ok, id).toBe(true);
        const [a, b, c, d] = [caseUlid, caseUuid, hyphenUuid, hyphenUlid] as string[];
        expect(bytes(a, b)).toBe(-1); // 'G'-'Z' before 'a'-'f' in bytes
        expect(Math.sign(locale.compare(a, b))).toBe(1);
        expect(Math.sign(c.localeCompare(d))).toBe(bytes(c, d)); // ICU keeps '-' at the first level
        expect(bytes(c, d)).toBe(-1);
        expect(Math.sign(skipping.compare(c, d))).toBe(1);
      }),
    );
  });
});

describe('instant pools', () => {
  it('hold twins equal to the millisecond but not the microsecond, spelled as valid source_ts', () => {
    const pools = fc.sample(instantPool(4), { numRuns: 200, seed: 1 });
    const sameMs = pools.flatMap((p) =>
      p.slice(1).filter((at, i) => {
        const prev = p[i] as { seconds: number; micros: number };
        return (
          at.seconds === prev.seconds &&
          at.micros !== prev.micros &&
          Math.floor(at.micros / 1000) === Math.floor(prev.micros / 1000)
        );
      }),
    );
    expect(sameMs.length).toBeGreaterThan(50);
    for (const p of pools)
      for (const at of p)
        for (const spelling of [0, 1, 2])
          expect(
            validateEpisodeEvent(event('01JD3ZTZ000000000000000001', spellInstant(at, spelling))).ok,
          ).toBe(true);
  });
});

describe('rule edges derived from the spec', () => {
  it('labels each arrival with the edges of the pairs it meets on its row', () => {
    const [ulid, uuid] = ['0189G000000000000000000000', '0189a000-0000-7000-8000-000000000000'];
    expect(
      compareOrderingKey(
        { source_ts: '2026-01-01T00:00:00Z', event_id: ulid },
        { source_ts: '2026-01-01T00:00:00Z', event_id: uuid },
      ),
    ).toBe(-1);
    const labels = ruleEdgeLabels([
      event(uuid, '2026-01-01T00:00:00.123456Z'),
      event(ulid, '2026-01-01T00:00:00.123456Z'),
      event('0189H000000000000000000000', '2026-01-01T00:00:00.123457Z', 'episode.deleted'),
      event('0189J000000000000000000000', '2026-01-01T00:00:00.1204Z'),
      event('0189J000000000000000000000', '2026-01-01T00:00:00.1204Z', 'episode.updated', 'other'),
      event('0189K000000000000000000000', '2026-01-01T00:00:00.12346Z'),
    ]);
    expect(labels[0]).toEqual([]);
    expect(labels[1]).toEqual(
      expect.arrayContaining([
        'edge: CT-4.tie-break mixed-formats',
        'edge: CT-4.tie-break byte-vs-locale',
        'edge: CT-4.tie-break byte-vs-punctuation-ignored',
        'edge: CT-4.stale smaller-after-greater',
      ]),
    );
    expect(labels[2]).toEqual(['edge: CT-4.guard differs-below-ms']);
    expect(labels[3]).toEqual(
      expect.arrayContaining(['edge: CT-4.delete older-after-delete', 'edge: CT-4.guard differs-below-s']),
    );
    expect(labels[4]).toContain('edge: CT-4.dedup same-key-other-body');
    // '.12346' and '.123460' are one instant spelled two ways; the tie is broken by event_id.
    expect(
      ruleEdgeLabels([
        event('0189K000000000000000000001', '2026-01-01T00:00:00.123460Z'),
        event('0189K000000000000000000000', '2026-01-01T00:00:00.12346Z'),
      ])[1],
    ).toEqual(expect.arrayContaining(['edge: CT-4.tie-break equal-instant-other-spelling']));
  });

  it('a new ordering component or id format gets its edges without hand work', () => {
    const components = deriveOrderingComponents(['at', 'id'], {
      at: { pattern: '^[0-9]{10}(\\.[0-9]{1,9})?$' },
      id: { oneOf: [{ $ref: '#/definitions/a' }, { $ref: '#/definitions/b' }, { $ref: '#/definitions/c' }] },
      a: { pattern: '^a' },
      b: { pattern: '^b' },
      c: { pattern: '^c' },
    });
    expect(components.map((c) => [c.name, c.clause, c.edges])).toEqual([
      ['at', 'CT-4.guard', ['differs-below-ms', 'differs-below-s']],
      ['id', 'CT-4.tie-break', ['mixed-formats', 'byte-vs-locale', 'byte-vs-punctuation-ignored']],
    ]);
  });

  it('the reordering property exercises every ordering and delete edge within a default run', () => {
    const reordering = PROJECTOR_PROPERTIES.find((p) => p.name === 'reordering');
    if (reordering === undefined) throw new Error('no reordering property');
    const counts = new Map<string, number>();
    for (const schedule of fc.sample(scheduleArbitrary('reordering', reordering.profile), {
      numRuns: 70,
      seed: 7,
    }))
      for (const m of scheduleMessages(schedule))
        if (m.kind === 'valid' && m.label !== undefined) counts.set(m.label, (counts.get(m.label) ?? 0) + 1);
    const note = edgeNotes(counts)[1] as string;
    const missed = note.split(' — not exercised: ')[1]?.split(', ') ?? [];
    expect(RULE_EDGES.length).toBeGreaterThan(10);
    // Conflicting bodies under one key come from the duplicates property's redelivery phase.
    expect(missed, note).toEqual(['CT-4.dedup same-key-other-body']);
  });
});
