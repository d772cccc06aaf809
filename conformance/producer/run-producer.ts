import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { isClauseId, type ClauseId } from 'continuum-contract';
import { freshBinding, AGENTS, TENANTS } from '../streams/bind-schedule.js';
import type { PropertyResult, RunOptions } from '../runner/run-properties.js';
import type { PublishLatency } from '../runner/slo.js';
import { EnvironmentError, asEnvironmentError } from '../core/environment-error.js';
import { evidenceRecord } from '../core/finding.js';
import type { Evidence } from '../core/finding.js';
import { runBudgetedProperty } from '../core/run-budgeted-property.js';
import type { ClauseVerdict } from '../core/verdict.js';
import { DriverClient } from './driver-client.js';
import { watchEventLoopLag } from './event-loop-lag.js';
import { executeProducer } from './producer-execution.js';
import { COVERAGE_OPS, producerOps } from './producer-ops.js';
import { projectorPresent } from './projection-snapshot.js';
import type { ProducerOp } from './producer-ops.js';

export const PRODUCER_CLAUSES: ClauseId[] = [
  'CT-7.audit',
  'CT-3.topic',
  'CT-3.msg-id',
  'CT-3.export-policy',
  'CT-6.local-writes',
  'CT-6.fail-open',
  'CT-6.export-retry',
  'CT-6.fail-closed',
  'CT-7.redaction',
  'CT-8.dry-run',
  'CT-8.backfill-params',
  'CT-8.replay-idempotent',
  'CT-8.replay-source',
];

/** Clauses judged on the messages the producer published. */
const BUS_CHECKED: string[] = ['CT-3.topic', 'CT-3.msg-id', 'CT-7.redaction'];

const NOTES: Record<string, string> = {
  'CT-6.fail-open':
    'same checks as CT-6.local-writes and CT-6.export-retry: with the bus taken away (POST /bus/disconnect) every local write succeeded and each reached the bus once it returned. The analytics export is the only path that fails open; auth and policy fail closed (CT-6.fail-closed)',
  'CT-8.replay-source':
    'backfills republished exactly the change-log entries in range, as first exported, under the same event ids (seen on core NATS, inside the duplicate window too)',
};

/** The producer property's result, per-clause verdicts, and the driver's latency figures. */
export interface ProducerRun {
  result: PropertyResult;
  clauses: Map<string, ClauseVerdict>;
  /** The producer's publish-to-ack latency (driver GET /status), with the kit's lag meanwhile. */
  publish?: PublishLatency;
  localWriteRatio?: number;
}

