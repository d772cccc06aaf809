import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from './environment-error.js';
import type { Finding } from './finding.js';
import { runBudgetedProperty } from './run-budgeted-property.js';

const budget = { seed: 11, numRuns: 30, maxShrinks: 50, timeLimitMs: 60_000 };

/** Fails CT-4.dedup on values of 50 and more; every value exercises CT-4.dedup and CT-4.guard. */
const execute = async (n: number) => ({
  findings: (n >= 50 ? [{ clauseId: 'CT-4.dedup', message: `${n} >= 50` }] : []) as Finding[],
  evidence: new Map([
    ['CT-4.dedup', 1],
    ['CT-4.guard', 1],
  ] as const),
  record: n,
});

describe('runBudgetedProperty', () => {
  it('runs every generated run after a failure, credits only clean runs, and shrinks the first failure', async () => {
    const r = await runBudgetedProperty(fc.integer({ min: 0, max: 100 }), execute, budget);
    const values = r.outcomes.slice(0, r.runs).map((o) => o.record);
    const failing = values.filter((n) => n >= 50).length;
    expect(r.runs).toBe(budget.numRuns);
    expect(failing).toBeGreaterThan(0);
    expect(r.failures.get('CT-4.dedup')).toBe(failing);
    expect(r.evidence.get('CT-4.guard')).toBe(budget.numRuns - failing);
    expect(r.counterexample?.value).toBe(50);
    expect(r.executions).toBe(budget.numRuns + r.shrinks);
  });

  it('stops shrinking when the shrink budget is spent', async () => {
    const r = await runBudgetedProperty(fc.integer({ min: 0, max: 100 }), execute, {
      ...budget,
      maxShrinks: 1,
    });
    expect(r.shrinks).toBe(1);
    expect(r.counterexample?.value).toBeGreaterThanOrEqual(50);
  });

  it('turns an execution that throws into an EnvironmentError, never a pass', async () => {
    const throwing = async (n: number) => {
      if (n > 10) throw new Error('PostgreSQL went away during the final read');
      return execute(n);
    };
    await expect(runBudgetedProperty(fc.integer({ min: 0, max: 100 }), throwing, budget)).rejects.toThrow(
      EnvironmentError,
    );
  });
});
