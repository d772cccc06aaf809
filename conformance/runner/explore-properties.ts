import type { ClauseId } from 'continuum-contract';
import type { PropertyDef } from '../properties/catalog.js';
import { dominantClause, plannedRuns, runProperty } from './run-properties.js';
import type { Measurements, PropertyResult, RunOptions, ScheduleExecutor } from './run-properties.js';

export interface ExploreOptions extends RunOptions {
  /** Stop running further properties once this many have failed. */
  maxFailures?: number;
  /** Explore every property to its full depth even after a failure was found. */
  keepGoing?: boolean;
  /** After a property failed, how long an unmoving ack floor means the projector stopped consuming. */
  stallMs?: number;
  /** Runs before each pass of a property that kill -9s the projector; a result it returns failed. */
  beforeKills?: () => Promise<PropertyResult | undefined>;
  /** Runs after each such pass. */
  afterKills?: () => Promise<void>;
}

/** A property the kit did not run, with the reason. */
export function skippedProperty(
  def: Pick<PropertyDef, 'name' | 'title' | 'clauses'>,
  seed: number,
  reason: string,
): PropertyResult {
  return {
    name: def.name,
    title: def.title,
    clauses: def.clauses,
    status: 'skipped',
    reason,
    runs: 0,
    executions: 0,
    events: 0,
    durationMs: 0,
    seed,
    violations: [],
  };
}

/**
 * Runs the projector properties in three passes, so a broken implementation gets its verdict
 * within a minute and a correct one still gets the full depth:
 * 1. scout: the first wave of runs of every property (one schedule per slot of --concurrency;
 *    a property's own `firstWave`, two serial runs of the kill -9 one), every run checked, nothing shrunk;
 * 2. minimise the first failure of each failing property, once per dominant clause;
 * 3. deep: the rest of every property's runs, unless a failure was found (then exploration
 *    stops, and each property says how many of its runs it explored; --keep-going goes on).
 */
export async function exploreProperties(
  executor: ScheduleExecutor,
  defs: PropertyDef[],
  o: ExploreOptions,
  m: Measurements,
): Promise<PropertyResult[]> {
  if (o.path !== undefined) return replayPath(executor, defs, o, m);
  const results: PropertyResult[] = [];
  const maxFailures = o.maxFailures ?? Infinity;
  const failed = (): PropertyResult[] => results.filter((r) => r.status === 'failed');
  const runnable: { def: PropertyDef; result: PropertyResult }[] = [];
  const beforePass = async (def: PropertyDef): Promise<void> => {
    if (!def.profile.crashes || o.beforeKills === undefined) return;
    const failure = await o.beforeKills();
    if (failure === undefined) return;
    o.progress(`property ${failure.name}: ${statusLine(failure)}`);
    results.push(failure);
  };
  const afterPass = async (def: PropertyDef): Promise<void> => {
    if (def.profile.crashes) await o.afterKills?.();
  };
  const scoutRuns = (def: PropertyDef): number =>
    def.examples !== undefined
      ? plannedRuns(def, o.numRuns)
      : Math.min(plannedRuns(def, o.numRuns), def.firstWave ?? Math.max(1, o.concurrency ?? 1));

  let stalled: string | undefined;
  for (const def of defs) {
    if (stalled !== undefined) {
      results.push(skippedProperty(def, o.seed, stalled));
      continue;
    }
    if (failed().length >= maxFailures) {
      results.push(skippedProperty(def, o.seed, `not run: --max-failures ${maxFailures} reached`));
      continue;
    }
    if (def.needsProcess === true && !executor.canCrash) {
      results.push(
        skippedProperty(def, o.seed, 'needs --projector-cmd (the kit must own the process to kill -9 it)'),
      );
      continue;
    }
    await beforePass(def);
    o.progress(`property ${def.name}: ${def.title}`);
    const result = await runProperty(executor, def, { ...o, untilRun: scoutRuns(def), shrink: false }, m);
    await afterPass(def);
    delete result.reason;
    o.progress(`property ${def.name}: ${statusLine(result)} (first ${result.runs} runs)`);
    results.push(result);
    runnable.push({ def, result });
    // A projector that stopped consuming fails every later run the same way: say so, run no more.
    const why = result.status === 'failed' ? await executor.stalled?.(o.stallMs ?? 3000) : undefined;
    if (why !== undefined)
      stalled = `not run: the projector stopped consuming during ${def.name}'s runs (${why})`;
  }

  for (const { def, result } of runnable) {
    if (result.status !== 'failed' || result.path === undefined) continue;
    // Shrunk once per defect: a failure whose main symptom an earlier property already shrank is
    // reported as found (its other clauses still count as failed, run by run).
    const failedClauses = [...new Set(result.violations.map((v) => v.clauseId))];
    const failures = new Map(Object.entries(result.failures ?? {}) as [ClauseId, number][]);
    const dominant = dominantClause(failedClauses, failures);
    const repeated = repeatedClauses(results, result, [dominant]);
    if (repeated !== undefined) {
      result.notShrunk = repeated;
      continue;
    }
    await beforePass(def);
    o.progress(`property ${def.name}: shrinking the failure of run ${result.path}`);
    // The replay is a single run: the dominant clause comes from the first wave's counts.
    const shrunk = await runProperty(executor, def, { ...o, path: result.path, minimiseFor: dominant }, m);
    await afterPass(def);
    if (shrunk.status === 'failed') {
      result.violations = shrunk.violations;
      if (shrunk.counterexample !== undefined) result.counterexample = shrunk.counterexample;
      if (shrunk.path !== undefined) result.path = shrunk.path;
      delete result.notShrunk;
      if (shrunk.notShrunk !== undefined) result.notShrunk = shrunk.notShrunk;
      if (shrunk.minimised !== undefined) result.minimised = shrunk.minimised;
    } else {
      result.notShrunk = `the failing run passed when replayed: reported as found (${shrunk.runs} replay)`;
    }
    result.executions += shrunk.executions;
    result.executionLog = [...(result.executionLog ?? []), ...(shrunk.executionLog ?? [])];
    result.events += shrunk.events;
    result.durationMs += shrunk.durationMs;
    o.progress(`property ${def.name}: ${statusLine(result)}`);
  }

  const firstFailed = (): string | undefined => (o.keepGoing === true ? undefined : failed()[0]?.name);
  let stoppedBy = firstFailed();
  // Kill -9 runs go deep first: their first wave is two serial runs, and a kill lands where it
  // loses a broken projector's messages in only about half the runs.
  const deepOrder = [...runnable].sort(
    (a, b) => Number(b.def.needsProcess === true) - Number(a.def.needsProcess === true),
  );
  for (const { def, result } of deepOrder) {
    const planned = plannedRuns(def, o.numRuns);
    if (result.runs >= planned) continue;
    if (stoppedBy === undefined && failed().length < maxFailures) {
      await beforePass(def);
      stoppedBy = firstFailed();
    }
    if (stoppedBy !== undefined || failed().length >= maxFailures) {
      await afterPass(def);
      result.reason = `explored ${result.runs} of ${planned} runs: exploration stopped after ${stoppedBy ?? 'the failures'} failed (--keep-going explores every property to full depth)`;
      continue;
    }
    o.progress(`property ${def.name}: runs ${result.runs + 1}-${planned}`);
    const deep = await runProperty(executor, def, { ...o, firstRun: result.runs }, m, (clauses) =>
      repeatedClauses(results, { ...result, violations: [] }, clauses),
    );
    await afterPass(def);
    mergeDeeperRuns(result, deep);
    if (deep.reason !== undefined) result.reason = `time limit: explored ${result.runs} of ${planned} runs`;
    o.progress(`property ${def.name}: ${statusLine(result)}`);
    if (result.status === 'failed' && o.keepGoing !== true) stoppedBy = def.name;
  }
  return results;
}

