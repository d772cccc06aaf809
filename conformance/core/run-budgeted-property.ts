import fc from 'fast-check';
import type { ClauseId } from 'continuum-contract';
import { EnvironmentError, asEnvironmentError } from './environment-error.js';
import { mergeEvidence } from './finding.js';
import type { Evidence, Finding } from './finding.js';
import { generateRun } from './seeded-random.js';

/** One execution of a generated value: its findings, the situations its checks saw, and what the caller keeps. */
export interface ExecutionOutcome<R> {
  findings: readonly Finding[];
  evidence: Evidence;
  record: R;
}

/** The budget every property runner (projector, producer, faults) shares. */
export interface PropertyBudget {
  seed: number;
  /** Runs of the property, the explicit examples included. */
  numRuns: number;
  /** `run:shrink:...` of an earlier counterexample under this seed: replays that value, then shrinks it. */
  path?: string;
  /** Executions allowed while shrinking a failure. */
  maxShrinks: number;
  /** Wall-clock budget of the whole property (runs + shrinking): no execution starts after it. */
  timeLimitMs: number;
  /** Shrink the first failure (false: report it as found). */
  shrink?: boolean;
  /** Index of the first generated run (runs below it were explored by an earlier pass). */
  firstRun?: number;
  /** Executions in flight at once, for the runs and for each window of shrink candidates; default 1. */
  concurrency?: number;
}

export interface BudgetedRun<T, R> {
  value: T;
  outcome: ExecutionOutcome<R>;
  path?: string;
}

/** What a budgeted property saw over every execution. */
export interface BudgetedResult<T, R> {
  /** Runs executed (before shrinking), explicit examples included. */
  runs: number;
  /** Every execution, shrinking included. */
  executions: number;
  shrinks: number;
  /** Situations seen in runs with no finding at all: a failing run credits no clause. */
  evidence: Evidence;
  /** Runs in which each clause failed. */
  failures: Map<ClauseId, number>;
  /** Every execution's outcome: the runs in run order, then the shrink candidates in the shrinker's order. */
  outcomes: ExecutionOutcome<R>[];
  /** The first failing run (lowest run index), as found. */
  firstFailure?: BudgetedRun<T, R>;
  /** The smallest failing value found within the budget (the first failure when not shrunk). */
  counterexample?: BudgetedRun<T, R>;
  /** The time limit ended the runs or the shrinking early. */
  interrupted: boolean;
  /** Why the first failure was reported as found, unshrunk. */
  notShrunk?: string;
}

type Phase = 'run' | 'shrink';

interface Failing<T, R> {
  value: fc.Value<T>;
  outcome: ExecutionOutcome<R>;
  path: number[];
}

/**
 * Runs a property in two phases, `concurrency` executions at a time. Every run is executed and
 * checked (a failure does not stop the others, so the report says which clauses held and how
 * often): run i is `examples[i]`, or else generated from (seed, i) alone. Then the first failing
 * run is shrunk within `maxShrinks` executions and the time limit, a window of candidates at a
 * time, keeping the first candidate in the shrinker's order that still fails on every clause the
 * first failure did. The counterexample and its path are therefore the same at any concurrency.
 * An execution that throws ends the property with an EnvironmentError once every execution in
 * flight has settled: a run that could not be judged is never a pass.
 */
