import type fc from 'fast-check';
import type { ClauseId } from '../../lib/index.js';
import { asEnvironmentError } from '../core/environment-error.js';
import { mergeEvidence } from '../core/finding.js';
import type { BudgetedResult, ExecutionOutcome, PropertyBudget } from '../core/run-budgeted-property.js';
import { generateRun } from './seeded-random.js';

/**
 * The budgeted runner's two phases with `concurrency` executions in flight: every run executed
 * and checked (run i generated from (seed, i) alone), then the first failing run shrunk, a window
 * of candidates at a time, keeping the first candidate in the shrinker's order that still fails on
 * all of its clauses. Path `run:shrink:...` replays a value from the seed alone.
 */
export async function runConcurrentBudget<T, R>(
  arbitrary: fc.Arbitrary<T>,
  execute: (value: T, phase: 'run' | 'shrink') => Promise<ExecutionOutcome<R>>,
  budget: PropertyBudget & { concurrency: number },
  skipShrinking?: (failed: ClauseId[]) => string | undefined,
): Promise<BudgetedResult<T, R>> {
  const deadline = Date.now() + budget.timeLimitMs;
  const result: BudgetedResult<T, R> = {
    runs: 0,
    executions: 0,
    shrinks: 0,
    evidence: new Map(),
    failures: new Map(),
    outcomes: [],
    interrupted: false,
  };
  const run = async (value: T, phase: 'run' | 'shrink'): Promise<ExecutionOutcome<R>> => {
    result.executions++;
    let outcome: ExecutionOutcome<R>;
    try {
      outcome = await execute(value, phase);
    } catch (error) {
      throw asEnvironmentError(error, 'executing a run failed');
    }
    result.outcomes.push(outcome);
    if (phase === 'run') {
      result.runs++;
      if (outcome.findings.length === 0) mergeEvidence(result.evidence, outcome.evidence);
      for (const c of new Set(outcome.findings.map((f) => f.clauseId)))
        result.failures.set(c, (result.failures.get(c) ?? 0) + 1);
    }
    return outcome;
  };
  const width = Math.max(1, budget.concurrency);

  let start: { value: fc.Value<T>; outcome: ExecutionOutcome<R>; path: number[] } | undefined;
  if (budget.path !== undefined) {
    const [index = 0, ...steps] = budget.path.split(':').map((s) => Number.parseInt(s, 10));
    let value = generateRun(arbitrary, budget.seed, index);
    for (const step of steps) value = nthShrink(arbitrary, value, step, budget);
    const outcome = await run(value.value, 'run');
    if (outcome.findings.length > 0) start = { value, outcome, path: [index, ...steps] };
  } else {
    let next = budget.firstRun ?? 0;
    let first: { index: number; value: fc.Value<T>; outcome: ExecutionOutcome<R> } | undefined;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop && next < budget.numRuns) {
        if (Date.now() > deadline) {
          result.interrupted = true;
          return;
        }
        const index = next++;
        const value = generateRun(arbitrary, budget.seed, index);
        try {
          const outcome = await run(value.value, 'run');
          if (outcome.findings.length > 0 && (first === undefined || index < first.index))
            first = { index, value, outcome };
        } catch (error) {
          stop = true;
          throw error;
        }
      }
    };
    await settleAll(Array.from({ length: width }, worker));
    if (first !== undefined) start = { value: first.value, outcome: first.outcome, path: [first.index] };
  }
  if (start === undefined) return result;
  result.firstFailure = { value: start.value.value, outcome: start.outcome, path: start.path.join(':') };
  result.counterexample = result.firstFailure;
  const failed = [...new Set(start.outcome.findings.map((f) => f.clauseId))];
  const skip =
    budget.shrink === false || budget.maxShrinks === 0 ? 'shrinking is off' : skipShrinking?.(failed);
  if (skip !== undefined) {
    result.notShrunk = skip;
    return result;
  }
  const target = new Set(failed);
  let best = start;
  for (let improved = true; improved;) {
    improved = false;
    const candidates = arbitrary.shrink(best.value.value_, best.value.context)[Symbol.iterator]();
    let offset = 0;
    while (!improved && result.shrinks < budget.maxShrinks && Date.now() <= deadline) {
      const window: fc.Value<T>[] = [];
      for (let n = 0; n < Math.min(width, budget.maxShrinks - result.shrinks); n++) {
        const c = candidates.next();
        if (c.done === true) break;
        window.push(c.value);
      }
      if (window.length === 0) break;
      result.shrinks += window.length;
      const outcomes = await settleAll(window.map((c) => run(c.value, 'shrink')));
      // A candidate must still fail on every clause the first failure did: a smaller schedule that
      // only shows a sibling clause would report a different defect than the one found.
      const at = outcomes.findIndex((o) => {
        const clauses = new Set(o.findings.map((f) => f.clauseId));
        return [...target].every((c) => clauses.has(c));
      });
      const found = outcomes[at];
      if (found !== undefined) {
        best = { value: window[at] as fc.Value<T>, outcome: found, path: [...best.path, offset + at] };
        improved = true;
      }
      offset += window.length;
    }
  }
  if (Date.now() > deadline) result.interrupted = true;
  result.counterexample = { value: best.value.value, outcome: best.outcome, path: best.path.join(':') };
  return result;
}

function nthShrink<T>(
  arbitrary: fc.Arbitrary<T>,
  value: fc.Value<T>,
  step: number,
  budget: PropertyBudget,
): fc.Value<T> {
  let i = 0;
  for (const c of arbitrary.shrink(value.value_, value.context)) if (i++ === step) return c;
  throw new Error(`path ${budget.path ?? ''} does not exist under seed ${budget.seed}`);
}

/** Like Promise.all, but waits for every promise before rethrowing the first error. */
async function settleAll<X>(promises: Promise<X>[]): Promise<X[]> {
  const settled = await Promise.allSettled(promises);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<X>).value);
}
