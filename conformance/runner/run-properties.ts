import { checkExecution } from '../check/check-execution.js';
import { concurrentCheck } from '../engine/concurrent-check.js';
import type { Phase, Verdict } from '../engine/concurrent-check.js';
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
  /** Valid events sent on each payload-schema edge ('edge: summary.maxLength at-limit-astral'). */
  edges?: Map<string, number>;
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
  const numRuns = Math.min(
    def.maxRuns ?? Number.POSITIVE_INFINITY,
    Math.max(1, Math.round(options.numRuns * (def.runsFactor ?? 1))),
  );
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
  const concurrency = def.profile.crashes ? 1 : (options.concurrency ?? 1);
  const deadline = Math.min(started + options.propertyTimeLimitMs, options.deadline ?? Infinity);
  let failures = 0;
  let lastLine = 0;
  const report = (final: boolean): void => {
    if (!final && Date.now() - lastLine < 1000) return;
    lastLine = Date.now();
    (final ? options.progress : (options.status ?? options.progress))(
      `[${def.name}] ${result.runs}/${numRuns} runs, ${result.events} events, ${result.executions - result.runs} shrink steps, ${failures === 0 ? 'ok' : `${failures} failing`} (${((Date.now() - started) / 1000).toFixed(1)} s, ${concurrency} at once)`,
    );
  };
  const checked = await concurrentCheck(
    scheduleArbitrary(def.name, def.profile),
    async (schedule: Schedule, phase: Phase): Promise<Verdict<Omit<ScheduleFile, 'seed' | 'clauses'>>> => {
      const { exec, verdict, file } = await executeOnce(target, schedule);
      if (def.attribute !== undefined)
        file.violations = verdict.violations = def.attribute(verdict.violations);
      result.executions++;
      result.events += exec.events;
      m.events += exec.events;
      if (phase === 'run') {
        result.runs++;
        // Appended one by one: push(...xs) overflows the call stack on very long runs.
        for (const ms of exec.publishMs) m.publishMs.push(ms);
        for (const ms of verdict.lagMs) m.lagMs.push(ms);
        m.reapplied += verdict.reapplied;
        m.applied += verdict.applied;
        m.keysSeen += verdict.keysSeen;
        verdict.exercised.forEach((c) => m.exercised.add(c));
        for (const msg of scheduleMessages(schedule)) {
          if (msg.kind === 'valid' && msg.label !== undefined)
            m.edges?.set(msg.label, (m.edges.get(msg.label) ?? 0) + 1);
        }
      }
      if (verdict.violations.length > 0) failures++;
      report(false);
      return verdict.violations.length > 0 ? { ok: false, detail: file } : { ok: true };
    },
    {
      seed: options.seed,
      numRuns,
      concurrency,
      ...(options.path === undefined ? {} : { path: options.path }),
      maxShrinks: options.maxShrinks,
      deadline,
    },
  ).catch((error: unknown) => {
    throw error instanceof EnvironmentError ? error : new EnvironmentError(String(error), { cause: error });
  });
  report(true);
  result.durationMs = Date.now() - started;
  if (checked.failure !== undefined) {
    const failure = checked.failure.detail;
    result.status = 'failed';
    result.path = checked.failure.path;
    result.violations = failure.violations ?? [];
    result.counterexample = { ...failure, seed: options.seed, clauses: def.clauses, path: result.path };
  } else if (checked.interrupted) {
    result.reason = `time limit: ${result.runs} of ${numRuns} runs`;
  }
  return result;
}
