import fc from 'fast-check';
import type { ClauseId } from 'continuum-contract';
import { checkExecution } from '../check/check-execution.js';
import type { ExecutionContext, ExecutionVerdict } from '../check/check-execution.js';
import { EnvironmentError, asEnvironmentError } from '../core/environment-error.js';
import { evidenceRecord, mergeEvidence } from '../core/finding.js';
import type { Finding } from '../core/finding.js';
import { runBudgetedProperty } from '../core/run-budgeted-property.js';
import { generateRun } from '../core/seeded-random.js';
import type { PropertyDef } from '../properties/catalog.js';
import { bindSchedule, freshBinding, TENANTS } from '../streams/bind-schedule.js';
import {
  applyReduction,
  formatReduction,
  minimiseSchedule,
  parseMinimisedPath,
} from './minimise-schedule.js';
import { scheduleArbitrary } from '../streams/schedule-arbitrary.js';
import type { Minimisation, Schedule, ScheduleFile } from '../streams/schedule.js';
import { scheduleMessages } from '../streams/schedule.js';
import type { Execution } from '../target/projector-target.js';

export { EnvironmentError };

/** Anything that can execute a bound schedule (the projector target, or a test double of it). */
export interface ScheduleExecutor {
  readonly canCrash: boolean;
  /** One consumer instance projects in stream order (the kit started exactly one). */
  readonly singleConsumer?: boolean;
  /** The projector's stale counter (--metrics-url), read around each execution. */
  staleCount?: () => Promise<number | undefined>;
  execute(schedule: Schedule, token: string, tenants: string[], episodeIds: string[]): Promise<Execution>;
  /** Why the projector has stopped consuming (nothing acknowledged for `quietMs`, messages pending), else undefined. */
  stalled?: (quietMs: number) => Promise<string | undefined>;
}

export interface RunOptions {
  seed: number;
  numRuns: number;
  /** Path (`run:shrink:...`) of one property's counterexample under `seed`, to replay it directly. */
  path?: string;
  /** Executions allowed while minimising the first failure's schedule. */
  maxShrinks: number;
  /** Shrink the first failure (false: report it as found). */
  shrink?: boolean;
  /** Index of the first generated run: runs below it were explored by an earlier pass. */
  firstRun?: number;
  /** Stop before this run index (an exploring pass shorter than the property's plan). */
  untilRun?: number;
  /**
   * The clause the counterexample is minimised for, when an earlier pass counted the property's
   * failures (default: the dominant clause of this call's own runs).
   */
  minimiseFor?: ClauseId;
  /** Wall-clock budget per property (runs + shrinking). */
  propertyTimeLimitMs: number;
  /** Schedules in flight at once (properties that crash the projector run one at a time). */
  concurrency?: number;
  /** Wall-clock instant after which no property starts a new execution (--time-budget). */
  deadline?: number;
  progress: (line: string) => void;
  /** Rewrites the property's progress line (a terminal); defaults to `progress`. */
  status?: (line: string) => void;
}

export interface PropertyResult {
  name: string;
  title: string;
  clauses: ClauseId[];
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
  runs: number;
  executions: number;
  events: number;
  durationMs: number;
  seed: number;
  path?: string;
  counterexample?: ScheduleFile;
  /** The shrunk counterexample's findings. */
  violations: Finding[];
  /** Situations each clause's checks saw, in runs without any finding. */
  evidence?: Partial<Record<ClauseId, number>>;
  /** Runs in which each clause failed (before shrinking). */
  failures?: Partial<Record<ClauseId, number>>;
  /** The counterexample was not shrunk, and why. */
  notShrunk?: string;
  /** How the first failure's schedule was minimised into the counterexample. */
  minimised?: Minimisation;
  /** Bad input the broker refused (it never reached the implementation), by the clause it breaks. */
  refusedByBroker?: Partial<Record<ClauseId, number>>;
  /** Every execution in the order they finished: generated runs, then minimising candidates. */
  executionLog?: ExecutionEntry[];
}

/** One execution of a schedule, as the JSON report lists it. */
export interface ExecutionEntry {
  phase: 'run' | 'shrink';
  /** The run's token: every id the execution used carries it (find its rows in the tables). */
  token: string;
  messages: number;
  crashed: boolean;
  ms: number;
  /** Clauses its findings named; empty when the run passed. */
  failed: ClauseId[];
}

/** Measurements across every execution, for the SLO thresholds and the report. */
export interface Measurements {
  publishMs: number[];
  lagMs: number[];
  reapplied: number;
  applied: number;
  keysSeen: number;
  events: number;
  /** Events the projector's events table recorded as stale in generated runs (event_id -> tenant_id). */
  staleEvents?: Map<string, string>;
  /** Valid events sent on each payload-schema edge ('edge: summary.maxLength at-limit-astral'). */
  edges?: Map<string, number>;
}

