import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concurrentCheck } from './concurrent-check.js';
import type { Verdict } from './concurrent-check.js';

// A property that fails when the array holds a value above a bound: fast-check's own shrinkers
// take any failing array down to [bound + 1].
const arb = fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 });
const bound = 900;
const failsAbove = async (xs: number[]): Promise<Verdict<number[]>> => {
  await new Promise((r) => setImmediate(r));
  return xs.some((x) => x > bound) ? { ok: false, detail: xs } : { ok: true };
};
const options = { seed: 42, numRuns: 200, maxShrinks: 500, deadline: Number.POSITIVE_INFINITY };

describe('concurrentCheck', () => {
  it('finds and shrinks the same counterexample, with the same path, at any concurrency', async () => {
    const results = await Promise.all(
      [1, 4, 16].map((concurrency) => concurrentCheck(arb, failsAbove, { ...options, concurrency })),
    );
    const [first] = results;
    expect(first?.failure?.value).toEqual([bound + 1]);
    for (const r of results) {
      expect(r.failure?.value).toEqual(first?.failure?.value);
      expect(r.failure?.path).toEqual(first?.failure?.path);
    }
  });

  it('replays a counterexample from its seed and path alone', async () => {
    const found = await concurrentCheck(arb, failsAbove, { ...options, concurrency: 8 });
    const path = found.failure?.path;
    expect(path).toBeDefined();
    const seen: number[][] = [];
    const replayed = await concurrentCheck(
      arb,
      async (xs) => {
        seen.push(xs);
        return failsAbove(xs);
      },
      { ...options, concurrency: 8, ...(path === undefined ? {} : { path }) },
    );
    expect(seen).toEqual([found.failure?.value]);
    expect(replayed.failure?.value).toEqual(found.failure?.value);
  });

  it('passes only after running every run, and rethrows an error of the target', async () => {
    let calls = 0;
    const passed = await concurrentCheck(
      arb,
      async () => {
        calls++;
        return { ok: true };
      },
      { ...options, concurrency: 8 },
    );
    expect(passed).toMatchObject({ runs: options.numRuns, interrupted: false });
    expect(calls).toBe(options.numRuns);
    await expect(
      concurrentCheck(
        arb,
        async () => {
          throw new Error('database down');
        },
        { ...options, concurrency: 8 },
      ),
    ).rejects.toThrow('database down');
  });

  it('respects the shrink budget', async () => {
    let shrinkCalls = 0;
    const r = await concurrentCheck(
      arb,
      async (xs, phase) => {
        if (phase === 'shrink') shrinkCalls++;
        return failsAbove(xs);
      },
      { ...options, concurrency: 4, maxShrinks: 7 },
    );
    expect(r.failure).toBeDefined();
    expect(shrinkCalls).toBeLessThanOrEqual(7);
    expect(r.shrinks).toBe(shrinkCalls);
  });
});
