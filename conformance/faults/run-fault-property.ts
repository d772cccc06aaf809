import { isClauseId } from 'continuum-contract';
import type { Violation } from '../check/violation.js';
import type { Evidence } from '../core/finding.js';
import { runBudgetedProperty } from '../core/run-budgeted-property.js';
import type { FaultEnv } from './fault-env.js';
import type { FaultRunFigures, FaultRunResult } from './fault-run-result.js';
import {
  coverageSchedule,
  faultScheduleArbitrary,
  type FaultScheduleBounds,
} from './fault-schedule-arbitrary.js';
import { saveFaultSchedule } from './fault-schedule-file.js';
import { runFaultSchedule, type FaultRunOptions } from './run-fault-schedule.js';

/** Options of {@link runFaultProperty}. */
export interface FaultPropertyOptions {
  seed: number;
  numRuns: number;
  /** Path (`run:shrink:...`) of a counterexample under `seed`, to replay it directly. */
  path?: string;
  /** Schedule bounds; `faults` defaults to everything the environment can inject. */
  bounds?: Partial<FaultScheduleBounds>;
  /** Executions allowed while shrinking, after the first failure; default 6 (each costs seconds). */
  maxShrinks?: number;
  /** Wall-clock budget of the property (runs + shrinking); default one hour. */
  timeLimitMs?: number;
  /** Where the shrunk failing schedule is saved. */
  outDir?: string;
  run?: FaultRunOptions;
}

/** The outcome of a fault property: every execution's figures, and the shrunk counterexample. */
export interface FaultPropertyResult {
  status: 'passed' | 'failed';
  seed: number;
  path?: string;
  runs: number;
  executions: number;
  /** Every run in run order, then the shrunk counterexample when it is not the last run. */
  results: FaultRunResult[];
  counterexample?: FaultRunResult;
  violations: Violation[];
  scheduleFile?: string;
  totals: FaultTotals;
}

/** Figures summed (counts) or maxed (lags) over the executions of a property. */
export type FaultTotals = Pick<
  FaultRunFigures,
  | 'faultsInjected'
  | 'episodesWritten'
  | 'eventsProjected'
  | 'lost'
  | 'duplicatesProjected'
  | 'duplicatesOnStream'
  | 'projectorKills'
> & {
  worstLagDuringMs: number | undefined;
  worstLagAfterRecoveryMs: number | undefined;
  worstRecoveryMs: number | undefined;
  worstLocalWriteP99Ms: number | undefined;
  worstLocalWriteRatio: number | undefined;
};

/** Sums the figures of several runs. */
export function totalFigures(results: readonly FaultRunResult[]): FaultTotals {
  const max = (xs: (number | undefined)[]): number | undefined => {
    const d = xs.filter((x): x is number => x !== undefined);
    return d.length === 0 ? undefined : d.reduce((a, b) => Math.max(a, b));
  };
  const sum = (f: (r: FaultRunFigures) => number): number => results.reduce((n, r) => n + f(r.figures), 0);
  return {
    faultsInjected: sum((f) => f.faultsInjected),
    episodesWritten: sum((f) => f.episodesWritten),
    eventsProjected: sum((f) => f.eventsProjected),
    lost: sum((f) => f.lost),
    duplicatesProjected: sum((f) => f.duplicatesProjected),
    duplicatesOnStream: sum((f) => f.duplicatesOnStream),
    projectorKills: sum((f) => f.projectorKills),
    worstLagDuringMs: max(results.map((r) => r.figures.worstLagDuringMs)),
    worstLagAfterRecoveryMs: max(results.map((r) => r.figures.worstLagAfterRecoveryMs)),
    worstRecoveryMs: max(results.flatMap((r) => r.figures.recoveryMs)),
    worstLocalWriteP99Ms: max(results.map((r) => r.figures.localWrite.faultP99Ms)),
    worstLocalWriteRatio: max(results.map((r) => r.figures.localWrite.ratio)),
  };
}

/**
 * Runs generated fault schedules against the environment with the kit's budgeted runner, one at a
 * time (they share the environment's services): seeded, no retries, a failure shrunk (fewer
 * steps, faults, writes, shorter holds) within `maxShrinks` executions, and the smallest failing
 * schedule saved as a file for an exact replay.
 */
export async function runFaultProperty(env: FaultEnv, o: FaultPropertyOptions): Promise<FaultPropertyResult> {
  const arbitrary = faultScheduleArbitrary({ faults: env.capabilities, ...o.bounds });
  const budget = await runBudgetedProperty(
    arbitrary,
    async (schedule) => {
      // A schedule whose run throws (a failed heal, PostgreSQL down during the final read) could
      // not be judged: runBudgetedProperty turns the throw into an EnvironmentError.
      const r = await runFaultSchedule(env, schedule, o.run);
      const evidence: Evidence = new Map();
      for (const c of r.clauses)
        if (c.status === 'passed' && isClauseId(c.clauseId)) evidence.set(c.clauseId, 1);
      return { findings: r.violations, evidence, record: r };
    },
    {
      seed: o.seed,
      numRuns: o.numRuns,
      ...(o.path === undefined ? {} : { path: o.path }),
      maxShrinks: o.maxShrinks ?? 6,
      timeLimitMs: o.timeLimitMs ?? 60 * 60_000,
    },
    // Run 0 injects every fault kind of the environment, whatever the seed.
    [coverageSchedule(o.bounds?.faults ?? env.capabilities)],
  );
  const results = budget.outcomes.slice(0, budget.runs).map((x) => x.record);
  const counterexample = budget.counterexample?.outcome.record;
  const path = budget.counterexample?.path;
  if (counterexample !== undefined && results.at(-1) !== counterexample) results.push(counterexample);
  const result: FaultPropertyResult = {
    status: counterexample === undefined ? 'passed' : 'failed',
    seed: o.seed,
    ...(path === undefined ? {} : { path }),
    runs: budget.runs,
    executions: budget.executions,
    results,
    violations: counterexample?.violations ?? [],
    totals: totalFigures(results),
  };
  if (counterexample !== undefined) {
    result.counterexample = counterexample;
    if (o.outDir !== undefined) {
      result.scheduleFile = await saveFaultSchedule(
        o.outDir,
        `faults-seed-${o.seed}`,
        counterexample.schedule,
        {
          seed: o.seed,
          ...(result.path === undefined ? {} : { path: result.path }),
          violations: counterexample.violations,
        },
      );
    }
  }
  return result;
}