export async function runBudgetedProperty<T, R>(
  arbitrary: fc.Arbitrary<T>,
  execute: (value: T, phase: Phase) => Promise<ExecutionOutcome<R>>,
  budget: PropertyBudget,
  examples: readonly T[] = [],
  skipShrinking?: (failed: ClauseId[]) => string | undefined,
): Promise<BudgetedResult<T, R>> {
  const deadline = Date.now() + budget.timeLimitMs;
  const width = Math.max(1, budget.concurrency ?? 1);
  const result: BudgetedResult<T, R> = {
    runs: 0,
    executions: 0,
    shrinks: 0,
    evidence: new Map(),
    failures: new Map(),
    outcomes: [],
    interrupted: false,
  };
  const runOutcomes: ExecutionOutcome<R>[] = [];
  const shrinkOutcomes: ExecutionOutcome<R>[] = [];
  const valueOfRun = (index: number): fc.Value<T> =>
    index < examples.length
      ? new fc.Value(examples[index] as T, undefined)
      : generateRun(arbitrary, budget.seed, index);
  const executeCounted = async (value: T, phase: Phase): Promise<ExecutionOutcome<R>> => {
    result.executions++;
    try {
      return await execute(value, phase);
    } catch (error) {
      throw asEnvironmentError(error, 'executing a run failed');
    }
  };
  const executeRun = async (index: number, value: fc.Value<T>): Promise<ExecutionOutcome<R>> => {
    const outcome = await executeCounted(value.value, 'run');
    runOutcomes[index] = outcome;
    result.runs++;
    if (outcome.findings.length === 0) mergeEvidence(result.evidence, outcome.evidence);
    for (const c of clausesOf(outcome)) result.failures.set(c, (result.failures.get(c) ?? 0) + 1);
    return outcome;
  };
  const finish = (): BudgetedResult<T, R> => {
    result.outcomes = [...runOutcomes.filter((o) => o !== undefined), ...shrinkOutcomes];
    return result;
  };

  let start: Failing<T, R> | undefined;
  if (budget.path !== undefined) {
    const [index = 0, ...steps] = parsePath(budget.path);
    let value = valueOfRun(index);
    for (const step of steps) value = nthCandidate(arbitrary, value, step, budget);
    const outcome = await executeRun(index, value);
    if (outcome.findings.length > 0) start = { value, outcome, path: [index, ...steps] };
  } else {
    let next = budget.firstRun ?? 0;
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop && next < budget.numRuns) {
        if (Date.now() > deadline) {
          result.interrupted = true;
          return;
        }
        const index = next++;
        const value = valueOfRun(index);
        try {
          const outcome = await executeRun(index, value);
          if (outcome.findings.length > 0 && (start === undefined || index < (start.path[0] ?? 0)))
            start = { value, outcome, path: [index] };
        } catch (error) {
          stop = true;
          throw error;
        }
      }
    };
    await settleAll(Array.from({ length: width }, worker));
  }
  if (start === undefined) return finish();
  result.firstFailure = { value: start.value.value, outcome: start.outcome, path: start.path.join(':') };
  result.counterexample = result.firstFailure;
  const target = clausesOf(start.outcome);
  const skip =
    budget.shrink === false || budget.maxShrinks === 0 ? 'shrinking is off' : skipShrinking?.([...target]);
  if (skip !== undefined) {
    result.notShrunk = skip;
    return finish();
  }

  let best = start;
  for (let improved = true; improved;) {
    improved = false;
    const candidates = shrinkCandidates(arbitrary, best.value)[Symbol.iterator]();
    let offset = 0;
    while (!improved && result.shrinks < budget.maxShrinks) {
      if (Date.now() > deadline) {
        result.interrupted = true;
        break;
      }
      const window: fc.Value<T>[] = [];
      while (window.length < Math.min(width, budget.maxShrinks - result.shrinks)) {
        const c = candidates.next();
        if (c.done === true) break;
        window.push(c.value);
      }
      if (window.length === 0) break;
      result.shrinks += window.length;
      const outcomes = await settleAll(window.map((c) => executeCounted(c.value, 'shrink')));
      shrinkOutcomes.push(...outcomes);
      // A candidate must still fail on every clause the first failure did: a smaller value that
      // only shows a sibling clause would report a different defect than the one found.
      const at = outcomes.findIndex((o) => {
        const clauses = clausesOf(o);
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
  result.counterexample = { value: best.value.value, outcome: best.outcome, path: best.path.join(':') };
  return finish();
}

function clausesOf(outcome: ExecutionOutcome<unknown>): Set<ClauseId> {
  return new Set(outcome.findings.map((f) => f.clauseId));
}

/** A path that names no value is a usage error: nothing of the target could be judged. */
function parsePath(path: string): number[] {
  const steps = path.split(':').map((s) => Number(s));
  if (steps.some((n) => !Number.isInteger(n) || n < 0))
    throw new EnvironmentError(`path ${path} is not run:shrink:... (non-negative integers)`);
  return steps;
}

/**
 * The shrinker's candidates. An explicit example has no generation context: as in fast-check, it
 * shrinks only when the arbitrary can shrink it without one.
 */
function shrinkCandidates<T>(arbitrary: fc.Arbitrary<T>, value: fc.Value<T>): Iterable<fc.Value<T>> {
  if (value.context === undefined && !arbitrary.canShrinkWithoutContext(value.value_)) return [];
  return arbitrary.shrink(value.value_, value.context);
}

function nthCandidate<T>(
  arbitrary: fc.Arbitrary<T>,
  value: fc.Value<T>,
  step: number,
  budget: PropertyBudget,
): fc.Value<T> {
  let i = 0;
  for (const c of shrinkCandidates(arbitrary, value)) if (i++ === step) return c;
  throw new EnvironmentError(`path ${budget.path ?? ''} does not exist under seed ${budget.seed}`);
}

/** Like Promise.all, but waits for every promise before rethrowing the first error. */
async function settleAll<X>(promises: Promise<X>[]): Promise<X[]> {
  const settled = await Promise.allSettled(promises);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<X>).value);
}
