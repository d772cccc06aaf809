import { ServiceError } from '../../harness/services/index.js';
import { ChildProcessError } from '../../harness/child/index.js';
import { DEFAULT_CONCURRENCY, DEFAULT_NUM_RUNS } from '../../conformance/runner/defaults.js';
import { DEFAULT_SETTLE } from '../../conformance/target/projector-target.js';
import { asEnvironmentError, runConformance } from '../../conformance/runner/run-conformance.js';
import { commandLauncher, referenceProducerTemplate } from '../../conformance/producer/producer-launcher.js';
import type { LaunchedProducer } from '../../conformance/producer/producer-launcher.js';
import type { ConformanceOptions } from '../../conformance/runner/run-conformance.js';
import { addFaultsToReport } from '../../conformance/runner/add-faults-to-report.js';
import { writeErrorReports } from './error-report.js';
import { EXIT } from '../exit-codes.js';
import { resolveDeployment, type Deployment } from '../../conformance/runner/resolve-deployment.js';
import { EnvironmentError } from '../../conformance/runner/run-properties.js';
import { CONTRACT_SLO } from '../../conformance/runner/slo.js';
import { formatSummary } from '../../conformance/report/format-summary.js';
import type { NatsConnectOptions } from '../../harness/services/index.js';

/** Parsed flags of `conformance run` / `replay` (commander camelCase). */
export interface RunFlags {
  target?: 'projector' | 'producer' | 'reference';
  nats?: string;
  pg?: string;
  valkey?: string;
  natsConnect: NatsConnectOptions;
  projectorCmd?: string;
  projectorInstances?: number;
  driver?: string;
  /** Producer command template ({nats_url}, {driver_port}, {db}): the kit starts it itself. */
  producerCmd?: string;
  seed?: number;
  numRuns?: number;
  concurrency?: number;
  timeBudget?: number;
  path?: string;
  property?: string;
  clauses?: string;
  sloPublishP99Ms?: number;
  sloLagP95Ms?: number;
  sloDuplicateRate?: number;
  maxShrinks?: number;
  maxFailures?: number;
  keepGoing?: boolean;
  metricsUrl?: string;
  propertyTimeLimitS?: number;
  redeliveryWaitMs?: number;
  giveUpMs?: number;
  out?: string;
  /** Also run the fault suite (reference only). */
  faults?: boolean;
  faultRuns?: number;
  faultsSecure?: 'mtls' | 'jwt';
  soakMinutes?: number;
  localWriteBoundMs?: number;
}

let statusShown = false;
const say = (line: string): void => {
  process.stderr.write(`${statusShown ? '\n' : ''}${line}\n`);
  statusShown = false;
};
/** A progress line that rewrites itself on a terminal; elsewhere one line per update. */
const status = (line: string): void => {
  if (!process.stderr.isTTY) return say(line);
  process.stderr.write(`\r\x1b[K${line}`);
  statusShown = true;
};