/** Runs the producer property through the driver: seeded, no retries, bounded shrinking. */
export async function runProducerProperty(
  driverUrl: string,
  js: JetStreamClient,
  db: pg.Pool | undefined,
  options: RunOptions,
): Promise<ProducerRun> {
  const driver = new DriverClient(driverUrl);
  if (!(await driver.ready(30_000)))
    throw new EnvironmentError(`producer driver at ${driverUrl} did not answer GET /health within 30 s`);
  // With a projector consuming (--target reference), replay idempotence is judged on its rows.
  const projectorDb = db !== undefined && (await projectorPresent(js, 2000)) ? db : undefined;
  await driver.call('POST', '/status/reset-latency');
  const kitLag = watchEventLoopLag();
  let kitLagP99Ms = 0;
  const started = Date.now();
  const result: PropertyResult = {
    name: 'producer',
    title:
      'Published events validate, carry the spec msg id, no body, policy holds, nothing lost across outages, backfill filters exactly',
    clauses: PRODUCER_CLAUSES,
    status: 'passed',
    runs: 0,
    executions: 0,
    events: 0,
    durationMs: 0,
    seed: options.seed,
    violations: [],
  };
  let shrinking = false;
  let lastLine = 0;
  const budget = await runBudgetedProperty(
    producerOps(),
    async (ops: ProducerOp[], phase) => {
      shrinking = phase === 'shrink';
      const binding = freshBinding();
      const tenant = binding.ids[TENANTS[0]] as string;
      const agents = AGENTS.map((a) => binding.ids[a] as string);
      const t0 = Date.now();
      const verdict = await executeProducer(driver, js, db, tenant, agents, ops, projectorDb);
      result.executions++;
      result.events += verdict.messages;
      if (verdict.violations.length > 0 || Date.now() - lastLine >= 1000) {
        lastLine = Date.now();
        (options.status ?? options.progress)(
          `[producer] ${shrinking ? 'shrink' : 'run'} ${result.executions}: ${ops.length} ops, ${verdict.messages} events, ${Date.now() - t0} ms, ${verdict.violations.length === 0 ? 'ok' : `FAIL ${verdict.violations[0]?.clauseId}`}`,
        );
      }
      const evidence: Evidence = new Map();
      for (const c of verdict.exercised) {
        // The bus checks saw nothing when nothing reached the bus.
        if (verdict.messages === 0 && BUS_CHECKED.includes(c)) continue;
        if (isClauseId(c)) evidence.set(c, 1);
      }
      return { findings: verdict.violations, evidence, record: { ops, tenant } };
    },
    {
      seed: options.seed,
      numRuns: options.numRuns,
      ...(options.path === undefined ? {} : { path: options.path }),
      maxShrinks: options.maxShrinks,
      timeLimitMs: options.propertyTimeLimitMs,
    },
    [[...COVERAGE_OPS]],
  )
    .catch((error: unknown) => {
      throw asEnvironmentError(error, 'the producer property could not run');
    })
    .finally(() => (kitLagP99Ms = kitLag()));
  result.runs = budget.runs;
  result.durationMs = Date.now() - started;
  result.evidence = evidenceRecord(budget.evidence);
  result.failures = evidenceRecord(budget.failures);
  const found = budget.counterexample;
  if (found !== undefined) {
    result.status = 'failed';
    result.violations = [...found.outcome.findings];
    if (found.path !== undefined) result.path = found.path;
    result.reason = `shrunk driver operations: ${JSON.stringify(found.value)}`;
  }
  const failedClauses = new Set(budget.failures.keys());
  const exercised = budget.evidence;
  const clauses = new Map<string, ClauseVerdict>();
  for (const c of PRODUCER_CLAUSES) {
    const failed = failedClauses.has(c);
    clauses.set(
      c,
      failed
        ? { status: 'failed', note: `violated in ${budget.failures.get(c)} of ${budget.runs} producer runs` }
        : exercised.has(c)
          ? {
              status: 'passed',
              evidence: exercised.get(c) ?? 0,
              note: `producer: exercised in ${exercised.get(c)} of ${result.runs} runs through the driver without a finding${NOTES[c] === undefined ? '' : `: ${NOTES[c]}`}${c === 'CT-8.replay-idempotent' ? (projectorDb === undefined ? '; judged on the stream only (no projector consumed this deployment)' : "; judged on the stream and on the projector's rows, the replay delivered again past the duplicate window") : ''}`,
            }
          : {
              status: 'not-tested',
              note:
                failedClauses.size > 0
                  ? 'no producer run exercised it without a finding on another clause'
                  : 'no run of the producer property exercised it',
            },
    );
  }
  if (exercised.has('CT-3.export-policy') && !failedClauses.has('CT-3.export-policy'))
    clauses.set('CT-6.fail-closed', {
      status: 'passed',
      evidence: exercised.get('CT-3.export-policy') ?? 0,
      note: 'sensitive episodes without allow_sensitive were never published',
    });
  const status = (
    await driver.call<{
      publish_ack?: { p50_us: number; p99_us: number; count: number };
      local_write?: {
        bus_up: { p99_us: number; count: number };
        bus_down: { p99_us: number; count: number };
      };
    }>('GET', '/status')
  ).body;
  const out: ProducerRun = { result, clauses };
  if (status.publish_ack !== undefined && status.publish_ack.count > 0)
    out.publish = {
      count: status.publish_ack.count,
      p50Ms: status.publish_ack.p50_us / 1000,
      p99Ms: status.publish_ack.p99_us / 1000,
      kitLagP99Ms,
    };
  const lw = status.local_write;
  if (lw !== undefined && lw.bus_up.count > 0 && lw.bus_down.count > 0)
    out.localWriteRatio = lw.bus_down.p99_us / Math.max(1, lw.bus_up.p99_us);
  return out;
}
