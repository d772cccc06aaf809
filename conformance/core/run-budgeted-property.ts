import fc from 'fast-check';
import type { ClauseId } from '../../lib/index.js';
import { asEnvironmentError } from './environment-error.js';
import { mergeEvidence } from './finding.js';
import type { Evidence, Finding } from './finding.js';

/** One execution of a generated value: its findings, the situations its checks saw, and what the caller keeps. */
export interface ExecutionOutcome<R> {
  findings: readonly Finding[];
  evidence: Evidence;
  record: R;
}

/** The budget every property runner (projector, producer, faults) shares. */
export interface PropertyBudget {
  seed: number;
  numRuns: number;
  /** fast-check path of one run to replay and shrink directly. */
  path?: string;
  /** Executions allowed while shrinking a failure. */
  maxShrinks: number;
  /** Wall-clock budget of the whole property (runs + shrinking). */
  timeLimitMs: number;
  /** Shrink the first failure (false: report it as found). */
  shrink?: boolean;
  /** Index of the first generated run (runs below it were explored by an earlier pass). */
  firstRun?: number;
}

export interface BudgetedRun<T, R> {
  value: T;
  outcome: ExecutionOutcome<R>;
  path?: string;
}

/** What a budgeted property saw over every execution. */
export interface BudgetedResult<T, R> {
  /** Generated runs executed (before shrinking). */
  runs: number;
  /** Every execution, shrinking included. */
  executions: number;
  shrinks: number;
  /** Situations seen in runs with no finding at all: a failing run credits no clause. */
  evidence: Evidence;
  /** Runs in which each clause failed. */
  failures: Map<ClauseId, number>;
  /** Every execution's outcome, in order (runs, then shrinking). */
  outcomes: ExecutionOutcome<R>[];
  /** The first failing run, as found. */
  firstFailure?: BudgetedRun<T, R>;
  /** The smallest failing value found within the budget (the first failure when not shrunk). */
  counterexample?: BudgetedRun<T, R>;
  /** The time limit ended the runs early. */
  interrupted: boolean;
  /** Why the first failure was reported as found, unshrunk. */
  notShrunk?: string;
}

/**
 * Runs a property in two phases. Every generated run is executed and checked (a failure does
 * not stop the others, so the report says which clauses held and how often); then the first
 * failing run is shrunk, within `maxShrinks` executions and the time limit, towards a smaller
 * value failing on one of the same clauses. An execution that throws ends the property with an
 * EnvironmentError: a run that could not be judged is never a pass.
 */
export async function runBudgetedProperty<T, R>(
  arbitrary: fc.Arbitrary<T>,
  execute: (value: T, phase: 'run' | 'shrink') => Promise<ExecutionOutcome<R>>,
  budget: PropertyBudget,
  examples: T[] = [],
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
  let thrown: unknown;
  const executeCounted = async (value: T, phase: 'run' | 'shrink'): Promise<ExecutionOutcome<R>> => {
    result.executions++;
    const outcome = await execute(value, phase);
    result.outcomes.push(outcome);
    return outcome;
  };
  const base = {
    seed: budget.seed,
    numRuns: budget.numRuns,
    ...(examples.length === 0 ? {} : { examples: examples.map((e) => [e] as [T]) }),
  };
  let firstIndex: number | undefined;
  if (budget.path === undefined) {
    let index = 0;
    const runs = fc.asyncProperty(arbitrary, async (value) => {
      const at = index++;
      if (thrown !== undefined) return true;
      if (Date.now() > deadline) {
        result.interrupted = true;
        return true;
      }
      try {
        const outcome = await executeCounted(value, 'run');
        result.runs++;
        if (outcome.findings.length === 0) mergeEvidence(result.evidence, outcome.evidence);
        for (const c of new Set(outcome.findings.map((f) => f.clauseId)))
          result.failures.set(c, (result.failures.get(c) ?? 0) + 1);
        if (outcome.findings.length > 0 && result.firstFailure === undefined) {
          result.firstFailure = { value, outcome, path: String(at) };
          firstIndex = at;
        }
      } catch (error) {
        thrown = error;
      }
      return true;
    });
    await fc.check(runs, base);
    if (thrown !== undefined) throw asEnvironmentError(thrown, 'executing a run failed');
    result.counterexample = result.firstFailure;
    if (firstIndex === undefined) return result;
    const failed = [...new Set(result.firstFailure?.outcome.findings.map((f) => f.clauseId))];
    const skip =
      budget.shrink === false || budget.maxShrinks === 0 ? 'shrinking is off' : skipShrinking?.(failed);
    if (skip !== undefined) {
      result.notShrunk = skip;
      return result;
    }
  }
  // Shrinking: the first value fast-check hands back is the failing run itself, judged already.
  const target = new Set(result.firstFailure?.outcome.findings.map((f) => f.clauseId) ?? []);
  let first = result.firstFailure !== undefined;
  const shrinkProperty = fc.asyncProperty(arbitrary, async (value) => {
    if (first) {
      first = false;
      return false;
    }
    if (thrown !== undefined || Date.now() > deadline) return true;
    if (result.counterexample !== undefined && result.shrinks >= budget.maxShrinks) return true;
    if (result.counterexample !== undefined) result.shrinks++;
    try {
      const outcome = await executeCounted(value, result.counterexample === undefined ? 'run' : 'shrink');
      if (result.counterexample === undefined) {
        result.runs++;
        if (outcome.findings.length === 0) mergeEvidence(result.evidence, outcome.evidence);
        for (const c of new Set(outcome.findings.map((f) => f.clauseId)))
          result.failures.set(c, (result.failures.get(c) ?? 0) + 1);
      }
      const fails =
        outcome.findings.length > 0 &&
        (target.size === 0 || outcome.findings.some((f) => target.has(f.clauseId)));
      if (!fails) return true;
      result.counterexample = { value, outcome };
      if (target.size === 0) outcome.findings.forEach((f) => target.add(f.clauseId));
      result.firstFailure ??= { value, outcome };
      return false;
    } catch (error) {
      thrown = error;
      return true;
    }
  });
  const details = await fc.check(shrinkProperty, {
    ...base,
    path: budget.path ?? String(firstIndex),
    interruptAfterTimeLimit: Math.max(1, deadline - Date.now()),
    markInterruptAsFailure: false,
  });
  if (thrown !== undefined) throw asEnvironmentError(thrown, 'executing a run failed');
  if (details.failed && result.counterexample === undefined)
    throw asEnvironmentError(details.errorInstance, 'the property failed outside the target');
  if (result.counterexample !== undefined && details.counterexamplePath !== null)
    result.counterexample.path = details.counterexamplePath;
  if (details.interrupted) result.interrupted = true;
  return result;
}
