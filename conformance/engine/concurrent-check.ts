import type fc from 'fast-check';
import { generateRun } from './seeded-random.js';

/** What one execution of a generated value concluded. */
export type Verdict<F> = { ok: true } | { ok: false; detail: F };

export type Phase = 'run' | 'shrink';

export interface ConcurrentCheckOptions {
  seed: number;
  numRuns: number;
  /** Executions in flight at once, while exploring and while shrinking. */
  concurrency: number;
  /** `run:shrink:shrink...` of an earlier counterexample: replays only that value. */
  path?: string;
  /** Executions allowed while shrinking, after the first failure. */
  maxShrinks: number;
  /** Wall-clock instant (ms since epoch) after which no new execution starts. */
  deadline: number;
  /** Called after every execution. */
  onExecuted?: (phase: Phase, ok: boolean) => void;
}

export interface ConcurrentCheckResult<T, F> {
  runs: number;
  shrinks: number;
  /** The deadline stopped exploration before `numRuns` runs. */
  interrupted: boolean;
  failure?: { value: T; detail: F; path: string };
}

interface Failing<T, F> {
  value: fc.Value<T>;
  detail: F;
}

/**
 * A property check that runs many values at once. Values come from fast-check arbitraries and
 * shrink with their own shrinkers; run i depends only on (seed, i), and a shrink step keeps the
 * first failing candidate in the shrinker's order, so the counterexample and its path are the
 * same whatever the concurrency (given a target that answers the same way).
 */
export async function concurrentCheck<T, F>(
  arb: fc.Arbitrary<T>,
  test: (value: T, phase: Phase) => Promise<Verdict<F>>,
  o: ConcurrentCheckOptions,
): Promise<ConcurrentCheckResult<T, F>> {
  if (o.path !== undefined) return replay(arb, test, o, o.path);
  const explored = await explore(arb, test, o);
  if (explored.failing === undefined) {
    return { runs: explored.runs, shrinks: 0, interrupted: explored.runs < o.numRuns };
  }
  const shrunk = await shrink(arb, test, o, explored.failing.found, [explored.failing.index]);
  return {
    runs: explored.runs,
    shrinks: shrunk.shrinks,
    interrupted: false,
    failure: { value: shrunk.best.value.value, detail: shrunk.best.detail, path: shrunk.path.join(':') },
  };
}

async function explore<T, F>(
  arb: fc.Arbitrary<T>,
  test: (value: T, phase: Phase) => Promise<Verdict<F>>,
  o: ConcurrentCheckOptions,
): Promise<{ runs: number; failing?: { index: number; found: Failing<T, F> } }> {
  let next = 0;
  let runs = 0;
  let stop = false;
  let failing: { index: number; found: Failing<T, F> } | undefined;
  const worker = async (): Promise<void> => {
    while (!stop && next < o.numRuns && Date.now() < o.deadline) {
      const index = next++;
      const value = generateRun(arb, o.seed, index);
      let verdict: Verdict<F>;
      try {
        verdict = await test(value.value, 'run');
      } catch (error) {
        stop = true;
        throw error;
      }
      runs++;
      o.onExecuted?.('run', verdict.ok);
      if (!verdict.ok) {
        stop = true;
        if (failing === undefined || index < failing.index)
          failing = { index, found: { value, detail: verdict.detail } };
      }
    }
  };
  await settleAll(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return failing === undefined ? { runs } : { runs, failing };
}

async function shrink<T, F>(
  arb: fc.Arbitrary<T>,
  test: (value: T, phase: Phase) => Promise<Verdict<F>>,
  o: ConcurrentCheckOptions,
  start: Failing<T, F>,
  path: number[],
): Promise<{ best: Failing<T, F>; path: number[]; shrinks: number }> {
  let best = start;
  let shrinks = 0;
  for (;;) {
    const candidates = arb.shrink(best.value.value_, best.value.context)[Symbol.iterator]();
    let offset = 0;
    let improved = false;
    while (!improved && shrinks < o.maxShrinks && Date.now() < o.deadline) {
      const window: fc.Value<T>[] = [];
      const room = Math.min(Math.max(1, o.concurrency), o.maxShrinks - shrinks);
      for (let n = window.length; n < room; n++) {
        const c = candidates.next();
        if (c.done === true) break;
        window.push(c.value);
      }
      if (window.length === 0) break;
      const verdicts = await settleAll(window.map((c) => test(c.value, 'shrink')));
      shrinks += window.length;
      const at = verdicts.findIndex((v) => !v.ok);
      for (const v of verdicts) o.onExecuted?.('shrink', v.ok);
      const found = verdicts[at];
      if (found !== undefined && !found.ok) {
        best = { value: window[at] as fc.Value<T>, detail: found.detail };
        path.push(offset + at);
        improved = true;
      }
      offset += window.length;
    }
    if (!improved) return { best, path, shrinks };
  }
}

async function replay<T, F>(
  arb: fc.Arbitrary<T>,
  test: (value: T, phase: Phase) => Promise<Verdict<F>>,
  o: ConcurrentCheckOptions,
  path: string,
): Promise<ConcurrentCheckResult<T, F>> {
  const [run = 0, ...steps] = path.split(':').map((s) => Number.parseInt(s, 10));
  let value = generateRun(arb, o.seed, run);
  for (const step of steps) {
    let i = 0;
    let chosen: fc.Value<T> | undefined;
    for (const c of arb.shrink(value.value_, value.context)) {
      if (i++ === step) {
        chosen = c;
        break;
      }
    }
    if (chosen === undefined) throw new Error(`path ${path} does not exist under seed ${o.seed}`);
    value = chosen;
  }
  const verdict = await test(value.value, 'run');
  o.onExecuted?.('run', verdict.ok);
  return verdict.ok
    ? { runs: 1, shrinks: 0, interrupted: false }
    : {
        runs: 1,
        shrinks: 0,
        interrupted: false,
        failure: { value: value.value, detail: verdict.detail, path },
      };
}

/** Like Promise.all, but waits for every promise before rethrowing the first error. */
async function settleAll<R>(promises: Promise<R>[]): Promise<R[]> {
  const settled = await Promise.allSettled(promises);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
