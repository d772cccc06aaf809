/**
 * Fault schedules: local episode writes interleaved with infrastructure faults. Every step is
 * plain JSON, so the schedule that ran is saved as a file and replayed exactly
 * (`runFaultSchedule(env, readFaultScheduleFile(f).schedule)`).
 */

/** One fault. Several in one step are injected together and healed together. */
export type Fault =
  /** nats-server stopped (SIGTERM) or crashed (SIGKILL), started again on heal, same store. */
  | { kind: 'broker-restart'; signal: 'SIGTERM' | 'SIGKILL' }
  /** One node of the 3-node cluster killed (SIGKILL) and restarted on heal (stream replicas 3). */
  | { kind: 'cluster-node-kill'; node: number }
  /** Every client session terminated (pg_terminate_backend); nothing to heal. */
  | { kind: 'pg-kill-connections' }
  /** PostgreSQL shut down (fast) and started again on heal. */
  | { kind: 'pg-restart' }
  /** Valkey stopped and started again (empty) on heal. */
  | { kind: 'valkey-down' }
  /** The projector SIGKILLed mid-batch (while it has a transaction open) and restarted on heal. */
  | { kind: 'projector-kill' }
  /** Every byte through the bus proxy delayed by `ms`, each way, until heal. */
  | { kind: 'latency'; ms: number }
  /** The bus proxy drops every connection and refuses new ones until heal. */
  | { kind: 'bus-partition' };

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'broker-restart',
  'cluster-node-kill',
  'pg-kill-connections',
  'pg-restart',
  'valkey-down',
  'projector-kill',
  'latency',
  'bus-partition',
];

/** One step of a fault schedule. */
export type FaultStep =
  /** `count` local writes at the steady pace, no fault. */
  | { op: 'write'; count: number }
  /** Inject `faults`, make `writes` local writes spread over `holdMs`, heal. */
  | { op: 'fault'; faults: Fault[]; holdMs: number; writes: number };

export interface FaultSchedule {
  steps: FaultStep[];
}

/** What a failing or replayed fault run saves. */
export interface FaultScheduleFile {
  kind: 'continuum-kit.fault-schedule';
  version: 1;
  seed?: number;
  path?: string;
  schedule: FaultSchedule;
  violations?: { clauseId: string; message: string }[];
}

/** Total local writes a schedule makes. */
export function scheduleWrites(schedule: FaultSchedule): number {
  return schedule.steps.reduce((n, s) => n + (s.op === 'write' ? s.count : s.writes), 0);
}

/** Number of faults a schedule injects. */
export function scheduleFaults(schedule: FaultSchedule): number {
  return schedule.steps.reduce((n, s) => n + (s.op === 'fault' ? s.faults.length : 0), 0);
}

/** One-line description of a step, for progress lines and reports. */
export function describeStep(step: FaultStep): string {
  if (step.op === 'write') return `write ${step.count}`;
  const faults = step.faults
    .map((f) => {
      if (f.kind === 'broker-restart') return `${f.kind}(${f.signal})`;
      if (f.kind === 'cluster-node-kill') return `${f.kind}(n${f.node})`;
      if (f.kind === 'latency') return `${f.kind}(${f.ms} ms)`;
      return f.kind;
    })
    .join('+');
  return `${faults} for ${step.holdMs} ms with ${step.writes} writes`;
}