/** The episode and event ids a schedule's messages carry (the observer looks for keys holding them). */
export function episodeIdsOf(schedule: Schedule): string[] {
  const ids = new Set<string>();
  for (const m of scheduleMessages(schedule)) {
    for (const match of m.data.matchAll(/"(?:episode_id|event_id)":"([^"]+)"/g))
      if (match[1] !== undefined && match[1].length >= 8) ids.add(match[1]);
  }
  return [...ids];
}

type ScheduleRecord = Omit<ScheduleFile, 'seed' | 'clauses'>;

/** Executes one placeholder schedule under fresh ids and checks it. */
async function executeOnce(
  target: ScheduleExecutor,
  schedule: Schedule,
): Promise<{ exec: Execution; verdict: ExecutionVerdict; file: ScheduleRecord }> {
  const binding = freshBinding();
  const bound = bindSchedule(schedule, binding);
  const tenants = TENANTS.map((t) => binding.ids[t] as string);
  let exec: Execution;
  let before: number | undefined;
  let after: number | undefined;
  try {
    before = await target.staleCount?.();
    exec = await target.execute(bound, binding.token, tenants, episodeIdsOf(bound));
    after = await target.staleCount?.();
  } catch (error) {
    throw asEnvironmentError(error, 'executing a schedule failed');
  }
  const context: ExecutionContext = {
    singleConsumer: target.singleConsumer === true,
    ...(before === undefined || after === undefined ? {} : { staleCounted: after - before }),
  };
  const verdict = checkExecution(exec, context);
  return {
    exec,
    verdict,
    file: {
      kind: 'continuum-kit.schedule',
      version: 1,
      property: schedule.property,
      schedule,
      executed: bound,
      binding,
      violations: verdict.findings,
    },
  };
}

/**
 * Runs a property is planned for: its fixed schedules, else `numRuns` scaled by its runsFactor and
 * capped by its maxRuns.
 */
export function plannedRuns(def: PropertyDef, numRuns: number): number {
  if (def.examples !== undefined) return def.examples.runs;
  return Math.min(def.maxRuns ?? Infinity, Math.max(1, Math.round(numRuns * (def.runsFactor ?? 1))));
}

/**
 * Runs one projector property with the kit's budgeted runner: every run checked, the first failure
 * shrunk unless `skipShrinking` gives a reason not to (undefined: shrink).
 */
