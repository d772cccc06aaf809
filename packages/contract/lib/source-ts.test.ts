import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRealCalendarDate, isRealCalendarDateOfPatternValid } from './source-ts.js';

// The schema's source_ts pattern (schemas/defs.schema.json): what the fast variant may assume.
const PATTERN =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?Z$/;

describe('isRealCalendarDateOfPatternValid', () => {
  it('agrees with isRealCalendarDate on every pattern-valid timestamp', () => {
    const lateDay = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(28, 29, 30, 31),
      )
      .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${d}T12:00:00Z`);
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(PATTERN), lateDay), (ts) => {
        expect(PATTERN.test(ts)).toBe(true);
        expect(isRealCalendarDateOfPatternValid(ts), ts).toBe(isRealCalendarDate(ts));
      }),
      { numRuns: 3000 },
    );
  });

  it('knows leap years', () => {
    expect(isRealCalendarDateOfPatternValid('2024-02-29T00:00:00Z')).toBe(true);
    expect(isRealCalendarDateOfPatternValid('2000-02-29T00:00:00Z')).toBe(true);
    expect(isRealCalendarDateOfPatternValid('2100-02-29T00:00:00Z')).toBe(false);
    expect(isRealCalendarDateOfPatternValid('2026-04-31T00:00:00.5Z')).toBe(false);
    expect(isRealCalendarDateOfPatternValid('2026-12-31T23:59:59.999999Z')).toBe(true);
  });
});
