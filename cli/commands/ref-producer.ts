import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { jetstreamManager } from '@nats-io/jetstream';
import { CONTRACT, episodeSubject, episodeSubjectFilter } from 'continuum-contract';
import { createLogger, type Logger } from '../../harness/logger.js';
import {
  connectNats,
  provision,
  startServices,
  type NatsConnectOptions,
  type Services,
} from '../../harness/services/index.js';
import {
  ReferenceProducer,
  startDriverServer,
  writeDemoEpisodes,
  type DriverServer,
} from '../../harness/producer/index.js';
import { EXIT } from '../exit-codes.js';
import {
  SERVICE_HELP,
  addServiceOptions,
  toServiceOptions,
  type ServiceCliOptions,
} from '../service-options.js';

interface ProducerFlags extends ServiceCliOptions {
  db?: string;
  driverPort?: number;
  demo?: number;
  tenantId: string;
  agentId: string;
  logLevel: string;
  timeoutMs: number;
}

const SCOPED_ID = new RegExp(CONTRACT.ids.scoped_id.pattern);

/** A tenant or agent id in the contract's format (CT-3.envelope.tenant_id), else a usage error. */
function parseScopedId(value: string): string {
  if (!SCOPED_ID.test(value))
    throw new InvalidArgumentError(
      `'${value}' is not a contract id: 1-64 of lower-case letters, digits, '_' and '-', starting with a letter or digit`,
    );
  return value;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

/** Registers `continuum-kit ref producer`: the reference Continuum producer (exporter + driver). */
export function registerRefProducer(ref: Command): void {
  const command = ref
    .command('producer')
    .description(
      'Run the reference producer: local SQLite store, exporter to JetStream, optional driver endpoint and demo',
    );
  addServiceOptions(command)
    .option(
      '--db <path>',
      'SQLite store (default ./continuum-producer.sqlite; a fresh temp file with --demo)',
    )
    .option(
      '--driver-port <n>',
      'serve the driver protocol (driver/openapi.yaml) on 127.0.0.1:N (0 = any free port)',
      parseCount,
    )
    .option(
      '--demo <n>',
      'write N demo episodes (create/update/summarize/delete mix), exit when all are exported',
      parseCount,
    )
    .option(
      '--tenant-id <id>',
      'tenant of the demo episodes',
      parseScopedId,
      `demo-${Math.random().toString(36).slice(2, 8)}`,
    )
    .option('--agent-id <id>', 'agent of the demo episodes', parseScopedId, 'demo-agent')
    .option(
      '--timeout-ms <ms>',
      'with --demo: give up if not all exported by then (exit 2)',
      parseCount,
      60_000,
    )
    .option('--log-level <level>', 'pino level for stderr logs', 'info')
    .addHelpText(
      'after',
      `
Examples:
  $ continuum-kit ref producer --demo 100
  $ continuum-kit ref producer --nats nats://127.0.0.1:4222 --valkey redis://127.0.0.1:6379 --driver-port 8787 --db ./producer.sqlite

Servers this command starts itself are provisioned (streams, migration); on given ones the stream
${CONTRACT.streams.episodes.name} must exist (continuum-kit provision). A given NATS that does not answer does not
stop the producer (CT-6.local-writes): it starts, accepts local writes, says on stderr that the bus
is away, and exports what is pending once the bus answers. Backfills are audited to PostgreSQL when
--pg is given or the server was started here. SIGTERM/SIGINT finish in-flight publishes, persist the
export cursor and exit 0.
${SERVICE_HELP}`,
    )
    .action(async (flags: ProducerFlags) => {
      process.exitCode = await producerCommand(flags);
    });
}

async function producerCommand(f: ProducerFlags): Promise<number> {
  const logger = createLogger({ level: f.logLevel, name: 'ref-producer' });
  let services: Services;
  try {
    // The bus may be down: local writes must not depend on it, so a given NATS is not probed.
    services = await startServices(toServiceOptions(f, { logger, unprobed: ['nats'] }));
  } catch (error) {
    process.stderr.write(
      `continuum-kit ref producer: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.usage;
  }
  try {
    return await runProducer(f, services, logger);
  } finally {
    await services.stop();
  }
}

async function runProducer(f: ProducerFlags, services: Services, logger: Logger): Promise<number> {
  const started = Object.values(services.origin).some((o) => o === 'binary' || o === 'container');
  let bus = await busProblem(services.natsUrl, services.natsConnect);
  if (started && bus?.kind !== 'unreachable') {
    await provision({
      natsUrl: services.natsUrl,
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      natsConnect: services.natsConnect,
      logger,
    });
    bus = await busProblem(services.natsUrl, services.natsConnect);
  } else if (started) {
    logger.warn({}, 'not provisioned: the bus does not answer (run continuum-kit provision once it does)');
  }
  const dbPath =
    f.db ??
    (f.demo === undefined
      ? 'continuum-producer.sqlite'
      : path.join(mkdtempSync(path.join(os.tmpdir(), 'ck-demo-')), 'producer.sqlite'));
  if (bus?.kind === 'no-stream' && f.demo !== undefined) {
    process.stderr.write(`continuum-kit ref producer: ${bus.message}\n`);
    return EXIT.usage;
  }
  if (bus?.kind === 'no-stream')
    logger.warn({ problem: bus.message }, 'exporting will retry until this is fixed');
  const auditPg =
    f.pg ??
    (services.origin.pg === 'binary' || services.origin.pg === 'container' ? services.pgUrl : undefined);
  const producer = new ReferenceProducer({
    dbPath,
    natsUrl: services.natsUrl,
    nats: services.natsConnect,
    valkeyUrl: services.valkeyUrl,
    logger,
    ...(auditPg === undefined ? {} : { pgUrl: auditPg }),
  });
  producer.start();
  try {
    if (bus?.kind === 'unreachable') reportBusReturn(producer, services.natsUrl, bus.message);
    return await serve(f, producer, dbPath, services.natsUrl, logger);
  } finally {
    // Also on a throw: a producer left running would keep the process alive.
    await producer.stop();
  }
}

/** Says on stderr that the bus is away, then that it came back and how much is pending export. */
function reportBusReturn(producer: ReferenceProducer, natsUrl: string, problem: string): void {
  process.stderr.write(
    `continuum-kit ref producer: ${problem}; started anyway: local writes are accepted and exported once the bus answers\n`,
  );
  void (async () => {
    while (producer.bus.state !== 'disconnected' && !(await producer.bus.ready(60_000))) {
      // Still away: keep waiting while the producer runs.
    }
    if (producer.bus.state !== 'connected') return;
    process.stderr.write(
      `continuum-kit ref producer: bus connected at ${natsUrl}; exporting ${producer.status().pending} pending local writes\n`,
    );
  })();
}

async function serve(
  f: ProducerFlags,
  producer: ReferenceProducer,
  dbPath: string,
  natsUrl: string,
  logger: Logger,
): Promise<number> {
  let driver: DriverServer | undefined;
  if (f.driverPort !== undefined) {
    driver = await startDriverServer(producer, { port: f.driverPort });
    logger.info({ url: driver.url }, 'driver protocol listening');
    process.stdout.write(
      `${JSON.stringify({ event: 'started', driver: driver.url, db: dbPath, nats: natsUrl, bus: producer.bus.state, pid: process.pid })}\n`,
    );
  }
  if (f.demo !== undefined) {
    const summary = writeDemoEpisodes(producer, f.demo, f.tenantId, f.agentId);
    const idle = await producer.exporter.waitIdle(f.timeoutMs);
    const status = producer.status();
    await driver?.close();
    process.stdout.write(
      `${JSON.stringify({ event: 'demo', db: dbPath, tenant_id: f.tenantId, agent_id: f.agentId, ...summary, exported: idle, counters: status.counters, publish_ack: status.publish_ack })}\n`,
    );
    if (!idle)
      process.stderr.write(
        `continuum-kit ref producer: ${status.pending} entries not exported within ${f.timeoutMs} ms\n`,
      );
    return idle ? EXIT.ok : EXIT.usage;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({}, 'stopping: finishing in-flight publishes');
  await driver?.close();
  await producer.stop();
  const cursor = producer.exporter.cursor;
  logger.info({ cursor }, 'stopped; cursor persisted');
  process.stdout.write(`${JSON.stringify({ event: 'stopped', cursor })}\n`);
  return EXIT.ok;
}

/** What keeps the bus from taking exports now, or undefined when the episode stream is there. */
async function busProblem(
  url: string,
  natsConnect: NatsConnectOptions,
): Promise<{ kind: 'unreachable' | 'no-stream'; message: string } | undefined> {
  let nc;
  try {
    nc = await connectNats(url, { ...natsConnect, timeoutMs: 3000 });
  } catch (error) {
    return {
      kind: 'unreachable',
      message: `bus (NATS) not reachable at ${url} (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.find(episodeSubject('x', 'y'));
    return undefined;
  } catch {
    return {
      kind: 'no-stream',
      message: `no JetStream stream for ${episodeSubjectFilter()} on ${url}: run continuum-kit provision --nats ${url}`,
    };
  } finally {
    await nc.close();
  }
}
