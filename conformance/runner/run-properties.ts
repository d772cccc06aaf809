import fc from 'fast-check';
import { checkExecution } from '../check/check-execution.js';
import type { ExecutionVerdict } from '../check/check-execution.js';
import type { Violation } from '../check/violation.js';
import type { PropertyDef } from '../properties/catalog.js';
import { bindSchedule, freshBinding, TENANTS } from '../streams/bind-schedule.js';
import { scheduleArbitrary } from '../streams/schedule-arbitrary.js';
import type { Schedule, ScheduleFile } from '../streams/schedule.js';
import { scheduleMessages } from '../streams/schedule.js';
import type { Execution } from '../target/projector-target.js';

/** Anything that can execute a bound schedule (the projector target, or a test double of it). */
export interface ScheduleExecutor {
  readonly canCrash: boolean;
  execute(schedule: Schedule, token: string, tenants: string[], episodeIds: string[]): Promise<Execution>;
}

export interface RunOptions {
  seed: number;
  numRuns: number;
  /** fast-check path, to replay one property's counterexample directly. */
  path?: string;
  /** Executions allowed while shrinking, after the first failure. */
  maxShrinks: number;
  /** Wall-clock budget per property (runs + shrinking). */
  propertyTimeLimitMs: number;
  progress: (line: string) => void;
}

export interface PropertyResult {
  name: string;
  title: string;
  clauses: string[];
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
  runs: number;
  executions: number;
  events: number;
  durationMs: number;
  seed: number;
  path?: string;
  counterexample?: ScheduleFile;
  violations: Violation[];
}

/** Measurements across every execution, for the SLO thresholds and the report. */
export interface Measurements {
  publishMs: number[];
  lagMs: number[];
  reapplied: number;
  applied: number;
  keysSeen: number;
  exercised: Set<string>;
  events: number;
}

/** Raised when the environment (not the implementation) fails: exit 2, never a counterexample. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  readonly code = 'ENVIRONMENT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function episodeIdsOf(schedule: Schedule): string[] {
  const ids = new Set<string>();
  for (const m of scheduleMessages(schedule)) {
    const match = /"episode_id":"([^"]+)"/.exec(m.data);
    if (match?.[1] !== undefined) ids.add(match[1]);
  }
  return [...ids];
}

/** Executes one placeholder schedule under fresh ids and checks it. */
export async function executeOnce(
  target: ScheduleExecutor,
  schedule: Schedule,
): Promise<{ exec: Execution; verdict: ExecutionVerdict; file: Omit<ScheduleFile, 'seed' | 'clauses'> }> {
  const binding = freshBinding();
  const bound = bindSchedule(schedule, binding);
  const tenants = TENANTS.map((t) => binding.ids[t] as string);
  let exec: Execution;
  try {
    exec = await target.execute(bound, binding.token, tenants, episodeIdsOf(bound));
  } catch (error) {
    throw new EnvironmentError(
      `executing a schedule failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const verdict = checkExecution(exec);
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
      violations: verdict.violations,
    },
  };
}

/** Runs one property with fast-check: seeded, no retries, shrinking bounded by `maxShrinks`. */
export async function runProperty(
  target: ScheduleExecutor,
  def: PropertyDef,
  options: RunOptions,
  m: Measurements,
): Promise<PropertyResult> {
  const started = Date.now();
  const numRuns = Math.max(1, Math.round(options.numRuns * (def.runsFactor ?? 1)));
  const result: PropertyResult = {
    name: def.name,
    title: def.title,
    clauses: def.clauses,
    status: 'passed',
    runs: 0,
    executions: 0,
    events: 0,
    durationMs: 0,
    seed: options.seed,
    violations: [],
  };
  let lastFailure: Omit<ScheduleFile, 'seed' | 'clauses'> | undefined;
  let shrinks = 0;
  let envError: EnvironmentError | undefined;
  const property = fc.asyncProperty(scheduleArbitrary(def.name, def.profile), async (schedule) => {
    if (envError !== undefined) return true;
    if (lastFailure !== undefined && ++shrinks > options.maxShrinks) return true; // shrink budget spent
    let outcome;
    const t0 = Date.now();
    try {
      outcome = await executeOnce(target, schedule);
    } catch (error) {
      envError =
        error instanceof EnvironmentError ? error : new EnvironmentError(String(error), { cause: error });
      return true;
    }
    const { exec, verdict, file } = outcome;
    if (def.attribute !== undefined) file.violations = verdict.violations = def.attribute(verdict.violations);
    result.executions++;
    result.events += exec.events;
    m.events += exec.events;
    if (lastFailure === undefined) {
      result.runs++;
      // Appended one by one: push(...xs) overflows the call stack on very long runs.
      for (const ms of exec.publishMs) m.publishMs.push(ms);
      for (const ms of verdict.lagMs) m.lagMs.push(ms);
      m.reapplied += verdict.reapplied;
      m.applied += verdict.applied;
      m.keysSeen += verdict.keysSeen;
      verdict.exercised.forEach((c) => m.exercised.add(c));
    }
    const failed = verdict.violations.length > 0;
    const phase =
      lastFailure === undefined ? `run ${result.runs}/${numRuns}` : `shrink ${shrinks}/${options.maxShrinks}`;
    options.progress(
      `[${def.name}] ${phase}: ${exec.events} messages, ${Date.now() - t0} ms, ${failed ? `FAIL ${verdict.violations[0]?.clauseId}` : 'ok'}`,
    );
    if (!failed) return true;
    lastFailure = file;
    return false;
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns,
    ...(options.path === undefined ? {} : { path: options.path }),
    interruptAfterTimeLimit: options.propertyTimeLimitMs,
    markInterruptAsFailure: false,
  });
  if (envError !== undefined) throw envError;
  result.durationMs = Date.now() - started;
  if (details.failed && lastFailure !== undefined) {
    result.status = 'failed';
    result.path = details.counterexamplePath ?? undefined;
    result.violations = lastFailure.violations ?? [];
    result.counterexample = {
      ...lastFailure,
      seed: details.seed,
      clauses: def.clauses,
      ...(result.path ? { path: result.path } : {}),
    };
  } else if (details.failed) {
    throw new EnvironmentError(
      `property ${def.name} failed outside the target: ${String(details.errorInstance ?? 'unknown error')}`,
    );
  } else if (details.interrupted) {
    result.reason = `time limit: ${result.runs} of ${numRuns} runs`;
  }
  return result;
}
