import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { runProducerProperty } from '../producer/run-producer.js';
import type { ProducerRun } from '../producer/run-producer.js';
import { runBusDownStart } from '../producer/run-bus-down-start.js';
import { Redis } from 'ioredis';
import pg from 'pg';
import { CONTRACT, PROJECTION_TABLES, type ClauseId } from 'continuum-contract';
import { connectNats } from '../../harness/services/connect-nats.js';
import type { NatsConnectOptions } from '../../harness/services/connect-nats.js';
import { selectProperties } from '../properties/select.js';
import { PRODUCER_CLAUSES } from '../producer/run-producer.js';
import { clauseStatuses } from '../report/clause-status.js';
import type { ClauseInputs } from '../report/clause-status.js';
import type { ConformanceReport } from '../report/conformance-report.js';
import type { TestedSide } from '../report/run-sides.js';
import { writeReports } from '../report/write-reports.js';
import { Observer } from '../target/observer.js';
import { scrapeStaleCount } from '../target/scrape-stale.js';
import { kitVersion } from '../../harness/kit-version.js';
import { ChildProcessError, SupervisedChild } from '../../harness/child/index.js';
import { consumerPulling, ensureDurableConsumer } from '../../harness/durable-consumer.js';
import { ProjectorTarget } from '../target/projector-target.js';
import type { SettleOptions } from '../target/projector-target.js';
import type { ScheduleTarget } from '../streams/schedule-target.js';
import { EnvironmentError } from './run-properties.js';
import { exploreProperties, skippedProperty } from './explore-properties.js';
import type { Measurements, PropertyResult, ScheduleExecutor } from './run-properties.js';
import { edgeNotes } from '../arbitraries/edge-note.js';
import { staleLogCheck } from '../check/check-stale-log.js';
import { evidenceRecord } from '../core/finding.js';
import { evaluateSlos, percentile } from './slo.js';
import { killAckWaitMs } from './reference-target.js';
import type { SloThresholds } from './slo.js';

/** Everything `conformance run --target projector` needs. */
export interface ConformanceOptions {
  target: string;
  natsUrl: string;
  pgUrl: string;
  valkeyUrl: string;
  natsConnect: NatsConnectOptions;
  projectorCmd?: string;
  projectorInstances: number;
  /** Producer driver base URL: runs the producer property. */
  driverUrl?: string;
  /** Producer command template the kit starts itself: runs the bus-down start check. */
  producerCmd?: string;
  /** Skip the projector properties (--target producer). */
  producerOnly?: boolean;
  seed: number;
  numRuns: number;
  /** Schedules in flight at once. */
  concurrency?: number;
  /** No projector property starts an execution after this instant (--time-budget). */
  deadline?: number;
  path?: string;
  /** Only properties with a clause matching this. */
  clauses?: RegExp;
  properties?: string[];
  slo: SloThresholds;
  settle: SettleOptions;
  /**
   * The consumer's ack_wait on the kit's own deployment: the kill -9 runs shorten it while they
   * go (`killAckWaitMs`) and set it back to this after.
   */
  deploymentAckWaitMs?: number;
  maxShrinks: number;
  /** The projector's Prometheus endpoint: CT-4.stale's counting half is checked on it. */
  metricsUrl?: string;
  /** Stop running further properties once this many have failed (default: no limit). */
  maxFailures?: number;
  /** Explore every property to full depth even after a failure (default: stop exploring at the first). */
  keepGoing?: boolean;
  propertyTimeLimitMs: number;
  outDir: string;
  progress: (line: string) => void;
  /** Rewrites the current property's progress line. */
  status?: (line: string) => void;
  /** Recorded in every schedule file written, so `conformance replay` reruns on the same target. */
  scheduleTarget?: ScheduleTarget;
}

