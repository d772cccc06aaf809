import { describe, expect, it } from 'vitest';
import { CONTRACT } from 'continuum-contract';
import { PROJECTOR_PROPERTIES } from '../properties/catalog.js';
import { scheduleMessages } from './schedule.js';
import { sweepSchedules } from './schedule-arbitrary.js';
import { SWEEP_KINDS } from './validator-sweep.js';

const sweep = PROJECTOR_PROPERTIES.find((p) => p.name === 'corruption-sweep');

describe('validator sweep', () => {
  it('covers every validator clause (and CT-11.reflex-refs), one kind per schedule of a few messages', () => {
    if (sweep?.examples === undefined) throw new Error('no corruption-sweep property with fixed schedules');
    const validator = Object.values(CONTRACT.clauses)
      .filter((c) => c.check === 'validator' && c.id !== 'CT-3.unknown-fields')
      .map((c) => c.id);
    const schedules = sweep.examples.schedules(3);
    expect(schedules).toHaveLength(sweep.examples.runs);
    expect(sweep.examples.runs).toBe(SWEEP_KINDS.length);
    const invalid = schedules.map((s) => scheduleMessages(s).filter((m) => m.kind === 'invalid'));
    const covered = new Set(invalid.flat().flatMap((m) => [m.expectClause, ...(m.credits ?? [])]));
    expect(validator.filter((c) => !covered.has(c))).toEqual([]);
    // Every string-carried kind is sent, each alone in its schedule, beside a valid event and the canary.
    expect(invalid.filter((messages) => messages.length === 1).length).toBeGreaterThanOrEqual(
      SWEEP_KINDS.length - 1,
    );
    expect(invalid.every((messages) => messages.length <= 1)).toBe(true);
    for (const s of schedules) expect(scheduleMessages(s).length).toBeLessThanOrEqual(4);
  });

  it('leaves producer-only kinds out and is the same for the same seed', () => {
    expect(SWEEP_KINDS.some((k) => !k.rejectedIn.includes('consumer'))).toBe(false);
    const profile = { ...(sweep?.profile ?? PROJECTOR_PROPERTIES[0]!.profile) };
    expect(JSON.stringify(sweepSchedules('corruption-sweep', profile, 9))).toEqual(
      JSON.stringify(sweepSchedules('corruption-sweep', profile, 9)),
    );
  });
});
