import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTRACT } from 'continuum-contract';
import { PROJECTOR_PROPERTIES } from '../properties/catalog.js';
import { scheduleArbitrary } from './schedule-arbitrary.js';
import { scheduleMessages } from './schedule.js';
import { sweepArbitrary, SWEEP_KINDS } from './validator-sweep.js';

const badInput = PROJECTOR_PROPERTIES.find((p) => p.name === 'bad-input');

describe('validator sweep', () => {
  it('every bad-input schedule carries every validator clause (and CT-11.reflex-refs) as invalid input', () => {
    if (badInput === undefined) throw new Error('no bad-input property');
    const validator = Object.values(CONTRACT.clauses)
      .filter((c) => c.check === 'validator' && c.id !== 'CT-3.unknown-fields')
      .map((c) => c.id);
    fc.assert(
      fc.property(scheduleArbitrary('bad-input', badInput.profile), (schedule) => {
        const invalid = scheduleMessages(schedule).filter((m) => m.kind === 'invalid');
        const covered = new Set(invalid.flatMap((m) => [m.expectClause, ...(m.credits ?? [])]));
        expect(validator.filter((c) => !covered.has(c))).toEqual([]);
        // Every string-carried consumer-mode kind is sent once.
        const swept = invalid.filter((m) => m.label?.startsWith('sweep: ') === true);
        expect(swept.length).toBeGreaterThanOrEqual(SWEEP_KINDS.length - 1);
      }),
      { numRuns: 20, seed: 3 },
    );
  });

  it('leaves producer-only kinds out and shrinks towards fewer kinds', () => {
    expect(SWEEP_KINDS.some((k) => !k.rejectedIn.includes('consumer'))).toBe(false);
    const arb = sweepArbitrary();
    const all = SWEEP_KINDS.map((_, i) => i);
    const shrunk = [...arb.shrink(all, undefined)].map((v) => v.value);
    expect(shrunk[0]).toEqual([]);
    expect(shrunk.slice(1).map((s) => s.length)).toEqual([
      Math.ceil(all.length / 2),
      Math.floor(all.length / 2),
    ]);
    expect([...arb.shrink([5], undefined)].map((v) => v.value)).toEqual([[]]);
  });
});
