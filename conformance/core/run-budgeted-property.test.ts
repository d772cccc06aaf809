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

// Fails CT-4.dedup when the array holds a value above 900 and CT-4.guard when it holds an odd
// value: shrinking must keep both clauses, so [901] and not [1] or [902]. Each execution yields
// a random number of times, so executions in flight complete out of order.
const arrays = fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 });
const executeArray = async (xs: number[]) => {
  for (let i = Math.floor(Math.random() * 5); i > 0; i--) await new Promise((r) => setImmediate(r));
  const findings: Finding[] = [];
  if (xs.some((x) => x > 900)) findings.push({ clauseId: 'CT-4.dedup', message: 'above 900' });
  if (xs.some((x) => x % 2 === 1)) findings.push({ clauseId: 'CT-4.guard', message: 'odd' });
  return { findings, evidence: new Map(), record: xs };
};
const arrayBudget = { seed: 42, numRuns: 200, maxShrinks: 500, timeLimitMs: 60_000 };

describe('runBudgetedProperty', () => {
  it('runs every run after a failure, credits only clean runs, and shrinks the first failure', async () => {
    const r = await runBudgetedProperty(fc.integer({ min: 0, max: 100 }), execute, budget);
    const values = r.outcomes.slice(0, r.runs).map((o) => o.record);
    const failing = values.filter((n) => n >= 50).length;
    expect(r.runs).toBe(budget.numRuns);
    expect(failing).toBeGreaterThan(0);
    expect(r.failures.get('CT-4.dedup')).toBe(failing);
    expect(r.evidence.get('CT-4.guard')).toBe(budget.numRuns - failing);
    expect(r.firstFailure?.value).toBe(values.find((n) => n >= 50));
    expect(r.firstFailure?.path).toBe(String(values.findIndex((n) => n >= 50)));
    expect(r.counterexample?.value).toBe(50);
    expect(r.executions).toBe(budget.numRuns + r.shrinks);
  });

  it('stops shrinking when the shrink budget is spent, at any concurrency', async () => {
    for (const concurrency of [1, 4]) {
      const r = await runBudgetedProperty(fc.integer({ min: 0, max: 100 }), execute, {
        ...budget,
        maxShrinks: 3,
        concurrency,
      });
      expect(r.shrinks, `concurrency ${concurrency}`).toBe(3);
      expect(r.executions - r.runs, `concurrency ${concurrency}`).toBe(3);
      expect(r.counterexample?.value).toBeGreaterThanOrEqual(50);
    }
  });

  it('finds, shrinks and orders the same outcomes, with the same path, at any concurrency', async () => {
    const results = await Promise.all(
      [1, 4, 16].map((concurrency) =>
        runBudgetedProperty(arrays, executeArray, { ...arrayBudget, concurrency }),
      ),
    );
    const [first] = results;
    expect(first?.counterexample?.value).toEqual([901]);
    expect(first?.counterexample?.path).toMatch(/^\d+(:\d+)+$/);
    for (const r of results) {
      expect(r.runs).toBe(arrayBudget.numRuns);
      expect(r.counterexample?.value).toEqual(first?.counterexample?.value);
      expect(r.counterexample?.path).toBe(first?.counterexample?.path);
      expect(r.firstFailure?.path).toBe(first?.firstFailure?.path);
      expect(r.outcomes.slice(0, r.runs).map((o) => o.record)).toEqual(
        first?.outcomes.slice(0, first.runs).map((o) => o.record),
      );
    }
  });

  it('replays a counterexample from its seed and path alone, as its first execution', async () => {
    const found = await runBudgetedProperty(arrays, executeArray, { ...arrayBudget, concurrency: 8 });
    const path = found.counterexample?.path as string;
    const seen: number[][] = [];
    const replayed = await runBudgetedProperty(
      arrays,
      async (xs: number[]) => {
        seen.push(xs);
        return executeArray(xs);
      },
      { ...arrayBudget, concurrency: 8, path },
    );
    expect(seen[0]).toEqual(found.counterexample?.value);
    expect(replayed.runs).toBe(1);
    expect(replayed.counterexample?.value).toEqual([901]);
    expect(replayed.counterexample?.path).toBe(path);
  });

  it('refuses a path that names no value under the seed', async () => {
    for (const path of ['3:999999', 'x:1'])
      await expect(runBudgetedProperty(arrays, executeArray, { ...arrayBudget, path })).rejects.toThrow(
        EnvironmentError,
      );
  });

  it('runs the explicit examples first, as runs 0.., counted in numRuns, and replays them by path', async () => {
    const seen: number[][] = [];
    const recording = async (xs: number[]) => {
      seen.push(xs);
      return executeArray(xs);
    };
    const examples = [[1000, 3], [7]];
    const run = await runBudgetedProperty(arrays, recording, { ...arrayBudget, shrink: false }, examples);
    expect(seen.slice(0, 2)).toEqual(examples);
    expect(run.runs).toBe(arrayBudget.numRuns);
    expect(run.firstFailure).toMatchObject({ value: [1000, 3], path: '0' });
    expect(run.notShrunk).toBe('shrinking is off');
    seen.length = 0;
    const replayed = await runBudgetedProperty(arrays, recording, { ...arrayBudget, path: '1' }, examples);
    expect(seen[0]).toEqual([7]);
    expect(replayed.firstFailure?.outcome.findings.map((f) => f.clauseId)).toEqual(['CT-4.guard']);
  });

  it('shrinks an explicit example that the arbitrary can shrink without context', async () => {
    const r = await runBudgetedProperty(arrays, executeArray, arrayBudget, [[1000, 3, 5, 950]]);
    expect(r.firstFailure?.path).toBe('0');
    // Without the generation context fast-check's integer shrinker takes bigger steps: one odd
    // value above 900 remains.
    expect(r.counterexample?.value).toHaveLength(1);
    expect(r.counterexample?.value[0]).toBeGreaterThan(900);
    expect((r.counterexample?.value[0] ?? 0) % 2).toBe(1);
    expect(r.counterexample?.path).toMatch(/^0(:\d+)+$/);
  });

  it('asks skipShrinking after the runs, with the clauses of the first failure', async () => {
    const asked: string[][] = [];
    const r = await runBudgetedProperty(arrays, executeArray, arrayBudget, [], (failed) => {
      asked.push([...failed].sort());
      return 'already shrunk in another property';
    });
    expect(asked).toEqual([[...new Set(r.firstFailure?.outcome.findings.map((f) => f.clauseId))].sort()]);
    expect(r.notShrunk).toBe('already shrunk in another property');
    expect(r.shrinks).toBe(0);
    expect(r.counterexample).toBe(r.firstFailure);
  });

  it('turns an execution that throws into an EnvironmentError once every execution in flight settled', async () => {
    let inFlight = 0;
    let started = 0;
    const throwing = async (xs: number[]) => {
      started++;
      inFlight++;
      try {
        await new Promise((r) => setTimeout(r, xs.length === 0 ? 1 : 20));
        if (started > 5) throw new Error('PostgreSQL went away during the final read');
        return await executeArray(xs);
      } finally {
        inFlight--;
      }
    };
    const run = runBudgetedProperty(arrays, throwing, { ...arrayBudget, concurrency: 4 });
    await expect(run).rejects.toThrow(EnvironmentError);
    await expect(run).rejects.toThrow(/PostgreSQL went away/);
    expect(inFlight).toBe(0);
    expect(started).toBeLessThan(arrayBudget.numRuns);
  });

  it('starts no execution after the time limit and says the runs were interrupted', async () => {
    const timeLimitMs = 200;
    const startedAt: number[] = [];
    const t0 = Date.now();
    const slow = async (xs: number[]) => {
      startedAt.push(Date.now());
      await new Promise((r) => setTimeout(r, 30));
      return executeArray(xs);
    };
    const r = await runBudgetedProperty(arrays, slow, { ...arrayBudget, timeLimitMs, concurrency: 2 });
    expect(r.interrupted).toBe(true);
    expect(r.runs).toBeGreaterThan(0);
    expect(r.runs).toBeLessThan(arrayBudget.numRuns);
    expect(Math.max(...startedAt)).toBeLessThanOrEqual(t0 + timeLimitMs + 50);
  });
});
