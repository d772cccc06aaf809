import type { JetStreamManager } from '@nats-io/jetstream';
import type { ClauseId } from 'continuum-contract';
import type { PropertyResult } from '../runner/run-properties.js';
import { checkStartWithBusDown } from './check-start-bus-down.js';
import { commandLauncher } from './producer-launcher.js';

/** The check's name in reports. */
export const BUS_DOWN_START = 'producer-bus-down-start';
export const BUS_DOWN_START_CLAUSES: ClauseId[] = ['CT-6.local-writes', 'CT-6.export-retry'];

/**
 * Runs the bus-down start check (check-start-bus-down.ts) on the producer command template
 * `--producer-cmd` and reports it like a property: one execution, its violations, its evidence.
 */
export async function runBusDownStart(o: {
  producerCmd: string;
  natsUrl: string;
  jsm: JetStreamManager;
  seed: number;
  progress: (line: string) => void;
}): Promise<PropertyResult> {
  const started = Date.now();
  o.progress(`property ${BUS_DOWN_START}: the producer started with the bus down`);
  const r = await checkStartWithBusDown({
    launch: commandLauncher(o.producerCmd),
    natsUrl: o.natsUrl,
    jsm: o.jsm,
  });
  const failed = r.violations.length > 0;
  o.progress(`property ${BUS_DOWN_START}: ${failed ? 'failed' : 'passed'}`);
  return {
    name: BUS_DOWN_START,
    title: 'The producer starts with the bus down, accepts local writes and exports them when it returns',
    clauses: BUS_DOWN_START_CLAUSES,
    status: failed ? 'failed' : 'passed',
    ...(failed ? {} : { reason: r.evidence }),
    runs: 1,
    executions: 1,
    events: 0,
    durationMs: Date.now() - started,
    seed: o.seed,
    violations: r.violations,
    // One execution that saw the bus-down start: its clauses' evidence when it found nothing.
    ...(failed
      ? { failures: Object.fromEntries(r.violations.map((v) => [v.clauseId, 1])) }
      : { evidence: Object.fromEntries(BUS_DOWN_START_CLAUSES.map((c) => [c, 1])) }),
  };
}