export async function runProperty(
  target: ScheduleExecutor,
  def: PropertyDef,
  options: RunOptions,
  m: Measurements,
  skipShrinking?: (failedClauses: ClauseId[]) => string | undefined,
): Promise<PropertyResult> {
  const started = Date.now();
  const numRuns = Math.min(options.untilRun ?? Infinity, plannedRuns(def, options.numRuns));
  // A kill -9 must land while the run's own messages are in flight: with other runs beside it, most
  // kills found nothing of theirs (measured: ack-before-commit lost events in 1 of 8 concurrent
  // runs, 5 of 8 serial ones).
  const concurrency = def.profile.crashes ? 1 : (options.concurrency ?? 1);
  const timeLimitMs = Math.max(
    1,
    Math.min(options.propertyTimeLimitMs, (options.deadline ?? Infinity) - started),
  );
  let lastLine = 0;
  let failing = 0;
  let shrinking = false;
  let executions = 0;
  let events = 0;
  const refused = new Map<ClauseId, number>();
  const executionLog: ExecutionEntry[] = [];
  const execute = async (schedule: Schedule, phase: 'run' | 'shrink') => {
    const began = performance.now();
    const { exec, verdict, file } = await executeOnce(target, schedule);
    if (def.attribute !== undefined) file.violations = verdict.findings = def.attribute(verdict.findings);
    executionLog.push({
      phase,
      token: exec.token,
      messages: exec.events,
      crashed: exec.crashed,
      ms: Math.round(performance.now() - began),
      failed: [...new Set(verdict.findings.map((f) => f.clauseId))],
    });
    if (def.situations !== undefined) mergeEvidence(verdict.evidence, def.situations(exec.schedule));
    executions++;
    events += exec.events;
    m.events += exec.events;
    shrinking = phase === 'shrink';
    if (!shrinking) {
      // Appended one by one: push(...xs) overflows the call stack on very long runs.
      for (const ms of exec.publishMs) m.publishMs.push(ms);
      for (const ms of verdict.lagMs) m.lagMs.push(ms);
      m.reapplied += verdict.reapplied;
      m.applied += verdict.applied;
      m.keysSeen += verdict.keysSeen;
      for (const [c, n] of verdict.refused) refused.set(c, (refused.get(c) ?? 0) + n);
      // A kill -9 between commit and log line loses the line, and the redelivery is a duplicate.
      if (!exec.crashed)
        for (const o of exec.observations)
          for (const e of o.events) if (e.outcome === 'stale') m.staleEvents?.set(e.event_id, e.tenant_id);
      for (const msg of scheduleMessages(schedule)) {
        if (msg.kind === 'valid' && msg.label !== undefined)
          m.edges?.set(msg.label, (m.edges.get(msg.label) ?? 0) + 1);
      }
    }
    if (verdict.findings.length > 0) failing++;
    if (Date.now() - lastLine >= 1000) {
      lastLine = Date.now();
      (options.status ?? options.progress)(
        `[${def.name}] ${executions} executions (${phase}), ${events} events, ${failing === 0 ? 'ok' : `${failing} failing`} (${((Date.now() - started) / 1000).toFixed(1)} s, ${concurrency} at once)`,
      );
    }
    return { findings: verdict.findings, evidence: verdict.evidence, record: file };
  };
  // The runner finds the first failure; its schedule is then minimised as data (minimise-schedule.ts).
  const generated = scheduleArbitrary(def.name, def.profile);
  const parsed = options.path === undefined ? undefined : parseMinimisedPath(options.path);
  const reduction = parsed?.reduction;
  if (
    options.path !== undefined &&
    (parsed === undefined || (reduction !== undefined && !/^\d+$/.test(parsed.run)))
  )
    throw new EnvironmentError(`path ${options.path} is not a path this kit reported`);
  // A minimised path names one schedule exactly: it runs once, as is.
  const budget = {
    seed: options.seed,
    numRuns: reduction === undefined ? numRuns : 1,
    ...(options.path === undefined || reduction !== undefined ? {} : { path: options.path }),
    maxShrinks: 0,
    shrink: false,
    timeLimitMs,
    concurrency,
    ...(options.firstRun === undefined ? {} : { firstRun: options.firstRun }),
  };
  // Run i of a deterministic check is its i-th fixed schedule.
  const examples = def.examples?.schedules(options.seed) ?? [];
  const scheduleOfRun = (run: number): Schedule =>
    examples[run] ?? generateRun(generated, options.seed, run).value;
  const arbitrary =
    reduction === undefined
      ? generated
      : fc.constant(applyReduction(scheduleOfRun(Number(parsed?.run)), reduction));
  const budgetResult = await runBudgetedProperty(
    arbitrary,
    execute,
    budget,
    reduction === undefined ? examples : [],
  );
  const result: PropertyResult = {
    name: def.name,
    title: def.title,
    clauses: def.clauses,
    status: 'passed',
    runs: budgetResult.runs,
    executions,
    events,
    durationMs: Date.now() - started,
    seed: options.seed,
    violations: [],
    evidence: evidenceRecord(budgetResult.evidence),
    failures: evidenceRecord(budgetResult.failures),
    ...(refused.size === 0 ? {} : { refusedByBroker: evidenceRecord(refused) }),
    executionLog,
  };
  const found = budgetResult.counterexample;
  if (found !== undefined) {
    result.status = 'failed';
    if (found.path !== undefined) result.path = found.path;
    if (reduction !== undefined) result.path = options.path;
    let outcome = found.outcome;
    const failed = [...new Set(outcome.findings.map((f) => f.clauseId))];
    const notShrunk =
      options.shrink === false || options.maxShrinks === 0 ? 'shrinking is off' : skipShrinking?.(failed);
    // A minimised path names the counterexample itself: nothing is left to minimise.
    if (reduction === undefined && notShrunk !== undefined) result.notShrunk = notShrunk;
    else if (reduction === undefined) {
      const minimised = await minimiseSchedule(found.value, (s) => execute(s, 'shrink'), {
        target: [
          options.minimiseFor !== undefined && failed.includes(options.minimiseFor)
            ? options.minimiseFor
            : dominantClause(failed, budgetResult.failures),
        ],
        budget: Math.min(options.maxShrinks, def.maxShrinks ?? Infinity),
        width: concurrency,
        deadline: started + timeLimitMs,
      });
      outcome = minimised.outcome ?? outcome;
      if (minimised.reduction !== undefined)
        result.path = `${found.path ?? ''}${formatReduction(minimised.reduction)}`;
      result.minimised = {
        executions: minimised.executions,
        before: minimised.before,
        after: minimised.after,
      };
      result.executions = executions;
      result.events = events;
      result.durationMs = Date.now() - started;
    }
    result.violations = [...outcome.findings];
    result.counterexample = {
      ...outcome.record,
      seed: options.seed,
      clauses: def.clauses,
      ...(result.path === undefined ? {} : { path: result.path }),
      ...(result.minimised === undefined ? {} : { minimised: result.minimised }),
    };
  } else if (budgetResult.interrupted) {
    result.reason = `time limit: ${result.runs} of ${numRuns} runs`;
  }
  return result;
}

/**
 * The clause a counterexample is minimised for: of the first failure's clauses, the one that
 * failed in the most runs (the defect's main symptom; the first named on a tie). Requiring every
 * clause of the first failure would keep each side effect of the defect in the counterexample;
 * the report still counts every clause that failed, run by run.
 */
export function dominantClause(
  failed: readonly ClauseId[],
  failures: ReadonlyMap<ClauseId, number>,
): ClauseId {
  let best = failed[0] as ClauseId;
  for (const c of failed) if ((failures.get(c) ?? 0) > (failures.get(best) ?? 0)) best = c;
  return best;
}
