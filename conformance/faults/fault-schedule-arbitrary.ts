import fc from 'fast-check';
import type { Fault, FaultKind, FaultSchedule, FaultStep } from './fault-schedule.js';

/** Bounds of generated schedules; tests keep them small, CI runs may raise them. */
export interface FaultScheduleBounds {
  /** The faults the environment can inject (see FaultEnv.capabilities). */
  faults: readonly FaultKind[];
  maxSteps?: number;
  maxWritesPerStep?: number;
  minHoldMs?: number;
  maxHoldMs?: number;
  /** Faults injected together in one step, at most; default 2. */
  maxFaultsPerStep?: number;
  /** Nodes of the cluster (for cluster-node-kill); default 3. */
  clusterNodes?: number;
}

/** An arbitrary fault of one of `kinds`; parameters shrink towards the mildest. */
export function faultArbitrary(kinds: readonly FaultKind[], clusterNodes = 3): fc.Arbitrary<Fault> {
  const byKind: Record<FaultKind, fc.Arbitrary<Fault>> = {
    'broker-restart': fc
      .constantFrom('SIGTERM' as const, 'SIGKILL' as const)
      .map((signal) => ({ kind: 'broker-restart' as const, signal })),
    'cluster-node-kill': fc
      .integer({ min: 0, max: clusterNodes - 1 })
      .map((node) => ({ kind: 'cluster-node-kill' as const, node })),
    'pg-kill-connections': fc.constant({ kind: 'pg-kill-connections' as const }),
    'pg-restart': fc.constant({ kind: 'pg-restart' as const }),
    'valkey-down': fc.constant({ kind: 'valkey-down' as const }),
    'projector-kill': fc.constant({ kind: 'projector-kill' as const }),
    latency: fc.integer({ min: 5, max: 150 }).map((ms) => ({ kind: 'latency' as const, ms })),
    'bus-partition': fc.constant({ kind: 'bus-partition' as const }),
  };
  if (kinds.length === 0) throw new RangeError('faultArbitrary needs at least one fault kind');
  return fc.oneof(...kinds.map((k) => byKind[k]));
}

/**
 * Fault schedules that shrink like any other counterexample: fewer steps, fewer faults per
 * step, fewer writes, shorter holds. Every schedule injects at least one fault.
 */
export function faultScheduleArbitrary(bounds: FaultScheduleBounds): fc.Arbitrary<FaultSchedule> {
  const maxWrites = bounds.maxWritesPerStep ?? 60;
  const fault = faultArbitrary(bounds.faults, bounds.clusterNodes);
  const faultStep: fc.Arbitrary<FaultStep> = fc.record({
    op: fc.constant('fault' as const),
    faults: fc.uniqueArray(fault, {
      minLength: 1,
      maxLength: bounds.maxFaultsPerStep ?? 2,
      selector: (f) => f.kind,
    }),
    holdMs: fc.integer({ min: bounds.minHoldMs ?? 300, max: bounds.maxHoldMs ?? 2500 }),
    writes: fc.integer({ min: 1, max: maxWrites }),
  });
  const writeStep: fc.Arbitrary<FaultStep> = fc.record({
    op: fc.constant('write' as const),
    count: fc.integer({ min: 1, max: maxWrites }),
  });
  return fc
    .tuple(
      faultStep,
      fc.array(fc.oneof(faultStep, writeStep), { maxLength: Math.max(0, (bounds.maxSteps ?? 5) - 1) }),
    )
    .map(([first, rest]) => ({ steps: [{ op: 'write' as const, count: 5 }, first, ...rest] }));
}

/** The one fault of `kind` that a coverage schedule injects: the harsher variant where there is one. */
function coverageFault(kind: FaultKind): Fault {
  switch (kind) {
    case 'broker-restart':
      return { kind, signal: 'SIGKILL' };
    case 'cluster-node-kill':
      return { kind, node: 0 };
    case 'latency':
      return { kind, ms: 100 };
    default:
      return { kind };
  }
}

/**
 * A schedule that injects every kind in `kinds` once, one step each, so that every fault kind of
 * an environment is exercised in every run set whatever the seed (the fault property runs it
 * first, as an explicit example of the budgeted runner).
 */
export function coverageSchedule(kinds: readonly FaultKind[], holdMs = 1000, writes = 10): FaultSchedule {
  return {
    steps: [
      { op: 'write', count: 5 },
      ...kinds.map((kind): FaultStep => ({ op: 'fault', faults: [coverageFault(kind)], holdMs, writes })),
    ],
  };
}
