import { readFile } from 'node:fs/promises';
import { provision } from '../../harness/provision.js';
import { startServices } from '../../harness/services/index.js';
import type { NatsConnectOptions, Services } from '../../harness/services/index.js';
import { checkExecution } from '../check/check-execution.js';
import { bindSchedule, freshBinding, TENANTS } from '../streams/bind-schedule.js';
import type { ScheduleFile } from '../streams/schedule.js';
import type { ProjectorProcess } from '../target/projector-process.js';
import { DEFAULT_SETTLE } from '../target/projector-target.js';
import {
  REFERENCE_ACK_WAIT_MS,
  referenceProjectorCmd,
  shortAckConsumer,
  startReferenceProducer,
} from './reference-target.js';
import { commandLauncher, referenceProducerTemplate } from '../producer/producer-launcher.js';
import type { LaunchedProducer } from '../producer/producer-launcher.js';
import { openSession, runConformance } from './run-conformance.js';
import type { ConformanceOptions } from './run-conformance.js';
import { addFaultsToReport } from './add-faults-to-report.js';
import { EnvironmentError, episodeIdsOf } from './run-properties.js';
import { CONTRACT_SLO } from './slo.js';

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
  path?: string;
  property?: string;
  clauses?: string;
  sloPublishP99Ms?: number;
  sloLagP95Ms?: number;
  sloDuplicateRate?: number;
  maxShrinks?: number;
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

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** `conformance run`: resolves services, runs, prints the summary; returns the exit code. */
export async function runConformanceCommand(flags: RunFlags): Promise<number> {
  let services: Services | undefined;
  let producer: { url: string; process: ProjectorProcess } | undefined;
  let launched: LaunchedProducer | undefined;
  try {
    if (flags.target === 'producer' && flags.driver === undefined && flags.producerCmd === undefined) {
      say('conformance run --target producer needs --driver URL or --producer-cmd CMD (driver/openapi.yaml)');
      return 2;
    }
    if (flags.faults === true && flags.target !== 'reference') {
      say('conformance run --faults needs --target reference (the kit starts and breaks its own servers)');
      return 2;
    }
    const reference = flags.target === 'reference';
    services = await startServices({
      ...(flags.nats === undefined ? {} : { nats: flags.nats }),
      ...(flags.pg === undefined ? {} : { pg: flags.pg }),
      ...(flags.valkey === undefined ? {} : { valkey: flags.valkey }),
      natsConnect: flags.natsConnect,
      // The reference gets its own servers and database: never another run's durable consumer.
      sources: reference ? ['flag', 'binary', 'container'] : ['flag', 'env'],
      freshDatabase: reference,
    });
    const notes: string[] = [];
    let projectorCmd = flags.projectorCmd;
    let driverUrl = flags.driver;
    let producerCmd = flags.producerCmd;
    let redeliveryWaitMs = flags.redeliveryWaitMs ?? DEFAULT_SETTLE.redeliveryWaitMs;
    if (reference) {
      await provision({
        natsUrl: services.natsUrl,
        pgUrl: services.pgUrl,
        valkeyUrl: services.valkeyUrl,
        natsConnect: flags.natsConnect,
      });
      await shortAckConsumer(services.natsUrl, flags.natsConnect);
      projectorCmd ??= referenceProjectorCmd();
      if (driverUrl === undefined) {
        producer = await startReferenceProducer(services);
        driverUrl = producer.url;
      }
      producerCmd ??= referenceProducerTemplate(services);
      redeliveryWaitMs = Math.min(redeliveryWaitMs, REFERENCE_ACK_WAIT_MS + 2000);
      notes.push(
        `reference: own servers (${services.origin.nats}/${services.origin.pg}/${services.origin.valkey}), fresh database, consumer ack_wait ${REFERENCE_ACK_WAIT_MS} ms so kill -9 runs are redelivered quickly`,
      );
    }
    if (driverUrl === undefined && producerCmd !== undefined) {
      // The producer property runs on a copy started with the bus up; the bus-down check starts its own.
      launched = await commandLauncher(producerCmd)(services.natsUrl);
      driverUrl = launched.driverUrl;
    }
    const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
    const options: ConformanceOptions = {
      target: flags.target ?? 'projector',
      natsUrl: services.natsUrl,
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      natsConnect: flags.natsConnect,
      ...(projectorCmd === undefined ? {} : { projectorCmd }),
      ...(driverUrl === undefined ? {} : { driverUrl }),
      ...(producerCmd === undefined ? {} : { producerCmd }),
      producerOnly: flags.target === 'producer',
      projectorInstances: flags.projectorInstances ?? 1,
      seed,
      numRuns: flags.numRuns ?? 10,
      ...(flags.path === undefined ? {} : { path: flags.path }),
      ...(flags.clauses === undefined ? {} : { clauses: new RegExp(flags.clauses) }),
      ...(flags.property === undefined ? {} : { properties: flags.property.split(',').map((s) => s.trim()) }),
      slo: {
        publishP99Ms: flags.sloPublishP99Ms ?? CONTRACT_SLO.publishP99Ms,
        lagP95Ms: flags.sloLagP95Ms ?? CONTRACT_SLO.lagP95Ms,
        duplicateRate: flags.sloDuplicateRate ?? CONTRACT_SLO.duplicateRate,
      },
      settle: { ...DEFAULT_SETTLE, redeliveryWaitMs, giveUpMs: flags.giveUpMs ?? DEFAULT_SETTLE.giveUpMs },
      maxShrinks: flags.maxShrinks ?? 40,
      propertyTimeLimitMs: (flags.propertyTimeLimitS ?? 120) * 1000,
      outDir: flags.out ?? 'reports/conformance',
      progress: say,
    };
    say(`conformance run: target ${options.target}, seed ${seed}, ${options.numRuns} runs per property`);
    const report = await runConformance(options);
    report.notes.unshift(...notes);
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
    for (const p of report.properties) {
      const line = `${p.status.padEnd(8)} ${p.name.padEnd(20)} ${p.runs} runs, ${p.events} msgs, ${(p.durationMs / 1000).toFixed(1)} s${p.reason === undefined ? '' : ` (${p.reason})`}`;
      process.stdout.write(`${line}\n`);
      if (p.status === 'failed') {
        for (const v of p.violations) process.stdout.write(`  ${v.clauseId}: ${v.message}\n`);
        process.stdout.write(
          `  seed ${p.seed} path ${p.path ?? '-'}\n  schedule: ${report.scheduleFiles[p.name] ?? '-'}\n`,
        );
      }
    }
    for (const s of report.slos)
      process.stdout.write(
        `slo      ${s.clauseId.padEnd(20)} ${s.status}${s.measured === undefined ? '' : ` ${s.measured.toPrecision(3)} ${s.unit}`} (< ${s.threshold})${s.reason === undefined ? '' : ` ${s.reason}`}\n`,
      );
    if (faults !== undefined) {
      for (const [label, p] of [
        ['single node', faults.single],
        ['3-node cluster', faults.cluster],
        ['secure bus', faults.secure],
      ] as const) {
        if (p === undefined) continue;
        const t = p.totals;
        process.stdout.write(
          `${p.status.padEnd(8)} ${`faults (${label})`.padEnd(20)} ${p.runs} runs, ${t.faultsInjected} faults, ${t.episodesWritten} written, ${t.lost} lost, ${t.duplicatesProjected} projected twice${p.scheduleFile === undefined ? '' : `\n  schedule: ${p.scheduleFile}`}\n`,
        );
        for (const v of p.violations) process.stdout.write(`  ${v.clauseId}: ${v.message}\n`);
      }
      if (faults.soak !== undefined)
        process.stdout.write(
          `${(faults.soak.ok ? 'passed' : 'failed').padEnd(8)} ${'soak'.padEnd(20)} ${(faults.soak.durationMs / 60_000).toFixed(1)} min, ${faults.soak.figures.episodesWritten} written, ${faults.soak.figures.lost} lost\n`,
        );
    }
    const c = report.clauses;
    process.stdout.write(
      `${report.conformant ? 'CONFORMANT' : 'NOT CONFORMANT'}: ${c.filter((x) => x.status === 'passed').length} clauses passed, ${c.filter((x) => x.status === 'failed').length} failed, ${c.filter((x) => x.status === 'not-tested').length} not tested; ${report.throughput.properties} properties, ${report.throughput.events} events, ${report.throughput.eventsPerSecond.toFixed(0)} events/s, ${(report.durationMs / 1000).toFixed(1)} s; reports in ${options.outDir}\n`,
    );
    return report.conformant ? 0 : 1;
  } catch (error) {
    say(`conformance run: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await producer?.process.close();
    await launched?.close();
    await services?.stop();
  }
}

/** `conformance replay FILE`: reruns the schedule under fresh ids; 0 passes now, 1 still fails. */
export async function replayCommand(file: string, flags: RunFlags): Promise<number> {
  let services: Services | undefined;
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as ScheduleFile;
    if (saved.kind !== 'continuum-kit.schedule')
      throw new EnvironmentError(`${file} is not a continuum-kit schedule file`);
    services = await startServices({
      ...(flags.nats === undefined ? {} : { nats: flags.nats }),
      ...(flags.pg === undefined ? {} : { pg: flags.pg }),
      ...(flags.valkey === undefined ? {} : { valkey: flags.valkey }),
      natsConnect: flags.natsConnect,
      sources: ['flag', 'env'],
    });
    const session = await openSession({
      target: 'projector',
      natsUrl: services.natsUrl,
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      natsConnect: flags.natsConnect,
      ...(flags.projectorCmd === undefined ? {} : { projectorCmd: flags.projectorCmd }),
      projectorInstances: flags.projectorInstances ?? 1,
      seed: saved.seed,
      numRuns: 1,
      slo: CONTRACT_SLO,
      settle: {
        ...DEFAULT_SETTLE,
        redeliveryWaitMs: flags.redeliveryWaitMs ?? DEFAULT_SETTLE.redeliveryWaitMs,
        giveUpMs: flags.giveUpMs ?? DEFAULT_SETTLE.giveUpMs,
      },
      maxShrinks: 0,
      propertyTimeLimitMs: 60_000,
      outDir: flags.out ?? 'reports/conformance',
      progress: say,
    });
    try {
      const binding = freshBinding();
      const bound = bindSchedule(saved.schedule, binding);
      say(
        `replaying ${file}: ${bound.steps.length} steps of property ${saved.property} under token ${binding.token}`,
      );
      const exec = await session.target.execute(
        bound,
        binding.token,
        TENANTS.map((t) => binding.ids[t] as string),
        episodeIdsOf(bound),
      );
      const verdict = checkExecution(exec);
      for (const v of verdict.violations) process.stdout.write(`${v.clauseId}: ${v.message}\n`);
      process.stdout.write(
        verdict.violations.length === 0
          ? 'PASS: the schedule no longer fails\n'
          : `FAIL: ${verdict.violations.length} violations\n`,
      );
      return verdict.violations.length === 0 ? 0 : 1;
    } finally {
      await session.close();
    }
  } catch (error) {
    say(`conformance replay: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await services?.stop();
  }
}