/** Open connections and the projector process of a run; `close()` releases all of them. */
export interface Session {
  target: ScheduleExecutor;
  js: JetStreamClient;
  db: pg.Pool;
  notes: string[];
  /** The output of the projector the kit started, with everything it printed so far (undefined: none). */
  projectorOutput?: {
    flush(): Promise<void>;
    /** A graceful restart, so a projector that buffers its output writes it out; resolves once it consumes again. */
    restart(): Promise<void>;
  };
  close(): Promise<void>;
}

/** Connects to the deployment and, with --projector-cmd, starts the projector under test. */
export async function openSession(o: ConformanceOptions): Promise<Session> {
  let nc;
  try {
    nc = await connectNats(o.natsUrl, { ...o.natsConnect, name: 'continuum-kit conformance' });
  } catch (error) {
    throw new EnvironmentError(`cannot connect to NATS at ${o.natsUrl}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = new pg.Pool({ connectionString: o.pgUrl, max: 4 });
  // An idle client's connection can end with the services at shutdown; that is not a finding.
  db.on('error', () => undefined);
  const redis = new Redis(o.valkeyUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined); // connection errors surface on the commands that hit them
  const notes: string[] = [];
  try {
    await db.query(`SELECT 1 FROM ${PROJECTION_TABLES.projection} LIMIT 0`);
    await redis.connect();
    await (await jetstreamManager(nc)).streams.info(CONTRACT.streams.episodes.name);
  } catch (error) {
    await Promise.allSettled([nc.close(), db.end(), redis.quit()]);
    throw new EnvironmentError(
      `deployment not ready (run \`continuum-kit provision\` first?): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const jsm = await jetstreamManager(nc);
  const consuming = (): Promise<boolean> => consumerPulling(jsm);
  let projector: SupervisedChild | undefined;
  if (o.projectorCmd !== undefined) {
    await mkdir(o.outDir, { recursive: true });
    projector = new SupervisedChild({
      name: o.target === 'reference' ? 'reference projector' : 'projector under test',
      command: o.projectorCmd,
      instances: o.projectorInstances,
      env: { ...process.env, NATS_URL: o.natsUrl, DATABASE_URL: o.pgUrl, VALKEY_URL: o.valkeyUrl },
      logFile: path.join(o.outDir, 'projector.log'),
    });
    projector.start();
  }
  const what = `pull from the contract's durable consumer '${CONTRACT.consumer.durable_name}' on stream ${CONTRACT.streams.episodes.name}`;
  // Preflight: with nothing consuming, every property would "lose" every event.
  try {
    if (projector !== undefined) await projector.waitReady(consuming, PROJECTOR_READY_MS, what);
    else if (o.producerOnly !== true && !(await waitFor(consuming, PREFLIGHT_MS)))
      throw new EnvironmentError(
        `preflight: nothing is consuming: no process ${what.replace('pull', 'pulls')} within ${PREFLIGHT_MS / 1000} s; start your projector against this deployment, or let the kit start it with --projector-cmd`,
      );
  } catch (error) {
    await projector?.close();
    await Promise.allSettled([nc.close(), db.end(), redis.quit()]);
    throw asEnvironmentError(error);
  }
  const target = guardedTarget(
    new ProjectorTarget(jetstream(nc), new Observer(db, jetstream(nc), redis), o.settle, projector),
    projector,
  );
  const running = projector;
  return {
    target,
    js: jetstream(nc),
    db,
    notes,
    ...(running === undefined
      ? {}
      : {
          projectorOutput: {
            flush: () => running.flushLog(),
            async restart() {
              await running.restart();
              await running.waitReady(consuming, PROJECTOR_READY_MS, what).catch((error: unknown) => {
                throw asEnvironmentError(error);
              });
            },
          },
        }),
    async close() {
      await projector?.close();
      await Promise.allSettled([nc.close(), db.end(), redis.quit()]);
    },
  };
}

const PROJECTOR_READY_MS = 30_000;
const PREFLIGHT_MS = 10_000;

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** CT-4.stale's log half, judged on the output of the projector the kit started and stopped. */
async function checkStaleLogOf(
  logFile: string,
  stale: ReadonlyMap<string, string>,
  seed: number,
): Promise<PropertyResult> {
  const started = Date.now();
  let log: string;
  try {
    log = await readFile(logFile, 'utf8');
  } catch (error) {
    throw new EnvironmentError(`cannot read the projector's output ${logFile}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const outcome = staleLogCheck.run({ log, stale });
  const failed = outcome.findings.length > 0;
  return {
    name: staleLogCheck.name,
    title: "Every event recorded as stale is named in the projector's log",
    clauses: [...staleLogCheck.clauses],
    status: failed ? 'failed' : 'passed',
    runs: 1,
    executions: 0,
    events: 0,
    durationMs: Date.now() - started,
    seed,
    violations: outcome.findings,
    evidence: evidenceRecord(outcome.evidence),
    ...(failed ? { failures: { 'CT-4.stale': 1 } } : {}),
  };
}

/** A child's failure as the runner's environment error, with the tail of the child's log. */
export function asEnvironmentError(error: unknown): EnvironmentError {
  if (error instanceof EnvironmentError) return error;
  if (error instanceof ChildProcessError) {
    const tail =
      error.logTail.length === 0
        ? ' (it printed nothing)'
        : `; its last lines:\n  ${error.logTail.join('\n  ')}`;
    return new EnvironmentError(`${error.message}${tail}`, { cause: error });
  }
  return new EnvironmentError(error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * The target, refusing to judge an execution during which the projector the kit started exited
 * on its own: that is an environment error (nothing judged), not a lost event.
 */
function guardedTarget(target: ProjectorTarget, projector: SupervisedChild | undefined): ScheduleExecutor {
  const check = (): void => {
    const failure = projector?.failure();
    if (failure !== undefined) throw asEnvironmentError(failure);
  };
  return {
    canCrash: target.canCrash,
    stalled: (quietMs) => target.stalled(quietMs),
    async execute(schedule, token, tenants, episodeIds) {
      check();
      const exec = await target.execute(schedule, token, tenants, episodeIds);
      check();
      return exec;
    },
  };
}

/** Runs every selected projector property and writes the reports. */
export async function runConformance(o: ConformanceOptions): Promise<ConformanceReport> {
  const started = Date.now();
  const selection = selectProperties({
    ...(o.properties === undefined ? {} : { properties: o.properties }),
    ...(o.clauses === undefined ? {} : { clauses: o.clauses }),
    producerClauses: PRODUCER_CLAUSES,
    producerAvailable: o.driverUrl !== undefined,
    producerOnly: o.producerOnly === true,
  });
  const session = await openSession(o);
  const m: Measurements = {
    publishMs: [],
    lagMs: [],
    reapplied: 0,
    applied: 0,
    keysSeen: 0,
    events: 0,
    edges: new Map(),
    staleEvents: new Map(),
  };
  const results: PropertyResult[] = [];
  const notes = session.notes;
  const singleConsumer = o.projectorCmd !== undefined && o.projectorInstances === 1;
  const metricsUrl = o.metricsUrl;
  const executor: ScheduleExecutor = {
    canCrash: session.target.canCrash,
    singleConsumer,
    ...(session.target.stalled === undefined ? {} : { stalled: session.target.stalled }),
    execute: (...args) => session.target.execute(...args),
    ...(metricsUrl === undefined
      ? {}
      : {
          staleCount: async () => {
            const n = await scrapeStaleCount(metricsUrl);
            if (n === undefined) throw new EnvironmentError(`cannot read --metrics-url ${metricsUrl}`);
            return n;
          },
        }),
  };
  const maxFailures = o.maxFailures ?? Number.POSITIVE_INFINITY;
  const failedCount = (): number => results.filter((r) => r.status === 'failed').length;
  let producer: ProducerRun | undefined;
  const logFile = path.join(o.outDir, 'projector.log');
  const staleLog = { judged: 0, failed: false };
  // Before a kill -9 the log must name every stale event seen so far: what a projector buffers is
  // lost to the kill. Judged there, CT-4.stale's log half also fails a broken projector early.
  const judgeStaleLogBeforeKills = async (): Promise<PropertyResult | undefined> => {
    const output = session.projectorOutput;
    const stale = m.staleEvents;
    if (output === undefined || stale === undefined || staleLog.failed || stale.size === staleLog.judged)
      return undefined;
    await output.flush();
    let judged = await checkStaleLogOf(logFile, stale, o.seed);
    if (judged.status === 'failed') {
      await output.restart();
      judged = await checkStaleLogOf(logFile, stale, o.seed);
    }
    staleLog.judged = stale.size;
    if (judged.status === 'passed') return undefined;
    staleLog.failed = true;
    return judged;
  };
  // Kill -9 runs wait for redelivery after each kill: on the kit's own deployment they run with a
  // short ack_wait, and the concurrent properties with the deployment's.
  let killAckWait: number | undefined;
  const setAckWait = async (ackWaitMs: number): Promise<void> =>
    ensureDurableConsumer(await session.js.jetstreamManager(), { ackWaitMs });
  const beforeKills = async (): Promise<PropertyResult | undefined> => {
    if (o.deploymentAckWaitMs !== undefined) {
      const lagP95 = percentile(m.lagMs, 95);
      const first = killAckWait === undefined;
      killAckWait ??= killAckWaitMs(lagP95);
      await setAckWait(killAckWait);
      if (first)
        notes.push(
          `deployment: consumer ack_wait ${killAckWait} ms during the kill -9 runs (projection lag p95 before them ${lagP95 === undefined ? 'unknown' : `${lagP95.toFixed(0)} ms`}), ${o.deploymentAckWaitMs} ms otherwise`,
        );
    }
    return judgeStaleLogBeforeKills();
  };
  const afterKills = async (): Promise<void> => {
    if (o.deploymentAckWaitMs !== undefined && killAckWait !== undefined)
      await setAckWait(o.deploymentAckWaitMs);
  };
  try {
    results.push(
      ...(await exploreProperties(
        executor,
        selection.projector,
        { ...o, beforeKills, afterKills, stallMs: o.settle.giveUpMs },
        m,
      )),
    );
    if (selection.producer && o.driverUrl !== undefined) {
      if (failedCount() >= maxFailures) {
        results.push(
          skippedProperty(
            {
              name: 'producer',
              title: 'the producer through the driver protocol',
              clauses: PRODUCER_CLAUSES,
            },
            o.seed,
            `not run: --max-failures ${maxFailures} reached`,
          ),
        );
      } else {
        o.progress('property producer: through the driver protocol');
        producer = await runProducerProperty(o.driverUrl, session.js, session.db, o);
        o.progress(
          `property producer: ${producer.result.status} in ${(producer.result.durationMs / 1000).toFixed(1)} s`,
        );
        results.push(producer.result);
        m.events += producer.result.events;
      }
    }
    if (o.producerCmd !== undefined && (o.clauses === undefined || o.clauses.test('CT-6.local-writes'))) {
      const jsm = await session.js.jetstreamManager();
      results.push(await runBusDownStart({ ...o, producerCmd: o.producerCmd, jsm }));
    }
  } finally {
    await session.close();
  }
  // The projector's output is complete only once it has exited.
  if (
    o.projectorCmd !== undefined &&
    m.staleEvents !== undefined &&
    m.staleEvents.size > 0 &&
    !staleLog.failed &&
    failedCount() < maxFailures
  )
    results.push(await checkStaleLogOf(logFile, m.staleEvents, o.seed));
  const unshrunk = results.filter((r) => r.notShrunk !== undefined);
  if (unshrunk.length > 0)
    notes.push(
      `failures reported as found, unshrunk: ${unshrunk.map((r) => `${r.name} (${r.notShrunk ?? ''})`).join('; ')}`,
    );
  const shallow = results.filter((r) => r.reason?.startsWith('explored ') === true);
  if (shallow.length > 0)
    notes.push(
      `exploration stopped at the first failure: ${shallow.map((r) => `${r.name} ran ${r.runs}`).join(', ')} runs; clauses they credit rest on those runs only (--keep-going explores every property to full depth)`,
    );
  const unobservable = new Map<ClauseId, string>([
    [
      'CT-4.stale',
      `judged on the events table's recorded outcomes${singleConsumer ? '' : ' (order-free part only: the kit did not start exactly one projector instance, so it cannot know the projection order)'}; ${metricsUrl === undefined ? 'the metric half was not observable (no --metrics-url)' : `the metric half on ${metricsUrl}`}; ${o.projectorCmd === undefined ? 'the log half is not observable (the kit did not start the projector, so it cannot read its output)' : "the log half on the output of the projector the kit started (every stale event's event_id named in a line)"}`,
    ],
  ]);
  return finish(o, started, results, m, notes, producer, {
    notSelected: selection.notSelected,
    unobservable,
  });
}

export async function finish(
  o: ConformanceOptions,
  started: number,
  results: PropertyResult[],
  m: Measurements,
  notes: string[],
  producer?: ProducerRun,
  extra: Pick<ClauseInputs, 'notSelected' | 'unobservable'> = {},
): Promise<ConformanceReport> {
  const sides: TestedSide[] = [
    ...(o.producerOnly === true ? [] : ['projector' as const]),
    ...(o.driverUrl !== undefined || o.producerCmd !== undefined ? ['producer' as const] : []),
  ];
  const producerPublish = producer?.publish;
  const slos = evaluateSlos(m, o.slo, producerPublish);
  const producerClauses =
    producer?.clauses ?? new Map<string, { status: 'passed' | 'failed' | 'not-tested'; note: string }>();
  if (producer?.localWriteRatio !== undefined) {
    producerClauses.set('CT-9.local-write-p99', {
      status: 'not-tested',
      note: `local write p99 bus down / bus up measured ${producer.localWriteRatio.toFixed(2)} over this run's few writes; judged by the producer benchmark, not here`,
    });
  }
  if (producerPublish !== undefined) {
    notes.push(
      `publish p99 is the producer's own publish-to-ack p99 from the driver's GET /status (${producerPublish.p99Ms.toFixed(1)} ms over ${producerPublish.count} publishes; the kit's own event-loop lag p99 meanwhile ${producerPublish.kitLagP99Ms.toFixed(1)} ms)`,
    );
  }
  if (m.edges !== undefined && m.events > 0) notes.push(...edgeNotes(m.edges));
  const clauses = clauseStatuses({ sides, properties: results, slos, producer: producerClauses, ...extra });
  const durationMs = Date.now() - started;
  const report: ConformanceReport = {
    kit: 'continuum-kit',
    kitVersion: kitVersion(),
    specHash: CONTRACT.specHash,
    target: o.target,
    sides,
    startedAt: new Date(started).toISOString(),
    durationMs,
    seed: o.seed,
    numRuns: o.numRuns,
    conformant: results.every((r) => r.status !== 'failed') && slos.every((s) => s.status !== 'failed'),
    properties: results,
    clauses,
    slos,
    throughput: {
      properties: results.filter((r) => r.status !== 'skipped').length,
      executions: results.reduce((n, r) => n + r.executions, 0),
      events: m.events,
      eventsPerSecond: m.events / Math.max(0.001, durationMs / 1000),
    },
    latency: { publishMs: m.publishMs, lagMs: m.lagMs },
    scheduleFiles: {},
    notes,
  };
  if (o.scheduleTarget !== undefined)
    for (const p of results) if (p.counterexample !== undefined) p.counterexample.target = o.scheduleTarget;
  await writeReports(report, o.outDir);
  return report;
}
