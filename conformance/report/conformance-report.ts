import type { PropertyResult } from '../runner/run-properties.js';
import type { SloResult } from '../runner/slo.js';
import type { ClauseStatus } from './clause-status.js';
import type { TestedSide } from './run-sides.js';

/** Everything a run found; written as JSON and rendered as JUnit and HTML. */
export interface ConformanceReport {
  kit: 'continuum-kit';
  /** The version of the kit that judged (package.json). */
  kitVersion: string;
  specHash: string;
  target: string;
  /** The implementations the run tested; clauses binding only another are `not-selected`. */
  sides: TestedSide[];
  startedAt: string;
  durationMs: number;
  seed: number;
  numRuns: number;
  conformant: boolean;
  properties: PropertyResult[];
  clauses: ClauseStatus[];
  slos: SloResult[];
  throughput: { properties: number; executions: number; events: number; eventsPerSecond: number };
  /** Latency samples for the plots (ms). */
  latency: { publishMs: number[]; lagMs: number[] };
  /** Schedule files written for failures, by property. */
  scheduleFiles: Record<string, string>;
  notes: string[];
}