/** --path: the one failing run it names, executed again and shrunk from there. */
async function replayPath(
  executor: ScheduleExecutor,
  defs: PropertyDef[],
  o: ExploreOptions,
  m: Measurements,
): Promise<PropertyResult[]> {
  const results: PropertyResult[] = [];
  for (const def of defs) {
    o.progress(`property ${def.name}: replaying path ${o.path ?? ''}`);
    const result = await runProperty(executor, def, o, m);
    o.progress(`property ${def.name}: ${statusLine(result)}`);
    results.push(result);
  }
  return results;
}

function statusLine(r: PropertyResult): string {
  const clauses = [...new Set(r.violations.map((v) => v.clauseId))];
  return `${r.status}${clauses.length > 0 ? ` (${clauses.join(', ')})` : ''} in ${(r.durationMs / 1000).toFixed(1)} s${r.notShrunk === undefined ? '' : `; ${r.notShrunk}`}`;
}

/** Why a failure need not be shrunk: an earlier property already failed and shrank on every one of `clauses`. */
function repeatedClauses(
  results: PropertyResult[],
  self: PropertyResult,
  clauses: ClauseId[],
): string | undefined {
  const earlier = results.filter(
    (r) => r !== self && r.name !== self.name && r.status === 'failed' && r.notShrunk === undefined,
  );
  const shrunk = new Set(earlier.flatMap((r) => r.violations.map((v) => v.clauseId)));
  if (clauses.length === 0 || !clauses.every((c) => shrunk.has(c))) return undefined;
  const by = earlier.filter((r) => r.violations.some((v) => clauses.includes(v.clauseId))).map((r) => r.name);
  return `not shrunk: ${clauses.join(', ')} already failed and was shrunk in ${by.join(', ')}`;
}

function addCounts(
  into: Partial<Record<ClauseId, number>> | undefined,
  from: Partial<Record<ClauseId, number>> | undefined,
): Partial<Record<ClauseId, number>> | undefined {
  if (from === undefined) return into;
  const sum: Partial<Record<ClauseId, number>> = { ...into };
  for (const [clause, n] of Object.entries(from) as [ClauseId, number][])
    sum[clause] = (sum[clause] ?? 0) + n;
  return sum;
}

/** Folds a later pass of the same property into its result: counts add up, the first failure stays. */
function mergeDeeperRuns(result: PropertyResult, deep: PropertyResult): void {
  result.runs += deep.runs;
  result.executions += deep.executions;
  result.executionLog = [...(result.executionLog ?? []), ...(deep.executionLog ?? [])];
  result.events += deep.events;
  result.durationMs += deep.durationMs;
  const evidence = addCounts(result.evidence, deep.evidence);
  if (evidence !== undefined) result.evidence = evidence;
  const failures = addCounts(result.failures, deep.failures);
  if (failures !== undefined) result.failures = failures;
  const refused = addCounts(result.refusedByBroker, deep.refusedByBroker);
  if (refused !== undefined) result.refusedByBroker = refused;
  if (result.status !== 'failed' && deep.status === 'failed') {
    result.status = 'failed';
    result.violations = deep.violations;
    if (deep.counterexample !== undefined) result.counterexample = deep.counterexample;
    if (deep.path !== undefined) result.path = deep.path;
    if (deep.notShrunk !== undefined) result.notShrunk = deep.notShrunk;
    if (deep.minimised !== undefined) result.minimised = deep.minimised;
  }
}
