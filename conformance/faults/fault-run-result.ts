import type { Violation } from '../check/violation.js';
import type { FaultSchedule } from './fault-schedule.js';

/** Local write latency under fault vs without (CT-6.local-writes). */
export interface LocalWriteFigures {
  baselineP99Ms: number | undefined;
  faultP99Ms: number | undefined;
  /** faultP99 / baselineP99: reported, not judged (machine noise); the bound is absolute. */
  ratio: number | undefined;
  maxMs: number;
  boundMs: number;
  failures: number;
}

/** The figures a fault run reports (issue 6). */
export interface FaultRunFigures {
  faultsInjected: number;
  episodesWritten: number;
  eventsProjected: number;
  /** Written locally, never projected after recovery: must be 0. */
  lost: number;
  /** Of the lost, how many never reached the stream (an export failure). */
  lostBeforeStream: number;
  /** Events projected again after their first projection (their record rewritten). */
  duplicatesProjected: number;
  /** Extra copies of an event stored on the stream (msg-id dedup missed them). */
  duplicatesOnStream: number;
  duplicateRate: number;
  /** Worst source-to-projection lag of events written while a fault was active or not yet recovered. */
  worstLagDuringMs: number | undefined;
  /** Worst lag of events written with no fault active and the backlog caught up. */
  worstLagAfterRecoveryMs: number | undefined;
  /** Per fault step: heal to "everything written so far is projected", ms (undefined: not within the bound). */
  recoveryMs: (number | undefined)[];
  localWrite: LocalWriteFigures;
  projectorKills: number;
  /** Projector exits the executor did not cause (e.g. a start while PostgreSQL was down); restarted. */
  projectorUnexpectedExits: number;
  /** Auth probes run during the run (secure mode), and how many found auth open. */
  authProbes: number;
  authFailures: number;
  durationMs: number;
}

/** One clause's verdict in a fault run. */
export interface FaultClauseVerdict {
  clauseId: string;
  status: 'passed' | 'failed' | 'not-tested';
  note: string;
}

/** Everything one execution of a fault schedule showed. */
export interface FaultRunResult {
  schedule: FaultSchedule;
  tenantId: string;
  agentId: string;
  ok: boolean;
  violations: Violation[];
  clauses: FaultClauseVerdict[];
  figures: FaultRunFigures;
  /** What happened at each step (injection notes, e.g. whether a kill landed mid-batch). */
  notes: string[];
}