/** `conformance run`: resolves services, runs, prints the summary; returns the exit code. */
export async function runConformanceCommand(flags: RunFlags): Promise<number> {
  const outDir = flags.out ?? 'reports/conformance';
  const startedAt = new Date().toISOString();
  const release = guardInternalErrors(
    { command: 'conformance run', target: flags.target, startedAt },
    outDir,
  );
  let deployment: Deployment | undefined;
  let launched: LaunchedProducer | undefined;
  try {
    if (flags.target === 'producer' && flags.driver === undefined && flags.producerCmd === undefined) {
      say('conformance run --target producer needs --driver URL or --producer-cmd CMD (driver/openapi.yaml)');
      return EXIT.usage;
    }
    if (flags.faults === true && flags.target !== 'reference') {
      say('conformance run --faults needs --target reference (the kit starts and breaks its own servers)');
      return EXIT.usage;
    }
    const kind = flags.target ?? 'projector';
    deployment = await resolveDeployment({
      kind,
      ...(flags.nats === undefined ? {} : { nats: flags.nats }),
      ...(flags.pg === undefined ? {} : { pg: flags.pg }),
      ...(flags.valkey === undefined ? {} : { valkey: flags.valkey }),
      natsConnect: flags.natsConnect,
      ...(flags.projectorCmd === undefined ? {} : { projectorCmd: flags.projectorCmd }),
      projectorInstances: flags.projectorInstances ?? 1,
      referenceProducer: kind === 'reference' && flags.driver === undefined,
    });
    const { services } = deployment;
    let driverUrl = flags.driver ?? deployment.producer?.url;
    let redeliveryWaitMs = flags.redeliveryWaitMs ?? DEFAULT_SETTLE.redeliveryWaitMs;
    if (deployment.ackWaitMs !== undefined)
      redeliveryWaitMs = Math.min(redeliveryWaitMs, deployment.ackWaitMs + 2000);
    const settle = {
      ...DEFAULT_SETTLE,
      redeliveryWaitMs,
      giveUpMs: flags.giveUpMs ?? DEFAULT_SETTLE.giveUpMs,
    };
    const producerCmd =
      flags.producerCmd ?? (kind === 'reference' ? referenceProducerTemplate(services) : undefined);
    if (driverUrl === undefined && producerCmd !== undefined) {
      // The producer property runs on a copy started with the bus up; the bus-down check starts its own.
      launched = await commandLauncher(producerCmd)(services.natsUrl);
      driverUrl = launched.driverUrl;
    }
    const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
    const options: ConformanceOptions = {
      target: kind,
      natsUrl: services.natsUrl,
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      natsConnect: flags.natsConnect,
      ...(deployment.projectorCmd === undefined ? {} : { projectorCmd: deployment.projectorCmd }),
      ...(driverUrl === undefined ? {} : { driverUrl }),
      ...(producerCmd === undefined ? {} : { producerCmd }),
      producerOnly: kind === 'producer',
      projectorInstances: flags.projectorInstances ?? 1,
      seed,
      numRuns: flags.numRuns ?? DEFAULT_NUM_RUNS,
      ...(deployment.ackWaitMs === undefined ? {} : { deploymentAckWaitMs: deployment.ackWaitMs }),
      concurrency: flags.concurrency ?? DEFAULT_CONCURRENCY,
      ...(flags.timeBudget === undefined ? {} : { deadline: Date.now() + flags.timeBudget * 1000 }),
      ...(flags.path === undefined ? {} : { path: flags.path }),
      ...(flags.clauses === undefined ? {} : { clauses: new RegExp(flags.clauses) }),
      ...(flags.property === undefined ? {} : { properties: flags.property.split(',').map((s) => s.trim()) }),
      slo: {
        publishP99Ms: flags.sloPublishP99Ms ?? CONTRACT_SLO.publishP99Ms,
        lagP95Ms: flags.sloLagP95Ms ?? CONTRACT_SLO.lagP95Ms,
        duplicateRate: flags.sloDuplicateRate ?? CONTRACT_SLO.duplicateRate,
      },
      settle,
      maxShrinks: flags.maxShrinks ?? 60,
      ...(flags.maxFailures === undefined ? {} : { maxFailures: flags.maxFailures }),
      ...(flags.keepGoing === true ? { keepGoing: true } : {}),
      ...(flags.metricsUrl === undefined ? {} : { metricsUrl: flags.metricsUrl }),
      propertyTimeLimitMs: (flags.propertyTimeLimitS ?? 120) * 1000,
      outDir,
      progress: say,
      status,
      scheduleTarget: deployment.describe(settle),
    };
    say(`conformance run: target ${options.target}, seed ${seed}, ${options.numRuns} runs per property`);
    const report = await runConformance(options);
    report.notes.unshift(...deployment.notes);
    let faults: Awaited<ReturnType<typeof addFaultsToReport>> | undefined;
    if (flags.faults === true) {
      const soakMs = Math.round((flags.soakMinutes ?? 10) * 60_000);
      say(
        `conformance run: fault suite, ${flags.faultRuns ?? 4} schedules per environment${soakMs > 0 ? `, soak ${flags.soakMinutes ?? 10} min` : ''}`,
      );
      faults = await addFaultsToReport(report, {
        seed,
        numRuns: flags.faultRuns ?? 4,
        ...(flags.faultsSecure === undefined ? {} : { secure: flags.faultsSecure }),
        soakMs,
        ...(flags.localWriteBoundMs === undefined ? {} : { localWriteBoundMs: flags.localWriteBoundMs }),
        outDir: options.outDir,
        progress: say,
      });
    }
    process.stdout.write(formatSummary(report, options.outDir, faults));
    return report.conformant ? EXIT.ok : EXIT.failure;
  } catch (error) {
    return await failRun({ command: 'conformance run', target: flags.target, startedAt }, error, outDir);
  } finally {
    await launched?.close();
    await deployment?.stop();
    release();
  }
}

const isEnvironment = (error: unknown): boolean =>
  error instanceof EnvironmentError || error instanceof ServiceError || error instanceof ChildProcessError;

/** Prints why the run stopped and writes reports saying so; always exit 2. */
export async function failRun(
  context: { command: string; target: string | undefined; startedAt: string },
  error: unknown,
  outDir: string,
): Promise<number> {
  const kind = isEnvironment(error) ? 'environment' : 'internal';
  const message = asEnvironmentError(error).message;
  say(`${context.command}: ${kind === 'internal' ? 'internal error of the kit: ' : ''}${message}`);
  await writeErrorReports({ ...context, kind, message }, outDir).catch((e: unknown) =>
    say(`${context.command}: cannot write the error report: ${String(e)}`),
  );
  say(`${context.command}: not judged (exit ${EXIT.usage}); reports in ${outDir}`);
  return EXIT.usage;
}

/**
 * While a command runs, an error thrown outside its promise chain (an event handler, a stream)
 * ends the process with exit 2 and a report saying so, instead of Node's default exit 1, which
 * means "not conformant". Returns the function that removes the guard.
 */
export function guardInternalErrors(
  context: { command: string; target: string | undefined; startedAt: string },
  outDir: string,
): () => void {
  const onError = (error: unknown): void => {
    void failRun(context, error, outDir).finally(() => process.exit(EXIT.usage));
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}
