import { CONTRACT } from 'continuum-contract';
import { CHILD_ERROR_CODES, ChildProcessError } from '../../harness/child/index.js';
import type { SecurityCheckResult } from '../security/security-target.js';
import { checkFaultRun, type FaultWindow } from './check-fault-run.js';
import type { FaultEnv } from './fault-env.js';
import type { FaultRunResult } from './fault-run-result.js';
import { describeStep, scheduleFaults, type Fault, type FaultSchedule } from './fault-schedule.js';
import { FaultWorkload } from './fault-workload.js';
import { healFault, healOrder, injectFault } from './inject-fault.js';
import type { LocalWriter, WriterOptions } from './local-writer.js';
import { projectedCount, projectedEvents } from './observe-projection.js';

/** Knobs of one fault run; every field has a default. */
export interface FaultRunOptions {
  /** The producer under fault (default: the reference producer in this process). */
  writer?: (o: WriterOptions) => LocalWriter;
  /** Pause between steady writes, ms; default 2 (about 500 writes/s). */
  writeIntervalMs?: number;
  /** Bound on waiting for everything to be projected after the last heal; default max(60 s, ack_wait + 30 s). */
  recoveryTimeoutMs?: number;
  /**
   * Counts unchanged this long with events still missing: stop waiting; default max(20 s, ack_wait
   * + 10 s) (a cluster re-electing a consumer leader stalls ~10 s; what a killed projector held
   * waits out the ack_wait).
   */
  giveUpMs?: number;
  /** Absolute bound on the local write p99 during faults (CT-6.local-writes); default 50 ms. */
  localWriteBoundMs?: number;
  /** Default: the contract's duplicate projection rate SLO. */
  duplicateRateMax?: number;
  /** Auth probes run during every fault hold and at the end (secure deployments). */
  authProbe?: () => Promise<SecurityCheckResult[]>;
  progress?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Executes a fault schedule against the environment's producer and projector under a fresh
 * tenant and agent, waits for recovery, and checks that every local write was projected
 * effectively once, nothing was lost, local writes never blocked, and auth stayed closed.
 */
export async function runFaultSchedule(
  env: FaultEnv,
  schedule: FaultSchedule,
  o: FaultRunOptions = {},
): Promise<FaultRunResult> {
  const started = Date.now();
  o = {
    ...o,
    recoveryTimeoutMs: o.recoveryTimeoutMs ?? Math.max(60_000, env.ackWaitMs + 30_000),
    giveUpMs: o.giveUpMs ?? Math.max(20_000, env.ackWaitMs + 10_000),
  };
  const say = o.progress ?? (() => undefined);
  const workload = new FaultWorkload(env, 'ft', o.writer);
  const { tenantId, agentId, written } = workload;
  const authProbe =
    o.authProbe ??
    (env.authProbe
      ? () => (env.authProbe as (t: string) => Promise<SecurityCheckResult[]>)(tenantId)
      : undefined);
  const interval = o.writeIntervalMs ?? 2;
  const writer = workload.writer;
  const windows: FaultWindow[] = [];
  const snapshots: Map<string, number>[] = [];
  const notes: string[] = [];
  const auth: SecurityCheckResult[] = [];
  const watchers: Promise<void>[] = [];
  const kinds = new Set<string>();
  const active: Fault[] = [];
  let done = false;
  const exitsBefore = env.projector.unexpectedExits.length;

  const write = (inFault: boolean): Promise<void> => workload.write(inFault);
  // After a heal: when is everything written so far projected? Snapshot then (re-application check).
  const watchRecovery = (window: FaultWindow, target: number): Promise<void> =>
    (async () => {
      const until = window.healedMs + (o.recoveryTimeoutMs ?? 60_000);
      while (Date.now() < until) {
        const ending = done; // one more look after the run ended, so a late catch-up is still timed
        const n = await projectedCount(env.pool, tenantId, agentId).catch(() => -1);
        if (n >= target) {
          window.recoveredMs = Date.now();
          const snap = await projectedEvents(env.pool, tenantId, agentId).catch(() => undefined);
          if (snap) snapshots.push(new Map([...snap].map(([k, v]) => [k, v.projectedAtMs])));
          return;
        }
        if (ending) return;
        await sleep(100);
      }
    })();

  try {
    await writer.ready(15_000);
    for (const [index, step] of schedule.steps.entries()) {
      say(`step ${index + 1}/${schedule.steps.length}: ${describeStep(step)}`);
      if (step.op === 'write') {
        for (let k = 0; k < step.count; k++) {
          await write(false);
          await sleep(interval);
        }
        continue;
      }
      const window: FaultWindow = { startMs: Date.now(), healedMs: 0, recoveredMs: undefined };
      for (const f of step.faults) {
        kinds.add(f.kind);
        active.push(f);
        const note = await injectFault(env, f);
        if (note !== undefined) notes.push(`step ${index + 1} ${f.kind}: ${note}`);
      }
      // With the server itself down there is nothing to probe during the hold: probe it as soon as
      // it is back instead, when a restart that lost its permissions would show.
      const serverDown = step.faults.some((f) => f.kind === 'broker-restart');
      const probing = serverDown ? undefined : authProbe?.().then((r) => void auth.push(...r));
      const holdUntil = window.startMs + step.holdMs;
      const pace = step.holdMs / Math.max(1, step.writes);
      // The heal is due at holdUntil whatever the writes do: a producer whose writes block on the
      // bus must not hold the fault open (its blocked writes finish after the heal, and count).
      const writing = (async () => {
        for (let k = 0; k < step.writes; k++) {
          await write(true);
          await sleep(Math.min(pace, holdUntil - Date.now()));
        }
      })();
      await sleep(holdUntil - Date.now());
      await probing;
      for (const f of healOrder(step.faults)) {
        await healFault(env, f);
        active.splice(active.indexOf(f), 1);
      }
      window.healedMs = Date.now();
      if (serverDown && authProbe) auth.push(...(await authProbe()));
      await writing;
      windows.push(window);
      watchers.push(watchRecovery(window, written.length));
    }
    await writer.waitExported(o.recoveryTimeoutMs ?? 60_000);
    await waitProjected(env, tenantId, agentId, written.length, o);
    done = true;
    await Promise.all(watchers);
    if (authProbe) auth.push(...(await authProbe()));
    const { events, final, rows, copies } = await workload.collect();
    const exits = env.projector.unexpectedExits.slice(exitsBefore);
    const outside = exits.find((e) => !windows.some((w) => duringFault(e.atMs, w)));
    if (outside !== undefined)
      throw new ChildProcessError(
        CHILD_ERROR_CODES.exited,
        `${env.projector.name} ${outside.description} outside any injected fault (the run is not judged)`,
        { logTail: env.projector.logTail() },
      );
    if (exits.length > 0)
      notes.push(
        `projector ${exits.map((e) => e.description).join('; ')} during a fault (restarted by the supervisor)`,
      );
    const checked = checkFaultRun({
      written: events,
      writeFailures: workload.failures,
      windows,
      snapshots,
      final,
      rows,
      streamCopies: copies,
      faultsInjected: scheduleFaults(schedule),
      projectorKills: schedule.steps.reduce(
        (n, s) => n + (s.op === 'fault' ? s.faults.filter((f) => f.kind === 'projector-kill').length : 0),
        0,
      ),
      projectorUnexpectedExits: exits.length,
      kinds,
      auth,
      localWriteBoundMs: o.localWriteBoundMs ?? 50,
      duplicateRateMax: o.duplicateRateMax ?? CONTRACT.slo.duplicate_projection_rate.max,
      durationMs: Date.now() - started,
    });
    return { schedule, tenantId, agentId, ok: checked.violations.length === 0, ...checked, notes };
  } finally {
    done = true;
    // A step that failed half-way must not leave a fault behind for the next run.
    for (const f of healOrder(active)) await healFault(env, f).catch(() => undefined);
    await workload.stop();
    // A schedule that ended with the projector down would poison the next run.
    if (env.projector.pid === undefined) env.projector.start();
  }
}

// A projector that exits while PostgreSQL or the bus is down may fail again just after the heal.
const EXIT_GRACE_MS = 10_000;

function duringFault(atMs: number, w: FaultWindow): boolean {
  return atMs >= w.startMs && atMs <= (w.recoveredMs ?? w.healedMs) + EXIT_GRACE_MS;
}

/** Polls until `expected` events are recorded, or counts stop moving for giveUpMs, or the bound. */
async function waitProjected(
  env: FaultEnv,
  t: string,
  a: string,
  expected: number,
  o: FaultRunOptions,
): Promise<void> {
  const until = Date.now() + (o.recoveryTimeoutMs ?? 60_000);
  let last = -1;
  let since = Date.now();
  while (Date.now() < until) {
    const n = await projectedCount(env.pool, t, a).catch(() => last);
    if (n >= expected) return;
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since > (o.giveUpMs ?? 20_000)) return;
    await sleep(100);
  }
}
