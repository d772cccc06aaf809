import { describe, expect, it } from 'vitest';
import { CLAUSES } from 'continuum-contract';
import { PRODUCER_CLAUSES } from '../producer/run-producer.js';
import { PROJECTOR_PROPERTIES } from './catalog.js';
import { SelectionError, selectProperties } from './select.js';

const base = { producerClauses: ['CT-3.msg-id'] as const, producerAvailable: false };

describe('selectProperties', () => {
  it('a property typo is a SelectionError naming the closest property', () => {
    expect(() =>
      selectProperties({ ...base, producerClauses: [...base.producerClauses], properties: ['valky'] }),
    ).toThrow(/did you mean 'valkey'/);
  });
  it('a clause pattern matching nothing names the closest clause', () => {
    expect(() =>
      selectProperties({ ...base, producerClauses: [...base.producerClauses], clauses: /CT-4\.dedupp/ }),
    ).toThrow(SelectionError);
  });
  it("a partial selection leaves the other properties' clauses not-selected", () => {
    const s = selectProperties({
      ...base,
      producerClauses: [...base.producerClauses],
      properties: ['duplicates'],
    });
    expect(s.projector.map((p) => p.name)).toEqual(['duplicates']);
    expect(s.notSelected.has('CT-4.guard')).toBe(true);
    expect(s.notSelected.has('CT-4.dedup')).toBe(false);
  });
  it('each property tests only clauses binding its side, so a run of one side never selects the other', () => {
    const misplaced = [
      ...PROJECTOR_PROPERTIES.flatMap((p) => p.clauses.map((c) => [p.name, c] as const)),
      ...PRODUCER_CLAUSES.map((c) => ['producer', c] as const),
    ].filter(
      ([name, c]) => ![name === 'producer' ? 'producer' : 'projector', 'both'].includes(CLAUSES[c].side),
    );
    expect(misplaced).toEqual([]);
  });
});
