import { describe, expect, it } from 'vitest';
import { dominantClause } from './run-properties.js';

describe('the clause a counterexample is minimised for', () => {
  it('is the failed clause that failed in the most runs', () => {
    const failures = new Map([
      ['CT-4.stale', 2],
      ['CT-4.dedup', 7],
      ['CT-4.tie-break', 3],
    ] as const);
    expect(dominantClause(['CT-4.stale', 'CT-4.dedup', 'CT-4.tie-break'], failures)).toBe('CT-4.dedup');
  });

  it('is the first named on a tie or without counts', () => {
    expect(
      dominantClause(
        ['CT-4.guard', 'CT-4.stale'],
        new Map([
          ['CT-4.stale', 1],
          ['CT-4.guard', 1],
        ]),
      ),
    ).toBe('CT-4.guard');
    expect(dominantClause(['CT-4.delete', 'CT-4.guard'], new Map())).toBe('CT-4.delete');
  });

  it('ignores counts of clauses the failure did not name', () => {
    expect(dominantClause(['CT-4.guard'], new Map([['CT-4.dedup', 9]]))).toBe('CT-4.guard');
  });
});
